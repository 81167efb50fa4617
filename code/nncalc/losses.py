r"""Loss functions, their derivatives, and the output error :math:`\Delta^{(L)}`.

The losses are means over the batch of ``m`` examples and sums over the
``n_L`` outputs (Chapter 2, *Loss functions*; Chapter 6, *Many classes*):

* ``mse``: :math:`\mathcal L = \frac{1}{2m}\sum_i \lVert \hat y_i - y_i \rVert^2`
  (equation ``eq-mse``), scikit-learn's ``squared_error`` for one output;
* ``bce``: :math:`\mathcal L = -\frac1m \sum_i \sum_k \big(y_{ik}\log \hat y_{ik}
  + (1-y_{ik})\log(1-\hat y_{ik})\big)` (equation ``eq-bce``),
  scikit-learn's binary ``log_loss``, with :math:`\hat y` clipped to
  :math:`[\varepsilon, 1-\varepsilon]`, :math:`\varepsilon` = machine epsilon;
* ``cross_entropy``: :math:`\mathcal L = -\frac1m \sum_i \sum_k y_{ik}\log p_{ik}`
  (equation ``eq-cross-entropy``) for one-hot (or probability) target rows
  and a softmax output :math:`P = \hat Y`, scikit-learn's multi-class
  ``log_loss``, with the same clipping.

:func:`one_hot` turns integer class labels into the one-hot rows that
``cross_entropy`` expects.
"""

from __future__ import annotations

import numpy as np

from . import activations as act
from ._validation import (
    as_float_array,
    check_loss,
    check_loss_targets,
    check_output_activation,
    check_positive_int,
    check_softmax_width,
    check_targets,
    describe,
)

__all__ = ["mse", "bce", "cross_entropy", "mse_prime", "bce_prime", "cross_entropy_prime",
           "one_hot", "loss_value", "output_delta", "EPS"]

#: Clipping threshold of :func:`bce` and :func:`cross_entropy` (float64
#: machine epsilon, as scikit-learn's ``log_loss`` in the MLP and in
#: ``sklearn.metrics``).
EPS = np.finfo(np.float64).eps


# -- unchecked kernels --------------------------------------------------------

# The losses take an optional ``out``, an array of the shape of y_hat they may
# use as scratch (the training loop passes one it allocates once); the result
# is the same with or without it.

def _mse(y_hat, Y, out=None):
    diff = np.subtract(y_hat, Y, out=out)
    return 0.5 * float(np.vdot(diff, diff)) / y_hat.shape[0]


def _bce(y_hat, Y, out=None):
    p = np.clip(y_hat, EPS, 1.0 - EPS)
    total = np.sum(Y * np.log(p) + (1.0 - Y) * np.log1p(-p))
    return -float(total) / y_hat.shape[0]


def _mse_prime(y_hat, Y):
    return (y_hat - Y) / y_hat.shape[0]


def _bce_prime(y_hat, Y):
    # d/dp of -(y log p + (1-y) log(1-p)) is (p - y) / (p (1 - p)). Where the
    # clip is active the loss is flat in y_hat, so the derivative is 0.
    p = np.clip(y_hat, EPS, 1.0 - EPS)
    inside = (y_hat > EPS) & (y_hat < 1.0 - EPS)
    return np.where(inside, (p - Y) / (p * (1.0 - p)), 0.0) / y_hat.shape[0]


def _cross_entropy(y_hat, Y, out=None):
    # -sum_ik y_ik log p_ik / m with p clipped to [eps, 1 - eps], as
    # scikit-learn's log_loss (its xlogy(y, p) is y log p here: p > 0).
    # The clip as two ufunc calls: np.clip's result, without its Python
    # wrapper (this runs once per batch in train).
    p = np.maximum(y_hat, EPS, out=out)
    np.minimum(p, 1.0 - EPS, out=p)
    np.log(p, out=p)
    return -float(np.vdot(Y, p)) / y_hat.shape[0]


def _cross_entropy_prime(y_hat, Y):
    # d/dp_ik of -y_ik log p_ik is -y_ik / p_ik; 0 where the clip is active
    p = np.clip(y_hat, EPS, 1.0 - EPS)
    inside = (y_hat > EPS) & (y_hat < 1.0 - EPS)
    return np.where(inside, -Y / p, 0.0) / y_hat.shape[0]


