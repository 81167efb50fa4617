"""Figures and interactive explorers: what is drawn, and what is displayed."""

import ipywidgets as w
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.patches import Circle

import nncalc as nc
from nncalc.widgets import CONTROLS_NOTE


def _texts(ax):
    return [t.get_text() for t in ax.texts]


def test_draw_network_symbols():
    ax = nc.plotting.draw_network([2, 2, 1])
    circles = [p for p in ax.patches if isinstance(p, Circle)]
    assert len(circles) == 5
    assert len(ax.lines) == 2 * 2 + 2 * 1
    texts = _texts(ax)
    for label in [r"$w^{(1)}_{12}$", r"$w^{(2)}_{11}$", r"$x_{2}$", r"$a^{(1)}_{2}$",
                  r"$\hat y$", r"$b^{(2)}_{1}$"]:
        assert label in texts


def test_draw_network_values_and_depth():
    params = nc.init_params([3, 3, 2, 1], seed=0)
    ax = nc.plotting.draw_network(params=params)
    assert len([p for p in ax.patches if isinstance(p, Circle)]) == 9
    assert len(ax.lines) == 9 + 6 + 2
    assert f"{params['W2'][1, 2]:.2f}" in _texts(ax)
    assert "hidden 2\nlayer 2" in _texts(ax)


def test_draw_network_too_wide():
    with pytest.raises(ValueError, match="layer_sizes"):
        nc.plotting.draw_network([2, 40, 1])


def test_output_surface_draws_boundary_and_points():
    X, Y = nc.datasets.xor(m=20)
    params = {"W1": np.array([[6.0, 6.0], [-6.0, -6.0]]), "b1": np.array([-3.0, 9.0]),
              "W2": np.array([[8.0, 8.0]]), "b2": np.array([-12.0])}
    ax = nc.plotting.plot_output_surface(params, X, Y, colorbar=False)
    assert len(ax.collections) >= 2  # filled contours, boundary line and/or scatter
    offsets = ax.collections[-1].get_offsets()
    np.testing.assert_array_equal(np.asarray(offsets), X)


def test_output_surface_needs_two_inputs_one_output():
    with pytest.raises(ValueError, match="params"):
        nc.plotting.plot_output_surface(nc.init_params([3, 2, 1]))


def test_loss_curves():
    ax = nc.plotting.plot_loss_curves({"a": [3, 2, 1], "b": np.array([1.0, 0.5])})
    assert len(ax.lines) == 2 and ax.get_yscale() == "log"
    with pytest.raises(ValueError, match="curves"):
        nc.plotting.plot_loss_curves({"a": []})


def _svg_size(text):
    """Width and height in points of an SVG document."""
    import re

    root = re.search(r"<svg[^>]*>", text).group(0)
    width, height = (float(re.search(rf'{k}="([0-9.]+)pt"', root).group(1))
                     for k in ("width", "height"))
    return width, height


def test_explore_is_one_output_static_svg_at_defaults_and_live_redraw(shown):
    drawn = []

    def draw(a, b):
        drawn.append((a, b))
        fig, ax = plt.subplots()
        ax.set_title(f"{a} {b}")
        return fig

    sa, sb = w.FloatSlider(value=1.0), w.IntSlider(value=2)
    ex = nc.widgets.explore(draw, a=sa, b=sb)
    assert shown == [ex]  # a single output, so a caption can label it
    bundle = ex._repr_mimebundle_()
    assert bundle["text/plain"] == CONTROLS_NOTE
    assert "interactive(" not in bundle["text/plain"] and "VBox" not in bundle["text/plain"]
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "image/png" not in bundle   # one static figure, in vector form
    static = bundle["image/svg+xml"]
    width, height = _svg_size(static)
    assert width > 100 and height > 100
    assert ex.figure.axes[0].get_title() == "1.0 2"   # the static figure shows the defaults
    assert list(ex.box.children[:2]) == [sa, sb]
    assert ex.box.children[-1] is ex.output
    assert ex.output.outputs[0]["data"]["image/svg+xml"] == static
    sa.value = 3.5
    assert drawn[-1] == (3.5, 2)
    assert ex.figure.axes[0].get_title() == "3.5 2"
    assert ex.output.outputs[0]["data"]["image/svg+xml"] != static   # the live figure moved
    assert ex._repr_mimebundle_()["image/svg+xml"] == static          # the static one did not
    assert ex.values() == {"a": 3.5, "b": 2}


