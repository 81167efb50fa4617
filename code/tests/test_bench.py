"""The programs that code/scripts/bench.py times compute the same thing.

``make bench`` is not part of the tests (it times things), but its yardsticks
must be right: the minimal hand-fused loops and the public-function loop
must train the same model as nc.train and scikit-learn's fit. This runs
bench.py's own agreement check on shortened workloads."""

import importlib.util
import warnings
from pathlib import Path

import pytest
from sklearn.exceptions import ConvergenceWarning

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "bench.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name,epochs", [("small", 50), ("blas", 2)])
def test_full_batch_programs_agree(bench, name, epochs):
    w = bench.workload(name)
    if name == "blas":                     # a smaller copy: the same code paths
        w = {**w, "X": w["X"][:300], "Y": w["Y"][:300]}
    w["epochs"] = epochs
    runners = bench.make_runners(w)
    assert set(runners) == {"nncalc", "public", "sklearn", "minimal"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        absolute, relative = bench.check_same_results(runners)
    assert relative < 1e-12 and absolute < 1e-12


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
@pytest.mark.parametrize("hidden", ["relu", "tanh", "sigmoid"])
def test_digits_programs_agree(bench, optimizer, hidden):
    w = bench.workload(f"digits_{optimizer}", n1=16, hidden=hidden)
    w["epochs"] = 2
    assert w["X"].shape == (1200, 64) and w["Y"].shape == (1200, 10)
    runners = bench.make_runners(w)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        absolute, relative = bench.check_same_results(runners)
    assert relative < 1e-12


def test_digits_data_is_the_documented_split(bench):
    import numpy as np

    import nncalc as nc

    X, labels = bench.digits_data()
    raw, all_labels = nc.datasets.digits()
    order = np.random.default_rng(0).permutation(1797)[:1200]
    assert np.array_equal(labels, all_labels[order])
    nc.assert_close(X.mean(axis=0), np.zeros(64), rtol=1e-12, atol=1e-12)
    std = X.std(axis=0)
    constant = raw[order].std(axis=0) == 0
    nc.assert_close(std[~constant], np.ones((~constant).sum()), rtol=1e-12)
    assert np.all(X[:, constant] == 0)
