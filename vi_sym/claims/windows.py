"""Integrals over explicit limits in a claim's proof: the window H(z - a) - H(z - b) that
:func:`vi_sym.claims.structure.windowed` puts on the integrand, read back as the interval it
cuts the support to.  Every cut is proved from the parameters' domains (``t`` positive puts
(t, ∞) inside the exponential's (0, ∞)); one that cannot be ordered leaves the claim unproved.
"""
from __future__ import annotations

import sympy

from ..notation import to_unicode
from .structure import NotEvaluable

__all__ = ["window", "windowed_moments"]


def window(t, z, lo, hi):
    """(rest, lo', hi'): ``t = rest · Π H(±(z - a))`` and the support's ends (lo, hi) moved in to
    the window's, each move proved from the parameters' domains (else NotEvaluable)."""
    rest = []
    for f in sympy.Mul.make_args(t):
        if not isinstance(f, sympy.Heaviside):
            rest.append(f)
            continue
        arg = sympy.expand(f.args[0])
        k = arg.coeff(z, 1)
        a = -(arg - k * z) / k if k != 0 else None
        if a is None or a.has(z) or not (k.is_positive or k.is_negative):
            raise NotEvaluable(f"cannot read {f} as a window's end")
        if k.is_positive:
            lo = a if _le(lo, a) else lo if _le(a, lo) else _unordered(lo, a)
        else:
            hi = a if _le(a, hi) else hi if _le(hi, a) else _unordered(a, hi)
    rest = sympy.Mul(*rest)
    if rest.has(sympy.Heaviside):
        raise NotEvaluable("a window inside another function")
    return (sympy.Integer(0), lo, lo) if _le(hi, lo) else (rest, lo, hi)


def _le(a, b) -> bool:
    return a == b or a == -sympy.oo or b == sympy.oo or bool(sympy.sympify(b - a, strict=True).is_nonnegative)


def _unordered(a, b):
    raise NotEvaluable(f"cannot show how {to_unicode(a)} and {to_unicode(b)} are ordered from the declared domains")


def windowed_moments(c, t, integrate_1d, interval):
    """E_c[t] for a statistic with windows: a term that is a window alone (times a z-free
    coefficient) is a probability, c's density integrated by sympy over the window cut to the
    support (:func:`window`: each cut proved; ``interval(c, t, lo, hi)``
    closes ∫_lo^hi c.pdf · t); a window times a statistic of z has no lemma."""
    sup = c.support()
    lo, hi = (-sympy.oo, sympy.oo) if sup[0] == "real" else (sup[1], sup[2])
    total = sympy.Integer(0)
    for term in sympy.Add.make_args(sympy.expand(t)):
        if not term.has(sympy.Heaviside):
            total += integrate_1d(c, term)
            continue
        rest, a, b = window(term, c.var, lo, hi)
        if rest.has(c.var):
            raise NotEvaluable(f"no lemma for E_{c}[{to_unicode(term)}] (a window times a statistic of {c.var})")
        total += rest * interval(c, sympy.Integer(1), a, b)
    return total
