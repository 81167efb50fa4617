r"""Figures and explorers for Chapter 6, *Many classes*, and Chapter 7, *Training*.

* :func:`plot_histories` draws the loss curves of several training runs,
  including runs that diverged (whose losses end in infinity or NaN, which
  :func:`nncalc.plotting.plot_loss_curves` does not accept);
* :func:`plot_fit` draws a network with one input and one output as a curve
  over its data (a regression fit);
* :func:`learning_rate_explorer` trains a network with gradient descent,
  equation ``eq-sgd-update``, for a learning rate chosen with a slider
  (on a log scale) and shows the loss curve next to the fit or the decision
  boundary. Like every explorer of the course it shows a static figure at
  its default value first (for the website and the PDF); the slider redraws
  it in place (see :mod:`nncalc.widgets`);
* :func:`softmax_explorer` (Chapter 6, *Many classes*) moves the logits of
  one example and shows the softmax probabilities, equation ``eq-softmax``,
  the cross-entropy of a chosen true class, equation ``eq-cross-entropy``,
  and the output error :math:`p - y`, equation ``eq-softmax-ce-delta``.
"""

from __future__ import annotations

import numbers
import warnings

import matplotlib.pyplot as plt
import numpy as np

from . import activations, losses, network, plotting, widgets
from ._validation import (
    as_float_array,
    check_activation,
    check_inputs,
    check_loss,
    check_params,
    check_positive_int,
    check_positive_number,
    check_targets,
    describe,
    layer_sizes_of,
)

__all__ = ["plot_histories", "plot_fit", "learning_rate_explorer", "softmax_explorer"]


def _losses_of(value, name):
    """The 1-D loss array of a History or of an array; diverged flag."""
    if isinstance(value, network.History):
        values, diverged = np.asarray(value.loss, dtype=np.float64), value.diverged
    else:
        if isinstance(value, (str, bytes)) or value is None:
            raise TypeError(
                f"{name}: expected a History or a 1-D sequence of losses, got "
                f"{describe(value)}"
            )
        try:
            values = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise TypeError(
                f"{name}: expected a History or a 1-D sequence of losses, got "
                f"{describe(value)}"
            ) from None
        diverged = values.ndim == 1 and values.size > 0 and not np.isfinite(values[-1])
    if values.ndim != 1 or values.size == 0:
        raise ValueError(
            f"{name}: expected a non-empty 1-D sequence of losses, got an array of "
            f"shape {values.shape}"
        )
    finite = np.isfinite(values)
    n_finite = int(np.argmin(finite)) if not finite.all() else values.size
    if n_finite == 0:
        raise ValueError(f"{name}: expected at least one finite loss, got none")
    return values[:n_finite], diverged


def plot_histories(histories, ax=None, ymax=None, xlabel="epoch", ylabel="loss"):
    r"""Loss curves of training runs on a log scale, diverged runs included.

    A run that diverged (``history.diverged``, or a loss sequence that ends
    in infinity or NaN) is drawn until it leaves the top of the axes, marked
    with a cross where it does, and labelled "(diverged)". The curves are
    drawn by :func:`nncalc.plotting.plot_loss_curves`.

    Parameters
    ----------
    histories : dict of label -> History or array_like
        What :func:`nncalc.train` returned for each run (or its ``.loss``).
    ax : matplotlib Axes or None
    ymax : float > 0 or None
        Top of the loss axis. None: ten times the largest first loss.
    xlabel, ylabel : str

    Returns
    -------
    matplotlib Axes
    """
    if not isinstance(histories, dict) or not histories:
        raise TypeError(
            "histories: expected a non-empty dict of label -> History, got "
            f"{describe(histories)}"
        )
    runs = {label: _losses_of(value, f"histories[{label!r}]")
            for label, value in histories.items()}
    if ymax is None:
        ymax = 10.0 * max(values[0] for values, _ in runs.values())
    ymax = check_positive_number(ymax, "ymax")
    curves, crossings = {}, {}
    for label, (values, diverged) in runs.items():
        name = f"{label} (diverged)" if diverged else label
        # clipped just above the top: the line leaves the axes, and the log
        # scale never has to transform 1e300
        curves[name] = np.minimum(values, 10.0 * ymax)
        if diverged:
            above = np.flatnonzero(values > ymax)
            crossings[name] = int(above[0]) if above.size else values.size - 1
    n_before = 0 if ax is None else len(ax.lines)
    ax = plotting.plot_loss_curves(curves, ax=ax, logy=True, xlabel=xlabel, ylabel=ylabel)
    for line, name in zip(ax.lines[n_before:], curves):
        if name in crossings:
            x = crossings[name]
            y = min(curves[name][x], ymax)
            ax.plot([x], [y], marker="x", ms=9, mew=2, color=line.get_color(),
                    clip_on=False, zorder=5)
    ax.set_ylim(top=ymax)
    return ax


