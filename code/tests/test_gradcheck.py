"""numerical_gradient and assert_close against results derived on paper."""

import numpy as np
import pytest

import nncalc as nc


def test_gradient_of_quadratic_form():
    # f(x) = x^T A x has gradient (A + A^T) x
    rng = np.random.default_rng(0)
    A, x = rng.normal(size=(3, 3)), rng.normal(size=3)
    num = nc.numerical_gradient(lambda v: v @ A @ v, x)
    np.testing.assert_allclose(num, (A + A.T) @ x, atol=1e-8)


def test_gradient_of_trace_with_respect_to_matrix():
    # f(W) = tr(B W) = sum_ij B_ji W_ij has gradient B^T (a matrix of W's shape)
    rng = np.random.default_rng(1)
    B, W = rng.normal(size=(4, 3)), rng.normal(size=(3, 4))
    num = nc.numerical_gradient(lambda M: np.trace(B @ M), W)
    assert num.shape == W.shape
    np.testing.assert_allclose(num, B.T, atol=1e-9)


def test_gradient_of_dict_function_by_hand():
    # f = sum(W**2) + 3 b0 - b1^3 ; df/dW = 2W, df/db = [3, -3 b1^2]
    p = {"W": np.array([[1.0, -2.0]]), "b": np.array([0.5, 2.0])}
    num = nc.numerical_gradient(lambda q: (q["W"] ** 2).sum() + 3 * q["b"][0] - q["b"][1] ** 3, p)
    np.testing.assert_allclose(num["W"], [[2.0, -4.0]], atol=1e-8)
    np.testing.assert_allclose(num["b"], [3.0, -12.0], atol=1e-7)


def test_central_difference_error_is_second_order():
    # For f = exp, the central-difference error is about h^2/6 f'''(x):
    # shrinking h by 10 shrinks the error by about 100.
    e1 = abs(nc.numerical_gradient(lambda v: np.exp(v[0]), np.array([0.0]), h=1e-2)[0] - 1)
    e2 = abs(nc.numerical_gradient(lambda v: np.exp(v[0]), np.array([0.0]), h=1e-3)[0] - 1)
    assert e1 == pytest.approx(1e-4 / 6, rel=1e-2)
    assert 80 < e1 / e2 < 120


def test_params_not_mutated_and_f_receives_copies():
    p = {"W": np.array([1.0, 2.0])}
    seen = []

    def f(q):
        seen.append(q["W"])
        return float(q["W"].sum())

    nc.numerical_gradient(f, p)
    np.testing.assert_array_equal(p["W"], [1.0, 2.0])
    assert all(a is not p["W"] for a in seen)
    assert len(seen) == 4  # two evaluations per entry


def test_one_element_array_result_accepted():
    g = nc.numerical_gradient(lambda v: np.array([[2 * v[0]]]), np.array([1.0]))
    assert g[0] == pytest.approx(2.0)


def test_assert_close_prints_and_raises(capsys):
    nc.assert_close({"a": np.ones(2)}, {"a": np.ones(2) + 1e-12}, tol=1e-9, label="x and y")
    assert capsys.readouterr().out == "✓ x and y agree: max |difference| < 1e-09\n"
    with pytest.raises(AssertionError, match="differ"):
        nc.assert_close(np.ones(2), np.zeros(2), tol=1e-9)
    assert nc.max_abs_difference(np.array([1.0, 5.0]), np.array([1.5, 3.0])) == 2.0
