r"""The chain-rule tree (computational graph) of the 2-2-1 network.

One node per scalar: the inputs :math:`x_1, x_2`, the pre-activations and
activations of the hidden layer, :math:`z^{(2)}`, :math:`\hat y` and the
loss :math:`\ell` of the one example, and (optionally) the nine parameters
as leaves. "Tree" is the course's name for the figure; strictly it is a
directed acyclic graph, since a node such as :math:`x_1` reaches the loss
along several paths. The edge from node
:math:`u` to node :math:`v` carries the **local derivative**
:math:`\partial v/\partial u`. The derivative of the loss with respect to
any node is the sum, over all paths from that node to the loss, of the
product of the local derivatives along the path (equation
``eq-chain-multi``, Chapter 3, *The chain rule*).

:func:`draw_chain_rule_tree` draws into an ``ax`` (a new figure when ``ax``
is None) and returns the ``Axes``, like every function of
:mod:`nncalc.plotting`.
"""

from __future__ import annotations

import numpy as np
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from . import activations as act
from . import losses
from ._figures import new_ax
from ._validation import (
    as_float_array,
    check_activation,
    check_loss,
    check_name,
    check_params,
    check_probability_targets,
    describe,
    layer_sizes_of,
)

__all__ = ["draw_chain_rule_tree", "path_products", "NODES", "PARAMETER_NODES"]

#: The nodes that are computed from the input (drawn as circles).
NODES = ("x1", "x2", "z1_1", "z1_2", "a1_1", "a1_2", "z2", "y_hat", "L")
#: The parameters, leaves that feed the pre-activations (drawn as squares).
PARAMETER_NODES = ("w1_11", "w1_12", "b1_1", "w1_21", "w1_22", "b1_2",
                   "w2_11", "w2_12", "b2")

_NODE = "#f4f1de"      # computed nodes (as in nncalc.plotting)
_INPUT = "#e8e8e8"     # the inputs
_PARAM = "#e3eef6"     # parameters
_HIGHLIGHT = "#e07a1f"  # the paths of ``highlight``
_VALUE = "#2f5d50"     # numbers written under the nodes

_HIDDEN_SYMBOL = {"sigmoid": r"\sigma'", "tanh": r"\tanh'",
                  "relu": r"\mathrm{relu}'", "identity": None}

# -- the graph ------------------------------------------------------------------


def _edges(show_params):
    """(tail, head) for every edge, in drawing order: the forward direction."""
    edges = []
    for j in (1, 2):
        for k in (1, 2):
            edges.append((f"x{k}", f"z1_{j}"))
    if show_params:
        for j in (1, 2):
            for k in (1, 2):
                edges.append((f"w1_{j}{k}", f"z1_{j}"))
            edges.append((f"b1_{j}", f"z1_{j}"))
    for j in (1, 2):
        edges.append((f"z1_{j}", f"a1_{j}"))
    for j in (1, 2):
        edges.append((f"a1_{j}", "z2"))
    if show_params:
        edges += [("w2_11", "z2"), ("w2_12", "z2"), ("b2", "z2")]
    edges += [("z2", "y_hat"), ("y_hat", "L")]
    return edges


def _paths(node, edges):
    """Every path (a list of edges) from ``node`` to the loss ``"L"``."""
    if node == "L":
        return [[]]
    out = []
    for tail, head in edges:
        if tail == node:
            out += [[(tail, head)] + rest for rest in _paths(head, edges)]
    return out


