"""Shared fixtures and strategies for the nncalc tests."""

import matplotlib
import numpy as np
import pytest
from hypothesis import HealthCheck, settings

matplotlib.use("Agg")

settings.register_profile(
    "ci", max_examples=60, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("ci")

ACTIVATIONS = ["sigmoid", "tanh", "relu", "identity"]
LOSSES = ["mse", "bce"]


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
