"""Parameter domains and support containment.

:func:`check_domains` is what ``define`` runs: a Normal scale, an Exponential rate, a
Bernoulli probability that the declarations let leave its domain is an input error that
says what to declare -- never a proof over points outside the domain.

:func:`support_contains` is the symbolic (proof-grade) test that one support lies inside
another: ``KL(q || r)`` is finite only when the support of q lies inside that of r, and a
discrete support is never inside a continuous one (different base measures: the KL is +∞).
"""
from __future__ import annotations

import sympy

from .base import DISCRETE, Dist

__all__ = ["check_domains", "support_contains", "stand_ins"]

_HEADER = {"positive": "positive", "unit": "unit", "real": "parameters", "nonnegative": "nonnegative"}
_WORDS = {"positive": "positive", "unit": "in (0, 1)"}


def stand_ins(expr, domains: dict) -> dict:
    """Each parameter symbol replaced by a stand-in carrying exactly its declared domain
    (a unit parameter t by u/(1+u), u > 0: a bijection onto (0, 1))."""
    subs = {}
    for sym in expr.free_symbols:
        dom = domains.get(sym.name, "real")
        if dom == "unit":
            u = sympy.Dummy(f"{sym.name}_odds", positive=True)
            subs[sym] = u / (1 + u)
        elif dom == "positive":
            subs[sym] = sympy.Dummy(sym.name, positive=True)
        elif dom == "nonnegative":
            subs[sym] = sympy.Dummy(sym.name, nonnegative=True)
        else:
            subs[sym] = sympy.Dummy(sym.name, real=True)
    return subs


def _positive(expr, domains) -> bool:
    e = sympy.sympify(expr, strict=True)
    e = e.xreplace(stand_ins(e, domains))
    return bool(e.is_positive) or bool(sympy.factor(sympy.together(e)).is_positive)


def _advice(dist, name, value, dom, domains) -> str:
    where = f"{dist.kind}({', '.join(map(str, dist.args[1:]))})"
    if isinstance(value, sympy.Symbol):
        return (f"{where}: the {name} {value} must be {_WORDS[dom]}; declare {value} under "
                f"{_HEADER[dom]}: (it is declared under {_HEADER.get(domains.get(value.name), 'parameters')}:)")
    return f"{where}: cannot show that the {name} {value} is {_WORDS[dom]} from the declared domains"


def check_domains(dist: Dist, domains) -> list:
    """Messages (empty when fine) for each parameter of ``dist`` that its declarations let
    leave its domain.  ``domains``: {parameter name: "real" | "positive" | "unit" | ...}."""
    domains = dict(domains)
    spec = dist.spec
    params = dist.params
    need = spec.domains * len(params) if spec.variadic else spec.domains
    names = spec.params * len(params) if spec.variadic else spec.params
    out = []
    for name, value, dom in zip(names, params, need):
        if dom == "any":
            continue
        if dom == "positive" and not _positive(value, domains):
            out.append(_advice(dist, name, value, dom, domains))
        elif dom == "unit" and not (_positive(value, domains) and _positive(1 - value, domains)):
            out.append(_advice(dist, name, value, dom, domains))
    if not out:
        for expr, advice in spec.constraints(*params):
            if not _positive(expr, domains):
                out.append(f"{dist.kind}({', '.join(map(str, dist.args[1:]))}): {advice}")
    return out


def _at_most(a, b) -> bool:
    """a <= b, proved from the symbols' assumptions; ends may be ±oo."""
    if a == b or a is sympy.S.NegativeInfinity or b is sympy.oo:
        return True
    if a is sympy.oo or b is sympy.S.NegativeInfinity:
        return False
    return bool(sympy.sympify(b - a, strict=True).is_nonnegative)


def support_contains(outer, inner) -> bool:
    """True only when the support ``inner`` provably lies inside ``outer`` (same base measure)."""
    if outer == inner:
        return True
    if "simplex" in (outer[0], inner[0]):      # its own base measure: only the same simplex
        return False
    if (outer[0] in DISCRETE) != (inner[0] in DISCRETE):
        return False
    if outer[0] == "real":
        return True
    if outer[0] == "interval":
        return inner[0] == "interval" and _at_most(outer[1], inner[1]) and _at_most(inner[2], outer[2])
    lo, hi = _integer_range(outer)
    if lo is not None:
        ilo, ihi = _integer_range(inner)
        if ilo is not None:
            return _at_most(lo, ilo) and _at_most(ihi, hi)
        return all(sympy.sympify(k, strict=True).is_integer and _at_most(lo, k) and _at_most(k, hi)
                   for k in inner[1])
    return inner[0] == "finite" and set(inner[1]) <= set(outer[1])


def _integer_range(sup):
    """(lo, hi) of a support that is all integers between two ends, else (None, None)."""
    if sup[0] == "count":
        return sympy.Integer(0), sympy.oo
    if sup[0] == "integers":
        return sup[1], sup[2]
    return None, None
