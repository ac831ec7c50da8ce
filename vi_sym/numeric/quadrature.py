"""Adaptive mpmath quadrature on breakpoints, with error estimates.

``integrate(f, points, ...)`` integrates ``f(t) -> (value, error)`` over
``[points[0], points[-1]]`` split at the breakpoints: adaptive Gauss–Legendre, or
tanh–sinh on pieces touching a finite support boundary flagged singular.  The rules
are mpmath's own (its Gauss–Legendre / tanh–sinh nodes and weights); the driver is
local because ``mpmath.quad``'s convergence target is tied to the working precision
(it would chase 1e-21 everywhere) and it cannot bisect a piece that fails to
converge.  Degree-by-degree differences give the error estimate (as
``quad(..., error=True)`` does); a piece that does not converge is bisected, within
an evaluation budget (then :class:`QuadratureBudget`, a NotEvaluable).
"""
from __future__ import annotations

import mpmath
from mpmath import mpf

from .common import NotEvaluable

__all__ = ["integrate", "QuadratureBudget", "is_bad"]

_STD_NODES = {}


class _PieceCost(dict):
    """Evaluations made by a piece that ran to its maximum degree."""

    def __missing__(self, key):
        ts, maxdeg = key
        prec = mpmath.mp.prec
        n = sum(len(_std_nodes(ts, d, prec)) for d in range(1, maxdeg + 1))
        self[key] = n
        return n


_PIECE_COST = _PieceCost()


def _std_nodes(ts, degree, prec):
    key = (ts, degree, prec)
    nodes = _STD_NODES.get(key)
    if nodes is None:
        rule = mpmath.mp._tanh_sinh if ts else mpmath.mp._gauss_legendre
        with mpmath.workprec(prec + 20):
            nodes = rule.calc_nodes(degree, prec)
        _STD_NODES[key] = nodes
    return nodes


def is_bad(v):
    """A complex or non-finite mpmath value."""
    return isinstance(v, mpmath.mpc) or not mpmath.isfinite(v)


def _piece(f, a, b, ts, eps, maxdeg, prec):
    """One piece at increasing degree: (I, err, integrand_err, converged)."""
    with mpmath.workprec(prec + 20):
        C = (b - a) / 2
        D = (b + a) / 2
    results, eresults = [], []
    err = None
    for degree in range(1, maxdeg + 1):
        nodes = _std_nodes(ts, degree, prec)
        with mpmath.workprec(prec + 20):
            xs = [D + C * t for t, _ in nodes]
        sv = se = mpf(0)
        for x, (_, w) in zip(xs, nodes):
            v, e = f(x)
            sv += w * v
            if e:
                se += w * abs(e)
        sv *= C
        se *= C
        if ts:
            h = mpf(2) ** (-degree)
            if results:
                sv = h * (results[-1] / (2 * h) + sv)
                se = h * (eresults[-1] / (2 * h) + se)
            else:
                sv, se = h * sv, h * se
        results.append(sv)
        eresults.append(se)
        if degree > 1:
            err = abs(results[-1] - results[-2])
            if err <= eps:
                return results[-1], err, eresults[-1], True
    return results[-1], err, eresults[-1], False


class QuadratureBudget(NotEvaluable):
    """An integral needed more integrand evaluations than allowed."""


def integrate(f, points, singular_lo=False, singular_hi=False, eps=mpf("1e-9"),
              gl_maxdegree=5, ts_maxdegree=6, max_depth=7, max_evals=8000):
    """∫ f over ``[points[0], points[-1]]`` split at the breakpoints.

    ``f(t)`` returns ``(value, error)``.  Each piece uses Gauss–Legendre, or
    tanh–sinh when it touches a finite support end flagged singular, with the
    degree raised until successive results differ by at most the piece's share
    of ``eps``; a piece that does not converge is bisected (up to ``max_depth``
    times).  Returns ``(I, quad_err, integrand_err)``: ``quad_err`` sums the
    per-piece differences of the last two degrees (conservative for the last
    one) and ``integrand_err = ∫ |error of f|``.  More than about ``max_evals``
    evaluations of ``f`` raise :class:`QuadratureBudget` (a NotEvaluable).
    """
    prec = mpmath.mp.prec
    n = len(points) - 1
    eps_i = mpf(eps) / max(n, 1)
    stack = []
    for i in range(n - 1, -1, -1):
        a, b = points[i], points[i + 1]
        if a != b:
            stack.append((a, b, i == 0 and singular_lo, i == n - 1 and singular_hi, eps_i, 0))
    I = qerr = ierr = mpf(0)
    evals = 0
    while stack:
        a, b, s_lo, s_hi, e_i, depth = stack.pop()
        ts = s_lo or s_hi
        if evals > max_evals:
            raise QuadratureBudget(f"quadrature did not converge within {max_evals} integrand evaluations")
        v, er, ie, ok = _piece(f, a, b, ts, e_i, ts_maxdegree if ts else gl_maxdegree, prec)
        evals += _PIECE_COST[ts, ts_maxdegree if ts else gl_maxdegree] if not ok else 0
        if not ok and depth < max_depth:
            with mpmath.workprec(prec + 20):
                mid = (a + b) / 2
            stack.append((mid, b, False, s_hi, e_i / 2, depth + 1))
            stack.append((a, mid, s_lo, False, e_i / 2, depth + 1))
            continue
        I += v
        qerr += er
        ierr += ie
    return I, qerr, ierr

