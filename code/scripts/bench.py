"""Speed benchmark: nncalc.train against scikit-learn and a minimal numpy loop.

Usage (from the repository root; ``make bench`` runs the first line)::

    python code/scripts/bench.py
    python code/scripts/bench.py --repeats 9 --threads 2
    python code/scripts/bench.py --output code/scripts/bench_results.json

Three programs train the *same* model, full-batch gradient descent on a
network with sigmoid hidden layers, an identity output and the squared
error (nncalc's ``mse``, scikit-learn's ``MLPRegressor``), from the same
initial parameters for the same number of epochs:

``nncalc``
    ``nc.train(params, X, Y, epochs, lr)``: one public call, which validates
    its arguments once and runs the training loop; it also records the
    loss of every epoch and checks that training has not diverged.
``sklearn``
    ``model.fit(X, y)`` of an ``MLPRegressor`` configured as the same
    model (``nncalc.sklearn_bridge.matching_mlp_regressor``) and started
    from the same parameters (``set_sklearn_params``, not timed).
``minimal``
    A hand-fused numpy loop for this one model (below): no validation, no
    dictionaries, no cache, in-place arithmetic. It is the floor for this
    algorithm in numpy: what is left is the matrix products and the
    element-wise passes the algorithm needs.

Two workloads: 2-2-1 on 200 examples for 2000 epochs (the arrays are tiny,
so the time goes into Python and per-call overhead) and 10-128-128-1 on
4096 examples for 60 epochs (the time goes into BLAS matrix products and
element-wise passes over arrays of 4096 x 128).

The runs are interleaved (nncalc, sklearn, minimal, nncalc, ...) and
repeated; the script prints the median time of each program and the median
over the rounds of the ratios of times measured in the same round, both in
wall-clock time and in CPU time of the process (which other programs on a
busy machine disturb less: waiting for a core counts in the first, not in
the second). BLAS and OpenMP are limited to ``--threads`` threads (default
1) for all three with threadpoolctl, so the comparison does not depend on
how busy the other cores are, and CPU time is then the time of that one
thread. Nothing is downloaded. The results, with a note on the machine, go
to ``--output`` (default ``_build/bench_results.json``); the chapter reads
the committed copy ``code/scripts/bench_results.json``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import sys
import time
import warnings
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_info, threadpool_limits

import nncalc as nc
from nncalc import sklearn_bridge as skb

ROOT = Path(__file__).resolve().parents[2]

#: Goals of the benchmark (issue 4): largest acceptable median ratio.
GOALS = {
    "small": {"nncalc/sklearn": 1.0, "nncalc/minimal": 2.0},
    "blas": {"nncalc/sklearn": 1.0, "nncalc/minimal": 1.25},
}


# -- the workloads ----------------------------------------------------------------

def workload(name):
    """Layer sizes, data, epochs and learning rate of a workload."""
    if name == "small":
        X, Y = nc.datasets.xor(m=200, noise=0.25, seed=0)
        return dict(name=name, sizes=[2, 2, 1], X=X, Y=Y, epochs=2000, lr=0.5,
                    label="2-2-1, 200 examples, 2000 epochs")
    if name == "blas":
        rng = np.random.default_rng(0)
        X = rng.normal(size=(4096, 10))
        Y = np.sin(X @ rng.normal(size=(10, 1)) / 3.0)
        return dict(name=name, sizes=[10, 128, 128, 1], X=X, Y=Y, epochs=60, lr=0.05,
                    label="10-128-128-1, 4096 examples, 60 epochs")
    raise ValueError(f"workload: expected 'small' or 'blas', got {name!r}")


# -- the floor: a minimal hand-fused loop ------------------------------------------

def minimal_loop(params, X, Y, epochs, lr):
    """Full-batch gradient descent, sigmoid hidden layers, identity output, mse.

    The same arithmetic as nncalc.train and MLPRegressor.fit, written for
    this one model only: lists instead of dicts, no validation, in-place
    sigmoid, the bias gradient as the product 1^T Delta.
    Returns (list of weights, list of biases, losses).
    """
    L = len(params) // 2
    Ws = [params[f"W{l}"].copy() for l in range(1, L + 1)]
    bs = [params[f"b{l}"].copy() for l in range(1, L + 1)]
    m = X.shape[0]
    ones = np.ones(m)
    losses = np.empty(epochs)
    with np.errstate(over="ignore"):  # exp(-z) -> inf gives sigmoid 0, as it should
        for epoch in range(epochs):
            acts = [X]
            for l in range(L):
                Z = acts[-1] @ Ws[l].T
                Z += bs[l]
                if l < L - 1:                   # sigmoid in place: 1/(1 + e^-z)
                    np.negative(Z, out=Z)
                    np.exp(Z, out=Z)
                    Z += 1.0
                    np.reciprocal(Z, out=Z)
                acts.append(Z)
            D = acts[-1] - Y                    # m * Delta^(L)
            losses[epoch] = 0.5 * np.vdot(D, D) / m
            D /= m
            for l in range(L - 1, -1, -1):
                A_prev = acts[l]
                gW = D.T @ A_prev
                gb = ones @ D
                if l > 0:
                    D = D @ Ws[l]
                    D *= A_prev                 # sigma' = a (1 - a)
                    D *= 1.0 - A_prev
                gW *= lr
                Ws[l] -= gW
                gb *= lr
                bs[l] -= gb
    return Ws, bs, losses


# -- the three contenders -------------------------------------------------------------

def make_runners(w):
    params = nc.init_params(w["sizes"], seed=0)
    X, Y, epochs, lr = w["X"], w["Y"], w["epochs"], w["lr"]
    y = Y.ravel()
    model = skb.matching_mlp_regressor(tuple(w["sizes"][1:-1]), lr=lr, epochs=epochs,
                                       batch_size=X.shape[0], hidden="sigmoid")

    def run_nncalc():
        return nc.train(params, X, Y, epochs=epochs, lr=lr, loss="mse", hidden="sigmoid",
                        output="identity")

    def setup_sklearn():
        skb.set_sklearn_params(model, params, X, y)

    def run_sklearn():
        return model.fit(X, y)

    def run_minimal():
        return minimal_loop(params, X, Y, epochs, lr)

    return {
        "nncalc": (None, run_nncalc),
        "sklearn": (setup_sklearn, run_sklearn),
        "minimal": (None, run_minimal),
    }


def check_same_results(runners):
    """Run each program once (also a warm-up) and check they agree."""
    hist = runners["nncalc"][1]()
    runners["sklearn"][0]()
    model = runners["sklearn"][1]()
    Ws, bs, losses = runners["minimal"][1]()
    minimal = {}
    for l, (W, b) in enumerate(zip(Ws, bs), start=1):
        minimal[f"W{l}"], minimal[f"b{l}"] = W, b
    n = model.n_iter_
    diff = max(nc.max_abs_difference(hist.params, skb.from_sklearn(model)),
               nc.max_abs_difference(hist.params, minimal),
               nc.max_abs_difference(hist.loss, np.array(model.loss_curve_[-n:])),
               nc.max_abs_difference(hist.loss, losses))
    if not diff < 1e-9:
        raise AssertionError(f"the three programs disagree: max |difference| = {diff:.3g}")
    return diff


def time_workload(w, repeats):
    runners = make_runners(w)
    agreement = check_same_results(runners)
    wall = {name: [] for name in runners}
    cpu = {name: [] for name in runners}
    for _ in range(repeats):
        for name, (setup, run) in runners.items():  # interleaved: A, B, C, A, B, C, ...
            if setup is not None:
                setup()
            gc.collect()
            gc.disable()
            start, start_cpu = time.perf_counter(), time.process_time()
            run()
            elapsed, elapsed_cpu = time.perf_counter() - start, time.process_time() - start_cpu
            gc.enable()
            wall[name].append(elapsed)
            cpu[name].append(elapsed_cpu)
    return {
        "label": w["label"],
        "layer_sizes": w["sizes"],
        "examples": int(w["X"].shape[0]),
        "epochs": w["epochs"],
        "lr": w["lr"],
        "max_abs_difference": agreement,
        "times_s": wall,
        "median_s": {name: statistics.median(t) for name, t in wall.items()},
        "ratios": median_ratios(wall),
        "cpu_times_s": cpu,
        "cpu_median_s": {name: statistics.median(t) for name, t in cpu.items()},
        "cpu_ratios": median_ratios(cpu),
    }


def median_ratios(times):
    """Median over the rounds of the ratio of two programs' times in that round."""
    ratios = {}
    for a, b in [("nncalc", "sklearn"), ("nncalc", "minimal"), ("sklearn", "minimal")]:
        per_round = [ta / tb for ta, tb in zip(times[a], times[b])]
        ratios[f"{a}/{b}"] = statistics.median(per_round)
    return ratios


