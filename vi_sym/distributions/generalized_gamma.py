"""GeneralizedGamma(z, a, d, p): Stacy's generalized gamma, scale a > 0, shapes d > 0 and p > 0,
on (0, ∞) -- the density (p/a^d) z^(d-1) exp(-(z/a)^p) / Γ(d/p).  The Gamma (p = 1), the
Weibull (d = p), the half-normal and the chi kinds (p = 2) are special cases.

``log q(z) = log p - d log a + (d - 1) log z - (z/a)^p - log Γ(d/p)``.  Lemmas: ``(z/a)^p`` is
Gamma(d/p, 1), so ``E[log z] = log a + ψ(d/p)/p`` and ``E[z^r] = a^r Γ((d + r)/p)/Γ(d/p)``
for ``r > -d`` (infinite otherwise: no lemma).
"""
from sympy import digamma, exp, gamma, gammasimp, log, loggamma, oo

from .base import Spec, register
from .stats import is_log, real_power, side_condition


def lemma(z, params, h):
    a, d, p = params
    if is_log(h, z):
        return log(a) + digamma(d / p) / p, "E[log z] = log a + ψ(d/p)/p of GeneralizedGamma(a, d, p)"
    rp = real_power(h, z)
    if rp and side_condition(d + rp[1]):
        c, r = rp
        return (c * a ** r * gammasimp(gamma((d + r) / p) / gamma(d / p)),
                "E[z^r] = a^r Γ((d + r)/p)/Γ(d/p), r > -d, of GeneralizedGamma(a, d, p)")
    return None


def _logpdf(z, a, d, p):
    return log(p) - d * log(a) + (d - 1) * log(z) - (z / a) ** p - loggamma(d / p)


SPEC = register(Spec(
    "GeneralizedGamma", ("scale", "shape d", "shape p"), ("positive", "positive", "positive"),
    _logpdf, lambda z, a, d, p: p * z ** (d - 1) * exp(-(z / a) ** p) / (a ** d * gamma(d / p)),
    lambda a, d, p: ("interval", 0, oo), lemma, hint=lambda a, d, p: (a, (a,))))
