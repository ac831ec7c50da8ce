"""How far a bare ``\\log`` reaches in the LaTeX reader (:mod:`vi_sym.frontends.latex`).

``\\log 2\\pi\\sigma^2`` is log(2πσ²), as the typeset formula is read (``\\sin 2x`` is sin 2x):
the numbers and symbols written right after a bare ``\\log`` or ``\\ln``, side by side, are its
argument.  A density, a bracket, ``\\cdot``/``\\times``/``*``, a fraction or an operator ends it:
``\\log p(x|z) p(z)`` stays log p(x|z) · p(z), ``\\log(2)\\pi`` and ``\\log 2 \\cdot \\pi`` stay
log 2 · π.  The parse tree is rewritten before it is built (juxtaposition is ``jmul``, a
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


def _bare_log(t) -> bool:
    return (isinstance(t, Tree) and t.data == "func" and str(t.children[0]) in _LOGS
            and _simple_product(t.children[1]))


def _into_log(left, right):
    """``left · right`` with ``right`` taken into a bare log at the right end of ``left``, or None."""
    if _bare_log(left):
        f, arg = left.children
        return Tree("func", [f, Tree("jmul", [arg, right], _meta(arg))], _meta(left))
    if isinstance(left, Tree) and left.data == "jmul":
        inner = _into_log(left.children[1], right)
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
    return t
