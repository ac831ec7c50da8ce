"""Field algebra for the prover: quotients brought over one denominator.

The prover's ring algebra (``prover.algebra``) distributes products over sums and collects
like terms, but it does not add fractions: ``λ0·μ/(λ0 + 2) + 2·μ/(λ0 + 2) - μ`` is left as
three terms, although it is 0.  Completing the square (PRML §10.1.3) and the mean-field
updates of a Gaussian (§10.1.2) need exactly this step.

:func:`field_zero` and :func:`field_free_of` put what is left of ``lhs - rhs`` over one common
denominator and cancel the common factors of numerator and denominator (``sympy.cancel``: a
polynomial gcd, an exact algebraic identity -- no ``simplify`` heuristic, no numeric value).
Every integral, density and const is held behind a placeholder first, so the integrals are
treated as opaque quantities and nothing is rewritten inside them.  A factor is cancelled
only where it divides both numerator and denominator of the step's own expression: where it
vanishes, the step divides by 0 and states nothing.
"""
from __future__ import annotations

import sympy
from sympy import Dummy, Integral

from .memo import Memo
from .upto import free_of
from .vocabulary import Const, Density

__all__ = ["field_zero", "field_free_of", "MAX_OPS"]

#: expressions larger than this (sympy's count_ops) are not brought over one denominator:
#: a multivariate gcd of a huge expression can take long, and such a residual is a missing
#: rule, not a quotient to cancel
MAX_OPS = 1500


def _hold(expr):
    """``expr`` with every integral, density and const replaced by a placeholder."""
    held: dict = {}

    def walk(e):
        if isinstance(e, (Integral, Density, Const)):
            d = held.get(e)
            if d is None:
                d = held[e] = Dummy(f"H{len(held)}")
            return d
        if not e.args:
            return e
        return e.func(*[walk(a) for a in e.args])
    return walk(sympy.sympify(expr, strict=True)), {d: e for e, d in held.items()}


def _has_quotient(expr) -> bool:
    """Does ``expr`` divide by something that is not a number?"""
    return any(p.exp.is_negative and p.base.free_symbols
               for p in expr.atoms(sympy.Pow))


def _over_one_denominator(expr):
    """``expr`` as one cancelled quotient (placeholders put back), or None when it has no
    quotient to combine or is too large to try."""
    expr = sympy.sympify(expr, strict=True)
    if not _has_quotient(expr) or sympy.count_ops(expr) > MAX_OPS:
        return None
    hit = _DONE.get(expr, _DONE)
    return _DONE.put(expr, _cancelled(expr)) if hit is _DONE else hit


#: quotients already brought over one denominator in this process, by whole expression
_DONE = Memo(4096)


def _cancelled(expr):
    held, back = _hold(expr)
    try:
        if _has_quotient(held):
            out = sympy.cancel(sympy.together(held))
        else:
            # every quotient is inside a held part: the common denominator is 1, and cancelling
            # comes down to expanding (what cancel does to a polynomial, without its gcds)
            out = sympy.expand(held)
    except (sympy.PolynomialError, sympy.GeneratorsNeeded, RecursionError):
        return None
    return out.xreplace(back) if back else out


def field_zero(expr) -> bool:
    """Is ``expr`` 0 once its quotients are over one denominator and cancelled?"""
    out = _over_one_denominator(expr)
    return out is not None and out == 0


def field_free_of(expr, targets) -> bool:
    """Is ``expr`` free of ``targets`` once its quotients are over one denominator and
    cancelled (see :func:`vi_sym.upto.free_of`)?"""
    out = _over_one_denominator(expr)
    return out is not None and free_of(out, targets)
