r"""A feed-forward network of any depth: parameters, forward pass, backpropagation.

Conventions (the book's notation table):

* layer ``l`` has ``n_l`` units; ``W_l`` has shape ``(n_l, n_{l-1})`` and
  ``b_l`` shape ``(n_l,)``, so one example (a column vector) maps as
  :math:`z = W a + b`;
* a batch stores examples as **rows**, so the batched code is
  ``Z = A_prev @ W.T + b`` (equation ``eq-layer-batch``);
* losses are means over the batch, so :math:`\Delta^{(l)} = \partial \mathcal L /
  \partial Z^{(l)}` already carries the factor :math:`1/m`.

Parameters live in a plain dict ``{"W1": ..., "b1": ..., "W2": ..., ...}``.
Public functions validate their arguments; the ``_`` functions below them do
the arithmetic. :func:`train` validates once and then runs the same
arithmetic, operation for operation, through ``_BatchPasses``, which writes
into arrays it allocates once per call instead of making new ones per batch.
"""

from __future__ import annotations

import functools
import math
import warnings
from dataclasses import dataclass, field

import numpy as np

from . import activations as act
from . import losses
from ._validation import (
    INIT_NAMES,
    OPTIMIZER_NAMES,
    _layer_keys,
    check_activation,
    check_inputs,
    check_layer_sizes,
    check_loss,
    check_loss_targets,
    check_name,
    check_nonnegative_number,
    check_output_activation,
    check_params,
    check_positive_int,
    check_positive_number,
    check_same_structure,
    check_softmax_width,
    check_targets,
    check_unit_interval,
    describe,
    layer_sizes_of,
)

__all__ = [
    "init_params",
    "forward",
    "backward",
    "sgd_step",
    "l2_penalty",
    "train",
    "History",
    "n_layers",
]


def n_layers(params) -> int:
    """Number of layers with weights, ``L`` (the 2-2-1 network has ``L = 2``)."""
    return len(check_params(params)) // 2


# -- initialisation ---------------------------------------------------------------

def init_params(layer_sizes, seed=0, init="glorot"):
    r"""Random initial parameters for a network with the given layer sizes.

    Biases start at 0. The weights of layer ``l``, with fan-in
    :math:`n_{in} = n_{l-1}` and fan-out :math:`n_{out} = n_l`, are drawn
    independently from

    * ``init="glorot"`` (Glorot and Bengio 2010, also called Xavier; the
      default): the uniform distribution :math:`U(-r, r)` with
      :math:`r = \sqrt{6/(n_{in} + n_{out})}`, of variance
      :math:`2/(n_{in} + n_{out})` (equation ``eq-training-glorot-variance``),
      which keeps the variance of the signals roughly constant from layer to
      layer for units that are linear near 0 (tanh, sigmoid's middle);
    * ``init="he"`` (He et al. 2015): the **normal** distribution
      :math:`\mathcal N(0, 2/n_{in})`, variance :math:`2/n_{in}` (equation
      ``eq-he-variance``), the paper's own choice; the factor 2 makes up
      for ReLU, which sets the negative half of its (symmetric) inputs to 0
      and so halves the mean square of what it passes on.

    The *Training* chapter explains why the weights must not all be equal,
    and where each variance comes from. For the same ``seed`` and sizes,
    ``"glorot"`` gives the same weights as earlier versions of nncalc.

    Parameters
    ----------
    layer_sizes : sequence of int, length L + 1 >= 2
        ``[n_0, n_1, ..., n_L]``: inputs, hidden layers, outputs. For the
        course's 2-2-1 network, ``[2, 2, 1]``.
    seed : int or None, default 0
        Seed of ``numpy.random.default_rng``; the same seed gives the same
        parameters.
    init : {"glorot", "he"}, default "glorot"

    Returns
    -------
    dict
        ``{"W1": (n_1, n_0), "b1": (n_1,), ..., "WL": (n_L, n_{L-1}), "bL": (n_L,)}``.
    """
    sizes = check_layer_sizes(layer_sizes)
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
        raise TypeError(f"seed: expected an integer or None, got {describe(seed)}")
    init = check_name(init, "init", INIT_NAMES)
    rng = np.random.default_rng(seed)
    params = {}
    for l in range(1, len(sizes)):
        fan_in, fan_out = sizes[l - 1], sizes[l]
        if init == "glorot":
            r = np.sqrt(6.0 / (fan_in + fan_out))
            params[f"W{l}"] = rng.uniform(-r, r, size=(fan_out, fan_in))
        else:                                   # eq-he-variance
            params[f"W{l}"] = rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_out, fan_in))
        params[f"b{l}"] = np.zeros(fan_out)
    return params


