"""LogNormal(z, m, s): log z ~ Normal(m, s), s > 0, on (0, ∞)."""
import math

from sympy import exp, log, oo, pi

from .base import Spec, register
from .stats import is_log, real_power


def lemma(z, params, h):
    m, s = params
    if is_log(h, z):
        return m, "E[log z] = m of LogNormal(m, s)"
    if h == log(z) ** 2:
        return m ** 2 + s ** 2, "E[(log z)^2] = m² + s² of LogNormal(m, s)"
    rp = real_power(h, z)
    if rp:
        c, a = rp
        return c * exp(a * m + a ** 2 * s ** 2 / 2), "E[z^a] = exp(a m + a² s²/2) of LogNormal(m, s)"
    return None


def _logpdf(z, m, s):
    return -log(z) - log(s) - log(2 * pi) / 2 - (log(z) - m) ** 2 / (2 * s ** 2)


SPEC = register(Spec(
    "LogNormal", ("log-mean", "log-scale"), ("real", "positive"),
    _logpdf, lambda z, m, s: exp(_logpdf(z, m, s)),
    lambda m, s: ("interval", 0, oo), lemma, hint=lambda m, s: (math.exp(m), (math.exp(m),))))
