"""nncalc.autodiff.Value: adjoints against numbers worked on paper, forward-mode
recurrences, finite differences and nc.backward; repeated parents, shared
sub-expressions, deep graphs, kinks, extreme inputs and bad input."""

import math
import pathlib
import re
import sys
import warnings
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import nncalc as nc
from nncalc import autodiff
from nncalc.autodiff import Value

CHAIN_RULE_CHAPTER = pathlib.Path(__file__).parents[2] / "text" / "03_chain_rule.md"

moderate = st.floats(-10, 10, allow_nan=False, allow_infinity=False)
nonzero = moderate.filter(lambda t: abs(t) > 1e-3)


def gradient(f, *point):
    """Evaluate f on leaves holding ``point``, run backward, return (value, grads)."""
    leaves = [Value(t) for t in point]
    out = f(*leaves)
    out.backward()
    return out.data, np.array([leaf.grad for leaf in leaves])


def finite_differences(f, *point):
    """Central differences of f, evaluated on Values, at ``point``."""
    return nc.numerical_gradient(lambda v: f(*[Value(t) for t in v]).data, np.array(point))


def assert_cancels(adjoint, path_size):
    """An adjoint whose paths (each of size ``path_size``) cancel: 0 at their scale."""
    assert abs(adjoint) <= 1e-12 * path_size


# -- repeated parents: the defects of the chapter's old engine -----------------

@given(moderate)
def test_x_minus_x_has_adjoint_zero(t):
    # two paths, d(x - x)/dx = 1 - 1; the old engine kept one of them and gave -2
    _, (g,) = gradient(lambda x: x - x, t)
    assert_cancels(g, 1.0)


@given(nonzero)
def test_x_over_x_has_adjoint_zero(t):
    # d(x/x)/dx = 1/x - x/x^2; the old engine gave -1/x (-0.667 at x = 1.5)
    _, (g,) = gradient(lambda x: x / x, t)
    assert_cancels(g, 1 / abs(t))


@given(moderate)
def test_x_times_x_has_adjoint_2x(t):
    _, (g,) = gradient(lambda x: x * x, t)
    assert nc.relative_error(g, 2 * t) <= 1e-12


def test_xy_plus_x_worked_by_hand():
    # f = xy + x at (0.5, 2): f = 1.5, df/dx = y + 1 = 3, df/dy = x = 0.5
    value, grads = gradient(lambda x, y: x * y + x, 0.5, 2.0)
    nc.assert_close(value, 1.5, rtol=1e-12, label="f")
    nc.assert_close(grads, [3.0, 0.5], rtol=1e-12, label="(df/dx, df/dy)")


def test_xy_plus_sin_x_the_reviewed_case():
    # the review's case at (0.5, 2): forward mode gives (y + cos x, x) = (2.878, 0.5),
    # where the old engine gave 1.755 for df/dx
    f = lambda x, y: x * y + x.sin()  # noqa: E731
    _, grads = gradient(f, 0.5, 2.0)
    nc.assert_close(grads, [2.0 + math.cos(0.5), 0.5], rtol=1e-12, label="by hand")
    nc.assert_close(grads, finite_differences(f, 0.5, 2.0), rtol=1e-8, label="by differences")


def test_the_chapters_example_by_hand_and_by_differences():
    # f = ln x1 + x1 x2 - sin x2 at (2, 5): gradient (1/x1 + x2, x1 - cos x2)
    f = lambda x1, x2: x1.log() + x1 * x2 - x2.sin()  # noqa: E731
    _, grads = gradient(f, 2.0, 5.0)
    nc.assert_close(grads, [0.5 + 5.0, 2.0 - math.cos(5.0)], rtol=1e-12, label="by hand")
    nc.assert_close(grads, finite_differences(f, 2.0, 5.0), rtol=1e-8, label="by differences")


@given(moderate, moderate)
def test_shared_subexpression(s, t):
    # u = xy, f = u^2 + u: df/du = 2u + 1, df/dx = (2u + 1) y, df/dy = (2u + 1) x
    x, y = Value(s), Value(t)
    u = x * y
    f = u * u + u
    f.backward()
    w = 2 * s * t + 1
    nc.assert_close([u.grad, x.grad, y.grad], [w, w * t, w * s], rtol=1e-12, label="adjoints")