def _positions(show_params, wide=False):
    """(x, y) of every node: computation flows left to right.

    ``wide`` spreads the columns so that two-line labels (symbol and value)
    fit between the nodes.
    """
    cx = (0.0, 4.2, 8.3, 11.9, 14.9, 18.1) if wide else \
        (0.0, 3.8, 7.0, 10.0, 12.6, 15.2)
    pos = {"x1": (cx[0], 1.8), "x2": (cx[0], -1.8),
           "z1_1": (cx[1], 1.8), "z1_2": (cx[1], -1.8),
           "a1_1": (cx[2], 1.8), "a1_2": (cx[2], -1.8),
           "z2": (cx[3], 0.0), "y_hat": (cx[4], 0.0), "L": (cx[5], 0.0)}
    if show_params:
        # a fan of three leaves above z1_1, below z1_2 and above z2
        for j, sign in ((1, 1), (2, -1)):
            xz = pos[f"z1_{j}"][0]
            for name, dx in ((f"w1_{j}1", -2.2), (f"w1_{j}2", 0.0),
                             (f"b1_{j}", 2.2)):
                pos[name] = (xz + dx, sign * 4.9)
        spread = 2.8 if wide else 2.3
        for name, dx in (("w2_11", -spread), ("w2_12", 0.0), ("b2", spread)):
            pos[name] = (pos["z2"][0] + dx, 3.8)
    return pos


def _node_symbol(name):
    symbols = {"y_hat": r"$\hat y$", "L": r"$\ell$",
               "z2": r"$z^{(2)}$", "b2": r"$b^{(2)}$"}
    if name in symbols:
        return symbols[name]
    if name[0] == "x":
        return rf"$x_{name[1]}$"
    letter, rest = name[0], name[1:]
    layer, index = rest.split("_")
    return rf"${letter}^{{({layer})}}_{{{index}}}$"


def _edge_symbol(tail, head, hidden, output, loss):
    """The local derivative d(head)/d(tail) as mathtext."""
    if head == "L":
        if loss == "mse":
            return r"$\hat y - y$"
        return r"$\frac{\hat y - y}{\hat y(1-\hat y)}$"
    if head == "y_hat":
        if output == "identity":
            return "$1$"
        return rf"${_HIDDEN_SYMBOL[output]}(z^{{(2)}})$"
    if head.startswith("a1_"):
        j = head[-1]
        f = _HIDDEN_SYMBOL[hidden]
        return "$1$" if f is None else rf"${f}(z^{{(1)}}_{j})$"
    if tail.startswith("b"):
        return "$1$"
    if head.startswith("z1_"):
        j = head[-1]
        if tail.startswith("x"):                 # dz1_j/dx_k = w1_jk
            return rf"$w^{{(1)}}_{{{j}{tail[1]}}}$"
        return rf"$x_{tail[-1]}$"                # dz1_j/dw1_jk = x_k
    # head is z2
    if tail.startswith("a1_"):                   # dz2/da1_j = w2_1j
        return rf"$w^{{(2)}}_{{1{tail[-1]}}}$"
    return rf"$a^{{(1)}}_{tail[-1]}$"            # dz2/dw2_1j = a1_j


# -- the numbers ------------------------------------------------------------------


def _check_inputs(cache, params, y, loss):
    """Validate a forward cache of one example of a 2-2-1 network."""
    if params is None or y is None:
        missing = "params" if params is None else "y"
        raise ValueError(
            f"{missing}: expected it together with cache (the local derivatives "
            "need the weights and the target), got None")
    params = check_params(params)
    sizes = layer_sizes_of(params)
    if sizes != [2, 2, 1]:
        raise ValueError(
            f"params: expected a 2-2-1 network (layer sizes [2, 2, 1]), got "
            f"layer sizes {sizes}")
    if not isinstance(cache, dict) or "A0" not in cache or "L" not in cache:
        raise TypeError(
            "cache: expected the dict returned by nncalc.forward, got "
            f"{describe(cache)}")
    if cache["L"] != 2:
        raise ValueError(
            f"cache: expected the cache of a 2-layer network, got one of a "
            f"{cache['L']}-layer network")
    hidden = check_activation(cache.get("hidden"), "cache['hidden']")
    output = check_activation(cache.get("output"), "cache['output']")
    shapes = {"A0": (1, 2), "Z1": (1, 2), "A1": (1, 2), "Z2": (1, 1),
              "A2": (1, 1)}
    arrays = {}
    for key, shape in shapes.items():
        value = as_float_array(cache.get(key, np.empty(0)), f"cache[{key!r}]")
        if value.shape != shape:
            hint = (" (the tree is drawn for one example: pass the cache of "
                    "X[[i]])" if value.ndim == 2 and value.shape[0] > 1 else "")
            raise ValueError(
                f"cache[{key!r}]: expected an array of shape {shape}, got "
                f"shape {value.shape}{hint}")
        arrays[key] = value[0]
    y = as_float_array(y, "y")
    if y.size != 1:
        raise ValueError(
            f"y: expected the target of the one example (a single number), "
            f"got {describe(y)}")
    if loss == "bce":
        check_probability_targets(y, "y")
    return params, arrays, float(y.reshape(-1)[0]), hidden, output


