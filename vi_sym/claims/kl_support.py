"""A KL certified +∞ at one parameter point: q puts mass where r is 0.

``KL(q ‖ r) = ∫ q log(q/r)`` is +∞ when q is not absolutely continuous with respect to r:
some set A has q(A) > 0 while r = 0 on A (the integrand is +∞ there, and ``q log(q/r) >=
q - r`` bounds the rest below by an integrable function).  For densities bound by ``define`` to
registered kinds -- each positive on the interior of its support, or at each point of a
discrete one -- that is decided at the point's exact parameter values (each float the rational
number it stores, :func:`~.divergence.exact_point`):

- continuous factors: q's interval reaches strictly below r's lower end or above its upper end
  (the ends compared exactly), so the gap is an interval of positive length where q > 0 = r;
- discrete factors: a point of q's support lies outside r's.

A product density (mean field) is not absolutely continuous once one factor is not.  Densities
written by hand (which may vanish inside their support), Dirichlet coordinates and a pair of
factors with different base measures certify nothing here.
"""
from __future__ import annotations

import sympy

from ..distributions import ConcreteDensity, is_written
from ..numeric.plain import num_contains, support_closure
from ..numeric.supports import base_measure
from ..vocabulary import KL
from .divergence import exact_point

__all__ = ["kl_pairs", "kl_gap"]


def kl_pairs(expr, unfold) -> dict:
    """{the integral ``unfold(KL(q ‖ r))`` is: [(q factor, r factor, their compiled supports) per
    variable]} for every KL in ``expr`` between two defined densities of registered kinds over the
    same variables."""
    out = {}
    for K in sympy.sympify(expr, strict=True).atoms(KL):
        q, r = K.args[0], K.args[1]
        if not (isinstance(q, ConcreteDensity) and isinstance(r, ConcreteDensity)):
            continue
        qc, rc = q.components(), r.components()
        if set(qc) != set(rc) or any(is_written(c) or c.support()[0] == "simplex" for c in (*qc.values(), *rc.values())):
            continue
        integral = unfold(K)
        if isinstance(integral, sympy.Integral):
            out[integral] = [(qc[v], rc[v], support_closure(qc[v]), support_closure(rc[v])) for v in sorted(qc, key=str)]
    return out


def kl_gap(pairs, env) -> str | None:
    """Why the KL of these factor pairs is +∞ at the point ``env`` (names -> mpf), or None."""
    for qc, rc, q_sup, r_sup in pairs:
        if num_contains(r_sup(env), q_sup(env)):      # the quick float check: nothing to certify
            continue
        values = exact_point(env, {s.name for s in (qc.free_symbols | rc.free_symbols) if s != qc.var})
        why = _gap(qc, rc, values)
        if why:
            return f"KL is +∞ here: {qc} puts mass on {why}, where {rc} is 0"
    return None


def _exact(support, values):
    at = {s: values[s.name] for s in sympy.Tuple(*support[1:]).free_symbols if s.name in values} \
        if support[0] != "finite" else {}
    return (support[0], *[sympy.sympify(e, strict=True).xreplace(at) for e in support[1:]]) \
        if support[0] in ("interval", "integers") else support


def _gap(qc, rc, values) -> str | None:
    """The set where q > 0 and r = 0 (as words), shown exactly, or None."""
    qs, rs = _exact(qc.support(), values), _exact(rc.support(), values)
    if base_measure(qs) != base_measure(rs):
        return None
    if qs[0] == "real":
        return None if rs[0] == "real" else _interval_gap((-sympy.oo, sympy.oo), rs[1:])
    if qs[0] == "interval":
        return None if rs[0] == "real" else _interval_gap(qs[1:], rs[1:])
    return _point_gap(qs, rs)


def _below(a, b) -> bool:
    """a < b, shown exactly (ends may be ±oo)."""
    return bool(sympy.sympify(b - a, strict=True).is_positive) if a.is_finite and b.is_finite \
        else (a == -sympy.oo and b != -sympy.oo) or (b == sympy.oo and a != sympy.oo)


def _interval_gap(q, r) -> str | None:
    (qlo, qhi), (rlo, rhi) = q, r
    if _below(qlo, rlo) and _below(qlo, qhi):
        return f"({qlo}, {rlo if _below(rlo, qhi) else qhi})"
    if _below(rhi, qhi) and _below(qlo, qhi):
        return f"({rhi if _below(qlo, rhi) else qlo}, {qhi})"
    return None


def _points(support):
    """(finite list or None, lowest, highest) of a discrete support."""
    if support[0] == "finite":
        pts = [sympy.sympify(p, strict=True) for p in support[1]]
        return pts, min(pts), max(pts)
    return (None, sympy.Integer(0), sympy.oo) if support[0] == "count" else (None, *support[1:])


def _point_gap(qs, rs) -> str | None:
    qpts, qlo, qhi = _points(qs)
    rpts, rlo, rhi = _points(rs)
    candidates = qpts if qpts is not None else [qlo] + ([qhi] if qhi.is_finite else [])
    for p in candidates:
        if not p.is_finite or not p.is_integer:
            continue
        outside = p not in rpts if rpts is not None else (_below(p, rlo) or _below(rhi, p))
        if outside:
            return f"the point {p}"
    if qpts is None and not qhi.is_finite and (rpts is not None or rhi.is_finite):
        return f"every integer above {max(rpts) if rpts is not None else rhi}"
    return None
