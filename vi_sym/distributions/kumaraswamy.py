"""Kumaraswamy(z, a, b): shapes a, b > 0, on (0, 1); density ``a b z^(a-1) (1 - z^a)^(b-1)``.

z^a is Beta(1, b), which gives the lemmas: ``E[z^n] = b B(1 + n/a, b)`` (n > -a, which must
be provable), ``E[log z] = (ψ(1) - ψ(b + 1))/a`` and ``E[log(1 - z^a)] = ψ(b) - ψ(b + 1) = -1/b``.
"""
from sympy import EulerGamma, beta, digamma, exp, log

from .base import Spec, register
from .stats import is_log, real_power


def lemma(z, params, h):
    a, b = params
    if is_log(h, z):
        return -(EulerGamma + digamma(b + 1)) / a, "E[log z] = (ψ(1) - ψ(b+1))/a of Kumaraswamy(a, b)"
    if h == log(1 - z ** a):
        return -1 / b, "E[log(1 - z^a)] = -1/b of Kumaraswamy(a, b)"
    rp = real_power(h, z)
    if rp and (a + rp[1]).is_positive:      # finite only for n > -a, which must be provable
        c, n = rp
        return c * b * beta(1 + n / a, b), "E[z^n] = b B(1 + n/a, b) of Kumaraswamy(a, b), n > -a"
    return None


def _logpdf(z, a, b):
    return log(a) + log(b) + (a - 1) * log(z) + (b - 1) * log(1 - z ** a)


SPEC = register(Spec(
    "Kumaraswamy", ("first shape", "second shape"), ("positive", "positive"),
    _logpdf, lambda z, a, b: a * b * z ** (a - 1) * (1 - z ** a) ** (b - 1),
    lambda a, b: ("interval", 0, 1), lemma, hint=lambda a, b: (0.25, (0.5,))))
