r"""Numerical differentiation: the independent check of every derivation.

:func:`numerical_gradient` approximates each partial derivative with a
central difference (equation ``eq-central-difference``, Chapter 2, *Loss functions*),

.. math:: \frac{\partial f}{\partial \theta_j} \approx
          \frac{f(\theta + h e_j) - f(\theta - h e_j)}{2h},

whose error is :math:`O(h^2)`. :func:`assert_close` is how the chapters
compare a formula with such an approximation: it judges the difference
relative to the size of what is compared (:func:`relative_error`), so a
wrong sign on a gradient of size :math:`10^{-8}` fails as surely as one on
a gradient of size 1, prints one line that does not depend on the last bits
of the arithmetic, and raises if the check fails, so a wrong formula stops
the book's build.
"""

from __future__ import annotations

import numbers

import numpy as np

from ._validation import as_float_array, check_nonnegative_number, check_positive_number, describe

__all__ = ["numerical_gradient", "assert_close", "relative_error", "max_abs_difference"]


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
    uses backpropagation instead (Chapter 3, *The chain rule*).

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
        The step. Too large gives the truncation error
        :math:`h^2 |f'''|/6`, too small the rounding error
        :math:`\epsilon |f| / (2h)` (equation ``eq-central-error``). The two
        balance at :math:`h^* = (3\epsilon |f| / (2|f'''|))^{1/3}`, about
        :math:`8 \times 10^{-6}` for :math:`\sin` at 1 (``eq-best-step``); 1e-6
        lies on the rounding side, with an error a few times the optimum there
        but safe for functions with larger third derivatives (Chapter 2,
        *Loss functions*, derives and measures these numbers).

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


def _pairs(a, b, prefix=""):
    """(name, a-array, b-array) for two arrays or two dicts of arrays."""
    if isinstance(a, dict) or isinstance(b, dict):
        if not (isinstance(a, dict) and isinstance(b, dict)):
            raise TypeError(
                f"b: expected a dict like a, got {describe(b)}" if isinstance(a, dict)
                else f"a: expected a dict like b, got {describe(a)}"
            )
        if set(a) != set(b):
            raise ValueError(f"b: expected the keys {sorted(a)}, got {sorted(b)}")
        out = []
        for k in a:
            out += _pairs(a[k], b[k], f"{prefix}[{k!r}]")
        return out
    a = as_float_array(a, f"a{prefix}")
    b = as_float_array(b, f"b{prefix}")
    if a.shape != b.shape:
        raise ValueError(
            f"b{prefix}: expected shape {a.shape} to match a{prefix}, got shape {b.shape}")
    return [(prefix, a, b)]


def _errors(a, b):
    """(name, max |a - b|, max(|a|, |b|)) for every array of a pair."""
    out = []
    for name, x, y in _pairs(a, b):
        if x.size == 0:
            out.append((name, 0.0, 0.0))
            continue
        out.append((name, float(np.max(np.abs(x - y))),
                    float(max(np.max(np.abs(x)), np.max(np.abs(y))))))
    return out


def max_abs_difference(a, b):
    """Largest absolute difference between two arrays or two dicts of arrays.

    Dicts must have the same keys, arrays (and dict entries) the same shape.
    An absolute difference says nothing without the size of the numbers
    compared; gradient checks use :func:`relative_error`.
    """
    return max((d for _, d, _ in _errors(a, b)), default=0.0)


def relative_error(a, b):
    r"""Scale-aware difference of two results: :math:`\max|a - b| / \max(|a|, |b|)`.

    The largest absolute difference divided by the largest magnitude in
    either array, so the result is the same whether the numbers are of size
    :math:`10^{-8}` or :math:`10^{6}`: a wrong sign gives 2, a 10 % error
    about 0.1, agreement to the last bits about :math:`10^{-16}`. Two arrays
    that are exactly zero have relative error 0.

    For two dicts of arrays (gradients) every array is judged at its own
    scale and the largest of their relative errors is returned, so a tiny
    gradient of one layer cannot hide behind a large one of another.
    (Within one array the scale is that array's largest entry.)

    Parameters
    ----------
    a, b : array_like or dict of array_like
        Same shapes (and, for dicts, the same keys).

    Returns
    -------
    float in [0, 2]
    """
    return max((d / s if s > 0 else 0.0 for _, d, s in _errors(a, b)), default=0.0)


def assert_close(actual, expected, rtol=1e-6, atol=0.0, label="the two results"):
    """Check that two results agree, print one line, raise if they do not.

    Each array (each entry of a dict) passes when
    ``max|actual - expected| <= rtol * max(|actual|, |expected|) + atol``:
    its :func:`relative_error` is at most ``rtol`` (or the difference is
    within the absolute floor ``atol``).

    Parameters
    ----------
    actual, expected : array_like or dict of array_like
        E.g. a hand-derived gradient and :func:`numerical_gradient`'s.
    rtol : float > 0, default 1e-6
        Largest acceptable relative error. A central difference with the
        default step agrees with an exact gradient of moderate size to about
        :math:`10^{-8}` to :math:`10^{-10}`; a wrong formula (a sign, a
        transpose, a factor 2) gives a relative error of order 1. Comparisons
        of two exact computations can ask for ``1e-12`` or less.
    atol : float >= 0, default 0
        An absolute floor, 0 by default. Give it only where an exact
        zero is compared with an approximation of it (a gradient that is 0
        on paper and rounding noise in a finite difference), and no larger
        than that noise: an absolute tolerance lets a wrong gradient whose
        entries are all smaller than it pass.
    label : str
        What is being compared, for the message.

    Returns
    -------
    None
        Prints ``"✓ <label> agree: relative error ≤ <rtol>"``. The printed
        line depends only on the tolerance, so it is the same on every
        machine even though the last digits of the difference are not.

    Raises
    ------
    AssertionError
        When an array fails; the message names it and gives its relative
        error, its largest difference and its scale.
    """
    rtol = check_positive_number(rtol, "rtol")
    atol = check_nonnegative_number(atol, "atol")
    if not isinstance(label, str):
        raise TypeError(f"label: expected a string, got {describe(label)}")
    failed = [(name, d, s) for name, d, s in _errors(actual, expected) if not d <= rtol * s + atol]
    if failed:
        name, d, s = max(failed, key=lambda f: f[1] / f[2] if f[2] else np.inf)
        where = f" in {name.strip('[]')}" if name else ""
        raise AssertionError(
            f"✗ {label} differ{where}: relative error {d / s if s else np.inf:.3g} > {rtol:g} "
            f"(max |difference| {d:.3g}, largest magnitude {s:.3g}"
            + (f", atol {atol:g})" if atol else ")"))
    floor = f" (or |difference| <= {atol:g})" if atol else ""
    print(f"✓ {label} agree: relative error ≤ {rtol:g}{floor}")
