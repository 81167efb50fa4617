"""The chain-rule tree: what is drawn, its numbers, and the sum over paths."""

import numpy as np
import pytest
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

import nncalc as nc
from nncalc.graphs import (
    NODES,
    PARAMETER_NODES,
    draw_chain_rule_tree,
    path_products,
)


def _texts(ax):
    return [t.get_text() for t in ax.texts]


def _by_gid(ax, prefix):
    found = {}
    for artist in list(ax.patches) + list(ax.texts):
        gid = artist.get_gid()
        if gid and gid.startswith(prefix):
            found[gid[len(prefix):]] = artist
    return found


def _worked(X=None):
    params, X0, Y = nc.datasets.worked_example()
    X = X0 if X is None else X
    _, cache = nc.forward(params, X, hidden="sigmoid", output="identity")
    return params, cache, Y


def test_symbols_nodes_and_edges():
    ax = draw_chain_rule_tree()
    circles = [p for p in ax.patches if isinstance(p, Circle)]
    squares = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(circles) == 9          # x1 x2 z1_1 z1_2 a1_1 a1_2 z2 y_hat L
    assert len(squares) == 9          # 6 + 3 parameters
    assert len(arrows) == 4 + 6 + 2 + 2 + 3 + 1 + 1
    texts = _texts(ax)
    for label in [r"$x_1$", r"$z^{(1)}_{2}$", r"$a^{(1)}_{1}$", r"$z^{(2)}$",
                  r"$\hat y$", r"$\ell$", r"$w^{(1)}_{21}$", r"$b^{(2)}$",
                  # local derivatives on the edges
                  r"$w^{(2)}_{12}$", r"$\sigma'(z^{(1)}_1)$", r"$\hat y - y$",
                  r"$a^{(1)}_2$", r"$x_2$"]:
        assert label in texts, label
    labels = _by_gid(ax, "label:")
    assert labels["x2->z1_1"].get_text() == r"$w^{(1)}_{12}$"   # dz1_1/dx_2
    assert labels["w1_21->z1_2"].get_text() == r"$x_1$"         # dz1_2/dw1_21
    assert labels["a1_2->z2"].get_text() == r"$w^{(2)}_{12}$"
    assert labels["b1_2->z1_2"].get_text() == "$1$"
    assert labels["z2->y_hat"].get_text() == "$1$"              # identity output


