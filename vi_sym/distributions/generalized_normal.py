"""GeneralizedNormal(z, m, a, b): location m, scale a > 0, shape b > 0, on the real line
(b = 2: a Normal with s = a/√2; b = 1: a Laplace with scale a).

``log q(z) = log b - log(2a) - log Γ(1/b) - (|z - m|/a)^b``; (|z - m|/a)^b is Gamma(1/b, 1),
which gives the lemmas ``E[|z - m|^s] = a^s Γ((s + 1)/b)/Γ(1/b)`` (s > -1, which must be
provable), ``E[z] = m`` and ``E[z²] = m² + a² Γ(3/b)/Γ(1/b)``.
"""
from sympy import Abs, Integer, exp, gamma, gammasimp, log, loggamma

from .base import Spec, register
from .stats import abs_centre, power


def lemma(z, params, h):
    m, a, b = params
    k = power(h, z)
    if k == 1:
        return m, "E[z] = m of GeneralizedNormal(m, a, b)"
    if k == 2:
        return m ** 2 + a ** 2 * gamma(3 / b) / gamma(1 / b), "E[z²] = m² + a² Γ(3/b)/Γ(1/b) of GeneralizedNormal(m, a, b)"
    k, rest = h.as_independent(z, as_Add=False)         # k (c |z - m|)^s, c > 0
    base, s = (rest.base, rest.exp) if rest.is_Pow else (rest, Integer(1))
    c, base = base.as_independent(z, as_Add=False)
    centre = abs_centre(base, z) if isinstance(base, Abs) else None
    if centre is not None and not s.has(z) and c.is_positive and (centre - m).is_zero and (s + 1).is_positive:
        return (k * c ** s * a ** s * gammasimp(gamma((s + 1) / b) / gamma(1 / b)),
                "E[|z - m|^s] = a^s Γ((s+1)/b)/Γ(1/b) of GeneralizedNormal(m, a, b), s > -1")
    return None


def _logpdf(z, m, a, b):
    return log(b) - log(2 * a) - loggamma(1 / b) - (Abs(z - m) / a) ** b


SPEC = register(Spec(
    "GeneralizedNormal", ("location", "scale", "shape"), ("real", "positive", "positive"),
    _logpdf, lambda z, m, a, b: b * exp(-(Abs(z - m) / a) ** b) / (2 * a * gamma(1 / b)),
    lambda m, a, b: ("real",), lemma, breaks=lambda m, a, b: (m,),
    hint=lambda m, a, b: (a, (m - a, m + a))))
