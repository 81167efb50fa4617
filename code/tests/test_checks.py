"""The exercise self-checks accept correct implementations and name the
mistake of deliberately wrong ones."""

import warnings

import numpy as np
import pytest

import nncalc as nc
from nncalc import checks


def sig(z):
    return 1 / (1 + np.exp(-z))


# -- sigmoid' ----------------------------------------------------------------------

def test_sigmoid_prime_correct():
    result = checks.check_sigmoid_prime(lambda z: sig(z) * (1 - sig(z)))
    assert result and result.message.startswith("✓") and "3 tests" in repr(result)


@pytest.mark.parametrize("wrong,fragment", [
    (lambda z: sig(z), "returns σ(z) itself"),
    (lambda z: 1 - sig(z), "1 − σ(z)"),
    (lambda z: z * (1 - z), "applies the formula to z"),
    (lambda z: -sig(z) * (1 - sig(z)), "wrong sign"),
    (lambda z: float(sig(z[0]) * (1 - sig(z[0]))) if np.ndim(z) else 0.7 * 0.3 + 0.0, None),
    (lambda z: np.ravel(sig(z) * (1 - sig(z))), "right numbers in the wrong shape"),
    (lambda z: sig(z) ** 2, "different result"),
    (lambda z: 1 / 0, "raised ZeroDivisionError"),
])
def test_sigmoid_prime_wrong(wrong, fragment):
    result = checks.check_sigmoid_prime(wrong)
    assert not result and result.message.startswith("✗")
    if fragment:
        assert fragment in result.message


# -- loss gradients -------------------------------------------------------------------

def test_mse_grad_correct_and_wrong():
    assert checks.check_mse_grad(lambda y_hat, Y: (y_hat - Y) / len(Y))
    cases = {
        "5 times too large": lambda y_hat, Y: y_hat - Y,
        "twice too large": lambda y_hat, Y: 2 * (y_hat - Y) / len(Y),
        "wrong sign": lambda y_hat, Y: (Y - y_hat) / len(Y),
        "5 times too small": lambda y_hat, Y: (y_hat - Y) / len(Y) ** 2,
        "off by a transpose": lambda y_hat, Y: ((y_hat - Y) / len(Y)).T,
    }
    for fragment, fn in cases.items():
        result = checks.check_mse_grad(fn)
        assert not result and fragment in result.message, (fragment, result.message)


def test_bce_grad_correct_and_wrong():
    def right(p, y):
        return (p - y) / (p * (1 - p)) / len(y)

    assert checks.check_bce_grad(right)
    assert "too large" in checks.check_bce_grad(lambda p, y: (p - y) / (p * (1 - p))).message
    assert "different result" in checks.check_bce_grad(lambda p, y: (p - y) / len(y)).message


# -- weight gradient --------------------------------------------------------------------

def test_weight_grad_correct_and_transposed():
    assert checks.check_weight_grad(lambda D, A: D.T @ A)
    result = checks.check_weight_grad(lambda D, A: A.T @ D)
    assert not result and "off by a transpose" in result.message
    result = checks.check_weight_grad(lambda D, A: D.T @ A / len(D))
    assert "Δ already holds the 1/m" in result.message
    result = checks.check_weight_grad(lambda D, A: D.T @ A[:, :1])
    assert "returned shape (3, 1), expected (3, 2)" in result.message
    assert result.message.startswith("✗ Not yet: your function ")


# -- backward -----------------------------------------------------------------------------

def reader_backward(params, cache, Y, scale_w1=1.0, transpose_w2=False, sign=1.0, mean=True):
    """A hand-written 2-2-1 backward (sigmoid hidden, identity output, mse)."""
    m = Y.shape[0]
    d2 = (cache["A2"] - Y) / (m if mean else 1)
    g = {"W2": d2.T @ cache["A1"], "b2": d2.sum(0)}
    d1 = (d2 @ params["W2"]) * cache["A1"] * (1 - cache["A1"])
    g["W1"] = scale_w1 * sign * (d1.T @ cache["A0"])
    g["b1"] = sign * d1.sum(0)
    if transpose_w2:
        g["W2"] = g["W2"].T
    return g


def test_backward_correct():
    result = checks.check_backward(reader_backward)
    assert result and "2-2-1" in result.message


def test_backward_diagnoses():
    from functools import partial

    r = checks.check_backward(partial(reader_backward, transpose_w2=True))
    assert not r and "W2" in r.message and "transpose" in r.message
    r = checks.check_backward(partial(reader_backward, sign=-1.0))
    assert "W1" in r.message and "wrong sign" in r.message and "later layers are right" in r.message
    r = checks.check_backward(partial(reader_backward, mean=False))
    assert "W2" in r.message and "5 times too large" in r.message
    r = checks.check_backward(lambda p, c, Y: {"W1": 0})
    assert "no gradient for b1, W2, b2" in r.message
    r = checks.check_backward(lambda p, c, Y: [1, 2])
    assert "expected a dict" in r.message


def test_backward_modifying_params_is_reported():
    def greedy(params, cache, Y):
        g = reader_backward(params, cache, Y)
        params["W1"] -= 0.1 * g["W1"]
        return g

    assert "modified params" in checks.check_backward(greedy).message


def test_backward_other_architectures_use_reference():
    def via_nncalc(params, cache, Y):
        return nc.backward(params, cache, Y, loss="bce")

    assert checks.check_backward(via_nncalc, layer_sizes=(3, 4, 2), hidden="tanh",
                                 output="sigmoid", loss="bce")
    assert not checks.check_backward(via_nncalc, layer_sizes=(3, 4, 2), hidden="tanh",
                                     output="sigmoid", loss="mse")


# -- sgd_step -------------------------------------------------------------------------------

