"""Gumbel(z, m, b): location m, scale b > 0 (the maximum-value Gumbel), on the real line."""
from sympy import EulerGamma, exp, gamma, log, pi

from .base import Spec, register
from .stats import exp_linear, power


def lemma(z, params, h):
    m, b = params
    k = power(h, z)
    if k == 1:
        return m + EulerGamma * b, "E[z] = m + γ b of Gumbel(m, b)"
    if k == 2:
        return (m + EulerGamma * b) ** 2 + pi ** 2 * b ** 2 / 6, "E[z^2] = (m + γb)² + π²b²/6 of Gumbel(m, b)"
    lin = exp_linear(h, z)
    if lin and (1 - lin[0] * b).is_positive:
        a, c = lin
        return exp(c + a * m) * gamma(1 - a * b), "E[exp(a z + c)] = exp(c + a m) Γ(1 - a b), a b < 1, of Gumbel(m, b)"
    return None


def _logpdf(z, m, b):
    return -log(b) - (z - m) / b - exp(-(z - m) / b)


SPEC = register(Spec(
    "Gumbel", ("location", "scale"), ("real", "positive"),
    _logpdf, lambda z, m, b: exp(_logpdf(z, m, b)),
    lambda m, b: ("real",), lemma, breaks=lambda m, b: (m,), hint=lambda m, b: (b, (m - b, m + 3 * b))))
