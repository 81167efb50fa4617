"""The network: a forward and backward pass worked on paper, backward against
central finite differences for random architectures, init, sgd_step, train."""

import warnings

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import nncalc as nc

from .conftest import ACTIVATIONS, LOSSES

# A 2-2-1 network with a ReLU hidden layer and a linear output, small enough to
# do by hand (see the comments in the tests below).
HAND = {
    "W1": np.array([[1.0, -1.0], [2.0, 0.5]]),
    "b1": np.array([0.5, -1.0]),
    "W2": np.array([[3.0, -1.0]]),
    "b2": np.array([0.25]),
}
X_HAND = np.array([[1.0, 2.0]])
Y_HAND = np.array([[1.0]])


def test_forward_worked_by_hand():
    # z1 = W1 x + b1 = [1 - 2 + 0.5, 2 + 1 - 1] = [-0.5, 2];  a1 = relu(z1) = [0, 2]
    # z2 = W2 a1 + b2 = 3*0 - 1*2 + 0.25 = -1.75;  y_hat = z2
    y_hat, cache = nc.forward(HAND, X_HAND, hidden="relu", output="identity")
    np.testing.assert_array_equal(cache["Z1"], [[-0.5, 2.0]])
    np.testing.assert_array_equal(cache["A1"], [[0.0, 2.0]])
    np.testing.assert_array_equal(y_hat, [[-1.75]])
    # loss = (1/2)(-1.75 - 1)^2 = 3.78125
    assert nc.mse(y_hat, Y_HAND) == 3.78125


def test_backward_worked_by_hand():
    # delta2 = y_hat - y = -2.75
    # dW2 = delta2 a1^T = [0, -5.5];  db2 = -2.75
    # delta1 = (W2^T delta2) * relu'(z1) = [-8.25, 2.75] * [0, 1] = [0, 2.75]
    # dW1 = delta1 x^T = [[0, 0], [2.75, 5.5]];  db1 = [0, 2.75]
    _, cache = nc.forward(HAND, X_HAND, hidden="relu", output="identity")
    g = nc.backward(HAND, cache, Y_HAND, loss="mse")
    np.testing.assert_array_equal(g["W2"], [[0.0, -5.5]])
    np.testing.assert_array_equal(g["b2"], [-2.75])
    np.testing.assert_array_equal(g["W1"], [[0.0, 0.0], [2.75, 5.5]])
    np.testing.assert_array_equal(g["b1"], [0.0, 2.75])


def test_batch_forward_equals_per_example_column_formula():
    """Z = X W^T + b (rows) is z = W x + b (columns) for every example."""
    rng = np.random.default_rng(0)
    params = nc.init_params([3, 4, 2], seed=1)
    X = rng.normal(size=(5, 3))
    _, cache = nc.forward(params, X, hidden="tanh", output="sigmoid")
    for i in range(5):
        z1 = params["W1"] @ X[i] + params["b1"]
        a1 = np.tanh(z1)
        z2 = params["W2"] @ a1 + params["b2"]
        np.testing.assert_allclose(cache["Z1"][i], z1, rtol=1e-14)
        np.testing.assert_allclose(cache["A2"][i], 1 / (1 + np.exp(-z2)), rtol=1e-14)


@st.composite
def network_case(draw):
    sizes = draw(st.lists(st.integers(1, 4), min_size=2, max_size=5))
    m = draw(st.sampled_from([1, 2, 5]))
    hidden = draw(st.sampled_from(ACTIVATIONS))
    output = draw(st.sampled_from(ACTIVATIONS))
    loss = draw(st.sampled_from(LOSSES))
    seed = draw(st.integers(0, 2**32 - 1))
    alpha = draw(st.sampled_from([0.0, 0.3]))
    return sizes, m, hidden, output, loss, seed, alpha


def _make_case(sizes, m, output, loss, seed):
    rng = np.random.default_rng(seed)
    params = nc.init_params(sizes, seed=seed)
    for k in params:  # non-zero biases, so every term of the gradient is exercised
        params[k] = params[k] + (0.3 * rng.normal(size=params[k].shape) if k[0] == "b" else 0)
    X = rng.normal(size=(m, sizes[0]))
    if loss == "bce":
        Y = rng.uniform(0, 1, size=(m, sizes[-1]))
        if output != "sigmoid":
            # keep the outputs inside (0, 1), away from the clip, for identity/tanh/relu
            L = len(sizes) - 1
            params[f"W{L}"] = 0.05 * params[f"W{L}"]
            params[f"b{L}"] = np.full(sizes[-1], 0.55)
    else:
        Y = rng.normal(size=(m, sizes[-1]))
    return params, X, Y


