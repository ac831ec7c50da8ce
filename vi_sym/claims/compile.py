"""Numeric values of a claim's sides: expression compilers (mpmath and float64) and 1-d
quadrature against a defined density.  (To be replaced by ``vi_sym.numeric``'s walker.)"""
from __future__ import annotations

import math

import mpmath
import numpy as np
import sympy
from sympy import Integral, Symbol

from .. import quadrature
from ..distributions import Dist
from ..vocabulary import Density
from .structure import NotEvaluable, _groups, _log_densities, _pieces, _unfold, supports_nest

DPS = 15


_UNARY = {
    sympy.log: mpmath.log, sympy.exp: mpmath.exp, sympy.loggamma: mpmath.loggamma,
    sympy.digamma: mpmath.digamma, sympy.gamma: mpmath.gamma, sympy.Abs: abs,
}


def _compile(expr):
    """A closure ``env -> mpf`` for a sympy expression (no eval, no lambdify)."""
    if isinstance(expr, Symbol):
        name = expr.name
        return lambda env: env[name]
    if expr is sympy.oo or expr is sympy.S.NegativeInfinity:
        c = mpmath.inf if expr is sympy.oo else mpmath.ninf
        return lambda env: c
    if expr.is_Number or expr in (sympy.pi, sympy.E):
        c = mpmath.mpf(sympy.Float(expr, 30)) if expr.is_Float or not expr.is_Rational \
            else mpmath.mpf(expr.p) / expr.q
        return lambda env: c
    if expr.is_Add:
        fs = [_compile(a) for a in expr.args]
        return lambda env: mpmath.fsum(f(env) for f in fs)
    if expr.is_Mul:
        fs = [_compile(a) for a in expr.args]

        def mul(env):
            out = mpmath.mpf(1)
            for f in fs:
                out *= f(env)
            return out
        return mul
    if expr.is_Pow:
        b, e = _compile(expr.base), expr.exp
        if e.is_Integer:
            n = int(e)
            return lambda env: b(env) ** n
        fe = _compile(e)
        return lambda env: mpmath.power(b(env), fe(env))
    if expr.func in _UNARY and len(expr.args) == 1:
        fn, a = _UNARY[expr.func], _compile(expr.args[0])
        if expr.func is sympy.log:
            def safe_log(env):
                x = a(env)
                if x <= 0:
                    raise NotEvaluable(f"log of a non-positive value in {expr}")
                return mpmath.log(x)
            return safe_log
        if expr.func is sympy.loggamma:
            return lambda env: mpmath.re(mpmath.loggamma(a(env)))
        return lambda env: fn(a(env))
    if isinstance(expr, sympy.polygamma) and expr.args[0].is_Integer:
        n, a = int(expr.args[0]), _compile(expr.args[1])
        return lambda env: mpmath.polygamma(n, a(env))
    raise NotEvaluable(f"cannot evaluate {expr.func.__name__} numerically", True)


def _np_scalar(fn):
    def f(x):
        if np.ndim(x):
            return np.vectorize(lambda v: float(fn(v)), otypes=[float])(x)
        return float(fn(x))
    return f


_NP_UNARY = {
    sympy.log: np.log, sympy.exp: np.exp, sympy.Abs: np.abs,
    sympy.loggamma: _np_scalar(math.lgamma), sympy.gamma: _np_scalar(math.gamma),
    sympy.digamma: _np_scalar(mpmath.digamma),
}


def _compile_np(expr):
    """Like :func:`_compile`, on float64 numpy arrays (the latent an array of nodes);
    raises NotEvaluable for a construct it does not cover (the mpmath path is used)."""
    if isinstance(expr, Symbol):
        name = expr.name
        return lambda env: env[name]
    if expr.is_Number or expr in (sympy.pi, sympy.E):
        c = float(sympy.Float(expr, 20))
        return lambda env: c
    if expr.is_Add or expr.is_Mul:
        fs = [_compile_np(a) for a in expr.args]
        if expr.is_Add:
            def add(env):
                out = 0.0
                for f in fs:
                    out = out + f(env)
                return out
            return add

        def mul(env):
            out = 1.0
            for f in fs:
                out = out * f(env)
            return out
        return mul
    if expr.is_Pow:
        b, fe = _compile_np(expr.base), _compile_np(expr.exp)
        return lambda env: np.power(b(env), fe(env))
    if expr.func in _NP_UNARY and len(expr.args) == 1:
        fn, a = _NP_UNARY[expr.func], _compile_np(expr.args[0])
        return lambda env: fn(a(env))
    if isinstance(expr, sympy.polygamma) and expr.args[0] == 0:
        a = _compile_np(expr.args[1])
        return lambda env: _NP_UNARY[sympy.digamma](a(env))
    raise NotEvaluable(f"no float64 evaluation of {expr.func.__name__}", True)


