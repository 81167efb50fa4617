"""Small seeded toy data sets for the chapters.

Every function takes a ``seed`` and returns the same arrays for the same
arguments. Inputs are ``X`` of shape ``(m, n_0)`` (examples as rows) and
targets ``Y`` of shape ``(m, 1)``.
"""

from __future__ import annotations

import numpy as np

from ._validation import check_nonnegative_number, check_positive_int, describe

__all__ = ["xor", "circles", "sine", "worked_example", "xor_by_hand"]


def _rng(seed):
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
        raise TypeError(f"seed: expected an integer or None, got {describe(seed)}")
    return np.random.default_rng(seed)


def xor(m=200, noise=0.25, seed=0):
    """The XOR problem: four clouds at the corners of a square.

    Points near (0, 0) and (1, 1) have label 0; points near (1, 0) and
    (0, 1) have label 1. No straight line separates the two classes, which
    is why the course's network needs a hidden layer.

    Parameters
    ----------
    m : int >= 1, default 200
        Number of examples; they are spread over the four corners in turn.
    noise : float >= 0, default 0.25
        Standard deviation of the Gaussian jitter around each corner.
    seed : int or None, default 0

    Returns
    -------
    X : ndarray of shape (m, 2)
    Y : ndarray of shape (m, 1), entries 0.0 or 1.0
    """
    m = check_positive_int(m, "m")
    noise = check_nonnegative_number(noise, "noise")
    rng = _rng(seed)
    corners = np.array([[0.0, 0.0], [1.0, 1.0], [1.0, 0.0], [0.0, 1.0]])
    labels = np.array([0.0, 0.0, 1.0, 1.0])
    which = np.arange(m) % 4
    X = corners[which] + noise * rng.standard_normal((m, 2))
    return X, labels[which].reshape(m, 1)


def circles(m=200, noise=0.1, factor=0.5, seed=0):
    """Two concentric rings: label 1 on the inner ring, 0 on the outer.

    Parameters
    ----------
    m : int >= 1, default 200
    noise : float >= 0, default 0.1
        Standard deviation of the Gaussian jitter.
    factor : float in (0, 1), default 0.5
        Radius of the inner ring (the outer one has radius 1).
    seed : int or None, default 0

    Returns
    -------
    X : ndarray of shape (m, 2)
    Y : ndarray of shape (m, 1), entries 0.0 or 1.0
    """
    m = check_positive_int(m, "m")
    noise = check_nonnegative_number(noise, "noise")
    factor = check_nonnegative_number(factor, "factor")
    if not 0 < factor < 1:
        raise ValueError(f"factor: expected a number in (0, 1), got {factor!r}")
    rng = _rng(seed)
    inner = np.arange(m) % 2 == 1
    angle = rng.uniform(0, 2 * np.pi, m)
    radius = np.where(inner, factor, 1.0)
    X = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    X += noise * rng.standard_normal((m, 2))
    return X, inner.astype(np.float64).reshape(m, 1)


def sine(m=100, noise=0.1, seed=0):
    """A regression problem: ``y = sin(x)`` plus noise, ``x`` in [-pi, pi].

    Parameters
    ----------
    m : int >= 1, default 100
    noise : float >= 0, default 0.1
        Standard deviation of the Gaussian noise added to the targets.
    seed : int or None, default 0

    Returns
    -------
    X : ndarray of shape (m, 1), sorted
    Y : ndarray of shape (m, 1)
    """
    m = check_positive_int(m, "m")
    noise = check_nonnegative_number(noise, "noise")
    rng = _rng(seed)
    x = np.sort(rng.uniform(-np.pi, np.pi, m))
    y = np.sin(x) + noise * rng.standard_normal(m)
    return x.reshape(m, 1), y.reshape(m, 1)


def worked_example():
    """The course's running example: one input, target and 2-2-1 parameters.

    Chapter 1 pushes it through the network, Chapter 2 computes its loss and
    Chapter 5 its gradients, every number in a table. The network uses
    sigmoid hidden units, an identity output and the squared error.

    Returns
    -------
    params : dict
        ``W1`` (2, 2), ``b1`` (2,), ``W2`` (1, 2), ``b2`` (1,).
    X : ndarray of shape (1, 2)
        The input :math:`x = (1, 0.5)` as a one-row batch.
    Y : ndarray of shape (1, 1)
        The target :math:`y = 1`.
    """
    params = {
        "W1": np.array([[0.5, -0.3], [0.2, 0.8]]),
        "b1": np.array([0.1, -0.2]),
        "W2": np.array([[1.2, -0.7]]),
        "b2": np.array([0.3]),
    }
    return params, np.array([[1.0, 0.5]]), np.array([[1.0]])


def xor_by_hand():
    """Parameters of a 2-2-1 sigmoid network that solves XOR, set by hand.

    Hidden unit 1 computes (roughly) *x1 OR x2*, hidden unit 2 *NOT (x1 AND
    x2)*, and the output *AND* of the two: that is XOR on the corners of the
    unit square. Chapter 1 starts its explorer from these values.

    Returns
    -------
    dict
        ``W1`` (2, 2), ``b1`` (2,), ``W2`` (1, 2), ``b2`` (1,).
    """
    return {
        "W1": np.array([[6.0, 6.0], [-6.0, -6.0]]),
        "b1": np.array([-3.0, 9.0]),
        "W2": np.array([[8.0, 8.0]]),
        "b2": np.array([-12.0]),
    }
