"""Bad input: one test per kind, checking the exception type and that the
message names the argument and what was given."""

from contextlib import contextmanager

import numpy as np
import pytest

import nncalc as nc

P = nc.init_params([2, 2, 1], seed=0)
X, Y = nc.datasets.xor(m=4)


def _cache():
    return nc.forward(P, X)[1]


@contextmanager
def raises(exc, *fragments):
    """pytest.raises whose message must also contain every fragment."""
    with pytest.raises(exc) as info:
        yield info
    for fragment in fragments:
        assert fragment in str(info.value), f"{fragment!r} not in {str(info.value)!r}"


# -- X -------------------------------------------------------------------------

def test_x_wrong_ndim():
    with raises(ValueError, "X", "2-D", "(2,)", "reshape(1, -1)"):
        nc.forward(P, np.array([1.0, 2.0]))


def test_x_wrong_width():
    with raises(ValueError, "X", "2 columns", "(4, 3)"):
        nc.forward(P, np.ones((4, 3)))


def test_x_empty_batch():
    with raises(ValueError, "X", "at least one example", "(0, 2)"):
        nc.forward(P, np.ones((0, 2)))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_x_nan_or_inf(bad):
    Xb = X.copy()
    Xb[1, 0] = bad
    with raises(ValueError, "X", "finite", "1 NaN or infinite entry"):
        nc.forward(P, Xb)


@pytest.mark.parametrize("bad", [np.array([["a", "b"]]), "text", None, np.array([[1 + 2j, 0]]),
                                 [[1.0, 2.0], [3.0]]])
def test_x_not_numeric(bad):
    with raises(TypeError, "X", "numeric"):
        nc.forward(P, bad)


def test_x_lists_and_ints_are_accepted():
    y_hat, _ = nc.forward(P, [[0, 1], [1, 0]])
    assert y_hat.shape == (2, 1)


# -- names -----------------------------------------------------------------------

@pytest.mark.parametrize("arg", ["hidden", "output"])
def test_unknown_activation(arg):
    with raises(ValueError, arg, "softplus", "sigmoid"):
        nc.forward(P, X, **{arg: "softplus"})
    with raises(TypeError, arg):
        nc.forward(P, X, **{arg: 3})


def test_unknown_activation_by_name():
    with raises(ValueError, "name", "'swish'"):
        nc.activation("swish")
    with raises(ValueError, "name", "'swish'"):
        nc.activation_prime("swish")


def test_unknown_loss():
    with raises(ValueError, "loss", "'hinge'", "mse"):
        nc.backward(P, _cache(), Y, loss="hinge")
    with raises(ValueError, "loss", "'hinge'"):
        nc.train(P, X, Y, epochs=1, lr=0.1, loss="hinge")
    with raises(ValueError, "loss"):
        nc.output_delta(Y, Y, loss="hinge")
    with raises(ValueError, "name", "'hinge'"):
        nc.loss_value("hinge", Y, Y)


# -- targets ---------------------------------------------------------------------

def test_targets_wrong_shape():
    with raises(ValueError, "Y", "(4, 1)", "(4, 2)"):
        nc.backward(P, _cache(), np.zeros((4, 2)))
    with raises(ValueError, "Y", "(4, 1)", "(3,)"):
        nc.mse(np.zeros((4, 1)), np.zeros(3))
    with raises(ValueError, "Y", "(4, 1)", "(1, 4)"):  # no silent broadcasting of a row
        nc.mse(np.zeros((4, 1)), np.zeros((1, 4)))


def test_targets_nan():
    with raises(ValueError, "Y", "finite"):
        nc.mse(np.zeros((2, 1)), np.array([[0.0], [np.nan]]))


