"""The scikit-learn bridge: nncalc.train and scikit-learn's MLPRegressor /
MLPClassifier, configured as the same model and started from the same
parameters, follow the same trajectory to 1e-10, for several
architectures, hidden activations, the three losses (the multi-class
softmax classifier included), every optimiser, full and mini-batches,
with and without L2 regularisation. Plus the parameter mapping and the
validation of the bridge's arguments."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor

import nncalc as nc
from nncalc import sklearn_bridge as skb

TOL = 1e-10
M = 24
EPOCHS = 30


def _data(sizes, loss, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(M, sizes[0]))
    if loss == "mse":
        Y = np.sin(X @ rng.normal(size=(sizes[0], sizes[-1])))
    elif loss == "cross_entropy":     # K classes, the label of the largest score
        labels = np.argmax(X @ rng.normal(size=(sizes[0], sizes[-1])), axis=1)
        labels[:sizes[-1]] = np.arange(sizes[-1])     # every class occurs
        Y = nc.one_hot(labels, sizes[-1])
    else:
        Y = (X @ rng.normal(size=(sizes[0], sizes[-1])) > 0).astype(float)
        Y[0], Y[1] = 0.0, 1.0          # both labels in every column
    return X, Y


def _reported_loss_reference(params, X, Y, epochs, lr, loss, hidden, batch, alpha):
    """Independent reference: the public functions, and scikit-learn's
    definition of the reported loss (squared error averaged over the outputs
    too, the L2 penalty not)."""
    m, k = Y.shape
    output = OUTPUT[loss]
    trajectory, curve = [], []
    for _ in range(epochs):
        total = 0.0
        for s in range(0, m, batch):
            Xb, Yb = X[s:s + batch], Y[s:s + batch]
            y_hat, cache = nc.forward(params, Xb, hidden=hidden, output=output)
            data = nc.mse(y_hat, Yb) / k if loss == "mse" else nc.loss_value(loss, y_hat, Yb)
            total += (data + nc.l2_penalty(params, alpha, len(Xb))) * len(Xb)
            params = nc.sgd_step(params, nc.backward(params, cache, Yb, loss, alpha), lr)
        curve.append(total / m)
        trajectory.append(params)
    return trajectory, np.array(curve)


OUTPUT = {"mse": "identity", "bce": "sigmoid", "cross_entropy": "softmax"}
ARCHITECTURES = {
    "mse": [[2, 2, 1], [3, 5, 4, 2], [4, 6, 5, 3, 1]],
    "bce": [[2, 2, 1], [3, 5, 4, 3], [4, 6, 5, 3, 1]],  # [3, 5, 4, 3]: three labels
    "cross_entropy": [[2, 3, 3], [3, 5, 4, 4], [4, 6, 5, 3, 5]],   # softmax, K = 3, 4, 5
}
CASES = [
    (loss, sizes, hidden, batch, alpha)
    for loss in ("mse", "bce", "cross_entropy")
    for sizes in ARCHITECTURES[loss]
    for hidden in ("sigmoid", "tanh", "relu")
    for batch in (None, 5)
    for alpha in (0.0, 0.05)
]


@pytest.mark.parametrize("loss,sizes,hidden,batch,alpha", CASES)
def test_sklearn_reproduces_nncalc_trajectory(loss, sizes, hidden, batch, alpha):
    X, Y = _data(sizes, loss, seed=len(sizes))
    params = nc.init_params(sizes, seed=1)
    lr = 0.3
    output = OUTPUT[loss]

    ours, theirs = [], []
    hist = nc.train(params, X, Y, EPOCHS, lr, loss=loss, hidden=hidden, output=output,
                    batch_size=batch, alpha=alpha, callback=lambda e, p, _: ours.append(p))
    sk = skb.train_sklearn(params, X, Y, EPOCHS, lr, loss=loss, hidden=hidden,
                           batch_size=batch, alpha=alpha,
                           callback=lambda e, p, _: theirs.append(p))
    assert len(ours) == len(theirs) == EPOCHS
    for e in range(EPOCHS):  # the parameters after every epoch
        assert nc.max_abs_difference(ours[e], theirs[e]) < TOL, e
    assert nc.max_abs_difference(hist.params, sk.params) < TOL

    # the loss curves: scikit-learn's loss_curve_ is nncalc's History.loss,
    # except that its squared error is averaged over the outputs as well
    ref_params, ref_curve = _reported_loss_reference(
        params, X, Y, EPOCHS, lr, loss, hidden, batch or M, alpha)
    np.testing.assert_allclose(sk.loss, ref_curve, rtol=TOL, atol=0)
    if loss != "mse" or sizes[-1] == 1:
        np.testing.assert_allclose(hist.loss, sk.loss, rtol=TOL, atol=0)
    assert nc.max_abs_difference(ref_params[-1], sk.params) < TOL


OPTIMIZER_CASES = [
    (optimizer, loss, sizes, hidden, batch, alpha)
    for optimizer in ("momentum", "nesterov", "adam")
    for loss, sizes in (("mse", [3, 5, 2]), ("bce", [3, 4, 1]), ("cross_entropy", [3, 6, 4]),
                        ("cross_entropy", [4, 5, 4, 3]))
    for hidden, batch, alpha in (("tanh", 5, 0.05), ("relu", None, 0.0), ("sigmoid", 7, 0.1))
]


@pytest.mark.parametrize("optimizer,loss,sizes,hidden,batch,alpha", OPTIMIZER_CASES)
def test_sklearn_reproduces_every_optimiser(optimizer, loss, sizes, hidden, batch, alpha):
    """solver="sgd" with classical or Nesterov momentum, and solver="adam":
    scikit-learn's velocities and moments are nncalc's, update for update."""
    X, Y = _data(sizes, loss, seed=len(sizes))
    params = nc.init_params(sizes, seed=3)
    lr = 0.01 if optimizer == "adam" else 0.1
    settings = dict(loss=loss, hidden=hidden, batch_size=batch, alpha=alpha,
                    optimizer=optimizer, momentum=0.85, beta_1=0.8, beta_2=0.99, epsilon=1e-7)
    ours, theirs = [], []
    hist = nc.train(params, X, Y, EPOCHS, lr, output=OUTPUT[loss],
                    callback=lambda e, p, _: ours.append(p), **settings)
    sk = skb.train_sklearn(params, X, Y, EPOCHS, lr,
                           callback=lambda e, p, _: theirs.append(p), **settings)
    for e in range(EPOCHS):
        assert nc.max_abs_difference(ours[e], theirs[e]) < TOL, e
    if loss != "mse" or sizes[-1] == 1:
        np.testing.assert_allclose(hist.loss, sk.loss, rtol=TOL, atol=0)
    # one fit call is the same run as the partial_fit loop
    fitted = skb.train_sklearn(params, X, Y, EPOCHS, lr, **settings)
    assert nc.max_abs_difference(fitted.params, sk.params) == 0.0
    assert nc.max_abs_difference(hist.params, params) > 1e-3          # it did move


def test_multiclass_model_is_scikit_learns_softmax_classifier():
    sizes = [3, 5, 4]
    X, Y = _data(sizes, "cross_entropy")
    labels = Y.argmax(axis=1)
    params = nc.init_params(sizes, seed=0)
    model = skb.matching_mlp_classifier((5,), lr=0.1, epochs=3, batch_size=8, hidden="tanh")
    y = skb.sklearn_targets(model, Y, loss="cross_entropy")
    np.testing.assert_array_equal(y, labels)
    np.testing.assert_array_equal(nc.one_hot(y, 4), Y)          # and back
    skb.set_sklearn_params(model, params, X, y)
    assert model.out_activation_ == "softmax" and model.n_outputs_ == 4
    np.testing.assert_array_equal(model.classes_, np.arange(4))
    P, _ = nc.forward(params, X, hidden="tanh", output="softmax")
    np.testing.assert_allclose(model.predict_proba(X), P, rtol=1e-13, atol=1e-15)
    np.testing.assert_array_equal(model.predict(X), P.argmax(axis=1))
    # labels of a batch that lacks classes: the model still has all K outputs
    fresh = skb.matching_mlp_classifier((5,), lr=0.1, epochs=3, batch_size=8, hidden="tanh")
    skb.set_sklearn_params(fresh, params, X[:6], labels[:6] % 3)
    assert fresh.n_outputs_ == 4 and fresh.out_activation_ == "softmax"


@pytest.mark.parametrize("loss", ["mse", "bce"])
def test_one_fit_equals_partial_fit_per_epoch(loss):
    """train_sklearn without a callback runs one fit; with one, one
    partial_fit per epoch: the same arithmetic, bit for bit."""
    sizes = [3, 4, 1]
    X, Y = _data(sizes, loss)
    params = nc.init_params(sizes, seed=2)
    a = skb.train_sklearn(params, X, Y, 15, 0.2, loss=loss, batch_size=7, alpha=0.01)
    b = skb.train_sklearn(params, X, Y, 15, 0.2, loss=loss, batch_size=7, alpha=0.01,
                          callback=lambda *args: None)
    for k in params:
        np.testing.assert_array_equal(a.params[k], b.params[k])
    np.testing.assert_array_equal(a.loss, b.loss)


def test_multi_output_loss_is_averaged_over_outputs_but_gradient_is_not():
    sizes, k = [3, 4, 3], 3
    X, Y = _data(sizes, "mse")
    params = nc.init_params(sizes, seed=3)
    hist = nc.train(params, X, Y, 5, 0.1)
    sk = skb.train_sklearn(params, X, Y, 5, 0.1)
    np.testing.assert_allclose(hist.loss, k * sk.loss, rtol=1e-12)
    assert nc.max_abs_difference(hist.params, sk.params) < TOL
    # one epoch of scikit-learn steps along the gradient of nncalc's mse
    # (summed over the outputs), k times the gradient of the loss it reports
    lr = 0.1
    one = skb.train_sklearn(params, X, Y, 1, lr)
    implied = {key: (params[key] - one.params[key]) / lr for key in params}
    grads = nc.backward(params, nc.forward(params, X)[1], Y)
    assert nc.max_abs_difference(implied, grads) < 1e-12
    reported = nc.numerical_gradient(lambda p: nc.mse(nc.forward(p, X)[0], Y) / k, params)
    assert nc.max_abs_difference(implied, {key: k * g for key, g in reported.items()}) < 1e-8


# -- the parameter mapping ----------------------------------------------------------

def test_to_and_from_sklearn_coefs():
    params = nc.init_params([3, 4, 2], seed=0)
    params["b1"] = np.arange(4.0)
    coefs, intercepts = skb.to_sklearn_coefs(params)
    assert [c.shape for c in coefs] == [(3, 4), (4, 2)]
    assert [i.shape for i in intercepts] == [(4,), (2,)]
    np.testing.assert_array_equal(coefs[0], params["W1"].T)
    np.testing.assert_array_equal(intercepts[0], params["b1"])
    assert all(c.flags.c_contiguous for c in coefs)
    coefs[0][0, 0] = 99.0                     # copies: the caller's arrays are safe
    assert params["W1"][0, 0] != 99.0
    back = skb.from_sklearn_coefs(*skb.to_sklearn_coefs(params))
    assert set(back) == set(params)
    for key in params:
        np.testing.assert_array_equal(back[key], params[key])


def test_from_sklearn_predicts_like_nncalc_forward():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 3))
    y = np.sin(X[:, 0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg = MLPRegressor(hidden_layer_sizes=(5, 4), activation="tanh", max_iter=20,
                           random_state=0).fit(X, y)
        clf = MLPClassifier(hidden_layer_sizes=(6,), activation="logistic", max_iter=20,
                            random_state=0).fit(X, y > 0)
    p = skb.from_sklearn(reg)
    assert nc.n_layers(p) == 3 and p["W1"].shape == (5, 3)
    y_nc = nc.forward(p, X, hidden="tanh", output="identity")[0]
    np.testing.assert_allclose(y_nc.ravel(), reg.predict(X), rtol=1e-13, atol=1e-14)
    q = skb.from_sklearn(clf)
    prob = nc.forward(q, X, hidden="sigmoid", output="sigmoid")[0]
    np.testing.assert_allclose(prob.ravel(), clf.predict_proba(X)[:, 1], rtol=1e-13,
                               atol=1e-14)


def test_matching_models_settings():
    reg = skb.matching_mlp_regressor((4, 3), lr=0.2, epochs=30, batch_size=8, hidden="sigmoid",
                                     alpha=0.1)
    clf = skb.matching_mlp_classifier([2], lr=0.5, epochs=10, batch_size=4, hidden="relu")
    assert isinstance(reg, MLPRegressor) and isinstance(clf, MLPClassifier)
    got = reg.get_params()
    expected = dict(hidden_layer_sizes=(4, 3), activation="logistic", solver="sgd", alpha=0.1,
                    batch_size=8, learning_rate="constant", learning_rate_init=0.2,
                    max_iter=30, shuffle=False, momentum=0.0, nesterovs_momentum=False,
                    early_stopping=False, tol=0.0, n_iter_no_change=np.inf,
                    loss="squared_error")
    for key, value in expected.items():
        assert got[key] == value, key
    assert clf.get_params()["activation"] == "relu"
    assert clf.get_params()["hidden_layer_sizes"] == (2,)
    assert skb.SKLEARN_ACTIVATION["sigmoid"] == "logistic"


def test_set_sklearn_params_starts_fit_from_the_given_parameters():
    sizes = [2, 3, 1]
    X, Y = _data(sizes, "mse")
    params = nc.init_params(sizes, seed=5)
    model = skb.matching_mlp_regressor((3,), lr=0.1, epochs=1, batch_size=M)
    assert skb.set_sklearn_params(model, params, X, Y) is model
    assert model.warm_start
    assert nc.max_abs_difference(skb.from_sklearn(model), params) == 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # no DataConversionWarning for y
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, Y.ravel())
    # one epoch of fit is one step of gradient descent from params
    y_hat, cache = nc.forward(params, X)
    step = nc.sgd_step(params, nc.backward(params, cache, Y), lr=0.1)
    assert nc.max_abs_difference(skb.from_sklearn(model), step) < 1e-14
    assert model.n_iter_ == 1         # loss_curve_ holds this run only
    assert model.loss_curve_ == pytest.approx([nc.mse(y_hat, Y)], rel=1e-14)
    # the model's arrays are its own: training it did not touch params
    assert nc.max_abs_difference(params, nc.init_params(sizes, seed=5)) == 0.0
    # a fitted model is re-started without data
    skb.set_sklearn_params(model, params)
    assert nc.max_abs_difference(skb.from_sklearn(model), params) == 0.0


# -- a clean start: no state from the set-up epoch -------------------------------------

def _glorot_init(model, sizes, seed):
    """scikit-learn's initial weights, drawn independently: Glorot uniform on
    +-sqrt(factor / (fan_in + fan_out)), factor 2 for "logistic" and 6
    otherwise, biases from the same interval, layer by layer from one
    RandomState (weights, then biases). Returns the parameters and the
    generator, advanced past these draws as scikit-learn's would be."""
    rs = np.random.RandomState(seed)
    factor = 2.0 if model.activation == "logistic" else 6.0
    coefs, intercepts = [], []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = np.sqrt(factor / (fan_in + fan_out))
        coefs.append(rs.uniform(-bound, bound, (fan_in, fan_out)))
        intercepts.append(rs.uniform(-bound, bound, fan_out))
    return skb.from_sklearn_coefs(coefs, intercepts), rs


