r"""Activation functions and their derivatives.

Each activation :math:`f` is applied element-wise, :math:`a = f(z)`
(equation ``eq-activation`` in Chapter 1, *The forward pass*). Its derivative
:math:`f'(z)` is what backpropagation multiplies by (equation ``eq-bp2`` in
Chapter 5, *Backpropagation*).

The public functions validate their input (a finite numeric array or
number). The network code calls the unchecked versions in
:data:`FUNCTIONS` and :data:`DERIVATIVES_FROM_OUTPUT` after validating its
inputs once.
"""

from __future__ import annotations

import numpy as np

from ._validation import as_float_array, check_activation

__all__ = [
    "sigmoid",
    "sigmoid_prime",
    "tanh",
    "tanh_prime",
    "relu",
    "relu_prime",
    "identity",
    "identity_prime",
    "activation",
    "activation_prime",
]


# -- the unchecked element-wise functions (used in the hot path) -------------

def _sigmoid(z, out=None):
    # 1/(1 + e^{-z}) in four in-place passes: negate, exp, add 1, reciprocal
    # (no temporary array; on large arrays two to three times faster than
    # scipy's expit, as Chapter 7 measures). Accurate to a few ulp wherever
    # sigma(z) is a normal double (z > -708). For z < -709, e^{-z} overflows to inf and
    # 1/(1 + inf) = 0, less than 1e-308 from sigma(z): the overflow is
    # expected, so it is not reported.
    if out is None:
        out = np.empty_like(z)
    with np.errstate(over="ignore"):
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


#: ``name -> f`` with ``f(z, out=None)``; unchecked. ``out`` may be ``z``
#: itself (the training loop overwrites Z with the activation).
FUNCTIONS = {"sigmoid": _sigmoid, "tanh": _tanh, "relu": _relu, "identity": _identity}


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

    Equation ``eq-sigmoid-prime`` (Chapter 4, *The chain rule*).

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


_PUBLIC = {
    "sigmoid": (sigmoid, sigmoid_prime),
    "tanh": (tanh, tanh_prime),
    "relu": (relu, relu_prime),
    "identity": (identity, identity_prime),
}


def activation(name):
    """The activation function called ``name``.

    Parameters
    ----------
    name : {"sigmoid", "tanh", "relu", "identity"}

    Returns
    -------
    callable
        The validated function, e.g. :func:`sigmoid`.
    """
    return _PUBLIC[check_activation(name, "name")][0]


def activation_prime(name):
    """The derivative of the activation called ``name``.

    Parameters
    ----------
    name : {"sigmoid", "tanh", "relu", "identity"}

    Returns
    -------
    callable
        The validated derivative, e.g. :func:`sigmoid_prime`.
    """
    return _PUBLIC[check_activation(name, "name")][1]
