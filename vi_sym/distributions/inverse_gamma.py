"""InverseGamma(z, a, b): 1/z ~ Gamma(a, b); shape a > 0, scale b > 0, on (0, ∞)."""
from sympy import digamma, exp, gamma, log, loggamma, oo

from .base import Spec, register
from .stats import is_log, real_power, rising


def lemma(z, params, h):
    a, b = params
    if is_log(h, z):
        return log(b) - digamma(a), "E[log z] = log b - ψ(a) of InverseGamma(a, b)"
    if h.is_Pow and h.base == z and h.exp.is_Integer and h.exp < 0:
        k = int(-h.exp)
        return rising(a, k) / b ** k, f"E[z^-{k}] = a(a+1)…/b^{k} of InverseGamma(a, b)"
    rp = real_power(h, z)
    if rp and (a - rp[1]).is_positive:          # finite only for s < a, which must be provable
        c, s = rp
        return c * b ** s * gamma(a - s) / gamma(a), "E[z^s] = b^s Γ(a-s)/Γ(a) of InverseGamma(a, b), s < a"
    return None


def _logpdf(z, a, b):
    return a * log(b) - loggamma(a) - (a + 1) * log(z) - b / z


SPEC = register(Spec(
    "InverseGamma", ("shape", "scale"), ("positive", "positive"),
    _logpdf, lambda z, a, b: exp(_logpdf(z, a, b)),
    lambda a, b: ("interval", 0, oo), lemma, hint=lambda a, b: (b / (a + 1), (b / (a + 1),))))
