"""Numeric evaluation over several latents on tensor-product quadrature grids.

``evaluate_grid(expr, family, params, binding, dtype, resolution) -> (value, error)``

The evaluator of the model families with two or more latents (see
:mod:`vi_sym.families.multi`).  Every latent ``z_j`` owns an axis of a numpy array: an
expression is evaluated to an array over the latents it depends on (size 1 on the axes of
the others), so ``∫ f dz_j`` is a weighted sum along axis ``j`` and nested or iterated
integrals (``integrate(integrate(f, z1), z2)``, ``exp(E_q(z2)[log p(x,z1,z2)])`` inside an
integral over z1) cost one pass over the grid.  A latent free outside every integral is
bound to a value (``binding``), an axis of length 1.

* Densities are log-densities from the family (``family.log_density``), exponentiated once;
  ``log`` of a product / quotient / power of densities is evaluated in log space (signed
  logs), as the one-latent walker does (:mod:`vi_sym.numeric.walker`).
* ``∫ f dz_j``: composite Gauss–Legendre on breakpoints the family places around the mass of
  the densities that weight the integrand (``family.breakpoints``), in the latent's
  coordinate (``z = e^u`` on (0, ∞)); a discrete latent is summed exactly over its support.
* Errors: first-order propagation of rounding (``eps`` of the dtype) through every node.
  The quadrature error is *not* estimated here: the caller compares two independent
  evaluations (other nodes, a wider window, see :data:`RESOLUTIONS`) and adds their
  difference (:func:`evaluate_certified`).
* A NaN, an infinity, a log of a non-positive value, an unknown function or density: raises
  :class:`NotEvaluable` -- never a wrong number.

``dtype`` is ``numpy.float64`` (the fast screening) or ``numpy.longdouble`` (64-bit mantissa:
the precise evaluation that confirms a violation).
"""
from __future__ import annotations

import numpy as np
import sympy

from ..vocabulary import Density, unfold_definitions
from .common import NotEvaluable
from .tensor_grid import RESOLUTIONS, GridSpec, _Ctx
from .walker import is_constant

__all__ = ["RESOLUTIONS", "compile_grid", "evaluate_grid", "evaluate_certified", "GridSpec"]


#: the most terms a finite sum may have
MAX_TERMS = 10_000


def _integer(v, e) -> int:
    """A sum's bound at the point: an integer, or NotEvaluable."""
    v = np.asarray(v)
    if v.size != 1 or not np.isfinite(v) or v.reshape(()) != np.round(v.reshape(())):
        raise NotEvaluable(f"a bound of {e} is not an integer here")
    return int(np.round(v.reshape(())))


def _log_error(ctx, key):
    """An absolute error bound of the family's log-density ``key`` (a normaliser from
    quadrature), when the family gives one; else 0."""
    fn = getattr(ctx.family, "log_error", None)
    return 0 if fn is None else fn(ctx.P, key)


def _zero(er) -> bool:
    """A scalar error that is exactly 0 (a constant's): nothing to propagate."""
    return np.ndim(er) == 0 and er == 0


def _finite(v, what):
    if not np.all(np.isfinite(v)):
        raise NotEvaluable(f"{what} is not finite at some quadrature node")
    return v


