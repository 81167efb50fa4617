"""Helpers for the book's notebooks: common settings and glued numbers."""

from __future__ import annotations

import numbers

import matplotlib.pyplot as plt
import numpy as np

from ._figures import FIGURE_RC, svg_text
from ._validation import check_nonnegative_int, check_positive_int, describe

__all__ = ["notebook_setup", "glue"]


def notebook_setup():
    """The chapters' common settings: figure style and format, NumPy printing.

    Figures get a fixed size and a light style and are shown as SVG (vector:
    sharp at any zoom on the website, and converted to vector PDF for the
    printed report), saved reproducibly (no date, fixed ids; see
    :data:`nncalc._figures.FIGURE_RC`). NumPy prints 4 decimals and no
    scientific notation for small numbers, so printed results are the same
    on every machine (the notebook tests compare them).
    """
    plt.rcParams.update({
        "figure.dpi": 100,
        "savefig.dpi": 100,
        "figure.figsize": (6.4, 4.0),
        "axes.spines.top": False,
        "axes.spines.right": False,
        "font.size": 11,
        **FIGURE_RC,
    })
    np.set_printoptions(precision=4, suppress=True)
    _show_figures_as_svg()


def _show_figures_as_svg():
    """Make IPython display every figure as compact SVG only (no PNG)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with Jupyter
        return
    shell = get_ipython()
    if shell is None:
        return
    from matplotlib.figure import Figure
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    set_matplotlib_formats("svg")  # the inline backend: SVG, no other format
    shell.display_formatter.formatters["image/svg+xml"].for_type(Figure, svg_text)


_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


class _Shown:
    """A glued number as the prose shows it (its text/plain representation)."""

    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return self.text

    def _repr_pretty_(self, p, cycle):
        p.text(self.text)


def _scientific(value, significant):
    """``8.0 × 10⁻⁶``: the mantissa with ``significant`` figures."""
    mantissa, exponent = f"{value:.{significant - 1}e}".split("e")
    return f"{mantissa} × 10{str(int(exponent)).translate(_SUPERSCRIPT)}"


def _shown(rounded, significant):
    """How a rounded number reads in the text.

    Integers and numbers of ordinary size read as Python writes them
    (``0.0746``, ``2233``), so a format such as ``{glue:text}`name:.2f``` still
    works on them. Numbers that Python would write with an exponent, or
    below 10⁻³ or above 10⁶ when rounded to significant figures, read as
    ``8.0 × 10⁻⁶``, keeping all the significant figures asked for (Python
    would write ``8e-06``).
    """
    if isinstance(rounded, int):
        return str(rounded)
    if significant is not None:
        if rounded != 0 and not 1e-3 <= abs(rounded) < 1e6:
            return _scientific(rounded, significant)
        if rounded != 0:
            decimals = max(significant - 1 - int(np.floor(np.log10(abs(rounded)))), 0)
            return f"{rounded:.{decimals}f}"
        return "0"
    text = repr(rounded)
    if "e" in text:
        return _scientific(rounded, len(text.split("e")[0].replace("-", "").replace(".", "")))
    return text


def glue(name, value, digits=4, significant=None):
    """Make a computed number available to the prose as ``{glue:text}`name```.

    The value is rounded first (to ``digits`` decimal places, or to
    ``significant`` significant figures), so the number in the text, and the
    notebook output the tests compare, do not depend on the last bits of
    floating-point arithmetic. The text shows it as a reader expects:
    ``0.0746``, ``2233``, and very small or large numbers as ``8.0 × 10⁻⁶``
    (with the significant figures asked for, trailing zeros included),
    not Python's ``8e-06``.

    Parameters
    ----------
    name : str
        The key used in the text.
    value : real number or int
    digits : int, default 4
        Decimal places kept (ignored for integers).
    significant : int >= 1 or None
        If given, round to this many significant figures instead, for numbers
        such as 2.2e-16 that 4 decimals would turn into 0.

    Returns
    -------
    float or int
        The rounded value (a plain number, whatever the text shows).
    """
    from myst_nb import glue as _glue

    if not isinstance(name, str) or not name:
        raise TypeError(f"name: expected a non-empty string, got {describe(name)}")
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, np.number)):
        raise TypeError(f"value: expected a real number, got {describe(value)}")
    if isinstance(value, (numbers.Integral, np.integer)):
        rounded = int(value)
    elif significant is not None:
        significant = check_positive_int(significant, "significant")
        rounded = float(f"{float(value):.{significant}g}")
    else:
        rounded = round(float(value), check_nonnegative_int(digits, "digits"))
        if rounded == 0:
            rounded = 0.0  # no "-0.0" in the text
    if not np.isfinite(rounded):
        raise ValueError(f"value: expected a finite number, got {value!r}")
    _glue(name, _Shown(_shown(rounded, significant)), display=False)
    return rounded
