"""Truncation with a stated tail bound, for the claims' sums and integrals against a density.

* :func:`count_sum64` -- ``Σ_k exp(logp(k)) f(k)`` over a count support {0, 1, 2, ...} in
  float64, vectorised: the range 0..K doubles until the terms have died out, and the tail
  past K is bounded by the last term times ``ρ/(1-ρ)``, ρ the largest ratio of successive
  terms over the last stretch (it must be < 1 and the ratios must not increase there: a
  log-concave weight times a slowly varying f, as for the Geometric, Negative Binomial and
  Poisson).  A geometric with success probability 1e-3 needs ~5·10⁴ terms, a negative
  binomial with r = 10³ and p = 1e-3 a few 10⁶: a few array operations, not a Python loop.
* :func:`count_sum_mp` -- the same sum in mpmath (the confirmation of a candidate
  violation), with the same ratio bound on the tail.
* :func:`window` -- a finite window for an infinite end of a continuous support before
  ``mpmath.quad`` sees it: stepping out from the peak in doublings of the kind's length
  scale until the integrand is below 1e-50 of the largest value seen.  A double-exponential
  tail (the Gumbel's ``exp(-exp(-z))``) then never reaches mpmath's ``exp`` of a huge
  argument, which can take minutes; the truncated tail is bounded by the integrand at the
  window's end and twice as far out, times the distance, and that bound is added to the
  error estimate (and reported as a note).
"""
from __future__ import annotations

import math

import mpmath
import numpy as np

from .common import MayDiverge, NotEvaluable

__all__ = ["count_sum64", "count_sum_mp", "window", "end_mass", "MAX_TERMS"]

#: the largest count range summed (float64); beyond it the sum is NotEvaluable
MAX_TERMS = 1 << 23
#: terms are negligible below this fraction of the sum
_NEGLIGIBLE = 1e-18
_STRETCH = 64


def _ratio_tail(w, f, w_ratio):
    """An upper bound on Σ_{k > K} w_k |f_k| from the last stretch of the terms, or None.

    ``w_ratio`` bounds w_{k+1}/w_k for every k >= K (the kind's ``tail_ratio``); without it
    the largest ratio over the stretch is used, inflated by 1e-6 for rounding, and must not
    grow along the stretch.  |f| is assumed to grow no faster than over the stretch (a
    polynomial or a log in k): the largest ratio of successive |f| there, inflated alike."""
    n = w.size
    lw, lf = w[max(n - _STRETCH, 0):], None if f is None else np.abs(f[max(n - _STRETCH, 0):])
    if not np.any(lw):
        return 0.0
    if w_ratio is None:
        nz = lw[lw > 0]
        if nz.size < 8:
            return None
        r = nz[1:] / nz[:-1]
        if r[-1] > r[0] * (1 + 1e-6):
            return None
        w_ratio = float(np.max(r[-8:])) * (1 + 1e-6)
    f_ratio, f_last = 1.0, 1.0
    if lf is not None:
        if not np.all(lf[-8:] > 0):
            return None if np.any(lf[-8:] > 0) else 0.0
        f_ratio = float(np.max(lf[-8:][1:] / lf[-8:][:-1])) * (1 + 1e-6)
        f_last = float(lf[-1])
    rho = w_ratio * max(f_ratio, 1.0)
    if not rho < 1:
        return None
    return float(lw[-1]) * f_last * rho / (1 - rho)