FRESH_FIT_CASES = {
    "sgd, constant": dict(),
    "sgd, Nesterov momentum": dict(momentum=0.9, nesterovs_momentum=True),
    "sgd, classical momentum": dict(momentum=0.8, nesterovs_momentum=False),
    "sgd, invscaling": dict(learning_rate="invscaling", power_t=0.5, lr=0.5),
    "sgd, adaptive, tol stop": dict(learning_rate="adaptive", tol=1e-2, n_iter_no_change=2,
                                    momentum=0.9),
    "sgd, tol stop": dict(tol=1e-2, n_iter_no_change=3),
    "sgd, shuffled mini-batches": dict(shuffle=True, batch_size=8, momentum=0.5),
    "sgd, early stopping": dict(early_stopping=True, tol=1e-2, n_iter_no_change=3,
                                batch_size=30),
    "adam": dict(solver="adam", lr=0.01),
    "adam, shuffled, early stopping": dict(solver="adam", lr=0.01, shuffle=True,
                                           batch_size=10, early_stopping=True),
}
#: the cases whose stopping rule ends the fresh fit before max_iter epochs
STOPPING = ("sgd, adaptive, tol stop", "sgd, tol stop", "sgd, early stopping")


@pytest.mark.parametrize("loss", ["mse", "bce"])
@pytest.mark.parametrize("case", list(FRESH_FIT_CASES))
def test_fit_from_sklearns_own_initial_weights_is_a_fresh_fit(case, loss):
    """set_sklearn_params + fit from the weights scikit-learn would draw itself
    is scikit-learn's own first fit, attribute for attribute: so nothing of
    the set-up epoch (optimizer state, t_, best_loss_, counters) survives,
    for every solver, momentum, schedule, stopping rule and early stopping."""
    settings = dict(FRESH_FIT_CASES[case])
    lr = settings.pop("lr", 0.2)
    sizes = [3, 5, 4, 1] if loss == "mse" else [3, 5, 2]
    rng = np.random.default_rng(7)
    X = rng.normal(size=(60, 3))
    if loss == "mse":
        y = np.sin(X @ rng.normal(size=3))
    else:
        Y = (X @ rng.normal(size=(3, 2)) > 0).astype(float)     # two labels
        Y[0], Y[1] = 0.0, 1.0
        y = Y
    make = skb.matching_mlp_regressor if loss == "mse" else skb.matching_mlp_classifier
    kwargs = dict(lr=lr, epochs=60, batch_size=60, hidden="tanh")

    fresh = make(tuple(sizes[1:-1]), **kwargs).set_params(random_state=3, **settings)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fresh.fit(X, y)

    warm = make(tuple(sizes[1:-1]), **kwargs).set_params(**settings)
    params, rs = _glorot_init(warm, sizes, seed=3)
    warm.set_params(random_state=rs)        # the stream after the initial weights
    skb.set_sklearn_params(warm, params, X, y)
    assert warm.get_params()["random_state"] is rs
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warm.fit(X, y)

    assert nc.max_abs_difference(skb.from_sklearn(warm), skb.from_sklearn(fresh)) == 0.0
    assert warm.loss_curve_ == fresh.loss_curve_
    for name in ("n_iter_", "t_", "best_loss_", "_no_improvement_count",
                 "validation_scores_", "best_validation_score_"):
        assert getattr(warm, name) == getattr(fresh, name), name
    assert warm._optimizer.learning_rate == fresh._optimizer.learning_rate
    if case in STOPPING:                   # the stopping rule did act
        assert fresh.n_iter_ < 60
    if "adaptive" in case:                 # and the schedule divided eta by 5
        assert fresh._optimizer.learning_rate < lr / 5
    if "early stopping" in case:
        assert len(fresh.validation_scores_) == fresh.n_iter_


