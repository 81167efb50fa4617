"""What every figure function of nncalc shares (no nncalc imports here, so
``plotting``, ``graphs``, ``widgets`` and ``book`` can all use it without
importing each other).

Figures are saved as SVG: vector graphics, crisp at any zoom on the website
and converted to vector PDF for the printed report. The SVG is made
reproducible: no date in its metadata and a fixed salt for the ids that
matplotlib generates, so the same figure gives the same bytes on every run
and re-executing an unchanged chapter leaves its notebook unchanged.
Artists that are raster by nature (a filled surface over a dense grid) are
drawn with ``rasterized=True``: they become one embedded image inside the
vector figure, while the axes, labels and points stay vector.
"""

import io
import re

import matplotlib as mpl
import matplotlib.pyplot as plt

#: rcParams of every saved figure: the SVG ids do not depend on the run, text
#: is drawn as paths (the same glyphs everywhere, no font needed to view),
#: and the background is opaque white, so a figure stays readable on the
#: website's dark background.
FIGURE_RC = {
    "svg.hashsalt": "nncalc",
    "svg.fonttype": "path",
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
}

#: Keyword arguments of ``savefig`` for the SVG of a figure: no timestamp.
SVG_SAVE_KWARGS = {"format": "svg", "bbox_inches": "tight", "metadata": {"Date": None}}


def new_ax(ax, figsize):
    """``ax`` itself, or the axes of a new figure of size ``figsize``."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def svg_text(fig):
    """The figure as compact SVG text: what the chapters' figures are saved as.

    matplotlib's SVG, made smaller without changing the picture by more
    than a thousandth of a point (see :func:`compact_svg`). Returns None for
    a figure with nothing in it, as IPython's own formatter does.
    """
    if not fig.axes and not fig.lines:
        return None
    buffer = io.BytesIO()
    with mpl.rc_context(FIGURE_RC):
        fig.savefig(buffer, **SVG_SAVE_KWARGS)
    return compact_svg(buffer.getvalue().decode("utf-8"))


_COMMENT = re.compile(r"<!--.*?-->", re.S)
_BETWEEN_TAGS = re.compile(r">\s+<")
_LONG_DECIMAL = re.compile(r"-?\d+\.\d{4,}")
# where numbers are positions or lengths in points (not scale factors)
_POSITIONS = re.compile(
    r'(\s(?:d|x|y|width|height|viewBox)="|translate\()([^")]*)([")])')
_PATH_COMMAND = re.compile(r"\s*([MLQCZmlqcz])\s*")


def _round(match):
    text = f"{float(match.group(0)):.3f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _compact_positions(match):
    head, data, tail = match.groups()
    data = _LONG_DECIMAL.sub(_round, data)
    if head.strip() == 'd="':
        data = _PATH_COMMAND.sub(r"\1", data)
    return head + re.sub(r"\s+", " ", data).strip() + tail


def compact_svg(text):
    """The same SVG in fewer bytes.

    matplotlib writes one path command per line, indents every element and
    gives positions six decimals of a point (1/72 inch). This keeps three
    decimals of positions and lengths (a thousandth of a point, far below
    what any screen or printer resolves; scale factors are left exact),
    drops the indentation, the line breaks in path data and the comments,
    and leaves everything else as it was.
    """
    text = _COMMENT.sub("", text)
    text = _POSITIONS.sub(_compact_positions, text)
    return _BETWEEN_TAGS.sub("><", text).strip() + "\n"
