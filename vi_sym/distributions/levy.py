"""Levy(z, m, c): location m (real), scale c > 0, on (m, ∞); 1/(z - m) is Gamma(1/2, rate c/2).

``log q(z) = log(c/(2π))/2 - c/(2(z - m)) - (3/2) log(z - m)``.  Lemmas (for the shift m of
the distribution itself, any positive factor s): ``E[1/(z - m)] = 1/c``, ``E[(z - m)^a] =
(c/2)^a Γ(1/2 - a)/√π`` for a < 1/2 (the mean is infinite), ``E[log(z - m)] = log c + γ + log 2``.
"""
from sympy import EulerGamma, Rational, exp, gamma, log, oo, pi, simplify, sqrt

from .base import Spec, register
from .stats import affine_power, log_affine, side_condition


def _shift(s, t, m) -> bool:
    """s z + t = s (z - m) with s > 0."""
    return side_condition(s) and simplify(t + s * m) == 0


def lemma(z, params, h):
    m, c = params
    found = log_affine(h, z)
    if found and _shift(*found, m):
        return log(found[0]) + log(c) + EulerGamma + log(2), \
            "E[log(z - m)] = log c + γ + log 2 of Levy(m, c)"
    found = affine_power(h, z)
    if found and _shift(found[0], found[1], m) and side_condition(1 - 2 * found[2]):
        s, _, a = found
        return s ** a * (c / 2) ** a * gamma(Rational(1, 2) - a) / sqrt(pi), \
            "E[(z - m)^a] = (c/2)^a Γ(1/2 - a)/√π, a < 1/2, of Levy(m, c)"
    return None


def _logpdf(z, m, c):
    return log(c / (2 * pi)) / 2 - c / (2 * (z - m)) - 3 * log(z - m) / 2


SPEC = register(Spec(
    "Levy", ("location", "scale"), ("real", "positive"),
    _logpdf, lambda z, m, c: sqrt(c / (2 * pi)) * exp(-c / (2 * (z - m))) * (z - m) ** Rational(-3, 2),
    lambda m, c: ("interval", m, oo), lemma, hint=lambda m, c: (c, (m + c / 3, m + c, m + 10 * c))))
