"""BetaPrime(z, a, b): shapes a, b > 0, on (0, ∞); z/(1 + z) is Beta(a, b).

``log q(z) = (a - 1) log z - (a + b) log(1 + z) - log B(a, b)``.  Lemmas:
``E[log z] = ψ(a) - ψ(b)``, ``E[log(1 + z)] = ψ(a + b) - ψ(b)``, and ``E[z^n] =
B(a + n, b - n)/B(a, b)`` for -a < n < b (both must be provable).
"""
from sympy import beta, digamma, exp, log, oo

from .base import Spec, register
from .stats import is_log, real_power


def lemma(z, params, h):
    a, b = params
    if is_log(h, z):
        return digamma(a) - digamma(b), "E[log z] = ψ(a) - ψ(b) of BetaPrime(a, b)"
    if h == log(1 + z):
        return digamma(a + b) - digamma(b), "E[log(1 + z)] = ψ(a + b) - ψ(b) of BetaPrime(a, b)"
    rp = real_power(h, z)
    if rp and (a + rp[1]).is_positive and (b - rp[1]).is_positive:
        c, n = rp
        return c * beta(a + n, b - n) / beta(a, b), "E[z^n] = B(a + n, b - n)/B(a, b) of BetaPrime(a, b), -a < n < b"
    return None


def _logpdf(z, a, b):
    return (a - 1) * log(z) - (a + b) * log(1 + z) - log(beta(a, b))


SPEC = register(Spec(
    "BetaPrime", ("first shape", "second shape"), ("positive", "positive"),
    _logpdf, lambda z, a, b: z ** (a - 1) * (1 + z) ** (-a - b) / beta(a, b),
    lambda a, b: ("interval", 0, oo), lemma, hint=lambda a, b: (1.0, (1.0,))))
