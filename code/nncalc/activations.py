r"""Activation functions and their derivatives.

Each activation :math:`f` is applied element-wise, :math:`a = f(z)`
(equation ``eq-activation`` in Chapter 1, *The forward pass*). Its derivative
:math:`f'(z)` is what backpropagation multiplies by (equation ``eq-bp2`` in
Chapter 5, *Backpropagation*).

The exception is :func:`softmax` (Chapter 6, *Many classes*), which maps
each row of logits to probabilities and so couples the units of a layer:
its derivative is a Jacobian matrix (:func:`softmax_jacobian`), not an
element-wise factor. It is an output activation only.

The public functions validate their input (a finite numeric array or
number). The network code calls the unchecked versions in
:data:`FUNCTIONS` and :data:`DERIVATIVES_FROM_OUTPUT` after validating its
inputs once.
"""

from __future__ import annotations

import numpy as np

from ._validation import as_float_array, check_activation, check_output_activation

__all__ = [
    "sigmoid",
    "sigmoid_prime",
    "tanh",
    "tanh_prime",
    "relu",
    "relu_prime",
    "identity",
    "identity_prime",
    "softmax",
    "softmax_jacobian",
    "activation",
    "activation_prime",
]


# -- the unchecked element-wise functions (used in the hot path) -------------

def _sigmoid(z, out=None, errstate=True):
    # 1/(1 + e^{-z}) in four in-place passes: negate, exp, add 1, reciprocal
    # (no temporary array; on large arrays two to three times faster than
    # scipy's expit, as Chapter 8 measures). Accurate to a few ulp wherever
    # sigma(z) is a normal double (z > -708). For z < -709, e^{-z} overflows to inf and
    # 1/(1 + inf) = 0, less than 1e-308 from sigma(z): the overflow is
    # expected, so it is not reported; nor is the underflow of e^{-z} to 0
    # for z > 745 (sigma = 1). errstate=False: the caller has silenced both
    # already (the training loop, which runs under its own np.errstate), and
    # the four passes run without a second one.
    if out is None:
        out = np.empty_like(z)
    if not errstate:
        np.negative(z, out=out)
        np.exp(out, out=out)
        out += 1.0
        return np.reciprocal(out, out=out)
    with np.errstate(over="ignore", under="ignore"):
        np.negative(z, out=out)
        np.exp(out, out=out)
        out += 1.0
        return np.reciprocal(out, out=out)


def _tanh(z, out=None):
    return np.tanh(z, out=out)


def _relu(z, out=None):
    return np.maximum(z, 0.0, out=out)


def _identity(z, out=None):
    if out is None:
        return z.copy()
    if out is not z:
        out[...] = z
    return out


def _softmax(z, out=None):
    # Row-wise softmax of a 2-D array in three in-place passes (shift, exp,
    # normalise). Subtracting the row's maximum changes nothing mathematically
    # (the factor e^{-max} cancels between numerator and denominator) and makes every exponent <= 0: exp cannot overflow,
    # the largest entry of a row is exp(0) = 1, so the row sum lies in [1, K]
    # and the division is safe. Exponents below about -745 underflow to 0,
    # less than 1e-323 from the true value: expected, and NumPy ignores
    # underflow unless told otherwise (the public softmax and train make
    # sure of it). Equal logits give exp(0) = 1 everywhere and exactly the
    # rounded 1/K.
    if out is None:
        out = np.empty_like(z)
    np.subtract(z, np.maximum.reduce(z, axis=1, keepdims=True), out=out)
    np.exp(out, out=out)
    out /= np.add.reduce(out, axis=1, keepdims=True)
    return out


#: ``name -> f`` with ``f(z, out=None)``; unchecked. ``out`` may be ``z``
#: itself (the training loop overwrites Z with the activation). Softmax
#: works on the rows of a 2-D array; the others on any shape.
FUNCTIONS = {"sigmoid": _sigmoid, "tanh": _tanh, "relu": _relu, "identity": _identity,
             "softmax": _softmax}


# Derivatives written through the activation's output a = f(z). Backprop has
# a = f(z) at hand from the forward pass, so it needs no second call to exp:
#   sigmoid'(z) = a (1 - a),  tanh'(z) = 1 - a^2,  relu'(z) = [a > 0],  1.
def _sigmoid_prime_a(a):
    s = 1.0 - a
    s *= a          # a (1 - a) with one temporary array instead of two
    return s


def _tanh_prime_a(a):
    s = np.multiply(a, a, out=np.empty_like(a))
    return np.subtract(1.0, s, out=s)   # 1 - a^2 with one temporary array


def _relu_prime_a(a):
    return (a > 0).astype(np.float64)


def _identity_prime_a(a):
    return np.ones_like(a)