_LOSSES = {"mse": _mse, "bce": _bce, "cross_entropy": _cross_entropy}
_LOSS_PRIMES = {"mse": _mse_prime, "bce": _bce_prime, "cross_entropy": _cross_entropy_prime}

#: The loss/output pairs whose output error is exactly (Y_hat - Y)/m.
MATCHING_PAIRS = (("mse", "identity"), ("bce", "sigmoid"), ("cross_entropy", "softmax"))


def _softmax_vjp(P, G):
    """P * (G - (G * P) 1 1^T): G times the softmax Jacobian of every row
    (eq-softmax-jacobian; the Jacobian is symmetric, so this product from the
    left is also its Jacobian-vector product)."""
    s = np.einsum("ij,ij->i", G, P)          # (G * P) 1: one number per row
    delta = G - s[:, None]                   # ... times 1^T, subtracted from G
    delta *= P
    return delta


def _output_delta(y_hat, Y, loss, output):
    """Delta^(L) = dL/dZ^(L) from the output activations y_hat = f(Z^(L))."""
    if (loss, output) in MATCHING_PAIRS:
        # The matching pairs: f'(z) (for softmax, its Jacobian) cancels the
        # loss's derivative exactly: eq-bp1 simplified, eq-softmax-ce-delta.
        delta = y_hat - Y
        delta /= y_hat.shape[0]     # in place: (y_hat - Y)/m without a second array
        return delta
    G = _LOSS_PRIMES[loss](y_hat, Y)
    if output == "softmax":
        return _softmax_vjp(y_hat, G)
    G *= act.DERIVATIVES_FROM_OUTPUT[output](y_hat)
    return G


# -- validation ---------------------------------------------------------------

def _check_pair(y_hat, Y, loss):
    y_hat = as_float_array(y_hat, "y_hat")
    if y_hat.ndim == 1:
        y_hat = y_hat.reshape(-1, 1)
    if y_hat.ndim != 2 or y_hat.shape[0] == 0 or y_hat.shape[1] == 0:
        raise ValueError(
            "y_hat: expected a non-empty array of shape (m, n_L) (or a 1-D array "
            f"of length m for one output), got shape {y_hat.shape}"
        )
    Y = check_targets(Y, y_hat.shape, "Y")
    check_loss_targets(Y, loss, "Y")
    return y_hat, Y


# -- public functions -----------------------------------------------------------

def mse(y_hat, Y):
    r"""Mean squared error with the factor 1/2, equation ``eq-mse``.

    .. math:: \mathcal L = \frac{1}{2m}\sum_{i=1}^m \lVert \hat y_i - y_i \rVert^2

    Parameters
    ----------
    y_hat : array_like of shape (m, n_L), or (m,) for one output
        Predictions, one example per row.
    Y : array_like of the shape of ``y_hat``; (m,) accepted when n_L = 1
        Targets.

    Returns
    -------
    float
    """
    return _mse(*_check_pair(y_hat, Y, "mse"))


def bce(y_hat, Y):
    r"""Binary cross-entropy (log-loss), equation ``eq-bce``.

    .. math:: \mathcal L = -\frac1m \sum_{i=1}^m \sum_{k=1}^{n_L}
              \big(y_{ik} \log \hat y_{ik} + (1 - y_{ik}) \log (1 - \hat y_{ik})\big)

    ``y_hat`` is clipped to :math:`[\varepsilon, 1 - \varepsilon]` with
    :math:`\varepsilon` = :data:`EPS` before the logarithms, exactly as
    scikit-learn's ``log_loss`` does, so a prediction of exactly 0 or 1 (or
    outside [0, 1]) gives a large but finite loss.

    Parameters
    ----------
    y_hat : array_like of shape (m, n_L), or (m,) for one output
        Predicted probabilities.
    Y : array_like of the shape of ``y_hat``; (m,) accepted when n_L = 1
        Targets in [0, 1] (usually labels 0 or 1).

    Returns
    -------
    float
    """
    return _bce(*_check_pair(y_hat, Y, "bce"))


