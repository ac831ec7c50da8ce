"""ChiSquared(z, k): k > 0 degrees of freedom (Gamma(k/2, rate 1/2)), on (0, ∞)."""
from sympy import digamma, exp, log, loggamma, oo

from .base import Spec, register
from .stats import is_log, power, rising


def lemma(z, params, h):
    (k,) = params
    n = power(h, z)
    if n:
        return rising(k / 2, n) * 2 ** n, f"E[{'z' if n == 1 else f'z^{n}'}] = 2^n (k/2)(k/2+1)… of ChiSquared(k)"
    if is_log(h, z):
        return digamma(k / 2) + log(2), "E[log z] = ψ(k/2) + log 2 of ChiSquared(k)"
    return None


def _logpdf(z, k):
    return (k / 2 - 1) * log(z) - z / 2 - k * log(2) / 2 - loggamma(k / 2)


SPEC = register(Spec(
    "ChiSquared", ("degrees of freedom",), ("positive",),
    _logpdf, lambda z, k: exp(_logpdf(z, k)),
    lambda k: ("interval", 0, oo), lemma, hint=lambda k: (2.0, (k,))))