#: ``name -> g`` with ``f'(z) = g(f(z))``; unchecked.
DERIVATIVES_FROM_OUTPUT = {
    "sigmoid": _sigmoid_prime_a,
    "tanh": _tanh_prime_a,
    "relu": _relu_prime_a,
    "identity": _identity_prime_a,
}


# The same products delta * f'(z), written into delta, with f'(z) computed
# from a = f(z) into a scratch array of a's shape that the training loop
# allocates once: the same operations as ``delta *= DERIVATIVES_FROM_OUTPUT[
# name](a)``, so the same numbers, without a new array.
def _sigmoid_prime_a_times(a, delta, scratch):
    np.subtract(1.0, a, out=scratch)
    scratch *= a                        # a (1 - a), as _sigmoid_prime_a
    delta *= scratch


def _tanh_prime_a_times(a, delta, scratch):
    np.multiply(a, a, out=scratch)
    np.subtract(1.0, scratch, out=scratch)   # 1 - a^2, as _tanh_prime_a
    delta *= scratch


def _relu_prime_a_times(a, delta, scratch):
    # scratch is boolean here: [a > 0], which the product reads as 1.0 or 0.0
    np.greater(a, 0.0, out=scratch)
    delta *= scratch


#: ``name -> h`` with ``h(a, delta, scratch)`` doing ``delta *= f'(z)`` in place,
#: ``a = f(z)``; ``scratch`` is float64 (boolean for relu). The identity is None:
#: multiplying by its derivative, 1, changes nothing.
PRODUCTS_WITH_DERIVATIVE = {
    "sigmoid": _sigmoid_prime_a_times,
    "tanh": _tanh_prime_a_times,
    "relu": _relu_prime_a_times,
    "identity": None,
}


def _checked(z, name="z"):
    return as_float_array(z, name)


def _result(value, z_in):
    """Return a Python float for scalar input, an array otherwise."""
    return float(value) if np.ndim(z_in) == 0 else value


# -- public, validated functions -------------------------------------------

def sigmoid(z):
    r"""Logistic sigmoid :math:`\sigma(z) = 1/(1 + e^{-z})`.

    Equation ``eq-sigmoid`` (Chapter 1). Numerically stable for every finite
    input: no overflow warning, and the result lies in [0, 1] even at
    :math:`|z| = 10^4`.

    Parameters
    ----------
    z : float or array_like of any shape
        Pre-activation(s); finite real numbers.

    Returns
    -------
    float or ndarray of the shape of ``z``
    """
    arr = _checked(z)
    return _result(_sigmoid(arr), z)


def sigmoid_prime(z):
    r"""Derivative :math:`\sigma'(z) = \sigma(z)\,(1 - \sigma(z))`.

    Equation ``eq-sigmoid-prime`` (Chapter 2, *Loss functions*).

    Parameters
    ----------
    z : float or array_like of any shape

    Returns
    -------
    float or ndarray of the shape of ``z``
    """
    s = _sigmoid(_checked(z))
    return _result(_sigmoid_prime_a(s), z)


def tanh(z):
    r"""Hyperbolic tangent :math:`\tanh z`, applied element-wise.

    Parameters
    ----------
    z : float or array_like of any shape

    Returns
    -------
    float or ndarray of the shape of ``z``
    """
    return _result(_tanh(_checked(z)), z)


def tanh_prime(z):
    r"""Derivative :math:`\tanh'(z) = 1 - \tanh^2 z`.

    Parameters
    ----------
    z : float or array_like of any shape

    Returns
    -------
    float or ndarray of the shape of ``z``
    """
    return _result(_tanh_prime_a(_tanh(_checked(z))), z)


def relu(z):
    r"""Rectified linear unit :math:`\max(z, 0)`, applied element-wise.

    Parameters
    ----------
    z : float or array_like of any shape

    Returns
    -------
    float or ndarray of the shape of ``z``
    """
    return _result(_relu(_checked(z)), z)


def relu_prime(z):
    r"""Derivative of ReLU: 1 where :math:`z > 0`, else 0.

    ReLU has no derivative at :math:`z = 0`; like scikit-learn and PyTorch we
    use 0 there (a valid subgradient).

    Parameters
    ----------
    z : float or array_like of any shape

    Returns
    -------
    float or ndarray of the shape of ``z``
    """
    return _result(_relu_prime_a(_checked(z)), z)


def identity(z):
    """Identity :math:`f(z) = z` (a linear output unit).

    Parameters
    ----------
    z : float or array_like of any shape

    Returns
    -------
    float or ndarray of the shape of ``z`` (a copy)
    """
    return _result(_identity(_checked(z)), z)


def identity_prime(z):
    """Derivative of the identity: 1 everywhere.

    Parameters
    ----------
    z : float or array_like of any shape

    Returns
    -------
    float or ndarray of ones of the shape of ``z``
    """
    return _result(_identity_prime_a(_checked(z)), z)


