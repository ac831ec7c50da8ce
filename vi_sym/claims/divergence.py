"""A certificate that an expectation is infinite at one parameter point.

When the quadrature of ``E_c[t] = ∫ c(z) t(z) dz`` stops because the integrand falls off no
faster than ``1/|z|`` along a tail, or grows like ``1/|z - end|`` at an end of the support
(:class:`vi_sym.numeric.common.MayDiverge`), the point is only *suspected*: a tail that looks
like a power law in floating point may still have a finite integral.  :func:`diverges`
turns the suspicion into a proof, at the point's exact parameter values (each float is the
rational number it stores), or says nothing:

1. ``t`` has one sign on the support: sympy's assumptions show ``t >= 0`` (or ``t <= 0``)
   for every ``z`` in it (``z``, ``1/z``, ``z**2`` on (0, ∞); ``z**2`` on the real line).
   The density is ``>= 0``, so the integrand ``g = c·t`` has that sign everywhere;
2. at one end ``e`` of the support, ``sympy.limit`` gives ``|z - e|·g(z) → L`` (``|z|·g(z)``
   at an infinite end) with ``L > 0`` (or ``+∞``; negative for ``t <= 0``).

Then ``g >= L'/|z - e|`` near ``e`` for some ``L' > 0``, which is not integrable there, and
since ``g`` never changes sign the whole integral is ``+∞`` (``-∞``).  Each limit runs under
a CPU-time limit (:class:`vi_sym.deadline.Deadline`); a limit sympy cannot take, or one that
is 0, finite of the wrong sign or undetermined, certifies nothing.  For a density written by
hand -- and an integral written with its limits, ``\\int_1^\\infty \\frac{1}{z} dz``, read as one --
whose sign is not known, step 1 shows the sign of the whole integrand ``c·t`` instead.
"""
from __future__ import annotations

import mpmath
import sympy

from ..deadline import Deadline
from ..numeric.common import NotEvaluable

__all__ = ["Infinite", "diverges", "integral_diverges", "exact_point"]

#: CPU seconds one sympy limit may take
LIMIT_SECONDS = 2.0
_MEMO: dict = {}
_MEMO_MAX = 2048


class Infinite(NotEvaluable):
    """A side of a claim is certified infinite at this point: ``sign`` (+1 or -1) and, in
    ``reason``, why (which expectation diverges, at which end of its support)."""

    def __init__(self, sign, reason):
        super().__init__(reason)
        self.sign = sign


def exact_point(env, names) -> dict:
    """``{name: the exact rational value of env[name]}`` for ``names`` (mpf or float values:
    each is the binary fraction it stores, so the certificate is about that very point)."""
    out = {}
    for n in names:
        if n in env:
            man, exp = mpmath.mpf(env[n]).man_exp       # value = man · 2^exp, exactly
            out[n] = sympy.Integer(man) * sympy.Rational(2) ** exp
    return out


def diverges(c, t, values: dict):
    """+1 / -1 when ``∫ c(z) t(z) dz`` is certified to be +∞ / -∞ at the exact parameter
    ``values`` ({name: Rational}), with a sentence saying where it diverges; else None."""
    if c.support()[0] not in ("real", "interval"):
        return None
    key = (c, t, tuple(sorted(values.items())))
    if key not in _MEMO:
        if len(_MEMO) >= _MEMO_MAX:
            _MEMO.clear()
        try:
            _MEMO[key] = _certify(c, t, values)
        except Exception:  # noqa: BLE001 -- sympy failing on the way certifies nothing
            _MEMO[key] = None
    return _MEMO[key]


def _substituted(c, t, values):
    z = c.var
    subs = {s: values[s.name] for s in (c.free_symbols | t.free_symbols) - {z} if s.name in values}
    weight = sympy.exp(c.weight_logpdf()) if c.spec.weight_logpdf is not None else c.pdf()
    sup = c.support()
    lo, hi = (sup[1], sup[2]) if sup[0] == "interval" else (-sympy.oo, sympy.oo)
    out = [sympy.sympify(e, strict=True).xreplace(subs) for e in (weight, t, lo, hi)]
    if any(e.free_symbols - {z} for e in out):
        return None         # a parameter without a value: nothing to certify
    return out


def _sign(t, z, lo, hi):
    """+1 when t >= 0 everywhere on (lo, hi), -1 when t <= 0 there, else None (shown on a
    range containing it: (lo, ∞), (-∞, hi) or the real line)."""
    u = sympy.Dummy("u", positive=True)
    if lo.is_finite:
        at = t.xreplace({z: lo + u})
    elif hi.is_finite:
        at = t.xreplace({z: hi - u})
    else:
        at = t.xreplace({z: sympy.Dummy("r", real=True)})
    if at.is_nonnegative:
        return 1
    if at.is_nonpositive:
        return -1
    return None


def _limit(expr, z, to, direction):
    with Deadline(LIMIT_SECONDS) as dl:
        value = sympy.limit(expr, z, to, direction)
    return None if dl.expired else value


def _certify(c, t, values):
    parts = _substituted(c, t, values)
    if parts is None:
        return None
    weight, t, lo, hi = parts
    sign = _sign(weight * t if c.spec.written else t, c.var, lo, hi)     # a formula's sign is not given: shown
    return None if sign is None else _at_an_end(weight * t, c.var, lo, hi, sign)


def integral_diverges(f, z, lo, hi, values: dict):
    """+1 / -1 when the integral written with its limits, ``∫_lo^hi f dz``, is certified to be
    +∞ / -∞ at the exact parameter ``values`` (as :func:`diverges` certifies an expectation:
    f of one sign there, and a limit at an end), with the sentence; else None."""
    f, lo, hi = (sympy.sympify(e, strict=True) for e in (f, lo, hi))
    subs = {s: values[s.name] for s in f.free_symbols | lo.free_symbols | hi.free_symbols if s != z and s.name in values}
    f, lo, hi = (e.xreplace(subs) for e in (f, lo, hi))
    if (f.free_symbols - {z}) or lo.free_symbols or hi.free_symbols:
        return None
    try:
        sign = _sign(f, z, lo, hi)
        return None if sign is None else _at_an_end(f, z, lo, hi, sign)
    except Exception:  # noqa: BLE001 -- sympy failing on the way certifies nothing
        return None


def _at_an_end(g, z, lo, hi, sign):
    """(sign, sentence) when the integrand ``g`` of one sign is not integrable at an end of (lo, hi)."""
    ends = []
    if hi is sympy.oo:
        ends.append((z * g, sympy.oo, "-", "falls off no faster than 1/|z| as z → ∞"))
    elif hi.is_finite:
        ends.append(((hi - z) * g, hi, "-", f"grows at least like 1/|z - {hi}| at the end z = {hi}"))
    if lo is -sympy.oo:
        ends.append((-z * g, -sympy.oo, "+", "falls off no faster than 1/|z| as z → -∞"))
    elif lo.is_finite:
        ends.append(((z - lo) * g, lo, "+", f"grows at least like 1/|z - {lo}| at the end z = {lo}"))
    for expr, to, direction, how in ends:
        L = _limit(expr, z, to, direction)
        if L is None or L.has(sympy.nan, sympy.zoo, sympy.AccumBounds):
            continue
        if (L is sympy.oo or L.is_positive) if sign > 0 else (L is -sympy.oo or L.is_negative):
            return sign, f"the integrand {how}"
    return None