def test_without_params_and_other_activations():
    ax = draw_chain_rule_tree(show_params=False, hidden="tanh", output="sigmoid",
                              loss="bce")
    assert len([p for p in ax.patches if isinstance(p, Circle)]) == 9
    assert not [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    assert len([p for p in ax.patches if isinstance(p, FancyArrowPatch)]) == 10
    labels = _by_gid(ax, "label:")
    assert labels["z1_2->a1_2"].get_text() == r"$\tanh'(z^{(1)}_2)$"
    assert labels["z2->y_hat"].get_text() == r"$\sigma'(z^{(2)})$"
    assert "w1_11->z1_1" not in labels


def test_values_match_the_forward_pass():
    params, cache, Y = _worked()
    ax = draw_chain_rule_tree(cache=cache, params=params, y=Y, edge_labels="values")
    labels = {k: v.get_text() for k, v in _by_gid(ax, "label:").items()}
    z1 = cache["Z1"][0]
    s = 1 / (1 + np.exp(-z1))
    assert labels["z1_1->a1_1"] == f"{s[0] * (1 - s[0]):.4f}"
    assert labels["z1_2->a1_2"] == f"{s[1] * (1 - s[1]):.4f}"
    assert labels["a1_1->z2"] == "1.2"
    assert labels["x2->z1_1"] == "\u22120.3"                 # w1_12 = -0.3
    assert labels["w1_22->z1_2"] == "0.5"                    # x_2
    assert labels["w2_12->z2"] == f"{cache['A1'][0, 1]:.4f}"
    err = cache["A2"][0, 0] - 1.0
    assert labels["y_hat->L"] == f"{err:.4f}".replace("-", "\u2212")
    texts = _texts(ax)
    # node values: the loss of the example and the hidden pre-activation
    assert f"{0.5 * err ** 2:.4f}" in texts
    assert "0.45" in texts and "0.4" in texts


def test_both_labels_and_decimals():
    params, cache, Y = _worked()
    ax = draw_chain_rule_tree(cache=cache, params=params, y=Y, decimals=2)
    labels = {k: v.get_text() for k, v in _by_gid(ax, "label:").items()}
    assert labels["z1_1->a1_1"] == "$\\sigma'(z^{(1)}_1)$\n0.24"
    assert labels["b2->z2"] == "1"           # a constant needs no second line


@pytest.mark.parametrize("node", [n for n in NODES if n != "L"] + list(PARAMETER_NODES))
def test_sum_over_paths_is_the_gradient(node):
    """eq-chain-multi: summing the path products gives dL/d(node)."""
    params, cache, Y = _worked()
    paths = path_products(node, cache, params, Y)
    for nodes, factors, product in paths:
        assert nodes[0] == node and nodes[-1] == "L"
        assert len(factors) == len(nodes) - 1
        assert product == pytest.approx(np.prod(factors))
    total = sum(product for *_, product in paths)

    X = nc.datasets.worked_example()[1]
    if node in PARAMETER_NODES:
        key, index = {"w": "W", "b": "b"}[node[0]] + node[1], node[3:]
        grads = nc.backward(params, cache, Y, loss="mse")
        idx = tuple(int(c) - 1 for c in index) if index else (0,)
        expected = grads[key][idx]
    elif node in ("x1", "x2"):
        num = nc.numerical_gradient(
            lambda x: nc.mse(nc.forward(params, x)[0], Y), X)
        expected = num[0, int(node[1]) - 1]
    else:
        # an intermediate node: perturb it and run the rest of the network
        expected = _numerical_node_derivative(node, params, cache, Y)
    assert total == pytest.approx(expected, abs=1e-8)


def _numerical_node_derivative(node, params, cache, Y, h=1e-6):
    def loss_from(value):
        z1, a1 = cache["Z1"][0].copy(), None
        if node.startswith("z1_"):
            z1[int(node[-1]) - 1] = value
        a1 = 1 / (1 + np.exp(-z1))
        if node.startswith("a1_"):
            a1 = cache["A1"][0].copy()
            a1[int(node[-1]) - 1] = value
        z2 = params["W2"][0] @ a1 + params["b2"][0]
        if node == "z2":
            z2 = value
        y_hat = value if node == "y_hat" else z2
        return 0.5 * (y_hat - Y[0, 0]) ** 2

    key = {"z1": "Z1", "a1": "A1", "z2": "Z2", "y_": "A2"}[node[:2]]
    j = int(node[-1]) - 1 if node[-1].isdigit() and "_" in node else 0
    v = cache[key][0, j]
    return (loss_from(v + h) - loss_from(v - h)) / (2 * h)


def test_x1_has_two_paths_and_highlight():
    params, cache, Y = _worked()
    assert len(path_products("x1", cache, params, Y)) == 2
    assert len(path_products("w1_21", cache, params, Y)) == 1
    ax = draw_chain_rule_tree(cache=cache, params=params, y=Y, highlight="x1")
    arrows = _by_gid(ax, "edge:")
    lit = {k for k, a in arrows.items() if a.get_linewidth() > 2}
    assert lit == {"x1->z1_1", "x1->z1_2", "z1_1->a1_1", "z1_2->a1_2",
                   "a1_1->z2", "a1_2->z2", "z2->y_hat", "y_hat->L"}
    box = _by_gid(ax, "paths")[""].get_text()
    assert box.startswith(r"$\partial\ell/\partial$$x_1$")
    assert "sum over 2 paths" in box
    paths = path_products("x1", cache, params, Y)
    total = sum(p for *_, p in paths)
    assert f"total = {total:.4f}".replace("-", "\u2212") in box
    # products keep all four decimals: the second path is 0.0130, not 0.013
    second = paths[1][2]
    assert f"{second:.4f}" == "0.0130"
    assert box.splitlines()[2].endswith("= 0.0130")


def test_highlight_parameter_symbols_only():
    ax = draw_chain_rule_tree(highlight="w2_12")
    arrows = _by_gid(ax, "edge:")
    lit = {k for k, a in arrows.items() if a.get_linewidth() > 2}
    assert lit == {"w2_12->z2", "z2->y_hat", "y_hat->L"}
    assert not _by_gid(ax, "paths")          # no numbers, so no box of products


def test_bce_local_derivative():
    params = nc.init_params([2, 2, 1], seed=3)
    X, Y = np.array([[0.3, -1.2]]), np.array([[1.0]])
    _, cache = nc.forward(params, X, hidden="tanh", output="sigmoid")
    paths = path_products("b2", cache, params, Y, loss="bce")
    grads = nc.backward(params, cache, Y, loss="bce")
    assert sum(p for *_, p in paths) == pytest.approx(grads["b2"][0], abs=1e-10)
    ax = draw_chain_rule_tree(cache=cache, params=params, y=Y, loss="bce",
                              edge_labels="values")
    y_hat = cache["A2"][0, 0]
    expected = (y_hat - 1.0) / (y_hat * (1 - y_hat))
    labels = {k: v.get_text() for k, v in _by_gid(ax, "label:").items()}
    assert labels["y_hat->L"] == f"{expected:.4f}".replace("-", "\u2212")


def test_draws_into_given_ax():
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2)
    assert draw_chain_rule_tree(ax=axes[1], show_params=False) is axes[1]
    assert not axes[0].patches


