r"""Scalar reverse-mode automatic differentiation: the chain-rule tree as code.

A :class:`Value` is one node of a computational graph: a number, the
operation that computed it and, for each of its parents :math:`p`, the
local derivative :math:`\partial v/\partial p` of that one step. Arithmetic
on Values computes the numbers and records the graph as it goes (the
forward sweep). :meth:`Value.backward`, called on the output :math:`L`,
then walks the graph once in reverse order and leaves in every node's
``.grad`` its **adjoint**

.. math:: \bar v = \frac{\partial L}{\partial v}.

Starting from :math:`\bar L = 1`, each node passes its adjoint to its
parents, multiplied by the local derivative of the edge between them, and
each parent *adds up* what all of its children send it,

.. math:: \bar p = \sum_{v\,:\;p\,\in\,\mathrm{parents}(v)} \bar v\,
          \frac{\partial v}{\partial p},

which is reverse mode, equation ``eq-chain-reverse-mode`` of the chapter
*The chain rule*. That sum is the multivariable chain rule, equation
``eq-chain-multi``, a sum over paths: every path from :math:`p` to
:math:`L` leaves :math:`p` along one of its edges. This is why a parent
used twice (``x * x``, ``x - x``) or a sub-expression shared by several
nodes must accumulate into ``.grad``, never overwrite it. (Forward mode,
``eq-chain-forward-mode``, carries tangents :math:`\dot v = \partial
v/\partial\theta` for one input :math:`\theta` instead; reverse mode gives
the derivatives with respect to all inputs in one sweep.)

For a node holding a vector :math:`\mathbf v` computed from a vector
:math:`\mathbf p`, the same step is a **vector-Jacobian product**: with the
Jacobian :math:`J = \partial\mathbf v/\partial\mathbf p`, the parent receives
:math:`\bar{\mathbf v}^\top J`, that is :math:`\bar{\mathbf p} \mathrel{+}=
J^\top\bar{\mathbf v}`. This module is scalar on purpose, so that every
edge carries one number, in the spirit of Karpathy's micrograd;
:func:`nncalc.backward` does the same sweep one layer, one vector-Jacobian
product, at a time.

>>> from nncalc.autodiff import Value
>>> x, y = Value(0.5, label="x"), Value(2.0, label="y")
>>> f = x * y + x
>>> f.backward()
>>> x.grad, y.grad          # (y + 1, x)
(3.0, 0.5)
"""

from __future__ import annotations

import math
import numbers

from ._validation import describe

__all__ = ["Value"]

_NO_VALUE_EXPONENT = (
    "exponent: expected a real number, got a Value (only number exponents are "
    "supported; for x > 0 write x ** y as (y * x.log()).exp())"
)


def _real(value, name, expected="a real number"):
    """``value`` as a float: a finite real number (a bool is refused)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        hint = " (write float(flag) to use a bool as 0 or 1)" if isinstance(value, bool) else ""
        raise TypeError(f"{name}: expected {expected}, got {describe(value)}{hint}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name}: expected a finite number, got {value!r}")
    return value


def _operand(other, op):
    """``other`` as a Value: a Value as it is, a number as a new leaf (a constant)."""
    if isinstance(other, Value):
        return other
    return Value(_real(other, f"other (operand of {op!r})", "a real number or a Value"))


def _exponent(n):
    """The exponent of ``x ** n`` as a float."""
    if isinstance(n, Value):
        raise TypeError(_NO_VALUE_EXPONENT)
    return _real(n, "exponent")


def _power(base, n):
    """``base ** n`` as a float; inf where it overflows or divides by zero."""
    try:
        result = base ** n
    except (OverflowError, ZeroDivisionError):
        return math.inf
    if isinstance(result, complex):
        raise ValueError(
            f"x ** {n:g}: expected x >= 0 for a non-integer exponent, got x = {base!r}")
    return result


def _exp(z):
    """:math:`e^z`; inf where it overflows."""
    try:
        return math.exp(z)
    except OverflowError:
        return math.inf


def _sigmoid(z):
    r""":math:`\sigma(z) = 1/(1 + e^{-z})`, written so that the exponential never overflows."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def _node(data, op, *pairs):
    """The node computed by ``op`` from its ``(parent, local derivative)`` pairs."""
    for what, number in (("result", data), *(("local derivative", d) for _, d in pairs)):
        if not math.isfinite(number):
            at = ", ".join(repr(p.data) for p, _ in pairs)
            raise ValueError(f"{op}: expected a finite {what}, got {number!r} at {at}")
    out = Value(data)
    out.op, out._parents = op, pairs
    return out


