"""Fast path: float64, vectorised over a batch of parameter points (the numpy
back-end of the walker, :mod:`vi_sym.numeric.walker`).

``evaluate_fast(expr, family, batch, tol)`` evaluates ``expr`` at every point of a
:class:`vi_sym.families.base.FastBatch` at once with numpy.  It follows the precise
path's reading (definitions unfolded, logs of densities in log space, integrals over
the latent's base measure) with three differences:

* ``log`` of a sum is a signed log-sum-exp of its terms' logs, so sums of densities
  that underflow float64 keep their logarithm;
* integrals over a continuous latent use the family's fixed composite Gauss–Legendre
  grid (see ``Family.fast_grid``) at two resolutions: the panel-wise difference is the
  quadrature error estimate; tail probes beyond the window bound the truncation;
  discrete latents are exact (masked) sums;
* every point gets a *status*: OK, UNCERTAIN (float64 cannot vouch for the value:
  not finite, error estimate above ``TRUST·tol·(1+|v|)``, a sign or zero that may
  be rounding or underflow, a tail bound that is neither negligible nor clearly
  divergent) or NOT_EVALUABLE (a log of a clearly negative value, an integral whose
  tails are clearly not negligible, ...), each with a reason.  Callers re-evaluate
  UNCERTAIN points with :func:`evaluate` (mpmath) and never trust them.

Grids and integral values are memoised in the batch, so the integrals shared by the
sides of a derivation's steps are computed once per batch.
"""
from __future__ import annotations

import numpy as np
import sympy

from ..vocabulary import unfold_definitions
from .common import (DATA, DIVERGES, LATENT, NORMALISED_ROLES, NOT_EVALUABLE, OK, TRUST, UNCERTAIN,
                     Z_ROLES, FastUnsupported,
                     NotEvaluable, resolve_family)
from .functions import MP_FUNCTIONS, NP_FUNCTIONS
from .walker import Walker

__all__ = ["Fast", "FastResult", "compile_fast", "evaluate_fast", "OK", "UNCERTAIN",
           "NOT_EVALUABLE", "TRUST", "DIVERGES"]

_EPS = float(np.finfo(float).eps)


class FastResult:
    """Values, absolute error estimates, statuses and reasons at the points of a batch."""

    __slots__ = ("value", "error", "status", "reasons")

    def __init__(self, value, error, status, reasons):
        self.value = value        # (n,) float64
        self.error = error        # (n,) float64
        self.status = status      # (n,) int8: OK, UNCERTAIN, NOT_EVALUABLE
        self.reasons = reasons    # {point index: str or callable -> str}

    def reason(self, i) -> str:
        r = self.reasons.get(i, "")
        return r(i) if callable(r) else r



class _FCtx:
    __slots__ = ("B", "family", "tol", "Z", "valid", "status", "reasons")

    def __init__(self, B, family, tol, Z=None):
        self.B = B
        self.family = family
        self.tol = tol
        self.Z = Z
        self.valid = None if Z is None else Z.valid
        self.status = np.zeros(B.n, dtype=np.int8)
        self.reasons = {}

    def child(self, Z):
        return _FCtx(self.B, self.family, self.tol, Z)

    def flag(self, mask, level, reason):
        """Mark the points where ``mask`` ((n,), (n, K) or broadcastable) holds."""
        mask = np.asarray(mask)
        if not mask.any():
            return
        if self.valid is not None and mask.ndim == 2:
            mask = mask & self.valid
        if mask.ndim == 2:
            mask = mask.any(axis=1)
        mask = np.broadcast_to(mask, (self.B.n,))
        for i in np.nonzero(mask & (self.status < level))[0]:
            self.status[i] = level
            self.reasons[int(i)] = reason

    def merge(self, status, reasons):
        for i in np.nonzero(status > self.status)[0]:
            self.status[i] = status[i]
            self.reasons[int(i)] = reasons.get(int(i), "")

    def logdens(self, role, label):
        if role == "evidence":
            return self.family.fast_log(self.B, role, None)
        if self.Z is None:
            raise NotEvaluable(f"{label} depends on the latent z, which is free and not bound",
                               structural=True)
        return self.family.fast_log(self.B, role, self.Z)


