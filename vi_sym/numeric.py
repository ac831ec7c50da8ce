"""Numeric evaluation of an abstract VI expression inside a concrete model family.

``evaluate(expr, family, params, tol)`` gives the number an expression built from
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

from dataclasses import dataclass

import mpmath
import sympy
from mpmath import mpf

from .vocabulary import Density, unfold_definitions

__all__ = ["NotEvaluable", "Value", "evaluate", "compile_expr", "integrate", "free_names"]

LATENT = "z"
DATA = "x"
#: quadrature target (absolute), as a fraction of the tolerance
_QUAD_EPS = mpf("1e-3")


class NotEvaluable(Exception):
    """The expression has no (reliable) numeric value here; ``reason`` says why.

    ``structural`` is True when the failure does not depend on the parameter
    point (unknown function, unsupported density, free symbol, ...).
    """

    def __init__(self, reason, structural=False):
        super().__init__(reason)
        self.reason = reason
        self.structural = structural


@dataclass(frozen=True)
class Value:
    """A numeric value with an absolute error estimate and notes (e.g. truncations)."""

    value: mpf
    error: mpf
    notes: tuple = ()

    def __float__(self):
        return float(self.value)


# ------------------------------------------------------------------------------------
# Quadrature on breakpoints
# ------------------------------------------------------------------------------------
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


def _is_bad(v):
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


# ------------------------------------------------------------------------------------
# Compilation of expressions into closures
# ------------------------------------------------------------------------------------
class _Ctx:
    __slots__ = ("family", "params", "tol", "z", "bound", "logfns", "notes", "zcache")

    def __init__(self, family, params, tol, z, bound):
        self.family = family
        self.params = params
        self.tol = mpf(tol)
        self.z = z
        self.bound = bound
        self.logfns = {}
        self.notes = []
        self.zcache = {}

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


def _fmt(v):
    return mpmath.nstr(v, 6)


_UNARY = {
    sympy.Abs: abs,
    sympy.gamma: mpmath.gamma,
    sympy.loggamma: mpmath.loggamma,
    sympy.digamma: mpmath.digamma,
    sympy.erf: mpmath.erf,
    sympy.erfc: mpmath.erfc,
    sympy.sin: mpmath.sin,
    sympy.cos: mpmath.cos,
    sympy.tan: mpmath.tan,
    sympy.sinh: mpmath.sinh,
    sympy.cosh: mpmath.cosh,
    sympy.tanh: mpmath.tanh,
    sympy.atan: mpmath.atan,
}


def _check_real(v, what):
    if isinstance(v, mpmath.mpc):
        if v.imag == 0:
            return v.real
        raise NotEvaluable(f"{what} is complex ({_fmt(v)})")
    if not mpmath.isfinite(v):
        raise NotEvaluable(f"{what} is not finite ({v})")
    return v


class _Compiler:
    def __init__(self, family):
        self.family = family

    # --- value ----------------------------------------------------------------------
    def value(self, e):
        if isinstance(e, Density):
            return self._density(e)
        if e.is_Number or isinstance(e, sympy.NumberSymbol) or (e.is_Atom and e.is_number):
            return self._const(e)
        if isinstance(e, sympy.Symbol):
            return self._symbol(e)
        if isinstance(e, sympy.Add):
            return self._add(e)
        if isinstance(e, sympy.Mul):
            return self._mul(e)
        if isinstance(e, sympy.Pow):
            return self._pow(e)
        if isinstance(e, sympy.log):
            return self._log(e)
        if isinstance(e, sympy.exp):
            return self._exp(e)
        if isinstance(e, sympy.Integral):
            return self._integral(e)
        if isinstance(e, sympy.Function) and type(e) in _UNARY and len(e.args) == 1:
            return self._unary(e, _UNARY[type(e)])
        raise NotEvaluable(f"cannot evaluate {type(e).__name__}: {e}", structural=True)

    def _const(self, e):
        if not (e.is_extended_real and e.is_finite):
            raise NotEvaluable(f"non-real or infinite constant {e}", structural=True)
        with mpmath.workdps(60):
            c = mpmath.mpf(sympy.Float(e, 60)._mpf_) if not e.is_Integer else mpf(int(e))

        def f(ctx):
            return +c, 0
        f.const = c
        return f

    def _symbol(self, e):
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

    def _density(self, d):
        role = self.family.role(d)
        label = str(d)

        def f(ctx):
            lv, le = ctx.logdens(role, label)
            v = mpmath.exp(lv)
            return v, (v * mpmath.expm1(le) if le else 0)
        return f

    def _add(self, e):
        fns = [self.value(a) for a in e.args]

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

    def _mul(self, e):
        fns = [self.value(a) for a in e.args]

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

    def _pow(self, e):
        b, x = e.args
        if x.is_Integer and not b.has(Density):
            k = int(x)
            fb = self.value(b)

            def f(ctx):
                vb, eb = fb(ctx)
                if vb == 0 and k < 0:
                    raise NotEvaluable("division by zero")
                v = vb ** k
                return v, (abs(k * vb ** (k - 1)) * eb if eb else 0)
            return f
        lg = self.signed_log(e)

        def g(ctx):
            s, l, le = lg(ctx)
            if s == 0:
                return mpf(0), 0
            v = s * mpmath.exp(l)
            return v, (abs(v) * mpmath.expm1(le) if le else 0)
        return g

    def _log(self, e):
        if len(e.args) != 1:
            raise NotEvaluable(f"cannot evaluate {e}", structural=True)
        lg = self.signed_log(e.args[0])

        def f(ctx):
            s, l, le = lg(ctx)
            if s == 0:
                raise NotEvaluable("log of zero")
            if s < 0:
                raise NotEvaluable("log of a negative value")
            return l, le
        return f

    def _exp(self, e):
        fa = self.value(e.args[0])

        def f(ctx):
            va, ea = fa(ctx)
            v = mpmath.exp(va)
            return v, (v * mpmath.expm1(ea) if ea else 0)
        return f

    def _unary(self, e, fun):
        fa = self.value(e.args[0])
        label = type(e).__name__

        def f(ctx):
            va, ea = fa(ctx)
            try:
                v = _check_real(fun(va), f"{label}({_fmt(va)})")
            except (ValueError, ZeroDivisionError) as ex:
                raise NotEvaluable(f"{label}({_fmt(va)}): {ex}") from None
            if ea:
                try:
                    hi = _check_real(fun(va + ea), label)
                    lo = _check_real(fun(va - ea), label)
                except (ValueError, ZeroDivisionError) as ex:
                    raise NotEvaluable(f"{label} near {_fmt(va)}: {ex}") from None
                return v, max(abs(hi - v), abs(v - lo))
            return v, 0
        return f

    # --- signed log: (sign, log|value|, abs error of the log) -------------------------
    def signed_log(self, e):
        if isinstance(e, Density):
            role = self.family.role(e)
            label = str(e)

            def f(ctx):
                lv, le = ctx.logdens(role, label)
                return 1, lv, le
            return f
        if isinstance(e, sympy.Mul):
            fns = [self.signed_log(a) for a in e.args]

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
        if isinstance(e, sympy.Pow):
            b, x = e.args
            fb = self.signed_log(b)
            if x.is_number:
                if not (x.is_extended_real and x.is_finite):
                    raise NotEvaluable(f"non-real exponent in {e}", structural=True)
                is_int = bool(x.is_Integer)
                k = int(x) if is_int else None
                xv = self._const(x).const
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
            fx = self.value(x)

            def h2(ctx):
                s, l, le = fb(ctx)
                vx, ex = fx(ctx)
                if s <= 0:
                    raise NotEvaluable("power with a variable exponent of a non-positive base")
                err = abs(vx) * le + abs(l) * ex
                return 1, vx * l, err
            return h2
        if isinstance(e, sympy.exp):
            fa = self.value(e.args[0])

            def k_(ctx):
                va, ea = fa(ctx)
                return 1, va, ea
            return k_
        fv = self.value(e)

        def m(ctx):
            v, er = fv(ctx)
            if v == 0:
                return 0, mpf("-inf"), 0
            av = abs(v)
            return (1 if v > 0 else -1), mpmath.log(av), (er / av if er else 0)
        return m

    # --- integrals --------------------------------------------------------------------
    def _weights(self, e):
        """Roles of the densities that make the integrand decay (outside logs, positive powers)."""
        if isinstance(e, Density):
            return {self.family.role(e)}
        if isinstance(e, (sympy.log, sympy.exp)):
            return set()
        if isinstance(e, sympy.Pow):
            x = e.args[1]
            if x.is_number and x.is_positive:
                return self._weights(e.args[0])
            return set()
        out = set()
        for a in e.args:
            if isinstance(a, sympy.Basic):
                out |= self._weights(a)
        return out

    def _integral(self, e):
        if len(e.limits) != 1 or len(e.limits[0]) != 1:
            raise NotEvaluable(f"only indefinite integrals over the latent are supported: {e}",
                               structural=True)
        var = e.limits[0][0]
        if var.name != LATENT:
            raise NotEvaluable(f"integration over {var} (only the latent {LATENT} is integrated)",
                               structural=True)
        fi = self.value(e.function)
        from .families.base import Z_ROLES
        roles = tuple(sorted(r for r in self._weights(e.function) if r in Z_ROLES))
        family = self.family

        def g_factory(ctx):
            def g(t):
                ctx.z = t
                v, er = fi(ctx)
                if _is_bad(v):
                    raise NotEvaluable(f"integrand is not finite/real at z={_fmt(t)}")
                return v, er
            return g

        def f_discrete(ctx):
            saved = ctx.z
            try:
                try:
                    support = family.support_of(ctx.params)
                except (ValueError, KeyError, TypeError) as ex:
                    raise NotEvaluable(f"invalid parameters for {family.name}: {ex}") from None
                g = g_factory(ctx)
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

        def f_continuous(ctx):
            saved = ctx.z
            try:
                try:
                    plan = family.quad_plan(ctx.params, roles)
                except (ValueError, KeyError, TypeError) as ex:
                    raise NotEvaluable(f"invalid parameters for {family.name}: {ex}") from None
                g = g_factory(ctx)
                pts = plan.points
                a, b = pts[0], pts[-1]
                width = b - a
                tail = mpf(0)
                truncated = plan.truncated_lo or plan.truncated_hi
                if truncated:  # checked first: a divergent integral costs no quadrature
                    probes = []
                    if plan.truncated_lo:
                        probes += [a, a - width / 2]
                    if plan.truncated_hi:
                        probes += [b, b + width / 2]
                    for t in probes:
                        v, _ = g(t)
                        tail = max(tail, abs(v) * width)
                    if tail > ctx.tol:
                        raise NotEvaluable(
                            f"integrand not negligible at the ends of the window "
                            f"[{_fmt(a)}, {_fmt(b)}] (tail bound {_fmt(tail)}): the integral may diverge")
                I, qerr, ierr = integrate(g, pts, plan.singular_lo, plan.singular_hi,
                                          eps=ctx.tol * _QUAD_EPS)
                limit = ctx.tol * (1 + abs(I))
                if qerr > limit:
                    raise NotEvaluable(
                        f"quadrature did not converge: error estimate {_fmt(qerr)} > {_fmt(limit)}")
                if tail > limit:
                    raise NotEvaluable(
                        f"integrand not negligible at the ends of the window "
                        f"[{_fmt(a)}, {_fmt(b)}] (tail bound {_fmt(tail)}): the integral may diverge")
                if truncated:
                    ctx.note(f"integral over z truncated to [{_fmt(a)}, {_fmt(b)}], "
                             f"tail bound {_fmt(tail)} added to the error")
                return I, qerr + tail + ierr
            finally:
                ctx.z = saved

        return f_discrete if family.discrete else f_continuous


def free_names(expr) -> set:
    """Names of the symbols free in ``expr`` in vi_sym's reading: ``∫ f dz`` binds ``z``
    (and so do KL / E / ELBO, which are unfolded first).

    (sympy keeps the variable of an indefinite Integral in ``free_symbols``.)
    """
    return _free_names(unfold_definitions(sympy.sympify(expr)))


def _free_names(expr, bound=frozenset()) -> set:
    if isinstance(expr, sympy.Symbol):
        return set() if expr.name in bound else {expr.name}
    if isinstance(expr, Density):
        return {v.name for v in expr.vars + expr.given} - set(bound)
    if isinstance(expr, sympy.Integral):
        inner = set(bound) | {lim[0].name for lim in expr.limits}
        out = _free_names(expr.function, frozenset(inner))
        for lim in expr.limits:
            for b in lim[1:]:
                out |= _free_names(b, bound)
        return out
    out = set()
    for a in getattr(expr, "args", ()):
        if isinstance(a, sympy.Basic):
            out |= _free_names(a, bound)
    return out


_COMPILED = {}


def compile_expr(expr, family):
    """Unfold KL/E/ELBO and compile ``expr`` for ``family``; raises NotEvaluable (structural)."""
    family = _as_family(family)
    expr = sympy.sympify(expr)
    key = (expr, family.name)
    hit = _COMPILED.get(key)
    if hit is None:
        try:
            hit = _Compiler(family).value(unfold_definitions(expr))
        except NotEvaluable as ex:
            hit = ex
        if len(_COMPILED) > 10000:
            _COMPILED.clear()
        _COMPILED[key] = hit
    if isinstance(hit, NotEvaluable):
        raise hit
    return hit


def _as_family(family):
    if isinstance(family, str):
        from .families import get_family
        return get_family(family)
    return family


def evaluate(expr, family, params, tol=1e-6, binding=None, dps=20) -> Value:
    """The value of ``expr`` in ``family`` at ``params`` (see the module docstring).

    ``binding`` maps symbols (or their names) to numbers, e.g. ``{z: 0.3}`` to
    evaluate an expression with a free latent at ``z = 0.3``.
    """
    family = _as_family(family)
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
        except (ZeroDivisionError, OverflowError, ValueError, TypeError) as ex:
            raise NotEvaluable(f"numeric failure: {type(ex).__name__}: {ex}") from None
        v = _check_real(v, "the value")
        er = abs(er) if er else mpf(0)
        if not mpmath.isfinite(er):
            raise NotEvaluable("the error estimate is not finite")
        er += mpf(10) ** (3 - dps) * (1 + abs(v))
        return Value(+v, er, tuple(ctx.notes))


# ====================================================================================
# Fast path: float64, vectorised over a batch of parameter points
# ====================================================================================
#
# ``evaluate_fast(expr, family, batch, tol)`` evaluates ``expr`` at every point of a
# :class:`vi_sym.families.base.FastBatch` at once with numpy.  It follows the precise
# path's reading (definitions unfolded, logs of densities in log space, integrals over
# the latent's base measure) with three differences:
#
# * ``log`` of a sum is a signed log-sum-exp of its terms' logs, so sums of densities
#   that underflow float64 keep their logarithm;
# * integrals over a continuous latent use the family's fixed composite Gauss–Legendre
#   grid (see ``Family.fast_grid``) at two resolutions: the panel-wise difference is the
#   quadrature error estimate; tail probes beyond the window bound the truncation;
#   discrete latents are exact (masked) sums;
# * every point gets a *status*: OK, UNCERTAIN (float64 cannot vouch for the value:
#   not finite, error estimate above ``TRUST·tol·(1+|v|)``, a sign or zero that may
#   be rounding or underflow, a tail bound that is neither negligible nor clearly
#   divergent) or NOT_EVALUABLE (a log of a clearly negative value, an integral whose
#   tails are clearly not negligible, ...), each with a reason.  Callers re-evaluate
#   UNCERTAIN points with :func:`evaluate` (mpmath) and never trust them.
#
# Grids and integral values are memoised in the batch, so the integrals shared by the
# sides of a derivation's steps are computed once per batch.
import numpy as np

OK, UNCERTAIN, NOT_EVALUABLE = 0, 1, 2
#: a fast value is trusted when its error estimate is below TRUST·tol·(1 + |value|)
TRUST = 1e-3
#: tail bounds above DIVERGES·tol are clearly not negligible (the integral may diverge)
DIVERGES = 1e3
_EPS = float(np.finfo(float).eps)


class FastUnsupported(Exception):
    """The expression has a construct the fast path does not evaluate (use :func:`evaluate`)."""


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


def _np_unary(fn):
    def f(a):
        return np.vectorize(fn, otypes=[float])(a)
    return f


def _safe_scalar(fn):
    def g(v):
        try:
            return fn(v)
        except (ValueError, OverflowError, ZeroDivisionError):
            return float("nan")
    return g


_FAST_UNARY = {
    sympy.Abs: np.abs,
    sympy.sin: np.sin,
    sympy.cos: np.cos,
    sympy.tan: np.tan,
    sympy.sinh: np.sinh,
    sympy.cosh: np.cosh,
    sympy.tanh: np.tanh,
    sympy.atan: np.arctan,
    sympy.erf: _np_unary(_safe_scalar(__import__("math").erf)),
    sympy.erfc: _np_unary(_safe_scalar(__import__("math").erfc)),
}


def _fconst(e):
    if not (e.is_extended_real and e.is_finite):
        raise NotEvaluable(f"non-real or infinite constant {e}", structural=True)
    v = float(sympy.Float(e, 30))
    if not np.isfinite(v):
        raise FastUnsupported(f"constant {e} does not fit in float64")
    return v


class _FastCompiler:
    """Compiles an (unfolded) expression into closures ``f(ctx) -> (value, error)`` on arrays."""

    def __init__(self, family):
        self.family = family

    # --- values ---------------------------------------------------------------------
    def value(self, e):
        if isinstance(e, Density):
            return self._density(e)
        if e.is_Number or isinstance(e, sympy.NumberSymbol) or (e.is_Atom and e.is_number):
            c = _fconst(e)
            return lambda ctx: (c, 0.0)
        if isinstance(e, sympy.Symbol):
            return self._symbol(e)
        if isinstance(e, sympy.Add):
            return self._add(e)
        if isinstance(e, sympy.Mul):
            return self._mul(e)
        if isinstance(e, sympy.Pow):
            return self._pow(e)
        if isinstance(e, sympy.log):
            return self._log(e)
        if isinstance(e, sympy.exp):
            return self._exp(e)
        if isinstance(e, sympy.Integral):
            return self._integral(e)
        if isinstance(e, sympy.Function) and len(e.args) == 1:
            if type(e) in _FAST_UNARY:
                return self._unary(e, _FAST_UNARY[type(e)])
            if type(e) in _UNARY:
                raise FastUnsupported(f"{type(e).__name__} has no float64 evaluation here")
        raise NotEvaluable(f"cannot evaluate {type(e).__name__}: {e}", structural=True)

    def _symbol(self, e):
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

    def _density(self, d):
        role = self.family.role(d)
        label = str(d)

        def f(ctx):
            lv, le = ctx.logdens(role, label)
            v = np.exp(lv)
            return v, v * (np.expm1(le) + _EPS)
        return f

    def _add(self, e):
        fns = [self.value(a) for a in e.args]

        def f(ctx):
            s, err, mag = 0.0, 0.0, 0.0
            for fn in fns:
                v, er = fn(ctx)
                s = s + v
                err = err + er
                mag = mag + abs(v)
            return s, err + _EPS * len(fns) * mag
        return f

    def _mul(self, e):
        fns = [self.value(a) for a in e.args]

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

    def _pow(self, e):
        b, x = e.args
        if x.is_Integer and not b.has(Density):
            k = int(x)
            fb = self.value(b)

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
        lg = self.signed_log(e)

        def g(ctx):
            s, l, le = lg(ctx)
            with np.errstate(all="ignore"):
                v = np.where(s == 0, 0.0, s * np.exp(l))
            return v, abs(v) * (np.expm1(le) + _EPS)
        return g

    def _log(self, e):
        if len(e.args) != 1:
            raise NotEvaluable(f"cannot evaluate {e}", structural=True)
        lg = self.signed_log(e.args[0])

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

    def _exp(self, e):
        fa = self.value(e.args[0])

        def f(ctx):
            va, ea = fa(ctx)
            with np.errstate(over="ignore"):
                v = np.exp(va)
            return v, v * (np.expm1(ea) + _EPS * (1 + abs(va)))
        return f

    def _unary(self, e, fun):
        fa = self.value(e.args[0])

        def f(ctx):
            va, ea = fa(ctx)
            with np.errstate(all="ignore"):
                v = fun(va)
                err = _EPS * (1 + abs(v)) * 4
                if np.any(ea):
                    err = err + np.maximum(abs(fun(va + ea) - v), abs(v - fun(va - ea)))
            return v, err
        return f

    # --- signed logs: (sign, log|value|, abs error of the log) -------------------------
    def signed_log(self, e):
        if isinstance(e, Density):
            role = self.family.role(e)
            label = str(e)

            def f(ctx):
                lv, le = ctx.logdens(role, label)
                return 1.0, lv, le
            return f
        if isinstance(e, sympy.Mul):
            fns = [self.signed_log(a) for a in e.args]

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
        if isinstance(e, sympy.Pow):
            b, x = e.args
            fb = self.signed_log(b)
            if x.is_number:
                if not (x.is_extended_real and x.is_finite):
                    raise NotEvaluable(f"non-real exponent in {e}", structural=True)
                is_int = bool(x.is_Integer)
                k = int(x) if is_int else None
                xv = _fconst(x)
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
            fx = self.value(x)

            def h2(ctx):
                s, l, le = fb(ctx)
                vx, ex = fx(ctx)
                ctx.flag(np.broadcast_to(s <= 0, np.broadcast(s, l).shape), UNCERTAIN,
                         "power with a variable exponent of a non-positive base")
                lv = vx * l
                return 1.0, lv, abs(vx) * le + abs(l) * ex + _EPS * abs(lv)
            return h2
        if isinstance(e, sympy.exp):
            fa = self.value(e.args[0])

            def k_(ctx):
                va, ea = fa(ctx)
                return 1.0, va, ea
            return k_
        if isinstance(e, sympy.Add):
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
        fv = self.value(e)

        def m_(ctx):
            v, er = fv(ctx)
            with np.errstate(divide="ignore", invalid="ignore"):
                av = abs(v)
                return np.sign(v), np.log(av), np.where(av > 0, er / av, 0.0)
        return m_

    # --- integrals ----------------------------------------------------------------------
    def _weights(self, e):
        return _Compiler._weights(self, e)

    def _integral(self, e):
        if len(e.limits) != 1 or len(e.limits[0]) != 1:
            raise NotEvaluable(f"only indefinite integrals over the latent are supported: {e}",
                               structural=True)
        var = e.limits[0][0]
        if var.name != LATENT:
            raise NotEvaluable(f"integration over {var} (only the latent {LATENT} is integrated)",
                               structural=True)
        fi = self.value(e.function)
        from .families.base import Z_ROLES
        roles = tuple(sorted(r for r in self._weights(e.function) if r in Z_ROLES))
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


_FAST_COMPILED = {}


def compile_fast(expr, family):
    """Unfold and compile ``expr`` for the fast path; raises NotEvaluable (structural) or
    FastUnsupported (evaluate it with :func:`evaluate` instead)."""
    family = _as_family(family)
    expr = sympy.sympify(expr)
    key = (expr, family.name)
    hit = _FAST_COMPILED.get(key)
    if hit is None:
        if not getattr(family, "fast", False):
            hit = FastUnsupported(f"family {family.name} has no fast path")
        else:
            try:
                hit = _FastCompiler(family).value(unfold_definitions(expr))
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
    family = _as_family(family)
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