# -- forward pass -----------------------------------------------------------------

def _forward(params, X, hidden, output, keep_z=True):
    """Unchecked forward pass. Returns (A_L, cache).

    With ``keep_z=False`` (the training loop) each activation overwrites its
    pre-activation in place and the cache holds only the ``A``'s, which is
    all that backpropagation reads.
    """
    L = len(params) // 2
    cache = {"A0": X, "hidden": hidden, "output": output, "L": L}
    f_hidden, f_output = act.FUNCTIONS[hidden], act.FUNCTIONS[output]
    A = X
    for l, (wk, bk, zk, ak) in enumerate(_cache_keys(L), start=1):
        Z = A @ params[wk].T               # (m, n_{l-1}) @ (n_{l-1}, n_l)
        Z += params[bk]                    # the bias row is added to every example
        f = f_hidden if l < L else f_output
        if keep_z:
            cache[zk] = Z
            A = f(Z)
        else:
            A = f(Z, out=Z)
        cache[ak] = A
    return A, cache


#: ``L -> (("W1", "b1", "Z1", "A1"), ..., ("WL", "bL", "ZL", "AL"))``
_CACHE_KEYS: dict[int, tuple[tuple[str, str, str, str], ...]] = {}


def _cache_keys(L):
    """The keys of the parameters and of the cache entries of each layer."""
    keys = _CACHE_KEYS.get(L)
    if keys is None:
        keys = tuple((w, b, f"Z{l}", f"A{l}") for l, (w, b) in enumerate(_layer_keys(L), 1))
        if L <= 1000:
            _CACHE_KEYS[L] = keys
    return keys


def forward(params, X, hidden="sigmoid", output="identity"):
    r"""Forward pass of a batch through the network, equation ``eq-layer-batch``.

    For :math:`l = 1, \dots, L`:

    .. math:: Z^{(l)} = A^{(l-1)} W^{(l)\top} + \mathbf 1\, b^{(l)\top}, \qquad
              A^{(l)} = f_l(Z^{(l)}), \qquad A^{(0)} = X,

    with :math:`f_l` = ``hidden`` for :math:`l < L` and ``output`` for the
    last layer. A ``"softmax"`` output is applied to each row (each
    example) of :math:`Z^{(L)}` (equation ``eq-softmax``, see
    :func:`nncalc.softmax`), so the row of :math:`\hat Y` holds the K
    class probabilities of that example.

    Parameters
    ----------
    params : dict
        ``{"W1", "b1", ..., "WL", "bL"}`` as returned by :func:`init_params`.
    X : array_like of shape (m, n_0)
        Inputs, one example per row (``m >= 1``).
    hidden : {"sigmoid", "tanh", "relu", "identity"}, default "sigmoid"
        Activation of the hidden layers (softmax is an output activation
        only and is refused here).
    output : {"sigmoid", "tanh", "relu", "identity", "softmax"}, default "identity"
        Activation of the output layer; ``"softmax"`` needs n_L >= 2.

    Returns
    -------
    y_hat : ndarray of shape (m, n_L)
        The network's output :math:`A^{(L)}`.
    cache : dict
        Everything backpropagation needs: ``"A0"`` (= X), ``"Z1"``, ``"A1"``,
        ..., ``"ZL"``, ``"AL"`` (arrays of shape (m, n_l)), and the entries
        ``"hidden"``, ``"output"`` and ``"L"``.
    """
    params = check_params(params)
    check_activation(hidden, "hidden")
    check_output_activation(output, "output")
    if output == "softmax":
        check_softmax_width(output, params[f"W{len(params) // 2}"].shape[0])
    X = check_inputs(X, params["W1"].shape[1], "X")
    if output == "softmax":
        with np.errstate(under="ignore"):    # a softmax's tiny probabilities
            return _forward(params, X, hidden, output)
    # (the sigmoid silences its own expected underflow and overflow; the
    # other steps of the forward pass set no underflow flag: BLAS products,
    # sums, tanh, relu, copies)
    return _forward(params, X, hidden, output)


# -- backward pass ----------------------------------------------------------------