def _logits(z, name="z"):
    """A vector (K,) or a batch (m, K) of logits, K >= 1, as a float array."""
    z = _checked(z, name)
    if z.ndim not in (1, 2) or z.shape[-1] == 0 or z.size == 0:
        raise ValueError(
            f"{name}: expected a vector of K logits (shape (K,)) or a batch with one "
            f"example per row (shape (m, K)), got shape {z.shape}"
        )
    return z


def softmax(z):
    r"""Softmax: logits to probabilities, row by row, equation ``eq-softmax``.

    .. math:: p_k = \frac{e^{z_k}}{\sum_{j=1}^{K} e^{z_j}}, \qquad k = 1, \dots, K

    For a batch ``z`` of shape (m, K) (one example per row, as everywhere
    in nncalc) each row is normalised on its own: every row of the result
    is positive and sums to 1. The computation subtracts each row's
    maximum from its logits first, which leaves the result unchanged (the
    factor :math:`e^{-\max_j z_j}` cancels) and keeps it finite and right for any
    finite logits. It is also free of warnings while the logits of each row
    differ by less than the largest double, about :math:`1.8\cdot 10^{308}`
    (so for all logits with :math:`|z| \le 8.9\cdot 10^{307}`); for rows
    spread wider, ``np.subtract`` warns of overflow (the shifted logit is
    :math:`-\infty`), and the result is still right. Equal logits give
    exactly (the rounded) :math:`1/K`. Probabilities smaller than about
    :math:`10^{-323}` come out as 0 (they underflow), silently.

    Softmax couples the units of a layer, so it is an output activation
    only (``output="softmax"`` in :func:`nncalc.forward` and
    :func:`nncalc.train`); its derivative is :func:`softmax_jacobian`.

    Parameters
    ----------
    z : array_like of shape (K,) or (m, K)
        Logits (pre-activations of the output layer); finite real numbers.

    Returns
    -------
    ndarray of the shape of ``z``
    """
    z = _logits(z)
    with np.errstate(under="ignore"):
        return _softmax(z.reshape(1, -1)).reshape(z.shape) if z.ndim == 1 else _softmax(z)


def softmax_jacobian(z):
    r"""The Jacobian of :func:`softmax`, equation ``eq-softmax-jacobian``.

    .. math:: J_{jk} = \frac{\partial p_j}{\partial z_k} = p_j([j = k] - p_k),
              \qquad J = \operatorname{diag}(p) - p\,p^\top

    (numerator layout: row ``j`` is output :math:`p_j`; the bracket
    :math:`[j = k]` is 1 if :math:`j = k` and 0 otherwise). ``J`` is
    symmetric, and every row and column sums to 0 because the
    probabilities always sum to 1.

    Parameters
    ----------
    z : array_like of shape (K,) or (m, K)
        Logits of one example, or of a batch (one example per row).

    Returns
    -------
    ndarray of shape (K, K), or (m, K, K): one Jacobian per example
    """
    z = _logits(z)
    with np.errstate(under="ignore"):
        p = _softmax(np.atleast_2d(z))
    J = -p[:, :, None] * p[:, None, :]
    idx = np.arange(p.shape[1])
    J[:, idx, idx] += p
    return J[0] if z.ndim == 1 else J


_PUBLIC = {
    "sigmoid": (sigmoid, sigmoid_prime),
    "tanh": (tanh, tanh_prime),
    "relu": (relu, relu_prime),
    "identity": (identity, identity_prime),
    "softmax": (softmax, None),
}


def activation(name):
    """The activation function called ``name``.

    Parameters
    ----------
    name : {"sigmoid", "tanh", "relu", "identity", "softmax"}

    Returns
    -------
    callable
        The validated function, e.g. :func:`sigmoid` (:func:`softmax` for
        ``"softmax"``, which works row by row).
    """
    return _PUBLIC[check_output_activation(name, "name")][0]


def activation_prime(name):
    """The derivative of the element-wise activation called ``name``.

    Parameters
    ----------
    name : {"sigmoid", "tanh", "relu", "identity"}
        Softmax has no element-wise derivative (it is a Jacobian matrix,
        :func:`softmax_jacobian`): ``"softmax"`` raises ``ValueError``.

    Returns
    -------
    callable
        The validated derivative, e.g. :func:`sigmoid_prime`.
    """
    if name == "softmax":
        raise ValueError(
            "name: expected one of ('sigmoid', 'tanh', 'relu', 'identity'), got 'softmax': "
            "softmax couples the units of a row, so its derivative is not element-wise; "
            "use nncalc.softmax_jacobian(z) for the Jacobian"
        )
    return _PUBLIC[check_activation(name, "name")][1]
