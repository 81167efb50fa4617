"""Input validation shared by the public functions of :mod:`nncalc`.

Every check raises ``TypeError`` (wrong kind of object) or ``ValueError``
(right kind, wrong value or shape) with a message of the form
``"<argument>: expected <what>, got <what was given>"``, so that a reader
who passes the wrong thing learns which argument, what it should have been
and what it was.

The checks run once per public call. The training loop validates its
inputs once and then calls the unchecked internals, so validation never
costs more than one pass over the data.

The common case has a fast path: an argument that is already a float64
``numpy.ndarray`` of the right shape is accepted after one pass over its
entries, ``np.vdot(a, a)``, the sum of their squares, which is a finite
number only if every entry is (a NaN or an infinity makes it NaN or
infinite). Anything the fast path does not accept (another type or dtype,
a wrong shape, a NaN, or finite entries whose squares overflow) goes
through the full checks below, which convert what may be converted and
raise the messages; so the fast path changes how long a check takes,
never what it accepts, returns or says.
"""

from __future__ import annotations

import math
import numbers
import re

import numpy as np

#: Element-wise activations: allowed in hidden layers and at the output.
ACTIVATION_NAMES = ("sigmoid", "tanh", "relu", "identity")
#: Output activations: the element-wise ones and the row-wise softmax, which
#: couples the units of a layer and is an output activation only.
OUTPUT_NAMES = ACTIVATION_NAMES + ("softmax",)
LOSS_NAMES = ("mse", "bce", "cross_entropy")
OPTIMIZER_NAMES = ("sgd", "momentum", "nesterov", "adam")
INIT_NAMES = ("glorot", "he")

_PARAM_KEY = re.compile(r"^([Wb])([1-9][0-9]*)$")

# The fast path (module docstring) takes exact numpy.ndarray's of native
# float64 and tests them with _isfinite(_vdot(a, a)): a BLAS dot product,
# which sets no floating-point warning, NaN or infinite when an entry is; it
# can also be infinite for finite entries above 1e154, whose squares
# overflow, and the full check then decides.
_F64 = np.dtype(np.float64)
_ndarray = np.ndarray
_vdot = np.vdot
_isfinite = math.isfinite


#: ``L -> (("W1", "b1"), ..., ("WL", "bL"))``, the keys of an L-layer network.
_LAYER_KEYS: dict[int, tuple[tuple[str, str], ...]] = {}


def _layer_keys(n_layers: int) -> tuple[tuple[str, str], ...]:
    keys = _LAYER_KEYS.get(n_layers)
    if keys is None:
        keys = tuple((f"W{l}", f"b{l}") for l in range(1, n_layers + 1))
        if n_layers <= 1000:
            _LAYER_KEYS[n_layers] = keys
    return keys