def test_y_hat_bad():
    with raises(ValueError, "y_hat", "finite"):
        nc.bce(np.array([[np.inf]]), np.array([[1.0]]))
    with raises(ValueError, "y_hat", "(m, n_L)"):
        nc.mse(np.zeros((2, 2, 1)), np.zeros((2, 2, 1)))
    with raises(ValueError, "y_hat", "non-empty"):
        nc.mse(np.zeros((0, 1)), np.zeros((0, 1)))


@pytest.mark.parametrize("fn", [nc.bce, nc.bce_prime])
def test_bce_targets_outside_unit_interval(fn):
    with raises(ValueError, "Y", "[0, 1]", "[-1, 1]"):
        fn(np.full((2, 1), 0.5), np.array([[-1.0], [1.0]]))


def test_bce_targets_outside_unit_interval_in_backward_and_train():
    with raises(ValueError, "Y", "[0, 1]"):
        nc.backward(P, _cache(), 2 * Y, loss="bce")
    with raises(ValueError, "Y", "[0, 1]"):
        nc.train(P, X, 2 * Y, epochs=1, lr=0.1, loss="bce")


# -- parameters ------------------------------------------------------------------

def test_params_missing_key():
    bad = {k: v for k, v in P.items() if k != "b2"}
    with raises(ValueError, "params", "missing", "b2"):
        nc.forward(bad, X)


def test_params_unknown_key():
    with raises(ValueError, "params", "'W0'"):
        nc.forward({**P, "W0": np.ones((2, 2))}, X)
    with raises(ValueError, "params", "'weights'"):
        nc.forward({**P, "weights": 1}, X)


def test_params_not_a_dict():
    with raises(TypeError, "params", "dict", "list"):
        nc.forward([P["W1"], P["b1"]], X)


def test_params_shapes_do_not_chain():
    with raises(ValueError, "params['W2']", "(1, 2)", "(1, 3)"):
        nc.forward({**P, "W2": np.ones((1, 3))}, X)
    with raises(ValueError, "params['b1']", "(2,)", "(2, 1)"):
        nc.forward({**P, "b1": np.zeros((2, 1))}, X)
    with raises(ValueError, "params['W1']", "2-D"):
        nc.forward({**P, "W1": np.ones(2)}, X)


def test_params_nan():
    with raises(ValueError, "params['W1']", "finite"):
        nc.forward({**P, "W1": np.full((2, 2), np.nan)}, X)


def test_cache_from_other_network():
    other = nc.init_params([2, 3, 1], seed=0)
    with raises(ValueError, "cache['A1']", "(4, 2)"):
        nc.backward(P, nc.forward(other, X)[1], Y)
    with raises(ValueError, "cache", "1-layer"):
        nc.backward(P, nc.forward(nc.init_params([2, 1]), X)[1], Y)
    with raises(TypeError, "cache", "nncalc.forward"):
        nc.backward(P, {"Z1": 1}, Y)


# -- sgd_step ----------------------------------------------------------------------

def test_gradient_keys_do_not_match():
    grads = nc.backward(P, _cache(), Y)
    with raises(ValueError, "grads", "keys"):
        nc.sgd_step(P, {k: v for k, v in grads.items() if k != "W1"}, lr=0.1)
    with raises(ValueError, "grads['b1']", "(2,)", "(3,)"):
        nc.sgd_step(P, {**grads, "b1": np.zeros(3)}, lr=0.1)
    with raises(TypeError, "grads", "dict"):
        nc.sgd_step(P, 0.1, lr=0.1)


@pytest.mark.parametrize("lr", [0, -0.1, np.inf, np.nan])
def test_non_positive_learning_rate(lr):
    grads = nc.backward(P, _cache(), Y)
    with raises(ValueError, "lr", "> 0"):
        nc.sgd_step(P, grads, lr=lr)
    with raises(ValueError, "lr", "> 0"):
        nc.train(P, X, Y, epochs=1, lr=lr)


def test_learning_rate_wrong_type():
    with raises(TypeError, "lr", "'0.1'"):
        nc.sgd_step(P, nc.backward(P, _cache(), Y), lr="0.1")


