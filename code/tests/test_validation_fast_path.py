"""The fast path of the validation (nncalc._validation, module docstring).

An argument that is already a float64 ndarray of the right shape is
accepted after one pass, np.vdot(a, a); everything else goes through the
full checks. These tests check that the fast path changes how long a check
takes and nothing else: every bad input still gets the full check's
exception and message through the public functions, what it accepts it
returns unchanged (the same arrays, a new dict), and a property test
compares it with the full check on random input."""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nncalc as nc
from nncalc import _validation as V

P = nc.init_params([2, 3, 1], seed=0)
X, Y = nc.datasets.xor(m=6)


def _message(call):
    """(exception type, message) of a call that must raise."""
    with pytest.raises((TypeError, ValueError)) as info:
        call()
    return type(info.value), str(info.value)


# -- finiteness: a NaN or an infinity anywhere, in arrays of every size -------------

@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 64, 100, 1001])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_one_non_finite_entry_is_found_wherever_it_is(n, bad):
    # BLAS dot products work on blocks and finish with a scalar tail: put the
    # bad entry first, last and in between, for lengths around block sizes
    for i in sorted({0, n // 2, n - 1}):
        a = np.ones(n)
        a[i] = bad
        with pytest.raises(ValueError, match="1 NaN or infinite entry"):
            V.as_float_array(a, "z")
        with pytest.raises(ValueError, match="expected finite numbers"):
            V.check_inputs(a.reshape(1, n), n, "X")
        with pytest.raises(ValueError, match="expected finite numbers"):
            V.check_targets(a.reshape(n, 1), (n, 1), "Y")


def test_nan_next_to_huge_numbers_is_found():
    a = np.array([1e300, np.nan, -1e300])
    with pytest.raises(ValueError, match="1 NaN or infinite entry"):
        V.as_float_array(a, "z")
    a = np.array([1e300, np.inf, 1e300, -np.inf])
    with pytest.raises(ValueError, match="2 NaN or infinite entries"):
        V.as_float_array(a, "z")


def test_finite_entries_whose_squares_overflow_are_accepted_without_a_warning():
    big = np.full((2, 2), 1e200)           # vdot overflows: the full check decides
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert V.as_float_array(big, "z") is big
        assert V.check_inputs(big, 2, "X") is big
        assert V.check_targets(big, (2, 2), "Y") is big
        params = {"W1": big, "b1": np.full(2, 1e200)}
        checked = V.check_params(params)
        assert checked["W1"] is big and checked is not params
        assert V.check_same_structure(params, checked)["W1"] is big
        assert V.check_positive_number(1e308, "lr") == 1e308


@pytest.mark.parametrize("key", ["W1", "b1", "W2", "b2"])
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_parameter_or_gradient_through_every_public_function(key, bad):
    broken = {k: v.copy() for k, v in P.items()}
    broken[key].flat[-1] = bad
    cache = nc.forward(P, X)[1]
    grads = nc.backward(P, cache, Y)
    for call in (lambda: nc.forward(broken, X), lambda: nc.backward(broken, cache, Y),
                 lambda: nc.sgd_step(broken, grads, 0.1), lambda: nc.n_layers(broken),
                 lambda: nc.train(broken, X, Y, epochs=1, lr=0.1),
                 lambda: nc.l2_penalty(broken, 0.1, 4)):
        with pytest.raises(ValueError, match=rf"params\['{key}'\]: expected finite numbers"):
            call()
    bad_grads = {**grads, key: broken[key]}
    with pytest.raises(ValueError, match=rf"grads\['{key}'\]: expected finite numbers"):
        nc.sgd_step(P, bad_grads, 0.1)


def test_non_finite_inputs_and_targets_through_every_public_function():
    Xb, Yb = X.copy(), Y.copy()
    Xb[-1, -1] = np.nan
    Yb[0, 0] = np.inf
    y_hat, cache = nc.forward(P, X)
    with pytest.raises(ValueError, match="X: expected finite numbers"):
        nc.forward(P, Xb)
    with pytest.raises(ValueError, match="X: expected finite numbers"):
        nc.train(P, Xb, Y, epochs=1, lr=0.1)
    for call in (lambda: nc.backward(P, cache, Yb), lambda: nc.mse(y_hat, Yb),
                 lambda: nc.train(P, X, Yb, epochs=1, lr=0.1)):
        with pytest.raises(ValueError, match="Y: expected finite numbers"):
            call()
    with pytest.raises(ValueError, match="y_hat: expected finite numbers"):
        nc.mse(Yb, Y)
    with pytest.raises(ValueError, match="z: expected finite numbers"):
        nc.sigmoid(np.array(np.nan))         # a 0-d array


# -- what the fast path does not take goes through the full check ---------------------

def test_other_kinds_of_arrays_are_converted_as_before():
    ints = {k: np.round(10 * v).astype(np.int64) for k, v in P.items()}
    checked = V.check_params(ints)
    assert all(v.dtype == np.float64 for v in checked.values())
    assert all(np.array_equal(checked[k], ints[k]) for k in P)
    f32 = V.as_float_array(np.ones(3, dtype=np.float32), "z")
    assert f32.dtype == np.float64
    big_endian = np.ones(3, dtype=">f8")
    assert V.as_float_array(big_endian, "z").dtype == np.float64
    class Sub(np.ndarray):
        pass

    sub = np.ones((2, 2)).view(Sub)        # a subclass: np.asarray makes it an ndarray
    assert type(V.as_float_array(sub, "z")) is np.ndarray
    assert type(V.check_params({"W1": sub, "b1": np.zeros(2)})["W1"]) is np.ndarray
    assert nc.forward(P, [[0, 1], [1, 0]])[0].shape == (2, 1)      # lists, ints
    assert nc.forward(P, X.astype(np.float32))[0].dtype == np.float64


def test_strided_and_read_only_arrays():
    wide = np.ones((4, 6))
    wide[1, 2] = np.nan
    strided = wide[:, ::2]                 # not contiguous; the NaN at [1, 1]
    with pytest.raises(ValueError, match="1 NaN or infinite entry"):
        V.as_float_array(strided, "z")
    with pytest.raises(ValueError, match="X: expected finite numbers"):
        nc.forward({"W1": np.ones((1, 3)), "b1": np.zeros(1)}, strided)
    transposed = {k: (v.T.copy().T if v.ndim == 2 else v) for k, v in P.items()}
    assert not transposed["W1"].flags.c_contiguous
    nc.assert_close(nc.forward(transposed, X)[0], nc.forward(P, X)[0], rtol=1e-15)
    frozen = {k: v.copy() for k, v in P.items()}
    for v in frozen.values():
        v.flags.writeable = False
    assert V.check_params(frozen)["W1"] is frozen["W1"]


def test_accepted_arrays_are_returned_as_they_are_in_a_new_dict():
    checked = V.check_params(P)
    assert checked is not P and list(checked) == ["W1", "b1", "W2", "b2"]
    assert all(checked[k] is P[k] for k in P)
    checked["W1"] = None                   # the caller's dict is not touched
    assert isinstance(P["W1"], np.ndarray)
    shuffled = {k: P[k] for k in ["b2", "W1", "W2", "b1"]}
    assert list(V.check_params(shuffled)) == ["W1", "b1", "W2", "b2"]
    assert V.as_float_array(X, "X") is X and V.check_inputs(X, 2, "X") is X


@pytest.mark.parametrize("params,exc,fragments", [
    ([P["W1"], P["b1"]], TypeError, ("params", "dict", "list")),
    ({}, ValueError, ("empty dict",)),
    ({**P, "W3": np.ones((1, 1))}, ValueError, ("missing", "b3")),                 # odd
    ({"W1": P["W1"], "b1": P["b1"], "W3": P["W2"], "b3": P["b2"]}, ValueError,
     ("missing", "W2")),                                                          # even
    ({"W01": P["W1"], "b1": P["b1"]}, ValueError, ("unexpected key", "'W01'")),
    ({1: P["W1"], "b1": P["b1"]}, ValueError, ("unexpected key", "1")),
    ({**P, "W2": np.ones((1, 4))}, ValueError, ("params['W2']", "(1, 3)", "(1, 4)")),
    ({**P, "b1": np.zeros((3, 1))}, ValueError, ("params['b1']", "(3,)", "(3, 1)")),
    ({**P, "W1": np.ones(3)}, ValueError, ("params['W1']", "2-D")),
    ({**P, "W1": np.ones((0, 2)), "b1": np.zeros(0)}, ValueError, ("params['W1']", "non-empty")),
    ({**P, "W1": "weights"}, TypeError, ("params['W1']", "numeric")),
    ({**P, "b2": np.array([1 + 2j])}, TypeError, ("params['b2']", "complex")),
])
def test_bad_params_get_the_full_checks_message(params, exc, fragments):
    for call in (lambda: nc.forward(params, X), lambda: V.check_params(params)):
        kind, message = _message(call)
        assert kind is exc
        for fragment in fragments:
            assert fragment in message, (fragment, message)


def test_bad_gradients_get_the_full_checks_message():
    grads = nc.backward(P, nc.forward(P, X)[1], Y)
    for bad, exc, fragment in [
            ({**grads, "W1": grads["W1"].T}, ValueError, "grads['W1']: expected shape (3, 2)"),
            ({k: v for k, v in grads.items() if k != "b2"}, ValueError, "keys of params"),
            ({**grads, "extra": grads["b2"]}, ValueError, "keys of params"),
            ({**grads, "b1": [0, 0, 0]}, None, None),                 # a list is converted
            (list(grads.values()), TypeError, "grads: expected a dict")]:
        if exc is None:
            assert nc.sgd_step(P, bad, 0.1)["b1"].dtype == np.float64
            continue
        kind, message = _message(lambda: nc.sgd_step(P, bad, 0.1))
        assert kind is exc and fragment in message, message


@pytest.mark.parametrize("value,exc,fragment", [
    (0.0, ValueError, "> 0"), (-0.1, ValueError, "> 0"), (float("nan"), ValueError, "> 0"),
    (float("inf"), ValueError, "> 0"), (True, TypeError, "positive number"),
    ("0.1", TypeError, "'0.1'"), (np.float64(np.nan), ValueError, "> 0"),
])
def test_learning_rate_checks(value, exc, fragment):
    with pytest.raises(exc, match=None) as info:
        V.check_positive_number(value, "lr")
    assert "lr" in str(info.value) and fragment in str(info.value)


@pytest.mark.parametrize("value,ok", [(0.0, True), (-0.0, True), (2.5, True), (-1e-300, False),
                                      (float("nan"), False), (float("inf"), False)])
def test_alpha_checks(value, ok):
    if ok:
        assert V.check_nonnegative_number(value, "alpha") == value
    else:
        with pytest.raises(ValueError, match="alpha: expected a finite number >= 0"):
            V.check_nonnegative_number(value, "alpha")


# -- the fast path and the full check agree on random input --------------------------

_VALUES = st.sampled_from([0.0, -1.5, 2.0, 1e200, -1e-300, np.nan, np.inf, -np.inf])


@given(shapes=st.lists(st.integers(0, 3), min_size=2, max_size=4),
       bias_shift=st.integers(-1, 1), values=st.lists(_VALUES, min_size=1, max_size=6),
       positions=st.lists(st.integers(0, 10_000), min_size=1, max_size=6),
       drop=st.sampled_from([None, "W1", "b2"]))
def test_fast_path_agrees_with_the_full_check(shapes, bias_shift, values, positions, drop):
    rng = np.random.default_rng(len(shapes))
    params = {}
    for l in range(1, len(shapes)):
        params[f"W{l}"] = rng.normal(size=(shapes[l], shapes[l - 1]))
        params[f"b{l}"] = rng.normal(size=max(shapes[l] + (bias_shift if l == 1 else 0), 0))
    arrays = [v for v in params.values() if v.size]
    for value, position in zip(values, positions):
        if arrays:
            a = arrays[position % len(arrays)]
            a.flat[position % a.size] = value
    if drop and drop in params:
        del params[drop]

    def outcome(check):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            try:
                return "ok", check()
            except (TypeError, ValueError) as exc:
                return type(exc), str(exc)

    fast = outcome(lambda: V.check_params(params))
    full = outcome(lambda: V._check_params_full(params, "params"))
    if fast[0] == "ok":
        assert full[0] == "ok" and list(fast[1]) == list(full[1])
        assert all(fast[1][k] is full[1][k] for k in full[1])
    else:
        assert fast == full


# -- the public forward pass and the floating-point state -----------------------------

@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "relu", "identity"])
@pytest.mark.parametrize("output", ["sigmoid", "tanh", "relu", "identity", "softmax"])
def test_forward_reports_no_expected_underflow_or_overflow(hidden, output):
    # pre-activations of about +-1000: e^{-z} overflows and underflows in the
    # sigmoid, a softmax's probabilities underflow; all expected, none reported,
    # whatever np.seterr says (the forward pass opens an np.errstate only for
    # a softmax output, the sigmoid one of its own)
    params = {"W1": np.array([[1000.0, 0.0], [-1000.0, 0.0], [0.0, 1.0]]), "b1": np.zeros(3),
              "W2": np.array([[1.0, -1.0, 0.0], [-1.0, 1.0, 0.0]]) * 1000.0, "b2": np.zeros(2)}
    X = np.array([[1.0, 0.5], [-1.0, 0.25]])
    with np.errstate(all="raise"):
        y_hat, cache = nc.forward(params, X, hidden=hidden, output=output)
        nc.backward(params, cache, np.full((2, 2), 0.5), loss="mse")
    assert np.isfinite(y_hat).all()
