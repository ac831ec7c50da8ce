"""Supports of defined densities and their base measures (pure sympy, no numpy: the
prover of claims needs them without loading the numeric back-ends)."""
from __future__ import annotations

import math

import sympy

__all__ = ["CONTINUOUS", "DISCRETE", "base_measure", "supports_nest"]

#: support shapes (``Dist.support()[0]``) by base measure
CONTINUOUS = frozenset({"real", "interval"})
DISCRETE = frozenset({"finite", "count", "integers"})


def base_measure(support) -> str:
    """'lebesgue' for a continuous support, 'counting' for a finite or count support, the
    simplex's own measure for a Dirichlet coordinate."""
    if support[0] == "simplex":
        return f"simplex {support[3]}"
    if support[0] in CONTINUOUS:
        return "lebesgue"
    if support[0] in DISCRETE:
        return "counting"
    raise ValueError(f"unknown support {support!r}")


def supports_nest(outer, inner, le=lambda a, b: bool(sympy.sympify(b - a, strict=True).is_nonnegative)):
    """Does support ``inner`` lie inside support ``outer`` *under the same base measure*?
    (The real line gives a finite or count support measure zero: a KL between a discrete
    and a continuous density is +∞.)  ``le(a, b)`` decides ``a <= b`` for interval ends
    (symbolically by default)."""
    if base_measure(outer) != base_measure(inner):
        return False
    if tuple(outer) == tuple(inner) or outer[0] == "real":
        return True
    if outer[0] == "interval":
        return inner[0] == "interval" and le(outer[1], inner[1]) and le(inner[2], outer[2])
    if outer[0] in ("count", "integers"):
        lo, hi = (0, sympy.oo) if outer[0] == "count" else outer[1:]
        if inner[0] in ("count", "integers"):
            ilo, ihi = (0, sympy.oo) if inner[0] == "count" else inner[1:]
            return _end_le(lo, ilo, le) and _end_le(ihi, hi, le)
        return all(int(k) == k and _end_le(lo, k, le) and _end_le(k, hi, le) for k in inner[1])
    return inner[0] == "finite" and set(inner[1]) <= set(outer[1])


def _end_le(a, b, le) -> bool:
    """a <= b for support ends that may be ±oo (sympy or mpmath/float infinities)."""
    if a == -sympy.oo or a == -math.inf or b == sympy.oo or b == math.inf or a == b:
        return True
    if a == sympy.oo or a == math.inf or b == -sympy.oo or b == -math.inf:
        return False
    return le(a, b)
