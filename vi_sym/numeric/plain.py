"""Plain evaluation of parameter expressions and one-dimensional integrals against a
defined density (the numeric side of claims such as ``KL(q||r) = closed form``).

``compile_plain(expr)`` / ``compile_plain_np(expr)`` are the walker
(:mod:`vi_sym.numeric.walker`) with the mpmath / float64 arithmetics and function
tables of the other back-ends, without error tracking: closures ``env -> value`` over a
dict of named values (mpf, or float64 arrays for the latent).  A log of a
non-positive value is NotEvaluable in mpmath (NaN in float64, which the float64
quadrature never trusts).

``integrate_1d(comp, f, env, fnp)`` is ``∫ P f dz`` against one component density
``P = exp(logpdf)``: exact finite sums, count supports summed past the mode with a
geometric tail bound, and continuous supports by float64 tanh–sinh
(:mod:`vi_sym.numeric.quad64`) first, ``mpmath.quad(error=True)`` when float64 cannot
vouch for the value or the working precision is above ``DPS``.
"""
from __future__ import annotations

import math

import mpmath
import numpy as np
import sympy
from mpmath.libmp import mpf_sum
from sympy import Symbol

from . import quad64, tails
from .quad64 import fast_1d
from .bounded import end_value, integrate_bounded, sum_bounded
from .budget import BudgetSpent, fallback_budget, remembered, reuse, run_counted, spend_fallback  # noqa: F401
from .common import FastUnsupported, NotEvaluable
from .fast import np_const
from .functions import MP_FUNCTIONS, NP_FUNCTIONS
from .precise import mp_const, numeric_failure
from .supports import CONTINUOUS, DISCRETE, base_measure, supports_nest  # noqa: F401 -- re-exported
from .walker import Walker, is_constant

__all__ = ["compile_plain", "compile_plain_in", "compile_plain_np", "np_pair", "support_closure", "num_contains",
           "integrate_1d", "fast_1d", "component", "DPS", "count_fast",
           "fallback_budget"]

count_fast = tails.count_sum64   # the former name

#: the default working precision (decimal digits); above it, 1-D integrals use mpmath
DPS = 15
#: the break-point grid centre ± scale·4^j for mpmath.quad (see :func:`_grid`)
GRID = True
class _PlainMp(Walker):
    FUNCTIONS = MP_FUNCTIONS

    def const(self, e):
        c = mp_const(e, plain=True)
        return lambda env: c

    def symbol(self, e):
        name = e.name
        return lambda env: env[name]

    def add(self, fns):
        def add(env):
            vals = [f(env) for f in fns]
            try:
                parts = [v._mpf_ for v in vals]
            except AttributeError:       # a complex (or other) term: fsum converts it
                return mpmath.fsum(vals)
            # what mpmath.fsum does with real mpf terms (one exact sum, rounded once),
            # without its per-term conversions
            prec, rnd = mpmath.mp._prec_rounding
            return mpmath.mp.make_mpf(mpf_sum(parts, prec, rnd))
        return add

    def mul(self, fns):
        def mul(env):
            out = mpmath.mpf(1)
            for f in fns:
                out *= f(env)
            return out
        return mul

    def int_pow(self, fb, n):
        return lambda env: fb(env) ** n

    def power(self, e):
        fb, fe = self.value(e.base), self.value(e.exp)
        return lambda env: mpmath.power(fb(env), fe(env))

    def log_of(self, a):
        fa = self.value(a)

        def safe_log(env):
            x = fa(env)
            if x <= 0:
                raise NotEvaluable(f"log of a non-positive value in log({a})")
            return mpmath.log(x)
        return safe_log

    def exp(self, fa):
        return lambda env: mpmath.exp(fa(env))

    def call(self, label, fun, fns):
        return lambda env: fun(*[f(env) for f in fns])

    def bound_symbol(self, e):
        return self.symbol(e)

    def memo_constant(self, fn):
        memo = {}

        def f(env):
            if mpmath.mp.dps not in memo:
                memo[mpmath.mp.dps] = fn(env)
            return memo[mpmath.mp.dps]
        return f

    def bounded(self, is_sum, name, fn, flo, fhi, e):
        run, label = (sum_bounded, "the sum") if is_sum else (integrate_bounded, "the integral")

        def f(env):
            lo, hi = (end_value(b, lambda c: c(env)) for b in (flo, fhi))
            inner = dict(env)

            def g(t):
                inner[name] = t
                return fn(inner)
            return run(g, lo, hi, mpmath.mpf(10) ** (4 - mpmath.mp.dps), label)[0]
        return f


