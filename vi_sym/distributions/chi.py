"""Chi(z, k), Rayleigh(z, s), Maxwell(z, a) and Nakagami(z, m, w): the length of a k-dimensional
standard normal vector, scaled -- Rayleigh is k = 2 with scale s, Maxwell(-Boltzmann) k = 3 with
scale a, Nakagami k = 2m with scale √(w/(2m)) (shape m, spread w = E[z²]) -- on (0, ∞).

The density of the scaled chi with k > 0 degrees of freedom and scale s > 0 is
``z^(k-1) exp(-z²/(2s²)) / (2^(k/2-1) s^k Γ(k/2))``; its lemmas, for every k and s:
``E[z^n] = s^n 2^(n/2) Γ((k+n)/2)/Γ(k/2)`` (n > -k, which must be provable) and
``E[log z] = log s + (log 2 + ψ(k/2))/2``.
"""
import math

from sympy import Integer, digamma, exp, gamma, log, loggamma, oo, sqrt

from .base import Spec, register
from .stats import is_log, real_power


def _logpdf(z, k, s):
    return (k - 1) * log(z) - z ** 2 / (2 * s ** 2) - (k / 2 - 1) * log(2) - k * log(s) - loggamma(k / 2)


def _lemma(z, k, s, h, name):
    if is_log(h, z):
        return log(s) + (log(2) + digamma(k / 2)) / 2, f"E[log z] = log s + (log 2 + ψ(k/2))/2 of {name}"
    rp = real_power(h, z)
    if rp and (k + rp[1]).is_positive:      # finite only for n > -k, which must be provable
        c, n = rp
        return (c * s ** n * 2 ** (n / 2) * gamma((k + n) / 2) / gamma(k / 2),
                f"E[z^n] = s^n 2^(n/2) Γ((k+n)/2)/Γ(k/2) of {name}, n > -k")
    return None


def _spec(kind, pnames, domains, k_of, s_of):
    return register(Spec(
        kind, pnames, domains,
        lambda z, *p: _logpdf(z, k_of(*p), s_of(*p)), lambda z, *p: exp(_logpdf(z, k_of(*p), s_of(*p))),
        lambda *p: ("interval", 0, oo),
        lambda z, params, h: _lemma(z, k_of(*params), s_of(*params), h, f"{kind}({', '.join(map(str, params))})"),
        hint=lambda *p: _hint(float(k_of(*p)), float(s_of(*p)))))


def _hint(k, s):
    """The length scale s, and the mode s·√(k - 1) (k > 1) or s."""
    return s, (s * math.sqrt(k - 1) if k > 1 else s,)


CHI = _spec("Chi", ("degrees of freedom",), ("positive",), lambda k: k, lambda k: Integer(1))
RAYLEIGH = _spec("Rayleigh", ("scale",), ("positive",), lambda s: Integer(2), lambda s: s)
MAXWELL = _spec("Maxwell", ("scale",), ("positive",), lambda a: Integer(3), lambda a: a)
NAKAGAMI = _spec("Nakagami", ("shape", "spread"), ("positive", "positive"), lambda m, w: 2 * m,
                 lambda m, w: sqrt(w / (2 * m)))

