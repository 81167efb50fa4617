r"""Loss functions, their derivatives, and the output error :math:`\Delta^{(L)}`.

Both losses are means over the batch of ``m`` examples and sums over the
``n_L`` outputs (Chapter 2, *Loss functions*):

* ``mse``: :math:`\mathcal L = \frac{1}{2m}\sum_i \lVert \hat y_i - y_i \rVert^2`
  (equation ``eq-mse``), scikit-learn's ``squared_error`` for one output;
* ``bce``: :math:`\mathcal L = -\frac1m \sum_i \sum_k \big(y_{ik}\log \hat y_{ik}
  + (1-y_{ik})\log(1-\hat y_{ik})\big)` (equation ``eq-bce``),
  scikit-learn's binary ``log_loss``, with :math:`\hat y` clipped to
  :math:`[\varepsilon, 1-\varepsilon]`, :math:`\varepsilon` = machine epsilon.
"""

from __future__ import annotations

import numpy as np

from . import activations as act
from ._validation import (
    as_float_array,
    check_activation,
    check_loss,
    check_probability_targets,
    check_targets,
)

__all__ = ["mse", "bce", "mse_prime", "bce_prime", "loss_value", "output_delta", "EPS"]

#: Clipping threshold of :func:`bce` (float64 machine epsilon, as scikit-learn).
EPS = np.finfo(np.float64).eps


# -- unchecked kernels --------------------------------------------------------

def _mse(y_hat, Y):
    diff = y_hat - Y
    return 0.5 * float(np.vdot(diff, diff)) / y_hat.shape[0]


def _bce(y_hat, Y):
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


_LOSSES = {"mse": _mse, "bce": _bce}
_LOSS_PRIMES = {"mse": _mse_prime, "bce": _bce_prime}


def _output_delta(y_hat, Y, loss, output):
    """Delta^(L) = dL/dZ^(L) from the output activations y_hat = f(Z^(L))."""
    if (loss, output) in (("mse", "identity"), ("bce", "sigmoid")):
        # The matching pairs: f'(z) cancels the loss's denominator exactly.
        delta = y_hat - Y
        delta /= y_hat.shape[0]     # in place: (y_hat - Y)/m without a second array
        return delta
    return _LOSS_PRIMES[loss](y_hat, Y) * act.DERIVATIVES_FROM_OUTPUT[output](y_hat)


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
    if loss == "bce":
        check_probability_targets(Y, "Y")
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


def loss_value(name, y_hat, Y):
    """Evaluate the loss called ``name`` (``"mse"`` or ``"bce"``)."""
    check_loss(name, "name")
    return _LOSSES[name](*_check_pair(y_hat, Y, name))


def output_delta(y_hat, Y, loss="mse", output="identity"):
    r"""Error at the output layer, :math:`\Delta^{(L)} = \partial \mathcal L/\partial Z^{(L)}`.

    Equation ``eq-bp1`` (Chapter 5): the loss's derivative times the output
    activation's derivative, element-wise,

    .. math:: \Delta^{(L)} = \frac{\partial \mathcal L}{\partial \hat Y} \odot f'(Z^{(L)}).

    For the matching pairs (``mse`` with ``identity``, ``bce`` with
    ``sigmoid``) this is exactly :math:`(\hat Y - Y)/m` (Chapter 2). For
    ``bce`` with ``sigmoid`` that is the derivative of the unclipped loss,
    which is what scikit-learn uses too; the two differ only where a
    probability is within :data:`EPS` of 0 or 1.

    Parameters
    ----------
    y_hat : array_like of shape (m, n_L)
        The network's output :math:`A^{(L)} = f(Z^{(L)})`.
    Y : array_like of the shape of ``y_hat``; (m,) accepted when n_L = 1
    loss : {"mse", "bce"}
    output : {"sigmoid", "tanh", "relu", "identity"}
        The output activation that produced ``y_hat``.

    Returns
    -------
    ndarray of shape (m, n_L)
    """
    check_loss(loss)
    check_activation(output, "output")
    y_hat, Y = _check_pair(y_hat, Y, loss)
    return _output_delta(y_hat, Y, loss, output)