@given(network_case())
def test_backward_matches_central_differences(case):
    sizes, m, hidden, output, loss, seed, alpha = case
    params, X, Y = _make_case(sizes, m, output, loss, seed)
    y_hat, cache = nc.forward(params, X, hidden=hidden, output=output)
    L = len(sizes) - 1
    for l in range(1, L + 1):  # stay away from ReLU's kink, where no derivative exists
        if hidden == "relu" and l < L or output == "relu" and l == L:
            assume(np.abs(cache[f"Z{l}"]).min() > 1e-3)

    def objective(p):
        out = nc.forward(p, X, hidden=hidden, output=output)[0]
        return nc.loss_value(loss, out, Y) + nc.l2_penalty(p, alpha, m)

    grads = nc.backward(params, cache, Y, loss=loss, alpha=alpha)
    numeric = nc.numerical_gradient(objective, params)
    assert set(grads) == set(params)
    for k in params:
        assert grads[k].shape == params[k].shape
        np.testing.assert_allclose(grads[k], numeric[k], rtol=1e-5, atol=1e-7, err_msg=k)


def test_backward_accepts_one_d_targets_for_one_output():
    params = nc.init_params([2, 3, 1], seed=0)
    X, Y = nc.datasets.xor(m=6)
    _, cache = nc.forward(params, X)
    g_col = nc.backward(params, cache, Y)
    g_flat = nc.backward(params, cache, Y.ravel())
    for k in params:
        np.testing.assert_array_equal(g_col[k], g_flat[k])


def test_init_params_shapes_seed_and_glorot_bound():
    p = nc.init_params([3, 5, 2], seed=4)
    assert {k: v.shape for k, v in p.items()} == {
        "W1": (5, 3), "b1": (5,), "W2": (2, 5), "b2": (2,)}
    np.testing.assert_array_equal(p["b1"], 0)
    assert np.abs(p["W1"]).max() <= np.sqrt(6 / (3 + 5))
    q = nc.init_params([3, 5, 2], seed=4)
    r = nc.init_params([3, 5, 2], seed=5)
    assert all(np.array_equal(p[k], q[k]) for k in p)
    assert not np.array_equal(p["W1"], r["W1"])
    assert nc.n_layers(p) == 2


def test_init_params_any_depth():
    p = nc.init_params([1, 1], seed=0)
    assert set(p) == {"W1", "b1"}
    p = nc.init_params([4, 3, 3, 3, 2], seed=0)
    assert nc.n_layers(p) == 4 and p["W4"].shape == (2, 3)


def test_sgd_step_arithmetic_and_no_mutation():
    params = {k: v.copy() for k, v in HAND.items()}
    grads = {k: np.full_like(v, 2.0) for k, v in HAND.items()}
    before_p = {k: v.copy() for k, v in params.items()}
    before_g = {k: v.copy() for k, v in grads.items()}
    new = nc.sgd_step(params, grads, lr=0.25)
    for k in params:
        np.testing.assert_array_equal(new[k], before_p[k] - 0.5)  # 0.25 * 2
        np.testing.assert_array_equal(params[k], before_p[k])
        np.testing.assert_array_equal(grads[k], before_g[k])
        assert new[k] is not params[k]


def test_forward_and_backward_do_not_mutate_inputs():
    params = nc.init_params([2, 3, 1], seed=0)
    X, Y = nc.datasets.xor(m=5)
    copies = ({k: v.copy() for k, v in params.items()}, X.copy(), Y.copy())
    _, cache = nc.forward(params, X)
    nc.backward(params, cache, Y, alpha=0.1)
    for k in params:
        np.testing.assert_array_equal(params[k], copies[0][k])
    np.testing.assert_array_equal(X, copies[1])
    np.testing.assert_array_equal(Y, copies[2])


def _manual_training(params, X, Y, epochs, lr, loss, hidden, output, batch, alpha):
    """The training loop written with the public functions only."""
    losses = []
    m = X.shape[0]
    for _ in range(epochs):
        total = 0.0
        for s in range(0, m, batch):
            Xb, Yb = X[s:s + batch], Y[s:s + batch]
            y_hat, cache = nc.forward(params, Xb, hidden=hidden, output=output)
            total += (nc.loss_value(loss, y_hat, Yb) + nc.l2_penalty(params, alpha, len(Xb))) * len(Xb)
            params = nc.sgd_step(params, nc.backward(params, cache, Yb, loss, alpha), lr)
        losses.append(total / m)
    return params, np.array(losses)


