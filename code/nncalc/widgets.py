"""Interactive explorers built on ipywidgets.

Every explorer shows a **static figure at its default values** first and
then the controls. Moving a control redraws that same figure in place
(through an IPython display handle), so:

* in Jupyter, JupyterLab, Binder and Thebe the figure follows the sliders;
* on the static website and in the PDF, where no kernel runs, the reader
  sees the figure at the defaults and a one-line note where the sliders
  would be, never a widget's text representation.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from . import plotting
from ._validation import check_activation, check_params, describe, layer_sizes_of

__all__ = ["explore", "forward_explorer", "CONTROLS_NOTE"]

#: What the website and the PDF show in place of the controls.
CONTROLS_NOTE = (
    "Interactive controls appear here when the notebook runs "
    "(Jupyter, Binder, or Live Code on the website); the figure shows the "
    "default values."
)


class _Controls:
    """A widget box whose static fallbacks are a note, not the widget's repr."""

    def __init__(self, box, note):
        self.box = box
        self.note = note

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = dict(self.box._repr_mimebundle_())
        data["text/plain"] = self.note
        data["text/html"] = f'<p class="nncalc-controls-note"><em>{self.note}</em></p>'
        return data


def explore(draw, note=CONTROLS_NOTE, **controls):
    """Show ``draw(**values)`` at the controls' default values, and the controls.

    Parameters
    ----------
    draw : callable
        ``draw(**values) -> matplotlib.figure.Figure``; called with one
        keyword argument per control, named as the control.
    note : str
        Text shown instead of the controls where no kernel runs.
    **controls : ipywidgets value widgets (e.g. ``FloatSlider``)
        Their ``value`` at call time is the default the static figure shows.

    Returns
    -------
    ipywidgets.VBox
        The box of controls (already displayed), e.g. for tests that move a
        slider programmatically.
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

    def current():
        return {name: c.value for name, c in controls.items()}

    box = w.VBox(list(controls.values()))
    display(_Controls(box, note))
    fig = draw(**current())
    handle = display(fig, display_id=True)
    plt.close(fig)

    def redraw(_change):
        new = draw(**current())
        handle.update(new)
        plt.close(new)

    for control in controls.values():
        control.observe(redraw, names="value")
    return box


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
    ipywidgets.VBox
        The displayed controls.
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
