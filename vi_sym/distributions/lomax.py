"""Lomax(z, a, l): shape a > 0, scale l > 0, on (0, ∞) (the Pareto of the second kind, shifted
to start at 0); z/l is BetaPrime(1, a) and log(1 + z/l) is Exponential(a).

``log q(z) = log(a/l) - (a + 1) log(1 + z/l)``.  Lemmas: ``E[log(1 + z/l)] = 1/a`` (any positive
multiple of z + l), ``E[log z] = log l - γ - ψ(a)``, ``E[z^n] = l^n Γ(1 + n) Γ(a - n)/Γ(a)`` for
-1 < n < a.
"""
from sympy import EulerGamma, digamma, gamma, log, oo, simplify

from .base import Spec, register
from .stats import is_log, log_affine, real_power, side_condition


def lemma(z, params, h):
    a, lam = params
    if is_log(h, z):
        return log(lam) - EulerGamma - digamma(a), "E[log z] = log l - γ - ψ(a) of Lomax(a, l)"
    found = log_affine(h, z)
    if found:                                     # log(s z + t) = log t + log(1 + z/l) when t/s = l
        s, t = found
        if side_condition(s) and simplify(t - s * lam) == 0:
            return log(t) + 1 / a, "E[log(1 + z/l)] = 1/a of Lomax(a, l)"
        return None
    rp = real_power(h, z)
    if rp and side_condition(1 + rp[1]) and side_condition(a - rp[1]):
        c, n = rp
        return c * lam ** n * gamma(1 + n) * gamma(a - n) / gamma(a), \
            "E[z^n] = l^n Γ(1 + n) Γ(a - n)/Γ(a), -1 < n < a, of Lomax(a, l)"
    return None


SPEC = register(Spec(
    "Lomax", ("shape", "scale"), ("positive", "positive"),
    lambda z, a, lam: log(a / lam) - (a + 1) * log(1 + z / lam),
    lambda z, a, lam: a / lam * (1 + z / lam) ** (-a - 1),
    lambda a, lam: ("interval", 0, oo), lemma, hint=lambda a, lam: (lam, (lam, 10 * lam))))
