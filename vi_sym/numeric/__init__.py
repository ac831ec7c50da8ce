"""Numeric evaluation of vi_sym expressions.

* :mod:`.common`     -- names, roles, ``NotEvaluable``, ``Value``, fast-path statuses, ``free_names``
* :mod:`.functions`  -- the special-function table of each back-end
* :mod:`.walker`     -- the one expression walker over the vocabulary
* :mod:`.precise`    -- mpmath back-end with error estimates: ``compile_expr``, ``evaluate``
  (its integrals over the latent in :mod:`.precise_integrals`)
* :mod:`.fast`       -- float64 back-end vectorised over parameter points: ``compile_fast``,
  ``evaluate_fast``
* :mod:`.plain`      -- parameter expressions and 1-D integrals for claims on defined densities
* :mod:`.quadrature` -- adaptive mpmath quadrature on breakpoints (``integrate``)
* :mod:`.quad64`     -- float64 tanh–sinh quadrature
"""
from __future__ import annotations

from .common import (DATA, DIVERGES, LATENT, NOT_EVALUABLE, OK, ROLES, TRUST, UNCERTAIN, Z_ROLES,
                     FastUnsupported, NotEvaluable, Value, free_names)
from .fast import Fast, FastResult, compile_fast, evaluate_fast
from .plain import compile_plain, compile_plain_np, integrate_1d
from .precise import Precise, compile_expr, evaluate
from .quadrature import QuadratureBudget, integrate
from .walker import Walker

__all__ = [
    "DATA", "LATENT", "ROLES", "Z_ROLES", "OK", "UNCERTAIN", "NOT_EVALUABLE", "TRUST", "DIVERGES",
    "NotEvaluable", "FastUnsupported", "QuadratureBudget", "Value", "FastResult", "free_names",
    "Walker", "Precise", "Fast", "compile_expr", "evaluate", "compile_fast", "evaluate_fast",
    "compile_plain", "compile_plain_np", "integrate_1d", "integrate",
]
