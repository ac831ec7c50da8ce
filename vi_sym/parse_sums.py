"""Sums over an index as plain-text notes write them (the parser's ``bare_calls`` mode only):
``Σ_{n=1}^{N} f``, ``sum_{n=1}^N f``, and ``Σ_n f`` / ``sum_n f`` / ``Σ_{n} f`` without limits; products
``∏_{n=1}^N f`` (read as the letter Π), ``prod_{n=1}^N f`` alike (a sympy ``Product`` over a finite range).

Each is the ``.vi`` file's ``sum(f, (n, 1, N))``: a sympy ``Sum`` built by
:func:`vi_sym.bounds.bounded_sum`.  Its body is the product written after it (``Σ_n a_n b_n + c``
is (Σ_n a_n b_n) + c), as in LaTeX.  Inside it, ``x_n`` (and ``x[n]``) is the n-th point of a
data set the note declares (``iid: X = x[1..N]``: the environment's ``points``) or the n-th
coordinate of a declared vector.  Without limits the range is that of the points or coordinates
the body uses, when they all have one; otherwise it is an error at the sum saying to write the
limits.  The index is bound by its sum and may not be a declared name -- except a latent written
without limits, ``Σ_z q(z) f``: the sum over its values, read as the integral over it.
"""
from __future__ import annotations

from sympy import Indexed, IndexedBase, Integral, Symbol

from .bounds import bounded_product, bounded_sum
from .parse_operators import is_optimum_word, is_variance_word, parse_optimum, parse_variance
from .parse_gradient import is_gradient_word, parse_gradient
from .parse_subscripts import parse_subscripted
from .tokens import ParseError, Token

__all__ = ["is_sum_word", "parse_index_sum", "parse_operator_word"]

_SUM_WORDS = ("Σ", "sum")
_PRODUCT_WORDS = ("Π", "prod")     # a product over the index, read alike (a finite range)
_SUM_BP = 10           # the body stops at a '+' or '-' of this level (the parser's binding power)
_ATOM_BP = 30          # an upper limit written without braces is one atom: Σ_{n=1}^N


def is_sum_word(p, t: Token) -> bool:
    """``Σ_n``, ``sum_k``, or ``Σ_`` / ``sum_`` before ``{``, in a plain-text note."""
    w, env = t.value, p.env
    base, sep, sub = w.partition("_")
    if not env.bare_calls or w in env.variables or w in env.functions or w in env.constants:
        return False
    if w in ("Σ", "Π"):            # written without its index: an error at it (_limits)
        return True
    if not sep or base not in _SUM_WORDS + _PRODUCT_WORDS:
        return False
    return bool(sub) or (p.at("{") and p.peek().start == t.end)


def parse_operator_word(p, t: Token):
    """The parser's hook for a word that starts an operator (``argmax_q …``, ``Σ_n …``), or
    None when ``t`` is no such word."""
    env = p.env
    if is_optimum_word(t.value) and t.value not in env.variables and t.value not in env.functions:
        return parse_optimum(p, t)
    if is_sum_word(p, t):
        return parse_index_sum(p, t)
    if is_variance_word(p, t):
        return parse_variance(p, t)
    if is_gradient_word(t.value) and t.value not in env.variables and t.value not in env.functions:
        return parse_gradient(p, t)
    return parse_subscripted(p, t)


