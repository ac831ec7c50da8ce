"""Weibull(z, k, lam): shape k > 0, scale lam > 0, on (0, ∞)."""
from sympy import EulerGamma, exp, gamma, log, oo

from .base import Spec, register
from .stats import is_log, real_power


def lemma(z, params, h):
    k, lam = params
    if is_log(h, z):
        return log(lam) - EulerGamma / k, "E[log z] = log λ - γ/k of Weibull(k, λ)"
    rp = real_power(h, z)
    if rp and (1 + rp[1] / k).is_positive:
        c, a = rp
        return c * lam ** a * gamma(1 + a / k), "E[z^a] = λ^a Γ(1 + a/k) of Weibull(k, λ)"
    return None


def _logpdf(z, k, lam):
    return log(k) - k * log(lam) + (k - 1) * log(z) - (z / lam) ** k


SPEC = register(Spec(
    "Weibull", ("shape", "scale"), ("positive", "positive"),
    _logpdf, lambda z, k, lam: exp(_logpdf(z, k, lam)),
    lambda k, lam: ("interval", 0, oo), lemma, hint=lambda k, lam: (lam, (lam,))))
