"""Losses: values computed by hand, derivatives against finite differences,
the output error for every loss/activation pair, and clipping."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nncalc as nc

from .conftest import ACTIVATIONS


def test_mse_by_hand():
    # errors 0.5, -1, 2 over m = 3 examples: (0.25 + 1 + 4) / (2 * 3) = 0.875
    y_hat = np.array([[1.5], [0.0], [4.0]])
    Y = np.array([[1.0], [1.0], [2.0]])
    assert nc.mse(y_hat, Y) == pytest.approx(0.875, abs=1e-15)


def test_mse_sums_over_outputs_and_averages_over_examples():
    # two examples, two outputs: squared errors (1 + 4) and (9 + 0); 14 / (2*2) = 3.5
    y_hat = np.array([[1.0, 2.0], [3.0, 0.0]])
    Y = np.zeros((2, 2))
    assert nc.mse(y_hat, Y) == pytest.approx(3.5, abs=1e-15)


def test_bce_by_hand():
    # y = 1, p = 0.8 -> -ln 0.8;  y = 0, p = 0.25 -> -ln 0.75;  mean of the two
    y_hat = np.array([0.8, 0.25])
    Y = np.array([1.0, 0.0])
    expected = -(math.log(0.8) + math.log(0.75)) / 2
    assert nc.bce(y_hat, Y) == pytest.approx(expected, rel=1e-14)


def test_bce_soft_labels_by_hand():
    # y = 0.5, p = 0.5: -(0.5 ln 0.5 + 0.5 ln 0.5) = ln 2
    assert nc.bce([[0.5]], [[0.5]]) == pytest.approx(math.log(2), rel=1e-15)


def test_bce_clips_certain_predictions_to_finite_loss():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = nc.bce(np.array([[0.0], [1.0]]), np.array([[1.0], [0.0]]))
    # both predictions are clipped to eps away from the truth: -ln(eps) each
    assert loss == pytest.approx(-math.log(nc.EPS), rel=1e-6)
    assert math.isfinite(loss)


def test_one_d_targets_accepted_for_one_output():
    y_hat = np.array([[0.2], [0.7]])
    assert nc.mse(y_hat, np.array([0.0, 1.0])) == nc.mse(y_hat, np.array([[0.0], [1.0]]))


@given(seed=st.integers(0, 10_000), m=st.integers(1, 6), n=st.integers(1, 3))
def test_mse_prime_matches_finite_differences(seed, m, n):
    rng = np.random.default_rng(seed)
    y_hat, Y = rng.normal(size=(m, n)), rng.normal(size=(m, n))
    numeric = nc.numerical_gradient(lambda p: nc.mse(p, Y), y_hat)
    np.testing.assert_allclose(nc.mse_prime(y_hat, Y), numeric, atol=1e-8)


@given(seed=st.integers(0, 10_000), m=st.integers(1, 6), n=st.integers(1, 3))
def test_bce_prime_matches_finite_differences(seed, m, n):
    rng = np.random.default_rng(seed)
    y_hat = rng.uniform(0.05, 0.95, size=(m, n))
    Y = rng.uniform(0, 1, size=(m, n))
    numeric = nc.numerical_gradient(lambda p: nc.bce(p, Y), y_hat)
    np.testing.assert_allclose(nc.bce_prime(y_hat, Y), numeric, rtol=1e-6, atol=1e-8)


def test_bce_prime_is_zero_where_clipped():
    g = nc.bce_prime(np.array([[-0.5], [1.5], [0.5]]), np.array([[1.0], [0.0], [1.0]]))
    assert g[0, 0] == 0.0 and g[1, 0] == 0.0 and g[2, 0] != 0.0


@pytest.mark.parametrize("output", ACTIVATIONS)
@pytest.mark.parametrize("loss", ["mse", "bce"])
def test_output_delta_is_derivative_with_respect_to_z(loss, output):
    """Delta^(L) = dL/dZ: differentiate z -> loss(f(z), y) numerically."""
    rng = np.random.default_rng(7)
    f = nc.activation(output)
    # pre-activations whose outputs lie inside (0, 1) for every f, away from kinks
    Z = {"sigmoid": rng.normal(size=(4, 2)), "tanh": rng.uniform(0.1, 1.2, (4, 2)),
         "relu": rng.uniform(0.1, 0.9, (4, 2)), "identity": rng.uniform(0.1, 0.9, (4, 2))}[output]
    Y = rng.uniform(0, 1, size=(4, 2))
    numeric = nc.numerical_gradient(lambda z: nc.loss_value(loss, f(z), Y), Z)
    delta = nc.output_delta(f(Z), Y, loss=loss, output=output)
    np.testing.assert_allclose(delta, numeric, rtol=1e-6, atol=1e-9)


def test_matching_pairs_give_prediction_minus_target_over_m():
    rng = np.random.default_rng(3)
    Z, Y = rng.normal(size=(5, 1)), rng.integers(0, 2, size=(5, 1)).astype(float)
    a = nc.sigmoid(Z)
    np.testing.assert_allclose(nc.output_delta(a, Y, "bce", "sigmoid"), (a - Y) / 5, rtol=1e-15)
    np.testing.assert_allclose(nc.output_delta(Z, Y, "mse", "identity"), (Z - Y) / 5, rtol=1e-15)
    # squared error with a sigmoid keeps the factor sigma'(z) = a (1 - a)
    np.testing.assert_allclose(nc.output_delta(a, Y, "mse", "sigmoid"),
                               (a - Y) * a * (1 - a) / 5, rtol=1e-14)