# -- the machine ---------------------------------------------------------------------

def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_note(threads):
    blas = [
        {k: info.get(k) for k in ("user_api", "internal_api", "version", "architecture",
                                  "num_threads", "prefix")}
        for info in threadpool_info()
    ]
    return {
        "cpu": cpu_model(),
        "logical_cpus": os.cpu_count(),
        "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scikit_learn": sklearn.__version__,
        "nncalc": nc.__version__,
        "blas": blas,
        "threads": threads,
        "platform": platform.platform(),
    }


# -- main ------------------------------------------------------------------------------

def print_report(results):
    m = results["machine"]
    print(f"machine: {m['cpu']}, {m['logical_cpus']} logical CPUs, load average "
          f"{m['load_average_1_5_15']} at the start; Python {m['python']}, numpy "
          f"{m['numpy']}, scikit-learn {m['scikit_learn']}; BLAS/OpenMP limited to "
          f"{m['threads']} thread(s)")
    for api in m["blas"]:
        print(f"  {api['user_api']}: {api['internal_api']} {api['version']} "
              f"({api['architecture'] or '-'})")
    print(f"{results['repeats']} interleaved rounds; median times and median ratios")
    ok = True
    for clock, times_key, ratios_key in [("wall-clock", "median_s", "ratios"),
                                         ("CPU time of the process", "cpu_median_s",
                                          "cpu_ratios")]:
        print(f"\n{clock}:")
        header = (f"{'workload':40s} {'nncalc':>9s} {'sklearn':>9s} {'minimal':>9s}   "
                  f"{'nncalc/sklearn':>14s} {'nncalc/minimal':>14s}")
        print(header)
        print("-" * len(header))
        for name, r in results["workloads"].items():
            med, rat = r[times_key], r[ratios_key]
            marks = {}
            for key, goal in GOALS[name].items():
                good = rat[key] <= goal
                if ratios_key == "ratios":
                    ok &= good
                marks[key] = "" if good else f" (goal <= {goal})"
            print(f"{r['label']:40s} {med['nncalc']:8.3f}s {med['sklearn']:8.3f}s "
                  f"{med['minimal']:8.3f}s   {rat['nncalc/sklearn']:14.2f} "
                  f"{rat['nncalc/minimal']:14.2f}{marks['nncalc/sklearn']}"
                  f"{marks['nncalc/minimal']}")
    print("\ngoals (wall-clock): nncalc/sklearn <= 1.0 on both; nncalc/minimal <= 2.0 "
          f"(small) and <= 1.25 (blas): {'all met' if ok else 'NOT all met'}")
    return ok


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=7, help="interleaved rounds (default 7)")
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS/OpenMP threads for all three programs (default 1)")
    parser.add_argument("--workloads", nargs="+", default=["small", "blas"],
                        choices=["small", "blas"])
    parser.add_argument("--output", type=Path, default=ROOT / "_build" / "bench_results.json",
                        help="where to write the results as JSON")
    args = parser.parse_args(argv)
    if args.repeats < 1 or args.threads < 1:
        parser.error("--repeats and --threads must be at least 1")

    warnings.filterwarnings("ignore", category=ConvergenceWarning)  # fixed epochs, on purpose
    with threadpool_limits(limits=args.threads):
        machine = machine_note(args.threads)
        results = {
            "measured_utc": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "command": "python code/scripts/bench.py " + " ".join(sys.argv[1:] if argv is None
                                                                  else argv),
            "repeats": args.repeats,
            "machine": machine,
            "workloads": {},
        }
        for name in args.workloads:
            print(f"timing {name} ...", flush=True)
            results["workloads"][name] = time_workload(workload(name), args.repeats)
        results["machine"]["load_average_1_5_15_end"] = [round(x, 2) for x in os.getloadavg()]
    print()
    ok = print_report(results)
    results["goals"] = GOALS
    results["goals_met"] = ok
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    print(f"results written to {args.output}")


if __name__ == "__main__":
    main()