def _backward(params, cache, Y, loss, alpha=0.0, ones=None):
    """Unchecked backpropagation. Returns the gradient dict.

    ``ones`` is the column of m ones of eq-bp3; the training loop passes one
    it allocates once.
    """
    L = cache["L"]
    m = Y.shape[0]
    if ones is None:
        ones = np.ones(m)
    hidden_prime = act.DERIVATIVES_FROM_OUTPUT[cache["hidden"]]
    delta = losses._output_delta(cache[f"A{L}"], Y, loss, cache["output"])  # eq-bp1
    grads = dict.fromkeys(params)  # the keys in the order of params: W1, b1, ...
    for l in range(L, 0, -1):
        W, A_prev = params[f"W{l}"], cache[f"A{l - 1}"]
        grads[f"W{l}"] = delta.T @ A_prev                       # eq-bp4
        if alpha:
            grads[f"W{l}"] += (alpha / m) * W                   # eq-l2-grad
        # eq-bp3, Delta^T 1, computed as the row 1^T Delta: a matrix-vector
        # product, faster than delta.sum(axis=0) (the scikit-learn chapter measures it)
        grads[f"b{l}"] = ones @ delta
        if l > 1:
            delta = delta @ W                                   # eq-bp2
            delta *= hidden_prime(A_prev)
    return grads


def _check_cache(cache, params):
    if not isinstance(cache, dict) or "L" not in cache or "A0" not in cache:
        raise TypeError(
            "cache: expected the dict returned by nncalc.forward, got "
            f"{describe(cache)}"
        )
    L = len(params) // 2
    if cache["L"] != L:
        raise ValueError(
            f"cache: expected a cache from a {L}-layer network (to match params), "
            f"got one from a {cache['L']}-layer network"
        )
    m = cache["A0"].shape[0]
    n = params["W1"].shape[1]                       # n_0, then n_1, ..., n_L
    for key, wk in [("A0", None)] + [(ak, wk) for wk, _, _, ak in _cache_keys(L)]:
        if wk is not None:
            n = params[wk].shape[0]
        A = cache.get(key)
        if not isinstance(A, np.ndarray) or A.shape != (m, n):
            raise ValueError(
                f"cache[{key!r}]: expected an array of shape ({m}, {n}) to "
                f"match params, got {describe(A)}; pass the cache that "
                "nncalc.forward returned for these params"
            )
    check_activation(cache.get("hidden"), "cache['hidden']")
    check_output_activation(cache.get("output"), "cache['output']")
    check_softmax_width(cache["output"], n, "cache['output']")


def backward(params, cache, Y, loss="mse", alpha=0.0):
    r"""Gradients of the loss with respect to every parameter (backpropagation).

    Starting from the output error (equation ``eq-bp1``)
    :math:`\Delta^{(L)} = \partial \mathcal L/\partial \hat Y \odot f'(Z^{(L)})`,
    for :math:`l = L, \dots, 1` (Chapter 5):

    .. math::
        \frac{\partial \mathcal L}{\partial W^{(l)}} = \Delta^{(l)\top} A^{(l-1)}, \quad
        \frac{\partial \mathcal L}{\partial b^{(l)}} = \Delta^{(l)\top}\mathbf 1, \quad
        \Delta^{(l-1)} = \big(\Delta^{(l)} W^{(l)}\big) \odot f'(Z^{(l-1)})

    (equations ``eq-bp4``, ``eq-bp3``, ``eq-bp2``). With ``alpha > 0`` the
    L2 penalty of :func:`l2_penalty` is included: every weight gradient
    gains :math:`(\alpha/m) W^{(l)}`; biases are not penalised.

    Every loss/activation pair is handled: the matching pairs (``mse`` with
    an ``identity`` output, ``bce`` with a ``sigmoid`` output,
    ``cross_entropy`` with a ``softmax`` output) use the simplification
    :math:`\Delta^{(L)} = (\hat Y - Y)/m` (for softmax, equation
    ``eq-softmax-ce-delta``), the others the general product: element-wise
    for element-wise outputs, the softmax Jacobian-vector product
    :math:`P \odot (G - (G \odot P)\mathbf 1\mathbf 1^\top)` for a softmax
    output (see :func:`nncalc.output_delta`). ReLU's derivative at 0 is
    taken as 0.

    Parameters
    ----------
    params : dict
        The parameters the forward pass used.
    cache : dict
        The cache returned by :func:`forward` for these parameters.
    Y : array_like of shape (m, n_L); (m,) accepted when n_L = 1
        Targets. For ``bce`` they must lie in [0, 1]; for
        ``cross_entropy`` they are one-hot rows (:func:`nncalc.one_hot`) or
        rows of probabilities summing to 1.
    loss : {"mse", "bce", "cross_entropy"}, default "mse"
    alpha : float >= 0, default 0
        L2 regularisation strength (scikit-learn's ``alpha``).

    Returns
    -------
    dict
        Same keys and shapes as ``params``: ``grads["W1"]`` is
        :math:`\partial \mathcal L/\partial W^{(1)}`, and so on.
    """
    params = check_params(params)
    check_loss(loss)
    alpha = check_nonnegative_number(alpha, "alpha")
    _check_cache(cache, params)
    L = cache["L"]
    Y = check_targets(Y, cache[f"A{L}"].shape, "Y")
    check_loss_targets(Y, loss, "Y")
    return _backward(params, cache, Y, loss, alpha, _ones(Y.shape[0]))