def test_explore_bad_arguments():
    with pytest.raises(TypeError, match="draw"):
        nc.widgets.explore(3, a=w.FloatSlider())
    with pytest.raises(ValueError, match="controls"):
        nc.widgets.explore(lambda: None)
    with pytest.raises(TypeError, match="a: expected an ipywidgets"):
        nc.widgets.explore(lambda a: None, a=3)
    with pytest.raises(TypeError, match="note"):
        nc.widgets.explore(lambda a: None, note=3, a=w.FloatSlider())


def test_forward_explorer_has_one_slider_per_parameter(shown):
    X, Y = nc.datasets.xor(m=12)
    params = nc.init_params([2, 2, 1], seed=0)
    ex = nc.widgets.forward_explorer(params, X, Y)
    assert list(ex.controls) == ["W1_11", "W1_12", "W1_21", "W1_22", "b1_1", "b1_2",
                                 "W2_11", "W2_12", "b2_1"]  # the 9 parameters
    assert ex.controls["W1_12"].value == pytest.approx(params["W1"][0, 1], abs=0.051)
    assert len(ex.figure.axes) >= 2
    before = ex.output.outputs
    ex.controls["b2_1"].value = 5.0  # moving it redraws
    assert ex.output.outputs != before


def test_forward_explorer_needs_2_n_1():
    with pytest.raises(ValueError, match=r"\[2, n, 1\]"):
        nc.widgets.forward_explorer(nc.init_params([2, 3, 3, 1]), np.zeros((1, 2)), [0])


def test_glue_rounds_and_validates(monkeypatch):
    import myst_nb

    glued = {}
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display: glued.update({name: value}))
    assert nc.glue("a", np.float64(0.123456789)) == 0.1235
    assert nc.glue("b", -1e-9) == 0.0 and repr(glued["b"]) == "0.0"
    assert nc.glue("c", np.int64(7)) == 7 and repr(glued["c"]) == "7"
    assert nc.glue("d", 2.0 / 3, digits=2) == 0.67
    with pytest.raises(TypeError, match="value"):
        nc.glue("e", "1.0")
    with pytest.raises(TypeError, match="name"):
        nc.glue("", 1.0)


def test_notebook_setup_rounds_printing():
    nc.notebook_setup()
    try:
        assert repr(np.array([1 / 3])) == "array([0.3333])"
    finally:
        np.set_printoptions(precision=8, suppress=False)


def test_glue_significant_figures(monkeypatch):
    import myst_nb

    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display: None)
    assert nc.glue("eps", np.finfo(float).eps, significant=2) == 2.2e-16
    assert nc.glue("big", 123456.789, significant=3) == 123000.0
    with pytest.raises(ValueError, match="significant"):
        nc.glue("x", 1.0, significant=0)


def test_glued_numbers_read_as_a_reader_expects(monkeypatch):
    """The prose shows 8.0 × 10⁻⁶, not Python's 8e-06; ordinary numbers as usual."""
    import myst_nb

    shown = {}
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display: shown.update({name: value}))
    cases = [
        (dict(value=8.03e-6, significant=2), 8.0e-6, "8.0 × 10⁻⁶"),
        (dict(value=1.0e-12, significant=2), 1e-12, "1.0 × 10⁻¹²"),
        (dict(value=np.finfo(float).eps, significant=2), 2.2e-16, "2.2 × 10⁻¹⁶"),
        (dict(value=3.4e6, significant=2), 3.4e6, "3.4 × 10⁶"),
        (dict(value=0.015, significant=2), 0.015, "0.015"),
        (dict(value=0.0151, significant=1), 0.02, "0.02"),
        (dict(value=7.96, significant=2), 8.0, "8.0"),
        (dict(value=2232.3, significant=2), 2200.0, "2200"),
        (dict(value=0.07462), 0.0746, "0.0746"),
        (dict(value=1.5e-5, digits=6), 1.5e-5, "1.5 × 10⁻⁵"),
    ]
    for i, (kwargs, value, text) in enumerate(cases):
        assert nc.glue(f"n{i}", **kwargs) == value
        assert repr(shown[f"n{i}"]) == text, (kwargs, repr(shown[f"n{i}"]))
    with pytest.raises(ValueError, match="finite"):
        nc.glue("inf", float("inf"))


