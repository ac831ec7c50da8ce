"""Spot-checkers: the numeric side of a verdict, behind one small protocol.

A spot-checker has a ``name`` (reported as the family), a ``batch`` key (checks with
the same key may run as one batch sharing their draws; None: on its own) and
``check(step, samples, seed, tol) -> SpotResult``.  :func:`applicable` lists the ones
that give a meaning to every density of a step: one per concrete model family
(:func:`vi_sym.spotcheck.spot_check`), or, for a claim about ``define``d densities,
the check against its own defining integrals (:func:`vi_sym.claims.spot_claim`).
"""
from __future__ import annotations

from . import claims
from .core import family_coordinates
from .families import applicable_families, get_family
from .spotcheck import spot_check
from .upto import spot_form


class FamilyChecker:
    """Spot-checks a step in one concrete model family (its latent renamed ``z``,
    its observed variable ``x``).  Family checks of many steps share draws, so the
    scheduler may run them as one batch per family (``batch`` is the batch key)."""

    def __init__(self, name: str):
        self.name = self.batch = name

    def check(self, step, samples=50, seed=0, tol=1e-6):
        lhs, rhs = spot_form(*family_coordinates(step), step.rel)   # const(z): lhs - rhs free of z?
        return spot_check(lhs, step.rel, rhs, get_family(self.name), samples=samples, seed=seed, tol=tol)

    def __repr__(self):
        return f"FamilyChecker({self.name!r})"


class ClaimChecker:
    """Spot-checks a claim about ``define``d densities against its own defining integrals."""

    name = claims.FAMILY
    batch = None

    def check(self, step, samples=50, seed=0, tol=1e-6):
        return claims.spot_claim(step, samples=samples, seed=seed, tol=tol)

    def __repr__(self):
        return "ClaimChecker()"


def applicable(step, settings) -> list:
    """The spot-checkers that give a meaning to every density of ``step``, among those
    ``settings.families`` asks for (none when it asks for none)."""
    if not settings.families:
        return []
    if claims.is_concrete(step):   # defined densities: checked against their own defining integrals
        return [ClaimChecker()]
    return [FamilyChecker(n) for n in applicable_families(family_coordinates(step), settings.families)]


