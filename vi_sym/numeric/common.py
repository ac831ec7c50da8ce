"""What every numeric module (and the model families above them) shares: the latent and
data names, the density roles, the exceptions and value types, the fast path's statuses.

This is the lowest numeric module: it imports only the vocabulary.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy
from mpmath import mpf

from ..vocabulary import Density, unfold_definitions

__all__ = ["LATENT", "DATA", "ROLES", "Z_ROLES", "NORMALISED_ROLES", "NotEvaluable", "MayDiverge",
           "FastUnsupported", "Value",
           "OK", "UNCERTAIN", "NOT_EVALUABLE", "TRUST", "DIVERGES", "free_names",
           "FAMILY_NAMES", "resolve_family"]

LATENT = "z"
DATA = "x"
ROLES = ("likelihood", "prior", "joint", "evidence", "posterior", "q")
#: roles whose density depends on the latent z
Z_ROLES = ("likelihood", "prior", "joint", "posterior", "q")
#: roles whose density integrates to 1 over the latent (a quadrature must see that mass)
NORMALISED_ROLES = ("prior", "posterior", "q")

#: statuses of a point on the fast path (see :mod:`vi_sym.numeric.fast`)
OK, UNCERTAIN, NOT_EVALUABLE = 0, 1, 2
#: a fast value is trusted when its error estimate is below TRUST·tol·(1 + |value|)
TRUST = 1e-3
#: tail bounds above DIVERGES·tol are clearly not negligible (the integral may diverge)
DIVERGES = 1e3


class NotEvaluable(Exception):
    """The expression has no (reliable) numeric value here; ``reason`` says why.

    ``structural`` is True when the failure does not depend on the parameter
    point (unknown function, unsupported density, free symbol, ...).
    """

    def __init__(self, reason, structural=False):
        super().__init__(reason)
        self.reason = reason
        self.structural = structural


class MayDiverge(NotEvaluable):
    """A quadrature stopped at an integrand that falls off no faster than 1/|z| along a
    tail, or grows like 1/|z - end| at an end: the integral may be infinite (only a
    symbolic certificate, :mod:`vi_sym.claims.divergence`, can say that it is)."""


class FastUnsupported(Exception):
    """The expression has a construct the fast path does not evaluate (use the precise one)."""


@dataclass(frozen=True)
class Value:
    """A numeric value with an absolute error estimate and notes (e.g. truncations)."""

    value: mpf
    error: mpf
    notes: tuple = ()

    def __float__(self):
        return float(self.value)


#: name -> family object; filled by ``vi_sym.families.register_family`` (families sit above
#: numeric, so they register themselves here rather than numeric importing them)
FAMILY_NAMES: dict = {}


def resolve_family(family):
    """A family object, given the object or its registered name."""
    if isinstance(family, str):
        try:
            return FAMILY_NAMES[family]
        except KeyError:
            raise KeyError(f"unknown family {family!r}; known: {', '.join(FAMILY_NAMES)}") from None
    return family


def free_names(expr) -> set:
    """Names of the symbols free in ``expr`` in vi_sym's reading: ``∫ f dz`` binds ``z``
    (and so do KL / E / ELBO, which are unfolded first).

    (sympy keeps the variable of an indefinite Integral in ``free_symbols``.)
    """
    return _free_names(unfold_definitions(sympy.sympify(expr, strict=True)))


def _free_names(expr, bound=frozenset()) -> set:
    if isinstance(expr, sympy.Symbol):
        return set() if expr.name in bound else {expr.name}
    if isinstance(expr, Density):
        return {v.name for v in expr.vars + expr.given} - set(bound)
    if isinstance(expr, (sympy.Integral, sympy.Sum, sympy.Product)):
        inner = set(bound) | {lim[0].name for lim in expr.limits}
        out = _free_names(expr.function, frozenset(inner))
        for lim in expr.limits:
            for b in lim[1:]:
                out |= _free_names(b, bound)
        return out
    out = set()
    for a in getattr(expr, "args", ()):
        if isinstance(a, sympy.Basic):
            out |= _free_names(a, bound)
    return out
