"""Frechet(z, a, s): shape a > 0, scale s > 0 (location 0), on (0, ∞); the inverse Weibull.

``log q(z) = log a - log s - (1 + a)(log z - log s) - (z/s)^(-a)``.  u = (z/s)^(-a) is Exponential(1),
which gives the lemmas ``E[z^n] = s^n Γ(1 - n/a)`` (n < a, which must be provable) and
``E[log z] = log s + γ/a``.
"""
from sympy import EulerGamma, exp, gamma, log, oo

from .base import Spec, register
from .stats import is_log, real_power


def lemma(z, params, h):
    a, s = params
    if is_log(h, z):
        return log(s) + EulerGamma / a, "E[log z] = log s + γ/a of Frechet(a, s)"
    rp = real_power(h, z)
    if rp and (a - rp[1]).is_positive:      # finite only for n < a, which must be provable
        c, n = rp
        return c * s ** n * gamma(1 - n / a), "E[z^n] = s^n Γ(1 - n/a) of Frechet(a, s), n < a"
    return None


def _logpdf(z, a, s):
    return log(a) - log(s) - (1 + a) * (log(z) - log(s)) - (z / s) ** (-a)


SPEC = register(Spec(
    "Frechet", ("shape", "scale"), ("positive", "positive"),
    _logpdf, lambda z, a, s: a / s * (z / s) ** (-1 - a) * exp(-(z / s) ** (-a)),
    lambda a, s: ("interval", 0, oo), lemma, hint=lambda a, s: (s, (s,))))
