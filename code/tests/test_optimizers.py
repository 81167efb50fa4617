"""Training: the optimisers of nc.train against loops written from their
formulas with the public functions, He and Glorot initialisation checked
statistically, and the held-out loss that train records."""

import math
import warnings

import numpy as np
import pytest

import nncalc as nc

from .conftest import training_data

OPTIMIZERS = ["sgd", "momentum", "nesterov", "adam"]


def reference_training(params, X, Y, epochs, lr, loss, hidden, output, batch, alpha,
                       optimizer, mu=0.9, beta_1=0.9, beta_2=0.999, eps=1e-8):
    """The update rules as the training chapter writes them (eq-sgd-update,
    eq-momentum, eq-nesterov, eq-adam), one parameter array at a time, with
    nc.forward and nc.backward. Returns the parameters after every epoch."""
    v = {k: np.zeros_like(p) for k, p in params.items()}     # velocity / 1st moment
    s = {k: np.zeros_like(p) for k, p in params.items()}     # 2nd moment
    t = 0
    after = []
    for _ in range(epochs):
        for start in range(0, len(X), batch):
            Xb, Yb = X[start:start + batch], Y[start:start + batch]
            _, cache = nc.forward(params, Xb, hidden=hidden, output=output)
            g = nc.backward(params, cache, Yb, loss=loss, alpha=alpha)
            t += 1
            new = {}
            for k in params:
                if optimizer == "sgd":
                    new[k] = params[k] - lr * g[k]
                elif optimizer == "momentum":
                    v[k] = mu * v[k] - lr * g[k]
                    new[k] = params[k] + v[k]
                elif optimizer == "nesterov":
                    v[k] = mu * v[k] - lr * g[k]
                    new[k] = params[k] + mu * v[k] - lr * g[k]
                else:
                    v[k] = beta_1 * v[k] + (1 - beta_1) * g[k]
                    s[k] = beta_2 * s[k] + (1 - beta_2) * g[k] ** 2
                    rate = lr * math.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)
                    new[k] = params[k] - rate * v[k] / (np.sqrt(s[k]) + eps)
            params = new
        after.append(params)
    return after


CASES = [  # loss, output, layer sizes, hidden, batch, alpha
    ("mse", "identity", [3, 5, 2], "tanh", None, 0.0),
    ("mse", "identity", [3, 4, 3, 1], "relu", 4, 0.1),
    ("bce", "sigmoid", [3, 5, 1], "sigmoid", 7, 0.05),
    ("cross_entropy", "softmax", [3, 6, 4], "tanh", 5, 0.0),
    ("cross_entropy", "softmax", [3, 5, 4, 3], "relu", None, 0.2),
    ("mse", "softmax", [3, 4, 3], "sigmoid", 6, 0.0),
]



@pytest.mark.parametrize("optimizer", OPTIMIZERS)
@pytest.mark.parametrize("loss,output,sizes,hidden,batch,alpha", CASES)
def test_train_follows_the_update_rule(optimizer, loss, output, sizes, hidden, batch, alpha):
    X, Y = training_data(loss, sizes)
    params = nc.init_params(sizes, seed=2)
    lr = 0.01 if optimizer == "adam" else 0.2
    seen = []
    hist = nc.train(params, X, Y, epochs=6, lr=lr, loss=loss, hidden=hidden, output=output,
                    batch_size=batch, alpha=alpha, optimizer=optimizer, momentum=0.8,
                    callback=lambda e, p, _: seen.append(p))
    expected = reference_training(params, X, Y, 6, lr, loss, hidden, output, batch or len(X),
                                  alpha, optimizer, mu=0.8)
    for e in range(6):
        assert nc.relative_error(seen[e], expected[e]) < 1e-12, e
    assert nc.relative_error(hist.params, expected[-1]) < 1e-12
    assert nc.max_abs_difference(hist.params, params) > 1e-3         # it did move