def test_shared_subexpression_worked_by_hand():
    # x = 1.5, y = -2: u = -3, 2u + 1 = -5, so (u, x, y) adjoints (-5, 10, -7.5)
    x, y = Value(1.5), Value(-2.0)
    u = x * y
    f = u * u + u
    f.backward()
    nc.assert_close([u.grad, x.grad, y.grad], [-5.0, 10.0, -7.5], rtol=1e-12, label="adjoints")


def test_300_products_of_x_with_itself():
    # 300 nodes x*x, each using x twice: d/dx sum = 300 * 2x
    x = Value(0.7)
    f = sum(x * x for _ in range(300))
    f.backward()
    nc.assert_close(x.grad, 600 * 0.7, rtol=1e-12, label="dx")


def test_one_node_used_300_times():
    x = Value(0.7)
    u = x * x
    f = sum([u] * 300)
    f.backward()
    nc.assert_close([u.grad, x.grad], [300.0, 600 * 0.7], rtol=1e-12, label="(du, dx)")


# -- numbers on either side, unary minus, powers ----------------------------------

def numbers_on_both_sides(x):
    return 2 * x + x * 3 + 1 + (4 - x) + (x - 5) + 1 / x + x / 2 + (-x)


@given(nonzero)
def test_numbers_on_either_side_and_unary_minus(t):
    # value 4.5 t + 1/t, derivative 2 + 3 - 1 + 1 - 1/t^2 + 1/2 - 1 = 4.5 - 1/t^2
    value, (g,) = gradient(numbers_on_both_sides, t)
    nc.assert_close(value, 4.5 * t + 1 / t, rtol=1e-12, label="value")
    nc.assert_close(g, 4.5 - 1 / t**2, rtol=1e-12, label="derivative")


def test_numpy_scalars_fractions_and_ints_on_either_side():
    x = Value(2.0)
    out = np.float64(3.0) * x + x * np.float32(0.5) + Fraction(1, 4) * x - np.int64(1)
    assert isinstance(out, Value)
    out.backward()
    assert type(out.data) is float and type(x.grad) is float
    nc.assert_close([out.data, x.grad], [6.5, 3.75], rtol=1e-12, label="(value, dx)")


@given(st.floats(0.1, 10), st.floats(-3, 3))
def test_power_with_a_number_exponent(t, n):
    value, (g,) = gradient(lambda x: x**n, t)
    nc.assert_close(value, t**n, rtol=1e-12, label="value")
    nc.assert_close(g, n * t ** (n - 1), rtol=1e-12, label="n x^(n-1)")
    assume(abs(n) > 1e-2)  # else the derivative is lost in the differences' rounding
    nc.assert_close(g, finite_differences(lambda x: x**n, t)[0], rtol=1e-6, label="differences")


@pytest.mark.parametrize("base, n, value, derivative", [
    (4.0, 0.5, 2.0, 0.25),          # sqrt: 1/(2 sqrt 4)
    (4.0, -0.5, 0.5, -1 / 16),      # -1/2 * 4^(-3/2)
    (2.0, -1, 0.5, -0.25),
    (-2.0, 3, -8.0, 12.0),          # negative base, integer exponent
    (-2.0, -2, 0.25, 0.25),         # -2 * (-2)^(-3) = 1/4
    (8.0, Fraction(1, 3), 2.0, 1 / 12),
    (0.0, 2, 0.0, 0.0),
    (0.0, 1, 0.0, 1.0),
    (0.0, 0, 1.0, 0.0),             # x^0 = 1 everywhere
    (5.0, 0, 1.0, 0.0),
])
def test_powers_worked_by_hand(base, n, value, derivative):
    got_value, (got,) = gradient(lambda x: x**n, base)
    nc.assert_close([got_value, got], [value, derivative], rtol=1e-12, label=f"{base}**{n}")


# -- functions: derivatives against finite differences and the formula --------------

FUNCTIONS = {  # name: (domain, function, derivative) for the formula check
    "exp": (st.floats(-10, 10), math.exp, math.exp),
    "log": (st.floats(0.1, 50), math.log, lambda t: 1 / t),
    "tanh": (st.floats(-3, 3), math.tanh, lambda t: 1 - math.tanh(t) ** 2),
    "sigmoid": (st.floats(-6, 6), nc.sigmoid, nc.sigmoid_prime),
    "sin": (st.floats(-10, 10), math.sin, math.cos),
    "cos": (st.floats(-10, 10), math.cos, lambda t: -math.sin(t)),
}


