"""HyperbolicSecant(z, m, s): location m, scale s > 0 (the standard deviation), on the real
line -- the density sech(π(z - m)/(2s)) / (2s).

``log q(z) = -log 2 - log s - log cosh(π(z - m)/(2s))``.  Lemmas: ``E[z] = m``,
``E[z²] = m² + s²`` and ``E[log cosh(π(z - m)/(2s))] = log 2`` (with u = π(z - m)/(2s) and
the Gudermannian substitution sech u du = dθ, ``(1/π) ∫ sech u log cosh u du`` over the line
is ``(2/π) ∫_0^{π/2} log sec θ dθ = log 2``); so the entropy is ``log 4 + log s``.
"""
import sympy
from sympy import cosh, log, pi

from .base import Spec, register
from .stats import _affine, power


def _log_cosh_standardised(h, z, m, s) -> bool:
    """Is h = log cosh(±π(z - m)/(2s))?"""
    if not (isinstance(h, log) and isinstance(h.args[0], cosh)):
        return False
    found = _affine(h.args[0].args[0], z)
    if found is None:
        return False
    slope, shift = found
    return (any(sympy.simplify(slope - sign * pi / (2 * s)) == 0 for sign in (1, -1))
            and sympy.simplify(shift + slope * m) == 0)


def lemma(z, params, h):
    m, s = params
    k = power(h, z)
    if k == 1:
        return m, "E[z] = m of HyperbolicSecant(m, s)"
    if k == 2:
        return m ** 2 + s ** 2, "E[z²] = m² + s² of HyperbolicSecant(m, s)"
    if _log_cosh_standardised(h, z, m, s):
        return log(2), "E[log cosh(π(z - m)/(2s))] = log 2 of HyperbolicSecant(m, s)"
    return None


SPEC = register(Spec(
    "HyperbolicSecant", ("location", "scale"), ("real", "positive"),
    lambda z, m, s: -log(2) - log(s) - log(cosh(pi * (z - m) / (2 * s))),
    lambda z, m, s: 1 / (2 * s * cosh(pi * (z - m) / (2 * s))),
    lambda m, s: ("real",), lemma, breaks=lambda m, s: (m,), hint=lambda m, s: (s, (m - 2 * s, m + 2 * s))))