@pytest.mark.parametrize("kwargs, error, match", [
    ({"highlight": "w9_99"}, ValueError, "highlight"),
    ({"highlight": 3}, TypeError, "highlight"),
    ({"highlight": "L"}, ValueError, "highlight"),
    ({"highlight": "b1_1", "show_params": False}, ValueError, "highlight"),
    ({"edge_labels": "values"}, ValueError, "edge_labels"),
    ({"edge_labels": "numbers"}, ValueError, "edge_labels"),
    ({"loss": "hinge"}, ValueError, "loss"),
    ({"hidden": "softplus"}, ValueError, "hidden"),
    ({"decimals": 1.5}, TypeError, "decimals"),
    ({"decimals": 12}, ValueError, "decimals"),
    ({"show_params": "yes"}, TypeError, "show_params"),
    ({"params": nc.datasets.worked_example()[0]}, ValueError, "cache"),
])
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        draw_chain_rule_tree(**kwargs)


def test_bad_cache_params_and_target():
    params, cache, Y = _worked()
    with pytest.raises(ValueError, match="y"):
        draw_chain_rule_tree(cache=cache, params=params)
    with pytest.raises(ValueError, match="params"):
        draw_chain_rule_tree(cache=cache, y=Y)
    with pytest.raises(TypeError, match="cache"):
        draw_chain_rule_tree(cache=[1, 2], params=params, y=Y)
    with pytest.raises(ValueError, match="y"):
        draw_chain_rule_tree(cache=cache, params=params, y=[1.0, 0.0])
    # a batch of three examples: the tree is drawn for one
    params3, cache3, _ = _worked(np.ones((3, 2)))
    with pytest.raises(ValueError, match=r"cache\['A0'\].*one example"):
        draw_chain_rule_tree(cache=cache3, params=params3, y=1.0)
    # not a 2-2-1 network
    big = nc.init_params([2, 3, 1])
    _, big_cache = nc.forward(big, np.ones((1, 2)))
    with pytest.raises(ValueError, match="params: expected a 2-2-1"):
        draw_chain_rule_tree(cache=big_cache, params=big, y=1.0)
    with pytest.raises(ValueError, match="y"):
        draw_chain_rule_tree(cache=cache, params=params, y=2.0, loss="bce")
    with pytest.raises(ValueError, match="node"):
        path_products("q", cache, params, Y)


def test_one_path_box_lists_the_factors():
    params, cache, Y = _worked()
    ax = draw_chain_rule_tree(cache=cache, params=params, y=Y, highlight="w1_11")
    box = _by_gid(ax, "paths")[""].get_text()
    assert "product along its one path" in box and "via" not in box
    (nodes, factors, product), = path_products("w1_11", cache, params, Y)
    assert nodes == ["w1_11", "z1_1", "a1_1", "z2", "y_hat", "L"]
    # the five local derivatives of eq-chain-dw111: x1, sigma'(z1_1), w2_11, 1, y_hat - y
    a = cache["A1"][0, 0]
    np.testing.assert_allclose(
        factors, [1.0, a * (1 - a), 1.2, 1.0, cache["A2"][0, 0] - 1.0])
    assert f"= {product:.4f}".replace("-", "\u2212") in box
    # listed from the loss back to the weight, as eq-chain-dw111 writes them
    err = f"{cache['A2'][0, 0] - 1.0:.4f}".replace("-", "\u2212")
    assert f"({err}) \u00d7 1 \u00d7 1.2 \u00d7 {a * (1 - a):.4f} \u00d7 1 =" in box
    ax = draw_chain_rule_tree(cache=cache, params=params, y=Y, highlight="y_hat")
    assert _by_gid(ax, "paths")[""].get_text().endswith("\u22120.3863")


def test_number_format():
    from nncalc.graphs import _fmt

    assert _fmt(1.0, 4) == "1" and _fmt(0.45, 4) == "0.45"
    assert _fmt(-0.38634, 4) == "\u22120.3863"
    assert _fmt(0.013, 4, fixed=True) == "0.0130"
    assert _fmt(-1e-7, 4) == "0" and _fmt(-1e-7, 4, fixed=True) == "0.0000"
    assert _fmt(-2.0, 0, fixed=True) == "\u22122"


def test_crossing_labels_clear_of_the_arrowheads():
    """The labels of x2 -> z1_1 and x1 -> z1_2 sit near their tails."""
    params, cache, Y = _worked()
    for kwargs in ({}, {"cache": cache, "params": params, "y": Y,
                        "show_params": False}):
        ax = draw_chain_rule_tree(**kwargs)
        labels = _by_gid(ax, "label:")
        nodes = {k: p for k, p in _by_gid(ax, "node:").items()}
        for tail, head in (("x2", "z1_1"), ("x1", "z1_2")):
            lx, ly = labels[f"{tail}->{head}"].get_position()
            tx, ty = nodes[tail].center
            hx, hy = nodes[head].center
            assert np.hypot(lx - tx, ly - ty) < np.hypot(lx - hx, ly - hy)
        # and the two labels are not on top of each other
        a = np.array(labels["x2->z1_1"].get_position())
        b = np.array(labels["x1->z1_2"].get_position())
        assert abs(a[1] - b[1]) > 1.0