def _local_derivatives(params, arrays, y, hidden, output, loss):
    """``{(tail, head): d head / d tail}`` for every edge, with parameters."""
    W1, W2 = params["W1"], params["W2"]
    x, a1 = arrays["A0"], arrays["A1"]
    y_hat = arrays["A2"].reshape(1, 1)
    f1 = act.DERIVATIVES_FROM_OUTPUT[hidden](a1)             # f'(z1) from a1
    f2 = act.DERIVATIVES_FROM_OUTPUT[output](y_hat)[0, 0]    # f'(z2) from y_hat
    # the loss of one example (m = 1), so dL/dy_hat carries no 1/m
    dl = losses._LOSS_PRIMES[loss](y_hat, np.array([[y]]))[0, 0]
    values = {}
    for j in (1, 2):
        for k in (1, 2):
            values[(f"x{k}", f"z1_{j}")] = W1[j - 1, k - 1]
            values[(f"w1_{j}{k}", f"z1_{j}")] = x[k - 1]
        values[(f"b1_{j}", f"z1_{j}")] = 1.0
        values[(f"z1_{j}", f"a1_{j}")] = f1[j - 1]
        values[(f"a1_{j}", "z2")] = W2[0, j - 1]
        values[(f"w2_1{j}", "z2")] = a1[j - 1]
    values[("b2", "z2")] = 1.0
    values[("z2", "y_hat")] = f2
    values[("y_hat", "L")] = dl
    return {edge: float(v) for edge, v in values.items()}


def _node_values(params, arrays, y, loss):
    """``{node: value}`` for every node, the loss included."""
    y_hat = arrays["A2"].reshape(1, 1)
    values = {"x1": arrays["A0"][0], "x2": arrays["A0"][1],
              "z2": arrays["Z2"][0], "y_hat": y_hat[0, 0],
              "L": losses._LOSSES[loss](y_hat, np.array([[y]])),
              "b2": params["b2"][0]}
    for j in (1, 2):
        values[f"z1_{j}"] = arrays["Z1"][j - 1]
        values[f"a1_{j}"] = arrays["A1"][j - 1]
        values[f"b1_{j}"] = params["b1"][j - 1]
        values[f"w2_1{j}"] = params["W2"][0, j - 1]
        for k in (1, 2):
            values[f"w1_{j}{k}"] = params["W1"][j - 1, k - 1]
    return {node: float(v) for node, v in values.items()}


def path_products(node, cache, params, y, loss="mse"):
    r"""The chain rule as a sum over paths, for one node of the 2-2-1 tree.

    Equation ``eq-chain-multi`` (Chapter 3, *The chain rule*): the derivative
    of the loss with respect to ``node`` is the sum, over every path from
    ``node`` to the loss, of the product of the local derivatives on the
    path's edges.

    Parameters
    ----------
    node : str
        One of :data:`NODES` (except ``"L"``) or :data:`PARAMETER_NODES`,
        e.g. ``"x1"`` or ``"w1_21"`` (:math:`w^{(1)}_{21}`).
    cache : dict
        The cache :func:`nncalc.forward` returned for **one** example
        (``X`` of shape (1, 2)) of a 2-2-1 network.
    params : dict
        The parameters that forward pass used.
    y : float or array_like with one entry
        The example's target.
    loss : {"mse", "bce"}, default "mse"
        The loss of the one example: :math:`\frac12(\hat y - y)^2` or the
        binary cross-entropy.

    Returns
    -------
    list of (list of str, list of float, float)
        One entry per path: the nodes it visits (from ``node`` to ``"L"``),
        the local derivatives on its edges, and their product. The sum of
        the products is :math:`\partial \ell / \partial\,` ``node``.
    """
    check_loss(loss)
    node = _check_node(node, "node")
    params, arrays, y, hidden, output = _check_inputs(cache, params, y, loss)
    local = _local_derivatives(params, arrays, y, hidden, output, loss)
    out = []
    for path in _paths(node, _edges(True)):
        factors = [local[edge] for edge in path]
        nodes = [path[0][0]] + [head for _, head in path]
        out.append((nodes, factors, float(np.prod(factors))))
    return out