@pytest.mark.parametrize("name", FUNCTIONS)
def test_function_derivatives(name):
    domain, function, derivative = FUNCTIONS[name]
    method = lambda x: getattr(x, name)()  # noqa: E731

    @given(domain)
    def check(t):
        value, (g,) = gradient(method, t)
        nc.assert_close(value, function(t), rtol=1e-14, label="value")
        nc.assert_close(g, derivative(t), rtol=1e-12, label="formula")
        # away from the zeros of the derivative, where differences lose their digits
        assume(abs(derivative(t)) > 1e-2)
        nc.assert_close(g, finite_differences(method, t)[0], rtol=1e-6, label="differences")

    check()


@pytest.mark.parametrize("z", [-1e4, -800.0, -1e300, 1e4, 800.0, 1e300])
def test_sigmoid_and_tanh_are_stable_at_extreme_inputs(z):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for out in Value(z).sigmoid(), Value(z).tanh():
            expected = 1.0 if z > 0 else (0.0 if out.op == "sigmoid" else -1.0)
            x = out._parents[0][0]
            out.backward()
            assert out.data == expected
            assert x.grad == 0.0


def test_sigmoid_matches_nncalc_for_negative_inputs_where_it_is_written_differently():
    z = np.linspace(-40, 40, 81)
    ours = [Value(t).sigmoid().data for t in z]
    nc.assert_close(ours, nc.sigmoid(z), rtol=1e-14, label="sigma")


@pytest.mark.parametrize("t, value, derivative", [
    (0.0, 0.0, 0.0),            # the kink: derivative 0, as nc.relu_prime and scikit-learn
    (-0.0, 0.0, 0.0),
    (5e-324, 5e-324, 1.0),      # the smallest positive double
    (1e-300, 1e-300, 1.0),
    (-5e-324, 0.0, 0.0),
    (-1e-300, 0.0, 0.0),
    (2.5, 2.5, 1.0),
    (-2.5, 0.0, 0.0),
])
def test_relu_at_and_near_the_kink(t, value, derivative):
    got_value, (got,) = gradient(lambda x: x.relu(), t)
    assert got_value == value
    assert got == derivative
    assert got == nc.relu_prime(t)


# -- deep graphs: iterative, no recursion --------------------------------------------

def test_a_chain_of_10000_additions():
    assert sys.getrecursionlimit() <= 10_000
    x = Value(0.5)
    v = x
    for _ in range(10_000):
        v = v + x
    v.backward()
    nc.assert_close([v.data, x.grad], [0.5 * 10_001, 10_001.0], rtol=1e-12, label="(v, dx)")
    assert len(v.topological_order()) == 10_001  # x and the 10 000 sums
    del v  # freeing the chain must not recurse either


def test_a_deep_chain_of_tanh_against_the_forward_mode_recurrence():
    # v_{k+1} = tanh(v_k / 2 + x): forward mode carries dv_{k+1}/dx = (1 - v_{k+1}^2)(dv_k/2 + 1)
    t, steps = 0.3, 20_000
    x = Value(t)
    v, value, tangent = x, t, 1.0
    for _ in range(steps):
        v = (v * 0.5 + x).tanh()
        value = math.tanh(value * 0.5 + t)
        tangent = (1 - value**2) * (tangent * 0.5 + 1)
    v.backward()
    nc.assert_close([v.data, x.grad], [value, tangent], rtol=1e-12, label="(v, dv/dx)")


# -- networks built from Values against nc.backward ----------------------------------

def random_problem(sizes, m, loss, seed):
    rng = np.random.default_rng(seed)
    params = nc.init_params(sizes, seed=seed)
    for key in params:
        if key.startswith("b"):
            params[key] = rng.normal(scale=0.5, size=params[key].shape)
    X = rng.normal(size=(m, sizes[0]))
    shape = (m, sizes[-1])
    Y = rng.integers(0, 2, shape).astype(float) if loss == "bce" else rng.normal(size=shape)
    return params, X, Y


def activate(z, name):
    return z if name == "identity" else getattr(z, name)()


def value_network_loss(leaves, X, Y, hidden, output, loss):
    """The mean loss of the network, scalar by scalar: z_j = sum_k W_jk a_k + b_j."""
    L = len(leaves) // 2
    total = 0.0
    for x, y in zip(X, Y):
        a = list(x)
        for l in range(1, L + 1):
            W, b = leaves[f"W{l}"], leaves[f"b{l}"]
            z = [sum(W[j, k] * a[k] for k in range(len(a))) + b[j] for j in range(len(b))]
            a = [activate(zj, hidden if l < L else output) for zj in z]
        for y_hat, target in zip(a, y):
            if loss == "mse":
                total = total + (y_hat - target) ** 2 / 2
            else:
                total = total - (target * y_hat.log() + (1 - target) * (1 - y_hat).log())
    return total / len(X)


NETWORKS = [  # sizes, m, hidden, output, loss
    ([2, 2, 1], 1, "sigmoid", "identity", "mse"),
    ([2, 2, 1], 4, "sigmoid", "identity", "mse"),
    ([2, 2, 1], 1, "sigmoid", "sigmoid", "mse"),
    ([2, 2, 1], 4, "sigmoid", "sigmoid", "mse"),
    ([2, 2, 1], 1, "sigmoid", "sigmoid", "bce"),
    ([2, 2, 1], 4, "sigmoid", "sigmoid", "bce"),
    ([3, 4, 3, 2], 5, "sigmoid", "identity", "mse"),
    ([3, 4, 3, 2], 5, "tanh", "sigmoid", "bce"),
    ([3, 4, 3, 2], 5, "relu", "identity", "mse"),
]


@pytest.mark.parametrize("sizes, m, hidden, output, loss", NETWORKS)
def test_network_gradients_match_nc_backward(sizes, m, hidden, output, loss):
    params, X, Y = random_problem(sizes, m, loss, seed=len(sizes) + m)
    leaves = {key: np.vectorize(Value, otypes=[object])(array) for key, array in params.items()}
    value = value_network_loss(leaves, X, Y, hidden, output, loss)
    value.backward()
    grads = {key: np.vectorize(lambda v: v.grad, otypes=[float])(a) for key, a in leaves.items()}

    y_hat, cache = nc.forward(params, X, hidden=hidden, output=output)
    expected = nc.backward(params, cache, Y, loss=loss)
    reference_loss = nc.mse(y_hat, Y) if loss == "mse" else nc.bce(y_hat, Y)
    assert nc.relative_error(value.data, reference_loss) < 1e-12
    assert nc.relative_error(grads, expected) < 1e-12
    assert sum(g.size for g in grads.values()) == sum(p.size for p in params.values())


# -- the graph, backward's bookkeeping ------------------------------------------------

def test_the_graph_keeps_operations_and_local_derivatives():
    x, y = Value(0.5, label="x"), Value(2.0, label="y")
    u = x * y
    f = u + x
    assert (u.op, f.op, x.op) == ("*", "+", "")
    assert u._parents == ((x, 2.0), (y, 0.5))
    assert f._parents == ((u, 1.0), (x, 1.0))
    square = x * x
    assert square._parents == ((x, 0.5), (x, 0.5))
    assert (x**2).op == "**2" and (x**-0.5).op == "**-0.5"
    assert [n.op for n in (x - y, -x, x / y, x.exp(), x.relu())] == ["-", "neg", "/", "exp", "relu"]
    assert repr(x) == "Value(data=0.5, grad=0.0, label='x')"
    assert repr(u) == "Value(data=1.0, grad=0.0, op='*')"


def test_topological_order_lists_every_node_once_after_its_parents():
    x, y = Value(1.0, label="x"), Value(2.0, label="y")
    u = x * y
    f = (u * u + u.exp()) / (x + 1)
    order = f.topological_order()
    assert order[-1] is f
    assert len(order) == len(set(map(id, order)))
    position = {id(node): i for i, node in enumerate(order)}
    for node in order:
        for parent, _ in node._parents:
            assert position[id(parent)] < position[id(node)]
    # the order of computation: x, y, u, then the rest
    assert order[:3] == [x, y, u]


def test_backward_twice_gives_the_same_gradients():
    x, y = Value(0.5), Value(2.0)
    f = x * y + x
    f.backward()
    f.backward()
    assert (x.grad, y.grad, f.grad) == (3.0, 0.5, 1.0)


def test_backward_gives_the_adjoints_of_the_node_it_is_called_on():
    x = Value(3.0)
    u = x * x
    f, g = u + x, u * 2.0
    f.backward()
    assert (u.grad, x.grad) == (1.0, 7.0)
    g.backward()          # x is shared: now dg/dx, not the sum of both
    assert (u.grad, x.grad) == (2.0, 12.0)
    u.backward()          # an inner node as output: its own inputs only
    assert (u.grad, x.grad) == (1.0, 6.0)
    x.backward()
    assert x.grad == 1.0


def test_zero_grad_clears_the_whole_graph():
    x, y = Value(0.5), Value(2.0)
    f = (x * y).tanh() + x
    f.backward()
    f.zero_grad()
    assert all(node.grad == 0.0 for node in f.topological_order())


