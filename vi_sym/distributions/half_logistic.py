"""HalfLogistic(z, s): |Logistic(0, s)|, scale s > 0, on (0, ∞).

``log q(z) = log 2 - log s - z/s - 2 log(1 + exp(-z/s))``.  Lemmas: ``E[z] = 2 s log 2``,
``E[z²] = π² s²/3`` (the logistic's, folded), ``E[log(1 + exp(-z/s))] = 1 - log 2`` and
``E[log(1 + exp(z/s))] = 1 + log 2`` (with u = z/s, ``∫ 2e^-u (1 + e^-u)^-2 log(1 + e^-u) du``
over (0, ∞) is ``∫_1^2 2 log v / v² dv`` for v = 1 + e^-u; the second is the first plus E[u]).
"""
import sympy
from sympy import exp, log, oo, pi

from .base import Spec, register
from .stats import power


def _softplus_sign(h, z, s):
    """+1 when h = log(1 + exp(z/s)), -1 when h = log(1 + exp(-z/s)), else None."""
    if not isinstance(h, log):
        return None
    inner = h.args[0] - 1
    if not isinstance(inner, exp):
        return None
    w = sympy.expand(inner.args[0])
    for sign in (1, -1):
        if sympy.simplify(w - sign * z / s) == 0:
            return sign
    return None


def lemma(z, params, h):
    (s,) = params
    k = power(h, z)
    if k == 1:
        return 2 * s * log(2), "E[z] = 2 s log 2 of HalfLogistic(s)"
    if k == 2:
        return pi ** 2 * s ** 2 / 3, "E[z²] = π² s²/3 of HalfLogistic(s)"
    sign = _softplus_sign(h, z, s)
    if sign == -1:
        return 1 - log(2), "E[log(1 + exp(-z/s))] = 1 - log 2 of HalfLogistic(s)"
    if sign == 1:
        return 1 + log(2), "E[log(1 + exp(z/s))] = 1 + log 2 of HalfLogistic(s)"
    return None


SPEC = register(Spec(
    "HalfLogistic", ("scale",), ("positive",),
    lambda z, s: log(2) - log(s) - z / s - 2 * log(1 + exp(-z / s)),
    lambda z, s: 2 * exp(-z / s) / (s * (1 + exp(-z / s)) ** 2),
    lambda s: ("interval", 0, oo), lemma, hint=lambda s: (s, (s, 5 * s))))
