"""TruncatedNormal(z, m, s, a, b): a Normal with mean m and standard deviation s > 0 restricted to
(a, b), a < b, and renormalised; an end may be infinite (``TruncatedNormal(z, m, s, 0, oo)``, the
half-truncated normal of a probit model's latent, Albert & Chib).

With α = (a − m)/s, β = (b − m)/s, φ the standard normal density, Φ its distribution function and
Z = Φ(β) − Φ(α) the mass kept: ``log q(z) = −(z − m)²/(2s²) − log(s √(2π) Z)``.  Lemmas (the
derivative of φ is −tφ, integrated over (α, β)):

* ``E[z] = m + s (φ(α) − φ(β))/Z``;
* ``E[(z − m)²] = s² (1 + (α φ(α) − β φ(β))/Z)``, so ``E[z²]`` is that plus ``2m E[z] − m²``;

and so the entropy ``log(√(2πe) s Z) + (α φ(α) − β φ(β))/(2Z)``.  At an infinite end φ and tφ are 0.
"""
import sympy
from sympy import erf, exp, log, oo, pi, sqrt

from .base import Spec, register
from .stats import power

__all__ = ["SPEC", "moments"]


def _phi(t):
    """(φ(t), t φ(t)), both 0 at an infinite end."""
    if t in (oo, -oo):
        return sympy.Integer(0), sympy.Integer(0)
    f = exp(-t ** 2 / 2) / sqrt(2 * pi)
    return f, t * f


def _cdf(t):
    return {oo: sympy.Integer(1), -oo: sympy.Integer(0)}.get(t, (1 + erf(t / sqrt(2))) / 2)


def _ends(m, s, a, b):
    """(α, β): the ends in standard units, each infinite end left infinite."""
    return tuple(t if t in (oo, -oo) else (t - m) / s for t in (a, b))


def moments(m, s, a, b) -> tuple:
    """(Z, E[z], E[(z − m)²]) of TruncatedNormal(m, s, a, b)."""
    alpha, beta = _ends(m, s, a, b)
    (fa, tfa), (fb, tfb) = _phi(alpha), _phi(beta)
    mass = _cdf(beta) - _cdf(alpha)
    return mass, m + s * (fa - fb) / mass, s ** 2 * (1 + (tfa - tfb) / mass)


def lemma(z, params, h):
    m, s, a, b = params
    k = power(h, z)
    if k not in (1, 2):
        return None
    _, mean, centred = moments(m, s, a, b)
    if k == 1:
        return mean, "E[z] = m + s (φ(α) − φ(β))/Z of TruncatedNormal(m, s, a, b)"
    return centred + 2 * m * mean - m ** 2, \
        "E[z²] = s² (1 + (α φ(α) − β φ(β))/Z) + 2m E[z] − m² of TruncatedNormal(m, s, a, b)"


def _order(a, b) -> list:
    """The ends in order: an infinite end only where it belongs (b = oo, a = -oo)."""
    if a is sympy.S.Infinity or b is sympy.S.NegativeInfinity:
        return [(sympy.Integer(-1), "an infinite lower end is -oo, an infinite upper end oo")]
    if b is sympy.S.Infinity or a is sympy.S.NegativeInfinity:
        return []
    return [(b - a, "the upper end must exceed the lower end; write it as lower + w with w declared under positive:")]


def _logpdf(z, m, s, a, b):
    return -(z - m) ** 2 / (2 * s ** 2) - log(s) - log(2 * pi) / 2 - log(moments(m, s, a, b)[0])


SPEC = register(Spec(
    "TruncatedNormal", ("mean", "standard deviation", "lower end", "upper end"), ("real", "positive", "real", "real"),
    _logpdf, lambda z, m, s, a, b: exp(_logpdf(z, m, s, a, b)),
    lambda m, s, a, b: ("interval", a, b), lemma,
    hint=lambda m, s, a, b: (s, ()), infinite_ends=True,
    constraints=lambda m, s, a, b: _order(a, b)))
