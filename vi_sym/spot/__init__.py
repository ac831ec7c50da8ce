"""Numeric spot-checks: the :class:`SpotChecker` protocol, its registry and the one search
driver (:mod:`vi_sym.spot.driver`) shared by every checker.

Registered here: one checker per model family (read from :data:`vi_sym.families.FAMILIES`)
and the checker of claims about ``define``d densities.  The judge asks
``applicable_checkers(step, settings.families)`` and calls ``checker.check(step, samples,
seed, tol)`` on each.
"""
from .base import (SpotChecker, SpotResult, applicable_checkers, register_checker,
                   registered_checkers, unregister_checker)
from .algebra import AlgebraChecker, spot_algebra
from .claims import ClaimChecker, spot_claim
from .indexed import IndexedChecker, spot_indexed
from .families import FamilyChecker, family_checkers, family_coordinates, spot_check
from .driver import search
from .testfunctions import TestFunctionChecker
from .lifted import LiftedChecker, lifted_checkers
from .optimum import OptimumChecker
from .consts import ConstParameterChecker

__all__ = ["SpotChecker", "SpotResult", "applicable_checkers", "register_checker",
           "registered_checkers", "unregister_checker", "AlgebraChecker", "spot_algebra", "ClaimChecker", "IndexedChecker", "spot_indexed", "FamilyChecker",
           "family_checkers", "family_coordinates", "spot_check", "spot_claim", "search",
           "TestFunctionChecker", "LiftedChecker", "lifted_checkers", "OptimumChecker",
           "ConstParameterChecker"]

register_checker(ClaimChecker())
register_checker(IndexedChecker())
register_checker(AlgebraChecker())
register_checker(family_checkers)
register_checker(TestFunctionChecker())
register_checker(lifted_checkers)
register_checker(OptimumChecker())
register_checker(ConstParameterChecker())
