"""Chapter 7's figures and learning-rate explorer, and Chapter 6's softmax explorer:
what is drawn and displayed."""

import warnings

import ipywidgets as w
import numpy as np
import pytest

import nncalc as nc
from nncalc import explorers
from nncalc.widgets import CONTROLS_NOTE


@pytest.fixture
def sine():
    X, Y = nc.datasets.sine(m=40, seed=0)
    return nc.init_params([1, 4, 1], seed=0), X, Y


def _diverged_history(params, X, Y):
    with pytest.warns(RuntimeWarning, match="diverged"):
        history = nc.train(params, X, Y, epochs=500, lr=50.0, hidden="tanh")
    assert history.diverged
    return history


# -- plot_histories -------------------------------------------------------------

def test_plot_histories_draws_every_curve_and_marks_divergence(sine):
    params, X, Y = sine
    good = nc.train(params, X, Y, epochs=30, lr=0.1, hidden="tanh")
    bad = _diverged_history(params, X, Y)
    ax = explorers.plot_histories({"small": good, "huge": bad}, ymax=10.0)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["small", "huge (diverged)"]
    # the good curve is its loss, unchanged
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), good.loss)
    # the diverged one: its finite part, clipped ten times above the top
    finite = bad.loss[np.isfinite(bad.loss)]
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), np.minimum(finite, 100.0))
    assert ax.get_ylim()[1] == 10.0 and ax.get_yscale() == "log"
    # one cross, in the diverged run's colour, where it first exceeds the top
    marker = ax.lines[2]
    assert marker.get_marker() == "x"
    assert marker.get_color() == ax.lines[1].get_color()
    first_above = int(np.flatnonzero(finite > 10.0)[0])
    assert marker.get_xdata()[0] == first_above
    assert marker.get_ydata()[0] == 10.0


def test_plot_histories_accepts_arrays_and_default_top():
    ax = explorers.plot_histories({"a": [4.0, 2.0, 1.0], "b": np.array([1.0, np.inf])})
    assert ax.get_ylim()[1] == 40.0  # ten times the largest first loss
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b (diverged)"]
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), [1.0])


def test_plot_histories_into_an_axes_with_lines():
    import matplotlib.pyplot as plt

    _, ax = plt.subplots()
    ax.plot([0, 1], [1, 1])
    explorers.plot_histories({"run": [1.0, np.nan]}, ax=ax, ymax=2.0)
    assert ax.lines[-1].get_marker() == "x"
    assert ax.lines[-1].get_color() == ax.lines[-2].get_color()


def test_plot_histories_bad_arguments():
    with pytest.raises(TypeError, match="histories"):
        explorers.plot_histories([1.0, 2.0])
    with pytest.raises(TypeError, match="histories"):
        explorers.plot_histories({})
    with pytest.raises(TypeError, match=r"histories\['a'\]"):
        explorers.plot_histories({"a": "loss"})
    with pytest.raises(ValueError, match=r"histories\['a'\]: expected a non-empty 1-D"):
        explorers.plot_histories({"a": np.ones((2, 2))})
    with pytest.raises(ValueError, match="at least one finite"):
        explorers.plot_histories({"a": [np.nan]})
    with pytest.raises(ValueError, match="ymax"):
        explorers.plot_histories({"a": [1.0]}, ymax=-1.0)


# -- plot_fit -------------------------------------------------------------------

