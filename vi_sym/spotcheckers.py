"""Spot-checkers: the numeric side of a verdict, behind one small protocol.

The protocol, the registry and the checkers live in :mod:`vi_sym.spot`: a spot-checker has
a ``name`` (reported as the family), a ``batch`` key (checks with the same key may run as
one batch sharing their draws; None: on its own), ``applies(step)`` and
``check(step, samples, seed, tol) -> SpotResult``.  :func:`applicable` lists the registered
ones that apply to a step: one per concrete model family, or, for a claim about
``define``d densities, the check against its own defining integrals.
"""
from __future__ import annotations

from .spot import ClaimChecker, FamilyChecker, applicable_checkers

__all__ = ["ClaimChecker", "FamilyChecker", "applicable"]


def applicable(step, settings) -> list:
    """The spot-checkers that give a meaning to every density of ``step``, among those
    ``settings.families`` asks for (none when it asks for none)."""
    return applicable_checkers(step, settings.families)
