"""Numeric evaluation of an abstract VI expression inside a concrete model family.

``evaluate(expr, family, params, tol)`` (the precise back-end of the walker,
:mod:`vi_sym.numeric.walker`) gives the number an expression built from
the vocabulary (densities, KL, E, ELBO, integrals over the latent, arithmetic,
log/exp, a few special functions) takes in a family (see ``vi_sym.families``)
at a parameter point, with an error estimate::

    Value(value: mpf, error: mpf, notes: tuple[str, ...])

or raises :class:`NotEvaluable` with the reason.  How:

* KL / E / ELBO are unfolded by their definitions (``unfold_definitions``);
  the result is compiled once into closures (cached per expression and family).
* ``log`` of a density, and of products / quotients / powers of densities, is
  evaluated in log space: ``log(p(x,z)/q(z)) = log p(x,z) - log q(z)`` with the
  family's log-densities; it never exponentiates and takes the log again.
  A bare density is ``exp(log-density)``.
* ``Integral(f, z)`` is integration against the latent's base measure:
  for a discrete latent, the exact finite sum over the support; for a
  continuous latent, adaptive Gauss–Legendre (tanh–sinh on pieces touching a
  finite support boundary) on breakpoints placed around the densities that
  make the integrand decay (those outside logs, with positive powers).  An
  infinite range is truncated to a window holding all but ~e^-70 of those
  densities' mass; the integrand is then *checked* to be negligible at and
  beyond the window ends (otherwise NotEvaluable: the integral may diverge)
  and the tail bound is added to the error and recorded in ``notes``.
  The quadrature error estimate must be below ``tol·(1+|I|)``.  The rules are
  mpmath's own (its Gauss–Legendre / tanh–sinh nodes and weights); the driver
  is local because ``mpmath.quad``'s convergence target is tied to the working
  precision (it would chase 1e-21 everywhere) and it cannot bisect a piece
  that fails to converge.  Degree-by-degree differences give the error
  estimate (as ``quad(..., error=True)`` does); a piece that does not converge
  is bisected, within an evaluation budget (then NotEvaluable).
* Errors propagate to first order (sums, products, powers, logs); the
  families' quadrature-based normalisers (the non-conjugate model) contribute
  their error bounds; a rounding floor ``10^(3-dps)·(1+|v|)`` is added.
* A NaN / complex / infinite value, a log of a non-positive number, a free
  latent without a binding, an unknown function or an unknown density all
  raise NotEvaluable -- never a wrong number.

The working precision is ``dps`` decimal digits (20 by default).
"""
from __future__ import annotations

import mpmath
import sympy
from mpmath import mpf

from ..vocabulary import unfold_definitions
from .bounded import end_value, integrate_bounded, sum_bounded
from .common import DATA, LATENT, NotEvaluable, Value, resolve_family
from .functions import MP_FUNCTIONS
from .precise_integrals import continuous_integral, discrete_integral, fmt as _fmt
from .walker import Walker

__all__ = ["Precise", "compile_expr", "evaluate", "mp_const", "numeric_failure"]


class _Ctx:
    __slots__ = ("family", "params", "tol", "z", "bound", "logfns", "notes", "zcache", "masses")

    def __init__(self, family, params, tol, z, bound):
        self.family = family
        self.params = params
        self.tol = mpf(tol)
        self.z = z
        self.bound = bound
        self.logfns = {}
        self.notes = []
        self.zcache = {}
        self.masses = {}

    def logfn(self, role):
        r = self.logfns.get(role)
        if r is None:
            try:
                r = self.family.log_fn(self.params, role)
            except (ValueError, KeyError, TypeError) as ex:
                raise NotEvaluable(f"invalid parameters for {self.family.name}: {ex}") from None
            self.logfns[role] = r
        return r

    def logdens(self, role, label):
        """(log-density of role at the current z, its error), memoised for the current z."""
        z = self.z
        c = self.zcache.get(role)
        if c is not None and c[0] is z:
            return c[1], c[2]
        lf, le = self.logfn(role)
        if role == "evidence":
            v = lf()
        else:
            if z is None:
                raise NotEvaluable(f"{label} depends on the latent z, which is free and not bound",
                                   structural=True)
            v = lf(z)
        self.zcache[role] = (z, v, le)
        return v, le

    def note(self, s):
        if s not in self.notes:
            self.notes.append(s)