def test_plot_fit_draws_the_network_and_the_data(sine):
    params, X, Y = sine
    ax = explorers.plot_fit(params, X, Y, hidden="tanh", label="fit", resolution=50)
    line = ax.lines[0]
    x = line.get_xdata()
    assert x[0] == X.min() and x[-1] == X.max() and x.size == 50
    # the curve is the network, computed here independently: W2 tanh(W1 x + b1) + b2
    expected = np.tanh(np.outer(x, params["W1"][:, 0]) + params["b1"]) @ params["W2"][0] \
        + params["b2"][0]
    np.testing.assert_allclose(line.get_ydata(), expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(np.asarray(ax.collections[0].get_offsets()),
                                  np.column_stack([X[:, 0], Y[:, 0]]))
    assert sorted(ax.get_legend_handles_labels()[1]) == ["data", "fit"]


def test_plot_fit_without_data(sine):
    params, X, Y = sine
    ax = explorers.plot_fit(params, X, Y, show_data=False)
    assert not ax.collections and len(ax.lines) == 1


def test_plot_fit_bad_arguments(sine):
    params, X, Y = sine
    with pytest.raises(ValueError, match="params: expected a network with 1 input"):
        explorers.plot_fit(nc.init_params([2, 3, 1]), X, Y)
    with pytest.raises(ValueError, match="X"):
        explorers.plot_fit(params, X.ravel(), Y)
    with pytest.raises(ValueError, match="Y"):
        explorers.plot_fit(params, X, Y[:5])
    with pytest.raises(ValueError, match="hidden"):
        explorers.plot_fit(params, X, Y, hidden="softmax")
    with pytest.raises(ValueError, match="resolution"):
        explorers.plot_fit(params, X, Y, resolution=1)


# -- learning_rate_explorer -----------------------------------------------------

def test_explorer_static_figure_at_default_and_redraw(shown, sine):
    params, X, Y = sine
    ex = explorers.learning_rate_explorer(params, X, Y, epochs=50, log10_lr=-1.0)
    assert shown == [ex]
    assert ex._repr_mimebundle_()["text/plain"] == CONTROLS_NOTE
    fig = ex.figure
    slider = ex.controls["log10_lr"]
    assert isinstance(slider, w.FloatSlider) and slider.value == -1.0
    left, right = fig.axes[:2]
    # the static figure shows training with lr = 10^-1
    expected = nc.train(params, X, Y, epochs=50, lr=0.1, hidden="tanh")
    np.testing.assert_allclose(left.lines[0].get_ydata(), expected.loss, rtol=1e-12)
    assert left.get_legend().get_texts()[0].get_text() == "η = 0.1"
    assert f"{expected.loss[-1]:.4f}" in left.get_title()
    # the right panel is the trained network's curve
    x = right.lines[0].get_xdata().reshape(-1, 1)
    y_hat = nc.forward(expected.params, x, hidden="tanh")[0][:, 0]
    np.testing.assert_allclose(right.lines[0].get_ydata(), y_hat, rtol=1e-10)
    # moving the slider retrains and redraws in place
    slider.value = -2.0
    assert ex.figure.axes[0].get_legend().get_texts()[0].get_text() == "η = 0.01"


def test_explorer_shows_divergence_without_a_warning(shown, sine):
    params, X, Y = sine
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning that escapes fails the test
        ex = explorers.learning_rate_explorer(params, X, Y, epochs=500, log10_lr=1.7,
                                              log10_lr_max=2.0)
    fig = ex.figure
    assert fig.axes[0].get_title().startswith("diverged at epoch")
    assert "diverged" in fig.axes[0].get_legend().get_texts()[0].get_text()
    assert "no trained network" in fig.axes[1].texts[0].get_text()


def test_explorer_two_inputs_draws_the_output_surface(shown):
    X, Y = nc.datasets.xor(m=40, seed=0)
    params = nc.init_params([2, 2, 1], seed=1)
    ex = explorers.learning_rate_explorer(params, X, Y, epochs=20, loss="bce",
                                          hidden="sigmoid", output="sigmoid", log10_lr=0.0)
    right = ex.figure.axes[1]
    np.testing.assert_array_equal(np.asarray(right.collections[-1].get_offsets()), X)
    # ymax defaults to ten times the initial loss
    y0 = nc.forward(params, X, hidden="sigmoid", output="sigmoid")[0]
    assert ex.figure.axes[0].get_ylim()[1] == pytest.approx(10 * nc.bce(y0, Y))


def test_explorer_bad_arguments(sine):
    params, X, Y = sine
    with pytest.raises(ValueError, match="params: expected a network with 1 or 2 inputs"):
        explorers.learning_rate_explorer(nc.init_params([3, 2, 1]), X, Y)
    with pytest.raises(ValueError, match="X"):
        explorers.learning_rate_explorer(params, np.zeros((5, 2)), Y)
    with pytest.raises(ValueError, match="log10_lr: expected a number in"):
        explorers.learning_rate_explorer(params, X, Y, log10_lr=3.0)
    with pytest.raises(ValueError, match="log10_lr_max"):
        explorers.learning_rate_explorer(params, X, Y, log10_lr_min=0.0, log10_lr_max=-1.0)
    with pytest.raises(TypeError, match="log10_lr"):
        explorers.learning_rate_explorer(params, X, Y, log10_lr="fast")
    with pytest.raises(TypeError, match="epochs"):
        explorers.learning_rate_explorer(params, X, Y, epochs=2.5)
    with pytest.raises(ValueError, match="loss"):
        explorers.learning_rate_explorer(params, X, Y, loss="hinge")
    with pytest.raises(ValueError, match="batch_size"):
        explorers.learning_rate_explorer(params, X, Y, batch_size=0)


def test_train_quietly_swallows_only_the_divergence_warning(sine):
    params, X, Y = sine
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = explorers._train_quietly(params, X, Y, epochs=500, lr=50.0,
                                           hidden="tanh")
    assert history.diverged and not np.isfinite(history.loss[-1])


# -- softmax_explorer -----------------------------------------------------------

def _bar_heights(ax):
    return np.array([patch.get_height() for patch in ax.patches])


def test_softmax_explorer_static_figure_at_defaults_and_redraw(shown):
    ex = explorers.softmax_explorer(z=(2.0, 1.0, 0.1), true_class=0)
    assert shown == [ex]
    assert ex._repr_mimebundle_()["text/plain"] == CONTROLS_NOTE
    assert list(ex.controls) == ["z1", "z2", "z3", "true_class"]
    assert [ex.controls[f"z{k}"].value for k in (1, 2, 3)] == [2.0, 1.0, 0.1]
    menu = ex.controls["true_class"]
    assert isinstance(menu, w.Dropdown) and menu.value == 0
    assert [label for label, _ in menu.options] == ["class 1", "class 2", "class 3"]
    logits, probs, error = ex.figure.axes
    z = np.array([2.0, 1.0, 0.1])
    p = np.exp(z) / np.exp(z).sum()            # the softmax, independently
    np.testing.assert_allclose(_bar_heights(logits), z, rtol=1e-15)
    np.testing.assert_allclose(_bar_heights(probs), p, rtol=1e-12)
    np.testing.assert_allclose(_bar_heights(error), p - [1.0, 0.0, 0.0], rtol=1e-12)
    assert f"{-np.log(p[0]):.3f}" in probs.get_title()
    assert "p_1" in probs.get_title()
    # the true class's bar is coloured, the others grey
    colours = [patch.get_facecolor() for patch in probs.patches]
    assert colours[0] != colours[1] == colours[2]
    # moving a slider or the menu redraws in place
    ex.controls["z2"].value = 3.0
    z[1] = 3.0
    p = np.exp(z) / np.exp(z).sum()
    np.testing.assert_allclose(_bar_heights(ex.figure.axes[1]), p, rtol=1e-12)
    menu.value = 2
    title = ex.figure.axes[1].get_title()
    assert "p_3" in title and f"{-np.log(p[2]):.3f}" in title
    np.testing.assert_allclose(_bar_heights(ex.figure.axes[2]), p - [0.0, 0.0, 1.0],
                               rtol=1e-12)


def test_softmax_explorer_any_number_of_classes_and_wide_defaults(shown):
    ex = explorers.softmax_explorer(z=[0.0, 9.0, -1.0, 0.5], true_class=3, limit=5.0)
    assert list(ex.controls) == ["z1", "z2", "z3", "z4", "true_class"]
    # a default outside [-limit, limit] widens every slider
    assert all(ex.controls[f"z{k}"].max == 9.0 and ex.controls[f"z{k}"].min == -9.0
               for k in range(1, 5))
    probs = ex.figure.axes[1]
    np.testing.assert_allclose(_bar_heights(probs).sum(), 1.0, rtol=1e-12)
    assert len(probs.patches) == 4


def test_softmax_explorer_bad_arguments():
    with pytest.raises(ValueError, match="z: expected a 1-D sequence of K logits"):
        explorers.softmax_explorer(z=[1.0])
    with pytest.raises(ValueError, match="z: expected a 1-D sequence of K logits"):
        explorers.softmax_explorer(z=np.zeros((2, 3)))
    with pytest.raises(ValueError, match="z"):
        explorers.softmax_explorer(z=[1.0, np.nan])
    with pytest.raises(TypeError, match="z"):
        explorers.softmax_explorer(z="logits")
    with pytest.raises(ValueError, match=r"true_class: expected a label in 0, \.\.\., 2"):
        explorers.softmax_explorer(z=[1.0, 2.0, 3.0], true_class=3)
    with pytest.raises(ValueError, match="true_class"):
        explorers.softmax_explorer(z=[1.0, 2.0, 3.0], true_class=-1)
    with pytest.raises(TypeError, match="true_class"):
        explorers.softmax_explorer(z=[1.0, 2.0, 3.0], true_class=1.0)
    with pytest.raises(ValueError, match="limit"):
        explorers.softmax_explorer(limit=0.0)
