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


# -- many classes ----------------------------------------------------------------------

@pytest.mark.parametrize("make", [nc.datasets.spiral, nc.datasets.blobs])
def test_many_class_sets_are_seeded_integer_labels_taking_turns(make):
    X1, l1 = make(m=40, n_classes=4, seed=3)
    X2, l2 = make(m=40, n_classes=4, seed=3)
    X3, _ = make(m=40, n_classes=4, seed=4)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(l1, l2)
    assert not np.array_equal(X1, X3)
    assert X1.shape == (40, 2) and l1.shape == (40,)
    assert l1.dtype.kind == "i"
    np.testing.assert_array_equal(l1, np.arange(40) % 4)   # every batch has every class
    assert nc.one_hot(l1, 4).shape == (40, 4)


def test_spiral_arms_without_noise():
    X, labels = nc.datasets.spiral(m=300, n_classes=3, noise=0.0, turns=0.5, seed=0)
    r = np.hypot(X[:, 0], X[:, 1])
    assert r.min() >= 0.05 and r.max() <= 1.0
    # angle = 2 pi (k / K + turns r): each point lies on its class's arm
    angle = np.arctan2(X[:, 1], X[:, 0])
    expected = 2 * np.pi * (labels / 3 + 0.5 * r)
    np.testing.assert_allclose(np.cos(angle - expected), 1.0, atol=1e-12)


def test_blobs_centres_on_a_circle():
    X, labels = nc.datasets.blobs(m=3000, n_classes=3, spread=0.1, seed=0)
    for k in range(3):
        centre = X[labels == k].mean(axis=0)
        np.testing.assert_allclose(centre, 2 * np.array([np.cos(2 * np.pi * k / 3),
                                                         np.sin(2 * np.pi * k / 3)]), atol=0.02)


def test_many_class_sets_bad_arguments():
    with pytest.raises(ValueError, match="n_classes: expected an integer >= 2"):
        nc.datasets.spiral(n_classes=1)
    with pytest.raises(TypeError, match="n_classes"):
        nc.datasets.blobs(n_classes=2.5)
    with pytest.raises(ValueError, match="noise"):
        nc.datasets.spiral(noise=-1.0)
    with pytest.raises(ValueError, match="spread"):
        nc.datasets.blobs(spread=-1.0)
    with pytest.raises(TypeError, match="seed"):
        nc.datasets.spiral(seed=1.5)


def test_digits_is_scikit_learns_bundled_copy():
    from sklearn.datasets import load_digits

    X, labels = nc.datasets.digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert labels.shape == (1797,) and labels.dtype == np.int64
    assert X.min() == 0 and X.max() == 16 and np.all(X == np.round(X))   # unscaled counts
    np.testing.assert_array_equal(np.unique(labels), np.arange(10))
    reference = load_digits()
    np.testing.assert_array_equal(X, reference.data)
    np.testing.assert_array_equal(labels, reference.target)
    np.testing.assert_array_equal(X[0].reshape(8, 8), reference.images[0])
    X[0, 0] = 99.0                     # a copy: the next call is unchanged
    assert nc.datasets.digits()[0][0, 0] == reference.data[0, 0]
