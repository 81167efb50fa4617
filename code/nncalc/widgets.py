"""Interactive explorers built on ipywidgets.

An explorer is **one** notebook output that carries two representations:

* the live widget: the controls above a figure that redraws when a control
  moves (Jupyter, JupyterLab, Binder and Thebe show this);
* a static SVG of the figure at the controls' default values, which is what
  the website and the PDF show, where no kernel runs (the book's
  configuration gives the widget representation no priority there).

Because it is a single output, a chapter can give the figure a caption and
a label like any other figure, and no widget's text representation (such
as ``VBox(children=...)``) ever reaches a page: the plain-text form is a
short note.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from . import plotting
from ._figures import svg_text
from ._validation import check_activation, check_params, describe, layer_sizes_of

__all__ = ["explore", "forward_explorer", "Explorer", "CONTROLS_NOTE"]

#: The plain-text form of an explorer (what a text-only front end shows).
CONTROLS_NOTE = (
    "Interactive figure: its controls work when the notebook runs (Jupyter, "
    "Binder, or Live Code on the website); the figure shows the default values."
)


class Explorer:
    """What :func:`explore` displays and returns.

    Attributes
    ----------
    controls : dict
        The control widgets by name.
    output : ipywidgets.Output
        Where the live figure is shown, under the controls.
    box : ipywidgets.VBox
        The controls and the output, i.e. the live widget.
    figure : matplotlib.figure.Figure
        The figure drawn last (closed: it is shown as SVG).
    note : str
        The plain-text representation.
    """

    def __init__(self, draw, controls, note):
        import ipywidgets as w

        self.draw, self.controls, self.note = draw, controls, note
        self.output = w.Output()
        self.box = w.VBox([*controls.values(), self.output])
        self.figure = None
        self._static_svg = self._redraw()
        for control in controls.values():
            control.observe(lambda _change: self._redraw(), names="value")

    def values(self):
        """The controls' current values, by name."""
        return {name: c.value for name, c in self.controls.items()}

    def _redraw(self):
        fig = self.draw(**self.values())
        svg = svg_text(fig)
        plt.close(fig)
        self.figure = fig
        self.output.outputs = ({
            "output_type": "display_data",
            "data": {"image/svg+xml": svg, "text/plain": "<figure>"},
            "metadata": {},
        },)
        return svg

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = dict(self.box._repr_mimebundle_())  # the live widget view
        data["image/svg+xml"] = self._static_svg   # the figure at the defaults
        data["text/plain"] = self.note
        return data


def explore(draw, note=CONTROLS_NOTE, **controls):
    """Display an interactive figure: ``draw(**values)`` under its controls.

    Parameters
    ----------
    draw : callable
        ``draw(**values) -> matplotlib.figure.Figure``; called with one
        keyword argument per control, named as the control.
    note : str
        The plain-text representation of the output.
    **controls : ipywidgets value widgets (e.g. ``FloatSlider``)
        Their ``value`` at call time is the default that the static figure
        (website, PDF) shows.

    Returns
    -------
    Explorer
        The displayed explorer (assign it, so the cell does not display it
        twice), e.g. for tests that move a control and inspect
        ``explorer.figure``.
    """
    import ipywidgets as w
    from IPython.display import display

    if not callable(draw):
        raise TypeError(f"draw: expected a callable returning a Figure, got {describe(draw)}")
    if not controls:
        raise ValueError("controls: expected at least one control widget, got none")
    for name, control in controls.items():
        if not isinstance(control, w.ValueWidget):
            raise TypeError(
                f"{name}: expected an ipywidgets value widget (e.g. FloatSlider), got "
                f"{describe(control)}"
            )
    if not isinstance(note, str):
        raise TypeError(f"note: expected a string, got {describe(note)}")
    explorer = Explorer(draw, controls, note)
    display(explorer)
    return explorer


def _slider(value, low, high, description):
    import ipywidgets as w

    return w.FloatSlider(value=float(value), min=low, max=high, step=0.1,
                         description=description, continuous_update=False,
                         readout_format=".1f", style={"description_width": "4em"},
                         layout=w.Layout(width="22em"))


def forward_explorer(params, X, Y, hidden="sigmoid", output="sigmoid", limit=10.0):
    """Move every weight and bias of a 2-n-1 network; watch its output change.

    The figure shows the network with its current numbers (left) and its
    output over the input plane with the data and the decision boundary
    :math:`\\hat y = 0.5` (right).

    Parameters
    ----------
    params : dict
        Default parameters of a network with 2 inputs, one hidden layer and
        1 output.
    X : array_like of shape (m, 2)
    Y : array_like of shape (m, 1) or (m,)
    hidden, output : activation names, default "sigmoid"
    limit : float, default 10
        Weight sliders range over [-limit, limit] and bias sliders over
        [-1.5 limit, 1.5 limit], widened if a default lies outside.

    Returns
    -------
    Explorer
        The displayed explorer.
    """
    params = check_params(params)
    sizes = layer_sizes_of(params)
    if len(sizes) != 3 or sizes[0] != 2 or sizes[2] != 1:
        raise ValueError(
            f"params: expected a network with layer sizes [2, n, 1], got {sizes}"
        )
    check_activation(hidden, "hidden")
    check_activation(output, "output")
    names = {}
    for key, value in params.items():
        for index in np.ndindex(value.shape):
            sub = "".join(str(i + 1) for i in index)
            names[f"{key}_{sub}"] = (key, index)
    controls = {}
    for name, (key, index) in names.items():
        v = params[key][index]
        bound = max(limit * (1.5 if key[0] == "b" else 1.0), abs(v))
        layer = key[1:]
        symbol = key[0].lower()
        controls[name] = _slider(v, -bound, bound, f"${symbol}^{{({layer})}}_{{{name.split('_')[1]}}}$")

    def draw(**values):
        p = {k: v.copy() for k, v in params.items()}
        for name, (key, index) in names.items():
            p[key][index] = values[name]
        fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2),
                                          gridspec_kw={"width_ratios": [1.1, 1]})
        plotting.draw_network(params=p, ax=left)
        plotting.plot_output_surface(p, X, Y, hidden=hidden, output=output, ax=right)
        fig.tight_layout()
        return fig

    return explore(draw, **controls)
