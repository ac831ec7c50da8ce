"""Triangular(z, lo, hi, mode): lo < mode < hi, on (lo, hi); the density rises linearly from lo to
its peak 2/(hi - lo) at the mode and falls linearly to hi.

``log q(z) = log(2/(hi - lo)) + log min(u, v)`` with ``u = (z - lo)/(mode - lo)`` and
``v = (hi - z)/(hi - mode)`` (each 1 at the mode; the smaller one is the density's side), written
with sympy's ``Min`` -- a kink at the mode, where the quadrature splits.  Lemmas:
``E[z] = (lo + hi + mode)/3``, ``E[z²] = (lo² + hi² + mode² + lo·hi + lo·mode + hi·mode)/6``, and
``E[log min(u, v)] = -1/2`` (each side contributes -(its width)/(2(hi - lo)): ∫₀¹ 2t log t dt =
-1/2), so the entropy is 1/2 + log((hi - lo)/2), whatever the mode.
"""
from sympy import Min, Rational, log, simplify

from .base import Spec, register
from .stats import power


def _sides(z, lo, hi, mode):
    return (z - lo) / (mode - lo), (hi - z) / (hi - mode)


def lemma(z, params, h):
    lo, hi, mode = params
    k = power(h, z)
    if k == 1:
        return (lo + hi + mode) / 3, "E[z] = (a + b + c)/3 of Triangular(a, b, c)"
    if k == 2:
        return (lo ** 2 + hi ** 2 + mode ** 2 + lo * hi + lo * mode + hi * mode) / 6, \
            "E[z²] = (a² + b² + c² + ab + ac + bc)/6 of Triangular(a, b, c)"
    shape = log(Min(*_sides(z, lo, hi, mode)))
    if h.has(Min) and simplify(h - shape) == 0:
        return -Rational(1, 2), "E[log min((z - a)/(c - a), (b - z)/(b - c))] = -1/2 of Triangular(a, b, c)"
    return None


SPEC = register(Spec(
    "Triangular", ("lower end", "upper end", "mode"), ("real", "real", "real"),
    lambda z, a, b, c: log(2 / (b - a)) + log(Min(*_sides(z, a, b, c))),
    lambda z, a, b, c: 2 / (b - a) * Min(*_sides(z, a, b, c)),
    lambda a, b, c: ("interval", a, b), lemma,
    breaks=lambda a, b, c: (c,), hint=lambda a, b, c: (b - a, (c,)),
    constraints=lambda a, b, c: [(c - a, "the mode must exceed the lower end; write it as lower + u with u "
                                         "declared under positive:"),
                                 (b - c, "the upper end must exceed the mode; write it as mode + v with v "
                                         "declared under positive:")]))