#: Read-only columns of ones for eq-bp3, by length (a few recent lengths).
_ONES: dict[int, np.ndarray] = {}


def _ones(m):
    ones = _ONES.get(m)
    if ones is None:
        if len(_ONES) >= 8:
            _ONES.clear()
        ones = _ONES[m] = np.ones(m)
        ones.flags.writeable = False       # shared: nothing may write into it
    return ones


def l2_penalty(params, alpha, m):
    r"""The L2 penalty scikit-learn adds to the loss, equation ``eq-l2``.

    .. math:: \frac{\alpha}{2m} \sum_l \lVert W^{(l)} \rVert_F^2

    The biases are not penalised; ``m`` is the number of examples in the
    batch the loss is averaged over.

    Parameters
    ----------
    params : dict
    alpha : float >= 0
    m : int >= 1

    Returns
    -------
    float
    """
    params = check_params(params)
    alpha = check_nonnegative_number(alpha, "alpha")
    m = check_positive_int(m, "m")
    return _l2_penalty(params, alpha, m)


def _l2_penalty(params, alpha, m):
    if not alpha:
        return 0.0
    L = len(params) // 2
    total = sum(float(np.vdot(params[f"W{l}"], params[f"W{l}"])) for l in range(1, L + 1))
    return 0.5 * alpha * total / m


# -- the update -------------------------------------------------------------------

def sgd_step(params, grads, lr):
    r"""One gradient-descent step, equation ``eq-sgd-update``.

    .. math:: \theta \leftarrow \theta - \eta\, \frac{\partial \mathcal L}{\partial \theta}
              \quad \text{for every parameter } \theta

    Parameters
    ----------
    params : dict
    grads : dict
        Same keys and shapes as ``params`` (as returned by :func:`backward`).
    lr : float > 0
        The learning rate :math:`\eta`.

    Returns
    -------
    dict
        New parameters; ``params`` and ``grads`` are not modified.
    """
    params = check_params(params)
    grads = check_same_structure(grads, params, "grads")
    lr = check_positive_number(lr, "lr")
    return {k: params[k] - lr * grads[k] for k in params}


# -- optimisers --------------------------------------------------------------------

class _Optimizer:
    """The update rules of :func:`train`, on one flat parameter vector.

    ``theta`` and ``g`` are 1-D arrays holding every parameter and its
    gradient (the per-layer parameter arrays the network uses are views into
    ``theta``), so one update is a handful of in-place NumPy calls for the
    whole network, whatever its depth. The arithmetic is scikit-learn's
    (``sklearn/neural_network/_stochastic_optimizers.py``), operation for
    operation. ``step`` overwrites ``g``.
    """

    def __init__(self, name, size, lr, momentum, beta_1, beta_2, epsilon):
        self.name, self.lr, self.mu = name, lr, momentum
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.t = 0
        if name in ("momentum", "nesterov"):
            self.velocity = np.zeros(size)
        if name == "nesterov" or name == "adam":
            self.buffer = np.empty(size)
        if name == "adam":
            self.m1, self.m2 = np.zeros(size), np.zeros(size)
        self.step = getattr(self, "_" + name)

    def _sgd(self, theta, g):
        # eq-sgd-update: theta <- theta - eta g
        g *= self.lr
        theta -= g

    def _momentum(self, theta, g):
        # eq-momentum: v <- mu v - eta g;  theta <- theta + v
        v = self.velocity
        v *= self.mu
        g *= self.lr
        v -= g
        theta += v

    def _nesterov(self, theta, g):
        # eq-nesterov: v <- mu v - eta g;  theta <- theta + mu v - eta g (the new v)
        v, step = self.velocity, self.buffer
        v *= self.mu
        g *= self.lr
        v -= g
        np.multiply(v, self.mu, out=step)
        step -= g
        theta += step

    def _adam(self, theta, g):
        # eq-adam: t <- t + 1;  m <- beta1 m + (1 - beta1) g;  v <- beta2 v + (1 - beta2) g^2;
        # theta <- theta - eta_t m / (sqrt(v) + eps),  eta_t = eta sqrt(1 - beta2^t)/(1 - beta1^t)
        b1, b2, m1, m2, tmp = self.beta_1, self.beta_2, self.m1, self.m2, self.buffer
        self.t += 1
        m1 *= b1
        np.multiply(g, 1.0 - b1, out=tmp)
        m1 += tmp
        np.multiply(g, g, out=tmp)
        tmp *= 1.0 - b2
        m2 *= b2
        m2 += tmp
        rate = self.lr * math.sqrt(1.0 - b2 ** self.t) / (1.0 - b1 ** self.t)
        np.sqrt(m2, out=tmp)
        tmp += self.epsilon
        np.multiply(m1, -rate, out=g)
        g /= tmp
        theta += g