def _maybe_np(expr):
    try:
        return _compile_np(expr)
    except NotEvaluable:
        return None


_REF = Symbol("_ref")   # the distance hi - z to a finite upper end of the support


def _np_pair(expr, c):
    """(closure in z, closure in hi - z or None): near a finite upper end ``hi`` the
    second is exact where ``1 - z`` would round to 0 in float64 (Beta with b < 1)."""
    direct = _maybe_np(expr)
    sup = c.support()
    ref = None
    if direct is not None and sup[0] == "interval" and sympy.sympify(sup[2]).is_finite:
        ref = _maybe_np(sympy.sympify(expr).subs(c.var, sup[2] - _REF))
    return direct, ref


class _Compiled:
    """A side of a claim, compiled once: its integrals and the outer expression."""

    def __init__(self, expr):
        expr = _unfold(expr)
        self.integrals = []   # (dummy, [(P components, needs, [(key, closure)]) ...])
        mapping = {}
        for i, I in enumerate(sorted(expr.atoms(Integral), key=str)):
            d = Symbol(f"_I{i}")
            mapping[I] = d
            pieces = []
            for P, g in _pieces(I):
                g, needs = _log_densities(g, P)
                pc = P.components()
                groups = []
                for key, t in _groups(g, tuple(pc)).items():
                    if len(key) > 1:
                        raise NotEvaluable("a term couples several latent variables (only "
                                           "separable integrands are evaluated)", True)
                    var = next(iter(key)) if key else None
                    groups.append((var, _compile(t), _np_pair(t, pc[var]) if var is not None else None))
                kinks = {v: list(c.breaks()) for v, c in pc.items()}
                for outer_c, _ in needs:      # kinks of log r(z) too (Laplace's |z - m|)
                    kinks[outer_c.var].extend(outer_c.breaks())
                comps = {v: (c, _compile(c.logpdf()), [_compile(p) for p in c.params],
                             [_compile(sympy.sympify(b)) for b in kinks[v]], _support_closure(c),
                             _np_pair(c.logpdf(), c))
                         for v, c in pc.items()}
                pieces.append((comps, needs, groups))
            self.integrals.append((d, pieces))
        outer = expr.xreplace(mapping)
        if outer.atoms(Density):
            raise NotEvaluable("a density occurs outside any integral", True)
        self.outer = _compile(outer)

    def value(self, env):
        """(value, error) at the parameter point ``env`` (names -> mpf)."""
        env = dict(env)
        errs = {}
        for d, pieces in self.integrals:
            v, e = mpmath.mpf(0), mpmath.mpf(0)
            for comps, needs, groups in pieces:
                for outer_c, inner_c in needs:
                    if not _num_contains(_support_closure(outer_c)(env), _support_closure(inner_c)(env)):
                        raise NotEvaluable(f"the support of {inner_c} is not inside that of {outer_c}: "
                                           "the integral is infinite here")
                norms = {var: _integrate_1d(comps[var], None, env) for var in comps}
                for var, f, fnp in groups:
                    val, err = (_integrate_1d(comps[var], f, env, fnp) if var is not None
                                else (f(env), mpmath.mpf(0)))
                    for other, (nv, ne) in norms.items():
                        if other != var:
                            err = abs(val) * ne + abs(nv) * err
                            val *= nv
                    v += val
                    e += err
            env[d.name] = v
            errs[d.name] = e
        base = self.outer(env)
        total_err = mpmath.mpf(0)
        for name, e in errs.items():   # propagate each integral's error through the outer expression
            if e:
                bumped = dict(env)
                bumped[name] = env[name] + e
                total_err += abs(self.outer(bumped) - base)
        return base, total_err


def _support_closure(c: Dist):
    sup = c.support()
    if sup[0] == "interval":
        lo, hi = _compile(sympy.sympify(sup[1])), _compile(sympy.sympify(sup[2]))
        return lambda env: ("interval", lo(env), hi(env))
    return lambda env: sup


def _num_contains(outer, inner) -> bool:
    """Support containment at a parameter point (same base measure: see ``supports_nest``)."""
    return supports_nest(outer, inner, le=lambda a, b: a <= b)


