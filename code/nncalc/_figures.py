"""What every figure function of nncalc shares (no nncalc imports here, so
both ``plotting`` and ``graphs`` can use it without importing each other)."""

import matplotlib.pyplot as plt


def new_ax(ax, figsize):
    """``ax`` itself, or the axes of a new figure of size ``figsize``."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax
