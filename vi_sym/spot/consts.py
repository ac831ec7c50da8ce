"""Spot-checks of a const in a declared parameter: ``A = B + const(μ)`` with μ under
``parameters:`` (the argument of an optimal factor in the model-specific CAVI updates).

``A = B + const(μ)`` (``· const(μ)``: ``log A = log B + const(μ)``) holds iff ``D(μ) = A − B``
does not depend on μ, i.e. iff ``D(μ) = D(μ′)`` for every two values μ, μ′ of μ's domain.  The
step is handed to the other checkers as that plain claim, with μ′ a fresh parameter of μ's
domain: a certified point where ``D(μ) ≠ D(μ′)`` refutes the const, agreement at every point
tried is evidence (SPOT-CHECKED), never a proof.  Only a single const target that is a declared
parameter is probed, in steps about ``define``d densities (the ``algebra`` checker probes the
others); the renaming must reach every occurrence of μ (inside defined densities too), else the
checker does not apply.
"""
from __future__ import annotations

import dataclasses

import sympy

from ..claims.structure import is_concrete
from ..upto import UpTo, split_up_to
from ..vocabulary import Const, unfold_definitions
from .base import SpotResult, applicable_checkers

__all__ = ["ConstParameterChecker", "NAME", "const_parameter_form"]

NAME = "const-parameter"


def const_parameter_form(step):
    """``(D(μ) = D(μ′) step, μ, μ′)`` for a step ``A = B + const(μ)`` with μ a declared
    parameter, or None."""
    if step.error or step.rel != "=" or not (step.lhs.has(Const) or step.rhs.has(Const)):
        return None
    if not is_concrete(step):         # without defined densities: the algebra checker's
        return None
    claim = split_up_to(step.lhs, "=", step.rhs)
    if not isinstance(claim, UpTo) or len(claim.targets) != 1:
        return None
    t = claim.targets[0]
    domains = dict(step.context.domains)
    if not isinstance(t, sympy.Symbol) or t.name not in domains:
        return None
    d = claim.lhs - claim.rhs
    names = {s.name for s in d.free_symbols} | set(domains)
    other = t.name + "′"
    while other in names:
        other += "′"
    t2 = sympy.Symbol(other, **t.assumptions0)
    moved = d.xreplace({t: t2})
    if unfold_definitions(moved) != unfold_definitions(d).xreplace({t: t2}):
        return None                   # μ hides where the renaming does not reach
    ctx = dataclasses.replace(step.context, domains=tuple(step.context.domains) + ((other, domains[t.name]),))
    sub = dataclasses.replace(step, lhs=d, rel="=", rhs=moved, context=ctx)
    return sub, t, t2


class ConstParameterChecker:
    """A const in a declared parameter as a :class:`~vi_sym.spot.base.SpotChecker`."""
    name = NAME
    always = False
    batch = None

    def __repr__(self):
        return "ConstParameterChecker()"

    def _inner(self, sub):
        return [c for c in applicable_checkers(sub) if c.name != NAME]

    def applies(self, step) -> bool:
        try:
            form = const_parameter_form(step)
            return form is not None and bool(self._inner(form[0]))
        except Exception:  # noqa: BLE001 -- a step that cannot be rewritten does not apply
            return False

    def check(self, step, samples=50, seed=0, tol=1e-6) -> SpotResult:
        sub, t, t2 = const_parameter_form(step)
        checked = total = 0
        max_error, reasons = 0.0, []
        for c in self._inner(sub):
            r = c.check(sub, samples=samples, seed=seed, tol=tol)
            total += r.n_total
            if r.status == "FAILED" and r.counterexample:
                cex = dict(r.counterexample, checker=c.name)
                lhs, rhs = cex.get("lhs"), cex.get("rhs")
                if isinstance(lhs, float) and isinstance(rhs, float):
                    cex["sides"] = (f"lhs − rhs at {t}", f"lhs − rhs at {t2}")
                    cex["meaning"] = (f"lhs − rhs is {lhs:.6g} at {t} = {_at(cex, t)} but {rhs:.6g} at "
                                      f"{t} = {_at(cex, t2)}: it depends on {t}, so it is not a const({t})")
                return SpotResult(NAME, "FAILED", checked + r.n_checked, total, r.max_error, cex,
                                  cex.get("meaning", r.reason))
            if r.status == "SPOT-CHECKED":
                checked += r.n_checked
                max_error = max(max_error, r.max_error)
            elif r.reason:
                reasons.append(f"{c.name}: {r.reason}")
        if checked:
            return SpotResult(NAME, "SPOT-CHECKED", checked, total, max_error, None,
                              f"lhs − rhs takes one value at two drawn values of {t} at {checked} of "
                              f"{total} points")
        return SpotResult(NAME, "UNKNOWN", 0, total, 0.0, None,
                          "; ".join(reasons) or f"lhs − rhs could not be evaluated at two values of {t}")


def _at(cex, sym) -> str:
    v = (cex.get("params") or {}).get(sym.name)
    return f"{v:.4g}" if isinstance(v, float) else "?"