def plot_fit(params, X, Y=None, hidden="tanh", output="identity", ax=None, label=None,
             show_data=True, color=None, resolution=200):
    """A network with one input and one output, drawn as a curve over its data.

    Parameters
    ----------
    params : dict
        Parameters of a network with layer sizes ``[1, ..., 1]``.
    X : array_like of shape (m, 1)
        Inputs; they set the plotted interval.
    Y : array_like of shape (m, 1) or (m,), or None
        Targets, drawn as points when ``show_data`` is True.
    hidden, output : activation names, defaults "tanh" and "identity"
    ax : matplotlib Axes or None
    label : str or None
        Legend label of the curve.
    show_data : bool, default True
    color : matplotlib colour or None
    resolution : int >= 2, default 200
        Points on the curve.

    Returns
    -------
    matplotlib Axes
    """
    params = check_params(params)
    sizes = layer_sizes_of(params)
    if sizes[0] != 1 or sizes[-1] != 1:
        raise ValueError(
            "params: expected a network with 1 input and 1 output to draw as a curve, "
            f"got layer sizes {sizes}"
        )
    check_activation(hidden, "hidden")
    check_activation(output, "output")
    X = check_inputs(X, 1, "X")
    resolution = check_positive_int(resolution, "resolution")
    if resolution < 2:
        raise ValueError(f"resolution: expected an integer >= 2, got {resolution!r}")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.6))
    if show_data and Y is not None:
        Y = check_targets(Y, (X.shape[0], 1), "Y")
        ax.scatter(X[:, 0], Y[:, 0], s=12, color="0.6", zorder=1,
                   label="data" if label is not None else None)
    grid = np.linspace(X.min(), X.max(), resolution).reshape(-1, 1)
    y_hat = network._forward(params, grid, hidden, output)[0]
    ax.plot(grid[:, 0], y_hat[:, 0], color=color, lw=2, label=label, zorder=2)
    ax.set_xlabel("$x$")
    ax.set_ylabel(r"$y$, $\hat y$")
    return ax


