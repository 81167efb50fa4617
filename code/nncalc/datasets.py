"""Small seeded toy data sets for the chapters, and scikit-learn's digits.

Every toy function takes a ``seed`` and returns the same arrays for the
same arguments. Inputs are ``X`` of shape ``(m, n_0)`` (examples as rows).
The two-class and regression sets return targets ``Y`` of shape
``(m, 1)``; the many-class sets (:func:`spiral`, :func:`blobs`,
:func:`digits`) return integer ``labels`` of shape ``(m,)``, which
:func:`nncalc.one_hot` turns into the targets of ``cross_entropy``.
"""

from __future__ import annotations

import numpy as np

from ._validation import check_nonnegative_number, check_positive_int, describe

__all__ = ["xor", "circles", "sine", "spiral", "blobs", "digits", "worked_example",
           "xor_by_hand"]


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


def _check_classes(n_classes):
    n_classes = check_positive_int(n_classes, "n_classes")
    if n_classes < 2:
        raise ValueError(f"n_classes: expected an integer >= 2, got {n_classes!r}")
    return n_classes


def spiral(m=300, n_classes=3, noise=0.2, turns=0.75, seed=0):
    r"""Interleaved spiral arms in the plane, one per class.

    Example ``i`` has label ``i % n_classes`` (the classes take turns, so
    every run of ``n_classes`` consecutive rows, and so every mini-batch of
    :func:`nncalc.train`, which does not shuffle, holds all classes). It
    lies at a radius :math:`r` drawn uniformly from [0.05, 1] on arm
    :math:`k` of its class, at the angle

    .. math:: \varphi = \frac{2\pi k}{K} + 2\pi \cdot \text{turns} \cdot r
              + \text{noise}\cdot\varepsilon, \qquad \varepsilon \sim \mathcal N(0, 1),

    so :math:`x = r(\cos\varphi, \sin\varphi)`, inside the unit disc. No
    straight line (and no softmax without a hidden layer) separates the
    arms.

    Parameters
    ----------
    m : int >= 1, default 300
    n_classes : int >= 2, default 3
    noise : float >= 0, default 0.2
        Standard deviation of the Gaussian jitter of the angle, in radians.
    turns : float >= 0, default 0.75
        How far each arm winds around the centre, in full turns.
    seed : int or None, default 0

    Returns
    -------
    X : ndarray of shape (m, 2)
    labels : ndarray of shape (m,), integers 0, ..., n_classes - 1
    """
    m = check_positive_int(m, "m")
    n_classes = _check_classes(n_classes)
    noise = check_nonnegative_number(noise, "noise")
    turns = check_nonnegative_number(turns, "turns")
    rng = _rng(seed)
    labels = np.arange(m) % n_classes
    r = rng.uniform(0.05, 1.0, m)
    angle = 2 * np.pi * (labels / n_classes + turns * r) + noise * rng.standard_normal(m)
    X = r[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    return X, labels


def blobs(m=300, n_classes=3, spread=0.5, seed=0):
    r"""Round Gaussian clouds, one per class, around a circle of radius 2.

    Example ``i`` has label ``k = i % n_classes`` (the classes take turns,
    as in :func:`spiral`) and lies at the centre
    :math:`2(\cos(2\pi k/K), \sin(2\pi k/K))` plus Gaussian noise of
    standard deviation ``spread`` in each coordinate. With a small spread
    the classes are separated by straight lines: a network without hidden
    layer (softmax regression) suffices.

    Parameters
    ----------
    m : int >= 1, default 300
    n_classes : int >= 2, default 3
    spread : float >= 0, default 0.5
    seed : int or None, default 0

    Returns
    -------
    X : ndarray of shape (m, 2)
    labels : ndarray of shape (m,), integers 0, ..., n_classes - 1
    """
    m = check_positive_int(m, "m")
    n_classes = _check_classes(n_classes)
    spread = check_nonnegative_number(spread, "spread")
    rng = _rng(seed)
    labels = np.arange(m) % n_classes
    angle = 2 * np.pi * np.arange(n_classes) / n_classes
    centres = 2.0 * np.column_stack([np.cos(angle), np.sin(angle)])
    X = centres[labels] + spread * rng.standard_normal((m, 2))
    return X, labels


def digits():
    """The handwritten digits bundled with scikit-learn: 1797 images of 8 x 8 pixels.

    A wrapper of ``sklearn.datasets.load_digits``, which reads a copy shipped
    inside scikit-learn (nothing is downloaded). The images are the test
    set of the *Optical Recognition of Handwritten Digits* data of the UCI
    Machine Learning Repository: E. Alpaydin and C. Kaynak (1998),
    https://archive.ics.uci.edu/ml/datasets/Optical+Recognition+of+Handwritten+Digits.
    Each was scanned as a 32 x 32 bitmap and reduced to 8 x 8 by counting the
    black pixels in every 4 x 4 block, so a pixel is a whole number from 0
    (white) to 16 (black).

    The data are returned as they are, in scikit-learn's order: no scaling
    and no split into training and test sets (the chapter that uses them
    does both, in view of the reader).

    Returns
    -------
    X : ndarray of shape (1797, 64), float64
        One image per row, the 8 x 8 pixels row by row
        (``X[i].reshape(8, 8)`` is the image), values 0, ..., 16.
    labels : ndarray of shape (1797,), int64
        The digit shown, 0, ..., 9.
    """
    from sklearn.datasets import load_digits

    data = load_digits()
    return np.asarray(data.data, dtype=np.float64).copy(), \
        np.asarray(data.target, dtype=np.int64).copy()


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
