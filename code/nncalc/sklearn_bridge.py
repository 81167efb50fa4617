r"""The bridge to scikit-learn: the same network as ``MLPRegressor``/``MLPClassifier``.

The chapter *Manual network versus scikit-learn* shows that scikit-learn's
multi-layer perceptron, configured as below, is exactly the model of
:mod:`nncalc`, and trains along the same trajectory to rounding error, for
every optimiser of :func:`nncalc.train`.

* **Parameters** (equation ``eq-sklearn-coefs``). scikit-learn stores the
  weights of layer :math:`l` as ``coefs_[l - 1]`` of shape
  ``(n_{l-1}, n_l)`` (fan-in, fan-out), the transpose of nncalc's
  ``W_l``, and the biases as ``intercepts_[l - 1] = b_l``:
  :func:`to_sklearn_coefs`, :func:`from_sklearn_coefs`, :func:`from_sklearn`.
* **The model.** :func:`matching_mlp_regressor` (identity output, squared
  error :math:`\frac{1}{2m}\sum` = :func:`nncalc.mse` for one output) and
  :func:`matching_mlp_classifier` switch off everything
  :func:`nncalc.train` does not do: ``learning_rate="constant"``,
  ``shuffle=False``, no stopping before ``max_iter`` epochs, and choose
  the solver of its ``optimizer``: ``solver="sgd"`` with ``momentum=0``
  (plain gradient descent), with momentum (``nesterovs_momentum`` False or
  True), or ``solver="adam"``.
* **The classifier's output** is decided by scikit-learn from the targets
  it is given: labels 0/1 (one column, or several for multi-label) give
  logistic outputs and the binary log-loss, :func:`nncalc.bce` with a
  sigmoid output; integer labels of K >= 3 classes give a softmax output
  and the multi-class log-loss, :func:`nncalc.cross_entropy` with
  ``output="softmax"``. For two classes scikit-learn always uses one
  logistic unit, never a 2-unit softmax. :func:`sklearn_targets` turns
  nncalc's targets (one-hot rows for ``cross_entropy``) into the labels
  scikit-learn expects; :func:`nncalc.one_hot` turns them back.
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
    OPTIMIZER_NAMES,
    check_activation,
    check_inputs,
    check_loss,
    check_loss_targets,
    check_name,
    check_nonnegative_number,
    check_params,
    check_positive_int,
    check_positive_number,
    check_targets,
    check_unit_interval,
    describe,
    layer_sizes_of,
)
from .losses import _check_labels
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

    Equation ``eq-sklearn-coefs``: ``coefs_[l - 1]`` :math:`= W^{(l)\top}`, of
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

    The inverse of :func:`to_sklearn_coefs` (equation ``eq-sklearn-coefs`` read
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


def _solver_settings(optimizer, momentum, beta_1, beta_2, epsilon):
    """scikit-learn's solver arguments for one of nncalc.train's optimisers."""
    optimizer = check_name(optimizer, "optimizer", OPTIMIZER_NAMES)
    momentum = check_unit_interval(momentum, "momentum", closed_right=True)
    settings = dict(
        solver="adam" if optimizer == "adam" else "sgd",
        # the velocity of eq-momentum / eq-nesterov; 0 for plain gradient
        # descent (the update is then -lr * gradient, nothing else) and for
        # adam, which does not read it
        momentum=momentum if optimizer in ("momentum", "nesterov") else 0.0,
        nesterovs_momentum=optimizer == "nesterov",
        beta_1=check_unit_interval(beta_1, "beta_1"),      # read by adam only
        beta_2=check_unit_interval(beta_2, "beta_2"),
        epsilon=check_positive_number(epsilon, "epsilon"),
    )
    return settings


def _matching_settings(hidden_layer_sizes, lr, epochs, hidden, batch_size, alpha,
                       optimizer="sgd", momentum=0.9, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
    return dict(
        hidden_layer_sizes=_check_hidden_layer_sizes(hidden_layer_sizes),
        activation=SKLEARN_ACTIVATION[check_activation(hidden, "hidden")],
        alpha=check_nonnegative_number(alpha, "alpha"),
        batch_size=check_positive_int(batch_size, "batch_size"),
        learning_rate="constant",    # no schedule: eta stays lr
        learning_rate_init=check_positive_number(lr, "lr"),
        max_iter=check_positive_int(epochs, "epochs"),
        shuffle=False,               # batches of consecutive rows, same order
        tol=0.0,
        n_iter_no_change=np.inf,     # never stop before max_iter epochs
        early_stopping=False,        # train on all the data
        **_solver_settings(optimizer, momentum, beta_1, beta_2, epsilon),
    )


def matching_mlp_regressor(hidden_layer_sizes, *, lr, epochs, batch_size, hidden="sigmoid",
                           alpha=0.0, optimizer="sgd", momentum=0.9, beta_1=0.9, beta_2=0.999,
                           epsilon=1e-8):
    r"""An ``MLPRegressor`` that is nncalc's network with an identity output and ``mse``.

    With ``loss="squared_error"`` (its default; ``"poisson"`` would switch to
    an exponential output) scikit-learn's regressor has an identity output
    and the squared error :math:`\frac{1}{2m}\sum_i (\hat y_i - y_i)^2`,
    nncalc's :func:`~nncalc.mse` for one output. The settings that make its ``fit``
    run :func:`nncalc.train`'s algorithm (scikit-learn's default in
    brackets):

    * the solver of ``optimizer`` (scikit-learn's own update rules, which
      :func:`nncalc.train` follows):

      - ``"sgd"``: ``solver="sgd"`` ("adam"), ``momentum=0`` (0.9),
        ``nesterovs_momentum=False`` (True; irrelevant once momentum is 0):
        every update is
        :math:`\theta \leftarrow \theta - \eta\,\partial\mathcal L/\partial\theta`;
      - ``"momentum"``: ``solver="sgd"``, ``momentum`` as given,
        ``nesterovs_momentum=False`` (equation ``eq-momentum``);
      - ``"nesterov"``: ``solver="sgd"``, ``momentum`` as given,
        ``nesterovs_momentum=True`` (equation ``eq-nesterov``);
      - ``"adam"``: ``solver="adam"`` with ``beta_1``, ``beta_2`` and
        ``epsilon`` as given (equation ``eq-adam``);

      with ``learning_rate="constant"``: :math:`\eta` stays ``lr``;
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
    optimizer : {"sgd", "momentum", "nesterov", "adam"}, default "sgd"
    momentum : float in [0, 1], default 0.9
        Used by ``"momentum"`` and ``"nesterov"``.
    beta_1, beta_2 : float in [0, 1), defaults 0.9 and 0.999
    epsilon : float > 0, default 1e-8
        Adam's constants (passed to scikit-learn whatever the optimiser;
        only ``solver="adam"`` reads them).

    Returns
    -------
    sklearn.neural_network.MLPRegressor
        Not fitted. ``fit`` ends with a ``ConvergenceWarning`` because it
        always runs all ``max_iter`` epochs.
    """
    from sklearn.neural_network import MLPRegressor

    return MLPRegressor(loss="squared_error",   # identity output (not "poisson")
                        **_matching_settings(hidden_layer_sizes, lr, epochs, hidden,
                                             batch_size, alpha, optimizer, momentum, beta_1,
                                             beta_2, epsilon))


def matching_mlp_classifier(hidden_layer_sizes, *, lr, epochs, batch_size, hidden="sigmoid",
                            alpha=0.0, optimizer="sgd", momentum=0.9, beta_1=0.9,
                            beta_2=0.999, epsilon=1e-8):
    r"""An ``MLPClassifier`` that is nncalc's network with sigmoid or softmax outputs.

    scikit-learn chooses the classifier's output layer from the targets
    given to its first ``fit`` or ``partial_fit``:

    * labels 0 and 1 (two classes: one output) or several 0/1 labels per
      example (multi-label: one output per label): logistic output units
      and the binary log-loss, :func:`nncalc.bce` with ``output="sigmoid"``;
    * integer labels of K >= 3 exclusive classes: a softmax output of K
      units and the multi-class log-loss, :func:`nncalc.cross_entropy`
      with ``output="softmax"`` (targets as :func:`sklearn_targets` makes
      them from one-hot rows).

    For two exclusive classes scikit-learn uses one logistic unit, so an
    nncalc network with a 2-unit softmax output has no scikit-learn twin:
    its model is the same (the 2-unit softmax is the sigmoid of the
    difference of the two logits), its parameters and their trajectory are
    not. Compare a one-output sigmoid network with ``bce`` instead. The
    settings are those of :func:`matching_mlp_regressor`.

    Parameters
    ----------
    hidden_layer_sizes, lr, epochs, batch_size, hidden, alpha, optimizer, momentum, beta_1, beta_2, epsilon
        As in :func:`matching_mlp_regressor`.

    Returns
    -------
    sklearn.neural_network.MLPClassifier
        Not fitted.
    """
    from sklearn.neural_network import MLPClassifier

    return MLPClassifier(**_matching_settings(hidden_layer_sizes, lr, epochs, hidden,
                                              batch_size, alpha, optimizer, momentum, beta_1,
                                              beta_2, epsilon))


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


def sklearn_targets(model, Y, loss=None):
    """``Y`` in the form scikit-learn's ``fit`` expects for ``model``.

    * ``mse`` (a regressor) and ``bce`` (a classifier with logistic
      outputs; the default for a classifier): a single target column
      becomes a 1-D array (scikit-learn warns about a column); several
      columns stay a 2-D array. For a classifier the targets must be labels
      0 or 1.
    * ``cross_entropy`` (a classifier with a softmax output): one-hot rows
      of K >= 3 classes become the integer labels ``0, ..., K - 1`` (the
      column of the 1 in each row), from which scikit-learn builds a softmax
      output of K units. :func:`nncalc.one_hot` ``(labels, K)`` is the way
      back. Only exact one-hot rows can be converted: scikit-learn's ``fit``
      takes labels, not probabilities.

    Parameters
    ----------
    model : MLPRegressor or MLPClassifier
    Y : array_like of shape (m, n_L) or (m,)
    loss : {"mse", "bce", "cross_entropy"} or None, default None
        None means ``"mse"`` for a regressor and ``"bce"`` for a classifier.

    Returns
    -------
    ndarray of shape (m,) or (m, n_L)
        Floats; for ``cross_entropy`` integers of shape (m,).
    """
    _check_model(model)
    classifier = _is_classifier(model)
    if loss is None:
        loss = "bce" if classifier else "mse"
    check_loss(loss)
    if classifier == (loss == "mse"):
        kind, needs = ("MLPRegressor", "'mse'") if not classifier else \
            ("MLPClassifier", "'bce' or 'cross_entropy'")
        raise ValueError(f"loss: expected {needs} for an {kind}, got {loss!r}")
    Y = as_float_array(Y, "Y")
    if loss == "cross_entropy":
        return _one_hot_to_labels(Y)
    if Y.ndim == 2 and Y.shape[1] == 1:
        Y = Y.ravel()
    if Y.ndim not in (1, 2) or Y.shape[0] == 0:
        raise ValueError(
            f"Y: expected a non-empty array of shape (m, n_L) or (m,), got shape {Y.shape}"
        )
    if classifier and not np.isin(Y, (0.0, 1.0)).all():
        raise ValueError(
            "Y: expected labels 0 or 1 for MLPClassifier (nncalc's bce with sigmoid "
            f"outputs), got values in [{Y.min():g}, {Y.max():g}] that are not all 0 or 1"
        )
    return Y


def _one_hot_to_labels(Y):
    """One-hot rows (m, K), K >= 3, as integer labels (m,)."""
    if Y.ndim != 2 or Y.shape[0] == 0:
        raise ValueError(
            "Y: expected one-hot rows of shape (m, K) for cross_entropy, got shape "
            f"{Y.shape}; integer labels are made one-hot with nc.one_hot(labels, K)"
        )
    if Y.shape[1] < 3:
        raise ValueError(
            f"Y: expected K >= 3 classes for a softmax MLPClassifier, got K = {Y.shape[1]}: "
            "for two classes scikit-learn uses one logistic output unit, which is nncalc's "
            "bce with output='sigmoid' and one output (labels 0/1)"
        )
    exact = np.isin(Y, (0.0, 1.0)).all() and np.all(Y.sum(axis=1) == 1.0)
    if not exact:
        raise ValueError(
            "Y: expected exact one-hot rows (one 1, the rest 0) for scikit-learn, which "
            "trains on class labels, got rows that are not (probability targets cannot be "
            "passed to MLPClassifier.fit)"
        )
    return Y.argmax(axis=1)


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
       used. Its random weights and its one epoch are then discarded (and
       so is scikit-learn's warning when ``X`` has fewer rows than
       ``batch_size``). A classifier is given all its classes here (0/1, or
       ``0, ..., K - 1`` for integer labels and K outputs), so ``Y`` may lack
       some of them;
    2. ``coefs_`` and ``intercepts_`` are replaced by copies of ``params``
       through equation ``eq-sklearn-coefs`` (:func:`to_sklearn_coefs`);
    3. everything else the set-up epoch (or an earlier training) left is
       reset to the state of a first ``fit`` (see
       ``_reset_training_state``): no ``_optimizer`` (so momentum
       velocities and Adam's moments start at 0), ``t_ = 0`` (so the
       "invscaling" schedule starts at ``learning_rate_init``),
       ``best_loss_ = inf`` and ``_no_improvement_count = 0`` (the ``tol``
       stop and the "adaptive" schedule), ``n_iter_ = 0``, an empty
       ``loss_curve_``; with ``early_stopping=True``, as in scikit-learn's
       ``_initialize``, ``best_loss_ = None`` instead,
       ``validation_scores_ = []`` and ``best_validation_score_ = -inf``;
    4. ``warm_start=True``, so the next ``fit`` continues from ``coefs_``
       and ``intercepts_`` instead of drawing new ones.

    The next ``fit`` then runs exactly as a first ``fit`` that had drawn
    ``params`` as its initial weights, for every solver, momentum and
    learning-rate schedule, provided the random stream continues. A first
    ``fit`` draws its shuffles (``shuffle=True``) and its validation split
    (``early_stopping=True``) from the same generator, after the initial
    weights; after this function ``fit`` draws no weights, so with an
    integer ``random_state`` (or ``None``) it draws them from a fresh
    ``RandomState(seed)`` (or NumPy's global generator) instead. When
    ``shuffle`` or ``early_stopping`` is on, pass as ``random_state`` the
    ``RandomState`` instance that drew the weights, as the tests do. A loop of ``partial_fit`` calls (one epoch
    each) runs the same epochs as that ``fit`` only with ``shuffle=False``,
    and it does not stop where ``fit``'s ``tol`` rule would (each call
    trains its epoch). With ``shuffle=True`` it runs different epochs,
    whatever ``random_state`` is: every call of ``_fit`` makes its
    generator anew with ``check_random_state(random_state)``, and
    ``_fit_stochastic`` starts every call from the original order of the
    rows and shuffles it once per epoch. So one ``fit`` re-shuffles the
    previous epoch's order in every epoch; with an integer
    ``random_state`` every ``partial_fit`` call re-seeds and uses the same
    order; with ``None`` or a ``RandomState`` instance every call shuffles
    the original order with the next permutation of the generator
    (Chapter 8, "Shuffling, fit and partial_fit", reproduces all three).
    ``loss_curve_`` holds the losses of this run only (a second ``fit``
    would append to it). Call this function after the last
    ``set_params``: the reset depends on ``early_stopping``.

    Parameters
    ----------
    model : MLPRegressor or MLPClassifier
        With ``solver`` "sgd" or "adam" (they have ``partial_fit``).
    params : dict
        nncalc parameters whose layer sizes match the model and the data.
    X : array_like of shape (m, n_0), optional
        Needed when the model is not fitted yet.
    Y : array_like of shape (m, n_L) or (m,), optional
        Targets for ``X`` in scikit-learn's form (:func:`sklearn_targets`):
        for a regressor, numbers; for a classifier with logistic outputs,
        labels 0/1 (one column, or one per output); for a softmax
        classifier (``params`` with K >= 3 outputs), integer labels
        ``0, ..., K - 1`` of shape (m,), not one-hot rows (which
        scikit-learn would read as K independent 0/1 labels). The model is
        given all K classes, so ``Y`` may lack some of them here.

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
        if _is_classifier(model) and sizes[-1] >= 2 and np.ndim(Y) in (1, 2) \
                and np.shape(Y)[-1:] != (sizes[-1],):
            # integer labels of a softmax classifier (K >= 3 outputs)
            if sizes[-1] == 2:
                raise ValueError(
                    "params: expected one output unit for two classes given as labels (a "
                    "classifier with two classes has one logistic output in scikit-learn), "
                    f"got layer sizes {sizes}; a 2-unit softmax has no scikit-learn twin"
                )
            y = _check_labels(np.ravel(Y) if np.ndim(Y) == 2 and np.shape(Y)[1] == 1 else Y,
                              sizes[-1], "Y")
            if y.shape[0] != X.shape[0]:
                raise ValueError(
                    f"Y: expected {X.shape[0]} labels, one per row of X, got {y.shape[0]}")
            classes = np.arange(sizes[-1])
        else:
            y = sklearn_targets(model, Y)
            check_targets(y, (X.shape[0], sizes[-1]), "Y")
            classes = np.array([0.0, 1.0]) if y.ndim == 1 else np.arange(y.shape[1])
        kept = {key: model.get_params()[key] for key in ("random_state", "early_stopping")}
        model.set_params(random_state=0, early_stopping=False)
        try:
            with warnings.catch_warnings():
                # this epoch is discarded: its batch size does not matter
                warnings.filterwarnings("ignore", message="Got `batch_size`",
                                        category=UserWarning)
                if _is_classifier(model):
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
                  alpha=0.0, callback=None, optimizer="sgd", momentum=0.9, beta_1=0.9,
                  beta_2=0.999, epsilon=1e-8):
    r"""Train with scikit-learn's own loop, with :func:`nncalc.train`'s arguments.

    ``loss="mse"`` uses :func:`matching_mlp_regressor` (identity output),
    ``loss="bce"`` :func:`matching_mlp_classifier` with labels 0/1 (sigmoid
    outputs), ``loss="cross_entropy"`` :func:`matching_mlp_classifier` with
    the integer labels of one-hot ``Y`` (softmax output, K >= 3 classes),
    each with the solver of ``optimizer``. The model starts from ``params``
    (:func:`set_sklearn_params`) and runs ``epochs`` epochs of one ``fit``
    call; with a ``callback`` it runs one ``partial_fit`` call per epoch
    instead (the same arithmetic: each call is one pass over the data, and
    the optimiser's state carries over from call to call) and calls
    ``callback(epoch, params, loss)`` after each, like :func:`nncalc.train`.

    scikit-learn's ``ConvergenceWarning`` ("maximum iterations reached") is
    silenced here: a fixed number of epochs is what is asked for.

    Parameters
    ----------
    params : dict
        Initial parameters (not modified).
    X : array_like of shape (m, n_0)
    Y : array_like of shape (m, n_L); (m,) accepted when n_L = 1
        For ``cross_entropy``, exact one-hot rows in which every one of the
        K >= 3 classes occurs (scikit-learn's ``fit`` with ``warm_start``
        refuses labels that lack a class it was set up with).
    epochs : int >= 1
    lr : float > 0
    loss : {"mse", "bce", "cross_entropy"}, default "mse"
    hidden : {"sigmoid", "tanh", "relu", "identity"}, default "sigmoid"
    batch_size : int >= 1 or None, default None
        None (or any value >= m) means full batch.
    alpha : float >= 0, default 0
    callback : callable or None
    optimizer : {"sgd", "momentum", "nesterov", "adam"}, default "sgd"
    momentum, beta_1, beta_2, epsilon
        As in :func:`nncalc.train`.

    Returns
    -------
    History
        ``params`` after the last epoch (read back through
        :func:`from_sklearn`) and ``loss``, scikit-learn's ``loss_curve_``
        for these epochs. For ``mse`` with several outputs that loss is the
        nncalc loss divided by the number of outputs (plus the penalty):
        scikit-learn averages its reported squared error over the outputs,
        but not its gradient (the scikit-learn chapter). For ``bce`` and
        ``cross_entropy`` it is nncalc's loss.
    """
    from sklearn.exceptions import ConvergenceWarning

    params = check_params(params)
    check_loss(loss)
    check_activation(hidden, "hidden")
    sizes = layer_sizes_of(params)
    X = check_inputs(X, sizes[0], "X")
    Y = check_targets(Y, (X.shape[0], sizes[-1]), "Y")
    if loss == "cross_entropy":        # (bce: sklearn_targets checks for labels 0/1)
        check_loss_targets(Y, loss, "Y")
    epochs = check_positive_int(epochs, "epochs")
    m = X.shape[0]
    batch = m if batch_size is None else min(check_positive_int(batch_size, "batch_size"), m)
    if callback is not None and not callable(callback):
        raise TypeError(f"callback: expected a callable or None, got {describe(callback)}")
    make = matching_mlp_regressor if loss == "mse" else matching_mlp_classifier
    model = make(tuple(sizes[1:-1]), lr=lr, epochs=epochs, batch_size=batch, hidden=hidden,
                 alpha=alpha, optimizer=optimizer, momentum=momentum, beta_1=beta_1,
                 beta_2=beta_2, epsilon=epsilon)
    y = sklearn_targets(model, Y, loss=loss)
    if loss == "cross_entropy":
        missing = np.setdiff1d(np.arange(sizes[-1]), y)
        if missing.size:
            raise ValueError(
                f"Y: expected every one of the {sizes[-1]} classes to occur (scikit-learn's "
                f"fit with warm_start refuses fewer), got no example of class(es) "
                f"{missing.tolist()}"
            )
    set_sklearn_params(model, params, X, y)      # loss_curve_ is now empty
    expected = {"mse": "identity", "bce": "logistic", "cross_entropy": "softmax"}[loss]
    if model.out_activation_ != expected:        # a guard: the data chose the output
        raise RuntimeError(
            f"scikit-learn chose the output activation {model.out_activation_!r} for these "
            f"targets, expected {expected!r} for loss={loss!r}"
        )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=ConvergenceWarning)
        if callback is None:
            model.fit(X, y)
        else:
            for epoch in range(epochs):
                model.partial_fit(X, y)
                callback(epoch, from_sklearn(model), model.loss_curve_[-1])
    return History(params=from_sklearn(model), loss=np.array(model.loss_curve_))
