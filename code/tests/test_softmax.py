"""Many classes: the softmax, its Jacobian, cross-entropy, one-hot targets,
and backpropagation through a softmax output for every loss, against
central finite differences judged by the relative criterion."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import nncalc as nc

from .conftest import ACTIVATIONS

LOSSES_WITH_SOFTMAX = ["cross_entropy", "mse", "bce"]


# -- the softmax -------------------------------------------------------------------

def test_softmax_by_hand():
    # z = (0, ln 2, ln 3): e^z = (1, 2, 3), sum 6 -> (1/6, 1/3, 1/2)
    p = nc.softmax(np.log([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(p, [1 / 6, 1 / 3, 1 / 2], rtol=1e-15)
    assert p.shape == (3,)


def test_softmax_is_row_wise():
    Z = np.array([[0.0, np.log(3.0)], [5.0, 5.0], [-1.0, 2.0]])
    P = nc.softmax(Z)
    np.testing.assert_allclose(P[0], [0.25, 0.75], rtol=1e-15)
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=1e-15)
    for i in range(3):   # each row on its own, whatever the other rows are
        np.testing.assert_array_equal(P[i], nc.softmax(Z[i]))


@given(seed=st.integers(0, 10_000), m=st.integers(1, 6), shift=st.floats(-1e3, 1e3))
def test_softmax_ignores_a_constant_added_to_a_row(seed, m, shift):
    Z = np.random.default_rng(seed).normal(size=(m, 4)) * 3
    np.testing.assert_allclose(nc.softmax(Z + shift), nc.softmax(Z), rtol=1e-12, atol=1e-300)


def test_equal_logits_give_exactly_one_over_k():
    for K in (2, 3, 7, 10):
        for value in (0.0, -3.5, 1e4, -1e4):
            P = nc.softmax(np.full((2, K), value))
            assert np.all(P == 1.0 / K), (K, value)


def test_softmax_is_stable_at_large_logits():
    Z = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4 + 1.0], [1e4, 1e4 - 800, -1e4]])
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        P = nc.softmax(Z)
        J = nc.softmax_jacobian(Z)
    assert np.all(np.isfinite(P)) and np.all(np.isfinite(J))
    np.testing.assert_array_equal(P[0], [1.0, 0.0, 0.0])
    e = math.e
    np.testing.assert_allclose(P[1], [1 / (2 + e), 1 / (2 + e), e / (2 + e)], rtol=1e-14)
    np.testing.assert_array_equal(P[2], [1.0, 0.0, 0.0])   # e^-800 underflows to 0
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=1e-15)


@given(z=st.floats(-30, 30), shift=st.floats(-50, 50))
def test_two_class_softmax_is_sigmoid_of_the_logit_difference(z, shift):
    # softmax(z1, z2)_2 = e^z2 / (e^z1 + e^z2) = 1 / (1 + e^{-(z2 - z1)}) = sigma(z2 - z1)
    p = nc.softmax(np.array([shift, shift + z]))
    np.testing.assert_allclose(p[1], nc.sigmoid(z), rtol=1e-12)
    np.testing.assert_allclose(p[0], nc.sigmoid(-z), rtol=1e-12)


def test_two_class_softmax_network_is_a_sigmoid_network():
    """A 2-unit softmax output is a sigmoid unit with weights w2 - w1, b2 - b1."""
    rng = np.random.default_rng(0)
    soft = nc.init_params([3, 4, 2], seed=1)
    soft["b2"] = rng.normal(size=2)
    sig = {"W1": soft["W1"], "b1": soft["b1"],
           "W2": soft["W2"][[1]] - soft["W2"][[0]], "b2": soft["b2"][[1]] - soft["b2"][[0]]}
    X = rng.normal(size=(6, 3))
    P, _ = nc.forward(soft, X, hidden="tanh", output="softmax")
    q, _ = nc.forward(sig, X, hidden="tanh", output="sigmoid")
    np.testing.assert_allclose(P[:, [1]], q, rtol=1e-13)


@given(seed=st.integers(0, 10_000), K=st.integers(1, 5))
def test_softmax_jacobian_matches_finite_differences(seed, K):
    z = np.random.default_rng(seed).normal(size=K)
    numeric = np.column_stack([
        nc.numerical_gradient(lambda v, j=j: float(nc.softmax(v)[j]), z) for j in range(K)]).T
    J = nc.softmax_jacobian(z)
    assert J.shape == (K, K)
    assert nc.relative_error(J, numeric) < 1e-6
    p = nc.softmax(z)
    np.testing.assert_allclose(J, np.diag(p) - np.outer(p, p), rtol=1e-14, atol=1e-17)
    np.testing.assert_allclose(J, J.T, rtol=0, atol=0)
    np.testing.assert_allclose(J.sum(axis=0), 0.0, atol=1e-15)


def test_softmax_jacobian_of_a_batch_is_one_per_row():
    Z = np.random.default_rng(1).normal(size=(4, 3))
    J = nc.softmax_jacobian(Z)
    assert J.shape == (4, 3, 3)
    for i in range(4):
        np.testing.assert_array_equal(J[i], nc.softmax_jacobian(Z[i]))


def test_activation_by_name_knows_softmax_but_not_its_element_wise_derivative():
    assert nc.activation("softmax") is nc.softmax
    with pytest.raises(ValueError, match="softmax_jacobian"):
        nc.activation_prime("softmax")


# -- cross-entropy and one-hot targets -----------------------------------------------

def test_cross_entropy_by_hand():
    # row 1: -ln 0.7; row 2: -ln 0.5; mean of the two
    P = np.array([[0.7, 0.2, 0.1], [0.25, 0.25, 0.5]])
    Y = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    assert nc.cross_entropy(P, Y) == pytest.approx(-(math.log(0.7) + math.log(0.5)) / 2,
                                                   rel=1e-15)
    # soft targets: -(0.5 ln 0.7 + 0.5 ln 0.2)
    assert nc.cross_entropy(P[:1], [[0.5, 0.5, 0.0]]) == pytest.approx(
        -(0.5 * math.log(0.7) + 0.5 * math.log(0.2)), rel=1e-15)


def test_cross_entropy_equals_sklearn_log_loss_with_its_clipping():
    from sklearn.metrics import log_loss

    rng = np.random.default_rng(2)
    labels = np.arange(40) % 5
    P = nc.softmax(rng.normal(size=(40, 5)) * 4)
    P[0] = [0.0, 1.0, 0.0, 0.0, 0.0]         # certain and wrong: clipped to eps
    P[1] = [1.0, 0.0, 0.0, 0.0, 0.0]         # certain and right: clipped to 1 - eps
    Y = nc.one_hot(labels, 5)
    ours = nc.cross_entropy(P, Y)
    theirs = log_loss(labels, P, labels=np.arange(5))
    assert ours == pytest.approx(theirs, rel=1e-14)
    # and scikit-learn's MLP uses the same function for its softmax output
    from sklearn.neural_network._base import log_loss as mlp_log_loss

    assert ours == pytest.approx(mlp_log_loss(Y, P), rel=1e-14)
    # the clip: a zero probability for the right class costs -ln(eps), no more
    one = nc.cross_entropy(P[[0]], Y[[0]])
    assert one == pytest.approx(-math.log(nc.EPS), rel=1e-12) and math.isfinite(one)


@given(seed=st.integers(0, 10_000), m=st.integers(1, 5), K=st.integers(2, 5))
def test_cross_entropy_prime_matches_finite_differences(seed, m, K):
    rng = np.random.default_rng(seed)
    P = rng.uniform(0.05, 0.95, size=(m, K))
    Y = nc.softmax(rng.normal(size=(m, K)))               # soft targets: rows sum to 1
    numeric = nc.numerical_gradient(lambda p: nc.cross_entropy(p, Y), P)
    assert nc.relative_error(nc.cross_entropy_prime(P, Y), numeric) < 1e-7


def test_cross_entropy_prime_is_zero_where_clipped():
    g = nc.cross_entropy_prime(np.array([[0.0, 1.0, 0.5]]), np.array([[0.2, 0.3, 0.5]]))
    assert g[0, 0] == 0.0 and g[0, 1] == 0.0 and g[0, 2] == pytest.approx(-1.0)


def test_one_hot():
    Y = nc.one_hot([2, 0, 1, 2], 3)
    np.testing.assert_array_equal(Y, [[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]])
    assert Y.dtype == np.float64
    np.testing.assert_array_equal(nc.one_hot(np.array([1.0, 0.0]), 2), [[0, 1], [1, 0]])
    assert nc.one_hot([0, 0], 4).shape == (2, 4)        # absent classes keep their column
    labels = np.random.default_rng(0).integers(0, 7, 50)
    np.testing.assert_array_equal(nc.one_hot(labels, 7).argmax(axis=1), labels)


# -- the output error with a softmax output ---------------------------------------------

def _targets(rng, loss, m, K):
    if loss == "cross_entropy":
        return nc.one_hot(rng.integers(0, K, m), K)
    if loss == "bce":
        return rng.uniform(0, 1, size=(m, K))
    return rng.normal(size=(m, K))


@pytest.mark.parametrize("loss", LOSSES_WITH_SOFTMAX)
def test_softmax_output_delta_is_derivative_with_respect_to_z(loss):
    rng = np.random.default_rng(5)
    Z = rng.normal(size=(4, 3))
    Y = _targets(rng, loss, 4, 3)
    numeric = nc.numerical_gradient(lambda z: nc.loss_value(loss, nc.softmax(z), Y), Z)
    delta = nc.output_delta(nc.softmax(Z), Y, loss=loss, output="softmax")
    assert nc.relative_error(delta, numeric) < 1e-7


def test_softmax_cross_entropy_delta_is_p_minus_y_over_m():
    rng = np.random.default_rng(6)
    P = nc.softmax(rng.normal(size=(5, 4)))
    Y = nc.one_hot(rng.integers(0, 4, 5), 4)
    np.testing.assert_allclose(nc.output_delta(P, Y, "cross_entropy", "softmax"), (P - Y) / 5,
                               rtol=1e-15)


def test_non_matching_softmax_pairs_use_the_full_jacobian():
    """mse + softmax: G times each row's Jacobian, not G * p (1 - p)."""
    rng = np.random.default_rng(7)
    Z = rng.normal(size=(3, 4))
    P, Y = nc.softmax(Z), rng.normal(size=(3, 4))
    G = nc.mse_prime(P, Y)
    by_jacobian = np.stack([G[i] @ nc.softmax_jacobian(Z[i]) for i in range(3)])
    delta = nc.output_delta(P, Y, loss="mse", output="softmax")
    np.testing.assert_allclose(delta, by_jacobian, rtol=1e-13, atol=1e-17)
    diagonal_only = G * P * (1 - P)
    assert nc.relative_error(delta, diagonal_only) > 0.1