class _PlainNp(_PlainMp):
    FUNCTIONS = NP_FUNCTIONS

    def bounded(self, is_sum, name, fn, flo, fhi, e):
        raise FastUnsupported("integrals and sums with explicit bounds are evaluated in mpmath")

    def const(self, e):
        if e in (sympy.oo, sympy.S.NegativeInfinity):
            c = np.inf if e is sympy.oo else -np.inf
        else:
            c = np_const(e)
        return lambda env: c

    def add(self, fns):
        def add(env):
            out = 0.0
            for f in fns:
                out = out + f(env)
            return out
        return add

    def mul(self, fns):
        def mul(env):
            out = 1.0
            for f in fns:
                out = out * f(env)
            return out
        return mul

    def int_pow(self, fb, n):
        return lambda env: np.power(fb(env), float(n))

    def power(self, e):
        fb, fe = self.value(e.base), self.value(e.exp)
        return lambda env: np.power(fb(env), fe(env))

    def log_of(self, a):
        fa = self.value(a)
        return lambda env: np.log(fa(env))

    def exp(self, fa):
        def f(env):
            with np.errstate(over="ignore"):   # inf: never trusted by the quadrature
                return np.exp(fa(env))
        return f


def compile_plain(expr):
    """A closure ``env -> mpf`` for a density-free sympy expression (structural
    NotEvaluable for a construct the walker does not evaluate).  An arithmetic failure
    at a point (overflow of ``exp(exp(exp(exp(10))))``, a pole) is NotEvaluable with
    its reason, never an exception of another kind."""
    expr = sympy.sympify(expr, strict=True)
    return _safe(_PlainMp().value(expr), expr)


def _safe(f, expr):
    def safe(env):
        try:
            return f(env)
        except (OverflowError, ZeroDivisionError, ValueError, TypeError, MemoryError) as ex:
            # TypeError: an ordering of a complex intermediate (a power of a negative value)
            raise NotEvaluable(numeric_failure(ex, expr)) from None
    return safe


#: the key of an integrand's env under which :func:`compile_plain_in` memoises the values of
#: its subexpressions free of the integration variable (a dict, fresh per integral)
HOIST = object()


class _HoistedMp(_PlainMp):
    """:class:`_PlainMp` for an integrand in ``var``: each maximal subexpression free of
    ``var`` (and of any bound variable) -- a parameter term such as ``loggamma(a)`` or
    ``a·log(b)``, and the leading var-free factors of a product -- is computed at its first
    use in an integral at each working precision and read from the memo ``env[HOIST]`` at
    every later node: the same closures on the same values at the same precision, in the
    same order, so the same number, and a failure is raised where the plain closure would
    raise it (a failed value is not memoised).  Without ``env[HOIST]`` it is computed
    afresh, as by :func:`compile_plain`."""

    def __init__(self, var):
        super().__init__()
        self.var = getattr(var, "name", var)

    def _free(self, e) -> bool:
        return not any(s.name == self.var for s in e.free_symbols)   # env is read by name

    def value(self, e):
        if self.bound_names or is_constant(e) or isinstance(e, sympy.Symbol):
            return super().value(e)
        if not self._free(e):
            if isinstance(e, sympy.Mul) and self._free(e.args[0]):
                return self._mul_prefix(e.args)
            return super().value(e)
        return _memoised(_PlainMp().value(e))

    def _mul_prefix(self, args):
        """A product whose leading factors are free of ``var``: their running product (from
        1, as :meth:`_PlainMp.mul` forms it) once per integral, then the other factors."""
        n = next(i for i, a in enumerate(args) if not self._free(a))
        pre = _memoised(_PlainMp().mul([_PlainMp().value(a) for a in args[:n]]))
        rest = [self.value(a) for a in args[n:]]

        def mul(env):
            out = pre(env)
            for f in rest:
                out *= f(env)
            return out
        return mul


