"""Semicircle(z, m, R): Wigner's semicircle, centre m, radius R > 0, on [m - R, m + R] -- the
density 2 √(R² - (z - m)²) / (π R²).

``log q(z) = log 2 - log π - 2 log R + log(R² - (z - m)²)/2``.  Lemmas: ``E[z] = m``,
``E[z²] = m² + R²/4``, ``E[log(R ∓ (z - m))] = log(R/2) + 1/2`` (each end's distance; with
z - m = R cos θ the density is (2/π) sin²θ dθ on (0, π), and ``(2/π) ∫ sin²θ log(1 - cos θ) dθ
= 1/2 - log 2``) and so ``E[log(R² - (z - m)²)] = 2 log(R/2) + 1``: the entropy is
``log(π R) - 1/2``.  A log centred elsewhere is no lemma.
"""
import sympy
from sympy import log, pi, sqrt

from .base import Spec, register
from .stats import log_affine, log_quadratic, power

_END = "E[log(R ∓ (z - m))] = log(R/2) + 1/2 of Semicircle(m, R)"


def lemma(z, params, h):
    m, R = params
    k = power(h, z)
    if k == 1:
        return m, "E[z] = m of Semicircle(m, R)"
    if k == 2:
        return m ** 2 + R ** 2 / 4, "E[z²] = m² + R²/4 of Semicircle(m, R)"
    found = log_affine(h, z)
    if found:                          # log(s z + t) = log|s| + log of the distance to one end
        s, t = found
        root = -t / s
        for end, sign in ((m - R, 1), (m + R, -1)):
            if sympy.simplify(root - end) == 0 and (sign * s).is_positive:
                return log(sign * s) + log(R / 2) + sympy.Rational(1, 2), _END
        return None
    found = log_quadratic(h, z)
    if found:                          # log(α((z - c)² + w)) = log(-α) + log(R² - (z - m)²)
        alpha, centre, width2 = found
        if (-alpha).is_positive and sympy.simplify(centre - m) == 0 and sympy.simplify(width2 + R ** 2) == 0:
            return log(-alpha) + 2 * log(R / 2) + 1, "E[log(R² - (z - m)²)] = 2 log(R/2) + 1 of Semicircle(m, R)"
    return None


SPEC = register(Spec(
    "Semicircle", ("centre", "radius"), ("real", "positive"),
    lambda z, m, R: log(2) - log(pi) - 2 * log(R) + log(R ** 2 - (z - m) ** 2) / 2,
    lambda z, m, R: 2 * sqrt(R ** 2 - (z - m) ** 2) / (pi * R ** 2),
    lambda m, R: ("interval", m - R, m + R), lemma, breaks=lambda m, R: (m,), hint=lambda m, R: (R / 2, (m,))))
