"""Certified values of integrals and sums with explicit bounds (``Integral(f, (t, a, b))``,
``Sum(f, (k, a, b))``), for the mpmath back-ends of the walker.

* **Integral**: ``mpmath.quad`` by tanh–sinh (with its error estimate) *and* by Gauss–Legendre
  (a finite piece after a substitution that smooths its ends, see :func:`_second_rule`;
  infinite ends by mpmath's own variable changes); the value counts only when the tanh–sinh
  estimate is within the tolerance and the two rules agree within it.  An
  oscillating or divergent integral (∫_0^∞ sin t dt) fails one of the two: NotEvaluable,
  never a number.
  An infinite range is first probed at c ± 2^j and broken at the probes where the integrand
  carries mass, so neither rule steps over a far peak.
* **Sum**: a finite range of at most ``MAX_TERMS`` integers is summed term by term (exact
  up to rounding; a longer one is NotEvaluable); an infinite range is summed term by term
  past the last probe (k = a + 2^j) where the terms still grow, and its tail goes to
  ``mpmath.nsum(strict=True)`` (Richardson and Shanks extrapolation, NoConvergence when
  neither converges: Σ 1/k is NotEvaluable), confirmed by a second ``nsum`` at 15 more
  digits -- the value counts only when the two agree.
  Bounds must be integers at the point (a bound N drawn as 2.5 is NotEvaluable).

Each function takes the integrand / the term as a callable ``x -> mpf`` and returns
``(value, error)``.
"""
from __future__ import annotations

import mpmath

from .common import MayDiverge, NotEvaluable
from .tails import end_mass

__all__ = ["integrate_bounded", "sum_bounded", "MAX_TERMS", "end_value"]

#: longest finite range summed term by term (a longer one is extrapolated like an infinite one)
MAX_TERMS = 20000


def end_value(b, evaluate):
    """A bound as an mpf: '±inf' -> mpmath infinities, else ``evaluate(closure)``."""
    if b == "inf":
        return mpmath.inf
    if b == "-inf":
        return mpmath.ninf
    return evaluate(b)


def _real(v, what):
    if isinstance(v, mpmath.mpc):
        if v.imag:
            raise NotEvaluable(f"{what} is complex")
        v = v.real
    if not mpmath.isfinite(v):
        raise NotEvaluable(f"{what} is not finite ({v})")
    return v


def _ok(err, v, tol):
    return err <= tol * (1 + abs(v))


#: probes of an infinite range sit at c ± 2^j for j in PROBE_EXPONENTS (|t| from 1e-6 to 1e18)
PROBE_EXPONENTS = range(-20, 61)


def _probe(f, c, sign):
    """[(t, |f(t)|·|t - c|)] at t = c + sign·2^j: where the mass of an infinite range lies."""
    out = []
    for j in PROBE_EXPONENTS:
        t = c + sign * mpmath.ldexp(1, j)
        try:
            out.append((t, abs(f(t)) * abs(t - c)))
        except NotEvaluable:
            out.append((t, mpmath.mpf(0)))
    return out


def _breaks(f, lo, hi, tol):
    """Break points for an infinite range: the probes between the first and the last where
    the integrand carries mass, so neither rule can step over a far peak (a Gamma(1000)
    density's mass near 1000 is invisible to a rule sampling near 0 only)."""
    if mpmath.isfinite(lo) and mpmath.isfinite(hi):
        return [lo, hi]
    pts = []
    sides = [(hi, 1)] if mpmath.isfinite(lo) else [(lo, -1)] if mpmath.isfinite(hi) else [(0, 1), (0, -1)]
    for end, sign in sides:
        c = lo if sign > 0 and mpmath.isfinite(lo) else hi if sign < 0 and mpmath.isfinite(hi) else 0
        probes = _probe(f, c, sign)
        peak = max(m for _, m in probes)
        if peak > 0 and probes[-1][1] >= peak:      # |t f(t)| largest at |t| = 2^60: no decay at all
            raise MayDiverge(f"the integrand does not decay towards {'' if sign > 0 else '-'}∞ (|t·f(t)| "
                               f"grows up to t = {mpmath.nstr(probes[-1][0], 3)}): it does not converge, or its mass lies beyond reach")
        keep = [i for i, (_, m) in enumerate(probes) if m > tol * peak]
        if keep:
            first, last = max(0, keep[0] - 2), min(len(probes) - 1, keep[-1] + 2)
            pts += [t for t, _ in probes[first:last + 1:2]]
    inner = sorted({t for t in pts if lo < t < hi} | set(_narrow_peak(f, lo, hi)))
    return [lo] + inner + [hi]


#: a probe this many times above both its neighbours may stand beside a peak it has not seen
_SPIKE = 100


def _log_abs(f, t):
    try:
        v = abs(f(t))
    except NotEvaluable:
        return mpmath.ninf
    return mpmath.log(v) if v else mpmath.ninf


