r"""A feed-forward network of any depth: parameters, forward pass, backpropagation.

Conventions (the book's notation table):

* layer ``l`` has ``n_l`` units; ``W_l`` has shape ``(n_l, n_{l-1})`` and
  ``b_l`` shape ``(n_l,)``, so one example (a column vector) maps as
  :math:`z = W a + b`;
* a batch stores examples as **rows**, so the batched code is
  ``Z = A_prev @ W.T + b`` (equation ``eq-layer-batch``);
* losses are means over the batch, so :math:`\Delta^{(l)} = \partial \mathcal L /
  \partial Z^{(l)}` already carries the factor :math:`1/m`.

Parameters live in a plain dict ``{"W1": ..., "b1": ..., "W2": ..., ...}``.
Public functions validate their arguments; the ``_`` functions below them do
the arithmetic and are what :func:`train` loops over.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np

from . import activations as act
from . import losses
from ._validation import (
    check_activation,
    check_inputs,
    check_layer_sizes,
    check_loss,
    check_nonnegative_number,
    check_params,
    check_positive_int,
    check_positive_number,
    check_probability_targets,
    check_same_structure,
    check_targets,
    describe,
    layer_sizes_of,
)

__all__ = [
    "init_params",
    "forward",
    "backward",
    "sgd_step",
    "l2_penalty",
    "train",
    "History",
    "n_layers",
]


def n_layers(params) -> int:
    """Number of layers with weights, ``L`` (the 2-2-1 network has ``L = 2``)."""
    return len(check_params(params)) // 2


# -- initialisation ---------------------------------------------------------------

def init_params(layer_sizes, seed=0):
    r"""Random initial parameters for a network with the given layer sizes.

    Weights are drawn from the Glorot (Xavier) uniform distribution,
    :math:`W^{(l)}_{jk} \sim U(-r, r)` with
    :math:`r = \sqrt{6/(n_{l-1} + n_l)}`, which keeps the variance of the
    signals roughly constant from layer to layer; biases start at 0.
    Chapter 6, *Training*, explains why the weights must not all be equal.

    Parameters
    ----------
    layer_sizes : sequence of int, length L + 1 >= 2
        ``[n_0, n_1, ..., n_L]``: inputs, hidden layers, outputs. For the
        course's 2-2-1 network, ``[2, 2, 1]``.
    seed : int or None, default 0
        Seed of ``numpy.random.default_rng``; the same seed gives the same
        parameters.

    Returns
    -------
    dict
        ``{"W1": (n_1, n_0), "b1": (n_1,), ..., "WL": (n_L, n_{L-1}), "bL": (n_L,)}``.
    """
    sizes = check_layer_sizes(layer_sizes)
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
        raise TypeError(f"seed: expected an integer or None, got {describe(seed)}")
    rng = np.random.default_rng(seed)
    params = {}
    for l in range(1, len(sizes)):
        fan_in, fan_out = sizes[l - 1], sizes[l]
        r = np.sqrt(6.0 / (fan_in + fan_out))
        params[f"W{l}"] = rng.uniform(-r, r, size=(fan_out, fan_in))
        params[f"b{l}"] = np.zeros(fan_out)
    return params


# -- forward pass -----------------------------------------------------------------

def _forward(params, X, hidden, output, keep_z=True):
    """Unchecked forward pass. Returns (A_L, cache).

    With ``keep_z=False`` (the training loop) each activation overwrites its
    pre-activation in place and the cache holds only the ``A``'s, which is
    all that backpropagation reads.
    """
    L = len(params) // 2
    cache = {"A0": X, "hidden": hidden, "output": output, "L": L}
    A = X
    for l in range(1, L + 1):
        Z = A @ params[f"W{l}"].T          # (m, n_{l-1}) @ (n_{l-1}, n_l)
        Z += params[f"b{l}"]               # the bias row is added to every example
        f = act.FUNCTIONS[hidden if l < L else output]
        if keep_z:
            cache[f"Z{l}"] = Z
            A = f(Z)
        else:
            A = f(Z, out=Z)
        cache[f"A{l}"] = A
    return A, cache


def forward(params, X, hidden="sigmoid", output="identity"):
    r"""Forward pass of a batch through the network, equation ``eq-layer-batch``.

    For :math:`l = 1, \dots, L`:

    .. math:: Z^{(l)} = A^{(l-1)} W^{(l)\top} + \mathbf 1\, b^{(l)\top}, \qquad
              A^{(l)} = f_l(Z^{(l)}), \qquad A^{(0)} = X,

    with :math:`f_l` = ``hidden`` for :math:`l < L` and ``output`` for the
    last layer.

    Parameters
    ----------
    params : dict
        ``{"W1", "b1", ..., "WL", "bL"}`` as returned by :func:`init_params`.
    X : array_like of shape (m, n_0)
        Inputs, one example per row (``m >= 1``).
    hidden : {"sigmoid", "tanh", "relu", "identity"}, default "sigmoid"
        Activation of the hidden layers.
    output : {"sigmoid", "tanh", "relu", "identity"}, default "identity"
        Activation of the output layer.

    Returns
    -------
    y_hat : ndarray of shape (m, n_L)
        The network's output :math:`A^{(L)}`.
    cache : dict
        Everything backpropagation needs: ``"A0"`` (= X), ``"Z1"``, ``"A1"``,
        ..., ``"ZL"``, ``"AL"`` (arrays of shape (m, n_l)), and the entries
        ``"hidden"``, ``"output"`` and ``"L"``.
    """
    params = check_params(params)
    check_activation(hidden, "hidden")
    check_activation(output, "output")
    X = check_inputs(X, params["W1"].shape[1], "X")
    return _forward(params, X, hidden, output)


# -- backward pass ----------------------------------------------------------------

def _backward(params, cache, Y, loss, alpha=0.0, ones=None):
    """Unchecked backpropagation. Returns the gradient dict.

    ``ones`` is the column of m ones of eq-bp3; the training loop passes one
    it allocates once.
    """
    L = cache["L"]
    m = Y.shape[0]
    if ones is None:
        ones = np.ones(m)
    hidden_prime = act.DERIVATIVES_FROM_OUTPUT[cache["hidden"]]
    delta = losses._output_delta(cache[f"A{L}"], Y, loss, cache["output"])  # eq-bp1
    grads = dict.fromkeys(params)  # the keys in the order of params: W1, b1, ...
    for l in range(L, 0, -1):
        W, A_prev = params[f"W{l}"], cache[f"A{l - 1}"]
        grads[f"W{l}"] = delta.T @ A_prev                       # eq-bp4
        if alpha:
            grads[f"W{l}"] += (alpha / m) * W                   # eq-l2-grad
        # eq-bp3, Delta^T 1, computed as the row 1^T Delta: a matrix-vector
        # product, faster than delta.sum(axis=0) (Chapter 7 measures it)
        grads[f"b{l}"] = ones @ delta
        if l > 1:
            delta = delta @ W                                   # eq-bp2
            delta *= hidden_prime(A_prev)
    return grads


def _check_cache(cache, params):
    if not isinstance(cache, dict) or "L" not in cache or "A0" not in cache:
        raise TypeError(
            "cache: expected the dict returned by nncalc.forward, got "
            f"{describe(cache)}"
        )
    L = len(params) // 2
    if cache["L"] != L:
        raise ValueError(
            f"cache: expected a cache from a {L}-layer network (to match params), "
            f"got one from a {cache['L']}-layer network"
        )
    sizes = layer_sizes_of(params)
    m = cache["A0"].shape[0]
    for l in range(L + 1):
        A = cache.get(f"A{l}")
        if not isinstance(A, np.ndarray) or A.shape != (m, sizes[l]):
            raise ValueError(
                f"cache['A{l}']: expected an array of shape ({m}, {sizes[l]}) to "
                f"match params, got {describe(A)}; pass the cache that "
                "nncalc.forward returned for these params"
            )
    check_activation(cache.get("hidden"), "cache['hidden']")
    check_activation(cache.get("output"), "cache['output']")


def backward(params, cache, Y, loss="mse", alpha=0.0):
    r"""Gradients of the loss with respect to every parameter (backpropagation).

    Starting from the output error (equation ``eq-bp1``)
    :math:`\Delta^{(L)} = \partial \mathcal L/\partial \hat Y \odot f'(Z^{(L)})`,
    for :math:`l = L, \dots, 1` (Chapter 5):

    .. math::
        \frac{\partial \mathcal L}{\partial W^{(l)}} = \Delta^{(l)\top} A^{(l-1)}, \quad
        \frac{\partial \mathcal L}{\partial b^{(l)}} = \Delta^{(l)\top}\mathbf 1, \quad
        \Delta^{(l-1)} = \big(\Delta^{(l)} W^{(l)}\big) \odot f'(Z^{(l-1)})

    (equations ``eq-bp4``, ``eq-bp3``, ``eq-bp2``). With ``alpha > 0`` the
    L2 penalty of :func:`l2_penalty` is included: every weight gradient
    gains :math:`(\alpha/m) W^{(l)}`; biases are not penalised.

    Every loss/activation pair is handled: the matching pairs (``mse`` with
    an ``identity`` output, ``bce`` with a ``sigmoid`` output) use the
    simplification :math:`\Delta^{(L)} = (\hat Y - Y)/m`, the others the
    general product (see :func:`nncalc.output_delta`). ReLU's derivative at
    0 is taken as 0.

    Parameters
    ----------
    params : dict
        The parameters the forward pass used.
    cache : dict
        The cache returned by :func:`forward` for these parameters.
    Y : array_like of shape (m, n_L); (m,) accepted when n_L = 1
        Targets. For ``bce`` they must lie in [0, 1].
    loss : {"mse", "bce"}, default "mse"
    alpha : float >= 0, default 0
        L2 regularisation strength (scikit-learn's ``alpha``).

    Returns
    -------
    dict
        Same keys and shapes as ``params``: ``grads["W1"]`` is
        :math:`\partial \mathcal L/\partial W^{(1)}`, and so on.
    """
    params = check_params(params)
    check_loss(loss)
    alpha = check_nonnegative_number(alpha, "alpha")
    _check_cache(cache, params)
    L = cache["L"]
    Y = check_targets(Y, cache[f"A{L}"].shape, "Y")
    if loss == "bce":
        check_probability_targets(Y, "Y")
    return _backward(params, cache, Y, loss, alpha)


def l2_penalty(params, alpha, m):
    r"""The L2 penalty scikit-learn adds to the loss, equation ``eq-l2``.

    .. math:: \frac{\alpha}{2m} \sum_l \lVert W^{(l)} \rVert_F^2

    The biases are not penalised; ``m`` is the number of examples in the
    batch the loss is averaged over.

    Parameters
    ----------
    params : dict
    alpha : float >= 0
    m : int >= 1

    Returns
    -------
    float
    """
    params = check_params(params)
    alpha = check_nonnegative_number(alpha, "alpha")
    m = check_positive_int(m, "m")
    return _l2_penalty(params, alpha, m)


def _l2_penalty(params, alpha, m):
    if not alpha:
        return 0.0
    L = len(params) // 2
    total = sum(float(np.vdot(params[f"W{l}"], params[f"W{l}"])) for l in range(1, L + 1))
    return 0.5 * alpha * total / m


# -- the update -------------------------------------------------------------------

def sgd_step(params, grads, lr):
    r"""One gradient-descent step, equation ``eq-sgd-update``.

    .. math:: \theta \leftarrow \theta - \eta\, \frac{\partial \mathcal L}{\partial \theta}
              \quad \text{for every parameter } \theta

    Parameters
    ----------
    params : dict
    grads : dict
        Same keys and shapes as ``params`` (as returned by :func:`backward`).
    lr : float > 0
        The learning rate :math:`\eta`.

    Returns
    -------
    dict
        New parameters; ``params`` and ``grads`` are not modified.
    """
    params = check_params(params)
    grads = check_same_structure(grads, params, "grads")
    lr = check_positive_number(lr, "lr")
    return {k: params[k] - lr * grads[k] for k in params}


# -- training ---------------------------------------------------------------------

@dataclass
class History:
    """What :func:`train` returns.

    Attributes
    ----------
    params : dict
        The parameters after the last epoch.
    loss : ndarray of shape (epochs run,)
        ``loss[e]`` is the mean over epoch ``e``'s batches of the loss
        (plus the L2 penalty) each batch had *before* its update, weighted by
        the batch sizes. For full-batch training it is the loss at the
        start of the epoch. This is scikit-learn's ``loss_curve_``.
    diverged : bool
        True when training stopped early because the loss or a parameter
        stopped being a finite number (the learning rate was too large);
        ``loss`` then ends with the first non-finite value.
    """

    params: dict
    loss: np.ndarray = field(repr=False)
    diverged: bool = False

    def __repr__(self):
        sizes = layer_sizes_of(self.params)
        return (
            f"History(layer_sizes={sizes}, epochs={len(self.loss)}, "
            f"final loss={self.loss[-1]:.6g}{', diverged' if self.diverged else ''})"
        )


def train(
    params,
    X,
    Y,
    epochs,
    lr,
    loss="mse",
    hidden="sigmoid",
    output="identity",
    batch_size=None,
    alpha=0.0,
    callback=None,
):
    r"""Train with (mini-batch) gradient descent: forward, backward, update.

    Each epoch walks through the examples in their given order (no
    shuffling) in batches of ``batch_size`` consecutive rows; the last batch
    of an epoch may be smaller. For every batch it computes the loss, the
    gradients (:func:`backward`) and one update (equation
    ``eq-sgd-update``). With ``batch_size=None`` every epoch is one full-batch
    step.

    The arguments are validated once; the loop then runs on unchecked
    internals and updates its own copy of the parameters in place, so the
    caller's ``params`` are never modified.

    Parameters
    ----------
    params : dict
        Initial parameters.
    X : array_like of shape (m, n_0)
    Y : array_like of shape (m, n_L); (m,) accepted when n_L = 1
    epochs : int >= 1
    lr : float > 0
        Learning rate :math:`\eta`.
    loss : {"mse", "bce"}, default "mse"
    hidden, output : {"sigmoid", "tanh", "relu", "identity"}
        Hidden and output activations (defaults "sigmoid" and "identity").
    batch_size : int >= 1 or None, default None
        Examples per update; None (or any value >= m) means the full batch.
    alpha : float >= 0, default 0
        L2 regularisation strength (see :func:`l2_penalty`).
    callback : callable or None
        Called as ``callback(epoch, params, loss)`` after every epoch with
        the epoch's index, a copy of the current parameters and the epoch's
        loss; use it to record snapshots.

    Returns
    -------
    History
        ``history.params`` (final parameters) and ``history.loss`` (one
        value per epoch).

    Warns
    -----
    RuntimeWarning
        When the loss or the parameters overflow to infinity or NaN, which
        happens when the learning rate is too large: training stops at that
        epoch, ``history.diverged`` is True and the warning says which epoch.
        NumPy's own overflow warnings are suppressed inside the loop, so this
        is the only message.
    """
    params = check_params(params)
    check_loss(loss)
    check_activation(hidden, "hidden")
    check_activation(output, "output")
    X = check_inputs(X, params["W1"].shape[1], "X")
    Y = check_targets(Y, (X.shape[0], params[f"W{len(params) // 2}"].shape[0]), "Y")
    if loss == "bce":
        check_probability_targets(Y, "Y")
    epochs = check_positive_int(epochs, "epochs")
    lr = check_positive_number(lr, "lr")
    alpha = check_nonnegative_number(alpha, "alpha")
    m = X.shape[0]
    batch = m if batch_size is None else min(check_positive_int(batch_size, "batch_size"), m)
    if callback is not None and not callable(callback):
        raise TypeError(f"callback: expected a callable or None, got {describe(callback)}")

    params = {k: v.copy() for k, v in params.items()}  # ours to update in place
    loss_fn = losses._LOSSES[loss]
    history = np.empty(epochs)
    batches = [(X[s:s + batch], Y[s:s + batch]) for s in range(0, m, batch)]  # views
    ones = np.ones(batch)
    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(epochs):
            total = 0.0
            for Xb, Yb in batches:
                mb = Xb.shape[0]
                y_hat, cache = _forward(params, Xb, hidden, output, keep_z=False)
                total += (loss_fn(y_hat, Yb) + _l2_penalty(params, alpha, mb)) * mb
                grads = _backward(params, cache, Yb, loss, alpha, ones[:mb])
                for k, g in grads.items():                      # eq-sgd-update,
                    g *= lr                                     # in place
                    params[k] -= g
            history[epoch] = total / m
            if not (math.isfinite(total) and _all_finite(params)):
                warnings.warn(
                    f"training diverged at epoch {epoch}: the loss or the parameters are "
                    f"no longer finite numbers; try a smaller learning rate than lr={lr:g}",
                    RuntimeWarning, stacklevel=2)
                return History(params=params, loss=history[:epoch + 1], diverged=True)
            if callback is not None:
                callback(epoch, {k: v.copy() for k, v in params.items()}, history[epoch])
    return History(params=params, loss=history)


def _all_finite(params):
    # the sum of an array is finite only if every entry is: one cheap pass
    # (np.add.reduce is np.sum without its Python-level dispatch)
    return all(math.isfinite(np.add.reduce(v, axis=None)) for v in params.values())