class Value:
    r"""A scalar node of a computational graph that can differentiate itself.

    Parameters
    ----------
    data : real number
        The value of the node; finite. ``int``, ``float``, NumPy scalars and
        ``fractions.Fraction`` are accepted; ``bool``, complex numbers,
        strings, arrays and other objects raise ``TypeError``.
    label : str, default ""
        A name for printing and drawing the graph, e.g. ``"w1_11"``.

    Attributes
    ----------
    data : float
        The value computed in the forward sweep.
    grad : float
        The adjoint :math:`\partial L/\partial v` after ``L.backward()``;
        0.0 before.
    label : str
        The name given, or ``""``.
    op : str
        The operation that computed the node (``"+"``, ``"*"``, ``"**2"``,
        ``"exp"``, ...); ``""`` for a leaf.
    _parents : tuple of (Value, float)
        One pair ``(parent, d node / d parent)`` per operand, in order; empty
        for a leaf. A parent used twice appears twice (``x * x`` has
        ``((x, x.data), (x, x.data))``).

    Notes
    -----
    - Operations: ``+``, ``-``, ``*``, ``/``, unary ``-``, ``x ** n`` with a
      number ``n`` (a ``Value`` exponent raises ``TypeError``, and so does
      ``2 ** x``; write it as ``(x * math.log(2)).exp()``), and the methods
      :meth:`exp`, :meth:`log`, :meth:`tanh`, :meth:`sigmoid`, :meth:`relu`,
      :meth:`sin`, :meth:`cos`. A number on either side (``2 * x``,
      ``1 - x``, ``1 / x``, ``sum(values)``) becomes a leaf of the graph.
    - Every value and every local derivative must be a finite number: an
      overflow (``Value(1000).exp()``), a division by zero, ``log`` of a
      number <= 0, a negative number to a non-integer power and an infinite
      derivative (``Value(0.0) ** 0.5``) raise ``ValueError``.
    - ReLU has no derivative at 0; like :func:`nncalc.relu_prime` and
      scikit-learn, :meth:`relu` uses 0 there.
    - Values compare and hash by identity (``==`` is ``is``), so they can be
      kept in sets and dicts; there is no ``<``.

    Examples
    --------
    >>> x = Value(3.0, label="x")
    >>> f = x * x - x / x        # x^2 - 1: the two uses of x add up
    >>> f.backward()
    >>> f.data, x.grad
    (8.0, 6.0)
    """

    __slots__ = ("data", "grad", "label", "op", "_parents")
    __array_ufunc__ = None  # NumPy defers to Value: np.float64(2) * x calls x.__rmul__

    def __init__(self, data, label=""):
        if not isinstance(label, str):
            raise TypeError(f"label: expected a string, got {describe(label)}")
        self.data = _real(data, "data")
        self.grad = 0.0
        self.label = label
        self.op = ""
        self._parents = ()

    def __repr__(self):
        extra = "".join(f", {k}={v!r}" for k, v in (("label", self.label), ("op", self.op)) if v)
        return f"Value(data={self.data!r}, grad={self.grad!r}{extra})"

    # -- arithmetic: value and local derivatives of each elementary step ----------

    def __add__(self, other):
        other = _operand(other, "+")
        return _node(self.data + other.data, "+", (self, 1.0), (other, 1.0))

    def __sub__(self, other):
        other = _operand(other, "-")
        return _node(self.data - other.data, "-", (self, 1.0), (other, -1.0))

    def __mul__(self, other):
        other = _operand(other, "*")
        return _node(self.data * other.data, "*", (self, other.data), (other, self.data))

    def __truediv__(self, other):
        other = _operand(other, "/")
        if other.data == 0:
            raise ValueError(f"divisor: expected a nonzero number, got {other.data!r}")
        q = self.data / other.data  # d(a/b)/da = 1/b,  d(a/b)/db = -a/b^2 = -q/b
        return _node(q, "/", (self, 1.0 / other.data), (other, -q / other.data))

    def __pow__(self, exponent):
        n = _exponent(exponent)
        data = _power(self.data, n)
        local = n * _power(self.data, n - 1) if n != 0 else 0.0  # n x^(n-1); 0 for n = 0
        return _node(data, f"**{n:g}", (self, local))

    def __rpow__(self, base):
        raise TypeError(_NO_VALUE_EXPONENT)

    def __neg__(self):
        return _node(-self.data, "neg", (self, -1.0))

    def __radd__(self, other):
        return _operand(other, "+") + self

    def __rsub__(self, other):
        return _operand(other, "-") - self

    def __rmul__(self, other):
        return _operand(other, "*") * self

    def __rtruediv__(self, other):
        return _operand(other, "/") / self

    # -- functions ------------------------------------------------------------------

    def exp(self):
        r""":math:`e^x`, with :math:`(e^x)' = e^x`."""
        e = _exp(self.data)
        return _node(e, "exp", (self, e))

    def log(self):
        r"""Natural logarithm :math:`\ln x` for :math:`x > 0`, with :math:`(\ln x)' = 1/x`."""
        if self.data <= 0:
            raise ValueError(f"log: expected a positive number, got {self!r}")
        return _node(math.log(self.data), "log", (self, 1.0 / self.data))

    def tanh(self):
        r""":math:`\tanh x`, with :math:`\tanh' = 1 - \tanh^2`."""
        t = math.tanh(self.data)
        return _node(t, "tanh", (self, 1.0 - t * t))

    def sigmoid(self):
        r""":math:`\sigma(x) = 1/(1 + e^{-x})`, with :math:`\sigma' = \sigma(1 - \sigma)`.

        Stable for every finite input: at :math:`x = \pm 10^4` the value is
        1 or 0 and the derivative 0, with no overflow.
        """
        s = _sigmoid(self.data)
        return _node(s, "sigmoid", (self, s * (1.0 - s)))

    def relu(self):
        r""":math:`\max(x, 0)`, with derivative 1 for :math:`x > 0` and 0 otherwise (also at 0)."""
        positive = self.data > 0
        return _node(self.data if positive else 0.0, "relu", (self, float(positive)))

    def sin(self):
        r""":math:`\sin x`, with :math:`\sin' = \cos`."""
        return _node(math.sin(self.data), "sin", (self, math.cos(self.data)))

    def cos(self):
        r""":math:`\cos x`, with :math:`\cos' = -\sin`."""
        return _node(math.cos(self.data), "cos", (self, -math.sin(self.data)))

    # -- the graph and the backward sweep ------------------------------------------

    def topological_order(self):
        """Every node of the graph that ends at this one, each once, parents first.

        An iterative depth-first search, so a graph thousands of nodes deep
        needs no recursion. The order is a valid order of computation (a
        forward sweep in this order finds every parent already computed), but
        not necessarily the order in which the nodes were created.

        Returns
        -------
        list of Value
            Ends with this node; every node comes after all of its parents.
        """
        order, seen, stack = [], set(), [(self, False)]
        while stack:
            node, parents_done = stack.pop()
            if parents_done:
                order.append(node)
            elif node not in seen:
                seen.add(node)
                stack.append((node, True))  # appended after all of its parents
                stack.extend((p, False) for p, _ in reversed(node._parents))
        return order

    def zero_grad(self):
        """Set ``.grad`` to 0 in every node of the graph that ends at this one."""
        for node in self.topological_order():
            node.grad = 0.0

    def backward(self):
        r"""Reverse mode: every node's adjoint :math:`\partial L/\partial v`, :math:`L` = this node.

        Equation ``eq-chain-reverse-mode``. Sets this node's ``.grad`` to 1
        and visits the nodes in reverse topological order, each once and
        after every node that uses it, adding ``local * node.grad`` into
        each parent's ``.grad``.

        The sweep starts afresh: it first sets ``.grad`` to 0 in every node
        of the graph, so calling ``backward()`` twice gives the same
        gradients, and after ``L.backward()`` every node holds
        :math:`\partial L/\partial v` for this ``L`` (unlike micrograd and
        PyTorch, which accumulate across calls). Nodes outside the graph
        are left alone. To differentiate a sum of losses, build the sum as
        one Value and call ``backward`` on it.
        """
        order = self.topological_order()
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            for parent, local in node._parents:
                parent.grad += local * node.grad