def count_sum64(z, env, mode, logp_np, fnp, w_ratio=None):
    """float64 ``Σ_k exp(logp(k)) f(k)`` (f None means 1): (sum, error) or None when float64
    cannot vouch for it (a non-finite term, terms that do not die out within
    :data:`MAX_TERMS`, or an unbounded tail).  ``w_ratio(K)`` bounds the density's ratio
    P(k+1)/P(k) for k >= K (see :func:`_ratio_tail`).  The error is the tail bound plus the
    rounding of the terms (exp of a log-density of size |logp| carries a relative error of
    about |logp|·eps) and of their sum."""
    e = {k: float(v) for k, v in env.items()}
    K = int(2 * mode + 40 * math.sqrt(mode + 1) + 60)
    while True:
        if K > MAX_TERMS:
            return None
        e[z] = np.arange(0, K + 1, dtype=float)
        with np.errstate(all="ignore"):
            lp = np.broadcast_to(np.asarray(logp_np(e), dtype=float), e[z].shape)
            w = np.exp(lp)
            fv = None if fnp is None else np.broadcast_to(np.asarray(fnp(e), dtype=float), w.shape)
            terms = w if fv is None else np.where(w > 0, w * fv, 0.0)
        if not np.all(np.isfinite(terms)):
            return None
        total = float(np.sum(terms))
        last = float(np.max(np.abs(terms[-5:])))
        if last <= _NEGLIGIBLE * (1 + abs(total)):
            break
        K *= 4
    tail = _ratio_tail(w, fv, None if w_ratio is None else w_ratio(K))
    if tail is None:
        return None
    eps = np.finfo(float).eps
    big = np.abs(lp[w > 1e-300]) if np.any(w > 1e-300) else np.zeros(1)
    mag = float(np.sum(np.abs(terms)))
    err = tail + mag * eps * (64 + float(np.max(big)) + math.log2(K + 2))
    # the weights of a normalised density sum to 1: their measured deviation is the
    # rounding level of the log-density (large cancelling log-gammas), applied to f too
    err += 2 * abs(float(np.sum(w)) - 1) * mag
    return total, err


def count_sum_mp(term, mode, dps, max_terms=4000):
    """mpmath ``Σ_k term(k)`` past ``2·mode``, until the terms fall below 10^-(dps+3) of the
    sum (10^-20 at most: the comparison needs far less) and their ratio bounds the tail;
    (sum, tail bound).  A sum that would need more than ``max_terms`` terms (predicted
    from the ratio of the last terms) is NotEvaluable: a point is then skipped, never
    confirmed on a guess."""
    total, k, prev = mpmath.mpf(0), 0, None
    small = 0
    limit = mpmath.mpf(10) ** (-min(dps + 3, 20))
    ratios = []
    while True:
        t = term(mpmath.mpf(k))
        total += t
        if prev:
            ratios.append(abs(t) / abs(prev))
            del ratios[:-5]
        prev = t
        if k > 2 * mode + 10 and abs(t) < limit * (1 + abs(total)):
            small += 1
            if small >= 5 and (not t or (ratios and max(ratios) < 1
                                          and all(b <= a for a, b in zip(ratios, ratios[1:])))):
                rho = max(ratios) if ratios and t else mpmath.mpf(0)
                return total, abs(t) * rho / (1 - rho) if t else mpmath.mpf(0)
        if k % 50 == 49 and _too_long(k, t, total, ratios, limit, mode, max_terms):
            raise NotEvaluable(f"the sum over the count support needs more than {max_terms} "
                               "terms at this precision (not confirmed)")
        k += 1


def _too_long(k, t, total, ratios, limit, mode, max_terms) -> bool:
    if k >= max_terms or 2 * mode + 10 > max_terms:
        return True
    if not t or not ratios or not max(ratios) < 1:
        return False
    rho = max(ratios)
    need = mpmath.log(limit * (1 + abs(total)) / abs(t)) / mpmath.log(rho)
    return k + need > max_terms


def window(g, lo, hi, center, scale, weight=None, max_doublings=60, power_tails=True):
    """(lo', hi', tail bound) with every infinite end of (lo, hi) replaced by a finite one
    where both |g| and the weighting density (``weight``, default g) have fallen below
    1e-50 of the largest values seen (an integrand that merely vanishes at a point, z·P(z)
    at z = 0, is not a tail); a finite end is kept.  The tail bound is |g| at the new end
    and twice as far from ``center``, times that distance; an end that cannot be found
    stays infinite, its tail bounded as a power (see :func:`_power_tail`; with
    ``power_tails`` False, tail bound 0: a density's own mass is checked against 1 instead)."""
    weight = g if weight is None else weight
    tail = mpmath.mpf(0)
    ends = [lo, hi]
    small = mpmath.mpf(10) ** -50
    peak, wpeak = mpmath.mpf(0), mpmath.mpf(0)
    if lo < center < hi:
        peak, wpeak = abs(g(mpmath.mpf(center))), abs(weight(mpmath.mpf(center)))
    for i, sign in ((0, -1), (1, 1)):
        if mpmath.isfinite(ends[i]):
            continue
        d, v, x = mpmath.mpf(scale), None, None
        for _ in range(max_doublings):
            was, x = x, center + sign * d
            before, (v, wv) = v, (abs(g(x)), abs(weight(x)))
            peak, wpeak = max(peak, v), max(wpeak, wv)
            if peak > 0 and wpeak > 0 and v <= small * peak and wv <= small * wpeak:
                far = abs(g(center + sign * 2 * d))
                tail += (v + far) * 2 * d
                ends[i] = x
                break
            d *= 2
        else:
            if power_tails and was != x:    # (steps below the resolution at ``center`` never moved)
                tail += _power_tail(v, before, d / 2)
    return ends[0], ends[1], tail


