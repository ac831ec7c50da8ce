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
from .intervals import as_image, describe, image

__all__ = ["check_domains", "support_contains", "stand_ins", "stand_in_inverse", "screen_point"]

_HEADER = {"positive": "positive", "unit": "unit", "real": "parameters", "nonnegative": "nonnegative"}
_WORDS = {"positive": "positive", "unit": "in (0, 1)"}


def stand_ins(expr, domains: dict) -> dict:
    """Each parameter symbol replaced by a stand-in carrying exactly its declared domain
    (a unit parameter t by u/(1+u), u > 0: a bijection onto (0, 1); a parameter assumed
    > 1 by 1 + u, u > 0; see :mod:`.intervals`)."""
    subs = {}
    for sym in expr.free_symbols:
        dom = domains.get(sym.name, "real")
        base = as_image(dom)[0]      # a bounded domain (assume: a > 1) is the image of a base one
        if base == "unit":
            u = sympy.Dummy(f"{sym.name}_odds", positive=True)
            v = u / (1 + u)
        elif base in ("positive", "nonnegative"):
            v = sympy.Dummy(sym.name, **{base: True})
        else:
            v = sympy.Dummy(sym.name, real=True)
        subs[sym] = image(dom, v)
    return subs


def stand_in_inverse(dom: str, sym):
    """The stand-in's own variable as a function of the parameter ``sym`` (the inverse of
    :func:`stand_ins`' map: t = u/(1+u) gives u = t/(1 - t); a = 1 + u gives u = a - 1)."""
    base, sign, shift, scale = as_image(dom)
    v = sym if base == dom else sign * (sym - shift) / scale
    return v / (1 - v) if base == "unit" else v


#: generic values per base domain (two each, no coincidences): the screening point
SCREEN = {"unit": (0.2718, 0.6931), "positive": (0.7071, 1.4142), "real": (0.5772, -1.3029),
          "nonnegative": (0.7071, 1.4142)}


def screen_point(symbols, domains, exact=False) -> dict:
    """A generic point in the parameters' declared domains, {symbol: value} (floats, or
    sympy numbers with ``exact``): the second parameter of a domain gets its other value,
    the next ones those moved by 1/7, 2/7, ...; a bounded domain (assume: a > 1) takes its
    base domain's values, moved into it.  Only ever used to screen (discard a candidate,
    skip a simplify): it never proves or refutes anything."""
    point, counts = {}, {}
    for sym in sorted(symbols, key=str):
        dom = domains.get(sym.name, "positive" if sym.is_positive else "real")
        vals = SCREEN.get(as_image(dom)[0], SCREEN["real"])
        i = counts[dom] = counts.get(dom, -1) + 1
        if exact:
            v = sympy.Float(vals[i % 2]) * (1 + sympy.Rational(i // 2, 7))
        else:
            v = vals[i % 2] * (1 + (i // 2) / 7)
        point[sym] = image(dom, v)
    return point


def _positive(expr, domains) -> bool:
    e = sympy.sympify(expr, strict=True)
    e = e.xreplace(stand_ins(e, domains))
    return bool(e.is_positive) or bool(sympy.factor(sympy.together(e)).is_positive)


def _advice(dist, name, value, dom, domains) -> str:
    where = f"{dist.kind}({', '.join(map(str, dist.args[1:]))})"
    if isinstance(value, sympy.Symbol):
        declared = domains.get(value.name, "real")
        now = (f"it is declared under {_HEADER[declared]}:" if declared in _HEADER
               else f"its declared domain is {describe(declared)}")
        return (f"{where}: the {name} {value} must be {_WORDS[dom]}; declare {value} under "
                f"{_HEADER[dom]}: ({now})")
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