def _narrow_peak(f, lo, hi):
    """Points around a peak of |f| narrower than the spacing of the probes (a logistic density
    of scale 0.001 centred at -397.7, between the probes at -256 and -512, where both
    quadrature rules would agree on 0): when the largest probe stands far above both its
    neighbours, the maximum of log|f| between them (golden section) and the points where it
    has fallen by 2 on either side, and twice, four times ... as far.  [] otherwise."""
    sides = [1] if mpmath.isfinite(lo) else [-1] if mpmath.isfinite(hi) else [1, -1]
    c = lo if mpmath.isfinite(lo) else hi if mpmath.isfinite(hi) else mpmath.mpf(0)
    ts = sorted(t for s in sides for t in (c + s * mpmath.ldexp(1, j) for j in PROBE_EXPONENTS))
    ls = [_log_abs(f, t) for t in ts]
    i = max(range(len(ts)), key=lambda k: ls[k])
    if ls[i] == mpmath.ninf or not all(ls[i] - ls[k] > mpmath.log(_SPIKE)
                                       for k in (i - 1, i + 1) if 0 <= k < len(ts)):
        return []
    a, b = ts[max(i - 1, 0)], ts[min(i + 1, len(ts) - 1)]
    for _ in range(200):                    # golden section on the bracket
        if not b - a > mpmath.mpf(10) ** (-mpmath.mp.dps) * (abs(a) + abs(b)):
            break
        m1, m2 = a + (b - a) * mpmath.mpf("0.382"), b - (b - a) * mpmath.mpf("0.382")
        if _log_abs(f, m1) >= _log_abs(f, m2):
            b = m2
        else:
            a = m1
    peak = (a + b) / 2
    top, out = _log_abs(f, peak), [peak]
    for sign in (1, -1):
        d = mpmath.mpf(10) ** (-mpmath.mp.dps) * (1 + abs(peak))
        while d < abs(hi - lo) and _log_abs(f, peak + sign * d) > top - 2:
            d *= 2
        out += [peak + sign * d * 2 ** j for j in range(0, 12, 2)]
    return [t for t in out if lo < t < hi]


def _second_rule(f, pts):
    """Gauss–Legendre on each piece of ``pts``; a finite piece [a, b] after the substitution
    t = a + (b - a) s(u), u in [0, 1], with s(u) = u⁴(35 - 84u + 70u² - 20u³), whose Jacobian
    140 u³(1 - u)³ (b - a) vanishes to third order at both ends: an integrand with a singular
    derivative at a finite end (z log z under a density that falls to 0 there, as a tent or
    6z(1 - z) does) becomes u⁷ log u, smooth enough in u for Gauss–Legendre to agree with
    tanh–sinh to 26 digits at 30 (plain Gauss–Legendre: 16; the cubic smoothstep: 16, the
    quintic: 22).  An infinite piece is mpmath's own Gauss–Legendre (after its own change of
    variable), as before."""
    total = mpmath.mpf(0)
    for a, b in zip(pts, pts[1:]):
        if mpmath.isfinite(a) and mpmath.isfinite(b):
            w = b - a

            def g(u, a=a, w=w):
                v = 1 - u
                return f(a + w * u ** 4 * (35 - 84 * u + 70 * u * u - 20 * u ** 3)) * 140 * (u * v) ** 3 * w
            total += mpmath.quad(g, [0, 1], method="gauss-legendre")
        else:
            total += mpmath.quad(f, [a, b], method="gauss-legendre")
    return total


def integrate_bounded(g, lo, hi, tol, label="the integral", breaks=()):
    """∫_lo^hi g(t) dt, certified by two quadrature rules (see the module docstring); both
    rules split the range at ``breaks`` too (the integrand's kinks and jumps, see
    :mod:`vi_sym.distributions.kinks`)."""
    lo, hi = _real(lo, "the lower bound") if mpmath.isfinite(lo) else lo, \
        _real(hi, "the upper bound") if mpmath.isfinite(hi) else hi
    if lo == hi:
        return mpmath.mpf(0), mpmath.mpf(0)

    def f(t):
        return _real(g(t), f"the integrand of {label} at {mpmath.nstr(t, 6)}")
    try:
        sign = 1
        if lo > hi:
            lo, hi, sign = hi, lo, -1
        pts = _breaks(f, lo, hi, tol)
        inside = {mpmath.mpf(b) for b in breaks if lo < b < hi}
        pts = [pts[0], *sorted(set(pts[1:-1]) | inside), pts[-1]]
        v1, e1 = mpmath.quad(f, pts, error=True)
        v2 = _second_rule(f, pts)
    except (ZeroDivisionError, OverflowError, ValueError) as ex:
        raise NotEvaluable(f"{label}: {type(ex).__name__}: {ex}") from None
    v1, v2 = _real(v1, label), _real(v2, label)
    diff = abs(v1 - v2)
    # the mass nearer a finite end than the nodes reach: NotEvaluable where it does not
    # vanish like an integrable power, else added to the error returned (the rules' own
    # agreement is what the tolerance asks of)
    near = mpmath.fsum(end_mass(f, end, inward, mpmath.mp.dps)
                       for end, inward in ((lo, pts[1] - lo), (hi, pts[-2] - hi)) if mpmath.isfinite(end))
    if not _ok(e1, v1, tol) or not _ok(diff, v1, tol):
        raise NotEvaluable(f"{label} does not converge to the tolerance {mpmath.nstr(tol, 2)} (two "
                           f"quadrature rules give {mpmath.nstr(v1, 8)} and {mpmath.nstr(v2, 8)}, "
                           f"{mpmath.nstr(max(diff, e1), 2)} apart): it may diverge or oscillate, or "
                           "carry mass farther out than the rules reach")
    return sign * v1, max(e1, diff) + near


