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


def test_assert_close_prints_one_deterministic_line_and_raises(capsys):
    nc.assert_close({"a": np.ones(2)}, {"a": np.ones(2) + 1e-12}, rtol=1e-9, label="x and y")
    assert capsys.readouterr().out == "✓ x and y agree: relative error ≤ 1e-09\n"
    with pytest.raises(AssertionError, match="differ"):
        nc.assert_close(np.ones(2), np.zeros(2), rtol=1e-9)
    assert nc.max_abs_difference(np.array([1.0, 5.0]), np.array([1.5, 3.0])) == 2.0


def test_relative_error_numbers_worked_on_paper():
    # max|a - b| = 0.2, max(|a|, |b|) = 2.2
    assert nc.relative_error(np.array([1.0, 2.0]), np.array([1.0, 2.2])) == pytest.approx(0.2 / 2.2)
    # a wrong sign is a relative error of 2, whatever the scale
    for scale in (1e-12, 1e-8, 1.0, 1e6):
        g = scale * np.array([0.3, -0.7])
        assert nc.relative_error(g, -g) == pytest.approx(2.0)
    assert nc.relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert nc.relative_error(np.zeros((0, 2)), np.zeros((0, 2))) == 0.0


def test_a_wrong_sign_or_ten_percent_on_a_tiny_gradient_fails():
    g = 1e-8 * np.array([[0.4, -0.9], [0.1, 0.6]])
    with pytest.raises(AssertionError, match="relative error 2 >"):
        nc.assert_close(-g, g, label="flipped")
    with pytest.raises(AssertionError, match=r"relative error 0\.0909 "):   # 0.1/1.1
        nc.assert_close(1.1 * g, g, label="ten percent")
    # the absolute criterion of old would have passed both
    assert nc.max_abs_difference(-g, g) < 1e-6


def test_rounding_noise_on_a_huge_gradient_passes(capsys):
    rng = np.random.default_rng(3)
    g = 1e6 * rng.normal(size=(5, 4))
    noisy = g * (1 + 1e-13 * rng.normal(size=g.shape))
    assert nc.max_abs_difference(noisy, g) > 1e-8   # large in absolute terms
    nc.assert_close(noisy, g, rtol=1e-10, label="noisy")
    assert "agree" in capsys.readouterr().out


def test_exact_zeros_pass_and_zero_against_noise_needs_atol(capsys):
    nc.assert_close(np.zeros(4), np.zeros(4), label="zeros")
    noise = np.array([3e-11, -2e-11])
    with pytest.raises(AssertionError):
        nc.assert_close(np.zeros(2), noise, label="zero vs noise")
    nc.assert_close(np.zeros(2), noise, atol=1e-10, label="zero vs noise")
    out = capsys.readouterr().out
    assert "✓ zero vs noise agree: relative error ≤ 1e-06 (or |difference| <= 1e-10)" in out


def test_each_layer_is_judged_at_its_own_scale():
    """A sign flip in a tiny layer's gradient must fail next to a large layer."""
    true = {"W1": 1e-8 * np.array([[0.5, -0.2]]), "W2": np.array([[3.0, 1.0]])}
    wrong = {"W1": -true["W1"], "W2": true["W2"].copy()}
    assert nc.relative_error(wrong, true) == pytest.approx(2.0)
    with pytest.raises(AssertionError, match=r"differ in 'W1': relative error 2"):
        nc.assert_close(wrong, true, label="gradients")


def test_finite_differences_pass_the_default_check_on_a_real_network():
    X, Y = nc.datasets.xor(m=16, seed=1)
    params = nc.init_params([2, 3, 1], seed=2)
    y_hat, cache = nc.forward(params, X, hidden="tanh", output="sigmoid")
    grads = nc.backward(params, cache, Y, loss="bce")
    num = nc.numerical_gradient(
        lambda p: nc.bce(nc.forward(p, X, hidden="tanh", output="sigmoid")[0], Y), params)
    assert nc.relative_error(grads, num) < 1e-7
    nc.assert_close(grads, num, label="backward and finite differences")
    flipped = dict(grads, W1=-grads["W1"])
    with pytest.raises(AssertionError, match="W1"):
        nc.assert_close(flipped, num)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"rtol": 0}, ValueError, "rtol"),
    ({"rtol": "1e-6"}, TypeError, "rtol"),
    ({"atol": -1.0}, ValueError, "atol"),
    ({"label": 3}, TypeError, "label"),
])
def test_assert_close_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        nc.assert_close(np.ones(2), np.ones(2), **kwargs)


def test_relative_error_rejects_mismatched_inputs():
    with pytest.raises(ValueError, match="shape"):
        nc.relative_error(np.ones(2), np.ones(3))
    with pytest.raises(ValueError, match="keys"):
        nc.relative_error({"a": 1.0}, {"b": 1.0})
    with pytest.raises(TypeError, match="dict"):
        nc.relative_error({"a": 1.0}, np.ones(1))