def _integrate_1d(comp, f, env, fnp=None):
    """(∫ P_i f dz_i, error) with P_i = exp(logpdf); f None means f = 1.

    A continuous support at the default precision goes to float64 tanh-sinh first
    (``vi_sym.quadrature``); a value it cannot vouch for, or a higher working
    precision (confirming a counterexample), uses ``mpmath.quad``."""
    c, logp, params, breaks, support, (logp_np, logp_ref) = comp
    fnp, fref = fnp if fnp is not None else (None, None)
    z = c.var.name
    sup = support(env)

    def integrand(x):
        e = dict(env)
        e[z] = x
        w = mpmath.exp(logp(e))
        if not w:
            return mpmath.mpf(0)
        return w if f is None else w * f(e)

    if sup[0] == "finite":
        return mpmath.fsum(integrand(mpmath.mpf(k)) for k in sup[1]), mpmath.mpf(0)
    if sup[0] == "count":
        mode = max(float(b(env)) for b in breaks) if breaks else 0.0
        if logp_np is not None and (f is None or fnp is not None) and mpmath.mp.dps <= DPS:
            fast = _count_fast(z, env, mode, logp_np, None if f is None else fnp)
            if fast is not None:
                return mpmath.mpf(fast[0]), mpmath.mpf(fast[1])
        total, k, small = mpmath.mpf(0), 0, 0
        while True:
            term = integrand(mpmath.mpf(k))
            total += term
            if k > 2 * mode + 10 and abs(term) < mpmath.mpf(10) ** (-DPS - 3) * (1 + abs(total)):
                small += 1
                if small >= 5:   # past 2·mode the terms shrink at least geometrically (ratio < 1/2)
                    return total, 2 * abs(term)
            if k > 100000:
                raise NotEvaluable("the sum over the count support did not converge")
            k += 1
    if sup[0] == "real":
        lo, hi = mpmath.ninf, mpmath.inf
    else:
        lo, hi = sup[1], sup[2]
        if not hi > lo:
            raise NotEvaluable(f"empty support of {c}")
    pts = sorted({float(b(env)) for b in breaks if lo < b(env) < hi})
    scale = 1.0
    if c.kind in ("Normal", "Laplace"):
        m, s = params[0](env), params[1](env)
        pts = sorted(set(pts) | {float(m - s), float(m + s)})   # the peak region, on both sides
        scale = float(s)
    elif c.kind in ("Exponential", "Gamma"):
        scale = float(1 / params[-1](env))
    if logp_np is not None and (f is None or fnp is not None) and mpmath.mp.dps <= DPS:
        fast = _fast_1d(z, env, float(lo), float(hi), pts, scale, (logp_np, fnp, f is None),
                        (logp_ref, fref) if logp_ref is not None and (f is None or fref is not None) else None)
        if fast is not None:
            return mpmath.mpf(fast[0]), mpmath.mpf(fast[1])
    val, err = mpmath.quad(integrand, [lo, *pts, hi], error=True)
    if not (mpmath.isfinite(val) and mpmath.isfinite(err)):
        raise NotEvaluable(f"the integral against {c} is not finite here")
    return val, err


def _fast_1d(z, env, lo, hi, pts, scale, direct, reflected):
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

    left = integrand(logp_np, fnp, z)
    if reflected is None or not np.isfinite(hi):
        return quadrature.integrate(left, lo, hi, pts, scale)
    mid = (lo + hi) / 2
    a = quadrature.integrate(left, lo, mid, [p for p in pts if p < mid], scale)
    b = quadrature.integrate(integrand(*reflected, _REF.name), 0.0, hi - mid,
                             [hi - p for p in pts if p > mid], scale)
    if a is None or b is None:
        return None
    return a[0] + b[0], a[1] + b[1]


def _count_fast(z, env, mode, logp_np, fnp):
    """float64 sum of exp(logp) f over 0, 1, ..., K at once (K well past 2·mode, where the
    terms shrink at least geometrically); (sum, error) or None when float64 cannot vouch
    for it (a non-finite term, or the last terms not negligible).  The error bounds the
    tail (twice the last term) and the rounding of the terms (exp of a log-density of
    size |logp| carries a relative error of about |logp|·eps) and of their sum."""
    K = int(2 * mode + 40 * math.sqrt(mode + 1) + 60)
    if K > 200000:
        return None
    e = {k: float(v) for k, v in env.items()}
    e[z] = np.arange(0, K + 1, dtype=float)
    with np.errstate(all="ignore"):
        lp = np.broadcast_to(np.asarray(logp_np(e), dtype=float), e[z].shape)
        w = np.exp(lp)
        terms = w if fnp is None else np.where(w > 0, w * np.asarray(fnp(e), dtype=float), 0.0)
    if not np.all(np.isfinite(terms)):
        return None
    total = float(np.sum(terms))
    last = float(np.max(np.abs(terms[-5:])))
    if last > 1e-18 * (1 + abs(total)):
        return None
    eps = np.finfo(float).eps
    big = np.abs(lp[w > 1e-300]) if np.any(w > 1e-300) else np.zeros(1)
    err = 2 * last + float(np.sum(np.abs(terms))) * eps * (64 + float(np.max(big)) + math.log2(K + 2))
    return total, err

