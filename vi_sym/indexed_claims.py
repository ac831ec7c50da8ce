"""Claims about indexed densities, for every size: ``define q(z) = prod(Normal(z[j], m[j],
s[j]), (j, 1, d))`` and ``KL(q(z) || r(z)) = Σ_{j=1}^{d} (s_j² + m_j² − 1 − log s_j²)/2`` for
a symbolic d.

Proved without integrating over d dimensions:

1. every KL, H and E of an independent product is split over its coordinates
   (:mod:`vi_sym.rules.indexed`: ``kl_of_product``, ``entropy_of_product``,
   ``expectation_of_sum_over_product``);
2. the sums (all over the same coordinates lo..hi) become one: ``c·Σ_j a_j = Σ_j c·a_j`` (c free
   of j), ``Σ_j a_j + Σ_j b_j = Σ_j (a_j + b_j)``, and a term c free of the sums is
   ``Σ_j c/n`` over the ``n = hi − lo + 1 ≥ 1`` coordinates;
3. the summand, at a generic coordinate j (``z[j]``, ``m[j]``, ``s[j]`` plain variables with the
   domains declared for z, m, s), is a claim about one-dimensional defined densities, proved
   by the moment lemmas (:func:`vi_sym.claims.prove_claim`).

The step is PROVED when the summand is 0 at every coordinate (then so is the sum).  Nothing is
concluded from a summand that is not 0: a wrong statement is left to the numeric check at
concrete sizes (:mod:`vi_sym.spot.indexed`).
"""
from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import sympy
from sympy import Add, Indexed, Integer, Integral, Mul, Sum, Symbol

from .claims import prove_claim
from .distributions import ConcreteDensity
from .indexed import CoordinateDensity, IndexedDensity, is_indexed
from .notation import to_unicode
from .vocabulary import Density
from .rules.indexed import entropy_of_product, expectation_of_sum_over_product, kl_of_product

__all__ = ["is_indexed_claim", "prove_indexed_claim", "coordinate_claim", "SPLITS"]

SPLITS = (kl_of_product, entropy_of_product, expectation_of_sum_over_product)
_ONE_SUM = "Σ_j a_j + c·Σ_j b_j + e = Σ_j (a_j + c·b_j + e/n) over the n coordinates"


class NotOneSum(Exception):
    """The difference of the two sides is not a sum over one range of coordinates."""


def is_indexed_claim(step) -> bool:
    """A step that uses an indexed density or a coordinate of a declared vector (``z[j]``,
    ``s[j]``) and no density other than defined ones."""
    if step.error:
        return False
    vectors = getattr(step.context, "indexed", ())
    if not (is_indexed(step.lhs, vectors) or is_indexed(step.rhs, vectors)):
        return False
    return all(isinstance(d, ConcreteDensity) for side in (step.lhs, step.rhs) for d in side.atoms(Density))


def _split(side, ctx, used: list):
    for rule in SPLITS:
        new = rule.rewrite(side, ctx)
        if new != side:
            side = new
            if rule.name not in used:
                used.append(rule.name)
    return side


def _linear(e) -> list:
    """[(coefficient, Sum or None)]: ``e = Σ coefficient·Sum`` (None: a term without a sum)."""
    if not e.has(Sum):
        return [(e, None)]
    if isinstance(e, Sum):
        return [(Integer(1), e)]
    if isinstance(e, Add):
        return [t for a in e.args for t in _linear(a)]
    if isinstance(e, Mul):
        inner = [a for a in e.args if a.has(Sum)]
        if len(inner) == 1:
            c = Mul(*[a for a in e.args if a is not inner[0]])
            return [(c * k, s) for k, s in _linear(inner[0])]
    raise NotOneSum(f"{to_unicode(e)} is not linear in the sums over the coordinates")


def _binds(e, k) -> bool:
    return any(k in [lim[0] for lim in i.limits] for i in e.atoms(Sum, Integral))