def _flat_layout(params):
    """Where each parameter lives in one flat vector: ``(size, {key: (start, shape)})``.

    The weights come first (W1, W2, ..., then b1, b2, ...), as in
    scikit-learn's ``coefs_ + intercepts_``, so they form one block (the L2
    term acts on it); the dict keeps the order of ``params``.
    """
    L = len(params) // 2
    where, start = {}, 0
    for k in [f"W{l}" for l in range(1, L + 1)] + [f"b{l}" for l in range(1, L + 1)]:
        where[k] = (start, params[k].shape)
        start += params[k].size
    return start, {k: where[k] for k in params}


def _unflatten(flat, layout, copy=False):
    """The parameter dict whose arrays are views into ``flat`` (or copies)."""
    out = {}
    for k, (start, shape) in layout.items():
        view = flat[start:start + math.prod(shape)].reshape(shape)
        out[k] = view.copy() if copy else view
    return out


class _BatchPasses:
    """The forward and backward passes of :func:`train`, into arrays made once.

    The arithmetic is that of :func:`_forward` (with ``keep_z=False``) and of
    :func:`_backward`, operation for operation and in the same order, so the
    numbers are the same (the tests compare ``train`` with loops of
    :func:`forward` and :func:`backward`); what differs is where the results
    go. The pre-activations (which the activations overwrite), the deltas,
    the scratch arrays of the derivatives and of the loss are made once per
    batch size (the last batch of an epoch may be smaller) and reused in
    every epoch; every matrix product writes into its array
    (``np.matmul(..., out=...)``), and the gradients go straight into the
    views of the flat gradient vector that the optimiser reads: no dict, no
    copy, no new array per batch (except for the loss/output pairs without
    the (Y_hat - Y)/m shortcut, which take the general :func:`losses._output_delta`).
    """

    def __init__(self, live, g_views, hidden, output, loss, alpha):
        L = len(live) // 2
        keys = _layer_keys(L)
        self.sizes = layer_sizes_of(live)
        self.hidden, self.output, self.loss, self.alpha = hidden, output, loss, alpha
        self.W = [live[w] for w, _ in keys]
        self.WT = [W.T for W in self.W]                   # views, as in A @ W.T
        self.b = [live[b] for _, b in keys]
        self.gW = [g_views[w] for w, _ in keys]           # views into the flat g
        self.gb = [g_views[b] for _, b in keys]
        # the activations in place; the sigmoid without an np.errstate of its
        # own, since train runs the passes under one that silences its overflow
        f = {name: functools.partial(act._sigmoid, errstate=False) if name == "sigmoid"
             else act.FUNCTIONS[name] for name in (hidden, output)}
        self.f = [f[hidden]] * (L - 1) + [f[output]]
        self.times_prime = act.PRODUCTS_WITH_DERIVATIVE[hidden]
        self.matching = (loss, output) in losses.MATCHING_PAIRS
        self._work = {}

    def work(self, mb):
        """The arrays for a batch of ``mb`` rows: (ones, loss scratch, A's, deltas, scratch)."""
        if mb not in self._work:
            n = self.sizes
            scratch_type = bool if self.hidden == "relu" else np.float64
            self._work[mb] = (np.ones(mb),                              # the 1 of eq-bp3
                              np.empty((mb, n[-1])),                    # the loss's scratch
                              [np.empty((mb, k)) for k in n[1:]],       # Z, then A, l = 1..L
                              [np.empty((mb, k)) for k in n[1:-1]],     # Delta, l = 1..L-1
                              [np.empty((mb, k), dtype=scratch_type) for k in n[1:-1]])
        return self._work[mb]

    def forward_into(self, Xb, work):
        """eq-layer-batch, Z = A_prev W^T + b, overwritten by A = f(Z). Returns A_L."""
        A = Xb
        for WT, b, f, out in zip(self.WT, self.b, self.f, work[2]):
            np.matmul(A, WT, out=out)
            out += b
            A = f(out, out=out)
        return A

    def backward_into(self, Xb, Yb, work):
        """eq-bp1 to eq-bp4 for the batch whose forward pass was the last one,
        the gradients written into the flat gradient vector."""
        ones, _, As, Ds, Ss = work
        W, gW, gb, alpha, times_prime = self.W, self.gW, self.gb, self.alpha, self.times_prime
        mb = Xb.shape[0]
        A = As[-1]
        if self.matching:                  # eq-bp1 simplified, in the output's array
            delta = np.subtract(A, Yb, out=A)
            delta /= mb
        else:
            delta = losses._output_delta(A, Yb, self.loss, self.output)     # eq-bp1
        for l in range(len(W) - 1, -1, -1):
            A_prev = As[l - 1] if l else Xb
            np.matmul(delta.T, A_prev, out=gW[l])                  # eq-bp4
            if alpha:
                gW[l] += (alpha / mb) * W[l]                       # eq-l2-grad
            np.matmul(ones, delta, out=gb[l])                      # eq-bp3, as 1^T Delta
            if l:
                delta = np.matmul(delta, W[l], out=Ds[l - 1])      # eq-bp2
                if times_prime is not None:
                    times_prime(A_prev, delta, Ss[l - 1])