def test_sgd_step_correct_and_wrong():
    assert checks.check_sgd_step(lambda p, g, lr: {k: p[k] - lr * g[k] for k in p})
    r = checks.check_sgd_step(lambda p, g, lr: {k: p[k] + lr * g[k] for k in p})
    assert "uphill" in r.message
    r = checks.check_sgd_step(lambda p, g, lr: {k: p[k] - g[k] for k in p})
    assert "ignores the learning rate" in r.message

    def in_place(p, g, lr):
        for k in p:
            p[k] -= lr * g[k]
        return p

    assert "changed the params" in checks.check_sgd_step(in_place).message


# -- softmax and its output error -------------------------------------------------------

def stable_softmax(Z):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def naive_softmax(Z):
    return np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)


def mean_shifted_softmax(Z):
    """Shifts each row by its mean: not enough for [1000, -1000, -1000]."""
    E = np.exp(Z - Z.mean(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def test_softmax_correct():
    result = checks.check_softmax(stable_softmax)
    assert result and "size 1000" in result.message
    assert checks.check_softmax(nc.softmax)


@pytest.mark.parametrize("wrong,fragment", [
    (naive_softmax, "subtract each row's largest logit"),
    (mean_shifted_softmax, "subtract each row's largest logit"),
    (lambda Z: stable_softmax(Z.T).T, "normalises each column"),
    (lambda Z: np.exp(Z - Z.max()) / np.exp(Z - Z.max()).sum(), "whole batch"),
    (lambda Z: 1 / (1 + np.exp(-np.clip(Z, -500, 500))), "sigmoid"),
    (lambda Z: stable_softmax(Z).T, "off by a transpose"),
    (lambda Z: np.exp(Z - Z.max(axis=1, keepdims=True)), "does not normalise"),
    (lambda Z: np.exp(Z), "does not normalise"),
    (lambda Z: stable_softmax(Z) ** 2, "different result"),
    (lambda Z: [][1], "raised IndexError"),
])
def test_softmax_wrong(wrong, fragment):
    with warnings.catch_warnings():
        warnings.simplefilter("error")           # the reader's overflow stays quiet
        result = checks.check_softmax(wrong)
    assert not result and result.message.startswith("✗"), result.message
    assert fragment in result.message, result.message


def test_softmax_ce_delta_correct():
    result = checks.check_softmax_ce_delta(lambda Z, Y: (stable_softmax(Z) - Y) / len(Z))
    assert result and "(softmax(Z) − Y)/m" in result.message

    def through_log_softmax(Z, Y):
        shifted = Z - Z.max(axis=1, keepdims=True)
        log_P = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        return (np.exp(log_P) - Y) / len(Z)

    assert checks.check_softmax_ce_delta(through_log_softmax)


def _diagonal_only(Z, Y):
    P = stable_softmax(Z)
    return (-Y / P / len(Z)) * P * (1 - P)


def _jacobian_route(Z, Y, floor=0.0):
    """J^T p-bar row by row with p-bar = -Y/P: 0/0 where a probability underflows."""
    P = stable_softmax(Z)
    P_bar = -Y / np.maximum(P, floor)
    return np.array([(np.diag(p) - np.outer(p, p)).T @ g for p, g in zip(P, P_bar)]) / len(Z)


@pytest.mark.parametrize("wrong,fragment", [
    (lambda Z, Y: (Y - stable_softmax(Z)) / len(Z), "wrong sign"),
    (lambda Z, Y: ((stable_softmax(Z) - Y) / len(Z)).T, "Δ has the shape of Z"),
    (lambda Z, Y: stable_softmax(Z) - Y, "5 times too large"),
    (lambda Z, Y: (stable_softmax(Z) - Y) / len(Z) ** 2, "5 times too small"),
    (lambda Z, Y: (Z - Y) / len(Z), "forgot the softmax"),
    (lambda Z, Y: (stable_softmax(Z.T).T - Y) / len(Z), "down the columns"),
    (lambda Z, Y: stable_softmax(Z) / len(Z), "forgot to subtract the targets"),
    (lambda Z, Y: -Y / stable_softmax(Z) / len(Z), "returns ∂L/∂P"),
    (_diagonal_only, "only the diagonal"),
    (lambda Z, Y: (stable_softmax(Z) - Y) / Z.size, "4 times too small"),
    (lambda Z, Y: (naive_softmax(Z) - Y) / len(Z), "subtract each row's largest logit"),
    (lambda Z, Y: (mean_shifted_softmax(Z) - Y) / len(Z), "subtract each row's largest logit"),
    (_jacobian_route, "a probability underflowed to 0 and was divided into (−Y/P)"),
    (lambda Z, Y: _jacobian_route(Z, Y, floor=1e-300),
     "only in rows where a probability underflowed to 0"),
    (lambda Z, Y: {"delta": 1}, "not an array of numbers"),
])
def test_softmax_ce_delta_wrong(wrong, fragment):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = checks.check_softmax_ce_delta(wrong)
    assert not result and result.message.startswith("✗"), result.message
    assert fragment in result.message, result.message


def test_checks_reject_non_callables():
    for check in [checks.check_sigmoid_prime, checks.check_mse_grad, checks.check_bce_grad,
                  checks.check_weight_grad, checks.check_backward, checks.check_sgd_step,
                  checks.check_softmax, checks.check_softmax_ce_delta]:
        with pytest.raises(TypeError, match="fn"):
            check("not a function")


def test_result_text_is_wrapped_for_the_page():
    result = checks.check_backward(lambda p, c, Y: {k: v.T for k, v in p.items()})
    lines = repr(result).splitlines()
    assert len(lines) > 1 and all(len(line) <= 78 for line in lines)
    assert " ".join(line.strip() for line in lines) == result.message