# -- backpropagation through a softmax output -------------------------------------------

@st.composite
def softmax_case(draw):
    sizes = draw(st.lists(st.integers(1, 4), min_size=1, max_size=4))
    sizes = sizes + [draw(st.integers(2, 5))]     # K >= 2 softmax outputs; [n_0, K] is
                                                  # softmax regression (no hidden layer)
    m = draw(st.sampled_from([1, 2, 5]))
    hidden = draw(st.sampled_from(ACTIVATIONS))
    loss = draw(st.sampled_from(LOSSES_WITH_SOFTMAX))
    seed = draw(st.integers(0, 2**32 - 1))
    alpha = draw(st.sampled_from([0.0, 0.3]))
    return sizes, m, hidden, loss, seed, alpha


@given(softmax_case())
def test_backward_through_softmax_matches_central_differences(case):
    sizes, m, hidden, loss, seed, alpha = case
    rng = np.random.default_rng(seed)
    params = nc.init_params(sizes, seed=seed)
    params = {k: v + 0.3 * rng.normal(size=v.shape) for k, v in params.items()}
    X = rng.normal(size=(m, sizes[0]))
    Y = _targets(rng, loss, m, sizes[-1])
    y_hat, cache = nc.forward(params, X, hidden=hidden, output="softmax")
    L = len(sizes) - 1
    if hidden == "relu":   # stay away from ReLU's kink, where no derivative exists
        for l in range(1, L):
            assume(np.abs(cache[f"Z{l}"]).min() > 1e-3)

    def objective(p):
        out = nc.forward(p, X, hidden=hidden, output="softmax")[0]
        return nc.loss_value(loss, out, Y) + nc.l2_penalty(p, alpha, m)

    grads = nc.backward(params, cache, Y, loss=loss, alpha=alpha)
    numeric = nc.numerical_gradient(objective, params)
    assert list(grads) == list(params)
    for k in params:   # the relative criterion, each parameter array at its own scale
        assert grads[k].shape == params[k].shape
        # Central differences with h = 1e-6 carry a rounding noise of about
        # eps |loss| / h ~ 1e-10: relative to a gradient of size 1e-5 that is
        # 1e-5, the tolerance. Smaller gradients (a dead ReLU layer,
        # saturated units) are below what the differences resolve relative
        # to their size and are checked against that noise instead.
        scale = np.abs(numeric[k]).max()
        if scale < 1e-5:
            assert np.abs(grads[k] - numeric[k]).max() < 1e-9, k
        else:
            assert nc.relative_error(grads[k], numeric[k]) < 1e-5, (k, scale)