def _check_real(v, what):
    if isinstance(v, mpmath.mpc):
        if v.imag == 0:
            return v.real
        raise NotEvaluable(f"{what} is complex ({_fmt(v)})")
    if not mpmath.isfinite(v):
        raise NotEvaluable(f"{what} is not finite ({v})")
    return v


def mp_const(e, plain=False):
    """A sympy constant as an mpf (``plain``: ±oo allowed, for support ends)."""
    if plain and e in (sympy.oo, sympy.S.NegativeInfinity):
        return mpmath.inf if e is sympy.oo else mpmath.ninf
    if not (e.is_extended_real and e.is_finite):
        raise NotEvaluable(f"non-real or infinite constant {e}", structural=True)
    if e.is_Integer:
        return mpf(int(e))
    with mpmath.workdps(60):  # exact to 60 digits; rounded to the working precision on use
        return mpmath.mpf(sympy.Float(e, 60)._mpf_)


def numeric_failure(ex, expr=None) -> str:
    """The reason a point is NotEvaluable when arithmetic raised ``ex``."""
    where = f" in {sympy.sstr(expr)[:80]}" if expr is not None else ""
    if isinstance(ex, (OverflowError, MemoryError)):
        return f"overflow{where}: the value is too large to represent ({type(ex).__name__}: {ex})"
    if isinstance(ex, ZeroDivisionError):
        return f"division by zero{where}"
    return f"numeric failure{where}: {type(ex).__name__}: {ex}"


def _bump(vals, i, d):
    out = list(vals)
    out[i] = vals[i] + d
    return out