def _check_node(node, name):
    allowed = tuple(n for n in NODES if n != "L") + PARAMETER_NODES
    if not isinstance(node, str):
        raise TypeError(f"{name}: expected one of {allowed}, got {describe(node)}")
    if node not in allowed:
        raise ValueError(f"{name}: expected one of {allowed}, got {node!r}")
    return node


# -- the drawing ------------------------------------------------------------------

def _fmt(value, decimals, fixed=False):
    """``value`` rounded to ``decimals`` places, with a true minus sign.

    Without ``fixed`` trailing zeros are dropped, for the values of nodes
    and edges (``1.0 -> "1"``, ``0.5 -> "0.5"``, ``-0.38634 -> "−0.3863"``);
    with ``fixed`` all ``decimals`` places are kept (``0.013 -> "0.0130"``),
    for the products and sums of the path box, so that they read like the
    chapter's printed results. Never ``"-0"``.
    """
    text = f"{value:.{decimals}f}"
    if "." in text and not fixed:
        text = text.rstrip("0").rstrip(".")
    if text.lstrip("-").strip("0.") == "":   # -0 or -0.0000: no sign
        text = text.lstrip("-")
    return text.replace("-", "\u2212")


def draw_chain_rule_tree(ax=None, cache=None, params=None, y=None, loss="mse",
                         highlight=None, show_params=True, edge_labels=None,
                         decimals=4, hidden="sigmoid", output="identity"):
    r"""Draw the chain-rule tree of the 2-2-1 network, one node per scalar.

    Nodes: the inputs :math:`x_1, x_2`, the hidden pre-activations
    :math:`z^{(1)}_j` and activations :math:`a^{(1)}_j`, the output's
    :math:`z^{(2)}` and :math:`\hat y`, and the loss :math:`\ell` of the
    example; with ``show_params`` also the parameters :math:`w^{(l)}_{jk}`
    and :math:`b^{(l)}_j` as square leaves. (Strictly the figure is a
    directed acyclic graph, not a tree: :math:`x_1` reaches the loss along
    two paths.) The arrow from :math:`u` to
    :math:`v` is labelled with the local derivative
    :math:`\partial v/\partial u`, e.g. :math:`\partial z^{(2)}/\partial
    a^{(1)}_j = w^{(2)}_{1j}` and :math:`\partial a^{(1)}_j/\partial
    z^{(1)}_j = \sigma'(z^{(1)}_j)`. By the multivariable chain rule
    (equation ``eq-chain-multi``, Chapter 3) the derivative of the loss
    with respect to a node is the sum over the paths from the node to the
    loss of the products of these labels; ``highlight`` shows those paths.

    Parameters
    ----------
    ax : matplotlib Axes or None
        Where to draw; when None, a new figure 10.5 inches wide (6 tall with
        the parameters, 3.6 without).
    cache : dict or None
        The cache :func:`nncalc.forward` returned for **one** example
        (``X`` of shape (1, 2)). With it, every node shows its value and
        every edge the value of its local derivative. Needs ``params`` and
        ``y``.
    params : dict or None
        The parameters of that forward pass (a 2-2-1 network).
    y : float or array_like with one entry, or None
        The example's target.
    loss : {"mse", "bce"}, default "mse"
        The loss of the one example: :math:`\frac12(\hat y - y)^2`, so that
        :math:`\partial\ell/\partial\hat y = \hat y - y`, or the binary
        cross-entropy.
    highlight : str or None
        A node whose paths to the loss are drawn in colour: one of
        :data:`NODES` except ``"L"`` (``"x1"``, ``"z1_2"``, ...) or
        :data:`PARAMETER_NODES` (``"w1_11"``, ``"b2"``, ...). With numbers,
        a box lists every path's product and their sum.
    show_params : bool, default True
        Draw the nine parameters as leaves.
    edge_labels : {"symbols", "values", "both"} or None
        What the edges show; None means ``"symbols"`` without ``cache`` and
        ``"both"`` with it.
    decimals : int, default 4
        Decimals of the numbers shown. Node and edge values drop trailing
        zeros (``0.45``, ``1``); the products and sums in the box of
        ``highlight`` keep all the places (``0.0130``).
    hidden, output : activation names, defaults "sigmoid" and "identity"
        Used for the symbols when no ``cache`` is given (a cache brings its
        own).

    Returns
    -------
    matplotlib Axes
    """
    check_loss(loss)
    if not isinstance(show_params, bool):
        raise TypeError(f"show_params: expected True or False, got {describe(show_params)}")
    if isinstance(decimals, bool) or not isinstance(decimals, (int, np.integer)):
        raise TypeError(f"decimals: expected an integer from 0 to 8, got {describe(decimals)}")
    if not 0 <= decimals <= 8:
        raise ValueError(f"decimals: expected an integer from 0 to 8, got {decimals!r}")
    if highlight is not None:
        highlight = _check_node(highlight, "highlight")
        if highlight in PARAMETER_NODES and not show_params:
            raise ValueError(
                f"highlight: {highlight!r} is a parameter, but show_params=False "
                "leaves the parameters out of the tree")
    if cache is None:
        if params is not None or y is not None:
            given = "params" if params is not None else "y"
            raise ValueError(
                f"cache: expected the forward cache of one example when {given} "
                "is given (the numbers come from it), got None")
        hidden = check_activation(hidden, "hidden")
        output = check_activation(output, "output")
        local = nodes_value = None
    else:
        params, arrays, y, hidden, output = _check_inputs(cache, params, y, loss)
        local = _local_derivatives(params, arrays, y, hidden, output, loss)
        nodes_value = _node_values(params, arrays, y, loss)
    default = "symbols" if cache is None else "both"
    mode = default if edge_labels is None else check_name(
        edge_labels, "edge_labels", ("symbols", "values", "both"))
    if mode != "symbols" and cache is None:
        raise ValueError(
            f"edge_labels: {mode!r} needs numbers, but no cache was given")

    edges = _edges(show_params)
    pos = _positions(show_params, wide=mode != "symbols")
    on_path = set()
    paths = []
    if highlight is not None:
        paths = _paths(highlight, edges)
        on_path = {edge for path in paths for edge in path}
    lit = {n for edge in on_path for n in edge}

    ax = new_ax(ax, (10.5, 6.0) if show_params else (10.5, 3.6))
    fs_edge = 12 if mode == "symbols" else 11
    radius = 0.62 if cache is None else 0.72
    half = 0.52 if cache is None else 0.64

    for tail, head in edges:
        (x0, y0), (x1, y1) = pos[tail], pos[head]
        length = np.hypot(x1 - x0, y1 - y0)
        ux, uy = (x1 - x0) / length, (y1 - y0) / length
        r0 = radius if tail in NODES else half * 1.15
        start, end = (x0 + r0 * ux, y0 + r0 * uy), (x1 - radius * ux, y1 - radius * uy)
        hot = (tail, head) in on_path
        color = _HIGHLIGHT if hot else ("0.35" if highlight is None else "0.6")
        arrow = FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=14,
                                lw=3.0 if hot else 1.3, color=color,
                                zorder=2 if hot else 1, shrinkA=0, shrinkB=0)
        arrow.set_gid(f"edge:{tail}->{head}")
        ax.add_patch(arrow)
        # where the label sits along the edge: crossing edges keep theirs apart,
        # the fan of a parameter puts it near the leaf, where the fan is wide
        if tail in PARAMETER_NODES:
            t = 0.45 if head != "z2" else (0.4 if mode == "symbols" else 0.3)
        elif head.startswith("z1_") and tail[1] != head[-1]:
            t = 0.3    # crossing edges: near the tail, clear of the arrowheads
        else:
            t = 0.5
        symbol = _edge_symbol(tail, head, hidden, output, loss)
        if mode == "symbols":
            text = symbol
        else:
            value = _fmt(local[(tail, head)], decimals)
            constant = symbol == "$1$"   # "1" needs no second line
            text = value if mode == "values" or constant else f"{symbol}\n{value}"
        label = ax.text(x0 + t * (x1 - x0), y0 + t * (y1 - y0), text,
                        ha="center", va="center", fontsize=fs_edge,
                        color=_HIGHLIGHT if hot else "0.1", zorder=3,
                        linespacing=1.3,
                        bbox=dict(boxstyle="round,pad=0.18", fc="white",
                                  ec=_HIGHLIGHT if hot else "none", lw=0.8,
                                  alpha=0.95))
        label.set_gid(f"label:{tail}->{head}")

    for name, (x, yy) in pos.items():
        hot = name in lit
        ec, lw = (_HIGHLIGHT, 2.6) if hot else ("0.2", 1.3)
        if name in PARAMETER_NODES:
            patch = FancyBboxPatch((x - half, yy - half), 2 * half, 2 * half,
                                   boxstyle="round,pad=0,rounding_size=0.12",
                                   fc=_PARAM, ec=ec, lw=lw, zorder=4)
        else:
            fc = _INPUT if name in ("x1", "x2") else _NODE
            patch = Circle((x, yy), radius, fc=fc, ec=ec, lw=lw, zorder=4)
            if name == "L":
                patch.set_linewidth(lw + 1.0)
        patch.set_gid(f"node:{name}")
        ax.add_patch(patch)
        symbol = _node_symbol(name)
        if nodes_value is None:
            ax.text(x, yy, symbol, ha="center", va="center", fontsize=16, zorder=5)
        else:
            ax.text(x, yy + 0.2, symbol, ha="center", va="center", fontsize=13.5,
                    zorder=5)
            ax.text(x, yy - 0.3, _fmt(nodes_value[name], decimals), ha="center",
                    va="center", fontsize=10, color=_VALUE, zorder=5)

    top = max(yy for _, yy in pos.values()) + (half if show_params else radius)
    ax.text(pos["L"][0] + radius, top + 0.3,
            r"arrow $u \to v$: local derivative $\partial v/\partial u$",
            ha="right", va="bottom", fontsize=12, color="0.25")
    if highlight is not None and local is not None:
        _write_paths(ax, highlight, paths, local, pos, decimals)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.autoscale_view()
    ax.margins(0.02)
    return ax


