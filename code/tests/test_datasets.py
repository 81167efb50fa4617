"""Toy data sets: shapes, labels, determinism under a seed."""

import numpy as np
import pytest

import nncalc as nc


@pytest.mark.parametrize("make", [nc.datasets.xor, nc.datasets.circles, nc.datasets.sine])
def test_same_seed_same_data_other_seed_other_data(make):
    X1, Y1 = make(m=40, seed=3)
    X2, Y2 = make(m=40, seed=3)
    X3, _ = make(m=40, seed=4)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(Y1, Y2)
    assert not np.array_equal(X1, X3)
    assert Y1.shape == (40, 1) and X1.shape[0] == 40


def test_xor_labels_follow_the_corners():
    X, Y = nc.datasets.xor(m=400, noise=0.0)
    corner_xor = np.logical_xor(X[:, 0] > 0.5, X[:, 1] > 0.5)
    np.testing.assert_array_equal(Y.ravel(), corner_xor.astype(float))
    assert Y.mean() == 0.5


def test_circles_inner_ring_is_label_one():
    X, Y = nc.datasets.circles(m=100, noise=0.0, factor=0.3)
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(r[Y.ravel() == 1], 0.3)
    np.testing.assert_allclose(r[Y.ravel() == 0], 1.0)


def test_sine_is_sorted_and_noise_free_when_asked():
    X, Y = nc.datasets.sine(m=50, noise=0.0)
    assert np.all(np.diff(X.ravel()) >= 0)
    assert X.min() >= -np.pi and X.max() <= np.pi
    np.testing.assert_allclose(Y, np.sin(X))
