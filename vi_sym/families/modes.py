"""Where the product of several decaying densities has its mass.

A quadrature window built from each density's own bump misses the mass of their *product*
when the bumps are far apart relative to their widths: ``N(z; 1, 10⁻⁶) · N(z; 0, 10⁻⁶/2)``
(a precise prior and precise data that disagree) has all its mass near ``z = 1/3``, in the
middle of a long panel between the two windows.  Every node of that panel sees nothing, so
two quadrature rules agree on a wrong value and the error estimate (their difference) is 0:
a *certified* wrong number, which would refute a true step.

For log-concave factors the product is log-concave, so its mode is the maximum of the sum
of the log-densities, found here by golden-section search over the window, and its width by
where that sum has dropped from the mode.  The breakpoints of that bump are *added* to the
window's (never replacing any), so the product is resolved whether or not the factors are
log-concave; for factors that are not, the search finds a local mode, which only ever adds
resolution.

Two versions: :func:`product_bump` (mpmath scalars, the certified quadrature) and
:func:`fast_product_bump` (float64, vectorised over a batch of parameter points).
"""
from __future__ import annotations

import math
from itertools import combinations

import mpmath
import numpy as np

from .densities import GAUSS_KS
from .grid import drop_breakpoints

__all__ = ["role_groups", "golden_argmax", "product_bump", "fast_product_bump"]

_INV_PHI = (math.sqrt(5) - 1) / 2
#: golden-section steps: the bracket shrinks by 0.618^90 ≈ 1.6e-19 of the window
_STEPS = 90


def role_groups(roles):
    """The sets of decaying factors whose product may put mass outside their own windows:
    every pair, and all of them together (nothing for a single factor)."""
    roles = tuple(roles)
    if len(roles) < 2:
        return []
    groups = [tuple(g) for g in combinations(roles, 2)]
    if len(roles) > 2:
        groups.append(roles)
    return groups


def _clean(v):
    """NaN (an undefined log-density) counts as -inf: never the mode."""
    return np.where(np.isnan(v), -np.inf, v)


def golden_argmax(f, lo, hi, steps=_STEPS):
    """Golden-section search for a maximiser of ``f`` on ``[lo, hi]`` (numpy arrays of one
    shape; ``f`` vectorised).  Exact for a unimodal ``f``; otherwise a local maximiser."""
    a, b = np.array(lo, dtype=float), np.array(hi, dtype=float)
    c, d = b - _INV_PHI * (b - a), a + _INV_PHI * (b - a)
    with np.errstate(all="ignore"):
        fc, fd = _clean(f(c)), _clean(f(d))
        for _ in range(steps):
            left = fc >= fd                 # a maximiser lies in [a, d], else in [c, b]
            a, b = np.where(left, a, c), np.where(left, d, b)
            x = np.where(left, b - _INV_PHI * (b - a), a + _INV_PHI * (b - a))
            fx = _clean(f(x))
            c, d, fc, fd = (np.where(left, x, d), np.where(left, c, x),
                            np.where(left, fx, fd), np.where(left, fc, fx))
    return (a + b) / 2


def _golden_scalar(f, a, b, steps=_STEPS):
    c, d = b - _INV_PHI * (b - a), a + _INV_PHI * (b - a)
    fc, fd = f(c), f(d)
    for _ in range(steps):
        if fc >= fd:
            b, d, fd = d, c, fc
            c = b - _INV_PHI * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + _INV_PHI * (b - a)
            fd = f(d)
    return (a + b) / 2


def _safe(f):
    def g(z):
        try:
            v = f(z)
        except (ValueError, ZeroDivisionError, OverflowError, TypeError):
            return -mpmath.inf
        if isinstance(v, mpmath.mpc) or not mpmath.isfinite(v):
            return -mpmath.inf      # outside the support
        return v
    return g


def _drop_distance(f, mode, fmode, side, target, start, room):
    """The offset 0 < t <= ``room`` with ``f(mode) - f(mode + side·t) ≈ target`` (doubling,
    bisection), or None when f has not dropped that much within ``room``."""
    lo, hi = mpmath.mpf(0), min(start, room)
    while fmode - f(mode + side * hi) < target:
        if hi >= room:
            return None
        lo, hi = hi, min(hi * 2, room)
    for _ in range(40):
        mid = (lo + hi) / 2
        if fmode - f(mode + side * mid) < target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def product_bump(logs, a, b):
    """Breakpoints (mpf) around the mode of ``exp(Σ log_i)`` on ``(a, b)``: the mode and
    ``mode ± k·s`` for the window's Gaussian multiples ``k``, ``s`` measured on each side
    as the offset where the log-sum has dropped by 1/2 (one sd of a Gaussian)."""
    f = _safe(lambda z: mpmath.fsum(lg(z) for lg in logs))
    a, b = mpmath.mpf(a), mpmath.mpf(b)
    if not (mpmath.isfinite(a) and mpmath.isfinite(b)) or b <= a:
        return []
    mode = _golden_scalar(f, a, b)
    fmode = f(mode)
    if not mpmath.isfinite(fmode):
        return []
    pts = [mode]
    start = (b - a) * mpmath.mpf("1e-12") + mpmath.eps * (1 + abs(mode))
    for side in (-1, 1):
        room = (mode - a) if side < 0 else (b - mode)
        s = _drop_distance(f, mode, fmode, side, mpmath.mpf("0.5"), start, room)
        if s is None:
            continue
        pts += [mode + side * abs(k) * s for k in GAUSS_KS if k > 0]
    return [p for p in pts if a < p < b]


def fast_product_bump(g, lo, hi):
    """(n, k) breakpoints in u around the mode of ``exp(g)`` on ``[lo, hi]`` ((n, 1) arrays;
    ``g`` the vectorised log of the product in u, Jacobian included)."""
    mode = golden_argmax(g, lo, hi)
    with np.errstate(all="ignore"):
        gmode = _clean(g(mode))
        h = np.maximum((hi - lo) * 1e-6, 1e-300)
        curv = -(_clean(g(mode + h)) + _clean(g(mode - h)) - 2 * gmode) / (h * h)
        scale = np.where(np.isfinite(curv) & (curv > 0), 1 / np.sqrt(np.abs(curv)), (hi - lo) * 1e-3)
        scale = np.clip(scale, (hi - lo) * 1e-12 + 1e-300, hi - lo)

        def drop(t):
            return gmode - _clean(g(mode + t))

        pts = drop_breakpoints(mode, drop, scale)
    pts = np.where(np.isfinite(pts), pts, mode)
    return np.clip(pts, lo, hi)
