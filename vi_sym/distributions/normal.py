"""Normal(z, m, s): mean m, standard deviation s > 0, on the real line."""
from sympy import binomial, erf, exp, factorial2, log, pi, sqrt

from .base import Spec, register
from .stats import abs_centre, exp_linear, power


def _moment(k, m, s):
    return sum(binomial(k, j) * m ** (k - j) * s ** j * factorial2(j - 1) for j in range(0, k + 1, 2))


def lemma(z, params, h):
    m, s = params
    k = power(h, z)
    if k:
        return _moment(k, m, s), f"E[{'z' if k == 1 else f'z^{k}'}] of Normal(m, s)"
    lin = exp_linear(h, z)
    if lin:
        a, b = lin
        return exp(b + a * m + a ** 2 * s ** 2 / 2), "E[exp(a z + b)] = exp(b + a m + a² s²/2) of Normal(m, s)"
    c = abs_centre(h, z)
    if c is not None:       # the mean of a folded normal
        d = m - c
        return (s * sqrt(2 / pi) * exp(-d ** 2 / (2 * s ** 2)) + d * erf(d / (sqrt(2) * s)),
                "E|z - c| = s √(2/π) exp(-(m - c)²/(2s²)) + (m - c) erf((m - c)/(√2 s)) of Normal(m, s)")
    return None


SPEC = register(Spec(
    "Normal", ("mean", "scale"), ("real", "positive"),
    lambda z, m, s: -log(s) - log(2 * pi) / 2 - (z - m) ** 2 / (2 * s ** 2),
    lambda z, m, s: exp(-(z - m) ** 2 / (2 * s ** 2)) / (sqrt(2 * pi) * s),
    lambda m, s: ("real",), lemma, breaks=lambda m, s: (m,),
    hint=lambda m, s: (s, (m - s, m + s)), fast=True))