#: an integrand falling off no faster than |z - end|^(-1 - POWER_MARGIN) is taken as not integrable
POWER_MARGIN = mpmath.mpf("1e-3")


def _power_tail(v, before, d):
    """A bound on the mass of an infinite tail past distance ``d`` whose integrand still
    matters there: |g| is ``v`` at ``d`` and ``before`` at ``d/2``, so it falls off like
    d^p.  mpmath's own change of variables does not see the mass of a heavy tail (the
    variance of a Student-t with 2.001 degrees of freedom: z^-1.001): twice ∫_d^∞ v (t/d)^p
    dt is the bound.  A tail falling off no faster than 1/|z| is NotEvaluable."""
    if not v:
        return mpmath.mpf(0)
    if not before:
        raise MayDiverge("the integrand grows without bound along an infinite tail")
    p = mpmath.log(v / before) / mpmath.log(2)
    if not p < -1 - POWER_MARGIN:
        how = ("does not fall off along an infinite tail (it is no smaller far out than nearer in)"
               if p >= 0 else f"falls off like |z|^{mpmath.nstr(p, 3)} along an infinite tail, no "
               "faster than 1/|z|")
        raise MayDiverge(f"the integrand {how}: the integral may not exist for these parameters "
                           "(a claim about it may need a bound on them, 'assume: a > 1')")
    return 2 * v * d / (-p - 1)


def end_mass(g, end, inward, dps):
    """A bound on the mass of ``g`` within 10^-(dps+2)·|inward| of the finite ``end`` of a
    range (``inward``: the signed length of the first piece from that end), or 64 units in the
    last place of ``end``: mpmath's tanh-sinh nodes reach about that close, and its error
    estimate does not see what lies nearer (E[1/z] under Beta(1.01, b): z^-0.99, most of
    whose mass is within 10^-20 of 0).  |g| is taken
    as a power |z - end|^p there, p read off at two offsets (no nearer than the working
    precision resolves next to ``end``); twice ∫_0^δ of it is the bound.  p <= -1 (not
    integrable) is NotEvaluable; so is an end where ``g`` has no value."""
    sign = 1 if inward > 0 else -1
    delta = max(abs(inward) * mpmath.mpf(10) ** -(dps + 2), abs(end) * mpmath.ldexp(1, 6 - mpmath.mp.prec))
    problem = None
    for _ in range(4):      # an integrand that cannot be evaluated that close (exp(z) - 1 at
        x1, x2 = +(end + sign * delta), +(end + sign * delta / 8)    # z = 1e-17) is bounded
        d1, d2 = abs(x1 - end), abs(x2 - end)                         # a little farther out:
        if not 0 < d2 < d1 < abs(inward):                             # more mass, not less
            if problem is None:     # a piece shorter than the resolution next to its end
                return mpmath.mpf(0)
            raise NotEvaluable(f"the integrand has no value next to the end {mpmath.nstr(end, 6)} "
                               f"of its range ({problem})")
        try:
            v1, v2 = abs(g(x1)), abs(g(x2))
            break
        except (NotEvaluable, ValueError, ZeroDivisionError, OverflowError) as ex:
            problem, delta = ex, delta * 1000
    else:
        raise NotEvaluable(f"the integrand has no value next to the end {mpmath.nstr(end, 6)} "
                           f"of its range ({problem})")
    if not v1 or not v2:
        return mpmath.mpf(0)
    p = mpmath.log(v1 / v2) / mpmath.log(d1 / d2)
    if not p > -1 + POWER_MARGIN:
        raise MayDiverge(f"the integrand grows like |z - {mpmath.nstr(end, 6)}|^{mpmath.nstr(p, 4)} "
                           "at an end of its range, as fast as 1/|z - end| or faster: the integral "
                           "may not exist for these parameters (a claim about it may need a "
                           "condition on them)")
    return 2 * v1 * d1 / (p + 1)