def _ffmt(v):
    return f"{float(v):.6g}"


def np_const(e):
    """A sympy constant as a float (FastUnsupported when it does not fit in float64)."""
    if not (e.is_extended_real and e.is_finite):
        raise NotEvaluable(f"non-real or infinite constant {e}", structural=True)
    v = float(sympy.Float(e, 30))
    if not np.isfinite(v):
        raise FastUnsupported(f"constant {e} does not fit in float64")
    return v


class Fast(Walker):
    """The numpy back-end: closures ``f(ctx) -> (values, abs errors)`` on arrays."""

    FUNCTIONS = NP_FUNCTIONS

    def bounded(self, is_sum, name, fn, flo, fhi, e):
        raise FastUnsupported("integrals and sums with explicit bounds are evaluated in mpmath")

    def missing_function(self, e):
        if type(e) in MP_FUNCTIONS:
            raise FastUnsupported(f"{type(e).__name__} has no float64 evaluation here")

    # --- values -------------------------------------------------------------------
    def const(self, e):
        c = np_const(e)
        return lambda ctx: (c, 0.0)

    def symbol(self, e):
        name = e.name
        if name == LATENT:
            def f(ctx):
                if ctx.Z is None:
                    raise NotEvaluable("the latent z is free outside an integral and not bound",
                                       structural=True)
                return ctx.Z.z, 0.0
            return f
        if name == DATA:
            raise NotEvaluable("the data symbol x appears outside a density", structural=True)
        raise FastUnsupported(f"free symbol {name}")

    def density(self, role, label):
        def f(ctx):
            lv, le = ctx.logdens(role, label)
            v = np.exp(lv)
            return v, v * (np.expm1(le) + _EPS)
        return f

    def add(self, fns):
        def f(ctx):
            s, err, mag = 0.0, 0.0, 0.0
            for fn in fns:
                v, er = fn(ctx)
                s = s + v
                err = err + er
                mag = mag + abs(v)
            return s, err + _EPS * len(fns) * mag
        return f

    def mul(self, fns):
        def f(ctx):
            vals = [fn(ctx) for fn in fns]
            p = 1.0
            for v, _ in vals:
                p = p * v
            err = _EPS * len(vals) * abs(p)
            for i, (_, er) in enumerate(vals):
                if np.any(er):
                    t = er
                    for j, (v, _) in enumerate(vals):
                        if j != i:
                            t = t * abs(v)
                    err = err + t
            return p, err
        return f

    def int_pow(self, fb, k):
        def f(ctx):
            vb, eb = fb(ctx)
            if k < 0:
                ctx.flag(np.asarray(vb) == 0, UNCERTAIN, "division by zero")
            with np.errstate(all="ignore"):
                v = np.power(vb, float(k))
                er = abs(k * np.power(vb, float(k - 1))) * eb + _EPS * abs(v) if np.any(eb) \
                    else _EPS * abs(k) * abs(v)
            return v, er
        return f

    def from_signed_log(self, lg):
        def g(ctx):
            s, l, le = lg(ctx)
            with np.errstate(all="ignore"):
                v = np.where(s == 0, 0.0, s * np.exp(l))
            return v, abs(v) * (np.expm1(le) + _EPS)
        return g

    def log(self, lg):
        def f(ctx):
            s, l, le = lg(ctx)
            neg = s < 0
            if np.any(neg):
                sure = neg & (le < 0.5)
                ctx.flag(sure, NOT_EVALUABLE, "log of a negative value")
                ctx.flag(neg & ~sure, UNCERTAIN, "log of a value whose sign float64 cannot settle")
            ctx.flag(s == 0, UNCERTAIN, "log of zero in float64 (possibly underflow)")
            return l, le + _EPS * abs(l)
        return f

    def exp(self, fa):
        def f(ctx):
            va, ea = fa(ctx)
            with np.errstate(over="ignore"):
                v = np.exp(va)
            return v, v * (np.expm1(ea) + _EPS * (1 + abs(va)))
        return f

    def call(self, label, fun, fns):
        def f(ctx):
            args = [fn(ctx) for fn in fns]
            vals = [a[0] for a in args]
            with np.errstate(all="ignore"):
                v = fun(*vals)
                err = _EPS * (1 + abs(v)) * 4
                for i, (_, ea) in enumerate(args):
                    if np.any(ea):
                        hi = fun(*[a + ea if j == i else a for j, a in enumerate(vals)])
                        lo = fun(*[a - ea if j == i else a for j, a in enumerate(vals)])
                        err = err + np.maximum(abs(hi - v), abs(v - lo))
            return v, err
        return f

    # --- signed logs --------------------------------------------------------------
    def slog_density(self, role, label):
        def f(ctx):
            lv, le = ctx.logdens(role, label)
            return 1.0, lv, le
        return f

    def slog_mul(self, fns):
        def g(ctx):
            s, l, le, mag = 1.0, 0.0, 0.0, 0.0
            for fn in fns:
                si, li, lei = fn(ctx)
                s = s * si
                with np.errstate(invalid="ignore"):
                    l = l + li
                le = le + lei
                mag = mag + abs(li)
            with np.errstate(invalid="ignore"):
                l = np.where(s == 0, -np.inf, l)
            return s, l, le + _EPS * mag
        return g

    def slog_const_pow(self, fb, x):
        is_int = bool(x.is_Integer)
        k = int(x) if is_int else None
        xv = np_const(x)
        positive = bool(x.is_positive)

        def h(ctx):
            s, l, le = fb(ctx)
            zero = s == 0
            if not positive:
                ctx.flag(zero, UNCERTAIN, "division by zero (or float64 underflow)")
            neg = s < 0
            if np.any(neg):
                if not is_int:
                    sure = neg & (le < 0.5)
                    ctx.flag(sure, NOT_EVALUABLE, "non-integer power of a negative value")
                    ctx.flag(neg & ~sure, UNCERTAIN,
                             "non-integer power of a value whose sign float64 cannot settle")
                else:
                    s = np.where(neg, -1.0 if k % 2 else 1.0, s)
            with np.errstate(invalid="ignore"):
                lv = np.where(zero, -np.inf, xv * l)
            return s, lv, abs(xv) * le + _EPS * abs(lv)
        return h

    def slog_var_pow(self, fb, fx):
        def h2(ctx):
            s, l, le = fb(ctx)
            vx, ex = fx(ctx)
            ctx.flag(np.broadcast_to(s <= 0, np.broadcast(s, l).shape), UNCERTAIN,
                     "power with a variable exponent of a non-positive base")
            lv = vx * l
            return 1.0, lv, abs(vx) * le + abs(l) * ex + _EPS * abs(lv)
        return h2

    def slog_exp(self, fa):
        def k_(ctx):
            va, ea = fa(ctx)
            return 1.0, va, ea
        return k_

    def slog_add(self, e):
        fns = [self.signed_log(a) for a in e.args]

        def lse(ctx):
            terms = [fn(ctx) for fn in fns]
            with np.errstate(all="ignore"):
                m = terms[0][1]
                for _, li, _ in terms[1:]:
                    m = np.maximum(m, li)
                m = np.where(np.isfinite(m), m, 0.0) if np.ndim(m) else (m if np.isfinite(m) else 0.0)
                S, A, E = 0.0, 0.0, 0.0
                for si, li, lei in terms:
                    r = np.exp(li - m)
                    S = S + si * r
                    A = A + r
                    E = E + np.where(r > 0, r * (np.expm1(lei) + _EPS), 0.0)
                aS = abs(S)
                l = m + np.log(aS)
                le = (E + _EPS * len(terms) * A) / aS
                s = np.sign(S)
            return s, l, le
        return lse

    def slog_value(self, fv):
        def m_(ctx):
            v, er = fv(ctx)
            with np.errstate(divide="ignore", invalid="ignore"):
                av = abs(v)
                return np.sign(v), np.log(av), np.where(av > 0, er / av, 0.0)
        return m_

    # --- integrals ----------------------------------------------------------------
    def integral(self, e, fi, roles):
        family = self.family
        key = ("integral", e)

        def f(ctx):
            memo = (key, ctx.tol)
            hit = ctx.B.cache.get(memo)
            if hit is None:
                hit = ctx.B.cache[memo] = _fast_integral(ctx, family, fi, roles)
            I, err, status, reasons = hit
            ctx.merge(status, reasons)
            return I, err
        return f