# -- train ---------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs,arg,exc", [
    ({"epochs": 0}, "epochs", ValueError),
    ({"epochs": 2.5}, "epochs", TypeError),
    ({"batch_size": 0}, "batch_size", ValueError),
    ({"alpha": -1.0}, "alpha", ValueError),
    ({"callback": 3}, "callback", TypeError),
])
def test_train_bad_arguments(kwargs, arg, exc):
    args = {"epochs": 1, "lr": 0.1, **kwargs}
    with raises(exc, arg):
        nc.train(P, X, Y, **args)


def test_train_wrong_targets():
    with raises(ValueError, "Y", "(4, 1)", "(3, 1)"):
        nc.train(P, X, Y[:3], epochs=1, lr=0.1)


# -- init_params, l2_penalty ------------------------------------------------------------

@pytest.mark.parametrize("sizes,exc,fragment", [
    ([2, 0, 1], ValueError, "layer_sizes[1]"),
    ([2, -3, 1], ValueError, "layer_sizes[1]"),
    ([2], ValueError, "at least two"),
    ([2, 2.5, 1], TypeError, "layer_sizes[1]"),
    (3, TypeError, "layer_sizes"),
    ("221", TypeError, "layer_sizes"),
])
def test_layer_sizes(sizes, exc, fragment):
    with raises(exc, fragment):
        nc.init_params(sizes)


def test_init_params_bad_seed():
    with raises(TypeError, "seed"):
        nc.init_params([2, 2, 1], seed=1.5)


def test_l2_penalty_bad_arguments():
    with raises(ValueError, "alpha"):
        nc.l2_penalty(P, -1.0, 4)
    with raises(ValueError, "m"):
        nc.l2_penalty(P, 0.1, 0)


def test_backward_bad_alpha():
    with raises(ValueError, "alpha", ">= 0"):
        nc.backward(P, _cache(), Y, alpha=-0.5)


# -- activations ------------------------------------------------------------------------

@pytest.mark.parametrize("fn", [nc.sigmoid, nc.sigmoid_prime, nc.tanh, nc.tanh_prime,
                                nc.relu, nc.relu_prime, nc.identity, nc.identity_prime])
def test_activation_bad_input(fn):
    with raises(ValueError, "z", "finite"):
        fn(np.array([0.0, np.nan]))
    with raises(TypeError, "z", "numeric"):
        fn("0.5")


# -- numerical_gradient, assert_close --------------------------------------------------

def test_numerical_gradient_bad_arguments():
    with raises(TypeError, "f", "callable"):
        nc.numerical_gradient(3, P)
    with raises(ValueError, "h", "> 0"):
        nc.numerical_gradient(lambda p: 0.0, P, h=0)
    with raises(TypeError, "f", "real number", "shape (3,)"):
        nc.numerical_gradient(lambda p: np.ones(3), np.ones(2))
    with raises(ValueError, "f", "finite"):
        nc.numerical_gradient(lambda p: np.nan, np.ones(2))
    with raises(ValueError, "params", "non-empty"):
        nc.numerical_gradient(lambda p: 0.0, {})
    with raises(ValueError, "params['W1']", "finite"):
        nc.numerical_gradient(lambda p: 0.0, {"W1": np.array([np.nan])})


def test_max_abs_difference_mismatch():
    with raises(ValueError, "b", "(2,)", "(3,)"):
        nc.max_abs_difference(np.zeros(2), np.zeros(3))
    with raises(ValueError, "b", "keys"):
        nc.max_abs_difference({"a": 1.0}, {"b": 1.0})
    with raises(TypeError, "b", "dict"):
        nc.max_abs_difference({"a": 1.0}, 1.0)


def test_assert_close_bad_tolerances():
    with raises(ValueError, "rtol"):
        nc.assert_close(1.0, 1.0, rtol=0)
    with raises(ValueError, "atol"):
        nc.assert_close(1.0, 1.0, atol=float("inf"))


