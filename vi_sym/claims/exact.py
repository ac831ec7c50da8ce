"""The two sides of a concrete claim as closed forms in its parameters, by the moment lemmas.

They are the values PROVED compares: when their difference is 0 the claim is PROVED
(:func:`vi_sym.claims.prove.prove_claim`).  When it is not, the same closed forms, evaluated
exactly at a parameter point, refute the claim there -- the one way to find a slip in a claim
whose defining integrals no quadrature can evaluate at any point (a Lévy density's tail, which
carries mass past every node): the spot-check asks for them only then
(:func:`vi_sym.spot.claims.spot_claim`).
"""
from __future__ import annotations

import mpmath
import sympy

from ..distributions.stats import unmet_conditions
from ..distributions.written import declared
from ..moments import Moment
from ..vocabulary import Density
from .prove import _by_moments, _sym_value, _written_densities

__all__ = ["exact_sides", "exact_value"]

#: what a closed form must not contain (an integral, a sum or a moment left open, a case split)
_OPEN = (Moment, sympy.Integral, sympy.Sum, sympy.Piecewise, Density)


def exact_sides(step):
    """(lhs, rhs) of an equality between concrete expressions as closed forms in the parameters
    -- each defining integral closed by the moment lemmas, every lemma's side condition shown
    from the declared domains, every density written by hand shown to be a density -- or None."""
    if step.rel != "=":
        return None
    with declared(step.context.domains):
        _, why = _written_densities(step)
        if why:
            return None
        try:
            with unmet_conditions() as unmet:
                sides = _sym_value(step.lhs, _by_moments([])), _sym_value(step.rhs, _by_moments([]))
        except Exception:  # noqa: BLE001 -- no closed form: nothing to refute with
            return None
    if unmet or any(s.has(*_OPEN) for s in sides):
        return None
    return sides


def exact_value(expr, point: dict, dps: int):
    """``expr`` at ``point`` ({Symbol: float}, each float read as the exact rational it is) as an
    mpf with ``dps`` correct digits (sympy's evalf, strict: it raises rather than return fewer),
    or None where it is not a finite real number."""
    at = {s: sympy.Rational(v) for s, v in point.items()}
    try:
        v = sympy.sympify(expr, strict=True).xreplace(at).evalf(dps, strict=True)
    except (sympy.core.evalf.PrecisionExhausted, ValueError, TypeError, ZeroDivisionError, OverflowError):
        return None
    if not (v.is_Number and v.is_real and v.is_finite):
        return None
    with mpmath.workdps(dps):
        return mpmath.mpf(v)
