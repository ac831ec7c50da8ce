"""Compatibility names: the checker is now :mod:`vi_sym.judge` (one step's verdict, in
process) and :mod:`vi_sym.scheduler` (every step, in time-limited workers, with the cache).
"""
from __future__ import annotations

from .core import family_coordinates
from .judge import conclusion_task, merge
from .judge import prove as prove_task
from .scheduler import Report, check_derivations, check_steps
from .settings import Settings

__all__ = ["Report", "Settings", "check_derivations", "check_steps", "conclusion_task",
           "family_coordinates", "merge", "prove_task"]