def _fast_integral(ctx, family, fi, roles):
    """(I (n,1), err (n,1), status, reasons) of ∫ fi dz over the family's grid."""
    B, tol = ctx.B, ctx.tol
    G = family.fast_grid(B, roles)
    sub = ctx.child(G.L)
    g, eg = fi(sub)
    n = B.n
    with np.errstate(all="ignore"):
        g = np.broadcast_to(g, G.L.z.shape)
        eg = np.broadcast_to(abs(eg), G.L.z.shape)
        if G.discrete:
            valid = G.L.valid
            g = np.where(valid, g, 0.0)
            eg = np.where(valid, eg, 0.0)
            I = g.sum(axis=1)
            err = eg.sum(axis=1) + 4 * _EPS * g.shape[1] * abs(g).max(axis=1)
            bad = ~np.isfinite(I) | ~np.isfinite(err)
            sub.flag(bad, UNCERTAIN, "integrand not finite in float64")
            return I[:, None], err[:, None], sub.status, sub.reasons
        gj = g * G.jac if G.jac is not None else g
        egj = eg * G.jac if G.jac is not None else eg
        M = G.M
        body = gj[:, :M].reshape(n, G.P, G.n1 + G.n2)
        I1 = (body[:, :, :G.n1] * G.W1).sum(axis=2)
        b2 = body[:, :, G.n1:]
        I2p = (b2 * G.W2).sum(axis=2)
        I = I2p.sum(axis=1)
        qerr = abs(I2p - I1).sum(axis=1)
        ierr = ((egj[:, :M].reshape(n, G.P, G.n1 + G.n2)[:, :, G.n1:] * G.W2).sum(axis=(1, 2))
                + 16 * _EPS * (abs(b2) * G.W2).sum(axis=(1, 2)))
        probes = abs(gj[:, M:M + 4])
        tail = np.max(probes, axis=1) * G.width
        probe_nan = np.isnan(probes).any(axis=1)
    finite = np.isfinite(I) & np.isfinite(qerr) & np.isfinite(ierr)
    sub.flag(~finite, UNCERTAIN, "integrand not finite in float64 (overflow or NaN)")
    sub.flag(_mass_missed(B, family, G, roles, tol), UNCERTAIN,
             "mass not captured: the float64 grid does not see the whole mass of a density")
    sub.flag(probe_nan, UNCERTAIN, "integrand not finite in float64 at the window's ends")

    def diverge(i, G=G, tail=tail):
        return (f"integrand not negligible at the ends of the window [{_ffmt(G.zlo[i])}, "
                f"{_ffmt(G.zhi[i])}] (tail bound {_ffmt(tail[i])}): the integral may diverge")
    big = ~probe_nan & (tail > DIVERGES * tol)
    sub.flag(big, NOT_EVALUABLE, diverge)
    sub.flag(~probe_nan & ~big & (tail > TRUST * tol), UNCERTAIN,
             "float64 tail bound neither negligible nor clearly divergent")
    with np.errstate(invalid="ignore"):
        loose = finite & (qerr > TRUST * tol * (1 + abs(I)))
    sub.flag(loose, UNCERTAIN, "float64 quadrature did not converge")
    err = qerr + ierr + np.where(np.isfinite(tail), tail, 0.0)
    return I[:, None], err[:, None], sub.status, sub.reasons