@pytest.mark.parametrize("batch_size", [None, 1, 3, 7])
@pytest.mark.parametrize("loss,output,alpha", [("mse", "identity", 0.0), ("bce", "sigmoid", 0.01),
                                               ("mse", "tanh", 0.1)])
def test_train_equals_loop_of_public_functions(batch_size, loss, output, alpha):
    X, Y = nc.datasets.xor(m=10, seed=2)
    p0 = nc.init_params([2, 3, 2, 1], seed=3)
    p0_copy = {k: v.copy() for k, v in p0.items()}
    hist = nc.train(p0, X, Y, epochs=5, lr=0.3, loss=loss, hidden="tanh", output=output,
                    batch_size=batch_size, alpha=alpha)
    p_ref, l_ref = _manual_training(p0, X, Y, 5, 0.3, loss, "tanh", output,
                                    batch_size or 10, alpha)
    np.testing.assert_allclose(hist.loss, l_ref, rtol=1e-12)
    for k in p0:
        np.testing.assert_allclose(hist.params[k], p_ref[k], rtol=1e-12, atol=1e-14)
        np.testing.assert_array_equal(p0[k], p0_copy[k])  # caller's params untouched


def test_train_learns_xor():
    X, Y = nc.datasets.xor(m=200, noise=0.1, seed=0)
    hist = nc.train(nc.init_params([2, 4, 1], seed=1), X, Y, epochs=3000, lr=2.0,
                    loss="bce", hidden="tanh", output="sigmoid")
    accuracy = np.mean((nc.forward(hist.params, X, "tanh", "sigmoid")[0] > 0.5) == (Y > 0.5))
    assert hist.loss[-1] < 0.2 * hist.loss[0]
    assert accuracy > 0.95


def test_train_callback_receives_copies():
    X, Y = nc.datasets.sine(m=20)
    seen = []
    hist = nc.train(nc.init_params([1, 4, 1], seed=0), X, Y, epochs=3, lr=0.1,
                    callback=lambda e, p, loss: seen.append((e, p, loss)))
    assert [e for e, _, _ in seen] == [0, 1, 2]
    assert [loss for _, _, loss in seen] == list(hist.loss)
    for k in hist.params:
        np.testing.assert_array_equal(seen[-1][1][k], hist.params[k])
        assert seen[-1][1][k] is not hist.params[k]
    assert "epochs=3" in repr(hist)


def test_extreme_weights_do_not_warn_or_overflow():
    params = {k: v * 1e4 for k, v in nc.init_params([2, 3, 1], seed=0).items()}
    X, Y = nc.datasets.xor(m=8)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y_hat, cache = nc.forward(params, X, hidden="sigmoid", output="sigmoid")
        grads = nc.backward(params, cache, Y, loss="bce")
        loss = nc.bce(y_hat, Y)
    assert np.isfinite(loss)
    assert all(np.all(np.isfinite(g)) for g in grads.values())


def test_train_reports_divergence_once_and_stops():
    X, Y = nc.datasets.sine(m=50, seed=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        hist = nc.train(nc.init_params([1, 8, 1], seed=0), X, 50 * Y, epochs=500, lr=5.0,
                        hidden="relu", output="identity")
    assert hist.diverged and "diverged" in repr(hist)
    assert len(hist.loss) < 500 and not np.isfinite(hist.loss[-1])
    assert np.all(np.isfinite(hist.loss[:-1]))
    messages = [str(w.message) for w in caught]
    assert len(messages) == 1 and "training diverged at epoch" in messages[0]
    assert "lr=5" in messages[0]


def test_train_does_not_flag_normal_runs():
    X, Y = nc.datasets.sine(m=50, seed=0)
    hist = nc.train(nc.init_params([1, 8, 1], seed=0), X, Y, epochs=50, lr=0.1)
    assert not hist.diverged and len(hist.loss) == 50


def test_gradients_come_in_the_order_of_the_parameters():
    params = nc.init_params([2, 3, 2, 1], seed=0)
    X, Y = nc.datasets.xor(m=4)
    grads = nc.backward(params, nc.forward(params, X)[1], Y)
    assert list(grads) == list(params) == ["W1", "b1", "W2", "b2", "W3", "b3"]