# -- data sets ------------------------------------------------------------------------------

def test_datasets_bad_arguments():
    with raises(ValueError, "m"):
        nc.datasets.xor(m=0)
    with raises(ValueError, "noise"):
        nc.datasets.sine(noise=-1.0)
    with raises(ValueError, "factor"):
        nc.datasets.circles(factor=1.5)
    with raises(TypeError, "seed"):
        nc.datasets.xor(seed="abc")


# -- many classes: softmax, cross-entropy, one-hot targets ----------------------------

P3 = nc.init_params([2, 3, 3], seed=0)
Y3 = nc.one_hot([0, 1, 2, 1], 3)


@pytest.mark.parametrize("call", [
    lambda: nc.forward(P3, X, hidden="softmax"),
    lambda: nc.train(P3, X, Y3, epochs=1, lr=0.1, hidden="softmax", output="softmax",
                     loss="cross_entropy"),
])
def test_softmax_is_an_output_activation_only(call):
    with raises(ValueError, "hidden", "'softmax'", "output activation only"):
        call()


def test_softmax_output_needs_two_units():
    with raises(ValueError, "output", "n_L >= 2", "n_L = 1", "output='sigmoid'"):
        nc.forward(P, X, output="softmax")
    with raises(ValueError, "output", "n_L >= 2"):
        nc.train(P, X, Y, epochs=1, lr=0.1, output="softmax")
    with raises(ValueError, "output", "n_L >= 2"):
        nc.output_delta(np.ones((2, 1)), np.ones((2, 1)), "cross_entropy", "softmax")
    cache = nc.forward(P, X)[1]
    cache["output"] = "softmax"
    with raises(ValueError, "cache['output']", "n_L >= 2"):
        nc.backward(P, cache, Y)


def test_functions_without_softmax_support_say_so():
    with raises(ValueError, "output", "does not support a softmax output"):
        nc.plotting.plot_output_surface(nc.init_params([2, 2, 1]), output="softmax")


def test_integer_labels_where_one_hot_rows_are_expected():
    labels = np.array([0, 1, 2, 1])
    for call in (lambda: nc.cross_entropy(np.full((4, 3), 1 / 3), labels),
                 lambda: nc.backward(P3, nc.forward(P3, X, output="softmax")[1], labels,
                                     loss="cross_entropy"),
                 lambda: nc.train(P3, X, labels, epochs=1, lr=0.1, loss="cross_entropy",
                                  output="softmax"),
                 lambda: nc.train(P3, X, labels.reshape(-1, 1), epochs=1, lr=0.1,
                                  loss="cross_entropy", output="softmax")):
        with raises(ValueError, "Y", "(4, 3)", "nc.one_hot(labels, 3)"):
            call()


def test_cross_entropy_targets_must_be_distributions():
    p = np.full((2, 3), 1 / 3)
    with raises(ValueError, "Y", "sum to 1", "row 1 sums to 0.5"):
        nc.cross_entropy(p, [[0.0, 1.0, 0.0], [0.5, 0.0, 0.0]])
    with raises(ValueError, "Y", "[0, 1]", "[-0.5, 1.5]"):
        nc.cross_entropy(p, [[1.5, -0.5, 0.0], [0.0, 1.0, 0.0]])
    with raises(ValueError, "Y", "[0, 1]", "nc.one_hot(labels, 3)"):
        nc.cross_entropy(p, [[2.0, 0.0, 0.0], [0.0, 1.0, 0.0]])   # a label in a column
    with raises(ValueError, "Y", "loss='bce'"):                   # one output, labels 0/1
        nc.cross_entropy(np.full((2, 1), 0.5), [[0.0], [1.0]])
    with raises(ValueError, "Y", "sum to 1"):
        nc.cross_entropy_prime(p, np.zeros((2, 3)))
    with raises(ValueError, "Y", "sum to 1"):
        nc.train(P3, X, np.zeros((4, 3)), epochs=1, lr=0.1, loss="cross_entropy",
                 output="softmax")
    # soft labels typed as decimals are fine
    assert np.isfinite(nc.cross_entropy(p, [[0.1, 0.2, 0.7], [0.3, 0.3, 0.4]]))


