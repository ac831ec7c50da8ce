"""Float64 tanh–sinh quadrature with numpy, for the claims' one-dimensional integrals.

``fast_1d`` is the float64 attempt at a claim's ``∫ exp(logp) f`` (the caller,
:func:`vi_sym.numeric.plain.integrate_1d`, falls back to mpmath when it gives None).
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


def _piece(f, a, b, scale, rule, known=None):
    """(sum of the terms, sum of their magnitudes, the largest term at either edge, the
    values of ``f`` at the nodes) over [a, b] with one rule, or None; ``known``: the values
    of ``f`` at these nodes already computed (the coarse nodes are every other fine node,
    the very same numbers: ``f`` is not evaluated again there)."""
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
        if known is not None:
            vals = known
        else:
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
    return float(terms.sum()), float(np.abs(terms).sum()), float(edge), vals


def integrate(f, lo, hi, breaks=(), scale=1.0, trust=1e-9):
    """(∫_lo^hi f, error estimate) in float64, or None (use mpmath)."""
    cuts = sorted({float(b) for b in breaks if lo < b < hi})
    ends = [lo, *cuts, hi]
    if not np.isfinite(lo) and not np.isfinite(hi) and not cuts:
        ends = [lo, 0.0, hi]
    total, err, mag = 0.0, 0.0, 0.0
    for a, b in zip(ends, ends[1:]):
        fine = _piece(f, a, b, scale, _FINE)
        if fine is None:
            return None
        coarse = _piece(f, a, b, scale, _COARSE, fine[3][::2])
        if coarse is None:
            return None
        total += fine[0]
        err += abs(fine[0] - coarse[0]) + 100 * fine[2]
        mag += fine[1]
    err += 64 * np.finfo(float).eps * mag
    if not (np.isfinite(total) and err <= trust * (1 + abs(total))):
        return None
    return total, err


#: probe offsets from an end or a centre, four per decade over float64's range
_OFFSETS = np.geomspace(1e-280, 1e280, 2241)
#: the drop of the log-weight from its peak that marks the peak's width (e^-2)
_DROP = 2.0


def locate_peak(logw, lo, hi):
    """(points, scale) around the maximum of a log-weight ``logw`` (vectorised) on (lo, hi),
    found on a probe grid over every magnitude, or None: the peak, the points where
    ``logw`` has dropped by ``_DROP`` on each side (see :func:`peak_of`), and a geometric
    grid around it.  A second float64 attempt cuts the range there: a density much narrower
    or farther away than its kind's own scale hint suggests (Gamma(1000, 1000) around 1,
    width 0.03) is then resolved in float64, not by ``mpmath.quad`` (the value is still
    trusted only when the two step sizes agree, as for any attempt)."""
    found = peak_of(logw, lo, hi)
    if found is None:
        return None
    peak, points, width = found
    # and a geometric grid peak ± width·2^j: a tail decaying on the density's own scale
    # next to a long piece (a Gumbel with b = 1e-3 beside [0.003, 1000]) is resolved
    points += [peak + sign * width * 2.0 ** j for sign in (1.0, -1.0) for j in range(1, 40)]
    return sorted({float(p) for p in points if lo < p < hi and np.isfinite(p)}), width


def peak_of(logw, lo, hi):
    """(peak, [peak and the points where ``logw`` has dropped by ``_DROP`` on each side], their
    largest distance from the peak) of a log-weight ``logw`` (vectorised) on (lo, hi), found
    on a probe grid over every magnitude and refined by golden section; None if none."""
    fin_lo, fin_hi = np.isfinite(lo), np.isfinite(hi)
    given = logw

    def logw(x):        # a constant log-weight (a uniform density) comes back as a scalar
        return np.broadcast_to(np.asarray(given(x), dtype=float), np.shape(x))

    if fin_lo and fin_hi:
        probes = lo + (hi - lo) * _FINE[0] / 2
    elif fin_lo:
        probes = lo + _OFFSETS
    elif fin_hi:
        probes = hi - _OFFSETS
    else:
        probes = np.concatenate([-_OFFSETS[::-1], [0.0], _OFFSETS])
    with np.errstate(all="ignore"):
        probes = probes[(probes > lo) & (probes < hi)]
        vals = logw(probes) if probes.size else np.array([])
        ok = np.isfinite(vals)
        if not ok.any():
            return None
        i = int(np.argmax(np.where(ok, vals, -np.inf)))
        a, b = probes[max(i - 1, 0)], probes[min(i + 1, probes.size - 1)]
        for _ in range(100):                    # golden-section refinement on the bracket
            if not b - a > 1e-15 * max(abs(a), abs(b)):
                break
            m1, m2 = a + 0.382 * (b - a), b - 0.382 * (b - a)
            v1, v2 = logw(np.array([m1, m2]))
            if not (np.isfinite(v1) or np.isfinite(v2)):
                break
            if v1 >= v2 or not np.isfinite(v2):
                b = m2
            else:
                a = m1
        peak = (a + b) / 2
        top = logw(np.array([peak]))[0]
        if not np.isfinite(top):
            peak, top = probes[i], vals[i]
        points, widths = [peak], []
        for sign in (1.0, -1.0):
            zs = peak + sign * _OFFSETS
            zs = zs[(zs > lo) & (zs < hi)]
            if not zs.size:
                continue
            drop = np.nonzero(~(logw(zs) > top - _DROP))[0]
            if drop.size:
                z = zs[drop[0]]
                points.append(float(z))
                widths.append(abs(z - peak))
    if not widths:
        return None
    return float(peak), points, float(max(widths))


#: the name of the distance hi - z to a finite upper end (see :func:`vi_sym.numeric.plain.np_pair`)
REF_NAME = "_ref"


def fast_1d(z, env, lo, hi, pts, scale, direct, reflected):
    """float64 tanh-sinh of ∫ exp(logp) f; the upper half of a finite range in the
    reflected variable hi - z when available.  (I, err) or None."""
    logp_np, fnp, bare = direct
    fenv = {k: float(v) for k, v in env.items()}

    def integrand(logp, f, name):
        def fvec(x):
            e = dict(fenv)
            e[name] = x
            w = np.exp(logp(e))
            return w if bare else np.where(w > 0, w * f(e), 0.0)
        return fvec

    first = _fast_pieces(integrand, direct, reflected, z, lo, hi, pts, scale)
    if first is not None:
        return first
    # a second float64 attempt, the range cut at the weight's located peak and its width
    # (see locate_peak); only when it fails too does mpmath integrate
    found = locate_peak(lambda x: logp_np({**fenv, z: x}), lo, hi)
    if found is None:
        return None
    extra, width = found
    return _fast_pieces(integrand, direct, reflected, z, lo, hi, sorted(set(pts) | set(extra)), width)


def _fast_pieces(integrand, direct, reflected, z, lo, hi, pts, scale):
    logp_np, fnp, _ = direct
    left = integrand(logp_np, fnp, z)
    if reflected is None or not np.isfinite(hi):
        return integrate(left, lo, hi, pts, scale)
    mid = (lo + hi) / 2
    a = integrate(left, lo, mid, [p for p in pts if p < mid], scale)
    b = integrate(integrand(*reflected, REF_NAME), 0.0, hi - mid,
                             [hi - p for p in pts if p > mid], scale)
    if a is None or b is None:
        return None
    return a[0] + b[0], a[1] + b[1]


def integrand_peak(logp_np, fnp, env, z, center, scale) -> list:
    """Break points at the peak of the whole integrand p·|f| (and where it has fallen off on each
    side), found on the log scale over every magnitude (:func:`peak_of`).  The
    density's own points miss a statistic that concentrates the mass far inside its scale --
    exp(t z²) with t = -223 under N(2.3, 223²) has all of it within 0.2 of 0 -- and no error
    estimate can see a peak no node fell in: a value made without these points is not one to
    certify a counterexample with.  None where the density's own points resolve the peak
    already (as wide as the density's scale, within eight scales of its centre)."""
    if logp_np is None or fnp is None:
        return []
    fenv = {k: float(v) for k, v in env.items()}

    def logw(x):
        e = dict(fenv)
        e[z] = x
        with np.errstate(all="ignore"):
            return logp_np(e) + np.log(np.abs(fnp(e)))
    try:
        found = peak_of(logw, -np.inf, np.inf)
    except (ValueError, TypeError, OverflowError, ZeroDivisionError, FloatingPointError):
        return []
    if found is None:
        return []
    peak, _, width = found
    if width * 16 >= scale and abs(peak - center) <= 8 * scale:
        return []
    return [peak] + [peak + sign * width * 4.0 ** j for sign in (1.0, -1.0) for j in range(3)]
