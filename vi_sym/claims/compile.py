"""Numeric values of a claim's sides: each defining integral evaluated by the numeric
layer (:mod:`vi_sym.numeric.plain`: one walker, float64 tanh-sinh or mpmath quadrature,
certified by the density's captured mass), the outer expression by the same walker."""
from __future__ import annotations

import mpmath
import sympy
from sympy import Symbol

from ..distributions import is_written
from ..distributions.written import abs_majorant, inner_singularities, oscillates
from ..numeric import NotEvaluable
from ..numeric.common import MayDiverge
from ..numeric.plain import DPS, component
from ..numeric.plain import compile_plain as _compile
from ..numeric.plain import compile_plain_in as _compile_in
from ..numeric.plain import integrate_1d as _integrate_1d
from ..numeric.plain import np_pair as _np_pair
from ..numeric.plain import num_contains as _num_contains
from ..numeric.plain import support_closure as _support_closure
from ..notation import to_unicode
from ..vocabulary import Density
from .divergence import Infinite, diverges, exact_point, integral_diverges
from .kl_support import kl_gap, kl_pairs
from .structure import _groups, _log_densities, _pieces, _unfold, defining_integrals, window_ends

__all__ = ["DPS", "_Compiled", "_integrate_1d"]


def _is_mass(I, P) -> bool:
    """Is the integral exactly ∫ P (the total mass of P: the claim that P is a density)?"""
    return I.function == P


def _poles(t, var, c) -> tuple:
    """The points where the statistic ``t`` is not finite that may lie inside the continuous
    support of ``c`` (1/z at z = 0 under a Normal), compiled: (shown, closure) pairs."""
    sup = c.support()
    if sup[0] not in ("real", "interval"):
        return ()
    lo, hi = (sup[1], sup[2]) if sup[0] == "interval" else (-sympy.oo, sympy.oo)
    points = inner_singularities(t, var, sympy.sympify(lo, strict=True), sympy.sympify(hi, strict=True))
    return tuple((p, _compile(p)) for p in points if isinstance(p, sympy.Expr))


def _no_pole_inside(poles, comp, env) -> None:
    """NotEvaluable when a pole of the statistic lies inside the support at this point: the
    quadrature's nodes would step around it, and its number would be no expectation."""
    if not poles:
        return
    sup = comp[4](env)      # the component's compiled support (see numeric.plain.component)
    lo, hi = (sup[1], sup[2]) if sup[0] == "interval" else (-mpmath.inf, mpmath.inf)
    for shown, p in poles:
        try:
            at = p(env)
        except NotEvaluable:
            continue
        if lo < at < hi:
            where = f"{comp[0].var} = {mpmath.nstr(at, 6)}" + (f" (= {shown})" if shown.free_symbols else "")
            raise NotEvaluable(f"the integrand is not finite at {where}, inside the support of "
                               f"{comp[0]}: the expectation may not exist here")


def _majorant_of(t, var):
    """For a statistic with an oscillating factor ((-1)^z, cos z), the compiled majorant of
    |t| whose expectation shows absolute convergence (see :func:`_absolutely`); else None."""
    if var is None or not oscillates(t, var):
        return None
    m = abs_majorant(t, var)
    if m is None:
        raise NotEvaluable("an oscillating factor that is not a sin, cos or (-1)^k factor: absolute "
                           "convergence is not checked", True)
    if not m.has(var):      # |cos z| <= 1: bounded, E[|t|] is finite under any density
        return None
    return _compile_in(m, var), to_unicode(t), m


def _majorant_pair(absf, c):
    return (*absf, _np_pair(absf[2], c)) if absf is not None else None


def _absolutely(comp, absf, env) -> None:
    """NotEvaluable unless E[M] is finite at this point, M a majorant of |h| (h with an
    oscillating factor: its sum may converge only conditionally, and then it is no expectation)."""
    majorant, shown, _, fnp = absf
    try:
        _integrate_1d(comp, majorant, env, fnp)
    except NotEvaluable as ex:
        raise NotEvaluable(f"E[|{shown}|] is not shown finite here ({ex.reason}): the statistic oscillates, "
                           "and without absolute convergence the expectation does not exist") from None