class Precise(Walker):
    """The mpmath back-end: closures ``f(ctx) -> (value, abs error)``."""

    FUNCTIONS = MP_FUNCTIONS

    # --- values -------------------------------------------------------------------
    def const(self, e):
        c = mp_const(e)

        def f(ctx):
            return +c, 0
        f.const = c
        return f

    def symbol(self, e):
        name = e.name
        if name == LATENT:
            def f(ctx):
                if ctx.z is None:
                    raise NotEvaluable("the latent z is free outside an integral and not bound",
                                       structural=True)
                return ctx.z, 0
            return f
        if name == DATA:
            raise NotEvaluable("the data symbol x appears outside a density", structural=True)

        def g(ctx):
            try:
                return ctx.bound[name], 0
            except KeyError:
                raise NotEvaluable(f"free symbol {name} has no value", structural=True) from None
        return g

    def density(self, role, label):
        def f(ctx):
            lv, le = ctx.logdens(role, label)
            v = mpmath.exp(lv)
            return v, (v * mpmath.expm1(le) if le else 0)
        return f

    def add(self, fns):
        def f(ctx):
            s = mpf(0)
            err = 0
            for fn in fns:
                v, er = fn(ctx)
                s += v
                if er:
                    err += er
            return s, err
        return f

    def mul(self, fns):
        def f(ctx):
            vals = [fn(ctx) for fn in fns]
            p = mpf(1)
            for v, _ in vals:
                p *= v
            if not any(er for _, er in vals):
                return p, 0
            err = mpf(0)
            for i, (_, er) in enumerate(vals):
                if er:
                    t = abs(er)
                    for j, (v, _) in enumerate(vals):
                        if j != i:
                            t *= abs(v)
                    err += t
            return p, err
        return f

    def int_pow(self, fb, k):
        def f(ctx):
            vb, eb = fb(ctx)
            if vb == 0 and k < 0:
                raise NotEvaluable("division by zero")
            v = vb ** k
            return v, (abs(k * vb ** (k - 1)) * eb if eb else 0)
        return f

    def from_signed_log(self, lg):
        def g(ctx):
            s, l, le = lg(ctx)
            if s == 0:
                return mpf(0), 0
            v = s * mpmath.exp(l)
            return v, (abs(v) * mpmath.expm1(le) if le else 0)
        return g

    def log(self, lg):
        def f(ctx):
            s, l, le = lg(ctx)
            if s == 0:
                raise NotEvaluable("log of zero")
            if s < 0:
                raise NotEvaluable("log of a negative value")
            return l, le
        return f

    def exp(self, fa):
        def f(ctx):
            va, ea = fa(ctx)
            v = mpmath.exp(va)
            return v, (v * mpmath.expm1(ea) if ea else 0)
        return f

    def call(self, label, fun, fns):
        def f(ctx):
            args = [fn(ctx) for fn in fns]
            vals = [a[0] for a in args]
            shown = ", ".join(_fmt(v) for v in vals)
            try:
                v = _check_real(fun(*vals), f"{label}({shown})")
            except (ValueError, ZeroDivisionError) as ex:
                raise NotEvaluable(f"{label}({shown}): {ex}") from None
            err = 0
            for i, (_, ea) in enumerate(args):
                if ea:
                    try:
                        hi = _check_real(fun(*_bump(vals, i, ea)), label)
                        lo = _check_real(fun(*_bump(vals, i, -ea)), label)
                    except (ValueError, ZeroDivisionError) as ex:
                        raise NotEvaluable(f"{label} near ({shown}): {ex}") from None
                    err += max(abs(hi - v), abs(v - lo))
            return v, err
        return f

    # --- signed logs --------------------------------------------------------------
    def slog_density(self, role, label):
        def f(ctx):
            lv, le = ctx.logdens(role, label)
            return 1, lv, le
        return f

    def slog_mul(self, fns):
        def g(ctx):
            s, l, le = 1, mpf(0), 0
            for fn in fns:
                si, li, lei = fn(ctx)
                if si == 0:
                    return 0, mpf("-inf"), 0
                s *= si
                l += li
                if lei:
                    le += lei
            return s, l, le
        return g

    def slog_const_pow(self, fb, x):
        is_int = bool(x.is_Integer)
        k = int(x) if is_int else None
        xv = mp_const(x)
        positive = bool(x.is_positive)

        def h(ctx):
            s, l, le = fb(ctx)
            if s == 0:
                if positive:
                    return 0, mpf("-inf"), 0
                raise NotEvaluable("division by zero")
            if s < 0:
                if not is_int:
                    raise NotEvaluable("non-integer power of a negative value")
                s = -1 if k % 2 else 1
            return s, xv * l, (abs(xv) * le if le else 0)
        return h

    def slog_var_pow(self, fb, fx):
        def h2(ctx):
            s, l, le = fb(ctx)
            vx, ex = fx(ctx)
            if s <= 0:
                raise NotEvaluable("power with a variable exponent of a non-positive base")
            err = abs(vx) * le + abs(l) * ex
            return 1, vx * l, err
        return h2

    def slog_exp(self, fa):
        def k_(ctx):
            va, ea = fa(ctx)
            return 1, va, ea
        return k_

    def slog_value(self, fv):
        def m(ctx):
            v, er = fv(ctx)
            if v == 0:
                return 0, mpf("-inf"), 0
            av = abs(v)
            return (1 if v > 0 else -1), mpmath.log(av), (er / av if er else 0)
        return m

    # --- integrals ----------------------------------------------------------------
    def bound_symbol(self, e):
        name = e.name

        def f(ctx):
            return ctx.bound[name], 0
        return f

    def memo_constant(self, fn):
        memo = {}

        def f(ctx):
            key = (mpmath.mp.dps, ctx.tol)
            if key not in memo:
                memo[key] = fn(ctx)
            return memo[key]
        return f

    def bounded(self, is_sum, name, fn, flo, fhi, e):
        run, label = (sum_bounded, "the sum") if is_sum else (integrate_bounded, "the integral")

        def f(ctx):
            lo, hi = (end_value(b, lambda c: c(ctx)[0]) for b in (flo, fhi))
            saved = ctx.bound.get(name)

            def g(t):
                ctx.bound[name] = t
                return fn(ctx)[0]
            try:
                return run(g, lo, hi, ctx.tol, label)
            finally:
                if saved is None:
                    ctx.bound.pop(name, None)
                else:
                    ctx.bound[name] = saved
        return f

    def integral(self, e, fi, roles):
        family = self.family
        inner = discrete_integral(family, fi) if family.discrete else continuous_integral(family, fi, roles)
        return _shared(e, family.name, inner)


#: whole integrals' values at a point, shared by every side (chain steps, fixes) containing them
_INTEGRALS: dict = {}