# -- training ---------------------------------------------------------------------

@dataclass
class History:
    """What :func:`train` returns.

    Attributes
    ----------
    params : dict
        The parameters after the last epoch.
    loss : ndarray of shape (epochs run,)
        ``loss[e]`` is the mean over epoch ``e``'s batches of the loss
        (plus the L2 penalty) each batch had *before* its update, weighted by
        the batch sizes. For full-batch training it is the loss at the
        start of the epoch. This is scikit-learn's ``loss_curve_``.
    diverged : bool
        True when training stopped early because the loss or a parameter
        stopped being a finite number (the learning rate was too large);
        ``loss`` then ends with the first non-finite value.
    val_loss : ndarray of shape (epochs run,) or None
        With ``validation=(X_val, Y_val)``: ``val_loss[e]`` is the loss on
        the held-out data (without the L2 penalty, which does not depend
        on the data) of the parameters at the **end** of epoch ``e``, after
        its last update. It is measured half an epoch later, on average,
        than ``loss[e]`` (for full-batch training exactly one update later).
        NaN for an epoch that diverged. None without validation data.
    best_epoch : int or None
        The epoch with the smallest ``val_loss`` (the first, on a tie); None
        without validation data (or when the first epoch diverged).
    best_params : dict or None
        A copy of the parameters at the end of ``best_epoch``: what early
        stopping with the held-out data would keep. None without validation
        data.
    """

    params: dict
    loss: np.ndarray = field(repr=False)
    diverged: bool = False
    val_loss: np.ndarray | None = field(default=None, repr=False)
    best_epoch: int | None = None
    best_params: dict | None = field(default=None, repr=False)

    def __repr__(self):
        sizes = layer_sizes_of(self.params)
        val = ""
        if self.val_loss is not None:
            val = (f", final val loss={self.val_loss[-1]:.6g}, best epoch={self.best_epoch}")
        return (
            f"History(layer_sizes={sizes}, epochs={len(self.loss)}, "
            f"final loss={self.loss[-1]:.6g}{val}{', diverged' if self.diverged else ''})"
        )


def _check_validation(validation, n_in, n_out, loss):
    if validation is None:
        return None
    if not isinstance(validation, (tuple, list)) or len(validation) != 2:
        raise TypeError(
            "validation: expected a pair (X_val, Y_val) of held-out inputs and targets, "
            f"or None, got {describe(validation)}"
        )
    X_val = check_inputs(validation[0], n_in, "validation[0] (X_val)")
    Y_val = check_targets(validation[1], (X_val.shape[0], n_out), "validation[1] (Y_val)")
    check_loss_targets(Y_val, loss, "validation[1] (Y_val)")
    return X_val, Y_val