def _memoised(fn):
    """``fn`` read from the memo ``env[HOIST]`` (per working precision: ``mpmath.quad``
    works with guard bits, a window before it does not), computed at its first use."""
    slot = object()    # a key of its own in the shared memo

    def hoisted(env):
        memo = env.get(HOIST)
        if memo is None:
            return fn(env)
        key = (slot, mpmath.mp.prec)
        v = memo.get(key)
        if v is None:
            v = memo[key] = fn(env)
        return v
    return hoisted


def compile_plain_in(expr, var):
    """:func:`compile_plain` of an integrand in ``var``, its ``var``-free parts memoised
    per integral in ``env[HOIST]`` (see :class:`_HoistedMp`): the same values and failures."""
    return _safe(_HoistedMp(var).value(sympy.sympify(expr, strict=True)), expr)


def compile_plain_np(expr):
    """Like :func:`compile_plain`, on float64 numpy arrays (the latent an array of nodes)."""
    return _PlainNp().value(sympy.sympify(expr, strict=True))


def maybe_np(expr):
    try:
        return compile_plain_np(expr)
    except (NotEvaluable, FastUnsupported):
        return None


_REF = Symbol(quad64.REF_NAME)   # the distance hi - z to a finite upper end of the support


def np_pair(expr, c):
    """(closure in z, closure in hi - z or None): near a finite upper end ``hi`` the
    second is exact where ``1 - z`` would round to 0 in float64 (Beta with b < 1)."""
    direct = maybe_np(expr)
    sup = c.support()
    ref = None
    if direct is not None and sup[0] == "interval" and sympy.sympify(sup[2], strict=True).is_finite:
        ref = maybe_np(sympy.sympify(expr, strict=True).subs(c.var, sup[2] - _REF))
    return direct, ref


def support_closure(c):
    """``env -> support tuple`` of a component density (interval ends evaluated)."""
    sup = c.support()
    if sup[0] in ("interval", "integers"):
        lo, hi = compile_plain(sympy.sympify(sup[1], strict=True)), compile_plain(sympy.sympify(sup[2], strict=True))
        return lambda env: (sup[0], lo(env), hi(env))
    return lambda env: sup


def num_contains(outer, inner) -> bool:
    """Is the evaluated support ``inner`` inside ``outer`` (same base measure)?"""
    return supports_nest(outer, inner, le=lambda a, b: a <= b)


def component(c, breaks=None):
    """The compiled form of a component density ``c`` (a ``Dist``) that
    :func:`integrate_1d` takes: its log-density (mpmath and float64), parameters, break
    points (``c.breaks()`` unless given) and support."""
    breaks = list(c.breaks()) if breaks is None else list(breaks)
    if c.spec.weight_logpdf is not None:     # weighted by another density than its log-density share
        w = c.weight_logpdf()
        return (c, compile_plain_in(w, c.var), [compile_plain(p) for p in c.params[:2]],
                [compile_plain(sympy.sympify(b, strict=True)) for b in breaks], support_closure(c), np_pair(w, c))
    if c.spec.written:      # its own certified sums / integrals (see _written_integral)
        return (c, compile_plain_in(c.pdf(), c.var), [],
                [compile_plain(sympy.sympify(b, strict=True)) for b in breaks], support_closure(c), (None, None))
    return (c, compile_plain_in(c.logpdf(), c.var), [compile_plain(p) for p in c.params],
            [compile_plain(sympy.sympify(b, strict=True)) for b in breaks], support_closure(c),
            np_pair(c.logpdf(), c))


#: |∫ P dz - 1| above this (plus its error estimate) means P's mass was not captured
MASS_TOL = mpmath.mpf("1e-6")
_MASS: dict = {}