def _integer(b, side):
    if mpmath.isinf(b):
        return b
    b = _real(b, f"the {side} bound of the sum")
    n = mpmath.nint(b)
    if abs(b - n) > mpmath.mpf(10) ** (-mpmath.mp.dps // 2):
        raise NotEvaluable(f"the {side} bound of the sum is {mpmath.nstr(b, 8)} here, not an integer")
    return n


def _direct(f, a, b):
    terms = [f(mpmath.mpf(k)) for k in range(int(a), int(b) + 1)]
    return mpmath.fsum(terms), mpmath.mpf(10) ** (2 - mpmath.mp.dps) * mpmath.fsum(abs(t) for t in terms)


def _to_infinity(f, a, label):
    """Σ_{k=a}^∞ f(k): summed term by term past the last probe where the terms still grow
    (nsum's stopping test is fooled by leading terms that are ~0: Poisson(1000)'s mass sits
    near k = 1000), then the tail by ``nsum(strict=True)``, confirmed at 15 more digits."""
    peak_j, best = 0, mpmath.mpf(-1)
    for j in range(0, 61):
        try:
            m = abs(f(a + 2 ** j))
        except NotEvaluable:
            continue
        if m >= best:
            peak_j, best = j, m
    cut = a + 2 ** (peak_j + 1)
    if cut - a > MAX_TERMS:
        raise NotEvaluable(f"the terms of {label} peak beyond {MAX_TERMS} terms: not summed")
    head, herr = _direct(f, a, cut - 1)
    v1 = mpmath.nsum(f, [cut, mpmath.inf], strict=True)
    with mpmath.extradps(15):
        v2 = mpmath.nsum(f, [cut, mpmath.inf], strict=True)
    return head + v1, herr + abs(v1 - v2), head + v2


def sum_bounded(g, lo, hi, tol, label="the sum"):
    """Σ_{k=lo}^{hi} g(k), certified as in the module docstring."""
    lo, hi = _integer(lo, "lower"), _integer(hi, "upper")
    if hi < lo:
        return mpmath.mpf(0), mpmath.mpf(0)

    def f(k):
        return _real(g(k), f"the term of {label} at {mpmath.nstr(k, 6)}")
    try:
        if mpmath.isfinite(lo) and mpmath.isfinite(hi) and hi - lo < MAX_TERMS:
            return _direct(f, lo, hi)
        if mpmath.isfinite(lo) and mpmath.isfinite(hi):
            raise NotEvaluable(f"{label} has more than {MAX_TERMS} terms here: not summed")
        parts = []
        if mpmath.isinf(hi):
            parts.append(_to_infinity(f, lo if mpmath.isfinite(lo) else 0, label))
        if mpmath.isinf(lo):
            parts.append(_to_infinity(lambda k: f(-k), -hi if mpmath.isfinite(hi) else 1, label))
    except mpmath.mp.NoConvergence:
        raise NotEvaluable(f"{label} does not converge numerically (no extrapolation settles): "
                           "it may diverge") from None
    except (ZeroDivisionError, OverflowError, ValueError) as ex:
        raise NotEvaluable(f"{label}: {type(ex).__name__}: {ex}") from None
    v1 = mpmath.fsum(p[0] for p in parts)
    v2 = mpmath.fsum(p[2] for p in parts)
    err = mpmath.fsum(p[1] for p in parts)
    v1, v2 = _real(v1, label), _real(+v2, label)
    if not _ok(abs(v1 - v2), v1, tol):
        raise NotEvaluable(f"{label}: two extrapolations disagree ({mpmath.nstr(v1, 8)} and "
                           f"{mpmath.nstr(v2, 8)})")
    return v1, err + mpmath.mpf(10) ** (2 - mpmath.mp.dps) * (1 + abs(v1))
