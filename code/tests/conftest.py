"""Shared fixtures and strategies for the nncalc tests."""

import matplotlib
import numpy as np
import pytest
from hypothesis import HealthCheck, settings

import nncalc as nc

matplotlib.use("Agg")

settings.register_profile(
    "ci", max_examples=60, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("ci")

ACTIVATIONS = ["sigmoid", "tanh", "relu", "identity"]
LOSSES = ["mse", "bce"]


def training_data(loss, sizes, m=23, seed=0):
    """Inputs and targets of m examples for a network of layer sizes
    ``sizes`` trained with ``loss``: one-hot classes taking turns for
    cross-entropy, 0/1 labels for bce, a smooth function of X for mse."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, sizes[0]))
    K = sizes[-1]
    if loss == "cross_entropy":
        Y = nc.one_hot(np.arange(m) % K, K)
    elif loss == "bce":
        Y = (X[:, :K] > 0).astype(float)
    else:
        Y = np.sin(X @ rng.normal(size=(sizes[0], K)))
    return X, Y


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture
def shown(monkeypatch):
    """Record what the explorers display instead of sending it to a front end."""
    import IPython.display

    calls = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, **kwargs: calls.append(obj))
    return calls