def one_sum(diff):
    """(summand at the index J, J, (lo, hi)) with ``diff = Σ_{J=lo}^{hi} summand``, or (diff, None,
    None) when there is no sum; NotOneSum."""
    terms = _linear(diff)
    sums = [s for _, s in terms if s is not None]
    if not sums:
        return diff, None, None
    ranges = {(s.limits[0][1], s.limits[0][2]) for s in sums if len(s.limits) == 1}
    if len(ranges) != 1 or any(len(s.limits) != 1 for s in sums):
        raise NotOneSum("the sums do not all run over the same coordinates")
    (lo, hi), = ranges
    n = hi - lo + 1
    if n.is_positive is not True:
        raise NotOneSum(f"cannot show that the sums have at least one term ({lo} to {hi})")
    J = Symbol("j", integer=True)
    if J in diff.free_symbols:
        J = sympy.Dummy("j", integer=True)
    summand = Integer(0)
    for c, s in terms:
        if s is None:
            summand += c / n
            continue
        k = s.limits[0][0]
        if _binds(s.function, k):
            raise NotOneSum(f"the index {k} is bound twice in {to_unicode(s)}")
        summand += c * s.function.xreplace({k: J})
    return summand, J, (lo, hi)


def coordinate_claim(expr, domains: dict):
    """``expr`` with every coordinate a plain variable (``m[j]`` -> ``m_j`` with the domain of m)
    and every coordinate density a plain defined density; (expression, extra domains)."""
    expr = expr.replace(lambda e: isinstance(e, CoordinateDensity),
                        lambda e: ConcreteDensity(e.name, e.vars, (), e.definition))
    plain, extra = {}, []
    for c in expr.atoms(Indexed):
        label = c.base.label
        name = f"{label}[{c.indices[0]}]"          # a variable named as the coordinate is written
        plain[c] = Symbol(name, **label.assumptions0)
        if str(label) in domains:
            extra.append((name, domains[str(label)]))
    return expr.xreplace(plain), tuple(extra)


def _result(**kw) -> dict:
    res = {"proved": False, "trace": [], "residual": "", "uncited": (), "atom": "", "reason": ""}
    res.update(kw)
    return res


def prove_indexed_claim(step) -> dict:
    """The symbolic verdict on a claim about indexed densities (see the module docstring)."""
    if step.rel != "=":
        return _result(reason="an inequality about indexed densities is not proved (only equations)")
    used: list = []
    lhs, rhs = (_split(s, step.context, used) for s in (step.lhs, step.rhs))
    left = sorted((lhs - rhs).atoms(IndexedDensity), key=str)
    if left:
        return _result(reason=f"{left[0]} is not split over its coordinates (kl_of_product: KL between "
                              "two products over the same coordinates; entropy_of_product; "
                              "expectation_of_sum_over_product: E of a sum over the coordinates)")
    try:
        summand, J, bounds = one_sum(lhs - rhs)
    except NotOneSum as why:
        return _result(reason=str(why))
    domains = dict(step.context.domains)
    plain, extra = coordinate_claim(summand, domains)
    sub = SimpleNamespace(lhs=plain, rhs=Integer(0), rel="=", by=step.by,
                          context=replace(step.context, domains=step.context.domains + extra))
    out = prove_claim(sub)
    where = f"at a coordinate {J} of {bounds[0]}..{bounds[1]}" if bounds else "with the coordinates as variables"
    if not out["proved"]:
        return _result(residual=out["residual"] and f"{out['residual']} ({where})",
                       reason=f"{'the summand' if bounds else 'lhs − rhs'} {where}: "
                              f"{out['reason'] or 'not shown to be 0'}")
    cited = {r.name for r in step.rules()} if hasattr(step, "rules") else set(step.by)
    what = "the summand" if bounds else "lhs − rhs"
    trace = ([("both", r, "") for r in used] + ([("both", _ONE_SUM, "")] if bounds else [])
             + list(out["trace"]) + [("both", f"{what} is 0 {where}", "0")])
    return _result(proved=True, trace=trace, uncited=tuple(r for r in used if r not in cited),
                   atom=f"{what} {where}" + (", by the moment lemmas" if summand != 0 else ""))