def test_optimisers_differ_and_their_constants_matter():
    X, Y = training_data("mse", [3, 5, 1])
    params = nc.init_params([3, 5, 1], seed=0)
    runs = {opt: nc.train(params, X, Y, 5, 0.05, batch_size=6, optimizer=opt).params
            for opt in OPTIMIZERS}
    for a in OPTIMIZERS:
        for b in OPTIMIZERS:
            if a < b:
                assert nc.max_abs_difference(runs[a], runs[b]) > 1e-4, (a, b)
    zero = nc.train(params, X, Y, 5, 0.05, batch_size=6, optimizer="momentum", momentum=0.0)
    assert nc.max_abs_difference(zero.params, runs["sgd"]) < 1e-15      # mu = 0 is sgd
    for kwargs in ({"beta_1": 0.5}, {"beta_2": 0.9}, {"epsilon": 1e-2}):
        other = nc.train(params, X, Y, 5, 0.05, batch_size=6, optimizer="adam", **kwargs)
        assert nc.max_abs_difference(other.params, runs["adam"]) > 1e-6, kwargs
    # the optimisers' constants are ignored by the optimisers that do not use them
    same = nc.train(params, X, Y, 5, 0.05, batch_size=6, momentum=0.3, beta_1=0.1)
    assert nc.max_abs_difference(same.params, runs["sgd"]) == 0.0


def test_optimiser_state_starts_afresh_in_every_call():
    X, Y = training_data("mse", [3, 4, 1])
    params = nc.init_params([3, 4, 1], seed=1)
    first = nc.train(params, X, Y, 4, 0.01, batch_size=5, optimizer="adam")
    second = nc.train(params, X, Y, 4, 0.01, batch_size=5, optimizer="adam")
    assert nc.max_abs_difference(first.params, second.params) == 0.0
    # two calls of 2 epochs are not one call of 4: the moments restart at 0
    half = nc.train(params, X, Y, 2, 0.01, batch_size=5, optimizer="adam")
    rest = nc.train(half.params, X, Y, 2, 0.01, batch_size=5, optimizer="adam")
    assert nc.max_abs_difference(rest.params, first.params) > 1e-6


def test_adam_first_step_is_lr_times_the_sign_of_the_gradient():
    """At t = 1, m = (1 - b1) g and v = (1 - b2) g^2, so the step is
    eta sqrt(1 - b2)/(1 - b1) * (1 - b1) g / (sqrt(1 - b2) |g| + eps) ~ eta sign(g)."""
    X, Y = training_data("mse", [3, 4, 1])
    params = nc.init_params([3, 4, 1], seed=1)
    params["b1"] = np.array([0.1, -0.2, 0.3, 0.0])
    lr = 1e-3
    g = nc.backward(params, nc.forward(params, X)[1], Y)
    one = nc.train(params, X, Y, 1, lr, optimizer="adam", epsilon=1e-12)
    for k in params:
        step = one.params[k] - params[k]
        np.testing.assert_allclose(step, -lr * np.sign(g[k]), rtol=1e-7, atol=1e-15)


# -- initialisation -----------------------------------------------------------------

def test_he_weights_have_variance_two_over_fan_in():
    """eq-he-variance, checked statistically: N(0, 2/n_in) entries.

    For N independent normal draws the sample variance has a relative
    standard error of sqrt(2/(N - 1)); we allow 5 of them. The fourth moment
    tells a normal (kurtosis 3) from a uniform (1.8) of the same variance."""
    sizes = [300, 500, 200]
    p = nc.init_params(sizes, seed=0, init="he")
    for l, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        W = p[f"W{l}"]
        assert W.shape == (fan_out, fan_in)
        N = W.size
        variance = W.var()
        assert abs(variance / (2 / fan_in) - 1) < 5 * math.sqrt(2 / (N - 1)), l
        assert abs(W.mean()) < 5 * math.sqrt(2 / fan_in / N)
        kurtosis = np.mean((W - W.mean()) ** 4) / variance ** 2
        assert abs(kurtosis - 3) < 0.1
        np.testing.assert_array_equal(p[f"b{l}"], 0.0)
    # the variance follows the fan-in, not the fan-out
    q = nc.init_params([50, 2000], seed=1, init="he")["W1"]
    assert abs(q.var() / (2 / 50) - 1) < 5 * math.sqrt(2 / (q.size - 1))


def test_glorot_is_the_default_and_unchanged():
    sizes = [200, 300, 100]
    p = nc.init_params(sizes, seed=3)
    q = nc.init_params(sizes, seed=3, init="glorot")
    rng = np.random.default_rng(3)                       # what earlier versions drew
    for l, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        r = math.sqrt(6 / (fan_in + fan_out))
        expected = rng.uniform(-r, r, size=(fan_out, fan_in))
        np.testing.assert_array_equal(p[f"W{l}"], expected)
        np.testing.assert_array_equal(q[f"W{l}"], expected)
        W = p[f"W{l}"]
        assert np.abs(W).max() <= r
        assert abs(W.var() / (2 / (fan_in + fan_out)) - 1) < 5 * math.sqrt(0.8 / W.size)
        kurtosis = np.mean((W - W.mean()) ** 4) / W.var() ** 2
        assert abs(kurtosis - 1.8) < 0.05                  # uniform, not normal