def train(
    params,
    X,
    Y,
    epochs,
    lr,
    loss="mse",
    hidden="sigmoid",
    output="identity",
    batch_size=None,
    alpha=0.0,
    callback=None,
    optimizer="sgd",
    momentum=0.9,
    beta_1=0.9,
    beta_2=0.999,
    epsilon=1e-8,
    validation=None,
):
    r"""Train with (mini-batch) gradient descent or one of its variants.

    Each epoch walks through the examples in their given order (no
    shuffling) in batches of ``batch_size`` consecutive rows; the last batch
    of an epoch may be smaller. For every batch it computes the loss, the
    gradients :math:`\mathbf g` (:func:`backward`) and one update of the
    parameters :math:`\theta`, the update rule given by ``optimizer``,
    with scikit-learn's arithmetic (its ``solver="sgd"`` and ``"adam"``, so
    :mod:`nncalc.sklearn_bridge` reproduces every run):

    * ``"sgd"`` (default): plain gradient descent,
      :math:`\theta \leftarrow \theta - \eta\,\mathbf g` (equation
      ``eq-sgd-update``);
    * ``"momentum"``: the velocity form (equation ``eq-momentum``),
      :math:`v \leftarrow \mu v - \eta\,\mathbf g`,
      :math:`\theta \leftarrow \theta + v`, with :math:`v = 0` at the start;
    * ``"nesterov"``: scikit-learn's Nesterov momentum (equation
      ``eq-nesterov``), the same velocity, then
      :math:`\theta \leftarrow \theta + \mu v - \eta\,\mathbf g` with
      the new :math:`v` (the gradient is taken at :math:`\theta`, not at a
      look-ahead point);
    * ``"adam"`` (equation ``eq-adam``), with :math:`t` the number of
      updates so far (counted per batch, from 1):
      :math:`m \leftarrow \beta_1 m + (1-\beta_1)\mathbf g`,
      :math:`v \leftarrow \beta_2 v + (1-\beta_2)\,\mathbf g \odot \mathbf g`,
      :math:`\theta \leftarrow \theta - \eta_t\, m \oslash (\sqrt v + \epsilon)`,
      :math:`\eta_t = \eta\sqrt{1-\beta_2^t}/(1-\beta_1^t)`: the bias
      corrections folded into the step size, and :math:`\epsilon` added to
      :math:`\sqrt v` (not to the bias-corrected :math:`\sqrt{\hat v}`),
      as in scikit-learn and in Kingma and Ba's "efficient version".

    The state (velocity, moments, :math:`t`) starts at 0 in every call. The
    arguments are validated once; the loop then runs on unchecked internals
    and updates its own copy of the parameters in place, so the caller's
    ``params`` are never modified.

    Parameters
    ----------
    params : dict
        Initial parameters.
    X : array_like of shape (m, n_0)
    Y : array_like of shape (m, n_L); (m,) accepted when n_L = 1
        For ``cross_entropy``, one-hot rows (:func:`nncalc.one_hot`).
    epochs : int >= 1
    lr : float > 0
        Learning rate :math:`\eta` (for Adam, the step size before the
        bias correction).
    loss : {"mse", "bce", "cross_entropy"}, default "mse"
    hidden : {"sigmoid", "tanh", "relu", "identity"}, default "sigmoid"
    output : {"sigmoid", "tanh", "relu", "identity", "softmax"}, default "identity"
        ``"softmax"`` needs n_L >= 2; with ``loss="cross_entropy"`` it is
        scikit-learn's multi-class classifier.
    batch_size : int >= 1 or None, default None
        Examples per update; None (or any value >= m) means the full batch.
    alpha : float >= 0, default 0
        L2 regularisation strength (see :func:`l2_penalty`).
    callback : callable or None
        Called as ``callback(epoch, params, loss)`` after every epoch with
        the epoch's index, a copy of the current parameters and the epoch's
        loss; use it to record snapshots.
    optimizer : {"sgd", "momentum", "nesterov", "adam"}, default "sgd"
    momentum : float in [0, 1], default 0.9
        :math:`\mu`, used by ``"momentum"`` and ``"nesterov"`` only (and
        ignored by the others).
    beta_1, beta_2 : float in [0, 1), defaults 0.9 and 0.999
        Adam's decay rates of the first and second moments; ignored by the
        other optimisers.
    epsilon : float > 0, default 1e-8
        Adam's :math:`\epsilon`; ignored by the other optimisers.
    validation : (X_val, Y_val) or None, default None
        Held-out data, never trained on: its loss is recorded after every
        epoch (``History.val_loss``, ``best_epoch``, ``best_params``). Same
        column counts and target rules as ``X`` and ``Y``.

    Returns
    -------
    History
        ``history.params`` (final parameters), ``history.loss`` (one value
        per epoch) and, with ``validation``, ``val_loss``, ``best_epoch``
        and ``best_params``.

    Warns
    -----
    RuntimeWarning
        When the loss or the parameters overflow to infinity or NaN, which
        happens when the learning rate is too large: training stops at that
        epoch, ``history.diverged`` is True and the warning says which epoch.
        NumPy's own overflow warnings are suppressed inside the loop, so this
        is the only message.
    """
    params = check_params(params)
    check_loss(loss)
    check_activation(hidden, "hidden")
    check_output_activation(output, "output")
    n_in, n_out = params["W1"].shape[1], params[f"W{len(params) // 2}"].shape[0]
    check_softmax_width(output, n_out)
    X = check_inputs(X, n_in, "X")
    Y = check_targets(Y, (X.shape[0], n_out), "Y")
    check_loss_targets(Y, loss, "Y")
    epochs = check_positive_int(epochs, "epochs")
    lr = check_positive_number(lr, "lr")
    alpha = check_nonnegative_number(alpha, "alpha")
    m = X.shape[0]
    batch = m if batch_size is None else min(check_positive_int(batch_size, "batch_size"), m)
    if callback is not None and not callable(callback):
        raise TypeError(f"callback: expected a callable or None, got {describe(callback)}")
    optimizer = check_name(optimizer, "optimizer", OPTIMIZER_NAMES)
    momentum = check_unit_interval(momentum, "momentum", closed_right=True)
    beta_1 = check_unit_interval(beta_1, "beta_1")
    beta_2 = check_unit_interval(beta_2, "beta_2")
    epsilon = check_positive_number(epsilon, "epsilon")
    validation = _check_validation(validation, n_in, n_out, loss)

    # Every parameter lives in one flat vector theta (ours to update in place;
    # the network works on views of it) and the gradients are written into one
    # flat g, so the optimiser updates the whole network in a few NumPy calls.
    size, layout = _flat_layout(params)
    theta, g = np.empty(size), np.empty(size)
    live, g_views = _unflatten(theta, layout), _unflatten(g, layout)
    for k, v in params.items():
        live[k][...] = v
    n_weights = sum(live[k].size for k in live if k[0] == "W")
    weights = theta[:n_weights]            # the block the L2 penalty acts on
    step = _Optimizer(optimizer, theta.size, lr, momentum, beta_1, beta_2, epsilon).step
    loss_fn = losses._LOSSES[loss]
    history = np.empty(epochs)
    val_history = best_epoch = best_theta = None
    if validation is not None:
        X_val, Y_val = validation
        val_history = np.empty(epochs)
        best_theta = theta.copy()
    passes = _BatchPasses(live, g_views, hidden, output, loss, alpha)
    forward_into, backward_into = passes.forward_into, passes.backward_into
    batches = []                           # views of X and Y, each with its arrays
    for s in range(0, m, batch):
        Xb, Yb = X[s:s + batch], Y[s:s + batch]
        batches.append((Xb, Yb, Xb.shape[0], passes.work(Xb.shape[0])))

    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        for epoch in range(epochs):
            total = 0.0
            for Xb, Yb, mb, work in batches:
                y_hat = forward_into(Xb, work)
                batch_loss = loss_fn(y_hat, Yb, work[1])
                if alpha:                                       # eq-l2
                    batch_loss += 0.5 * alpha * float(np.vdot(weights, weights)) / mb
                total += batch_loss * mb
                backward_into(Xb, Yb, work)      # the gradient, into g
                step(theta, g)
            history[epoch] = total / m
            # the sum of an array is finite only if every entry is: one cheap pass
            # (np.add.reduce is np.sum without its Python-level dispatch)
            diverged = not (math.isfinite(total) and math.isfinite(np.add.reduce(theta)))
            if validation is not None:
                if diverged:
                    val_history[epoch] = np.nan
                else:
                    y_val = _forward(live, X_val, hidden, output, keep_z=False)[0]
                    val_history[epoch] = loss_fn(y_val, Y_val)
                    if best_epoch is None or val_history[epoch] < val_history[best_epoch]:
                        best_epoch = epoch
                        best_theta[...] = theta
            if diverged:
                warnings.warn(
                    f"training diverged at epoch {epoch}: the loss or the parameters are "
                    f"no longer finite numbers; try a smaller learning rate than lr={lr:g}",
                    RuntimeWarning, stacklevel=2)
                return _history(theta, layout, history[:epoch + 1], True, val_history,
                                best_epoch, best_theta)
            if callback is not None:
                callback(epoch, _unflatten(theta, layout, copy=True), history[epoch])
    return _history(theta, layout, history, False, val_history, best_epoch, best_theta)


def _history(theta, layout, loss, diverged, val_loss, best_epoch, best_theta):
    params = _unflatten(theta, layout, copy=True)
    if val_loss is None:
        return History(params=params, loss=loss, diverged=diverged)
    best = None if best_epoch is None else _unflatten(best_theta, layout, copy=True)
    return History(params=params, loss=loss, diverged=diverged,
                   val_loss=val_loss[:len(loss)], best_epoch=best_epoch, best_params=best)