def mse_prime(y_hat, Y):
    r"""Derivative of :func:`mse` with respect to the prediction, ``eq-mse-grad``.

    .. math:: \frac{\partial \mathcal L}{\partial \hat Y} = \frac1m (\hat Y - Y)

    Returns
    -------
    ndarray of shape (m, n_L)
    """
    return _mse_prime(*_check_pair(y_hat, Y, "mse"))


def bce_prime(y_hat, Y):
    r"""Derivative of :func:`bce` with respect to the prediction, ``eq-bce-grad``.

    .. math:: \frac{\partial \mathcal L}{\partial \hat Y} =
              \frac1m \frac{\hat Y - Y}{\hat Y \odot (1 - \hat Y)}

    Where the clip of :func:`bce` is active (``y_hat`` outside
    :math:`(\varepsilon, 1-\varepsilon)`) the loss does not change with
    ``y_hat`` and the derivative returned is 0.

    Returns
    -------
    ndarray of shape (m, n_L)
    """
    return _bce_prime(*_check_pair(y_hat, Y, "bce"))


def cross_entropy(y_hat, Y):
    r"""Cross-entropy of probabilities and one-hot targets, equation ``eq-cross-entropy``.

    .. math:: \mathcal L = -\frac1m \sum_{i=1}^m \sum_{k=1}^{K} y_{ik} \log p_{ik}

    the mean over the rows of :math:`-\sum_k y_{ik} \log p_{ik}`, which
    for a one-hot row is :math:`-\log` of the probability given to the
    right class. ``y_hat`` (the probabilities :math:`P`, usually a softmax
    output) is clipped to :math:`[\varepsilon, 1 - \varepsilon]` with
    :math:`\varepsilon` = :data:`EPS` before the logarithm, as
    scikit-learn clips in ``sklearn.metrics.log_loss`` and in its
    ``MLPClassifier`` (scikit-learn 1.9: machine epsilon of the dtype, no
    renormalisation of the rows afterwards); so a probability of exactly 0
    for the right class gives a large but finite loss,
    :math:`-\log\varepsilon \approx 36`. The value equals
    ``sklearn.metrics.log_loss(labels, y_hat, labels=range(K))`` for rows
    that sum to 1.

    Parameters
    ----------
    y_hat : array_like of shape (m, K)
        Predicted probabilities, one example per row.
    Y : array_like of shape (m, K)
        Targets: one-hot rows (:func:`one_hot`), or probability rows
        (entries in [0, 1], each row summing to 1 within
        :math:`1.5 \cdot 10^{-8}`). Integer labels of shape (m,) are
        refused with a pointer to :func:`one_hot`.

    Returns
    -------
    float
    """
    return _cross_entropy(*_check_pair(y_hat, Y, "cross_entropy"))


def cross_entropy_prime(y_hat, Y):
    r"""Derivative of :func:`cross_entropy` with respect to the probabilities.

    .. math:: \frac{\partial \mathcal L}{\partial P} = -\frac1m\, Y \oslash P

    (element-wise division). Where the clip of :func:`cross_entropy` is
    active (``y_hat`` outside :math:`(\varepsilon, 1-\varepsilon)`) the
    loss does not change with ``y_hat`` and the derivative returned is 0.
    Multiplied by the softmax Jacobian (:func:`nncalc.output_delta`) it
    gives :math:`(P - Y)/m`, equation ``eq-softmax-ce-delta``.

    Returns
    -------
    ndarray of shape (m, K)
    """
    return _cross_entropy_prime(*_check_pair(y_hat, Y, "cross_entropy"))


def one_hot(labels, n_classes):
    r"""Integer class labels as one-hot rows: the targets of :func:`cross_entropy`.

    Row ``i`` of the result is 1 in column ``labels[i]`` and 0 elsewhere,
    :math:`y_{ik} = [\,k = \text{labels}_i\,]` (classes numbered from 0,
    as in NumPy and scikit-learn).

    Parameters
    ----------
    labels : array_like of shape (m,)
        Class labels, integers in ``0, ..., n_classes - 1`` (floats are
        accepted when they are whole numbers, e.g. ``Y.ravel()`` of a 0/1
        column). Anything else is a ``ValueError`` (or ``TypeError`` for
        non-numbers): nothing is rounded or clipped.
    n_classes : int >= 1
        The number of classes :math:`K` (given, not read off the labels, so
        that a batch that lacks the last class keeps its K columns).

    Returns
    -------
    ndarray of shape (m, n_classes), float64
    """
    n_classes = check_positive_int(n_classes, "n_classes")
    labels = _check_labels(labels, n_classes, "labels")
    Y = np.zeros((labels.size, n_classes))
    Y[np.arange(labels.size), labels] = 1.0
    return Y