def integrate_1d(comp, f, env, fnp=None):
    """(∫ P_i f dz_i, error) with P_i = exp(logpdf); f None means f = 1.

    A continuous support at the default precision goes to float64 tanh-sinh first
    (:mod:`vi_sym.numeric.quad64`); a value it cannot vouch for, or a higher working
    precision (confirming a counterexample), uses ``mpmath.quad``.

    A value is certified only when the same quadrature captures P's own mass
    (``∫ P dz = 1`` within ``MASS_TOL`` plus its error estimate): a density narrower or
    farther away than the nodes can see makes every node 0, and 0 with error estimate 0
    is not a value (NotEvaluable, "mass not captured")."""
    mass = _mass(comp, env)
    if f is None:
        return mass
    return _integrate_1d(comp, f, env, fnp)


def _mass(comp, env):
    """(∫ P dz, error) of a component density, remembered with the fallbacks it took (see
    :mod:`vi_sym.numeric.budget`).  A mass not captured is remembered too, under the break
    points as well (they fix the quadrature with the density and the precision): the same
    failure, raised again without integrating again."""
    c = comp[0]
    names = sorted(s.name for s in c.free_symbols if s != c.var)
    key = (c, tuple(env[n] for n in names), mpmath.mp.prec)
    if key in _MASS:
        return reuse(_MASS[key], DPS)
    try:
        failed = key + (tuple(b(env) for b in comp[3]),)
    except NotEvaluable:
        failed = None
    if failed is not None and failed in _MASS:
        return reuse(_MASS[failed], DPS)
    lost = []

    def compute():
        val, err = _integrate_1d(comp, None, env)
        if c.spec.written and c.spec.weight_logpdf is None:
            return val, err  # certified by its own sum / integral: its mass is a value, not a check
        if not abs(val - 1) <= MASS_TOL + err:
            shown = ", ".join(f"{n} = {mpmath.nstr(env[n], 6)}" for n in names)
            lost.append(True)
            raise NotEvaluable(f"mass not captured: the quadrature of {c} gives total mass "
                               f"{mpmath.nstr(val, 6)} (error estimate {mpmath.nstr(err, 3)}) "
                               f"instead of 1 at {shown}")
        return val, err
    entry = run_counted(compute)
    if len(_MASS) > 4096:
        _MASS.clear()
    if not isinstance(entry[0], NotEvaluable):
        _MASS[key] = entry
    elif lost and failed is not None:
        _MASS[failed] = entry
    if isinstance(entry[0], NotEvaluable):
        raise entry[0]
    return entry[0]


