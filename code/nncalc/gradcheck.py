r"""Numerical differentiation: the independent check of every derivation.

:func:`numerical_gradient` approximates each partial derivative with a
central difference (equation ``eq-central-difference``, Chapter 2, *Loss functions*),

.. math:: \frac{\partial f}{\partial \theta_j} \approx
          \frac{f(\theta + h e_j) - f(\theta - h e_j)}{2h},

whose error is :math:`O(h^2)`. :func:`assert_close` is how the chapters
compare a formula with such an approximation: it prints one line that does
not depend on the last bits of the arithmetic, and raises if the check
fails, so a wrong formula stops the book's build.
"""

from __future__ import annotations

import numbers

import numpy as np

from ._validation import as_float_array, check_positive_number, describe

__all__ = ["numerical_gradient", "assert_close", "max_abs_difference"]


def _evaluate(f, theta, where):
    value = f(theta)
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.reshape(())[()]
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, np.floating)):
        raise TypeError(f"f: expected f({where}) to return a real number, got {describe(value)}")
    if not np.isfinite(value):
        raise ValueError(f"f: expected a finite value, got {value!r} at {where}")
    return float(value)


def _partials(f, wrap, flat, h, label):
    """Central differences of theta -> f(wrap(theta)) for every entry of flat."""
    grad = np.empty_like(flat)
    for j in range(flat.size):
        old = flat[j]
        flat[j] = old + h
        up = _evaluate(f, wrap(), f"{label} + h at entry {j}")
        flat[j] = old - h
        down = _evaluate(f, wrap(), f"{label} - h at entry {j}")
        flat[j] = old
        grad[j] = (up - down) / (2 * h)
    return grad


def numerical_gradient(f, params, h=1e-6):
    r"""Central-difference gradient of a scalar function.

    Equation ``eq-central-difference``: every entry is perturbed by
    :math:`\pm h` in turn, so ``f`` is called twice per entry. This costs
    :math:`2P` evaluations for :math:`P` parameters, which is why training
    uses backpropagation instead (Chapter 4, *The chain rule*).

    Parameters
    ----------
    f : callable
        ``f(params) -> float``. It receives a copy of ``params`` in which one
        entry is perturbed; it must not keep references to it.
    params : dict of array_like, or array_like
        The point :math:`\theta` at which to differentiate, either a
        parameter dict (``{"W1": ..., "b1": ..., ...}``, any keys) or a
        single array.
    h : float > 0, default 1e-6
        The step. Too large gives the :math:`O(h^2)` truncation error, too
        small the rounding error :math:`O(\epsilon |f| / h)`. For float64 and
        functions of size about 1 the two balance near
        :math:`h = (3\epsilon)^{1/3} \approx 9 \times 10^{-6}`; 1e-6 lies just on
        the rounding side of that point (Chapter 2 derives both numbers).

    Returns
    -------
    dict or ndarray
        The same structure (keys, shapes) as ``params``. ``params`` is not
        modified.
    """
    if not callable(f):
        raise TypeError(f"f: expected a callable f(params) -> float, got {describe(f)}")
    h = check_positive_number(h, "h")
    if isinstance(params, dict):
        if not params:
            raise ValueError("params: expected a non-empty dict of arrays, got {}")
        theta = {k: as_float_array(v, f"params[{k!r}]").copy() for k, v in params.items()}
        out = {}
        for key, arr in theta.items():
            flat = arr.reshape(-1)  # a view: perturbing flat perturbs theta[key]
            out[key] = _partials(f, lambda: {k: v.copy() for k, v in theta.items()},
                                 flat, h, f"params[{key!r}]").reshape(arr.shape)
        return out
    arr = as_float_array(params, "params").copy()
    if arr.size == 0:
        raise ValueError("params: expected a non-empty array, got an empty one")
    flat = arr.reshape(-1)
    return _partials(f, lambda: arr.copy(), flat, h, "params").reshape(arr.shape)


def max_abs_difference(a, b):
    """Largest absolute difference between two arrays or two dicts of arrays.

    Dicts must have the same keys, arrays (and dict entries) the same shape.
    """
    if isinstance(a, dict) or isinstance(b, dict):
        if not (isinstance(a, dict) and isinstance(b, dict)):
            raise TypeError(
                f"b: expected a dict like a, got {describe(b)}" if isinstance(a, dict)
                else f"a: expected a dict like b, got {describe(a)}"
            )
        if set(a) != set(b):
            raise ValueError(f"b: expected the keys {sorted(a)}, got {sorted(b)}")
        return max(max_abs_difference(a[k], b[k]) for k in a) if a else 0.0
    a = as_float_array(a, "a")
    b = as_float_array(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"b: expected shape {a.shape} to match a, got shape {b.shape}")
    return float(np.max(np.abs(a - b))) if a.size else 0.0


def assert_close(actual, expected, tol=1e-8, label="the two results"):
    """Check that two results agree, print one line, raise if they do not.

    Parameters
    ----------
    actual, expected : array_like or dict of array_like
        E.g. a hand-derived gradient and :func:`numerical_gradient`'s.
    tol : float > 0, default 1e-8
        Largest acceptable absolute difference.
    label : str
        What is being compared, for the message.

    Returns
    -------
    None
        Prints ``"✓ <label> agree: max |difference| < <tol>"``. The printed
        line depends only on the tolerance, so it is the same on every
        machine even though the last digits of the difference are not.

    Raises
    ------
    AssertionError
        When the largest difference is ``tol`` or more; the message gives it.
    """
    tol = check_positive_number(tol, "tol")
    if not isinstance(label, str):
        raise TypeError(f"label: expected a string, got {describe(label)}")
    diff = max_abs_difference(actual, expected)
    if not diff < tol:
        raise AssertionError(f"✗ {label} differ: max |difference| = {diff:.3g} >= {tol:g}")
    print(f"✓ {label} agree: max |difference| < {tol:g}")
