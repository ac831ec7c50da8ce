"""InverseGaussian(z, m, l): mean m > 0, shape l > 0 (the Wald distribution), on (0, ∞).

``log q(z) = log(l)/2 - log(2π)/2 - 3 log(z)/2 - l (z - m)²/(2 m² z)``.  Lemmas: ``E[z] = m``,
``E[z²] = m² + m³/l``, ``E[1/z] = 1/m + 1/l`` (``E[log z]`` has no elementary form, so the
entropy is not closed; in a KL between two of them the log z terms cancel).
"""
from sympy import exp, log, oo, pi, sqrt

from .base import Spec, register
from .stats import power, real_power


def lemma(z, params, h):
    m, l = params
    k = power(h, z)
    if k == 1:
        return m, "E[z] = m of InverseGaussian(m, l)"
    if k == 2:
        return m ** 2 + m ** 3 / l, "E[z²] = m² + m³/l of InverseGaussian(m, l)"
    rp = real_power(h, z)
    if rp and rp[1] == -1:
        return rp[0] * (1 / m + 1 / l), "E[1/z] = 1/m + 1/l of InverseGaussian(m, l)"
    return None


def _logpdf(z, m, l):
    return log(l) / 2 - log(2 * pi) / 2 - 3 * log(z) / 2 - l * (z - m) ** 2 / (2 * m ** 2 * z)


SPEC = register(Spec(
    "InverseGaussian", ("mean", "shape"), ("positive", "positive"),
    _logpdf, lambda z, m, l: sqrt(l / (2 * pi * z ** 3)) * exp(-l * (z - m) ** 2 / (2 * m ** 2 * z)),
    lambda m, l: ("interval", 0, oo), lemma, breaks=lambda m, l: (m,),
    hint=lambda m, l: (min(m, (m ** 3 / l) ** 0.5), (m,))))