def test_draw_network_digits():
    params = nc.init_params([2, 2, 1], seed=0)
    ax = nc.plotting.draw_network(params=params, digits=4)
    assert f"{params['W1'][0, 1]:.4f}" in _texts(ax)
    with pytest.raises(ValueError, match="digits"):
        nc.plotting.draw_network(params=params, digits=-1)


def test_output_surface_sigmoid_colour_scale_is_zero_to_one():
    # an output that never reaches 1/2 must not be stretched over the colour scale
    params = nc.datasets.xor_by_hand()
    params["W2"] = np.array([[8.0, 0.0]])
    ax = nc.plotting.plot_output_surface(params, colorbar=False)
    contours = [c for c in ax.get_children() if hasattr(c, "levels")]
    # only the filled surface: no decision boundary, since y_hat < 1/2 everywhere
    assert len(contours) == 1
    assert contours[0].levels[0] == 0.0 and contours[0].levels[-1] == 1.0


def test_svg_of_a_figure_is_reproducible_and_undated():
    from nncalc._figures import svg_text

    def figure():
        fig, ax = plt.subplots()
        ax.plot([0, 1, 2], [1, 0, 1], label="a line")
        ax.legend()
        ax.set_title(r"$\partial\mathcal{L}/\partial w$")
        return fig

    first, second = svg_text(figure()), svg_text(figure())
    assert first == second                      # same figure, same bytes
    assert "<dc:date>" not in first             # no timestamp in the metadata
    assert "<text" not in first                 # glyphs are paths: no font needed


def test_output_surface_is_vector_with_one_raster_surface():
    from nncalc._figures import svg_text

    X, Y = nc.datasets.xor(m=200, seed=0)
    ax = nc.plotting.plot_output_surface(nc.datasets.xor_by_hand(), X, Y)
    svg = svg_text(ax.figure)
    # the dense filled surface is one embedded image; points, boundary and
    # labels stay vector, so the figure is small and sharp
    assert svg.count("<image") == 1
    assert svg.count("<use") >= 200             # one marker per data point
    assert len(svg) < 150_000, len(svg)


# -- decision regions of a K-class classifier --------------------------------------------

def _three_class_params():
    """Softmax regression whose logits are 2 x1, 2 x2 and 0: three regions."""
    return {"W1": np.array([[2.0, 0.0], [0.0, 2.0], [0.0, 0.0]]), "b1": np.zeros(3)}


def test_decision_regions_colour_the_predicted_class():
    from matplotlib.image import AxesImage

    X, labels = nc.datasets.blobs(m=30, n_classes=3, seed=0)
    params = _three_class_params()
    ax = nc.plotting.plot_decision_regions(params, X, labels, resolution=50,
                                           class_names=["a", "b", "c"])
    images = [c for c in ax.get_children() if isinstance(c, AxesImage)]
    assert len(images) == 1 and images[0].get_rasterized()
    shown = np.asarray(images[0].get_array())
    assert shown.shape == (50, 50)
    x0, x1, y0, y1 = images[0].get_extent()
    g1, g2 = np.meshgrid(np.linspace(x0, x1, 50), np.linspace(y0, y1, 50))
    P, _ = nc.forward(params, np.column_stack([g1.ravel(), g2.ravel()]), output="softmax")
    np.testing.assert_array_equal(shown, P.argmax(axis=1).reshape(50, 50))
    assert set(np.unique(shown)) == {0, 1, 2}
    # one scatter per class, in its colour and marker, with the given names
    points = ax.collections
    assert len(points) == 3
    for k, pts in enumerate(points):
        np.testing.assert_array_equal(np.asarray(pts.get_offsets()), X[labels == k])
        np.testing.assert_allclose(pts.get_facecolor()[0][:3],
                                   matplotlib.colors.to_rgb(nc.plotting.CLASS_COLORS[k]))
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b", "c"]
    # the region spans the data
    assert x0 < X[:, 0].min() and x1 > X[:, 0].max()


