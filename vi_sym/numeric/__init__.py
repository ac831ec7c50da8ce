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

import importlib

from .common import (DATA, DIVERGES, LATENT, NOT_EVALUABLE, OK, ROLES, TRUST, UNCERTAIN, Z_ROLES,
                     FastUnsupported, NotEvaluable, Value, free_names)

#: the back-ends are imported on first use, for start-up time: the prover of claims needs
#: ``NotEvaluable`` and the supports only, not numpy
_LAZY = {"Fast": "fast", "FastResult": "fast", "compile_fast": "fast", "evaluate_fast": "fast",
         "compile_plain": "plain", "compile_plain_np": "plain", "integrate_1d": "plain",
         "Precise": "precise", "compile_expr": "precise", "evaluate": "precise",
         "QuadratureBudget": "quadrature", "integrate": "quadrature", "Walker": "walker"}


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "DATA", "LATENT", "ROLES", "Z_ROLES", "OK", "UNCERTAIN", "NOT_EVALUABLE", "TRUST", "DIVERGES",
    "NotEvaluable", "FastUnsupported", "QuadratureBudget", "Value", "FastResult", "free_names",
    "Walker", "Precise", "Fast", "compile_expr", "evaluate", "compile_fast", "evaluate_fast",
    "compile_plain", "compile_plain_np", "integrate_1d", "integrate",
]
