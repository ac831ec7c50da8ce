"""How far a bare ``\\log`` reaches in the LaTeX reader (:mod:`vi_sym.frontends.latex`).

``\\log 2\\pi\\sigma^2`` is log(2πσ²), as the typeset formula is read (``\\sin 2x`` is sin 2x):
the numbers and symbols written right after a bare ``\\log`` or ``\\ln``, side by side, are its
argument.  A density, a bracket, ``\\cdot``/``\\times``/``*``, a fraction or an operator ends it:
``\\log p(x|z) p(z)`` stays log p(x|z) · p(z), ``\\log(2)\\pi`` and ``\\log 2 \\cdot \\pi`` stay
log 2 · π -- but a log of a number alone also takes the bracket or sum written after it:
``\\log \\frac{1}{2}\\left(a + b\\right)`` is log((a + b)/2) and the importance-weighted bound's
``\\log \\frac{1}{K}\\sum_{k=1}^{K} w_k`` the log of the average (a number in front of a bracket is
a factor of it, never a log of its own).  The parse tree is rewritten before it is built (juxtaposition is ``jmul``, a
bracketed argument ``pfunc``), so the grammar itself stays LALR."""
from __future__ import annotations

from lark import Tree

__all__ = ["log_takes_product"]

_LOGS = ("\\log", "\\ln")
_ATOMS = ("number", "var", "var_idx", "var_pow_idx", "pi")     # var_idx: \sigma_j inside a sum


def _simple(t) -> bool:
    """A number or a symbol, possibly raised to a power (σ², 2^k)."""
    if not isinstance(t, Tree):
        return False
    return t.data in _ATOMS or (t.data == "pow" and _simple(t.children[0]))


def _simple_product(t) -> bool:
    return _simple(t) or (isinstance(t, Tree) and t.data == "jmul" and all(map(_simple_product, t.children)))


def _numeric(t) -> bool:
    """A number: 2, π, ½ written \\frac{1}{2}, 1/K's \\frac{1}{K} is not (K is a symbol)."""
    if not isinstance(t, Tree):
        return False
    if t.data in ("number", "pi"):
        return True
    if t.data == "frac":
        return all(map(_numeric, t.children[1:]))
    return t.data in ("pow", "jmul") and all(map(_numeric, t.children))


def _count(t) -> bool:
    """A number or a count over it: 2, \\frac{1}{2}, \\frac{1}{K} (what stands before the average)."""
    if isinstance(t, Tree) and t.data == "frac":
        return _numeric(t.children[1]) and _simple_product(t.children[2])
    return _numeric(t)


#: what a bracket or a sum leaves in the tree: a bracket is no node of its own, so a sum or a
#: difference right of a juxtaposition was written in brackets
_GROUPED = ("add", "sub", "bigsum")


def _bare_log(t, arg_ok=_simple_product) -> bool:
    return (isinstance(t, Tree) and t.data == "func" and str(t.children[0]) in _LOGS
            and arg_ok(t.children[1]))


def _into_log(left, right, arg_ok=_simple_product):
    """``left · right`` with ``right`` taken into a bare log at the right end of ``left`` (whose
    argument ``arg_ok`` accepts), or None."""
    if _bare_log(left, arg_ok):
        f, arg = left.children
        return Tree("func", [f, Tree("jmul", [arg, right], _meta(arg))], _meta(left))
    if isinstance(left, Tree) and left.data == "jmul":
        inner = _into_log(left.children[1], right, arg_ok)
        if inner is not None:
            return Tree("jmul", [left.children[0], inner], _meta(left))
    return None


def _meta(t):
    """A node's position (line, column), kept by the node that replaces it."""
    return t._meta if isinstance(t, Tree) else None


def log_takes_product(t):
    """The parse tree ``t`` with every number or symbol written right after a bare log (and
    after those) taken into its argument."""
    if not isinstance(t, Tree):
        return t
    t = Tree(t.data, [log_takes_product(c) for c in t.children], _meta(t))
    if t.data == "jmul" and _simple(t.children[1]):
        new = _into_log(t.children[0], t.children[1])
        if new is not None:
            new._meta = _meta(t)       # the whole product's position
            return new
    if t.data == "jmul" and isinstance(t.children[1], Tree) and t.children[1].data in _GROUPED:
        new = _into_log(t.children[0], t.children[1], _count)     # \log \frac{1}{2}(a + b)
        if new is not None:
            new._meta = _meta(t)
            return new
    return t