def describe(value) -> str:
    """A short description of ``value`` for error messages."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of length {len(value)}"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, numbers.Number):
        return f"{type(value).__name__} {value!r}"
    return f"an object of type {type(value).__name__}"


def as_float_array(value, name: str) -> np.ndarray:
    """Convert ``value`` to a float64 array; reject non-numeric, NaN and inf.

    Booleans and integers are converted to floats. Strings, objects and
    complex numbers raise ``TypeError``; NaN or infinite entries raise
    ``ValueError``. A float64 array is returned as it is (not copied).
    """
    if type(value) is _ndarray and value.dtype is _F64 and _isfinite(_vdot(value, value)):
        return value                        # the fast path (see the module's docstring)
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name}: expected a numeric array, got {describe(value)}")
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError) as exc:  # ragged nested lists
        raise TypeError(
            f"{name}: expected a numeric array, got {describe(value)} that "
            f"numpy cannot turn into a rectangular array ({exc})"
        ) from None
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"{name}: expected a numeric (real) array, got an array of dtype "
            f"{arr.dtype}"
        )
    arr = arr.astype(np.float64, copy=False)
    if not np.isfinite(arr).all():
        bad = np.count_nonzero(~np.isfinite(arr))
        raise ValueError(
            f"{name}: expected finite numbers, got {bad} NaN or infinite "
            f"entr{'y' if bad == 1 else 'ies'} in an array of shape {arr.shape}"
        )
    return arr


def check_name(value, name: str, allowed: tuple[str, ...]) -> str:
    """Check that ``value`` is one of the strings in ``allowed``."""
    if not isinstance(value, str):
        raise TypeError(f"{name}: expected one of {allowed}, got {describe(value)}")
    if value not in allowed:
        raise ValueError(f"{name}: expected one of {allowed}, got {value!r}")
    return value


def check_activation(value, name: str) -> str:
    """An element-wise activation: a hidden layer's, or an output where softmax
    is not supported. ``"softmax"`` gets its own message."""
    if value == "softmax":
        if "hidden" in name:
            raise ValueError(
                f"{name}: expected one of {ACTIVATION_NAMES}, got 'softmax': softmax is an "
                "output activation only (it turns the last layer's units into probabilities "
                "that sum to 1), so it cannot be a hidden activation"
            )
        raise ValueError(
            f"{name}: expected one of {ACTIVATION_NAMES} (this function does not support "
            "a softmax output), got 'softmax'"
        )
    return check_name(value, name, ACTIVATION_NAMES)


def check_output_activation(value, name: str = "output") -> str:
    """An output activation: an element-wise one or ``"softmax"``."""
    return check_name(value, name, OUTPUT_NAMES)


def check_softmax_width(output: str, n_out: int, name: str = "output") -> None:
    """A softmax output needs at least two units (one unit would always be 1)."""
    if output == "softmax" and n_out < 2:
        raise ValueError(
            f"{name}: a softmax output needs n_L >= 2 output units (the softmax of a single "
            f"unit is always 1), got n_L = {n_out}; for two classes with one output unit "
            "use output='sigmoid' with loss='bce'"
        )


def check_loss(value, name: str = "loss") -> str:
    return check_name(value, name, LOSS_NAMES)


def check_unit_interval(value, name: str, closed_right: bool = False) -> float:
    """A real number in [0, 1) (or [0, 1] with ``closed_right``); bools are rejected."""
    interval = "[0, 1]" if closed_right else "[0, 1)"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: expected a number in {interval}, got {describe(value)}")
    if not (0 <= value < 1 or (closed_right and value == 1)):
        raise ValueError(f"{name}: expected a number in {interval}, got {value!r}")
    return float(value)


def check_positive_number(value, name: str) -> float:
    """A finite real number > 0 (bools are rejected)."""
    if type(value) is float and 0.0 < value < math.inf:
        return value                        # the fast path: a Python float
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: expected a positive number, got {describe(value)}")
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name}: expected a finite number > 0, got {value!r}")
    return float(value)


def check_nonnegative_number(value, name: str) -> float:
    """A finite real number >= 0 (bools are rejected)."""
    if type(value) is float and 0.0 <= value < math.inf:
        return value                        # the fast path: a Python float
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{name}: expected a non-negative number, got {describe(value)}"
        )
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name}: expected a finite number >= 0, got {value!r}")
    return float(value)


def check_positive_int(value, name: str) -> int:
    """An integer >= 1 (bools are rejected)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name}: expected an integer >= 1, got {describe(value)}")
    if value < 1:
        raise ValueError(f"{name}: expected an integer >= 1, got {value!r}")
    return int(value)


