"""Where an integrand jumps or kinks: the points a quadrature splits its range at.

A rule converges on a smooth piece; across a kink (|z - c|, max(z, c)) or a jump (H(z - a),
sign(z - c)) its error estimate stalls, and two rules disagree -- a tent density written as
``(w - |z - w|)/w²`` was "not evaluable" until its range was cut at z = w.
"""
from __future__ import annotations

import sympy

__all__ = ["window_ends", "linear_zero"]


def linear_zero(arg, z):
    """The zero of ``arg`` when it is linear in ``z`` (a nonzero coefficient free of z), else None."""
    arg = sympy.expand(arg)
    c = arg.coeff(z, 1)
    if c != 0 and not c.has(z) and not (arg - c * z).has(z):
        return -(arg - c * z) / c
    return None


def window_ends(g, z) -> list:
    """The points where ``g`` jumps or kinks in ``z`` -- a window H(z - a), |z - c|, sign(z - c),
    max(z, c) -- whose argument is linear in ``z``: the quadrature splits there (a rule
    converges on a smooth piece; across a kink it would not, and mpmath would be called in)."""
    args = [a.args[0] for a in g.atoms(sympy.Heaviside, sympy.Abs, sympy.sign)]
    for m in g.atoms(sympy.Max, sympy.Min):
        args += [a - b for i, a in enumerate(m.args) for b in m.args[i + 1:]]
    out = {x for x in (linear_zero(a, z) for a in args if a.has(z)) if x is not None}
    return sorted(out, key=str)