def _train_quietly(params, X, Y, **kwargs):
    """:func:`nncalc.train` with its divergence warning caught.

    The returned History says whether the run diverged; an explorer shows
    that in its figure, not as a warning under it.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="training diverged",
                                category=RuntimeWarning)
        return network.train(params, X, Y, **kwargs)


def _check_number(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) \
            or not np.isfinite(value):
        raise TypeError(f"{name}: expected a finite real number, got {describe(value)}")
    return float(value)


def learning_rate_explorer(params, X, Y, epochs=1000, loss="mse", hidden="tanh",
                           output="identity", batch_size=None, log10_lr=-1.0,
                           log10_lr_min=-3.0, log10_lr_max=1.0, ymax=None):
    r"""Train with learning rate :math:`\eta = 10^{s}`, with a slider for ``s``.

    Every position of the slider trains the network from the same initial
    ``params`` with :func:`nncalc.train` (gradient descent, equation
    ``eq-sgd-update``) and shows, on the left, the loss curve on a log
    scale (a diverged run is marked, see :func:`plot_histories`) and, on
    the right, the trained network: its curve over the data
    (:func:`plot_fit`) for one input, its output surface and decision
    boundary (:func:`nncalc.plotting.plot_output_surface`) for two.

    The figure at ``log10_lr`` is shown first, so the static website and
    the PDF show it; in Jupyter the slider redraws it in place.

    Parameters
    ----------
    params : dict
        Initial parameters of a network with 1 or 2 inputs and 1 output.
    X : array_like of shape (m, n_0)
    Y : array_like of shape (m, 1) or (m,)
    epochs : int >= 1, default 1000
    loss : {"mse", "bce"}, default "mse"
    hidden, output : activation names, defaults "tanh" and "identity"
    batch_size : int >= 1 or None, default None
        As in :func:`nncalc.train`; None is full-batch gradient descent.
    log10_lr : float, default -1
        Default slider position: the learning rate :math:`10^{-1} = 0.1`.
    log10_lr_min, log10_lr_max : float, defaults -3 and 1
        Range of the slider; must contain ``log10_lr``.
    ymax : float > 0 or None
        Top of the loss axis, the same for every learning rate. None: ten
        times the loss of the initial parameters.

    Returns
    -------
    nncalc.widgets.Explorer
        The displayed explorer (one control, ``log10_lr``).
    """
    import ipywidgets as w

    params = check_params(params)
    sizes = layer_sizes_of(params)
    if sizes[0] not in (1, 2) or sizes[-1] != 1:
        raise ValueError(
            "params: expected a network with 1 or 2 inputs and 1 output, got layer "
            f"sizes {sizes}"
        )
    check_loss(loss)
    check_activation(hidden, "hidden")
    check_activation(output, "output")
    X = check_inputs(X, sizes[0], "X")
    Y = check_targets(Y, (X.shape[0], 1), "Y")
    epochs = check_positive_int(epochs, "epochs")
    if batch_size is not None:
        batch_size = check_positive_int(batch_size, "batch_size")
    log10_lr = _check_number(log10_lr, "log10_lr")
    low = _check_number(log10_lr_min, "log10_lr_min")
    high = _check_number(log10_lr_max, "log10_lr_max")
    if not low < high:
        raise ValueError(
            f"log10_lr_max: expected a number > log10_lr_min = {low:g}, got {high:g}"
        )
    if not low <= log10_lr <= high:
        raise ValueError(
            f"log10_lr: expected a number in [{low:g}, {high:g}] (the slider's range), "
            f"got {log10_lr:g}"
        )
    if ymax is None:
        start = network._forward(params, X, hidden, output)[0]
        ymax = 10.0 * float(losses.loss_value(loss, start, Y))
    ymax = check_positive_number(ymax, "ymax")

    def draw(log10_lr):
        lr = 10.0 ** log10_lr
        history = _train_quietly(params, X, Y, epochs=epochs, lr=lr, loss=loss,
                                 hidden=hidden, output=output, batch_size=batch_size)
        fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.8))
        plot_histories({f"η = {lr:.3g}": history}, ax=left, ymax=ymax)
        left.set_xlim(0, epochs)
        if history.diverged:
            left.set_title(f"diverged at epoch {len(history.loss) - 1}")
            right.scatter(X[:, 0], Y[:, 0] if sizes[0] == 1 else X[:, 1], s=12,
                          color="0.6")
            right.text(0.5, 0.5, "diverged:\nno trained network", ha="center",
                       va="center", transform=right.transAxes, fontsize=13)
        else:
            left.set_title(f"loss after {epochs} epochs: {history.loss[-1]:.4f}")
            if sizes[0] == 1:
                plot_fit(history.params, X, Y, hidden=hidden, output=output, ax=right)
            else:
                plotting.plot_output_surface(history.params, X, Y, hidden=hidden,
                                             output=output, ax=right)
            right.set_title(f"the network after {epochs} epochs")
        fig.tight_layout()
        return fig

    slider = w.FloatSlider(value=log10_lr, min=low, max=high, step=0.1,
                           description="log₁₀ η", continuous_update=False,
                           readout_format=".1f", style={"description_width": "4em"},
                           layout=w.Layout(width="26em"))
    return widgets.explore(draw, log10_lr=slider)


def softmax_explorer(z=(2.0, 1.0, 0.1), true_class=0, limit=6.0):
    r"""Move the logits of one example; watch its probabilities, loss and error.

    One slider per logit :math:`z_1, \dots, z_K` and a menu for the true
    class :math:`c`. The figure has three panels of bars, one bar per
    class :math:`k`: the logits :math:`z_k`; the probabilities
    :math:`p_k` (equation ``eq-softmax``, :func:`nncalc.softmax`), the true
    class's bar in colour, with the cross-entropy
    :math:`\ell = -\log p_c` (equation ``eq-cross-entropy``,
    :func:`nncalc.cross_entropy`) in the title; and the output error
    :math:`\delta_k = p_k - y_k` of the one-hot target :math:`y`
    (equation ``eq-softmax-ce-delta``), the derivative of the loss with
    respect to each logit.

    The figure at the defaults is shown first, so the static website and
    the PDF show it; in Jupyter every control redraws it in place (see
    :mod:`nncalc.widgets`).

    Parameters
    ----------
    z : array_like of K finite numbers, 2 <= K <= 8, default (2, 1, 0.1)
        The default logits (the sliders' start).
    true_class : int, default 0
        The default true class, ``0, ..., K - 1`` (counted from 0, as the
        labels of :func:`nncalc.one_hot`; the figure and the menu number
        the classes from 1, as the text does).
    limit : float > 0, default 6
        The sliders range over [-limit, limit], widened if a default lies
        outside.

    Returns
    -------
    nncalc.widgets.Explorer
        The displayed explorer; its controls are ``"z1"``, ..., ``"zK"``
        (``FloatSlider``) and ``"true_class"`` (``Dropdown``, values
        ``0, ..., K - 1``).
    """
    import ipywidgets as w

    z = as_float_array(z, "z")
    if z.ndim != 1 or not 2 <= z.size <= len(plotting.CLASS_COLORS):
        raise ValueError(
            f"z: expected a 1-D sequence of K logits, 2 <= K <= {len(plotting.CLASS_COLORS)}, "
            f"got {describe(z)}")
    K = z.size
    if isinstance(true_class, bool) or not isinstance(true_class, numbers.Integral):
        raise TypeError(f"true_class: expected an integer class label, got {describe(true_class)}")
    if not 0 <= true_class < K:
        raise ValueError(
            f"true_class: expected a label in 0, ..., {K - 1} for K = {K} logits, got "
            f"{true_class!r}")
    limit = check_positive_number(limit, "limit")
    bound = max(limit, float(np.abs(z).max()))
    classes = np.arange(1, K + 1)
    colour = plotting.CLASS_COLORS[0]

    def draw(true_class, **logits):
        zs = np.array([logits[f"z{k}"] for k in classes])
        p = activations.softmax(zs)
        y = losses.one_hot([true_class], K)[0]
        loss = losses.cross_entropy(p[None, :], y[None, :])
        colours = ["0.75"] * K
        colours[true_class] = colour
        fig, axes = plt.subplots(1, 3, figsize=(11, 3.4))
        panels = [(zs, (-bound, bound), "logits $z_k$"),
                  (p, (0.0, 1.0), f"probabilities $p_k$; $\\ell = -\\log p_{true_class + 1}$"
                                  f" = {loss:.3f}"),
                  (p - y, (-1.0, 1.0), r"error $\delta_k = p_k - y_k$")]
        for ax, (values, ylim, title) in zip(axes, panels):
            ax.bar(classes, values, color=colours, edgecolor="k", linewidth=0.6)
            for k, v in zip(classes, values):
                ax.text(k, v, f"{v:.2f}", ha="center", va="bottom" if v >= 0 else "top",
                        fontsize=9)
            ax.axhline(0.0, color="k", lw=0.8)
            ax.set(xticks=classes, ylim=ylim, xlabel="class $k$", title=title)
        fig.tight_layout()
        return fig

    controls = {f"z{k}": w.FloatSlider(value=float(v), min=-bound, max=bound, step=0.1,
                                       description=f"$z_{k}$", continuous_update=False,
                                       readout_format=".1f",
                                       style={"description_width": "4em"},
                                       layout=w.Layout(width="22em"))
                for k, v in zip(classes, z)}
    controls["true_class"] = w.Dropdown(options=[(f"class {k}", k - 1) for k in classes],
                                        value=int(true_class), description="true class",
                                        style={"description_width": "6em"})
    return widgets.explore(draw, **controls)
