"""The likely fix of a closed form stated without its bound: ``assume: a > 1``.

When a claim about defined densities failed at a point where one of its sides is certified
infinite (:mod:`vi_sym.claims.divergence`: the inverse-gamma mean b/(a - 1) at a = 0.3), the
formula may be right where the expectation is finite.  :func:`bound_fixes` tries the simplest
bounds on each declared parameter -- ``p > 0, 1, 2, 3, 4`` and ``p < 1, 0`` -- weakest first,
and offers one only when the claim is PROVED under it (the moment lemmas or sympy's integral,
with the parameter written as bound + u, u > 0: :mod:`vi_sym.distributions.intervals`).  A
bound is never offered on a spot-check alone.
"""
from __future__ import annotations

from dataclasses import replace

from sympy import Rational

from .claim_fixes import MAX_FIXES, Fix
from .claims import prove_claim
from .claims.divergence import Infinite
from .distributions.intervals import BoundError, narrowed
from .notation import relation_unicode
from .spot.claims import _param_names, side_value

#: the bounds tried on each parameter, in order: the weakest first in each direction
BOUNDS = ((">", 0), (">", 1), (">", 2), (">", 3), (">", 4), ("<", 1), ("<", 0))


def infinite_at(step, screens) -> bool:
    """Is a side of ``step`` certified infinite at one of ``screens`` (``(draw key,
    example)`` of its counterexamples, the example's parameters by slot ``_0, _1, ...``)?"""
    try:
        names = [p.name for p in _param_names(step)]
    except Exception:  # noqa: BLE001 -- a claim that cannot be read has no such point
        return False
    for key, example in screens:
        if not (isinstance(key, tuple) and key and key[0] == "claim"):
            continue
        point = {names[int(k[1:])]: v for k, v in example.items() if k[1:].isdigit() and int(k[1:]) < len(names)}
        for side in (step.lhs, step.rhs):
            try:
                side_value(side, point)
            except Infinite:
                return True
            except Exception:  # noqa: BLE001 -- not evaluable here: not shown infinite
                continue
    return False


def bound_fixes(step, dl) -> list:
    """Up to MAX_FIXES bounds (one per parameter, the weakest that works) under which the
    claim ``step`` is PROVED, as :class:`~vi_sym.claim_fixes.Fix` entries."""
    found = []
    domains = dict(step.context.domains)
    for name in sorted(domains):
        for rel, k in BOUNDS:
            dl.check()
            try:
                kind = narrowed(domains[name], rel, Rational(k))
            except BoundError:
                continue
            if kind == domains[name]:
                continue            # no narrower than declared
            ctx = replace(step.context, domains=tuple((n, kind if n == name else d)
                                                      for n, d in step.context.domains))
            try:
                probe = type(step)(step.lhs, step.rel, step.rhs, step.by, context=ctx)
                proved = prove_claim(probe)["proved"]
            except Exception:  # noqa: BLE001 -- a bound the prover cannot take proves nothing
                continue
            if proved:
                bound = f"{name} {rel} {k}"
                found.append(Fix("add_bound", f"the bound 'assume: {bound}' in the header",
                                 f"{relation_unicode(step.lhs, step.rel, step.rhs)}  (assume: {bound})",
                                 "PROVED"))
                break
        if len(found) >= MAX_FIXES:
            break
    return found