def check_nonnegative_int(value, name: str) -> int:
    """An integer >= 0 (bools are rejected)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name}: expected an integer >= 0, got {describe(value)}")
    if value < 0:
        raise ValueError(f"{name}: expected an integer >= 0, got {value!r}")
    return int(value)


def check_layer_sizes(layer_sizes) -> list[int]:
    """``[n_0, n_1, ..., n_L]`` with at least two entries, each an int >= 1."""
    if isinstance(layer_sizes, (str, bytes)) or not hasattr(layer_sizes, "__len__"):
        raise TypeError(
            "layer_sizes: expected a sequence of integers such as [2, 2, 1], "
            f"got {describe(layer_sizes)}"
        )
    if len(layer_sizes) < 2:
        raise ValueError(
            "layer_sizes: expected at least two sizes (inputs and outputs), "
            f"got {list(layer_sizes)!r}"
        )
    sizes = []
    for i, n in enumerate(layer_sizes):
        if isinstance(n, bool) or not isinstance(n, numbers.Integral):
            raise TypeError(
                f"layer_sizes[{i}]: expected an integer >= 1, got {describe(n)}"
            )
        if n < 1:
            raise ValueError(
                f"layer_sizes[{i}]: expected an integer >= 1, got {n!r} "
                f"(in layer_sizes={list(layer_sizes)!r})"
            )
        sizes.append(int(n))
    return sizes


def check_params(params, name: str = "params") -> dict[str, np.ndarray]:
    """Check a parameter dictionary ``{"W1", "b1", ..., "WL", "bL"}``.

    Returns a new dictionary of float64 arrays (the caller's arrays are never
    modified), in the order W1, b1, ..., WL, bL. Raises if a key is missing
    or unknown, or if the shapes do not chain: ``W_l`` must be
    ``(n_l, n_{l-1})`` and ``b_l`` must be ``(n_l,)``.
    """
    if type(params) is dict:
        checked = _params_fast(params)
        if checked is not None:
            return checked
    return _check_params_full(params, name)


def _params_fast(params: dict):
    """check_params for a dict of finite float64 arrays with the right keys and
    chaining shapes; None for anything else (the full check then decides).

    The keys are compared with the precomputed names of an L-layer network,
    L = len(params) / 2: with that many keys, all present, there is no other
    key. One finiteness pass per array, ``np.vdot(a, a)`` (module docstring).
    """
    n = len(params)
    if n == 0 or n & 1:
        return None
    checked = {}
    n_prev = None
    for wk, bk in _layer_keys(n >> 1):
        W = params.get(wk)
        b = params.get(bk)
        if type(W) is not _ndarray or type(b) is not _ndarray or W.dtype is not _F64 \
                or b.dtype is not _F64 or W.ndim != 2:
            return None
        n_out, n_in = W.shape
        if not n_out or not n_in or (n_prev is not None and n_in != n_prev) \
                or b.shape != (n_out,):
            return None
        if not (_isfinite(_vdot(W, W)) and _isfinite(_vdot(b, b))):
            return None                     # a NaN, an infinity, or an overflow
        checked[wk] = W
        checked[bk] = b
        n_prev = n_out
    return checked


def _check_params_full(params, name: str) -> dict[str, np.ndarray]:
    if not isinstance(params, dict):
        raise TypeError(
            f"{name}: expected a dict with keys 'W1', 'b1', ..., got {describe(params)}"
        )
    layers = set()
    for key in params:
        match = _PARAM_KEY.match(key) if isinstance(key, str) else None
        if match is None:
            raise ValueError(
                f"{name}: expected keys 'W1', 'b1', 'W2', 'b2', ..., got an "
                f"unexpected key {key!r}"
            )
        layers.add(int(match.group(2)))
    if not layers:
        raise ValueError(f"{name}: expected keys 'W1', 'b1', ..., got an empty dict")
    n_layers = max(layers)
    expected = [f"{p}{l}" for l in range(1, n_layers + 1) for p in "Wb"]
    missing = [k for k in expected if k not in params]
    if missing:
        raise ValueError(
            f"{name}: expected keys {expected} for a {n_layers}-layer network, "
            f"missing {missing}"
        )
    checked = {}
    n_prev = None
    for l in range(1, n_layers + 1):
        W = as_float_array(params[f"W{l}"], f"{name}['W{l}']")
        b = as_float_array(params[f"b{l}"], f"{name}['b{l}']")
        if W.ndim != 2 or W.size == 0:
            raise ValueError(
                f"{name}['W{l}']: expected a non-empty 2-D array of shape "
                f"(n_{l}, n_{l - 1}), got shape {W.shape}"
            )
        if n_prev is not None and W.shape[1] != n_prev:
            raise ValueError(
                f"{name}['W{l}']: expected shape ({W.shape[0]}, {n_prev}) because "
                f"layer {l - 1} has {n_prev} units, got shape {W.shape}"
            )
        if b.shape != (W.shape[0],):
            raise ValueError(
                f"{name}['b{l}']: expected shape ({W.shape[0]},) to match "
                f"{name}['W{l}'] of shape {W.shape}, got shape {b.shape}"
            )
        checked[f"W{l}"], checked[f"b{l}"] = W, b
        n_prev = W.shape[0]
    return checked


def layer_sizes_of(params: dict[str, np.ndarray]) -> list[int]:
    """``[n_0, ..., n_L]`` read off checked parameters."""
    n_layers = len(params) // 2
    return [params["W1"].shape[1]] + [params[f"W{l}"].shape[0] for l in range(1, n_layers + 1)]


def check_inputs(X, n_inputs: int, name: str = "X") -> np.ndarray:
    """``X`` of shape ``(m, n_0)`` with ``m >= 1``: examples as rows."""
    if type(X) is _ndarray and X.dtype is _F64 and X.ndim == 2 and X.shape[0] \
            and X.shape[1] == n_inputs and _isfinite(_vdot(X, X)):
        return X                            # the fast path
    X = as_float_array(X, name)
    if X.ndim != 2:
        raise ValueError(
            f"{name}: expected a 2-D array of shape (m, {n_inputs}) with one "
            f"example per row, got shape {X.shape}"
            + (" (use X.reshape(1, -1) for a single example)" if X.ndim == 1 else "")
        )
    if X.shape[0] == 0:
        raise ValueError(f"{name}: expected at least one example (row), got shape {X.shape}")
    if X.shape[1] != n_inputs:
        raise ValueError(
            f"{name}: expected {n_inputs} columns (one per input of the network), "
            f"got shape {X.shape}"
        )
    return X


def check_targets(Y, shape: tuple[int, int], name: str = "Y") -> np.ndarray:
    """Targets of the shape of the prediction, ``(m, n_L)``.

    A 1-D array of length ``m`` is accepted when ``n_L == 1`` and returned as
    a column; no other broadcasting is done.
    """
    if type(Y) is _ndarray and Y.dtype is _F64 and Y.shape == shape \
            and _isfinite(_vdot(Y, Y)):
        return Y                            # the fast path
    Y = as_float_array(Y, name)
    m, n_out = shape
    if Y.ndim == 1 and n_out == 1 and Y.shape[0] == m:
        return Y.reshape(m, 1)
    if Y.shape != (m, n_out):
        hint = " or a 1-D array of length " + str(m) if n_out == 1 else ""
        labels = ""
        if n_out >= 2 and Y.shape in ((m,), (m, 1)):
            labels = (f"; if these are class labels 0, ..., {n_out - 1}, turn them into "
                      f"one-hot rows with nc.one_hot(labels, {n_out})")
        raise ValueError(
            f"{name}: expected shape ({m}, {n_out}) to match the prediction{hint}, "
            f"got shape {Y.shape}{labels}"
        )
    return Y


def check_probability_targets(Y: np.ndarray, name: str = "Y") -> None:
    """Binary cross-entropy needs targets in [0, 1]."""
    if Y.size and (Y.min() < 0 or Y.max() > 1):
        raise ValueError(
            f"{name}: expected targets in [0, 1] for binary cross-entropy, got "
            f"values in [{Y.min():g}, {Y.max():g}]"
        )


def check_distribution_targets(Y: np.ndarray, name: str = "Y") -> None:
    r"""Cross-entropy needs target rows that are probability distributions.

    Every entry in [0, 1] and every row summing to 1 within
    :math:`\sqrt{\varepsilon} \approx 1.5 \cdot 10^{-8}` (the tolerance
    scikit-learn's ``log_loss`` uses for the rows of its probabilities), so
    soft labels typed as decimals pass.
    """
    if not Y.size:
        return
    lo, hi = Y.min(), Y.max()
    rows = Y.sum(axis=1)
    bad = np.flatnonzero(np.abs(rows - 1.0) > _ROW_SUM_RTOL)
    if lo >= 0 and hi <= 1 and not bad.size:
        return
    integral = bool(np.all(Y == np.round(Y)))
    if Y.shape[1] == 1:
        hint = ("; with one output every row would have to be 1: for labels 0/1 and one "
                "output use loss='bce', or one-hot rows and a softmax output with "
                "nc.one_hot(labels, 2)")
    elif integral and hi > 1:
        hint = ("; class labels go in one-hot rows: nc.one_hot(labels, "
                f"{Y.shape[1]})")
    else:
        hint = ""
    if lo < 0 or hi > 1:
        raise ValueError(
            f"{name}: expected one-hot (or probability) rows with entries in [0, 1] for "
            f"cross-entropy, got values in [{lo:g}, {hi:g}]{hint}"
        )
    i = int(bad[0])
    raise ValueError(
        f"{name}: expected one-hot (or probability) rows that sum to 1 for cross-entropy, "
        f"got {bad.size} row{'s' if bad.size > 1 else ''} that do not (row {i} sums to "
        f"{rows[i]:.6g}){hint}"
    )


#: Relative tolerance of the row sums in :func:`check_distribution_targets`.
_ROW_SUM_RTOL = float(np.sqrt(np.finfo(np.float64).eps))


def check_loss_targets(Y: np.ndarray, loss: str, name: str = "Y") -> None:
    """The value checks each loss needs of its (already shaped) targets."""
    if loss == "bce":
        check_probability_targets(Y, name)
    elif loss == "cross_entropy":
        check_distribution_targets(Y, name)


def check_same_structure(grads, params: dict[str, np.ndarray], name: str = "grads"):
    """Gradients must have exactly the keys and shapes of the parameters."""
    if type(grads) is dict and len(grads) == len(params):
        checked = {}
        for key, value in params.items():
            g = grads.get(key)
            if type(g) is not _ndarray or g.dtype is not _F64 or g.shape != value.shape \
                    or not _isfinite(_vdot(g, g)):
                break
            checked[key] = g
        else:
            return checked                  # the fast path
    if not isinstance(grads, dict):
        raise TypeError(f"{name}: expected a dict like params, got {describe(grads)}")
    if set(grads) != set(params):
        raise ValueError(
            f"{name}: expected the keys of params {sorted(params)}, got {sorted(grads)}"
        )
    checked = {}
    for key, value in params.items():
        g = as_float_array(grads[key], f"{name}[{key!r}]")
        if g.shape != value.shape:
            raise ValueError(
                f"{name}[{key!r}]: expected shape {value.shape} to match "
                f"params[{key!r}], got shape {g.shape}"
            )
        checked[key] = g
    return checked