def test_decision_regions_one_output_and_without_data():
    params = nc.init_params([2, 3, 1], seed=0)
    ax = nc.plotting.plot_decision_regions(params, output="sigmoid", resolution=20)
    image = ax.get_images()[0]
    P, _ = nc.forward(params, np.array([[-1.5, -1.5]]), output="sigmoid")
    assert np.asarray(image.get_array())[0, 0] == int(P[0, 0] >= 0.5)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class 0", "class 1"]
    assert image.get_extent() == [-1.5, 1.5, -1.5, 1.5]


def test_decision_regions_are_one_raster_image_in_a_small_vector_figure():
    from nncalc._figures import svg_text

    X, labels = nc.datasets.spiral(m=300, seed=0)
    params = nc.init_params([2, 8, 3], seed=0)
    svg = svg_text(nc.plotting.plot_decision_regions(params, X, labels, hidden="tanh").figure)
    assert svg.count("<image") == 1
    assert svg.count("<use") >= 300              # one marker per data point
    assert len(svg) < 150_000, len(svg)


def test_class_colours_are_distinct_okabe_ito():
    colors = nc.plotting.CLASS_COLORS
    assert len(set(colors)) == len(colors) == len(set(nc.plotting.CLASS_MARKERS)) == 8
    assert colors[:3] == ("#0072B2", "#E69F00", "#009E73")


def test_decision_regions_bad_arguments():
    params = _three_class_params()
    X, labels = nc.datasets.blobs(m=9, seed=0)
    with pytest.raises(ValueError, match="2 inputs"):
        nc.plotting.plot_decision_regions(nc.init_params([3, 2, 3]))
    with pytest.raises(ValueError, match="at most 8"):
        nc.plotting.plot_decision_regions(nc.init_params([2, 9]))
    with pytest.raises(ValueError, match="labels: expected labels in 0, ..., 2"):
        nc.plotting.plot_decision_regions(params, X, labels + 1)
    with pytest.raises(ValueError, match="labels: expected 9 labels"):
        nc.plotting.plot_decision_regions(params, X, labels[:5])
    with pytest.raises(ValueError, match="labels: expected X as well"):
        nc.plotting.plot_decision_regions(params, labels=labels)
    with pytest.raises(ValueError, match="class_names: expected a sequence of 3"):
        nc.plotting.plot_decision_regions(params, class_names=["a", "b"])
    with pytest.raises(ValueError, match="hidden.*output activation only"):
        nc.plotting.plot_decision_regions(params, hidden="softmax")
    with pytest.raises(ValueError, match="n_L >= 2"):
        nc.plotting.plot_decision_regions(nc.init_params([2, 1]))
    with pytest.raises(ValueError, match="resolution"):
        nc.plotting.plot_decision_regions(params, resolution=1)
    with pytest.raises(ValueError, match="plot_decision_regions"):
        nc.plotting.plot_output_surface(params)


# -- a grid of digits and a confusion matrix ---------------------------------------------

