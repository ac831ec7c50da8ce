"""Spot-checks in the model families (kept for its public names; the code lives in
:mod:`vi_sym.spot.families`, the search driver in :mod:`vi_sym.spot.driver`)."""
from .spot.base import SpotResult
from .spot.families import SHRINK_BUDGET, draws, spot_check
from .spot.driver import PRECISE_BUDGET

__all__ = ["SpotResult", "spot_check", "draws", "PRECISE_BUDGET", "SHRINK_BUDGET"]
