"""nncalc: the small neural-network package of *Calculus in Neural Networks*.

Functional and shaped like the derivation: every public function implements
an equation of the book and its docstring names the equation's label.

>>> import numpy as np, nncalc as nc
>>> params = nc.init_params([2, 2, 1], seed=0)
>>> X, Y = nc.datasets.xor(m=8)
>>> y_hat, cache = nc.forward(params, X, hidden="sigmoid", output="identity")
>>> grads = nc.backward(params, cache, Y, loss="mse")
>>> num = nc.numerical_gradient(lambda p: nc.mse(nc.forward(p, X)[0], Y), params)
>>> nc.relative_error(grads, num) < 1e-6
True

Conventions: ``W_l`` has shape ``(n_l, n_{l-1})``, ``b_l`` shape ``(n_l,)``;
a batch ``X`` has one example per row, shape ``(m, n_0)``; losses are means
over the batch and ``mse`` carries the factor 1/2. Many classes: a
``"softmax"`` output with ``cross_entropy`` and one-hot targets
(:func:`one_hot`); optimisers ``"sgd"``, ``"momentum"``, ``"nesterov"`` and
``"adam"`` in :func:`train`, with scikit-learn's update rules.
"""

from . import autodiff, checks, datasets, explorers, graphs, plotting, sklearn_bridge, widgets
from .activations import (
    activation,
    activation_prime,
    identity,
    identity_prime,
    relu,
    relu_prime,
    sigmoid,
    sigmoid_prime,
    softmax,
    softmax_jacobian,
    tanh,
    tanh_prime,
)
from .book import glue, notebook_setup
from .gradcheck import assert_close, max_abs_difference, numerical_gradient, relative_error
from .losses import (
    EPS,
    bce,
    bce_prime,
    cross_entropy,
    cross_entropy_prime,
    loss_value,
    mse,
    mse_prime,
    one_hot,
    output_delta,
)
from .network import (
    History,
    backward,
    forward,
    init_params,
    l2_penalty,
    n_layers,
    sgd_step,
    train,
)

__version__ = "0.1.0"

__all__ = [
    "History",
    "EPS",
    "activation",
    "activation_prime",
    "assert_close",
    "autodiff",
    "backward",
    "bce",
    "bce_prime",
    "checks",
    "cross_entropy",
    "cross_entropy_prime",
    "datasets",
    "explorers",
    "forward",
    "glue",
    "graphs",
    "identity",
    "identity_prime",
    "init_params",
    "l2_penalty",
    "loss_value",
    "max_abs_difference",
    "mse",
    "mse_prime",
    "n_layers",
    "notebook_setup",
    "numerical_gradient",
    "one_hot",
    "output_delta",
    "plotting",
    "relative_error",
    "relu",
    "relu_prime",
    "sgd_step",
    "sklearn_bridge",
    "sigmoid",
    "sigmoid_prime",
    "softmax",
    "softmax_jacobian",
    "tanh",
    "tanh_prime",
    "train",
    "widgets",
]