class _Compiled:
    """A side of a claim, compiled once: its integrals and the outer expression."""

    def __init__(self, expr):
        kls = kl_pairs(expr, _unfold)
        expr = _unfold(expr)
        self.written = []     # densities written by hand whose mass is checked at each point
        self.integrals = []   # (dummy, [(P components, needs, [(key, closure)]) ...])
        self.kls = {}         # dummy name -> the factor pairs of the KL(q ‖ r) it is
        mapping = {}
        for i, I in enumerate(defining_integrals(expr)):
            d = Symbol(f"_I{i}")
            mapping[I] = d
            if I in kls:
                self.kls[d.name] = kls[I]
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
                    groups.append((var, _compile(t) if var is None else _compile_in(t, var),
                                   _np_pair(t, pc[var]) if var is not None else None,
                                   _poles(t, var, pc[var]) if var is not None else (),
                                   _majorant_pair(_majorant_of(t, var), pc[var]) if var is not None
                                   else None, t))
                kinks = {v: list(c.breaks()) for v, c in pc.items()}
                for outer_c, _ in needs:      # kinks of log r(z) too (Laplace's |z - m|)
                    kinks[outer_c.var].extend(outer_c.breaks())
                for v in kinks:               # the ends of an explicit integral's window
                    kinks[v].extend(window_ends(g, v))
                for v, c in pc.items():       # the kinks of a density written by hand (a tent's |z - w|)
                    if is_written(c):
                        kinks[v].extend(window_ends(c.pdf(), v))
                comps = {v: component(c, kinks[v]) for v, c in pc.items()}
                if not _is_mass(I, P):
                    self.written += [comp for v, comp in comps.items() if is_written(comp[0])]
                pieces.append((comps, needs, groups))
            self.integrals.append((d, pieces))
        outer = expr.xreplace(mapping)
        if outer.atoms(Density):
            raise NotEvaluable("a density occurs outside any integral", True)
        self.outer = _compile(outer)
        self.outer_expr = outer

    def value(self, env):
        """(value, error) at the parameter point ``env`` (names -> mpf)."""
        env = dict(env)
        errs = {}
        for comp in self.written:        # a "density" that does not normalise here is not used
            m, me = _integrate_1d(comp, None, env)
            if abs(m - 1) > mpmath.mpf("1e-6") + me:
                raise NotEvaluable(f"{comp[0].pdf()} is not a density here: its total mass is "
                                   f"{mpmath.nstr(m, 8)}, not 1")
        infinite = None      # (integral's name, sign, why): the one expectation certified infinite
        for d, pieces in self.integrals:
            gap = kl_gap(self.kls[d.name], env) if d.name in self.kls else None
            if gap is not None:             # q puts mass where r is 0: this KL is +∞, certified
                if infinite is not None:
                    raise NotEvaluable(f"{gap}, and another expectation is infinite too")
                infinite = (d.name, 1, gap)
                continue
            v, e = mpmath.mpf(0), mpmath.mpf(0)
            for comps, needs, groups in pieces:
                for outer_c, inner_c in needs:
                    if not _num_contains(_support_closure(outer_c)(env), _support_closure(inner_c)(env)):
                        raise NotEvaluable(f"the support of {inner_c} is not inside that of {outer_c}: "
                                           "the integral is infinite here")
                norms = {var: _integrate_1d(comps[var], None, env) for var in comps}
                for var, f, fnp, poles, absf, t in groups:
                    _no_pole_inside(poles, comps[var], env) if var is not None else None
                    if absf is not None:
                        _absolutely(comps[var], absf, env)
                    try:
                        val, err = (_integrate_1d(comps[var], f, env, fnp) if var is not None
                                    else (f(env), mpmath.mpf(0)))
                    except MayDiverge as ex:
                        infinite = _certified(infinite, d, comps[var][0], t, env, ex)
                        continue
                    for other, (nv, ne) in norms.items():
                        if other != var:
                            err = abs(val) * ne + abs(nv) * err
                            val *= nv
                    v += val
                    e += err
            env[d.name] = v
            errs[d.name] = e
        if infinite is not None:
            raise self._infinite_side(infinite, env)
        try:
            base = self.outer(env)
        except MayDiverge as exc:       # an integral written with its limits: certified infinite?
            raise self._integral_infinite(env, exc) from None
        total_err = mpmath.mpf(0)
        for name, e in errs.items():   # propagate each integral's error through the outer expression
            if e:
                bumped = dict(env)
                bumped[name] = env[name] + e
                total_err += abs(self.outer(bumped) - base)
        return base, total_err

    def _integral_infinite(self, env, exc):
        """The side's one integral written with its limits, ``∫_1^∞ dz/z``, certified infinite
        (:func:`.divergence.integral_diverges`) -- the side then as :meth:`_infinite_side` says --
        else ``exc`` (the quadrature's suspicion, no value)."""
        found = [i for i in self.outer_expr.atoms(sympy.Integral) if len(i.limits) == 1 and len(i.limits[0]) == 3]
        if len(found) != 1:
            return exc
        (z, lo, hi), = found[0].limits
        certified = _at_exact_point(lambda point: integral_diverges(found[0].function, z, lo, hi, point),
                                    {s.name for s in found[0].free_symbols}, env)
        if certified is None:
            return exc
        sign, how = certified
        why = f"{to_unicode(found[0])} is {'+' if sign > 0 else '-'}∞ here: {how}, shown exactly by sympy's limit"
        return self._infinite_side(("__written_integral", sign, why), env,
                                   self.outer_expr.xreplace({found[0]: Symbol("__written_integral")}))

    def _infinite_side(self, infinite, env, outer=None) -> Infinite:
        """The side as a whole is infinite when it is ``a·I + b`` in the infinite integral
        ``I`` (a free of every integral and not 0 here, b finite here); else the point is
        not evaluable (the divergence's reason).  ``outer``: the side with I as a symbol
        (default: the compiled side, its expectations named)."""
        name, sign, why = infinite
        d, outer = Symbol(name), self.outer_expr if outer is None else outer
        a = sympy.diff(outer, d)
        if a.free_symbols & ({dummy for dummy, _ in self.integrals} | {d}):     # d itself, or another integral
            return NotEvaluable(f"{why}, inside an expression that is not linear in it")
        env = dict(env)
        env[name] = mpmath.mpf(0)
        coef, rest = _compile(a)(env), _compile(outer.xreplace({d: 0}))(env)
        if not (mpmath.isfinite(coef) and abs(coef) > 1e-9 and mpmath.isfinite(rest)):
            return NotEvaluable(f"{why}, and the rest of the side has no finite value here")
        sign = sign if coef > 0 else -sign
        return Infinite(sign, why)


def _certified(infinite, d, c, t, env, exc):
    """The record of the one expectation certified infinite (see :mod:`.divergence`), or
    ``exc`` raised again: no certificate, or a second infinite expectation (∞ - ∞)."""
    if infinite is not None:
        raise exc
    found = _at_exact_point(lambda point: diverges(c, t, point),
                            {s.name for s in (c.free_symbols | t.free_symbols) if s != c.var}, env)
    if found is None:
        raise exc
    sign, how = found
    why = f"E[{to_unicode(t)}] under {c} is {'+' if sign > 0 else '-'}∞ here: {how}, shown exactly by sympy's limit"
    return d.name, sign, why


def _at_exact_point(certify, names, env):
    """``certify`` at the exact values of the parameters ``names`` at ``env``'s point (each float
    the rational it stores), or None when the point has no exact value."""
    try:
        return certify(exact_point(env, names))
    except (ValueError, TypeError, OverflowError):
        return None
