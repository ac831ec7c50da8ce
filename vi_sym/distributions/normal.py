"""Normal(z, m, s): mean m, standard deviation s > 0, on the real line."""
from sympy import binomial, erf, exp, factorial2, log, pi, sqrt

from .base import Spec, register
from .stats import abs_centre, exp_linear, exp_quadratic, power, side_condition


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
    quad = exp_quadratic(h, z)
    if quad and side_condition(1 - 2 * quad[0] * s ** 2):    # finite only for A < 1/(2s²)
        a2, a1, a0 = quad                # z = m + s ε: E[exp(α ε² + β ε)] = exp(β²/(2(1 - 2α)))/√(1 - 2α)
        w = 1 - 2 * a2 * s ** 2
        return (exp(a0 + a2 * m ** 2 + a1 * m + (2 * a2 * m * s + a1 * s) ** 2 / (2 * w)) / sqrt(w),
                "E[exp(A z² + B z + C)] = exp(C + A m² + B m + (2Ams + Bs)²/(2(1 - 2As²)))/√(1 - 2As²) "
                "of Normal(m, s), A < 1/(2s²)")
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
