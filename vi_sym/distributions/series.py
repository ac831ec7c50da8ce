"""Geometric-type series, closed by a lemma instead of sympy's summation:

    Σ_{k >= 0} k^n B^k = Li_{-n}(B)      (1/(1 - B) for n = 0, B/(1 - B)² for n = 1, …)

valid when |B| < 1.  A summand that is a sum of terms ``c · k^n · B^k`` -- c and B free of k,
``B^k`` written as a power with an exponent linear in k (``(1 - t)^k``, ``t^(k + 1)``) or an
exponential (``exp(-l k)``) -- is summed term by term, each |B| < 1 *proved* from the
parameters' assumptions (0 < B < 1 or -1 < B < 0: ``exp(-l)`` with l > 0, ``1 - t`` with t in
(0, 1) written as u/(1+u)).  Anything else -- a factor k! or a base not shown inside (-1, 1)
-- is None: no lemma (sympy's summation or the numeric check decides).  The rearrangement is
valid because each series converges absolutely.
"""
from __future__ import annotations

import sympy
from sympy import Add, Integer, Mul, Pow, exp

__all__ = ["geometric_terms", "geometric_sum", "inside_unit_interval", "provably_positive"]


def provably_positive(e, strict=True) -> bool:
    """e > 0 (>= 0 unless strict) from the symbols' assumptions; a difference of two positive
    terms a - b through log a - log b (1 - exp(-l) > 0 because l > 0)."""
    if (e.is_positive if strict else e.is_nonnegative):
        return True
    if isinstance(e, sympy.Mul):
        return all(provably_positive(f, strict) for f in e.args)
    if isinstance(e, sympy.Pow):
        return provably_positive(e.base, True) or (e.exp.is_even is True and not strict)
    if isinstance(e, sympy.Add) and len(e.args) == 2:
        a, b = sorted(e.args, key=lambda t: t.could_extract_minus_sign())
        b = -b
        if a.is_positive and b.is_positive:
            d = sympy.expand_log(sympy.log(a) - sympy.log(b), force=False)
            return bool(d.is_positive if strict else d.is_nonnegative)
    return False


def _linear(e, k):
    """(a, b) with e = a·k + b, a and b free of k, else None."""
    e = sympy.expand(e)
    a = e.coeff(k, 1)
    b = sympy.expand(e - a * k)
    if a.has(k) or b.has(k):
        return None
    return a, b


def _factor(f, k):
    """[(c, n, B)] for one factor that is not a sum: c · k^n · B^k, else None."""
    if not f.has(k):
        return [(f, 0, Integer(1))]
    if f == k:
        return [(Integer(1), 1, Integer(1))]
    if isinstance(f, Pow) and f.base == k and f.exp.is_Integer and f.exp > 0:
        return [(Integer(1), int(f.exp), Integer(1))]
    if isinstance(f, Pow) and f.base.has(k) and f.exp.is_Integer and f.exp > 1:
        return _terms(sympy.expand(f), k)            # a polynomial in k: (k + 1)^2
    if isinstance(f, Pow) and not f.base.has(k):
        ab = _linear(f.exp, k)
        return None if ab is None else [(f.base ** ab[1], 0, f.base ** ab[0])]
    if isinstance(f, exp):
        ab = _linear(f.args[0], k)
        return None if ab is None else [(exp(ab[1]), 0, exp(ab[0]))]
    return None


def _terms(e, k):
    """[(c, n, B)] with e = Σ c·k^n·B^k: sums in k are distributed over products, nothing
    else is expanded (a coefficient keeps its own form), else None."""
    if isinstance(e, Add):
        out = []
        for a in e.args:
            t = _terms(a, k)
            if t is None:
                return None
            out += t
        return out
    out = [(Integer(1), 0, Integer(1))]
    for f in Mul.make_args(e):
        t = _terms(f, k) if isinstance(f, Add) and f.has(k) else _factor(f, k)
        if t is None:
            return None
        out = [(c1 * c2, n1 + n2, B1 * B2) for c1, n1, B1 in out for c2, n2, B2 in t]
    return out


def geometric_terms(summand, k):
    """[(c, n, B)] with summand = Σ c·k^n·B^k (like terms of one B and n gathered), else None."""
    terms = _terms(summand, k)
    if terms is None:
        return None
    out: dict = {}
    for c, n, B in terms:
        out[(n, B)] = out.get((n, B), 0) + c
    return [(c, n, B) for (n, B), c in out.items()]


def _positive(e) -> bool:
    return provably_positive(e) or provably_positive(sympy.factor(sympy.together(e)))


def inside_unit_interval(B) -> bool:
    """|B| < 1 proved from the symbols' assumptions (B in (0, 1) or in (-1, 0))."""
    return (_positive(B) and _positive(1 - B)) or (_positive(-B) and _positive(1 + B))


def _polylog(n, B):
    """Σ_{k >= 0} k^n B^k for |B| < 1, a rational function of B."""
    if n == 0:
        return 1 / (1 - B)
    return sympy.together(sympy.expand_func(sympy.polylog(-n, B)))


def geometric_sum(summand, k, lo, hi):
    """Σ_{k=lo}^{∞} summand by the lemma (lo a nonnegative integer, hi = ∞), else None."""
    if hi is not sympy.oo or not (getattr(lo, "is_Integer", False) and lo >= 0):
        return None
    terms = geometric_terms(summand, k)
    if not terms:
        return None
    total = Integer(0)
    for c, n, B in terms:
        if B == 1 or not inside_unit_interval(B):
            return None
        total += c * (_polylog(n, B) - sum((j ** n * B ** j for j in range(int(lo))), Integer(0)))
    return total