def test_set_sklearn_params_resets_the_training_state():
    sizes = [2, 3, 1]
    X, Y = _data(sizes, "mse")
    y = Y.ravel()
    model = skb.matching_mlp_regressor((3,), lr=0.1, epochs=5, batch_size=M)
    model.set_params(solver="adam", random_state=None)
    np.random.seed(11)
    expected_draw = np.random.rand()
    np.random.seed(11)
    skb.set_sklearn_params(model, nc.init_params(sizes, seed=0), X, y)
    assert np.random.rand() == expected_draw     # the global stream is untouched
    assert model.get_params()["random_state"] is None
    assert not hasattr(model, "_optimizer") and not hasattr(model, "loss_")
    assert (model.n_iter_, model.t_, model.loss_curve_, model._no_improvement_count) == (
        0, 0, [], 0)
    assert model.best_loss_ == np.inf and model.validation_scores_ is None
    # after training, a second call resets it again
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    assert model.t_ == 5 * M and len(model.loss_curve_) == 5
    skb.set_sklearn_params(model.set_params(early_stopping=True), nc.init_params(sizes))
    assert not hasattr(model, "_optimizer")
    assert (model.t_, model.n_iter_, model.loss_curve_) == (0, 0, [])
    assert model.validation_scores_ == [] and model.best_validation_score_ == -np.inf
    assert model.best_loss_ is None