def test_he_is_seeded():
    a = nc.init_params([4, 3, 2], seed=7, init="he")
    b = nc.init_params([4, 3, 2], seed=7, init="he")
    c = nc.init_params([4, 3, 2], seed=8, init="he")
    assert nc.max_abs_difference(a, b) == 0.0 and nc.max_abs_difference(a, c) > 0


# -- held-out data --------------------------------------------------------------------

def test_validation_loss_is_measured_at_the_end_of_every_epoch():
    X, labels = nc.datasets.spiral(m=90, seed=0)
    Xv, labels_v = nc.datasets.spiral(m=60, seed=1)
    Y, Yv = nc.one_hot(labels, 3), nc.one_hot(labels_v, 3)
    params = nc.init_params([2, 8, 3], seed=0)
    kwargs = dict(epochs=12, lr=0.05, loss="cross_entropy", hidden="tanh", output="softmax",
                  batch_size=16, alpha=0.5, optimizer="adam")
    seen = []
    hist = nc.train(params, X, Y, validation=(Xv, Yv),
                    callback=lambda e, p, _: seen.append(p), **kwargs)
    assert hist.val_loss.shape == hist.loss.shape == (12,)
    for e in range(12):   # the data loss (no L2 penalty) of the end-of-epoch parameters
        P, _ = nc.forward(seen[e], Xv, hidden="tanh", output="softmax")
        assert hist.val_loss[e] == pytest.approx(nc.cross_entropy(P, Yv), rel=1e-13)
    assert hist.best_epoch == int(np.argmin(hist.val_loss))
    assert nc.max_abs_difference(hist.best_params, seen[hist.best_epoch]) == 0.0
    assert "best epoch" in repr(hist)
    # the held-out data are never trained on: same trajectory without them
    plain = nc.train(params, X, Y, **kwargs)
    assert nc.max_abs_difference(plain.params, hist.params) == 0.0
    np.testing.assert_array_equal(plain.loss, hist.loss)
    assert plain.val_loss is None and plain.best_epoch is None and plain.best_params is None


def test_validation_on_the_training_set_is_one_update_after_the_full_batch_loss():
    """Full batch, no penalty: val_loss[e] (after epoch e's update) is loss[e + 1]
    (the loss before epoch e + 1's update)."""
    X, Y = nc.datasets.sine(m=30, seed=0)
    hist = nc.train(nc.init_params([1, 6, 1], seed=0), X, Y, 10, 0.2, validation=(X, Y),
                    optimizer="nesterov")
    np.testing.assert_allclose(hist.val_loss[:-1], hist.loss[1:], rtol=1e-13)


def test_best_epoch_is_where_held_out_loss_turns_up():
    """Fit 8 noisy points with a wide network for long: the held-out loss
    falls, then rises (over-fitting); best_params are the turning point's."""
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (8, 1))
    Y = np.sin(3 * X) + 0.3 * rng.normal(size=X.shape)
    Xv = np.linspace(-1, 1, 50).reshape(-1, 1)
    Yv = np.sin(3 * Xv)
    hist = nc.train(nc.init_params([1, 40, 1], seed=0), X, Y, 3000, 0.01, hidden="tanh",
                    optimizer="adam", validation=(Xv, Yv))
    assert 0 < hist.best_epoch < 2999
    assert hist.val_loss[-1] > 1.5 * hist.val_loss[hist.best_epoch]
    assert hist.loss[-1] < hist.loss[hist.best_epoch]           # training loss kept falling


def test_divergence_with_validation_data_ends_with_nan():
    X, Y = nc.datasets.sine(m=50, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        hist = nc.train(nc.init_params([1, 8, 1], seed=0), X, 50 * Y, epochs=500, lr=5.0,
                        hidden="relu", validation=(X, 50 * Y))
    assert hist.diverged and len(hist.val_loss) == len(hist.loss) < 500
    # NaN for the epoch that diverged; before it the held-out loss may already
    # have overflowed (the parameters were still finite numbers)
    assert np.isnan(hist.val_loss[-1]) and not np.any(np.isnan(hist.val_loss[:-1]))
    if hist.best_epoch is not None:
        assert hist.best_epoch == int(np.nanargmin(hist.val_loss))
