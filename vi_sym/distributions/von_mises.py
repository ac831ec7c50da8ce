"""VonMises(z, m, k): mean direction m, concentration k > 0, on (-π, π).

``log q(z) = k cos(z - m) - log(2π) - log I₀(k)`` (``besseli(0, k)``); the density is
2π-periodic, so every m is allowed and the support is one period.  With
``A(k) = I₁(k)/I₀(k)`` the lemmas are ``E[cos(±z + d)] = A(k) cos(±m + d)`` and
``E[sin(±z + d)] = A(k) sin(±m + d)`` for any d free of z (the characteristic function's
first coefficient is ``A(k) e^{im}``).
"""
import sympy
from sympy import besseli, cos, exp, log, pi, sin

from .base import Spec, register


def _shifted(h, z, kinds):
    """(function, sign, d) when h = f(±z + d) with f in kinds and d free of z, else None."""
    if type(h) not in kinds:
        return None
    w = sympy.expand(h.args[0])
    a = w.coeff(z, 1)
    d = sympy.expand(w - a * z)
    if a in (1, -1) and not d.has(z):
        return type(h), a, d
    return None


def lemma(z, params, h):
    m, k = params
    found = _shifted(h, z, (cos, sin))
    if found is None:
        return None
    f, sign, d = found
    A = besseli(1, k) / besseli(0, k)
    name = "cos" if f is cos else "sin"
    return A * f(sign * m + d), f"E[{name}(±z + d)] = I₁(k)/I₀(k) {name}(±m + d) of VonMises(m, k)"


def _logpdf(z, m, k):
    return k * cos(z - m) - log(2 * pi) - log(besseli(0, k))


SPEC = register(Spec(
    "VonMises", ("mean direction", "concentration"), ("real", "positive"),
    _logpdf, lambda z, m, k: exp(k * cos(z - m)) / (2 * pi * besseli(0, k)),
    lambda m, k: ("interval", -pi, pi), lemma, breaks=lambda m, k: (m - 2 * pi, m, m + 2 * pi),
    hint=lambda m, k: (min(1.0, 1 / k ** 0.5), (m,))))