def test_digit_grid_is_one_raster_mosaic_of_the_images_with_titles():
    from matplotlib.image import AxesImage

    from nncalc._figures import svg_text

    X, labels = nc.datasets.digits()
    ax = nc.plotting.plot_digit_grid(X[:13], titles=[f"true {k}\npred. {k}" for k in labels[:13]],
                                     ncols=5)
    images = [c for c in ax.get_children() if isinstance(c, AxesImage)]
    assert len(images) == 1 and images[0].get_rasterized()
    mosaic = np.asarray(images[0].get_array())
    # 3 rows of 5 tiles of 8 x 8 pixels, a gap of 1 pixel, room for the titles above each
    assert mosaic.shape[1] == 5 * 9 - 1 and mosaic.shape[0] % 3 == 0
    pitch = mosaic.shape[0] // 3
    head = pitch - 9
    assert head > 0
    np.testing.assert_array_equal(mosaic[head:head + 8, 9:17], X[1].reshape(8, 8))
    np.testing.assert_array_equal(mosaic[2 * pitch + head:2 * pitch + head + 8, 18:26],
                                  X[12].reshape(8, 8))
    assert mosaic[2 * pitch + head, 27:].max() == 0.0     # two empty tiles in the last row
    assert _texts(ax) == [f"true {k}\npred. {k}" for k in labels[:13]]
    svg = svg_text(ax.figure)
    assert svg.count("<image") == 1 and len(svg) < 60_000, len(svg)


def test_digit_grid_shapes_and_bad_arguments():
    # without titles: one row of tiles and the gap of 1 pixel below it
    ax = nc.plotting.plot_digit_grid(np.arange(2 * 12.0).reshape(2, 12), shape=(3, 4))
    assert np.asarray(ax.get_images()[0].get_array()).shape == (3 + 1, 2 * 5 - 1)
    assert _texts(ax) == []
    ax = nc.plotting.plot_digit_grid(np.zeros((2, 4, 4)))
    assert np.asarray(ax.get_images()[0].get_array()).shape == (4 + 1, 2 * 5 - 1)
    with pytest.raises(ValueError, match="images: expected rows of h \\* w"):
        nc.plotting.plot_digit_grid(np.zeros((2, 12)))
    with pytest.raises(ValueError, match="shape: expected"):
        nc.plotting.plot_digit_grid(np.zeros((2, 12)), shape=(5, 5))
    with pytest.raises(ValueError, match="images: expected an array of shape"):
        nc.plotting.plot_digit_grid(np.zeros(64))
    with pytest.raises(ValueError, match="titles: expected a sequence of 2"):
        nc.plotting.plot_digit_grid(np.zeros((2, 64)), titles=["a"])
    with pytest.raises(ValueError, match="ncols"):
        nc.plotting.plot_digit_grid(np.zeros((2, 64)), ncols=0)
    with pytest.raises(TypeError, match="images"):
        nc.plotting.plot_digit_grid("digits")


def test_confusion_matrix_shows_every_nonzero_count():
    from matplotlib.image import AxesImage

    from nncalc._figures import svg_text

    C = 30 * np.eye(10, dtype=int)
    C[3, 8], C[9, 4] = 2, 1
    ax = nc.plotting.plot_confusion_matrix(C)
    images = [c for c in ax.get_children() if isinstance(c, AxesImage)]
    assert len(images) == 1 and images[0].get_rasterized()
    np.testing.assert_array_equal(np.asarray(images[0].get_array()), C)
    texts = {(round(t.get_position()[1]), round(t.get_position()[0])): t.get_text()
             for t in ax.texts}
    assert texts == {**{(k, k): "30" for k in range(10)}, (3, 8): "2", (9, 4): "1"}
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"
    assert [t.get_text() for t in ax.get_xticklabels()] == [str(k) for k in range(10)]
    assert len(svg_text(ax.figure)) < 60_000


def test_confusion_matrix_bad_arguments():
    with pytest.raises(ValueError, match="square"):
        nc.plotting.plot_confusion_matrix(np.zeros((3, 4)))
    with pytest.raises(ValueError, match="whole numbers"):
        nc.plotting.plot_confusion_matrix(np.array([[1.5, 0], [0, 1]]))
    with pytest.raises(ValueError, match="whole numbers"):
        nc.plotting.plot_confusion_matrix(np.array([[-1, 0], [0, 1]]))
    with pytest.raises(ValueError, match="class_names: expected a sequence of 2"):
        nc.plotting.plot_confusion_matrix(np.eye(2), class_names=["a"])
    ax = nc.plotting.plot_confusion_matrix(np.eye(2), class_names=["cat", "dog"], title="t")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["cat", "dog"]
    assert ax.get_title() == "t"
