"""Self-checks for the coding exercises.

Each ``check_*`` function calls the reader's implementation on random
inputs, compares the result with the reference implementation in
:mod:`nncalc`, and answers with one friendly sentence: what is right, or
what is most likely wrong (wrong shape, off by a transpose, wrong sign, off
by the :math:`1/m` of the mean, ...).

The answer is a :class:`CheckResult`: it is truthy when the implementation
is right and shows its sentence when it is the last line of a notebook
cell::

    nc.checks.check_sigmoid_prime(my_sigmoid_prime)
    # ✓ Correct: my_sigmoid_prime matches σ'(z) = σ(z)(1 − σ(z)) on 3 tests.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import numpy as np

from . import activations as act
from . import losses, network
from ._validation import check_activation, check_layer_sizes, check_loss, describe

__all__ = [
    "CheckResult",
    "check_sigmoid_prime",
    "check_mse_grad",
    "check_bce_grad",
    "check_weight_grad",
    "check_backward",
    "check_sgd_step",
    "check_softmax",
    "check_softmax_ce_delta",
]

_RTOL, _ATOL = 1e-6, 1e-9


@dataclass(frozen=True)
class CheckResult:
    """The verdict of a check: ``ok`` and a one-sentence ``message``."""

    ok: bool
    message: str

    def __bool__(self):
        return self.ok

    def __repr__(self):
        # wrapped to fit a notebook's output box and the PDF's page width
        return textwrap.fill(self.message, width=78, subsequent_indent="  ")

    def __str__(self):
        return repr(self)


def _name(fn):
    name = getattr(fn, "__name__", "<lambda>")
    return "your function" if name.startswith("<") else name


def _fail(fn, what):
    return CheckResult(False, f"✗ Not yet: {_name(fn)} {what}")


def _close(a, b):
    return a.shape == b.shape and np.allclose(a, b, rtol=_RTOL, atol=_ATOL)


def _diagnose(got, expected, factors=(), shape_of="the gradient has the shape of the parameter"):
    """Why ``got`` differs from ``expected``; None when they agree.

    ``factors`` is a sequence of ``(factor, explanation)``: when ``got`` equals
    ``factor * expected`` the explanation is returned. ``shape_of`` says,
    for a transposed result, what fixes the right shape.
    """
    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return f"returned {describe(got)}, not an array of numbers"
    if got.shape != expected.shape:
        if got.size == expected.size and got.ndim == expected.ndim == 2 \
                and got.shape == expected.T.shape and _close(got, expected.T):
            return (f"is off by a transpose: it returned shape {got.shape}, {shape_of}, "
                    f"{expected.shape}")
        if got.size == expected.size and _close(got.reshape(expected.shape), expected):
            return (f"has the right numbers in the wrong shape: {got.shape} instead of "
                    f"{expected.shape}")
        return f"returned shape {got.shape}, expected {expected.shape}"
    if not np.all(np.isfinite(got)):
        return "returned NaN or infinite values"
    if _close(got, expected):
        return None
    if _close(got, -expected):
        return "has the wrong sign: its result is minus the right one"
    for factor, explanation in factors:
        if _close(got, factor * expected):
            return explanation
    worst = np.unravel_index(np.argmax(np.abs(got - expected)), got.shape)
    return (f"gives a different result: at index {tuple(int(i) for i in worst)} it returned "
            f"{got[worst]:.6g} where {expected[worst]:.6g} is right")


def _call(fn, *args):
    try:
        return fn(*args), None
    except Exception as exc:  # the reader's code may raise anything
        return None, f"raised {type(exc).__name__}: {exc}"


def _require_callable(fn, name):
    if not callable(fn):
        raise TypeError(f"{name}: expected a function, got {describe(fn)}")


def check_sigmoid_prime(fn):
    r"""Check a reader's :math:`\sigma'(z)` on scalars, vectors and matrices.

    Parameters
    ----------
    fn : callable
        ``fn(z) -> array`` of the shape of ``z``.

    Returns
    -------
    CheckResult
    """
    _require_callable(fn, "fn")
    rng = np.random.default_rng(0)
    tests = [np.array(0.7), rng.normal(size=5) * 3, rng.normal(size=(3, 4)) * 3]
    for z in tests:
        got, error = _call(fn, z.copy())
        if error:
            return _fail(fn, f"{error} on an input of shape {z.shape}")
        s = act.sigmoid(z)
        known_mistakes = [
            (s, "returns σ(z) itself; the derivative is σ(z)(1 − σ(z))"),
            (1 - s, "returns 1 − σ(z); multiply it by σ(z)"),
            (z * (1 - z), "applies the formula to z: σ'(z) = σ(z)(1 − σ(z)), with σ(z) in "
                          "place of z"),
        ]
        try:
            got_arr = np.asarray(got, dtype=np.float64)
        except (TypeError, ValueError):
            got_arr = None
        for wrong, explanation in known_mistakes:
            if got_arr is not None and _close(got_arr, np.asarray(wrong)):
                return _fail(fn, explanation)
        problem = _diagnose(got, np.asarray(s * (1 - s)))
        if problem:
            return _fail(fn, f"{problem} (input of shape {z.shape})")
    return CheckResult(True, f"✓ Correct: {_name(fn)} matches σ'(z) = σ(z)(1 − σ(z)) "
                             f"on {len(tests)} tests (a scalar, a vector, a matrix).")


def _check_loss_grad(fn, loss, formula):
    rng = np.random.default_rng(1)
    m, n = 5, 2
    if loss == "mse":
        y_hat, Y = rng.normal(size=(m, n)), rng.normal(size=(m, n))
    else:
        y_hat, Y = rng.uniform(0.05, 0.95, (m, n)), rng.integers(0, 2, (m, n)).astype(float)
    got, error = _call(fn, y_hat.copy(), Y.copy())
    if error:
        return _fail(fn, error)
    expected = losses.mse_prime(y_hat, Y) if loss == "mse" else losses.bce_prime(y_hat, Y)
    factors = [
        (float(m), f"is {m} times too large: the loss is a mean, so divide by m = {m}"),
        (1.0 / m, f"is {m} times too small: divide by m = {m} only once"),
        (2.0, "is twice too large: the ½ in the squared error cancels the 2 of the derivative"),
        (0.5, "is half the right value: the derivative of (ŷ − y)² is 2(ŷ − y)"),
    ]
    problem = _diagnose(got, expected, factors)
    if problem:
        return _fail(fn, problem)
    return CheckResult(True, f"✓ Correct: {_name(fn)} matches {formula} on a batch of "
                             f"{m} examples with {n} outputs.")


def check_mse_grad(fn):
    r"""Check a reader's :math:`\partial\mathcal L/\partial\hat Y` for the squared error.

    ``fn(y_hat, Y)`` gets arrays of shape ``(m, n_L)`` and must return
    :math:`(\hat Y - Y)/m` (equation ``eq-mse-grad``).

    Returns
    -------
    CheckResult
    """
    _require_callable(fn, "fn")
    return _check_loss_grad(fn, "mse", "∂L/∂ŷ = (ŷ − y)/m")


def check_bce_grad(fn):
    r"""Check a reader's :math:`\partial\mathcal L/\partial\hat Y` for cross-entropy.

    ``fn(y_hat, Y)`` gets probabilities in (0, 1) and labels 0/1 of shape
    ``(m, n_L)`` and must return :math:`\frac1m(\hat Y - Y)/(\hat Y(1-\hat Y))`
    (equation ``eq-bce-grad``).

    Returns
    -------
    CheckResult
    """
    _require_callable(fn, "fn")
    return _check_loss_grad(fn, "bce", "∂L/∂ŷ = (ŷ − y)/(m ŷ(1 − ŷ))")


def check_weight_grad(fn):
    r"""Check a reader's :math:`\partial\mathcal L/\partial\mW = \mDelta\T\mA` for a batch.

    ``fn(Delta, A_prev)`` gets :math:`\mDelta^{(l)}` of shape ``(m, n_l)``
    and :math:`\mA^{(l-1)}` of shape ``(m, n_{l-1})`` and must return the
    weight gradient, of shape ``(n_l, n_{l-1})`` like :math:`\mW^{(l)}`
    (equation ``eq-bp4``).

    Returns
    -------
    CheckResult
    """
    _require_callable(fn, "fn")
    rng = np.random.default_rng(2)
    m, n_l, n_prev = 5, 3, 2
    Delta, A_prev = rng.normal(size=(m, n_l)), rng.normal(size=(m, n_prev))
    got, error = _call(fn, Delta.copy(), A_prev.copy())
    if error:
        return _fail(fn, error)
    expected = Delta.T @ A_prev
    problem = _diagnose(got, expected, factors=[
        (1.0 / m, f"is {m} times too small: Δ already holds the 1/m of the mean"),
        (float(m), f"is {m} times too large"),
    ])
    if problem:
        return _fail(fn, problem)
    return CheckResult(True, f"✓ Correct: {_name(fn)} returns Δᵀ A of shape ({n_l}, {n_prev}), "
                             "the shape of W.")


def check_backward(fn, layer_sizes=(2, 2, 1), hidden="sigmoid", output="identity", loss="mse"):
    r"""Check a reader's backpropagation against :func:`nncalc.backward`.

    ``fn(params, cache, Y)`` gets the parameters, the cache of
    :func:`nncalc.forward` (keys ``"A0"``, ``"Z1"``, ``"A1"``, ...) and the
    targets, and must return a dict of gradients with the keys and shapes of
    ``params``. The check uses a random batch of 5 examples.

    Parameters
    ----------
    fn : callable
    layer_sizes : sequence of int, default (2, 2, 1)
    hidden, output : activation names, defaults "sigmoid" and "identity"
    loss : {"mse", "bce"}, default "mse"

    Returns
    -------
    CheckResult
    """
    _require_callable(fn, "fn")
    sizes = check_layer_sizes(layer_sizes)
    check_activation(hidden, "hidden")
    check_activation(output, "output")
    check_loss(loss)
    rng = np.random.default_rng(3)
    m = 5
    params = network.init_params(sizes, seed=3)
    params = {k: v + 0.1 * rng.normal(size=v.shape) for k, v in params.items()}
    X = rng.normal(size=(m, sizes[0]))
    Y = rng.integers(0, 2, (m, sizes[-1])).astype(float) if loss == "bce" \
        else rng.normal(size=(m, sizes[-1]))
    _, cache = network.forward(params, X, hidden=hidden, output=output)
    reference = network.backward(params, cache, Y, loss=loss)
    frozen = {k: v.copy() for k, v in params.items()}
    got, error = _call(fn, params, dict(cache), Y.copy())
    if error:
        return _fail(fn, error)
    if not isinstance(got, dict):
        return _fail(fn, f"returned {describe(got)}; expected a dict with keys {sorted(params)}")
    missing = [k for k in params if k not in got]
    if missing:
        return _fail(fn, f"returned no gradient for {', '.join(missing)}")
    if any(not np.array_equal(params[k], frozen[k]) for k in params):
        return _fail(fn, "modified params; compute the gradients without changing the parameters")
    # report the first wrong key, from the output layer backwards (where errors start)
    L = len(sizes) - 1
    for l in range(L, 0, -1):
        for key in (f"W{l}", f"b{l}"):
            problem = _diagnose(got[key], reference[key], factors=[
                (float(m), f"is {m} times too large: the loss is a mean over the m = {m} examples"),
                (1.0 / m, f"is {m} times too small: divide by m = {m} only once"),
            ])
            if problem:
                later = " (the later layers are right, so look at how δ is passed back)" \
                    if l < L else ""
                return _fail(fn, f"is wrong for {key}: it {problem}{later}")
    return CheckResult(True, f"✓ Correct: {_name(fn)} matches nncalc.backward for every "
                             f"parameter of a {'-'.join(map(str, sizes))} network "
                             f"({hidden} hidden, {output} output, {loss}).")


def check_sgd_step(fn):
    r"""Check a reader's gradient-descent update :math:`\theta - \eta\,\partial\mathcal L/\partial\theta`.

    ``fn(params, grads, lr)`` must return new parameters and leave ``params``
    unchanged (equation ``eq-sgd-update``).

    Returns
    -------
    CheckResult
    """
    _require_callable(fn, "fn")
    rng = np.random.default_rng(4)
    params = network.init_params([2, 3, 1], seed=4)
    grads = {k: rng.normal(size=v.shape) for k, v in params.items()}
    frozen = {k: v.copy() for k, v in params.items()}
    lr = 0.3
    got, error = _call(fn, params, grads, lr)
    if error:
        return _fail(fn, error)
    if any(not np.array_equal(params[k], frozen[k]) for k in params):
        return _fail(fn, "changed the params it was given; return a new dict instead")
    if not isinstance(got, dict) or set(got) != set(params):
        return _fail(fn, f"returned {describe(got)}; expected a dict with keys {sorted(params)}")
    for key in params:
        step = np.asarray(got[key], dtype=float) - frozen[key] if np.shape(got[key]) == \
            frozen[key].shape else got[key]
        problem = _diagnose(step, -lr * grads[key], factors=[
            (1.0 / lr, "ignores the learning rate: the step is η times the gradient"),
        ])
        if problem:
            if "wrong sign" in problem:
                problem = "moves uphill: subtract the gradient, do not add it"
            return _fail(fn, f"is wrong for {key}: the change it makes {problem}")
    return CheckResult(True, f"✓ Correct: {_name(fn)} takes one step θ − η ∂L/∂θ and leaves "
                             "the old parameters unchanged.")


# -- many classes ----------------------------------------------------------------------

def _softmax_columns(Z):
    """The softmax taken down the columns (over the examples): a known mistake."""
    E = np.exp(Z - Z.max(axis=0, keepdims=True))
    return E / E.sum(axis=0, keepdims=True)


def _softmax_cases():
    rng = np.random.default_rng(5)
    return [
        ("a batch of 5 examples with 4 classes", rng.normal(size=(5, 4)) * 2),
        # the last two rows spread so widely that only each row's largest logit is a safe
        # shift: their mean (or the batch's largest logit) leaves an exponent above 709
        ("logits of size 1000", np.array([[1000.0, 990.0, -1000.0], [-1000.0, -999.0, -1005.0],
                                          [800.0, 800.0, 800.0], [1000.0, -1000.0, -1000.0],
                                          [750.0, 0.0, -750.0]])),
    ]


def _overflowed(got):
    try:
        arr = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return arr.size > 0 and not np.all(np.isfinite(arr))


_STABILITY_HINT = ("returns NaN or infinite values for logits of size 1000: e^z overflows for "
                   "z above about 709 and underflows to 0 below about −745; subtract each row's "
                   "largest logit before exp (the softmax does not change, every exponent is "
                   "then at most 0, and the largest term is e^0 = 1)")

_UNDERFLOW_HINT = ("returns NaN for logits of size 1000: a probability underflowed to 0 and was "
                   "divided into (−Y/P), which gives 0/0; simplify Jᵀp̄ to (P − Y)/m, which "
                   "divides by nothing")

_GUARDED_UNDERFLOW_HINT = ("is wrong for logits of size 1000 only in rows where a probability "
                           "underflowed to 0: dividing by it (−Y/P) loses the answer, however the "
                           "0 is guarded; simplify Jᵀp̄ to (P − Y)/m, which divides by nothing")


def _divided_by_underflow(got, P):
    """Whether ``got`` is NaN because of a division by probabilities that underflowed.

    True when the reference ``P`` has exact zeros, ``got`` is non-finite at every
    one of them, and every row of ``got`` with a non-finite entry has such a zero:
    the vector-Jacobian product J^T(-Y/P) with a stable softmax. An unstable
    softmax is non-finite in rows without a zero, or finite at the zeros.
    """
    try:
        arr = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    if arr.shape != P.shape:
        return False
    bad, zero = ~np.isfinite(arr), P == 0
    return bool(zero.any() and bad[zero].all() and zero.any(axis=1)[bad.any(axis=1)].all())


def check_softmax(fn):
    r"""Check a reader's row-wise softmax (equation ``eq-softmax``).

    ``fn(Z)`` gets logits of shape ``(m, K)``, one example per row, and must
    return the probabilities :math:`p_{ik} = e^{z_{ik}}/\sum_j e^{z_{ij}}` of the
    same shape, each row summing to 1. The second test has logits of size
    1000, which a softmax turns into NaN unless it subtracts each row's own
    maximum first (subtracting the row's mean or the batch's maximum is not
    enough).

    Returns
    -------
    CheckResult
    """
    _require_callable(fn, "fn")
    for what, Z in _softmax_cases():
        with np.errstate(all="ignore"):     # the reader's overflow is diagnosed below
            got, error = _call(fn, Z.copy())
        if error:
            return _fail(fn, f"{error} on {what}")
        if _overflowed(got):
            return _fail(fn, _STABILITY_HINT)
        expected = act.softmax(Z)
        try:
            arr = np.asarray(got, dtype=np.float64)
        except (TypeError, ValueError):
            arr = None
        if arr is not None and arr.shape == Z.shape:
            with np.errstate(over="ignore", invalid="ignore"):
                known = [
                    (_softmax_columns(Z), "normalises each column (over the examples); "
                                          "the softmax normalises each row, over its K classes: "
                                          "sum with axis=1"),
                    (np.exp(Z - Z.max()) / np.exp(Z - Z.max()).sum(),
                     "normalises over the whole batch; each row (one example) must sum to 1 on "
                     "its own: sum with axis=1, keepdims=True"),
                    (act.sigmoid(Z), "applies the sigmoid to each logit; the softmax divides "
                                     "e^z by the sum of e^z over the row"),
                    (np.exp(Z), "does not normalise: divide each row by its sum"),
                    (np.exp(Z - Z.max(axis=1, keepdims=True)),
                     "does not normalise: divide each row by its sum"),
                ]
            for wrong, explanation in known:
                if np.all(np.isfinite(wrong)) and _close(arr, wrong):
                    return _fail(fn, explanation)
        problem = _diagnose(got, expected, shape_of="the probabilities have the shape of Z")
        if problem:
            return _fail(fn, f"{problem} (on {what})")
    return CheckResult(True, f"✓ Correct: {_name(fn)} returns the row-wise softmax, and stays "
                             "finite for logits of size 1000.")


def check_softmax_ce_delta(fn):
    r"""Check a reader's output error for a softmax output with cross-entropy.

    ``fn(Z, Y)`` gets the logits :math:`Z^{(L)}` of shape ``(m, K)`` and
    one-hot targets ``Y`` of the same shape and must return
    :math:`\Delta^{(L)} = \partial\mathcal L/\partial Z^{(L)} = (P - Y)/m`
    with :math:`P = \operatorname{softmax}(Z^{(L)})` row by row (equation
    ``eq-softmax-ce-delta``). It is called on a batch of 5 examples with 4
    classes and on logits of size 1000.

    Returns
    -------
    CheckResult
    """
    _require_callable(fn, "fn")
    rng = np.random.default_rng(6)
    for what, Z in _softmax_cases():
        m, K = Z.shape
        Y = np.eye(K)[rng.integers(0, K, m)]
        with np.errstate(all="ignore"):     # the reader's overflow is diagnosed below
            got, error = _call(fn, Z.copy(), Y.copy())
        if error:
            return _fail(fn, f"{error} on {what}")
        P = act.softmax(Z)
        if _overflowed(got):
            return _fail(fn, _UNDERFLOW_HINT if _divided_by_underflow(got, P)
                         else _STABILITY_HINT)
        expected = (P - Y) / m
        try:
            arr = np.asarray(got, dtype=np.float64)
        except (TypeError, ValueError):
            arr = None
        if arr is not None and arr.shape == Z.shape:
            G = losses.cross_entropy_prime(P, Y)
            known = [
                ((Z - Y) / m, "forgot the softmax: subtract Y from the probabilities "
                              "P = softmax(Z), not from the logits Z"),
                ((_softmax_columns(Z) - Y) / m, "takes the softmax down the columns (over the "
                                               "examples); it normalises each row, over its "
                                               "K classes"),
                (P / m, "forgot to subtract the targets: Δ = (P − Y)/m"),
                (G, "returns ∂L/∂P; Δ = ∂L/∂Z needs the softmax Jacobian too, and the "
                    "product simplifies to (P − Y)/m"),
                (G * P * (1 - P), "uses only the diagonal of the softmax Jacobian, "
                                  "p_k(1 − p_k); its off-diagonal entries −p_j p_k count too, "
                                  "and with them Δ = (P − Y)/m"),
                (expected / K, f"is {K} times too small: divide by m, not by m·K (the loss "
                               "sums over the classes and averages over the examples)"),
            ]
            for wrong, explanation in known:
                if _close(arr, wrong):
                    return _fail(fn, explanation)
            # J^T(-Y/P) with the division guarded (a floor under P, nan_to_num): right
            # except in the rows where P has an exact 0
            if np.all(np.isfinite(arr)):
                wrong_rows = ~np.isclose(arr, expected, rtol=_RTOL, atol=_ATOL).all(axis=1)
                if wrong_rows.any() and (P == 0).any(axis=1)[wrong_rows].all():
                    return _fail(fn, _GUARDED_UNDERFLOW_HINT)
        problem = _diagnose(got, expected, factors=[
            (float(m), f"is {m} times too large: the loss is a mean, so divide by m = {m}"),
            (1.0 / m, f"is {m} times too small: divide by m = {m} only once"),
        ], shape_of="Δ has the shape of Z")
        if problem:
            return _fail(fn, f"{problem} (on {what})")
    return CheckResult(True, f"✓ Correct: {_name(fn)} returns Δ = (softmax(Z) − Y)/m, also "
                             "for logits of size 1000.")