def _mass_missed(B, family, G, roles, tol):
    """(n,) mask: points where the grid's quadrature of a normalised weight density (prior,
    q, posterior) is not 1 -- a density narrower than the grid can resolve, whose integrals
    would come out as 0 with a 0 error estimate.  Memoised in the batch."""
    key = ("mass", roles or Z_ROLES, tol)
    hit = B.cache.get(key)
    if hit is None:
        hit = np.zeros(B.n, dtype=bool)
        n, M = B.n, G.M
        for r in NORMALISED_ROLES:
            if r not in (roles or Z_ROLES):
                continue
            lv, _ = family.fast_log(B, r, G.L)
            with np.errstate(all="ignore"):
                w = np.broadcast_to(np.exp(lv), G.L.z.shape)
                w = w * G.jac if G.jac is not None else w
                mass = (w[:, :M].reshape(n, G.P, G.n1 + G.n2)[:, :, G.n1:] * G.W2).sum(axis=(1, 2))
                hit = hit | ~(abs(mass - 1) <= TRUST * tol)
        B.cache[key] = hit
    return hit


_FAST_COMPILED = {}


def compile_fast(expr, family):
    """Unfold and compile ``expr`` for the fast path; raises NotEvaluable (structural) or
    FastUnsupported (evaluate it with :func:`evaluate` instead)."""
    family = resolve_family(family)
    expr = sympy.sympify(expr, strict=True)
    key = (expr, family.name)
    hit = _FAST_COMPILED.get(key)
    if hit is None:
        if not getattr(family, "fast", False):
            hit = FastUnsupported(f"family {family.name} has no fast path")
        else:
            try:
                hit = Fast(family).value(unfold_definitions(expr))
            except (NotEvaluable, FastUnsupported) as ex:
                hit = ex
        if len(_FAST_COMPILED) > 10000:
            _FAST_COMPILED.clear()
        _FAST_COMPILED[key] = hit
    if isinstance(hit, Exception):
        raise hit
    return hit