def _shared(e, family_name, inner):
    """``inner`` (an integral's closure), memoised per process under (the integral, family,
    parameters, tolerance, precision) when nothing in it is bound from outside (no latent
    value, no bound variable): its value, error and notes are then a function of those alone."""
    def f(ctx):
        if ctx.z is not None or ctx.bound:
            return inner(ctx)
        try:
            key = (e, family_name, _frozen(ctx.params), ctx.tol, mpmath.mp.prec)
            hit = _INTEGRALS.get(key)
        except TypeError:        # a parameter that cannot be a key: not memoised
            return inner(ctx)
        if hit is None:
            outer, ctx.notes = ctx.notes, []      # the notes this integral makes, on their own
            try:
                value = inner(ctx)
            except NotEvaluable as ex:
                value = ex
            finally:
                made, ctx.notes = ctx.notes, outer
            if len(_INTEGRALS) > 4096:
                _INTEGRALS.clear()
            hit = _INTEGRALS[key] = (value, tuple(made))
        for note in hit[1]:
            ctx.note(note)
        if isinstance(hit[0], NotEvaluable):
            raise hit[0]
        return hit[0]
    return f


_COMPILED = {}


def compile_expr(expr, family):
    """Unfold KL/E/ELBO and compile ``expr`` for ``family`` (a Family object); raises
    NotEvaluable (structural)."""
    family = resolve_family(family)
    expr = sympy.sympify(expr, strict=True)
    key = (expr, family.name)
    hit = _COMPILED.get(key)
    if hit is None:
        try:
            hit = Precise(family).value(unfold_definitions(expr))
        except NotEvaluable as ex:
            hit = ex
        if len(_COMPILED) > 10000:
            _COMPILED.clear()
        _COMPILED[key] = hit
    if isinstance(hit, NotEvaluable):
        raise hit
    return hit


_VALUES: dict = {}


def _frozen(v):
    """``v`` (parameters, a binding) as a hashable key."""
    if isinstance(v, dict):
        return tuple(sorted((str(k), _frozen(x)) for k, x in v.items()))
    if isinstance(v, (list, tuple)):
        return tuple(_frozen(x) for x in v)
    return v


def evaluate(expr, family, params, tol=1e-6, binding=None, dps=20) -> Value:
    """The value of ``expr`` in ``family`` at ``params`` (see the module docstring).

    ``binding`` maps symbols (or their names) to numbers, e.g. ``{z: 0.3}`` to
    evaluate an expression with a free latent at ``z = 0.3``.  Memoised per process: a
    chain's side is both the right side of one step and the left side of the next, and
    is evaluated at the same point for both (and again by the likely-fix search).
    """
    family = resolve_family(family)
    try:
        key = (expr, family.name, _frozen(params), tol, _frozen(binding or {}), dps)
        hit = _VALUES.get(key)
    except TypeError:           # a parameter that cannot be a key: not memoised
        key = hit = None
    if hit is None:
        try:
            hit = _evaluate(expr, family, params, tol, binding, dps)
        except NotEvaluable as ex:
            hit = ex
        if key is not None:
            if len(_VALUES) > 4096:
                _VALUES.clear()
            _VALUES[key] = hit
    if isinstance(hit, NotEvaluable):
        raise hit
    return hit


def _evaluate(expr, family, params, tol, binding, dps) -> Value:
    fn = compile_expr(expr, family)
    bound = {}
    for k, v in (binding or {}).items():
        bound[k.name if isinstance(k, sympy.Symbol) else str(k)] = v
    with mpmath.workdps(dps):
        bound = {k: (mpf(v) if not isinstance(v, mpmath.mpf) else v) for k, v in bound.items()}
        zval = bound.pop(LATENT, None)
        if zval is not None and not family.in_support(params, zval):
            raise NotEvaluable(f"the latent value z = {_fmt(zval)} is outside the support of {family.name}")
        ctx = _Ctx(family, params, tol, zval, bound)
        try:
            v, er = fn(ctx)
        except NotEvaluable:
            raise
        except (ZeroDivisionError, OverflowError, ValueError, TypeError, MemoryError) as ex:
            raise NotEvaluable(numeric_failure(ex)) from None
        v = _check_real(v, "the value")
        er = abs(er) if er else mpf(0)
        if not mpmath.isfinite(er):
            raise NotEvaluable("the error estimate is not finite")
        er += mpf(10) ** (3 - dps) * (1 + abs(v))
        return Value(+v, er, tuple(ctx.notes))
