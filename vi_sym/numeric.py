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
