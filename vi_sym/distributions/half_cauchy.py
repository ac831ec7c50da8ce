"""HalfCauchy(z, s): |Cauchy(0, s)|, scale s > 0, on (0, ∞).

``log q(z) = log(2/(π s)) - log(1 + z²/s²)``.  Lemmas (the Cauchy's, folded at 0):
``E[log(z² + b²)] = 2 log(s + b)`` for b > 0, ``E[log z] = log s`` (z/s and s/z have one law),
``E[z^a] = s^a / cos(πa/2)`` for -1 < a < 1 (the mean is infinite).
"""
from sympy import cos, log, oo, pi, simplify, sqrt

from .base import Spec, register
from .stats import is_log, log_quadratic, real_power, side_condition


def lemma(z, params, h):
    (s,) = params
    if is_log(h, z):
        return log(s), "E[log z] = log s of HalfCauchy(s)"
    found = log_quadratic(h, z)
    if found:
        alpha, centre, width2 = found
        if simplify(centre) == 0 and side_condition(alpha) and side_condition(width2):
            return log(alpha) + 2 * log(s + sqrt(width2)), "E[log(z² + b²)] = 2 log(s + b) of HalfCauchy(s)"
        return None
    rp = real_power(h, z)
    if rp and side_condition(1 - rp[1]) and side_condition(1 + rp[1]):
        c, a = rp
        return c * s ** a / cos(pi * a / 2), "E[z^a] = s^a/cos(πa/2), -1 < a < 1, of HalfCauchy(s)"
    return None


SPEC = register(Spec(
    "HalfCauchy", ("scale",), ("positive",),
    lambda z, s: log(2 / (pi * s)) - log(1 + z ** 2 / s ** 2),
    lambda z, s: 2 / (pi * s * (1 + z ** 2 / s ** 2)),
    lambda s: ("interval", 0, oo), lemma, hint=lambda s: (s, (s, 10 * s))))
