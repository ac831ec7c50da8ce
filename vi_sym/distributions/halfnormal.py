"""HalfNormal(z, s): |N(0, s²)|, s > 0, on (0, ∞)."""
from sympy import EulerGamma, Rational, exp, gamma, log, oo, pi, sqrt

from .base import Spec, register
from .stats import is_log, power


def lemma(z, params, h):
    (s,) = params
    k = power(h, z)
    if k:
        return s ** k * 2 ** Rational(k, 2) * gamma(Rational(k + 1, 2)) / sqrt(pi), \
            f"E[{'z' if k == 1 else f'z^{k}'}] = s^k 2^(k/2) Γ((k+1)/2)/√π of HalfNormal(s)"
    if is_log(h, z):
        return log(s) - (EulerGamma + log(2)) / 2, "E[log z] = log s - (γ + log 2)/2 of HalfNormal(s)"
    return None


SPEC = register(Spec(
    "HalfNormal", ("scale",), ("positive",),
    lambda z, s: log(2) / 2 - log(pi) / 2 - log(s) - z ** 2 / (2 * s ** 2),
    lambda z, s: sqrt(2) * exp(-z ** 2 / (2 * s ** 2)) / (sqrt(pi) * s),
    lambda s: ("interval", 0, oo), lemma, hint=lambda s: (s, (s, 3 * s))))