def test_values_compare_by_identity_and_hash():
    x, y = Value(1.0), Value(1.0)
    assert x != y and x == x and len({x, y, x}) == 2


# -- bad input ------------------------------------------------------------------------

@pytest.mark.parametrize("data, error, words", [
    ("1.0", TypeError, ["data", "'1.0'"]),
    (True, TypeError, ["data", "bool"]),
    (1 + 2j, TypeError, ["data", "complex"]),
    (np.array([1.0]), TypeError, ["data", "array of shape (1,)"]),
    (None, TypeError, ["data", "NoneType"]),
    (Value(1.0), TypeError, ["data", "Value"]),
    (float("nan"), ValueError, ["data", "finite", "nan"]),
    (-math.inf, ValueError, ["data", "finite", "inf"]),
])
def test_bad_data(data, error, words):
    with pytest.raises(error) as info:
        Value(data)
    assert all(word in str(info.value) for word in words)


def test_bad_label():
    with pytest.raises(TypeError, match="label: expected a string, got int 3"):
        Value(1.0, label=3)


x0 = Value(2.0, label="x")
BAD_OPERATIONS = [  # (operation, error, words in the message)
    (lambda: x0 + "a", TypeError, ["other", "'+'", "'a'"]),
    (lambda: "a" + x0, TypeError, ["other", "'+'", "'a'"]),
    (lambda: "a" * x0, TypeError, ["other", "'*'", "'a'"]),
    (lambda: x0 - [1.0], TypeError, ["other", "'-'", "list"]),
    (lambda: x0 * np.array([1.0, 2.0]), TypeError, ["other", "array of shape (2,)"]),
    (lambda: np.array([1.0, 2.0]) * x0, TypeError, ["other", "array of shape (2,)"]),
    (lambda: x0 * True, TypeError, ["other", "bool", "float(flag)"]),
    (lambda: False + x0, TypeError, ["other", "bool"]),
    (lambda: x0 / 1j, TypeError, ["other", "'/'", "complex"]),
    (lambda: x0 + math.nan, ValueError, ["other", "finite", "nan"]),
    (lambda: x0**x0, TypeError, ["exponent", "Value"]),
    (lambda: 2**x0, TypeError, ["exponent", "Value"]),
    (lambda: x0 ** "2", TypeError, ["exponent", "'2'"]),
    (lambda: x0**math.inf, ValueError, ["exponent", "finite"]),
    (lambda: x0 / 0, ValueError, ["divisor", "nonzero", "0.0"]),
    (lambda: 1 / Value(0.0), ValueError, ["divisor", "nonzero"]),
    (lambda: Value(-8.0) ** (1 / 3), ValueError, ["x >= 0", "-8.0"]),
    (lambda: Value(0.0) ** -1, ValueError, ["**-1", "finite result", "inf"]),
    (lambda: Value(0.0) ** 0.5, ValueError, ["**0.5", "finite local derivative"]),
    (lambda: Value(1e200) ** 2, ValueError, ["**2", "finite result"]),
    (lambda: Value(1e200) * 1e200, ValueError, ["*", "finite result", "1e+200"]),
    (lambda: Value(1000.0).exp(), ValueError, ["exp", "finite result", "1000.0"]),
    (lambda: Value(0.0).log(), ValueError, ["log", "positive", "0.0"]),
    (lambda: x0.__neg__().log(), ValueError, ["log", "positive", "-2.0"]),
    (lambda: Value(5e-324).log(), ValueError, ["log", "finite local derivative"]),
]


@pytest.mark.parametrize("operation, error, words", BAD_OPERATIONS)
def test_bad_operations(operation, error, words):
    with pytest.raises(error) as info:
        operation()
    assert all(word in str(info.value) for word in words), str(info.value)


# -- documentation ----------------------------------------------------------------------

def test_the_cited_equation_labels_exist_in_the_chain_rule_chapter():
    cited = set(re.findall(r"``(eq-[a-z0-9-]+)``", autodiff.__doc__))
    assert {"eq-chain-multi", "eq-chain-reverse-mode"} <= cited
    defined = set(re.findall(r"\$\$ \((eq-[a-z0-9-]+)\)", CHAIN_RULE_CHAPTER.read_text()))
    assert cited <= defined


def test_autodiff_is_a_module_of_the_package():
    assert nc.autodiff is autodiff and "autodiff" in nc.__all__
