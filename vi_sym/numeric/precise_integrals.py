"""Integrals over the latent for the precise (mpmath) back-end: exact sums over a
discrete support; adaptive quadrature on the family's breakpoints for a continuous one,
with the truncated tails checked to be negligible and the mass of every normalised
weight density checked to be captured (see :mod:`vi_sym.numeric.precise`)."""
from __future__ import annotations

import mpmath
from mpmath import mpf

from .common import NORMALISED_ROLES, Z_ROLES, NotEvaluable
from .quadrature import integrate, is_bad

__all__ = ["discrete_integral", "continuous_integral", "fmt"]

#: quadrature target (absolute), as a fraction of the tolerance
_QUAD_EPS = mpf("1e-3")


def fmt(v):
    """An mpmath number in 6 significant digits."""
    return mpmath.nstr(v, 6)


_fmt = fmt


def _integrand(ctx, fi):
    def g(t):
        ctx.z = t
        v, er = fi(ctx)
        if is_bad(v):
            raise NotEvaluable(f"integrand is not finite/real at z={_fmt(t)}")
        return v, er
    return g


def discrete_integral(family, fi):
    def f(ctx):
        saved = ctx.z
        try:
            try:
                support = family.support_of(ctx.params)
            except (ValueError, KeyError, TypeError) as ex:
                raise NotEvaluable(f"invalid parameters for {family.name}: {ex}") from None
            g = _integrand(ctx, fi)
            tot, err, mx = mpf(0), mpf(0), mpf(0)
            for k in support:
                v, er = g(mpf(k))
                tot += v
                err += abs(er) if er else 0
                mx = max(mx, abs(v))
            err += len(support) * mx * mpmath.mp.eps * 4
            return tot, err
        finally:
            ctx.z = saved
    return f


def _tail_bound(g, plan, tol):
    """max |g| at the truncated window ends (and half a width beyond) times the width."""
    pts = plan.points
    a, b = pts[0], pts[-1]
    width = b - a
    probes = []
    if plan.truncated_lo:
        probes += [a, a - width / 2]
    if plan.truncated_hi:
        probes += [b, b + width / 2]
    tail = mpf(0)
    for t in probes:
        v, _ = g(t)
        tail = max(tail, abs(v) * width)
    return tail


def _diverges(plan, tail):
    a, b = plan.points[0], plan.points[-1]
    return NotEvaluable(f"integrand not negligible at the ends of the window "
                        f"[{_fmt(a)}, {_fmt(b)}] (tail bound {_fmt(tail)}): the integral may diverge")


def continuous_integral(family, fi, roles):
    def f(ctx):
        saved = ctx.z
        try:
            try:
                plan = family.quad_plan(ctx.params, roles)
            except (ValueError, KeyError, TypeError) as ex:
                raise NotEvaluable(f"invalid parameters for {family.name}: {ex}") from None
            g = _integrand(ctx, fi)
            truncated = plan.truncated_lo or plan.truncated_hi
            tail = _tail_bound(g, plan, ctx.tol) if truncated else mpf(0)
            if tail > ctx.tol:  # checked first: a divergent integral costs no quadrature
                raise _diverges(plan, tail)
            I, qerr, ierr = integrate(g, plan.points, plan.singular_lo, plan.singular_hi,
                                      eps=ctx.tol * _QUAD_EPS)
            _check_mass(ctx, family, plan, roles)
            limit = ctx.tol * (1 + abs(I))
            if qerr > limit:
                raise NotEvaluable(
                    f"quadrature did not converge: error estimate {_fmt(qerr)} > {_fmt(limit)}")
            if tail > limit:
                raise _diverges(plan, tail)
            if truncated:
                ctx.note(f"integral over z truncated to [{_fmt(plan.points[0])}, "
                         f"{_fmt(plan.points[-1])}], tail bound {_fmt(tail)} added to the error")
            return I, qerr + tail + ierr
        finally:
            ctx.z = saved
    return f


def _check_mass(ctx, family, plan, roles):
    """NotEvaluable unless the plan's quadrature of each normalised weight density (prior,
    q, posterior) gives 1: a density narrower than the breakpoints can resolve makes every
    node 0, and 0 with error estimate 0 is not a value.  Memoised per point and plan."""
    for r in NORMALISED_ROLES:
        if r not in (roles or Z_ROLES):
            continue
        key = ("mass", r, tuple(plan.points), ctx.tol, mpmath.mp.prec)
        ok = ctx.masses.get(key)
        if ok is None:
            lf, _ = ctx.logfn(r)
            mass, qerr, _ = integrate(lambda t: (mpmath.exp(lf(t)), 0), plan.points, plan.singular_lo,
                                      plan.singular_hi, eps=ctx.tol * _QUAD_EPS)
            ok = ctx.masses[key] = (abs(mass - 1) <= ctx.tol, mass)
        if not ok[0]:
            raise NotEvaluable(f"mass not captured: the quadrature over z gives the {r} density "
                               f"total mass {_fmt(ok[1])} instead of 1")