def _limits(p, t: Token):
    """(index token, lower, upper) of ``Σ_n`` (limits None) or ``Σ_{n=1}^{N}``."""
    word, _, sub = t.value.partition("_")
    if word == t.value:
        raise p.error(f"{word} without its index: write {word}_{{n=1}}^{{N}} … or {word}_n … (n over a "
                      "declared data set or vector)", t)
    if sub:
        if not sub.isidentifier() or len(sub) > 2:
            raise p.error(f"'{t.value}': the index of {word} is one letter, e.g. {word}_n", t)
        return Token("id", sub, sub, t.start + len(word) + 1, t.end), None, None
    opener = p.next()
    idx = p.next()
    if idx.kind != "id":
        raise p.unexpected(idx, f"the index of {word}_{{…}}, e.g. {word}_{{n=1}}^{{N}}")
    if p.at("}"):
        p.next()
        return idx, None, None
    if not p.at("="):
        raise p.unexpected(p.peek(), f"'=' and the lower limit: {word}_{{{idx.value}=1}}^{{N}}")
    p.next()
    p.in_bounds += 1
    try:
        lo = p.expr(0)
        p.close("}", opener)
        if not p.at("^"):
            raise p.error(f"{word}_{{{idx.value}=…}} has no upper limit: write {word}_{{{idx.value}=1}}^{{N}}", t)
        p.next()
        if p.at("{"):
            brace = p.next()
            hi = p.expr(0)
            p.close("}", brace)
        else:
            hi = p.expr(_ATOM_BP)
    finally:
        p.in_bounds -= 1
    return idx, lo, hi


def _ranges(env) -> dict:
    """{name: (symbol, lo, hi)} of what an index may run over: data points and vectors."""
    out = {n: (env.variables[n], lo, hi) for n, (lo, hi) in getattr(env, "points", {}).items()
           if n in env.variables}
    out.update(env.indexed)
    return out


def parse_index_sum(p, t: Token):
    """``Σ_{n=1}^{N} f`` / ``Σ_n f`` (the word consumed): a Sum over the index."""
    idx, lo, hi = _limits(p, t)
    env, j = p.env, idx.value
    if lo is None and j in env.latent and j in env.variables:
        # Σ_z over a latent's values (Wikipedia's Σ_Z Q(Z) log(Q(Z)/P(Z|X))): the integral over it,
        # against its counting measure when it is discrete -- as the LaTeX reader reads \sum_{\mathbf{Z}}
        at = p.i
        try:
            return p.apply(t, Integral, p.expr(_SUM_BP), env.variables[j])
        except ParseError:        # a body that takes z for an index (x_z): the error below says so
            p.i = at
    if j in env.variables or j in env.constants or j in env.densities:
        raise p.error(f"'{j}' is the index of this sum, so it is bound here; it is also a declared name "
                      "of the note: choose another letter for the index", idx)
    sym = Symbol(j, integer=True)
    ranges = _ranges(env)
    bound = {j: sym, **{f"{n}_{j}": Indexed(IndexedBase(base), sym) for n, (base, _, _) in ranges.items()}}
    saved = {k: env.variables.get(k) for k in bound}
    env.variables.update(bound)
    try:
        body = p.expr(_SUM_BP)
    finally:
        for k, v in saved.items():
            if v is None:
                env.variables.pop(k, None)
            else:
                env.variables[k] = v
    if lo is None:
        lo, hi = _inferred(p, t, j, sym, body, ranges)
    build = bounded_product if t.value.partition("_")[0] in _PRODUCT_WORDS else bounded_sum
    return p.apply(t, build, body, sym, lo, hi)


def _inferred(p, t: Token, j: str, sym, body, ranges: dict):
    """The range of an index written without limits: that of every point or coordinate the
    body takes at it, when they have one."""
    word = t.value.partition("_")[0]
    by_base = {str(base): (lo, hi) for base, lo, hi in ranges.values()}
    used = {by_base.get(str(a.base.label)) for a in body.atoms(Indexed) if sym in a.indices}
    if len(used) == 1 and None not in used:
        return used.pop()
    why = ("its body takes no declared data point or vector at it" if not used else
           "its body takes data points or vectors of different ranges at it" if None not in used else
           "its body takes at it a name that is no declared data set or vector")
    raise p.error(f"{word}_{j}: the range of {j} is not known ({why}); write its limits, "
                  f"{word}_{{{j}=1}}^{{N}}", t)