class _Compiler:
    """Closures ``f(ctx) -> (value array, abs error array)`` over the vocabulary."""

    def __init__(self, family):
        self.family = family
        self.indices = set()       # names bound by the enclosing finite sums

    def value(self, e):
        fam = self.family
        if isinstance(e, Density):
            key = fam.role(e)

            def dens(ctx):
                lv = ctx.family.log_density(ctx.P, key, ctx.env)
                v = np.exp(lv)
                return v, v * (ctx.eps * 8 * (1 + np.abs(lv)) + _log_error(ctx, key))
            return dens
        if is_constant(e):
            c = sympy.Float(e, 30)

            def const(ctx):
                return ctx.dtype(str(c)), ctx.dtype(0)
            return const
        if isinstance(e, sympy.Symbol):
            return self.symbol(e)
        if isinstance(e, sympy.Add):
            return self.add([self.value(a) for a in e.args])
        if isinstance(e, sympy.Mul):
            product = self.mul([self.value(a) for a in e.args])
            return self.in_log_space_where_not_finite(product, self.slog(e)) if e.has(Density) else product
        if isinstance(e, sympy.Pow) and e.args[1].is_Integer and not e.args[0].has(Density):
            return self.int_pow(self.value(e.args[0]), int(e.args[1]))
        if isinstance(e, (sympy.Pow, sympy.exp)):
            return self.from_slog(self.slog(e))
        if isinstance(e, sympy.log) and len(e.args) == 1:
            return self.log(self.slog(e.args[0]))
        if isinstance(e, sympy.Integral):
            return self.integral(e)
        if isinstance(e, sympy.Sum):
            return self.finite_sum(e)
        if isinstance(e, sympy.Product):
            return self.from_slog(self.slog_product(e))
        raise NotEvaluable(f"cannot evaluate {type(e).__name__}: {e}", structural=True)

    def symbol(self, e):
        name = e.name
        if name in self.indices:            # the index of an enclosing finite sum
            def idx(ctx):
                return ctx.dtype(ctx.env[name]), ctx.dtype(0)
            return idx
        if name in getattr(self.family, "parameters", ()):
            def par(ctx):
                return ctx.family.parameter_value(ctx.P, name), ctx.dtype(0)
            return par
        if name not in self.family.latents:
            raise NotEvaluable(f"free symbol {name} has no value in {self.family.name}",
                               structural=True)

        def f(ctx):
            try:
                v = ctx.env[name]
            except KeyError:
                raise NotEvaluable(f"the latent {name} is free and not bound", structural=True) from None
            return v, ctx.dtype(0)
        return f

    @staticmethod
    def add(fns):
        def f(ctx):
            vals = [fn(ctx) for fn in fns]
            s, err, mag = vals[0][0], vals[0][1], np.abs(vals[0][0])
            for v, er in vals[1:]:
                s = s + v
                err = err + er
                mag = mag + np.abs(v)
            return s, err + ctx.eps * mag
        return f

    @staticmethod
    def mul(fns):
        def f(ctx):
            vals = [fn(ctx) for fn in fns]
            absv = [np.abs(v) for v, _ in vals]
            suffix = [1] * (len(vals) + 1)          # Σ_i e_i Π_{j≠i} |v_j| in O(k)
            for i in range(len(vals) - 1, 0, -1):
                suffix[i] = suffix[i + 1] * absv[i]
            p, prefix, err = vals[0][0], 1, 0
            for i, (v, er) in enumerate(vals):
                if i:
                    p = p * v
                if not _zero(er):
                    err = err + er * prefix * suffix[i + 1]
                prefix = prefix * absv[i]
            return p, err + ctx.eps * len(vals) * np.abs(p)
        return f

    def in_log_space_where_not_finite(self, product, fl):
        """A product of densities and other factors, ``q(z) · p(x,z)/q(z)``: where its factors'
        values multiply to a NaN or an infinity (0 · ∞ where q underflows, or overflows on its
        own), the product is made again in log space (the logs add up: the q's cancel).
        Elsewhere the values' product as it is."""
        from_logs = self.from_slog(fl)

        def f(ctx):
            v, er = product(ctx)
            bad = ~np.isfinite(v)
            if not np.any(bad):
                return v, er
            lv, ler = from_logs(ctx)
            v, er, lv, ler = np.broadcast_arrays(v, er, lv, ler)
            return np.where(bad, lv, v), np.where(bad, ler, er)
        return f

    @staticmethod
    def int_pow(fb, k):
        def f(ctx):
            vb, eb = fb(ctx)
            if k < 0 and np.any(vb == 0):
                raise NotEvaluable("division by zero")
            v = vb ** k
            return v, np.abs(k * vb ** (k - 1)) * eb + ctx.eps * np.abs(v)
        return f

    # --- signed logs: (sign, log|v|, abs error of the log) -------------------------
    def slog(self, e):
        if isinstance(e, sympy.Product):
            return self.slog_product(e)
        if isinstance(e, Density):
            key = self.family.role(e)

            def sd(ctx):
                lv = ctx.family.log_density(ctx.P, key, ctx.env)
                return 1, lv, ctx.eps * 8 * (1 + np.abs(lv)) + _log_error(ctx, key)
            return sd
        if isinstance(e, sympy.Mul):
            parts = [self.slog(a) for a in e.args]

            def sm(ctx):
                s, l, le = 1, 0, 0
                for fn in parts:
                    si, li, lei = fn(ctx)
                    s, l, le = s * si, l + li, le + lei
                return s, l, le
            return sm
        if isinstance(e, sympy.Pow) and e.args[1].is_number:
            x = e.args[1]
            if not (x.is_extended_real and x.is_finite):
                raise NotEvaluable(f"non-real exponent in {e}", structural=True)
            fb, k = self.slog(e.args[0]), (int(x) if x.is_Integer else None)
            xs = str(sympy.Float(x, 30))

            def sp(ctx):
                s, l, le = fb(ctx)
                if k is None and np.any(s < 0):
                    raise NotEvaluable("non-integer power of a negative value")
                if np.any(s == 0) and not x.is_positive:
                    raise NotEvaluable("division by zero")
                xv = ctx.dtype(xs)
                return (s if k is None or k % 2 else np.abs(s)), xv * l, abs(xv) * le
            return sp
        if isinstance(e, sympy.Add) and e.has(Density):
            return self.slog_sum([self.slog(a) for a in e.args], self.value(e))
        if isinstance(e, sympy.exp):
            fa = self.value(e.args[0])

            def se(ctx):
                va, ea = fa(ctx)
                return 1, va, ea
            return se
        fv = self.value(e)

        def sv(ctx):
            v, er = fv(ctx)
            av = np.abs(v)
            with np.errstate(divide="ignore"):
                return np.sign(v), np.log(av), er / np.where(av > 0, av, 1)
        return sv

    @staticmethod
    def slog_sum(parts, fv):
        """A sum of positive terms in log space (log-sum-exp): ``log((w1 + w2)/2)`` stays finite
        where a weight p/q underflows or overflows on its own.  A term that is not positive
        everywhere: the sum's value instead."""
        def f(ctx):
            vals = [fn(ctx) for fn in parts]
            if not all(np.all(np.asarray(s) > 0) for s, _, _ in vals):
                v, er = fv(ctx)
                av = np.abs(v)
                with np.errstate(divide="ignore"):
                    return np.sign(v), np.log(av), er / np.where(av > 0, av, 1)
            top = vals[0][1]
            for _, l, _ in vals[1:]:
                top = np.maximum(top, l)
            top = np.where(np.isfinite(top), top, 0)
            tot, err = 0, 0
            for _, l, le in vals:
                w = np.exp(l - top)
                tot, err = tot + w, err + w * le
            return 1, top + np.log(tot), err / tot + ctx.eps * (len(vals) + 1)
        return f

    def from_slog(self, fl):
        def f(ctx):
            s, l, le = fl(ctx)
            v = s * np.exp(l)
            return v, np.abs(v) * (le + ctx.eps)
        return f

    @staticmethod
    def log(fl):
        def f(ctx):
            s, l, le = fl(ctx)
            if np.any(s <= 0):
                raise NotEvaluable("log of a value that is not positive")
            return _finite(l, "a log"), le + ctx.eps * np.abs(l)
        return f

    # --- integrals ------------------------------------------------------------------
    def weights(self, e):
        """Names of the densities that make the integrand decay (outside logs, positive powers)."""
        if isinstance(e, Density):
            return {e.name}
        if isinstance(e, (sympy.log, sympy.exp)):
            return set()
        if isinstance(e, sympy.Pow):
            return self.weights(e.args[0]) if (e.args[1].is_number and e.args[1].is_positive) else set()
        out = set()
        for a in e.args:
            if isinstance(a, sympy.Basic):
                out |= self.weights(a)
        return out

    def _over_index(self, e, compile_body):
        """(index name, lower, upper, body) of ``Σ``/``∏_{n=a}^{b} f``: bounds that are numbers or
        the family's parameters (integers at the point), the body compiled by ``compile_body``
        with n bound (``ctx.env[n]`` an int: a density of the data point x[n] reads it, see the
        family's ``role``)."""
        what = "sum" if isinstance(e, sympy.Sum) else "product"
        if len(e.limits) != 1 or len(e.limits[0]) != 3:
            raise NotEvaluable(f"only a finite {what} over one index is evaluated: {e}", structural=True)
        n, a, b = e.limits[0]
        fa, fb = self.value(a), self.value(b)
        self.indices.add(n.name)
        try:
            body = compile_body(e.function)
        finally:
            self.indices.discard(n.name)
        return n.name, fa, fb, body

    @staticmethod
    def _each_index(ctx, e, name, fa, fb):
        """The index values ``a … b`` at the point, each bound in ``ctx.env`` while it is yielded."""
        lo, hi = (_integer(fn(ctx)[0], e) for fn in (fa, fb))
        if hi - lo > MAX_TERMS:
            raise NotEvaluable(f"a sum or product of more than {MAX_TERMS} terms is not evaluated: {e}")
        if hi < lo - 1 and isinstance(e, sympy.Product):
            raise NotEvaluable(f"a product over a reversed range is not evaluated: {e}")
        saved = ctx.env.get(name)
        try:
            for k in range(lo, hi + 1):
                ctx.env[name] = k
                yield k
        finally:
            if saved is None:
                ctx.env.pop(name, None)
            else:
                ctx.env[name] = saved

    def finite_sum(self, e):
        """``Σ_{n=a}^{b} f``, term by term (see :meth:`_over_index`)."""
        name, fa, fb, body = self._over_index(e, self.value)

        def f(ctx):
            tot, err = ctx.dtype(0), ctx.dtype(0)
            for _ in self._each_index(ctx, e, name, fa, fb):
                v, er = body(ctx)
                tot, err = tot + v, err + er + ctx.eps * np.abs(tot + v)
            return tot, err
        return f

    def slog_product(self, e):
        """``∏_{n=a}^{b} f`` in log space (sign, log, its error): the signs multiplied and the logs
        summed over n -- a product of N densities under- or overflows where its log does not."""
        name, fa, fb, body = self._over_index(e, self.slog)

        def f(ctx):
            s, l, le = 1, 0, 0
            for _ in self._each_index(ctx, e, name, fa, fb):
                si, li, lei = body(ctx)
                s, l, le = s * si, l + li, le + lei + ctx.eps * np.abs(l + li)
            return s, l, le
        return f

    def integral(self, e):
        for lim in e.limits:                 # the first limit is the innermost integral
            if len(lim) != 1:
                raise NotEvaluable(f"only integrals over a latent's whole domain are evaluated: {e}",
                                   structural=True)
            if lim[0].name not in self.family.latents:
                raise NotEvaluable(f"integration over {lim[0]}, which is not a latent of "
                                   f"{self.family.name}", structural=True)
        fi = self.value(e.function)
        weights = tuple(sorted(self.weights(e.function)))
        for lim in e.limits:
            fi = self._integrate(fi, lim[0].name, weights)
        return fi

    @staticmethod
    def _integrate(fi, var, weights):
        def f(ctx):
            saved = ctx.env.get(var)
            z, w = ctx.grid(var, weights)
            ctx.env[var] = z
            try:
                v, er = fi(ctx)
            finally:
                if saved is None:
                    ctx.env.pop(var, None)
                else:
                    ctx.env[var] = saved
            vw = v * w                               # broadcast over the nodes of var
            ax = ctx.axes[var]
            tot = np.sum(vw, axis=ax, keepdims=True)
            _finite(tot, "the integrand")            # a NaN or an infinity at a node stays in the sum
            err = np.sum(np.abs(vw), axis=ax, keepdims=True) * (ctx.eps * 4)
            if not _zero(er):
                err = err + np.sum(np.abs(er * w), axis=ax, keepdims=True)
            return tot, err
        return f


