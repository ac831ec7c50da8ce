"""Laplace(z, m, b): location m, scale b > 0, on the real line."""
from sympy import Abs, exp, log

from .base import Spec, register
from .stats import abs_centre, power


def lemma(z, params, h):
    m, b = params
    k = power(h, z)
    if k == 1:
        return m, "E[z] = m of Laplace(m, b)"
    if k == 2:
        return m ** 2 + 2 * b ** 2, "E[z^2] = m² + 2b² of Laplace(m, b)"
    c = abs_centre(h, z)
    if c is not None:
        d = Abs(m - c)
        return d + b * exp(-d / b), "E|z - c| = |m - c| + b exp(-|m - c|/b) of Laplace(m, b)"
    return None


SPEC = register(Spec(
    "Laplace", ("location", "scale"), ("real", "positive"),
    lambda z, m, b: -log(2 * b) - Abs(z - m) / b,
    lambda z, m, b: exp(-Abs(z - m) / b) / (2 * b),
    lambda m, b: ("real",), lemma, breaks=lambda m, b: (m,), hint=lambda m, b: (b, (m - b, m + b))))