@pytest.mark.parametrize("labels,n,exc,fragments", [
    ([0, 1.5], 3, ValueError, ("labels", "whole numbers", "labels[1] = 1.5")),
    ([0, np.nan], 3, ValueError, ("labels", "whole numbers")),
    ([0, 3], 3, ValueError, ("labels", "0, ..., 2", "labels[1] = 3")),
    ([-1, 0], 3, ValueError, ("labels", "outside", "labels[0] = -1")),
    ([[0], [1]], 3, ValueError, ("labels", "1-D", "(2, 1)", ".ravel()")),
    ([], 3, ValueError, ("labels", "non-empty")),
    ("012", 3, TypeError, ("labels", "integer class labels", "'012'")),
    (["a", "b"], 3, TypeError, ("labels", "dtype")),
    ([0, 1], 0, ValueError, ("n_classes", ">= 1")),
    ([0, 1], 2.0, TypeError, ("n_classes", "integer")),
])
def test_one_hot_bad_input(labels, n, exc, fragments):
    with raises(exc, *fragments):
        nc.one_hot(labels, n)


@pytest.mark.parametrize("z,exc,fragment", [
    (3.0, ValueError, "shape ()"),
    (np.ones((2, 2, 2)), ValueError, "shape (2, 2, 2)"),
    (np.ones((2, 0)), ValueError, "shape (2, 0)"),
    ([[1.0, np.inf]], ValueError, "finite"),
    ("abc", TypeError, "numeric"),
])
def test_softmax_bad_input(z, exc, fragment):
    with raises(exc, "z", fragment):
        nc.softmax(z)
    with raises(exc, "z", fragment):
        nc.softmax_jacobian(z)


# -- optimisers, initialisation, held-out data -----------------------------------------

@pytest.mark.parametrize("kwargs,exc,fragments", [
    ({"optimizer": "rmsprop"}, ValueError, ("optimizer", "'rmsprop'", "adam")),
    ({"optimizer": None}, TypeError, ("optimizer",)),
    ({"momentum": 1.5}, ValueError, ("momentum", "[0, 1]", "1.5")),
    ({"momentum": -0.1}, ValueError, ("momentum", "[0, 1]")),
    ({"beta_1": 1.0}, ValueError, ("beta_1", "[0, 1)", "1.0")),
    ({"beta_2": "0.9"}, TypeError, ("beta_2", "'0.9'")),
    ({"epsilon": 0.0}, ValueError, ("epsilon", "> 0")),
    ({"validation": X}, TypeError, ("validation", "(X_val, Y_val)", "array of shape (4, 2)")),
    ({"validation": (X, Y, Y)}, TypeError, ("validation", "tuple of length 3")),
    ({"validation": (X[:, :1], Y)}, ValueError, ("validation[0] (X_val)", "2 columns")),
    ({"validation": (X, Y[:3])}, ValueError, ("validation[1] (Y_val)", "(4, 1)", "(3, 1)")),
    ({"validation": (X, 2 * Y), "loss": "bce"}, ValueError, ("validation[1] (Y_val)", "[0, 1]")),
])
def test_train_bad_optimiser_and_validation_arguments(kwargs, exc, fragments):
    with raises(exc, *fragments):
        nc.train(P, X, Y, **{"epochs": 1, "lr": 0.1, **kwargs})


def test_init_params_unknown_scheme():
    with raises(ValueError, "init", "'xavier'", "glorot", "he"):
        nc.init_params([2, 2, 1], init="xavier")
    with raises(TypeError, "init"):
        nc.init_params([2, 2, 1], init=2)