def _integrate_1d(comp, f, env, fnp=None):
    c, logp, params, breaks, support, (logp_np, logp_ref) = comp
    fnp, fref = fnp if fnp is not None else (None, None)
    z = c.var.name
    sup = support(env)
    menv = dict(env)
    menv[HOIST] = {}      # the integrand's parameter terms, once per integral (see compile_plain_in)

    def integrand(x):
        e = dict(menv)
        e[z] = x
        w = mpmath.exp(logp(e))
        if not w:
            return mpmath.mpf(0)
        return w if f is None else w * f(e)

    if c.spec.written and c.spec.weight_logpdf is None:
        return _written_integral(c, logp, f, menv, z, sup, [b(env) for b in breaks])
    if sup[0] == "finite":
        return mpmath.fsum(integrand(mpmath.mpf(k)) for k in sup[1]), mpmath.mpf(0)
    if sup[0] == "count":
        mode = max(float(b(env)) for b in breaks) if breaks else 0.0
        if logp_np is not None and (f is None or fnp is not None) and mpmath.mp.dps <= DPS:
            tr = c.spec.tail_ratio
            pv = [float(p(env)) for p in params]
            fast = tails.count_sum64(z, env, mode, logp_np, None if f is None else fnp,
                                     None if tr is None else (lambda K: tr(K, *pv)))
            if fast is not None:
                return mpmath.mpf(fast[0]), mpmath.mpf(fast[1])
        spend_fallback(DPS)
        return tails.count_sum_mp(integrand, mode, mpmath.mp.dps)
    if sup[0] == "real":
        lo, hi = mpmath.ninf, mpmath.inf
    else:
        lo, hi = sup[1], sup[2]
        if not hi > lo:
            raise NotEvaluable(f"empty support of {c}")
    pts = sorted({float(b(env)) for b in breaks if lo < b(env) < hi})
    scale, extra = c.spec.hint(*[float(p(env)) for p in params])   # the kind's length scale
    pts = sorted(set(pts) | {float(x) for x in extra if lo < x < hi})   # and its peak region
    scale = float(scale)
    if logp_np is not None and (f is None or fnp is not None) and mpmath.mp.dps <= DPS:
        fast = fast_1d(z, env, float(lo), float(hi), pts, scale, (logp_np, fnp, f is None),
                        (logp_ref, fref) if logp_ref is not None and (f is None or fref is not None) else None)
        if fast is not None:
            return mpmath.mpf(fast[0]), mpmath.mpf(fast[1])
    spend_fallback(DPS)
    center = pts[len(pts) // 2] if pts else (0.0 if sup[0] == "real" else float(lo) + scale)
    lo, hi, tail = tails.window(integrand, lo, hi, center, scale,
                               weight=lambda x: mpmath.exp(logp({**menv, z: x})), power_tails=f is not None)
    pts = _grid(pts, center, scale, lo, hi) if GRID else pts
    if mpmath.mp.dps > DPS:        # a value that may certify a counterexample
        peak = quad64.integrand_peak(logp_np, fnp if f is not None else None, env, z, center, scale)
        pts = sorted(set(pts) | {x for x in peak if lo < x < hi})
    val, err = mpmath.quad(integrand, [lo, *pts, hi], error=True)
    err += tail
    nodes = [lo, *pts, hi]
    # the mass nearer a finite end than mpmath's nodes reach (P's own mass is checked against 1)
    if f is not None and mpmath.isfinite(lo):
        err += tails.end_mass(integrand, lo, nodes[1] - lo, mpmath.mp.dps)
    if f is not None and mpmath.isfinite(hi):
        err += tails.end_mass(integrand, hi, nodes[-2] - hi, mpmath.mp.dps)
    if not (mpmath.isfinite(val) and mpmath.isfinite(err)):
        raise NotEvaluable(f"the integral against {c} is not finite here")
    return val, err


def _written_integral(c, pdf, f, env, z, sup, breaks=()):
    """Σ / ∫ r f for a density written by hand: certified summation / quadrature of the
    formula itself (:mod:`.bounded`), split at ``breaks`` (the kinks of r and f); a negative
    value of the formula is NotEvaluable."""
    def integrand(x):
        e = dict(env)
        e[z] = x
        w = pdf(e)
        if w < 0:
            raise NotEvaluable(f"the density written as {c.pdf()} is negative at {z} = "
                               f"{mpmath.nstr(x, 6)} ({mpmath.nstr(w, 6)}): not a density")
        return w if f is None or not w else w * f(e)
    tol = mpmath.mpf(10) ** (4 - mpmath.mp.dps)
    if sup[0] == "integers":
        return sum_bounded(integrand, sup[1], sup[2], tol)
    lo, hi = (mpmath.ninf, mpmath.inf) if sup[0] == "real" else (sup[1], sup[2])
    return integrate_bounded(integrand, lo, hi, tol, breaks=breaks)


def _grid(pts, center, scale, lo, hi):
    """The break points plus ``center ± scale·4^j`` inside (lo, hi): an integrand whose
    mass sits far from the density's own scale (z^1000 against an Exponential(1)) is
    still resolved by ``mpmath.quad``, whose error estimate cannot see a missed peak."""
    out = set(pts)
    for sign in (-1, 1):
        d = scale
        for _ in range(12):
            x = center + sign * d
            if not lo < x < hi:
                break
            out.add(float(x))
            d *= 4
    return sorted(out)