def _hand_loop(params, X, Y, epochs, batch, step):
    """Mini-batch loop over consecutive rows with nncalc's gradients;
    step(theta, grads) returns the new parameters."""
    for _ in range(epochs):
        for s in range(0, len(X), batch):
            _, cache = nc.forward(params, X[s:s + batch])
            params = step(params, nc.backward(params, cache, Y[s:s + batch]))
    return params


def _partial_fit_loop(model, params, X, y, epochs):
    skb.set_sklearn_params(model, params, X, y)
    for _ in range(epochs):
        model.partial_fit(X, y)
    return skb.from_sklearn(model)


def _one_fit(model, params, X, y):
    skb.set_sklearn_params(model, params, X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    return skb.from_sklearn(model)


@pytest.mark.parametrize("nesterov", [True, False])
def test_momentum_partial_fit_loop_equals_fit_equals_hand_loop(nesterov):
    """eq-sklearn-momentum, both branches, with mini-batches: velocities start at
    0 for fit and for a loop of partial_fit calls alike."""
    sizes, mu, lr, epochs, batch = [2, 4, 1], 0.9, 0.1, 6, 7
    X, Y = _data(sizes, "mse")
    params = nc.init_params(sizes, seed=4)
    velocity = {k: np.zeros_like(v) for k, v in params.items()}

    def step(theta, g):
        new = {}
        for k in theta:
            velocity[k] = mu * velocity[k] - lr * g[k]
            new[k] = theta[k] + (mu * velocity[k] - lr * g[k] if nesterov else velocity[k])
        return new

    by_hand = _hand_loop(params, X, Y, epochs, batch, step)

    def make():
        model = skb.matching_mlp_regressor((4,), lr=lr, epochs=epochs, batch_size=batch)
        return model.set_params(momentum=mu, nesterovs_momentum=nesterov)

    looped = _partial_fit_loop(make(), params, X, Y.ravel(), epochs)
    fitted = _one_fit(make(), params, X, Y.ravel())
    assert nc.max_abs_difference(fitted, by_hand) < 1e-13
    assert nc.max_abs_difference(looped, fitted) == 0.0
    # and the velocity matters: plain gradient descent lands elsewhere
    plain = _hand_loop(params, X, Y, epochs, batch, lambda t, g: nc.sgd_step(t, g, lr))
    assert nc.max_abs_difference(plain, by_hand) > 1e-3


def test_adam_partial_fit_loop_equals_fit_equals_hand_loop():
    sizes, lr, epochs, batch = [2, 4, 1], 0.05, 6, 7
    b1, b2, eps = 0.9, 0.999, 1e-8                    # scikit-learn's defaults
    X, Y = _data(sizes, "mse")
    params = nc.init_params(sizes, seed=4)
    state = {"t": 0, "m": {k: 0.0 for k in params}, "v": {k: 0.0 for k in params}}

    def step(theta, g):                               # Kingma and Ba, algorithm 1
        state["t"] += 1
        t = state["t"]
        rate = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        new = {}
        for k in theta:
            state["m"][k] = b1 * state["m"][k] + (1 - b1) * g[k]
            state["v"][k] = b2 * state["v"][k] + (1 - b2) * g[k] ** 2
            new[k] = theta[k] - rate * state["m"][k] / (np.sqrt(state["v"][k]) + eps)
        return new

    by_hand = _hand_loop(params, X, Y, epochs, batch, step)

    def make():
        model = skb.matching_mlp_regressor((4,), lr=lr, epochs=epochs, batch_size=batch)
        return model.set_params(solver="adam")

    looped = _partial_fit_loop(make(), params, X, Y.ravel(), epochs)
    fitted = _one_fit(make(), params, X, Y.ravel())
    assert nc.max_abs_difference(fitted, by_hand) < 1e-13
    assert nc.max_abs_difference(looped, fitted) == 0.0


def test_invscaling_schedule_starts_at_learning_rate_init():
    """eta after e epochs is lr / (t + 1)^power_t with t = e * m examples seen:
    t starts at 0, not at the m examples of the set-up epoch."""
    sizes, lr, epochs, power_t = [2, 4, 1], 0.5, 6, 0.5
    X, Y = _data(sizes, "mse")
    params = nc.init_params(sizes, seed=4)
    for e in range(epochs):
        eta = lr / (e * M + 1) ** power_t if e else lr
        _, cache = nc.forward(params, X)
        params_next = nc.sgd_step(params, nc.backward(params, cache, Y), eta)
        params = params_next
    by_hand = params

    def make():
        model = skb.matching_mlp_regressor((4,), lr=lr, epochs=epochs, batch_size=M)
        return model.set_params(learning_rate="invscaling", power_t=power_t)

    start = nc.init_params(sizes, seed=4)
    fitted = _one_fit(make(), start, X, Y.ravel())
    looped = _partial_fit_loop(make(), start, X, Y.ravel(), epochs)
    assert nc.max_abs_difference(fitted, by_hand) < 1e-14
    assert nc.max_abs_difference(looped, fitted) == 0.0


# -- validation ---------------------------------------------------------------------

def test_bridge_rejects_bad_arguments():
    params = nc.init_params([2, 3, 1], seed=0)
    X, Y = _data([2, 3, 1], "mse")
    reg = skb.matching_mlp_regressor((3,), lr=0.1, epochs=1, batch_size=M)
    with pytest.raises(TypeError, match="model"):
        skb.set_sklearn_params("not a model", params, X, Y)
    with pytest.raises(ValueError, match=r"hidden layers of sizes \[4\]"):
        skb.set_sklearn_params(skb.matching_mlp_regressor((4,), lr=0.1, epochs=1,
                                                          batch_size=M), params, X, Y)
    with pytest.raises(ValueError, match="X: expected X and Y"):
        skb.set_sklearn_params(reg, params)
    with pytest.raises(ValueError, match="Y = None"):
        skb.set_sklearn_params(reg, params, X)
    with pytest.raises(ValueError, match="solver"):
        skb.set_sklearn_params(MLPRegressor(hidden_layer_sizes=(3,), solver="lbfgs"),
                               params, X, Y)
    skb.set_sklearn_params(reg, params, X, Y)
    with pytest.raises(ValueError, match=r"layer sizes \[2, 3, 1\]"):
        skb.set_sklearn_params(reg, nc.init_params([3, 3, 1]))
    with pytest.raises(ValueError, match="Y: expected labels 0 or 1"):
        skb.train_sklearn(params, X, Y, 2, 0.1, loss="bce")
    with pytest.raises(ValueError, match="lr"):
        skb.matching_mlp_regressor((3,), lr=0.0, epochs=1, batch_size=1)
    with pytest.raises(ValueError, match="batch_size"):
        skb.matching_mlp_classifier((3,), lr=0.1, epochs=1, batch_size=0)
    with pytest.raises(ValueError, match="hidden"):
        skb.matching_mlp_regressor((3,), lr=0.1, epochs=1, batch_size=1, hidden="softmax")
    with pytest.raises(TypeError, match="hidden_layer_sizes"):
        skb.matching_mlp_regressor("3", lr=0.1, epochs=1, batch_size=1)
    with pytest.raises(ValueError, match="fitted"):
        skb.from_sklearn(MLPRegressor())
    with pytest.raises(ValueError, match="intercepts"):
        skb.from_sklearn_coefs([np.ones((2, 3))], [])
    with pytest.raises(ValueError, match=r"coefs\[1\]: expected 3 rows"):
        skb.from_sklearn_coefs([np.ones((2, 3)), np.ones((4, 1))], [np.ones(3), np.ones(1)])
    with pytest.raises(ValueError, match=r"intercepts\[0\]: expected shape \(3,\)"):
        skb.from_sklearn_coefs([np.ones((2, 3))], [np.ones(2)])
    with pytest.raises(TypeError, match="coefs"):
        skb.from_sklearn_coefs(np.ones((2, 3)), [np.ones(3)])
    with pytest.raises(TypeError, match="callback"):
        skb.train_sklearn(params, X, Y, 2, 0.1, callback=3)


# -- the hot path that the benchmark times (code/scripts/bench.py) --------------------

def test_fast_sigmoid_matches_scipy_expit_and_works_in_place():
    from scipy.special import expit

    from nncalc.activations import _sigmoid

    z = np.linspace(-708, 708, 20001)
    rel = np.abs(_sigmoid(z) - expit(z)) / expit(z)
    assert rel.max() < 4 * np.finfo(float).eps
    far = np.array([-1e300, -1e4, -745.0, -720.0, 710.0, 1e4, 1e300])
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # the expected overflow is silent
        np.testing.assert_allclose(_sigmoid(far), expit(far), rtol=0, atol=1e-300)
        z_copy = z.copy()
        out = _sigmoid(z_copy, out=z_copy)      # in place, as train does
    assert out is z_copy
    np.testing.assert_array_equal(out, _sigmoid(z))
    assert isinstance(_sigmoid(np.array(0.0)), np.ndarray)


@pytest.mark.parametrize("hidden,output", [("sigmoid", "identity"), ("tanh", "sigmoid"),
                                           ("relu", "identity"), ("identity", "sigmoid")])
def test_forward_in_place_gives_the_same_activations(hidden, output):
    from nncalc.network import _forward

    params = nc.init_params([3, 5, 4, 2], seed=0)
    X = np.random.default_rng(0).normal(size=(7, 3))
    y1, kept = _forward(params, X, hidden, output)
    y2, lean = _forward(params, X, hidden, output, keep_z=False)
    assert not any(key.startswith("Z") for key in lean)
    for l in range(4):
        np.testing.assert_array_equal(kept[f"A{l}"], lean[f"A{l}"])
    np.testing.assert_array_equal(y1, y2)


@pytest.mark.parametrize("optimizer,expected", [
    ("sgd", dict(solver="sgd", momentum=0.0, nesterovs_momentum=False)),
    ("momentum", dict(solver="sgd", momentum=0.7, nesterovs_momentum=False)),
    ("nesterov", dict(solver="sgd", momentum=0.7, nesterovs_momentum=True)),
    ("adam", dict(solver="adam", beta_1=0.8, beta_2=0.99, epsilon=1e-6)),
])
def test_matching_models_solver_settings(optimizer, expected):
    for make in (skb.matching_mlp_regressor, skb.matching_mlp_classifier):
        got = make((3,), lr=0.1, epochs=2, batch_size=4, optimizer=optimizer, momentum=0.7,
                   beta_1=0.8, beta_2=0.99, epsilon=1e-6).get_params()
        for key, value in expected.items():
            assert got[key] == value, (optimizer, key)
        assert got["learning_rate"] == "constant" and got["shuffle"] is False


def test_multiclass_bridge_rejects_bad_arguments():
    sizes = [3, 4, 3]
    X, Y = _data(sizes, "cross_entropy")
    params = nc.init_params(sizes, seed=0)
    clf = skb.matching_mlp_classifier((4,), lr=0.1, epochs=1, batch_size=8)
    reg = skb.matching_mlp_regressor((4,), lr=0.1, epochs=1, batch_size=8)
    with pytest.raises(ValueError, match="loss: expected 'mse' for an MLPRegressor"):
        skb.sklearn_targets(reg, Y, loss="cross_entropy")
    with pytest.raises(ValueError, match="loss: expected 'bce' or 'cross_entropy'"):
        skb.sklearn_targets(clf, Y, loss="mse")
    with pytest.raises(ValueError, match="K >= 3 classes.*one logistic output"):
        skb.sklearn_targets(clf, nc.one_hot(np.arange(M) % 2, 2), loss="cross_entropy")
    with pytest.raises(ValueError, match="exact one-hot rows"):
        skb.sklearn_targets(clf, np.full((M, 3), 1 / 3), loss="cross_entropy")
    with pytest.raises(ValueError, match="one-hot rows of shape"):
        skb.sklearn_targets(clf, Y.argmax(axis=1), loss="cross_entropy")
    with pytest.raises(ValueError, match="nc.one_hot"):
        skb.train_sklearn(params, X, Y.argmax(axis=1), 1, 0.1, loss="cross_entropy")
    with pytest.raises(ValueError, match=r"class\(es\) \[2\]"):
        skb.train_sklearn(params, X, nc.one_hot(np.arange(M) % 2, 3), 1, 0.1,
                          loss="cross_entropy")
    with pytest.raises(ValueError, match="Y: expected labels in 0, ..., 2"):
        skb.set_sklearn_params(clf, params, X, np.arange(M) % 4)
    two = nc.init_params([3, 4, 2], seed=0)
    with pytest.raises(ValueError, match="2-unit softmax has no scikit-learn twin"):
        skb.set_sklearn_params(clf, two, X, np.arange(M) % 2)
    with pytest.raises(ValueError, match="optimizer"):
        skb.matching_mlp_classifier((4,), lr=0.1, epochs=1, batch_size=8, optimizer="rmsprop")
    with pytest.raises(ValueError, match="beta_2"):
        skb.train_sklearn(params, X, Y, 1, 0.1, loss="cross_entropy", optimizer="adam",
                          beta_2=1.0)
