"""The sign of an algebraic expression from the declared domains of its parameters.

``nonnegative_quotient`` offers the gap ``lhs − rhs`` (or ``rhs − lhs``) of a step over
declared parameters alone (no density, no integral) as a nonnegative atom when, brought over
one denominator, cancelled and factored, it is built from positive parameters
(``positive:``, ``unit:``), even powers of real ones and positive numbers by products,
quotients and sums -- so its sign follows from the sign rules of arithmetic alone
(sympy's assumption system: deductive, never a numeric value).  Example, PRML §10.1.2: with
Λ = [[L11, L12], [L12, L11·d + L12²/L11]]... written with ``d = det Λ / L11 > 0``,
``Σ11 − 1/L11 = L12²/(L11² d) ≥ 0``.
"""
from __future__ import annotations

import sympy
from sympy import Integral

from ..notation import to_unicode as u
from ..vocabulary import Density
from .base import Rule

#: larger gaps are not factored (a multivariate factorisation can take long)
MAX_OPS = 400


def _factored(gap):
    if gap.atoms(Density) or gap.has(Integral) or not gap.free_symbols:
        return None
    if sympy.count_ops(gap) > MAX_OPS:
        return None
    try:
        return sympy.factor(sympy.cancel(sympy.together(gap)))
    except (sympy.PolynomialError, RecursionError):
        return None


def nonnegative_quotient_atoms(lhs, rhs, ctx):
    """``lhs − rhs`` and ``rhs − lhs``, each when its factored form is shown ≥ 0 by sign rules."""
    atoms = []
    for big, small in ((lhs, rhs), (rhs, lhs)):
        gap = sympy.sympify(big - small, strict=True)
        f = _factored(gap)
        if f is not None and f.is_nonnegative is True:
            atoms.append((gap, f"{u(f)} ≥ 0 (a quotient of positive parameters and squares)"))
    return atoms


nonnegative_quotient = Rule(
    "nonnegative_quotient", "inequality",
    "a quotient of products and sums of positive parameters and squares is >= 0",
    ("every symbol declared: positive:/unit: ones > 0, parameters: ones real",
     "over one denominator, cancelled and factored, the sign follows from the sign rules "
     "of arithmetic"),
    nonnegative_quotient_atoms,
    example="latent: z\nparameters: c\npositive: a b\na + c^2/b >= a",
    action="use the sign of a quotient of positive parameters and squares",
    doc="The sign of an algebraic expression from its parameters' declared domains, e.g. "
        "Σ11 − 1/Λ11 = Λ12²/(Λ11 det Λ) ≥ 0 for a positive-definite Λ.")