def test_softmax_training_learns_three_spirals():
    X, labels = nc.datasets.spiral(m=240, n_classes=3, noise=0.1, seed=0)
    Y = nc.one_hot(labels, 3)
    hist = nc.train(nc.init_params([2, 32, 3], seed=0), X, Y, epochs=300, lr=0.02,
                    loss="cross_entropy", hidden="tanh", output="softmax", batch_size=32,
                    optimizer="adam")
    P, _ = nc.forward(hist.params, X, hidden="tanh", output="softmax")
    assert hist.loss[-1] < 0.3 * hist.loss[0]
    assert np.mean(P.argmax(axis=1) == labels) > 0.9


def test_forward_and_backward_with_softmax_are_warning_free_at_large_weights():
    params = {k: v * 1e4 for k, v in nc.init_params([2, 3, 4], seed=0).items()}
    X = np.random.default_rng(0).normal(size=(6, 2))
    Y = nc.one_hot(np.arange(6) % 4, 4)
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        P, cache = nc.forward(params, X, hidden="tanh", output="softmax")
        loss = nc.cross_entropy(P, Y)
        grads = nc.backward(params, cache, Y, loss="cross_entropy")
        hist = nc.train(params, X, Y, epochs=3, lr=0.1, loss="cross_entropy", hidden="tanh",
                        output="softmax")
    assert math.isfinite(loss) and all(np.all(np.isfinite(g)) for g in grads.values())
    assert not hist.diverged
