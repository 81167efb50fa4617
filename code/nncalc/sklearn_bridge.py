r"""The bridge to scikit-learn: the same network as ``MLPRegressor``/``MLPClassifier``.

Chapter 7, *Manual network versus scikit-learn*, shows that scikit-learn's
multi-layer perceptron, configured as below, is exactly the model of
:mod:`nncalc`, and trains along the same trajectory to rounding error.

* **Parameters** (equation ``eq-ch7-coefs``). scikit-learn stores the
  weights of layer :math:`l` as ``coefs_[l - 1]`` of shape
  ``(n_{l-1}, n_l)`` (fan-in, fan-out), the transpose of nncalc's
  ``W_l``, and the biases as ``intercepts_[l - 1] = b_l``:
  :func:`to_sklearn_coefs`, :func:`from_sklearn_coefs`, :func:`from_sklearn`.
* **The model.** :func:`matching_mlp_regressor` (identity output, squared
  error :math:`\frac{1}{2m}\sum` = :func:`nncalc.mse` for one output) and
  :func:`matching_mlp_classifier` (logistic outputs, log-loss =
  :func:`nncalc.bce`) switch off everything plain gradient descent does not
  do: ``solver="sgd"`` with ``momentum=0``, ``learning_rate="constant"``,
  ``shuffle=False``, no stopping before ``max_iter`` epochs.
* **The start.** scikit-learn has no argument for initial weights.
  :func:`set_sklearn_params` creates the model's fitted state with one call
  to ``partial_fit``, overwrites ``coefs_`` and ``intercepts_`` with the
  given parameters, resets the rest of the training state (optimizer,
  ``t_``, ``best_loss_``, ...) to that of a first ``fit`` and sets
  ``warm_start=True``. Assigning to ``coefs_`` is not a documented
  interface; it works because ``fit`` trains the arrays it finds in
  ``coefs_`` and ``intercepts_`` (the tests check it).
* :func:`train_sklearn` does all of this with :func:`nncalc.train`'s
  signature and returns a :class:`nncalc.History`.

The L2 penalty (``alpha``) is the same in both: :func:`nncalc.l2_penalty`
(equation ``eq-l2``) and the gradient term :math:`(\alpha/m) W` (equation
``eq-l2-grad``). scikit-learn is imported when a function needs it, so
``import nncalc`` stays fast.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from ._validation import (
    as_float_array,
    check_activation,
    check_inputs,
    check_loss,
    check_nonnegative_number,
    check_params,
    check_positive_int,
    check_positive_number,
    check_targets,
    describe,
    layer_sizes_of,
)
from .network import History

__all__ = [
    "SKLEARN_ACTIVATION",
    "to_sklearn_coefs",
    "from_sklearn_coefs",
    "from_sklearn",
    "matching_mlp_regressor",
    "matching_mlp_classifier",
    "set_sklearn_params",
    "sklearn_targets",
    "train_sklearn",
]

#: nncalc's name of a hidden activation -> scikit-learn's ``activation``.
SKLEARN_ACTIVATION = {
    "sigmoid": "logistic",
    "tanh": "tanh",
    "relu": "relu",
    "identity": "identity",
}


# -- the parameter mapping ------------------------------------------------------

def to_sklearn_coefs(params):
    r"""nncalc parameters as scikit-learn's ``coefs_`` and ``intercepts_``.

    Equation ``eq-ch7-coefs``: ``coefs_[l - 1]`` :math:`= W^{(l)\top}`, of
    shape ``(n_{l-1}, n_l)``, and ``intercepts_[l - 1]`` :math:`= b^{(l)}`.
    scikit-learn multiplies a batch (examples as rows) by ``coefs_[l - 1]``
    directly, ``A @ coefs_[l - 1] + intercepts_[l - 1]``, which is nncalc's
    ``A @ W.T + b``.

    Parameters
    ----------
    params : dict
        ``{"W1", "b1", ..., "WL", "bL"}``.

    Returns
    -------
    coefs : list of L ndarrays
        New C-contiguous float64 arrays (the caller's arrays are not shared).
    intercepts : list of L ndarrays
    """
    params = check_params(params)
    L = len(params) // 2
    coefs = [params[f"W{l}"].T.copy() for l in range(1, L + 1)]   # copy() is C order
    intercepts = [params[f"b{l}"].copy() for l in range(1, L + 1)]
    return coefs, intercepts


def from_sklearn_coefs(coefs, intercepts):
    r"""scikit-learn's ``coefs_`` and ``intercepts_`` as an nncalc parameter dict.

    The inverse of :func:`to_sklearn_coefs` (equation ``eq-ch7-coefs`` read
    from right to left): :math:`W^{(l)}` = ``coefs[l - 1].T``,
    :math:`b^{(l)}` = ``intercepts[l - 1]``.

    Parameters
    ----------
    coefs : sequence of L array_like
        ``coefs[l - 1]`` of shape ``(n_{l-1}, n_l)``.
    intercepts : sequence of L array_like
        ``intercepts[l - 1]`` of shape ``(n_l,)``.

    Returns
    -------
    dict
        ``{"W1", "b1", ..., "WL", "bL"}``, new C-contiguous float64 arrays;
        the shapes are checked to chain.
    """
    for name, value in (("coefs", coefs), ("intercepts", intercepts)):
        if isinstance(value, (str, bytes, np.ndarray)) or not hasattr(value, "__len__"):
            raise TypeError(
                f"{name}: expected a list of arrays (one per layer), got {describe(value)}"
            )
    if len(coefs) == 0 or len(coefs) != len(intercepts):
        raise ValueError(
            "intercepts: expected one intercept vector per coefficient matrix "
            f"({len(coefs)} of them, at least 1), got {len(intercepts)} intercepts "
            f"and {len(coefs)} coefficient matrices"
        )
    params = {}
    for l, (c, i) in enumerate(zip(coefs, intercepts), start=1):
        c = as_float_array(c, f"coefs[{l - 1}]")
        i = as_float_array(i, f"intercepts[{l - 1}]")
        if c.ndim != 2 or c.size == 0:
            raise ValueError(
                f"coefs[{l - 1}]: expected a non-empty 2-D array of shape "
                f"(n_{l - 1}, n_{l}), got shape {c.shape}"
            )
        if l > 1 and c.shape[0] != params[f"W{l - 1}"].shape[0]:
            n_prev = params[f"W{l - 1}"].shape[0]
            raise ValueError(
                f"coefs[{l - 1}]: expected {n_prev} rows because coefs[{l - 2}] has "
                f"{n_prev} columns, got shape {c.shape}"
            )
        if i.shape != (c.shape[1],):
            raise ValueError(
                f"intercepts[{l - 1}]: expected shape ({c.shape[1]},) to match "
                f"coefs[{l - 1}] of shape {c.shape}, got shape {i.shape}"
            )
        params[f"W{l}"], params[f"b{l}"] = c.T.copy(), i.copy()
    return params


def from_sklearn(model):
    """The parameters of a fitted ``MLPRegressor`` or ``MLPClassifier``.

    Parameters
    ----------
    model : sklearn.neural_network.MLPRegressor or MLPClassifier
        Fitted (it has ``coefs_`` and ``intercepts_``).

    Returns
    -------
    dict
        nncalc parameters (copies), see :func:`from_sklearn_coefs`.
    """
    _check_model(model)
    if not hasattr(model, "coefs_"):
        raise ValueError(
            "model: expected a fitted model with coefs_ and intercepts_, got an "
            f"unfitted {type(model).__name__}; call fit, partial_fit or "
            "set_sklearn_params first"
        )
    return from_sklearn_coefs(model.coefs_, model.intercepts_)


# -- the matching models ----------------------------------------------------------

def _check_hidden_layer_sizes(value):
    if isinstance(value, bool) or isinstance(value, numbers.Integral):
        value = (value,)
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__"):
        raise TypeError(
            "hidden_layer_sizes: expected a sequence of integers such as (2,) "
            f"(the hidden layers only), got {describe(value)}"
        )
    return tuple(check_positive_int(n, f"hidden_layer_sizes[{i}]") for i, n in enumerate(value))


def _matching_settings(hidden_layer_sizes, lr, epochs, hidden, batch_size, alpha):
    return dict(
        hidden_layer_sizes=_check_hidden_layer_sizes(hidden_layer_sizes),
        activation=SKLEARN_ACTIVATION[check_activation(hidden, "hidden")],
        solver="sgd",                # plain gradient descent, not adam
        alpha=check_nonnegative_number(alpha, "alpha"),
        batch_size=check_positive_int(batch_size, "batch_size"),
        learning_rate="constant",    # no schedule: eta stays lr
        learning_rate_init=check_positive_number(lr, "lr"),
        max_iter=check_positive_int(epochs, "epochs"),
        shuffle=False,               # batches of consecutive rows, same order
        tol=0.0,
        n_iter_no_change=np.inf,     # never stop before max_iter epochs
        momentum=0.0,                # the update is -lr * gradient, nothing else
        nesterovs_momentum=False,
        early_stopping=False,        # train on all the data
    )


def matching_mlp_regressor(hidden_layer_sizes, *, lr, epochs, batch_size, hidden="sigmoid",
                           alpha=0.0):
    r"""An ``MLPRegressor`` that is nncalc's network with an identity output and ``mse``.

    With ``loss="squared_error"`` (its default; ``"poisson"`` would switch to
    an exponential output) scikit-learn's regressor has an identity output
    and the squared error :math:`\frac{1}{2m}\sum_i (\hat y_i - y_i)^2`,
    nncalc's :func:`~nncalc.mse` for one output. The settings that make its ``fit``
    run :func:`nncalc.train`'s algorithm (scikit-learn's default in
    brackets):

    * ``solver="sgd"`` ("adam"), ``momentum=0`` (0.9),
      ``nesterovs_momentum=False`` (True; irrelevant once momentum is 0),
      ``learning_rate="constant"``: every update is
      :math:`\theta \leftarrow \theta - \eta\,\partial\mathcal L/\partial\theta`;
    * ``batch_size`` rows per update (``min(200, m)``) and ``shuffle=False``
      (True): the same batches in the same order;
    * ``tol=0``, ``n_iter_no_change=inf`` (1e-4 and 10): exactly
      ``max_iter = epochs`` epochs, no stopping when the loss stalls;
    * ``alpha`` as given (1e-4): the L2 penalty of :func:`nncalc.l2_penalty`.

    The input and output sizes are read off the data by ``fit``; the
    initial weights are set with :func:`set_sklearn_params`.

    Parameters
    ----------
    hidden_layer_sizes : sequence of int
        The hidden layers only: ``(2,)`` for the 2-2-1 network.
    lr : float > 0
        The learning rate (``learning_rate_init``).
    epochs : int >= 1
        Passes over the data (``max_iter``).
    batch_size : int >= 1
        Rows per update; ``len(X)`` for full-batch gradient descent.
    hidden : {"sigmoid", "tanh", "relu", "identity"}, default "sigmoid"
        The hidden activation (``"logistic"`` is scikit-learn's sigmoid).
    alpha : float >= 0, default 0
        L2 strength.

    Returns
    -------
    sklearn.neural_network.MLPRegressor
        Not fitted. ``fit`` ends with a ``ConvergenceWarning`` because it
        always runs all ``max_iter`` epochs.
    """
    from sklearn.neural_network import MLPRegressor

    return MLPRegressor(loss="squared_error",   # identity output (not "poisson")
                        **_matching_settings(hidden_layer_sizes, lr, epochs, hidden,
                                             batch_size, alpha))


def matching_mlp_classifier(hidden_layer_sizes, *, lr, epochs, batch_size, hidden="sigmoid",
                            alpha=0.0):
    r"""An ``MLPClassifier`` that is nncalc's network with sigmoid outputs and ``bce``.

    For two classes (labels 0 and 1, one output) and for several 0/1 labels
    per example (multi-label, one output per label) scikit-learn's
    classifier has logistic output units and minimises the binary log-loss,
    :func:`nncalc.bce`. (For three or more exclusive classes it uses a
    softmax output, which nncalc does not have.) The settings are those of
    :func:`matching_mlp_regressor`.

    Parameters
    ----------
    hidden_layer_sizes, lr, epochs, batch_size, hidden, alpha
        As in :func:`matching_mlp_regressor`.

    Returns
    -------
    sklearn.neural_network.MLPClassifier
        Not fitted.
    """
    from sklearn.neural_network import MLPClassifier

    return MLPClassifier(**_matching_settings(hidden_layer_sizes, lr, epochs, hidden,
                                              batch_size, alpha))


# -- starting scikit-learn from given parameters ----------------------------------

def _check_model(model):
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    if not isinstance(model, (MLPRegressor, MLPClassifier)):
        raise TypeError(
            "model: expected a scikit-learn MLPRegressor or MLPClassifier, got "
            f"{describe(model)}"
        )


def _is_classifier(model):
    from sklearn.neural_network import MLPClassifier

    return isinstance(model, MLPClassifier)


def sklearn_targets(model, Y):
    """``Y`` in the form scikit-learn's ``fit`` expects for ``model``.

    A single target column becomes a 1-D array (scikit-learn warns about a
    column); several columns stay a 2-D array. For a classifier the targets
    must be labels 0 or 1.

    Parameters
    ----------
    model : MLPRegressor or MLPClassifier
    Y : array_like of shape (m, n_L) or (m,)

    Returns
    -------
    ndarray of shape (m,) or (m, n_L)
    """
    _check_model(model)
    Y = as_float_array(Y, "Y")
    if Y.ndim == 2 and Y.shape[1] == 1:
        Y = Y.ravel()
    if Y.ndim not in (1, 2) or Y.shape[0] == 0:
        raise ValueError(
            f"Y: expected a non-empty array of shape (m, n_L) or (m,), got shape {Y.shape}"
        )
    if _is_classifier(model) and not np.isin(Y, (0.0, 1.0)).all():
        raise ValueError(
            "Y: expected labels 0 or 1 for MLPClassifier (nncalc's bce with sigmoid "
            f"outputs), got values in [{Y.min():g}, {Y.max():g}] that are not all 0 or 1"
        )
    return Y


def _reset_training_state(model):
    """Give a fitted model the training state of a first ``fit``.

    The attributes and values are those of scikit-learn's
    ``BaseMultilayerPerceptron._initialize`` (``_multilayer_perceptron.py``,
    scikit-learn 1.9) for the stochastic solvers, with the current
    ``coefs_`` and ``intercepts_`` kept. ``_optimizer`` is deleted:
    ``_fit_stochastic`` builds a new one, with zero velocities (sgd) or zero
    moment estimates and step count (adam), at the next ``fit``, and at the
    next ``partial_fit`` only if there is none. ``loss_`` is deleted, as in
    a model that has not trained yet.
    """
    model.n_iter_ = 0
    model.t_ = 0                     # examples seen: drives "invscaling"
    model.loss_curve_ = []
    model._no_improvement_count = 0  # the tol stop and "adaptive"
    model._best_coefs = [c.copy() for c in model.coefs_]
    model._best_intercepts = [b.copy() for b in model.intercepts_]
    if model.early_stopping:
        model.validation_scores_ = []
        model.best_validation_score_ = -np.inf
        model.best_loss_ = None
    else:
        model.best_loss_ = np.inf
        model.validation_scores_ = None
        model.best_validation_score_ = None
    for name in ("_optimizer", "loss_"):
        if hasattr(model, name):
            delattr(model, name)


def set_sklearn_params(model, params, X=None, Y=None):
    r"""Make ``model`` start its next ``fit`` (or ``partial_fit``) from ``params``.

    scikit-learn has no argument for the initial weights. This function
    relies on how ``fit`` is written, not on a documented interface:
    ``coefs_`` and ``intercepts_`` are documented as fitted attributes, to
    be read, but ``_fit_stochastic`` rebuilds its parameter list from
    ``self.coefs_ + self.intercepts_`` at every call and updates those
    arrays in place, so with ``warm_start=True`` (documented: "reuse the
    solution of the previous call to fit as initialization") it trains
    whatever arrays it finds there. The tests in
    ``code/tests/test_sklearn_bridge.py`` check this against the installed
    scikit-learn. The steps:

    1. if the model is not fitted yet, one call ``model.partial_fit(X, Y)``
       creates its fitted state: the layer shapes, the output activation,
       the classes, ``n_features_in_``. It runs with ``random_state=0`` and
       ``early_stopping=False`` (``partial_fit`` refuses early stopping);
       both settings are restored afterwards, so the caller's random
       generator (or NumPy's global one, for ``random_state=None``) is not
       used. Its random weights and its one epoch are then discarded;
    2. ``coefs_`` and ``intercepts_`` are replaced by copies of ``params``
       through equation ``eq-ch7-coefs`` (:func:`to_sklearn_coefs`);
    3. everything else the set-up epoch (or an earlier training) left is
       reset to the state of a first ``fit`` (see
       ``_reset_training_state``): no ``_optimizer`` (so momentum
       velocities and Adam's moments start at 0), ``t_ = 0`` (so the
       "invscaling" schedule starts at ``learning_rate_init``),
       ``best_loss_ = inf`` and ``_no_improvement_count = 0`` (the ``tol``
       stop and the "adaptive" schedule), ``n_iter_ = 0``, an empty
       ``loss_curve_``, and with ``early_stopping`` ``validation_scores_ =
       []`` and ``best_validation_score_ = -inf``;
    4. ``warm_start=True``, so the next ``fit`` continues from ``coefs_``
       and ``intercepts_`` instead of drawing new ones.

    The next ``fit`` then runs exactly as a first ``fit`` that had drawn
    ``params`` as its initial weights, for every solver, momentum and
    learning-rate schedule, and a loop of ``partial_fit`` calls runs the
    same epochs one at a time. ``loss_curve_`` holds the losses of this
    run only (a second ``fit`` would append to it). Call this function
    after the last ``set_params``: the reset depends on ``early_stopping``.

    Parameters
    ----------
    model : MLPRegressor or MLPClassifier
        With ``solver`` "sgd" or "adam" (they have ``partial_fit``).
    params : dict
        nncalc parameters whose layer sizes match the model and the data.
    X : array_like of shape (m, n_0), optional
        Needed when the model is not fitted yet.
    Y : array_like of shape (m, n_L) or (m,), optional
        Targets for ``X`` (labels 0/1 for a classifier).

    Returns
    -------
    model
        The same model, for chaining.
    """
    _check_model(model)
    params = check_params(params)
    sizes = layer_sizes_of(params)
    hidden = list(_check_hidden_layer_sizes(model.hidden_layer_sizes))
    if sizes[1:-1] != hidden:
        raise ValueError(
            f"params: expected hidden layers of sizes {hidden} to match the model's "
            f"hidden_layer_sizes, got layer sizes {sizes}"
        )
    if model.solver not in ("sgd", "adam"):
        raise ValueError(
            f"model: expected solver 'sgd' or 'adam' (they can start from given "
            f"weights), got solver={model.solver!r}"
        )
    if not hasattr(model, "coefs_"):
        if X is None or Y is None:
            missing = " and ".join(n for n, v in (("X", X), ("Y", Y)) if v is None)
            raise ValueError(
                f"{missing.split()[0]}: expected X and Y to create the fitted state of "
                f"an unfitted {type(model).__name__} (one partial_fit call), got "
                f"{missing} = None"
            )
        X = check_inputs(X, sizes[0], "X")
        y = sklearn_targets(model, Y)
        check_targets(y, (X.shape[0], sizes[-1]), "Y")
        kept = {key: model.get_params()[key] for key in ("random_state", "early_stopping")}
        model.set_params(random_state=0, early_stopping=False)
        try:
            if _is_classifier(model):
                classes = np.array([0.0, 1.0]) if y.ndim == 1 else np.arange(y.shape[1])
                model.partial_fit(X, y, classes=classes)
            else:
                model.partial_fit(X, y)
        finally:
            model.set_params(**kept)
    expected = [model.n_features_in_, *hidden, model.n_outputs_]
    if sizes != expected:
        raise ValueError(
            f"params: expected layer sizes {expected} to match the model (fitted to "
            f"{model.n_features_in_} inputs and {model.n_outputs_} outputs), got {sizes}"
        )
    model.coefs_, model.intercepts_ = to_sklearn_coefs(params)
    _reset_training_state(model)
    model.set_params(warm_start=True)
    return model


# -- training with scikit-learn, the way nncalc.train trains -------------------------

def train_sklearn(params, X, Y, epochs, lr, loss="mse", hidden="sigmoid", batch_size=None,
                  alpha=0.0, callback=None):
    r"""Train with scikit-learn's own loop, with :func:`nncalc.train`'s arguments.

    ``loss="mse"`` uses :func:`matching_mlp_regressor` (identity output),
    ``loss="bce"`` :func:`matching_mlp_classifier` (sigmoid outputs, labels
    0/1). The model starts from ``params`` (:func:`set_sklearn_params`) and
    runs ``epochs`` epochs of one ``fit`` call; with a ``callback`` it runs
    one ``partial_fit`` call per epoch instead (the same arithmetic: each
    call is one pass over the data) and calls ``callback(epoch, params,
    loss)`` after each, like :func:`nncalc.train`.

    scikit-learn's ``ConvergenceWarning`` ("maximum iterations reached") is
    silenced here: a fixed number of epochs is what is asked for.

    Parameters
    ----------
    params : dict
        Initial parameters (not modified).
    X : array_like of shape (m, n_0)
    Y : array_like of shape (m, n_L); (m,) accepted when n_L = 1
    epochs : int >= 1
    lr : float > 0
    loss : {"mse", "bce"}, default "mse"
    hidden : {"sigmoid", "tanh", "relu", "identity"}, default "sigmoid"
    batch_size : int >= 1 or None, default None
        None (or any value >= m) means full batch.
    alpha : float >= 0, default 0
    callback : callable or None

    Returns
    -------
    History
        ``params`` after the last epoch (read back through
        :func:`from_sklearn`) and ``loss``, scikit-learn's ``loss_curve_``
        for these epochs. For ``mse`` with several outputs that loss is the
        nncalc loss divided by the number of outputs (plus the penalty):
        scikit-learn averages its reported squared error over the outputs,
        but not its gradient (Chapter 7).
    """
    from sklearn.exceptions import ConvergenceWarning

    params = check_params(params)
    check_loss(loss)
    check_activation(hidden, "hidden")
    sizes = layer_sizes_of(params)
    X = check_inputs(X, sizes[0], "X")
    Y = check_targets(Y, (X.shape[0], sizes[-1]), "Y")
    epochs = check_positive_int(epochs, "epochs")
    m = X.shape[0]
    batch = m if batch_size is None else min(check_positive_int(batch_size, "batch_size"), m)
    if callback is not None and not callable(callback):
        raise TypeError(f"callback: expected a callable or None, got {describe(callback)}")
    make = matching_mlp_regressor if loss == "mse" else matching_mlp_classifier
    model = make(tuple(sizes[1:-1]), lr=lr, epochs=epochs, batch_size=batch, hidden=hidden,
                 alpha=alpha)
    y = sklearn_targets(model, Y)
    set_sklearn_params(model, params, X, y)      # loss_curve_ is now empty
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=ConvergenceWarning)
        if callback is None:
            model.fit(X, y)
        else:
            for epoch in range(epochs):
                model.partial_fit(X, y)
                callback(epoch, from_sklearn(model), model.loss_curve_[-1])
    return History(params=from_sklearn(model), loss=np.array(model.loss_curve_))
