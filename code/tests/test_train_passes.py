"""nc.train runs _forward's and _backward's arithmetic through _BatchPasses, into
arrays it allocates once. These tests check that nothing but the place of the
results changed: the same numbers, bit for bit, as a loop of the internals
_forward and _backward (what train ran before), for every activation, loss,
output, depth, batch size, L2 strength and optimiser; and the in-place pieces
against the functions they replace."""

import itertools
import warnings

import numpy as np
import pytest

import nncalc as nc
from nncalc import activations as act
from nncalc import losses
from nncalc import network as net

from .conftest import training_data


def _loop_of_internals(params, X, Y, epochs, lr, loss, hidden, output, batch, alpha, optimizer):
    """train's loop as it was: _forward, the loss, _backward, the gradients
    gathered into the flat vector, the optimiser's step."""
    size, layout = net._flat_layout(params)
    theta, g = np.empty(size), np.empty(size)
    live, g_views = net._unflatten(theta, layout), net._unflatten(g, layout)
    for k, v in params.items():
        live[k][...] = v
    n_weights = sum(live[k].size for k in live if k[0] == "W")
    step = net._Optimizer(optimizer, size, lr, 0.8, 0.9, 0.999, 1e-8).step
    history = []
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        for _ in range(epochs):
            total = 0.0
            for s in range(0, len(X), batch):
                Xb, Yb = X[s:s + batch], Y[s:s + batch]
                mb = len(Xb)
                y_hat, cache = net._forward(live, Xb, hidden, output, keep_z=False)
                batch_loss = losses._LOSSES[loss](y_hat, Yb)
                if alpha:
                    w = theta[:n_weights]
                    batch_loss += 0.5 * alpha * float(np.vdot(w, w)) / mb
                total += batch_loss * mb
                grads = net._backward(live, cache, Yb, loss, alpha, np.ones(mb))
                for k, gk in grads.items():
                    g_views[k][...] = gk
                step(theta, g)
            history.append(total / len(X))
    return net._unflatten(theta, layout, copy=True), np.array(history)



PAIRS = [("mse", "identity"), ("bce", "sigmoid"), ("cross_entropy", "softmax"),
         ("mse", "softmax"), ("mse", "tanh"), ("bce", "relu"), ("cross_entropy", "sigmoid")]


@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "relu", "identity"])
@pytest.mark.parametrize("loss,output", PAIRS)
def test_train_is_bit_for_bit_the_loop_of_internals(hidden, loss, output):
    cases = itertools.product([[3, 5, 2], [3, 4, 3, 2], [3, 2]], [None, 4, 7], [0.0, 0.1],
                              ["sgd", "momentum", "adam"])
    for sizes, batch, alpha, optimizer in cases:
        X, Y = training_data(loss, sizes, seed=1)
        params = nc.init_params(sizes, seed=2)
        hist = nc.train(params, X, Y, epochs=3, lr=0.05, loss=loss, hidden=hidden,
                        output=output, batch_size=batch, alpha=alpha, optimizer=optimizer,
                        momentum=0.8)
        p_ref, l_ref = _loop_of_internals(params, X, Y, 3, 0.05, loss, hidden, output,
                                          batch or len(X), alpha, optimizer)
        case = (sizes, batch, alpha, optimizer)
        assert np.array_equal(hist.loss, l_ref), case
        for k in params:
            assert np.array_equal(hist.params[k], p_ref[k]), (case, k)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "identity"])
def test_products_with_the_derivative_in_place(name):
    rng = np.random.default_rng(0)
    a = act.FUNCTIONS[name](rng.normal(size=(6, 5)))
    a[0, :2] = 0.0                         # relu's kink
    delta = rng.normal(size=a.shape)
    expected = delta * act.DERIVATIVES_FROM_OUTPUT[name](a)
    times = act.PRODUCTS_WITH_DERIVATIVE[name]
    if times is None:                      # the identity: the product is delta itself
        assert np.array_equal(expected, delta)
        return
    scratch = np.empty(a.shape, dtype=bool if name == "relu" else np.float64)
    got = delta.copy()
    times(a, got, scratch)
    assert np.array_equal(got, expected)


def test_sigmoid_without_its_own_errstate_is_the_same_sigmoid():
    z = np.concatenate([np.linspace(-800, 40, 1001), [0.0, -709.8, 709.8]])
    with np.errstate(over="ignore"):
        quiet = act._sigmoid(z, out=np.empty_like(z), errstate=False)
    assert np.array_equal(quiet, act._sigmoid(z))
    with warnings.catch_warnings():        # and the guarded one still says nothing
        warnings.simplefilter("error")
        act._sigmoid(z)


@pytest.mark.parametrize("name", ["mse", "bce", "cross_entropy"])
def test_losses_with_a_scratch_array_give_the_same_loss(name):
    rng = np.random.default_rng(0)
    p = act._softmax(rng.normal(size=(7, 3)))
    Y = nc.one_hot(np.arange(7) % 3, 3)
    scratch = np.full(p.shape, np.nan)
    assert losses._LOSSES[name](p, Y, scratch) == losses._LOSSES[name](p, Y)


def test_train_does_not_modify_its_inputs():
    X, Y = training_data("cross_entropy", [3, 4, 3], seed=1)
    params = nc.init_params([3, 4, 3], seed=0)
    before = ({k: v.copy() for k, v in params.items()}, X.copy(), Y.copy())
    nc.train(params, X, Y, epochs=2, lr=0.1, loss="cross_entropy", output="softmax",
             hidden="relu", batch_size=5)
    assert all(np.array_equal(before[0][k], params[k]) for k in params)
    assert np.array_equal(before[1], X) and np.array_equal(before[2], Y)