def evaluate_fast(expr, family, batch, tol=1e-6) -> FastResult:
    """``expr`` at every point of ``batch`` (see the section comment above); memoised in
    the batch.  Raises NotEvaluable (structural) or FastUnsupported."""
    family = resolve_family(family)
    memo = ("side", expr, tol)
    hit = batch.cache.get(memo)
    if hit is not None:
        return hit
    fn = compile_fast(expr, family)
    ctx = _FCtx(batch, family, tol, batch.zlat)
    ctx.valid = None
    n = batch.n
    if batch.zlat is not None and batch.zlat.valid is not None:
        ctx.flag(~np.asarray(batch.zlat.valid).reshape(n), UNCERTAIN, "latent value outside the support")
    for i, why in batch.invalid.items():
        ctx.status[i] = NOT_EVALUABLE
        ctx.reasons[i] = why
    with np.errstate(all="ignore"):
        v, er = fn(ctx)
        v = np.array(np.broadcast_to(v, (n, 1)), dtype=float).reshape(n)
        er = np.array(np.broadcast_to(abs(er), (n, 1)), dtype=float).reshape(n)
        er = er + 1e3 * _EPS * (1 + abs(v))
        ctx.flag(~np.isfinite(v) | ~np.isfinite(er), UNCERTAIN, "value not finite in float64")
        ctx.flag(er > TRUST * tol * (1 + abs(v)), UNCERTAIN,
                 "float64 error estimate too large for the tolerance")
    res = FastResult(v, er, ctx.status, ctx.reasons)
    batch.cache[memo] = res
    return res