def _check_labels(labels, n_classes, name):
    """Integer class labels in 0, ..., n_classes - 1 as a 1-D intp array."""
    if isinstance(labels, (str, bytes)) or labels is None:
        raise TypeError(f"{name}: expected integer class labels, got {describe(labels)}")
    arr = np.asarray(labels)
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"{name}: expected integer class labels, got an array of dtype {arr.dtype}")
    if arr.ndim != 1 or arr.size == 0:
        hint = " (use .ravel() for a column)" if arr.ndim == 2 and 1 in arr.shape else ""
        raise ValueError(
            f"{name}: expected a non-empty 1-D array of class labels, shape (m,), got "
            f"shape {arr.shape}{hint}")
    if arr.dtype.kind == "f":
        bad = ~np.isfinite(arr) | (arr != np.round(arr))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"{name}: expected integer class labels, got {int(bad.sum())} value(s) that "
                f"are not whole numbers ({name}[{i}] = {arr[i].item()!r})")
    bad = (arr < 0) | (arr >= n_classes)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"{name}: expected labels in 0, ..., {n_classes - 1} for {n_classes} classes, "
            f"got {int(bad.sum())} outside that range ({name}[{i}] = {arr[i].item()!r})")
    return arr.astype(np.intp)


def loss_value(name, y_hat, Y):
    """Evaluate the loss called ``name`` (``"mse"``, ``"bce"`` or ``"cross_entropy"``)."""
    check_loss(name, "name")
    return _LOSSES[name](*_check_pair(y_hat, Y, name))


def output_delta(y_hat, Y, loss="mse", output="identity"):
    r"""Error at the output layer, :math:`\Delta^{(L)} = \partial \mathcal L/\partial Z^{(L)}`.

    Equation ``eq-bp1`` (Chapter 5): for an element-wise output activation,
    the loss's derivative times the activation's derivative, element-wise,

    .. math:: \Delta^{(L)} = \frac{\partial \mathcal L}{\partial \hat Y} \odot f'(Z^{(L)}).

    For a softmax output (Chapter 6) the units of a row are coupled and the
    derivative :math:`G = \partial \mathcal L/\partial P` is multiplied by
    the softmax Jacobian of each row (equation ``eq-softmax-jacobian``),

    .. math:: \Delta^{(L)} = P \odot \big(G - (G \odot P)\,\mathbf 1 \mathbf 1^\top\big),

    never by a diagonal shortcut. For the matching pairs (``mse`` with
    ``identity``, ``bce`` with ``sigmoid``, ``cross_entropy`` with
    ``softmax``) all of this is exactly :math:`(\hat Y - Y)/m` (Chapter 2;
    equation ``eq-softmax-ce-delta``). For ``bce`` and ``cross_entropy``
    that is the derivative of the unclipped loss, which is what
    scikit-learn uses too; the two differ only where a probability is
    within :data:`EPS` of 0 or 1.

    Parameters
    ----------
    y_hat : array_like of shape (m, n_L)
        The network's output :math:`A^{(L)} = f(Z^{(L)})`.
    Y : array_like of the shape of ``y_hat``; (m,) accepted when n_L = 1
    loss : {"mse", "bce", "cross_entropy"}
    output : {"sigmoid", "tanh", "relu", "identity", "softmax"}
        The output activation that produced ``y_hat``; ``"softmax"`` needs
        n_L >= 2.

    Returns
    -------
    ndarray of shape (m, n_L)
    """
    check_loss(loss)
    check_output_activation(output, "output")
    y_hat, Y = _check_pair(y_hat, Y, loss)
    check_softmax_width(output, y_hat.shape[1])
    return _output_delta(y_hat, Y, loss, output)