def _write_paths(ax, node, paths, local, pos, decimals):
    r"""A box under the tree: each path's product of local derivatives, and the sum.

    The factors are listed from the loss back to ``node`` (the last edge of
    the path first), the order in which the chapter writes the chain rule,
    :math:`\partial\ell/\partial\hat y\,\partial\hat y/\partial z^{(2)}
    \cdots`; products and the sum keep all ``decimals`` places.
    """
    title = rf"$\partial\ell/\partial${_node_symbol(node)} = "
    several = len(paths) > 1
    lines = [title + (f"sum over {len(paths)} paths:" if several
                      else "product along its one path:")]
    total = 0.0
    for path in paths:
        factors = [local[edge] for edge in reversed(path)]   # loss -> node
        product = float(np.prod(factors))
        total += product
        texts = [_fmt(f, decimals) for f in factors]
        hops = " \u00d7 ".join(f"({t})" if t.startswith("\u2212") else t
                               for t in texts)
        # the paths of one node part ways at its first step
        via = f"via {_node_symbol(path[0][1])}:  " if several else ""
        lines.append(f"  {via}{hops} = {_fmt(product, decimals, fixed=True)}")
    if several:
        lines.append(f"  total = {_fmt(total, decimals, fixed=True)}")
    x = pos["a1_2"][0] - 0.4
    y = pos["a1_2"][1] - 1.05
    box = ax.text(x, y, "\n".join(lines), ha="left", va="top", fontsize=11,
                  color="0.1", linespacing=1.75,
                  bbox=dict(boxstyle="round,pad=0.4", fc="#fdf3ea", ec=_HIGHLIGHT,
                            lw=0.8))
    box.set_gid("paths")
