"""Figures for the chapters, drawn with matplotlib.

Every function draws into an ``ax`` (a new figure when ``ax`` is None) and
returns the ``Axes``, so a chapter can combine several into one figure.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from . import network
from ._figures import new_ax
from ._validation import (
    as_float_array,
    check_activation,
    check_output_activation,
    check_softmax_width,
    check_inputs,
    check_layer_sizes,
    check_nonnegative_int,
    check_params,
    check_targets,
    describe,
    layer_sizes_of,
)

__all__ = [
    "draw_network",
    "draw_chain_rule_tree",
    "plot_output_surface",
    "plot_decision_regions",
    "plot_loss_curves",
    "plot_digit_grid",
    "plot_confusion_matrix",
    "NEGATIVE",
    "POSITIVE",
    "CLASS_COLORS",
    "CLASS_MARKERS",
]

#: Colours of the two classes and of negative/positive weights.
NEGATIVE = "#d1495b"
POSITIVE = "#2e86ab"
_NODE = "#f4f1de"

#: Colours of up to 8 classes: the palette of Okabe and Ito (2008), told
#: apart with the common forms of colour blindness, blue and orange first.
CLASS_COLORS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
                "#000000")
#: One marker per class as well, so the classes differ in shape, not only in
#: colour (and survive a grey-scale print).
CLASS_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")


def _node_positions(sizes):
    """(x, y) of every unit: layers left to right, units top to bottom."""
    tallest = max(sizes)
    pos = []
    for l, n in enumerate(sizes):
        ys = (np.arange(n)[::-1] - (n - 1) / 2) * (1.6 if tallest <= 3 else 1.0)
        pos.append([(3.0 * l, y) for y in ys])
    return pos


def _unit_label(l, j, L, n_units):
    if l == 0:
        return rf"$x_{{{j + 1}}}$"
    if l == L:
        return r"$\hat y$" if n_units == 1 else rf"$\hat y_{{{j + 1}}}$"
    return rf"$a^{{({l})}}_{{{j + 1}}}$"


def draw_network(layer_sizes=(2, 2, 1), params=None, ax=None, show_biases=True, digits=2):
    r"""Draw a feed-forward network: layers, neurons and labelled weights.

    Weight :math:`w^{(l)}_{jk}` (row ``j``, column ``k`` of ``W_l``) connects
    unit ``k`` of layer ``l-1`` to unit ``j`` of layer ``l``; its label sits
    on its edge. Without ``params`` the labels are
    the symbols; with ``params`` they are the values, the line widths grow
    with :math:`|w|` and the colour gives the sign.

    Parameters
    ----------
    layer_sizes : sequence of int, default (2, 2, 1)
        Ignored when ``params`` is given (the sizes are read off it).
    params : dict or None
        Parameters to show as numbers.
    ax : matplotlib Axes or None
    show_biases : bool, default True
        Write :math:`b^{(l)}_j` (or its value) under every non-input unit.
    digits : int, default 2
        Decimals of the numbers shown when ``params`` is given.

    Returns
    -------
    matplotlib Axes
    """
    digits = check_nonnegative_int(digits, "digits")
    if params is not None:
        params = check_params(params)
        sizes = layer_sizes_of(params)
    else:
        sizes = check_layer_sizes(layer_sizes)
    if max(sizes) > 12:
        raise ValueError(
            f"layer_sizes: expected at most 12 units per layer to draw legibly, got {sizes}"
        )
    L = len(sizes) - 1
    ax = new_ax(ax, (2.2 * (L + 1) + 1.0, 1.1 * max(sizes) + 1.6))
    pos = _node_positions(sizes)
    big = max(sizes) > 3
    radius = 0.32 if not big else 0.22
    wmax = max((np.abs(params[f"W{l}"]).max() for l in range(1, L + 1)), default=1.0) if params else 1.0

    for l in range(1, L + 1):
        for j, (xj, yj) in enumerate(pos[l]):
            for k, (xk, yk) in enumerate(pos[l - 1]):
                if params is None:
                    color, width = "0.35", 1.2
                    text = rf"$w^{{({l})}}_{{{j + 1}{k + 1}}}$"
                else:
                    w = params[f"W{l}"][j, k]
                    color = POSITIVE if w >= 0 else NEGATIVE
                    width = 0.6 + 3.0 * abs(w) / (wmax or 1.0)
                    text = f"{w:.{digits}f}"
                ax.plot([xk, xj], [yk, yj], color=color, lw=width, zorder=1)
                if not big:
                    # labels of edges that rise sit near their target, the others
                    # near their source, so crossing edges keep their labels apart
                    t = 0.5 if sizes[l - 1] == 1 else (0.7 if yj > yk + 1e-9 else 0.3)
                    ax.text(xk + t * (xj - xk), yk + t * (yj - yk), text, ha="center",
                            va="center", fontsize=10 if max(sizes) <= 2 else 8, zorder=3,
                            bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.9))

    for l, layer in enumerate(pos):
        for j, (x, y) in enumerate(layer):
            ax.add_patch(plt.Circle((x, y), radius, fc=_NODE, ec="0.2", lw=1.3, zorder=4))
            if not big:
                ax.text(x, y, _unit_label(l, j, L, sizes[l]), ha="center", va="center",
                        fontsize=12, zorder=5)
            if l > 0 and show_biases and not big:
                b = rf"$b^{{({l})}}_{{{j + 1}}}$" if params is None else f"b = {params[f'b{l}'][j]:.{digits}f}"
                ax.text(x, y - radius - 0.12, b, ha="center", va="top", fontsize=9, color="0.3",
                        zorder=5)

    names = ["input"] + [f"hidden {l}" if L > 2 else "hidden" for l in range(1, L)] + ["output"]
    top = max(y for layer in pos for _, y in layer) + radius + 0.35
    for l, name in enumerate(names):
        ax.text(pos[l][0][0], top, f"{name}\nlayer {l}", ha="center", va="bottom", fontsize=10,
                color="0.25")
    ax.set_aspect("equal")
    ax.axis("off")
    ax.autoscale_view()
    ax.margins(0.08)
    return ax


def plot_output_surface(params, X=None, Y=None, hidden="sigmoid", output="sigmoid", ax=None,
                        resolution=150, threshold=0.5, colorbar=True, title=None):
    """The network's output over the plane of its two inputs, with the data.

    Colour shows :math:`\\hat y(x_1, x_2)`; the black line is the decision
    boundary :math:`\\hat y = \\text{threshold}`; points are coloured by label.

    Parameters
    ----------
    params : dict
        Parameters of a network with 2 inputs and 1 output.
    X : array_like of shape (m, 2) or None
        Points to show (they also set the plotted region).
    Y : array_like of shape (m, 1) or (m,), or None
        Labels of the points (0/1 or any numbers).
    hidden, output : activation names
    ax : matplotlib Axes or None
    resolution : int, default 150
        Grid points per axis.
    threshold : float or None, default 0.5
        Level of the decision boundary; None draws no boundary.
    colorbar : bool, default True
    title : str or None

    Returns
    -------
    matplotlib Axes
    """
    params = check_params(params)
    sizes = layer_sizes_of(params)
    if sizes[0] != 2 or sizes[-1] != 1:
        hint = ("; for a classifier with several outputs use plot_decision_regions"
                if sizes[0] == 2 else "")
        raise ValueError(
            f"params: expected a network with 2 inputs and 1 output to draw over the plane, "
            f"got layer sizes {sizes}{hint}"
        )
    check_activation(hidden, "hidden")
    check_activation(output, "output")
    ax = new_ax(ax, (5.2, 4.2))
    if X is not None:
        X = check_inputs(X, 2, "X")
    g1, g2, _ = _plane_grid(X, resolution, pad=0.15, default=(-0.5, 1.5))
    grid = np.column_stack([g1.ravel(), g2.ravel()])
    out = network._forward(params, grid, hidden, output)[0].reshape(g1.shape)
    # bounded outputs keep their full range on the colour scale, so that an
    # output that never reaches 1/2 does not look like one that does
    bounds = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}.get(output)
    levels = np.linspace(*bounds, 21) if bounds else 20
    cs = ax.contourf(g1, g2, out, levels=levels, cmap="RdBu", alpha=0.75)
    # a dense surface is raster by nature: one embedded image in the vector
    # figure (small and smooth) instead of thousands of polygons
    cs.set_rasterized(True)
    if colorbar:
        ax.figure.colorbar(cs, ax=ax, label=r"$\hat y$")
    if threshold is not None and out.min() < threshold < out.max():
        ax.contour(g1, g2, out, levels=[threshold], colors="k", linewidths=1.8)
    if X is not None:
        if Y is None:
            ax.scatter(X[:, 0], X[:, 1], c="k", s=14)
        else:
            Y = check_targets(Y, (X.shape[0], 1), "Y").ravel()
            ax.scatter(X[:, 0], X[:, 1], c=Y, cmap="RdBu", vmin=Y.min(), vmax=Y.max() + 1e-12,
                       edgecolors="k", linewidths=0.6, s=22)
    ax.set_xlabel(r"$x_1$")
    ax.set_ylabel(r"$x_2$")
    if title:
        ax.set_title(title)
    return ax


def _plane_grid(X, resolution, pad, default):
    """A grid over the points X, each side widened by ``pad`` times their
    range, or over ``default`` = (low, high) squared: (g1, g2, extent)."""
    if X is not None:
        lo, hi = X.min(axis=0), X.max(axis=0)
        margin = pad * (hi - lo) + 1e-9
        lo, hi = lo - margin, hi + margin
    else:
        lo, hi = np.full(2, float(default[0])), np.full(2, float(default[1]))
    g1, g2 = np.meshgrid(np.linspace(lo[0], hi[0], resolution),
                         np.linspace(lo[1], hi[1], resolution))
    return g1, g2, (lo[0], hi[0], lo[1], hi[1])


def plot_decision_regions(params, X=None, labels=None, hidden="sigmoid", output="softmax",
                          ax=None, resolution=200, class_names=None, legend=True, title=None):
    r"""The class a 2-input classifier predicts at every point of the plane, with the data.

    Each point :math:`x` of the plane is coloured by the predicted class,
    :math:`\arg\max_k \hat y_k(x)` (for a softmax output, the most
    probable class; the first such class on a tie). A network with a single
    output predicts two classes, 1 where :math:`\hat y \ge 1/2` (the rule
    of a sigmoid output) and 0 elsewhere. The data points are drawn on top,
    in the colour *and* the marker of their true class, so a point on a
    region of another colour is misclassified.

    The regions are one raster image inside the (vector) figure, as dense
    surfaces are in every figure of the course (small and sharp; the
    points, axes, labels and legend stay vector). Colours: the palette of
    Okabe and Ito, :data:`CLASS_COLORS`, which readers with the common forms
    of colour blindness tell apart, with one marker per class
    (:data:`CLASS_MARKERS`) besides.

    Parameters
    ----------
    params : dict
        Parameters of a network with 2 inputs and K >= 2 outputs (or one
        output, for two classes); at most 8 classes.
    X : array_like of shape (m, 2) or None
        Points to show (they also set the plotted region; without them,
        :math:`[-1.5, 1.5]^2`).
    labels : array_like of shape (m,) or None
        Integer class labels of the points, ``0, ..., K - 1`` (not one-hot
        rows: ``Y.argmax(axis=1)`` gives them back). Without labels the
        points are drawn in black.
    hidden : {"sigmoid", "tanh", "relu", "identity"}, default "sigmoid"
    output : {"softmax", "sigmoid", "tanh", "relu", "identity"}, default "softmax"
    ax : matplotlib Axes or None
    resolution : int >= 2, default 200
        Grid points per axis of the raster of regions.
    class_names : sequence of K str, or None
        Names for the legend; default "class 0", "class 1", ...
    legend : bool, default True
    title : str or None

    Returns
    -------
    matplotlib Axes
    """
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    from .losses import _check_labels

    params = check_params(params)
    sizes = layer_sizes_of(params)
    n_out = sizes[-1]
    K = max(n_out, 2)
    if sizes[0] != 2:
        raise ValueError(
            f"params: expected a network with 2 inputs to draw over the plane, got layer "
            f"sizes {sizes}")
    if K > len(CLASS_COLORS):
        raise ValueError(
            f"params: expected at most {len(CLASS_COLORS)} outputs (classes) to colour apart, "
            f"got layer sizes {sizes}")
    check_activation(hidden, "hidden")
    check_output_activation(output, "output")
    check_softmax_width(output, n_out)
    resolution = check_nonnegative_int(resolution, "resolution")
    if resolution < 2:
        raise ValueError(f"resolution: expected an integer >= 2, got {resolution!r}")
    if class_names is None:
        class_names = [f"class {k}" for k in range(K)]
    elif isinstance(class_names, (str, bytes)) or not hasattr(class_names, "__len__") \
            or len(class_names) != K:
        raise ValueError(
            f"class_names: expected a sequence of {K} names, one per class, got "
            f"{describe(class_names)}")
    if X is not None:
        X = check_inputs(X, 2, "X")
        if labels is not None:
            labels = _check_labels(labels, K, "labels")
            if labels.shape[0] != X.shape[0]:
                raise ValueError(
                    f"labels: expected {X.shape[0]} labels, one per row of X, got "
                    f"{labels.shape[0]}")
    elif labels is not None:
        raise ValueError("labels: expected X as well (the points the labels belong to), "
                         "got X = None")
    ax = new_ax(ax, (5.2, 4.2))
    g1, g2, extent = _plane_grid(X, resolution, pad=0.1, default=(-1.5, 1.5))
    grid = np.column_stack([g1.ravel(), g2.ravel()])
    with np.errstate(under="ignore"):
        out = network._forward(params, grid, hidden, output)[0]
    predicted = (out[:, 0] >= 0.5).astype(int) if n_out == 1 else out.argmax(axis=1)
    colors = list(CLASS_COLORS[:K])
    # the regions: one raster image (nearest neighbour, so the class edges
    # stay sharp), light enough for the points on top to stand out
    ax.imshow(predicted.reshape(g1.shape), origin="lower", extent=extent, aspect="auto",
              cmap=ListedColormap(colors), vmin=-0.5, vmax=K - 0.5, alpha=0.35,
              interpolation="nearest", rasterized=True)
    handles = []
    if X is not None:
        if labels is None:
            ax.scatter(X[:, 0], X[:, 1], c="k", s=14)
        else:
            for k in range(K):
                mine = labels == k
                handles.append(ax.scatter(
                    X[mine, 0], X[mine, 1], c=colors[k], marker=CLASS_MARKERS[k], s=24,
                    edgecolors="k", linewidths=0.5, label=class_names[k]))
    if legend:
        if not handles:
            handles = [Patch(facecolor=c, alpha=0.5, label=name)
                       for c, name in zip(colors, class_names)]
        ax.legend(handles=handles, loc="upper right", fontsize=8, framealpha=0.9)
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_xlabel(r"$x_1$")
    ax.set_ylabel(r"$x_2$")
    if title:
        ax.set_title(title)
    return ax


def plot_loss_curves(curves, ax=None, logy=True, xlabel="epoch", ylabel="loss"):
    """Loss against epoch for one or several runs.

    Parameters
    ----------
    curves : dict of label -> array_like, or array_like
        One curve per label (or a single unlabelled curve).
    ax : matplotlib Axes or None
    logy : bool, default True
        Logarithmic loss axis (losses usually fall by orders of magnitude).

    Returns
    -------
    matplotlib Axes
    """
    if not isinstance(curves, dict):
        curves = {None: curves}
    ax = new_ax(ax, (6, 3.6))
    for label, values in curves.items():
        values = as_float_array(values, f"curves[{label!r}]" if label else "curves")
        if values.ndim != 1 or values.size == 0:
            raise ValueError(
                f"curves: expected 1-D non-empty sequences of losses, got {describe(values)}"
            )
        ax.plot(np.arange(values.size), values, label=label)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if any(label is not None for label in curves):
        ax.legend()
    ax.grid(alpha=0.3)
    return ax


# -- images and a classifier's errors -----------------------------------------------------

def plot_digit_grid(images, titles=None, ncols=10, shape=None, ax=None, vmin=None, vmax=None,
                    fontsize=8):
    """Small grey-scale images in a grid, each with an optional title above it.

    All the images are drawn as **one** raster image (a mosaic, with a
    white gap between the tiles), so the figure stays small: one embedded
    bitmap inside a vector figure whose titles stay vector. Dark means a
    large value (the ink of a digit), as in the ``gray_r`` colour map.

    Parameters
    ----------
    images : array_like of shape (n, h * w) or (n, h, w)
        One image per row; rows of length ``h * w`` are reshaped to
        ``shape`` (default: a square, ``h = w``), as ``X[i].reshape(8, 8)``
        turns a row of :func:`nncalc.datasets.digits` into its image.
    titles : sequence of n str, or None
        Text above each tile (it may have several lines, e.g.
        ``"true 3\\npred. 8"``).
    ncols : int >= 1, default 10
        Tiles per row.
    shape : (h, w) or None
        The shape of one image, for rows that are not square.
    ax : matplotlib Axes or None
    vmin, vmax : float or None
        The values drawn white and black; default the smallest and the
        largest value in ``images``.
    fontsize : float, default 8

    Returns
    -------
    matplotlib Axes
    """
    arr = as_float_array(images, "images")
    if arr.ndim == 2:
        n, size = arr.shape
        if shape is None:
            side = int(round(np.sqrt(size)))
            if side * side != size:
                raise ValueError(
                    f"images: expected rows of h * w pixels with h = w (or give shape), got "
                    f"rows of {size} pixels")
            shape = (side, side)
        if (not isinstance(shape, (tuple, list)) or len(shape) != 2
                or int(shape[0]) * int(shape[1]) != size):
            raise ValueError(
                f"shape: expected (h, w) with h * w = {size}, the length of a row of images, "
                f"got {describe(shape)}")
        arr = arr.reshape(n, int(shape[0]), int(shape[1]))
    elif arr.ndim != 3:
        raise ValueError(
            f"images: expected an array of shape (n, h * w) or (n, h, w), got shape {arr.shape}")
    n, h, w = arr.shape
    if n == 0:
        raise ValueError("images: expected at least one image, got none")
    ncols = check_nonnegative_int(ncols, "ncols")
    if ncols < 1:
        raise ValueError(f"ncols: expected an integer >= 1, got {ncols!r}")
    if titles is not None:
        if isinstance(titles, (str, bytes)) or not hasattr(titles, "__len__") \
                or len(titles) != n:
            raise ValueError(
                f"titles: expected a sequence of {n} strings, one per image, got "
                f"{describe(titles)}")
        titles = [str(t) for t in titles]
    lo = float(arr.min()) if vmin is None else float(vmin)
    hi = float(arr.max()) if vmax is None else float(vmax)
    if not hi > lo:
        hi = lo + 1.0
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    lines = max((t.count("\n") + 1 for t in titles), default=0) if titles else 0
    gap = 1                                   # pixels between tiles
    point = 0.62 * 72 / (w + gap)             # the size of a pixel in points, 0.62 in a tile
    # room above each tile for its title: its lines of text and 2 points
    head = int(np.ceil((lines * 1.3 * fontsize + 2) / point)) if lines else 0
    pitch_x, pitch_y = w + gap, h + gap + head
    mosaic = np.full((nrows * pitch_y, ncols * pitch_x - gap), lo)
    for i in range(n):
        r, c = divmod(i, ncols)
        top, left = r * pitch_y + head, c * pitch_x
        mosaic[top:top + h, left:left + w] = arr[i]
    ax = new_ax(ax, (0.62 * ncols, nrows * pitch_y * point / 72))
    ax.imshow(mosaic, cmap="gray_r", vmin=lo, vmax=hi, interpolation="nearest",
              rasterized=True)
    if titles:
        for i, t in enumerate(titles):
            r, c = divmod(i, ncols)
            ax.text(c * pitch_x + (w - 1) / 2, r * pitch_y + head - 0.6, t, ha="center",
                    va="bottom", fontsize=fontsize, linespacing=1.1)
    ax.set_axis_off()
    return ax


def plot_confusion_matrix(counts, ax=None, class_names=None, title=None):
    """A confusion matrix: how often each true class was predicted as each class.

    Row ``k`` is the true class, column ``j`` the predicted one, and the
    cell holds the number of examples of class ``k`` predicted as ``j``:
    the correct predictions lie on the diagonal. Every non-zero count is
    written in its cell; the colour grows with the square root of the
    count, so that single errors are visible next to a diagonal of tens.
    The cells are one raster image; the numbers and labels stay vector.

    Parameters
    ----------
    counts : array_like of shape (K, K)
        Non-negative whole numbers (``sklearn.metrics.confusion_matrix``
        returns this layout).
    ax : matplotlib Axes or None
    class_names : sequence of K str, or None
        Tick labels; default ``0, ..., K - 1``.
    title : str or None

    Returns
    -------
    matplotlib Axes
    """
    from matplotlib.colors import PowerNorm

    C = as_float_array(counts, "counts")
    if C.ndim != 2 or C.shape[0] != C.shape[1] or C.shape[0] < 2:
        raise ValueError(
            f"counts: expected a square array of shape (K, K) with K >= 2, got shape {C.shape}")
    if np.any(C < 0) or np.any(C != np.round(C)):
        raise ValueError("counts: expected non-negative whole numbers (counts of examples), "
                         "got negative or fractional entries")
    K = C.shape[0]
    if class_names is None:
        class_names = [str(k) for k in range(K)]
    elif isinstance(class_names, (str, bytes)) or not hasattr(class_names, "__len__") \
            or len(class_names) != K:
        raise ValueError(
            f"class_names: expected a sequence of {K} names, one per class, got "
            f"{describe(class_names)}")
    ax = new_ax(ax, (0.42 * K + 1.4, 0.42 * K + 1.0))
    top = max(float(C.max()), 1.0)
    ax.imshow(C, cmap="Blues", norm=PowerNorm(0.5, vmin=0.0, vmax=top),
              interpolation="nearest", rasterized=True)
    for k in range(K):
        for j in range(K):
            if C[k, j]:
                dark = np.sqrt(C[k, j] / top) > 0.6
                ax.text(j, k, f"{int(C[k, j])}", ha="center", va="center", fontsize=8,
                        color="white" if dark else "black",
                        fontweight="normal" if k == j else "bold")
    ax.set_xticks(range(K), class_names)
    ax.set_yticks(range(K), class_names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    if title:
        ax.set_title(title)
    return ax


# The chain-rule tree lives in its own module (it is large); it is part of the
# plotting toolbox all the same.
from .graphs import draw_chain_rule_tree  # noqa: E402
