"""Activations: values worked by hand, derivatives against finite differences,
and behaviour at extreme inputs."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nncalc as nc

from .conftest import ACTIVATIONS

FUNCS = {name: (nc.activation(name), nc.activation_prime(name)) for name in ACTIVATIONS}


def test_sigmoid_values_worked_by_hand():
    # sigma(0) = 1/(1+1) = 1/2;  sigma(ln 3) = 1/(1+1/3) = 3/4;
    # sigma(-ln 3) = 1/(1+3) = 1/4.
    assert nc.sigmoid(0.0) == 0.5
    assert nc.sigmoid(math.log(3)) == pytest.approx(0.75, abs=1e-15)
    assert nc.sigmoid(-math.log(3)) == pytest.approx(0.25, abs=1e-15)


def test_sigmoid_prime_values_worked_by_hand():
    # sigma'(0) = 1/2 * 1/2;  sigma'(ln 3) = 3/4 * 1/4 = 3/16.
    assert nc.sigmoid_prime(0.0) == 0.25
    assert nc.sigmoid_prime(math.log(3)) == pytest.approx(3 / 16, abs=1e-15)


def test_tanh_relu_identity_values_worked_by_hand():
    z = np.array([-2.0, 0.0, 0.5])
    # tanh(0.5) = (e - 1)/(e + 1) with e = exp(1)
    e = math.e
    np.testing.assert_allclose(nc.tanh(z)[2], (e - 1) / (e + 1), rtol=1e-15)
    np.testing.assert_array_equal(nc.relu(z), [0.0, 0.0, 0.5])
    np.testing.assert_array_equal(nc.relu_prime(z), [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(nc.identity(z), z)
    np.testing.assert_array_equal(nc.identity_prime(z), [1.0, 1.0, 1.0])
    # tanh'(0) = 1 - 0^2 = 1
    assert nc.tanh_prime(0.0) == 1.0


def test_relu_prime_at_zero_is_zero():
    assert nc.relu_prime(0.0) == 0.0


@pytest.mark.parametrize("name", ACTIVATIONS)
@given(z=st.floats(-8, 8, allow_nan=False))
def test_derivative_matches_central_difference(name, z):
    f, f_prime = FUNCS[name]
    if name == "relu" and abs(z) < 1e-4:
        return  # no derivative at the kink
    h = 1e-6
    numeric = (f(z + h) - f(z - h)) / (2 * h)
    assert f_prime(z) == pytest.approx(numeric, abs=1e-8)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_scalar_in_float_out_and_shape_kept(name):
    f, f_prime = FUNCS[name]
    assert isinstance(f(0.3), float) and isinstance(f_prime(0.3), float)
    z = np.linspace(-1, 1, 12).reshape(3, 4)
    assert f(z).shape == (3, 4) and f_prime(z).shape == (3, 4)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_input_is_not_modified(name):
    f, f_prime = FUNCS[name]
    z = np.array([-1.0, 0.5, 2.0])
    before = z.copy()
    f(z)
    f_prime(z)
    np.testing.assert_array_equal(z, before)


def test_sigmoid_stable_at_extreme_inputs():
    z = np.array([-1e4, -800.0, -40.0, 0.0, 40.0, 800.0, 1e4])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = nc.sigmoid(z)
        ds = nc.sigmoid_prime(z)
    assert np.all(np.isfinite(s)) and np.all(np.isfinite(ds))
    assert s[0] == 0.0 and s[-1] == 1.0
    # sigma(-40) = e^-40 / (1 + e^-40): relative accuracy kept in the tail
    assert s[2] == pytest.approx(math.exp(-40) / (1 + math.exp(-40)), rel=1e-12)
    assert np.all(np.diff(s) >= 0)
    # symmetry sigma(-z) = 1 - sigma(z)
    np.testing.assert_allclose(s[::-1], 1 - s, atol=1e-16)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_all_activations_finite_at_extreme_inputs(name):
    f, f_prime = FUNCS[name]
    z = np.array([-1e4, 1e4, -1e300, 1e300])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.all(np.isfinite(f(z)))
        assert np.all(np.isfinite(f_prime(z)))


def test_sigmoid_is_fast_compared_with_exp():
    """Stability is not paid for with Python-level work: one sigmoid costs
    about as much as one np.exp on the same array (measured, generous bound)."""
    import timeit

    z = np.random.default_rng(0).normal(size=200_000) * 50
    t_sig = min(timeit.repeat(lambda: nc.activations._sigmoid(z), number=20, repeat=5))
    t_exp = min(timeit.repeat(lambda: np.exp(-np.abs(z)), number=20, repeat=5))
    assert t_sig < 4 * t_exp
