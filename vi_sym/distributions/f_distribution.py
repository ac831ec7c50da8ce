"""FDistribution(z, d1, d2): degrees of freedom d1, d2 > 0, on (0, ∞); (d1/d2)·z is
BetaPrime(d1/2, d2/2).

``log q(z) = (d1/2) log(d1/d2) + (d1/2 - 1) log z - ((d1 + d2)/2) log(1 + d1 z/d2) - log B(d1/2, d2/2)``.
Lemmas: ``E[log z] = log(d2/d1) + ψ(d1/2) - ψ(d2/2)``, ``E[log(1 + d1 z/d2)] = ψ((d1 + d2)/2) -
ψ(d2/2)`` and ``E[z^n] = (d2/d1)^n B(d1/2 + n, d2/2 - n)/B(d1/2, d2/2)`` for -d1/2 < n < d2/2
(both must be provable).
"""
import sympy
from sympy import beta, digamma, exp, log, oo

from .base import Spec, register
from .stats import is_log, real_power


def lemma(z, params, h):
    d1, d2 = params
    if is_log(h, z):
        return log(d2 / d1) + digamma(d1 / 2) - digamma(d2 / 2), "E[log z] = log(d2/d1) + ψ(d1/2) - ψ(d2/2) of F(d1, d2)"
    if isinstance(h, log) and sympy.simplify(h.args[0] - (1 + d1 * z / d2)) == 0:
        return (digamma((d1 + d2) / 2) - digamma(d2 / 2),
                "E[log(1 + d1 z/d2)] = ψ((d1 + d2)/2) - ψ(d2/2) of F(d1, d2)")
    rp = real_power(h, z)
    if rp and (d1 / 2 + rp[1]).is_positive and (d2 / 2 - rp[1]).is_positive:
        c, n = rp
        return (c * (d2 / d1) ** n * beta(d1 / 2 + n, d2 / 2 - n) / beta(d1 / 2, d2 / 2),
                "E[z^n] = (d2/d1)^n B(d1/2 + n, d2/2 - n)/B(d1/2, d2/2) of F(d1, d2), -d1/2 < n < d2/2")
    return None


def _logpdf(z, d1, d2):
    return (d1 / 2 * log(d1 / d2) + (d1 / 2 - 1) * log(z) - (d1 + d2) / 2 * log(1 + d1 * z / d2)
            - log(beta(d1 / 2, d2 / 2)))


SPEC = register(Spec(
    "FDistribution", ("numerator degrees of freedom", "denominator degrees of freedom"), ("positive", "positive"),
    _logpdf, lambda z, d1, d2: exp(_logpdf(z, d1, d2)),
    lambda d1, d2: ("interval", 0, oo), lemma, hint=lambda d1, d2: (1.0, (1.0,))))
