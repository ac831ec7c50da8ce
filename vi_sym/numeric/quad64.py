"""Float64 tanh–sinh quadrature with numpy, for the claims' one-dimensional integrals.

``integrate(f, lo, hi, breaks, scale)`` returns ``(I, err)`` or ``None`` when float64
cannot vouch for the value (the caller then integrates with ``mpmath.quad``):

* the range is cut at the break points (kinks, peaks); each piece is finite
  ``[a, b]`` or half-infinite ``[a, ∞)`` / ``(-∞, b]`` and is mapped onto (-1, 1):
  ``z = a + (b-a)(1+t)/2``, or ``z = a + scale·(1+t)/(1-t)``;
* on (-1, 1) the double-exponential substitution ``t = tanh(π/2·sinh u)`` makes the
  integrand decay double-exponentially at both ends, so endpoint singularities
  (Beta with a < 1, ``log z`` at 0) and the infinite tails converge; ``1 ± t`` are
  computed from ``u`` directly (no cancellation near the ends);
* the trapezoidal sums at steps h and h/2 give the value and the error estimate
  ``|I_h - I_h/2|`` plus a rounding floor; the value is trusted only when that
  estimate is below ``trust`` (relative to 1 + |I|), and every node value is finite;
* nodes that round onto an end of the range are dropped, so the terms at the
  outermost kept nodes (×100) are added to the error: a singular end that has not
  died out there makes the value untrusted.
"""
from __future__ import annotations

import math

import numpy as np

U_MAX = 6.0          # |u| range: the substitution reaches within ~1e-300 of a finite end
H = 1 / 16           # the coarse step; the fine one is H/2


def _nodes(h):
    u = np.arange(-U_MAX, U_MAX + h / 2, h)
    x = math.pi / 2 * np.sinh(u)
    one_minus = 2 / (1 + np.exp(2 * x))        # 1 - t
    one_plus = 2 / (1 + np.exp(-2 * x))        # 1 + t
    w = h * math.pi / 2 * np.cosh(u) / np.cosh(x) ** 2     # dt/du · h
    return one_plus, one_minus, w


_COARSE, _FINE = _nodes(H), _nodes(H / 2)


def _piece(f, a, b, scale, rule):
    one_plus, one_minus, w = rule
    with np.errstate(all="ignore"):
        if np.isfinite(a) and np.isfinite(b):
            z = np.where(one_plus <= one_minus, a + (b - a) * one_plus / 2, b - (b - a) * one_minus / 2)
            jac = (b - a) / 2
        elif np.isfinite(a):                    # [a, ∞)
            z = a + scale * one_plus / one_minus
            jac = 2 * scale / one_minus ** 2
        else:                                   # (-∞, b]
            z = b - scale * one_minus / one_plus
            jac = 2 * scale / one_plus ** 2
        # nodes beyond 1e100 scales are dropped too (z**2 overflows there); the edge
        # check below still sees whether the tail has died out before them
        inside = (z > a) & (z < b) & (np.abs(z) < 1e100 * (1 + abs(scale)))
        vals = np.zeros_like(z)
        if inside.any():
            vals[inside] = f(z[inside])
        terms = np.where(vals == 0, 0.0, vals * jac * w)   # 0 · (an overflowed jacobian) is 0
    if not np.all(np.isfinite(terms)):
        return None
    kept = np.nonzero(inside)[0]
    if kept.size < 8:
        return None
    # nodes that round onto an end are dropped; the terms must have died out before them
    edge = max(np.abs(terms[kept[:3]]).max(), np.abs(terms[kept[-3:]]).max())
    return float(terms.sum()), float(np.abs(terms).sum()), float(edge)


def integrate(f, lo, hi, breaks=(), scale=1.0, trust=1e-9):
    """(∫_lo^hi f, error estimate) in float64, or None (use mpmath)."""
    cuts = sorted({float(b) for b in breaks if lo < b < hi})
    ends = [lo, *cuts, hi]
    if not np.isfinite(lo) and not np.isfinite(hi) and not cuts:
        ends = [lo, 0.0, hi]
    total, err, mag = 0.0, 0.0, 0.0
    for a, b in zip(ends, ends[1:]):
        coarse, fine = _piece(f, a, b, scale, _COARSE), _piece(f, a, b, scale, _FINE)
        if coarse is None or fine is None:
            return None
        total += fine[0]
        err += abs(fine[0] - coarse[0]) + 100 * fine[2]
        mag += fine[1]
    err += 64 * np.finfo(float).eps * mag
    if not (np.isfinite(total) and err <= trust * (1 + abs(total))):
        return None
    return total, err
