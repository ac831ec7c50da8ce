"""Logistic(z, m, s): location m, scale s > 0, on the real line.

``log q(z) = -(z - m)/s - log s - 2 log(1 + exp(-(z - m)/s))``.  Lemmas: ``E[z] = m``,
``E[z²] = m² + π² s²/3``, and ``E[log(1 + exp(±(z - m)/s))] = 1`` (for the standard logistic
u, ``E[log(1 + e^u)] = E[log(1 + e^-u)]`` by symmetry, and their difference is ``E[u] = 0``;
their sum is ``E[log(e^u + 2 + e^-u)] = E[-log p(u)] = H = 2``).
"""
import sympy
from sympy import exp, log, pi

from .base import Spec, register
from .stats import power


def _softplus_of_standardised(h, z, m, s) -> bool:
    """Is h = log(1 + exp(±(z - m)/s))?"""
    if not isinstance(h, log):
        return False
    inner = sympy.powsimp(h.args[0] - 1)      # exp(m/s)·exp(-z/s) as exp(m/s - z/s)
    if not isinstance(inner, exp):
        return False
    w = sympy.expand(inner.args[0])
    a = w.coeff(z, 1)
    return any(sympy.simplify(w - sign * (z - m) / s) == 0 for sign in (1, -1)) and not a.has(z)


def lemma(z, params, h):
    m, s = params
    k = power(h, z)
    if k == 1:
        return m, "E[z] = m of Logistic(m, s)"
    if k == 2:
        return m ** 2 + pi ** 2 * s ** 2 / 3, "E[z²] = m² + π²s²/3 of Logistic(m, s)"
    if _softplus_of_standardised(h, z, m, s):
        return sympy.Integer(1), "E[log(1 + exp(±(z - m)/s))] = 1 of Logistic(m, s)"
    return None


def _logpdf(z, m, s):
    return -(z - m) / s - log(s) - 2 * log(1 + exp(-(z - m) / s))


SPEC = register(Spec(
    "Logistic", ("location", "scale"), ("real", "positive"),
    _logpdf, lambda z, m, s: exp(-(z - m) / s) / (s * (1 + exp(-(z - m) / s)) ** 2),
    lambda m, s: ("real",), lemma, breaks=lambda m, s: (m,), hint=lambda m, s: (s, (m - 2 * s, m + 2 * s))))