_COMPILED: dict = {}


def compile_grid(expr, family):
    """The closure of ``expr`` (definitions unfolded) for ``family``; NotEvaluable (structural)."""
    key = (expr, family.name)
    hit = _COMPILED.get(key)
    if hit is None:
        try:
            hit = _Compiler(family).value(unfold_definitions(sympy.sympify(expr, strict=True)))
        except NotEvaluable as ex:
            hit = ex
        if len(_COMPILED) > 4096:
            _COMPILED.clear()
        _COMPILED[key] = hit
    if isinstance(hit, NotEvaluable):
        raise hit
    return hit


def evaluate_grid(expr, family, params, binding=None, dtype=np.float64, spec=RESOLUTIONS[0]):
    """``(value, rounding error)`` of ``expr`` at ``params`` on the grid layout ``spec``;
    ``binding`` maps the free latents' names to values."""
    fn = compile_grid(expr, family)
    try:
        P = family.prepare_point(params, dtype)
    except (ValueError, KeyError, TypeError, ZeroDivisionError) as ex:
        raise NotEvaluable(f"invalid parameters for {family.name}: {ex}") from None
    ctx = _Ctx(family, P, dtype, spec, binding)
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        try:
            v, er = fn(ctx)
        except (ZeroDivisionError, OverflowError, ValueError, FloatingPointError) as ex:
            raise NotEvaluable(f"numeric failure: {type(ex).__name__}: {ex}") from None
    v, er = np.asarray(v), np.asarray(er)
    if v.size != 1:
        raise NotEvaluable("the expression depends on a latent that is neither bound nor integrated",
                           structural=True)
    v, er = v.reshape(()), er.reshape(())
    if not (np.isfinite(v) and np.isfinite(er)):
        raise NotEvaluable("the value is not finite")
    return v[()], er[()]


def evaluate_certified(expr, family, params, binding=None, dtype=np.float64, specs=RESOLUTIONS):
    """``(value, error)``: the value on the last layout of ``specs``; the error adds the
    rounding bound and the difference from the other layouts (the quadrature estimate)."""
    out = [evaluate_grid(expr, family, params, binding, dtype, s) for s in specs]
    v, er = out[-1]
    for w, e2 in out[:-1]:
        er = max(er, e2) + abs(v - w)
    return v, er
