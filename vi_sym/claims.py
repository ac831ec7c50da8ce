"""Claims about concrete densities: ``KL(q(z)||r(z)) = closed form`` with q, r ``define``d.

A step is *concrete* when it mentions a :class:`~vi_sym.distributions.ConcreteDensity`.
Its KL / E / H / ELBO objects unfold into integrals (sums for discrete kinds) against
the weighting density, over that density's support:

* ``∫ P(z) g(z) dz`` where ``P`` is the one bare concrete density of the integrand
  over exactly the integral's variables and every other density occurs only inside
  ``log`` (so ``log r(z)`` is replaced by r's log-density).  This is only valid
  where r > 0: the support of r must contain the support of P, else the integral is
  infinite (a point where this fails is skipped, never a counterexample).
* a mean-field ``P = Π P_i(z_i)``: ``g`` is split into additive terms, and a term in
  ``z_i`` alone integrates as ``∫ P_i g_i dz_i · Π_{j≠i} ∫ P_j dz_j`` (Fubini; every
  factor is computed, none is assumed to be 1); a term coupling several latents is
  out of reach (UNKNOWN).

**prove** (``prove_claim``): for the kinds in ``distributions.FAST`` only, sympy
integrates/sums each piece and the step is PROVED when ``simplify(lhs - rhs) == 0``
(trace "sympy integrate + simplify").  Support containment must follow from the
symbols' assumptions.  Any exception is a non-proof with the reason.

**spot-check** (``spot_claim``): hypothesis draws the parameters from their
declared domains (``parameters`` real in [-3, 3], ``positive`` in [0.3, 4],
``unit`` in [0.05, 0.95]) and both sides are evaluated with mpmath: ``quad(...,
error=True)`` over the support split at the kinks/peaks, exact finite sums, and
Poisson-type sums truncated once past the mode with a geometric tail bound.
A point violates ``=`` when ``|L - R| > tol·(1 + |L| + |R|) + eL + eR``.
"""
from __future__ import annotations

import math
from collections import Counter

import hypothesis
import mpmath
import numpy as np
import sympy
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import strategies as st
from sympy import Integral, Symbol

from .distributions import FAST, ConcreteDensity, Dist, components, is_discrete, support_contains
from . import quadrature
from .moments import Moment, expectation
from .spotcheck import SpotResult
from .vocabulary import ELBO, KL, Density, Entropy, Expectation, unfold_definitions

__all__ = ["FAMILY", "is_concrete", "prove_claim", "spot_claim", "DOMAINS"]

FAMILY = "concrete"
DOMAINS = {"real": (-3.0, 3.0), "positive": (0.3, 4.0), "unit": (0.05, 0.95)}
SHRINK_BUDGET = 40
DPS = 15
SYMPY_FUNCS = (KL, Expectation, Entropy, ELBO)


class NotEvaluable(Exception):
    def __init__(self, reason, structural=False):
        super().__init__(reason)
        self.reason, self.structural = reason, structural


def is_concrete(step) -> bool:
    return not step.error and any(
        isinstance(d, ConcreteDensity)
        for side in (step.lhs, step.rhs) for d in sympy.sympify(side).atoms(Density))


def _kinds(expr) -> set:
    return {c.kind for d in expr.atoms(ConcreteDensity) for c in components(d.definition)}


# --------------------------------------------------------------------------- structure

def _unfold(expr):
    return unfold_definitions(sympy.sympify(expr), SYMPY_FUNCS)


def _pieces(integral: Integral):
    """``∫ f`` -> [(P, g)] with ``f = Σ P·g``: the weighting density and the rest, with
    ``log D`` of every concrete ``D`` left in place (replaced later)."""
    vars_ = tuple(lim[0] for lim in integral.limits)
    if any(len(lim) != 1 for lim in integral.limits):
        raise NotEvaluable("a definite integral over explicit limits is not a concrete claim", True)
    f = sympy.expand_log(integral.function)
    f = sympy.expand(f, deep=False, mul=True, log=False, multinomial=False, power_exp=False,
                     power_base=False)
    out = []
    for term in sympy.Add.make_args(f):
        weights = [a for a in sympy.Mul.make_args(term) if isinstance(a, ConcreteDensity)]
        if len(weights) != 1 or set(weights[0].vars) != set(vars_):
            raise NotEvaluable(f"cannot read ∫ {term} d{','.join(map(str, vars_))} as an integral "
                               "against one defined density over exactly these variables", True)
        P = weights[0]
        g = sympy.Mul(*[a for a in sympy.Mul.make_args(term) if a is not P])
        if g.atoms(Density) - {a.args[0] for a in g.atoms(sympy.log) if isinstance(a.args[0], Density)} \
                or any(not isinstance(d, ConcreteDensity) for d in g.atoms(Density)):
            bad = [d for d in g.atoms(Density)]
            raise NotEvaluable(f"density {bad[0]} occurs outside a log (or is not defined)", True)
        out.append((P, g))
    return out


def _log_densities(g, P):
    """Replace ``log D`` by D's log-density; returns (g', [(D_component, P_component)]) --
    the support containments the replacement needs."""
    needs = []
    pc = P.components()

    def repl(e):
        D = e.args[0]
        total = 0
        for v, c in D.components().items():
            if v in pc:
                needs.append((c, pc[v]))
            total += c.logpdf()
        return total
    g2 = g.replace(lambda e: isinstance(e, sympy.log) and isinstance(e.args[0], ConcreteDensity), repl)
    if g2.atoms(Density):
        raise NotEvaluable(f"density occurs outside a log in {g}", True)
    return g2, needs


def _groups(g, vars_):
    """Additive terms of g grouped by the latent variables they contain."""
    groups: dict = {}
    for t in sympy.Add.make_args(sympy.expand(g, deep=False) if isinstance(g, sympy.Mul) else g):
        key = frozenset(t.free_symbols & set(vars_))
        groups[key] = groups.get(key, 0) + t
    return groups


# --------------------------------------------------------------------------- symbolic

def _sym_contains(outer, inner) -> bool:
    return support_contains(outer.support(), inner.support())


def _sym_integral_1d(c: Dist, t):
    sup = c.support()
    z = c.var
    if sup[0] == "finite":
        return sum((c.pdf() * t).subs(z, k) for k in sup[1])
    if sup[0] == "real":
        lo, hi = -sympy.oo, sympy.oo
    elif sup[0] == "interval":
        lo, hi = sup[1], sup[2]
    else:
        raise NotEvaluable(f"sympy path does not sum over {sup[0]} supports")
    val = sympy.integrate(sympy.expand(c.pdf() * t), (z, lo, hi), conds="none")
    if val.has(Integral):
        raise NotEvaluable(f"sympy left ∫ {c.pdf() * t} d{z} unevaluated")
    return val


def _sym_value(expr, integrate_1d=_sym_integral_1d):
    """The value of ``expr`` with each defining integral closed by ``integrate_1d(dist, t)``
    (sympy's integral, or the moment lemmas: see :func:`_by_moments`)."""
    expr = _unfold(expr)
    mapping = {}
    for I in expr.atoms(Integral):
        total = 0
        for P, g in _pieces(I):
            g, needs = _log_densities(g, P)
            for outer, inner in needs:
                if not _sym_contains(outer, inner):
                    raise NotEvaluable(f"cannot show that the support of {inner} lies inside "
                                       f"that of {outer} (else the integral is infinite)")
            pc = P.components()
            for key, t in _groups(g, tuple(pc)).items():
                if len(key) > 1:
                    raise NotEvaluable("a term couples several latent variables")
                term = 1
                for v, c in pc.items():
                    term *= integrate_1d(c, t if v in key else sympy.Integer(1))
                if not key:
                    term *= t
                total += term
        mapping[I] = total
    out = expr.xreplace(mapping)
    if out.atoms(Density):
        raise NotEvaluable("a density is left outside any integral")
    return out


def _by_moments(lemmas):
    def integrate_1d(c, t):
        value, used = expectation(c, t)
        lemmas.extend(u for u in used if u not in lemmas)
        return value
    return integrate_1d


def _unit_to_positive(diff, domains):
    """Each ``unit`` parameter t (0 < t < 1) written as u/(1+u) with u > 0: a bijection onto
    (0, 1) that lets sympy see 1 - t = 1/(1+u) > 0 and split the logs of both."""
    subs = {}
    for sym in diff.free_symbols:
        if dict(domains).get(getattr(sym, "name", None)) == "unit":
            u = sympy.Dummy(f"{sym.name}_odds", positive=True)
            subs[sym] = u / (1 + u)
    if not subs:
        return None
    d = diff.xreplace(subs)
    return d.replace(lambda e: isinstance(e, sympy.log),
                     lambda e: sympy.log(sympy.factor(sympy.together(e.args[0]))))


def _is_zero(diff, domains=()) -> bool:
    """diff == 0 by expansion (logs split only where sympy knows the factors are positive,
    from the parameters' declared domains), then simplify."""
    d = sympy.expand(sympy.expand_log(diff))
    if d == 0:
        return True
    simple = sympy.simplify(d)
    if simple == 0 or sympy.simplify(sympy.expand_log(simple)) == 0:
        return True
    u = _unit_to_positive(d, domains)
    return u is not None and (sympy.expand(sympy.expand_log(u)) == 0 or sympy.simplify(u) == 0)


def prove_claim(step) -> dict:
    """Worker body for a concrete step.

    First the moment lemmas (``vi_sym.moments``: every kind, fast); when a statistic
    without a lemma is left over, sympy's own integral for the kinds in ``FAST``.
    PROVED when lhs - rhs expands/simplifies to 0; the trace names the lemmas used.
    """
    res = {"proved": False, "trace": [], "residual": "", "uncited": (), "atom": "", "reason": ""}
    kinds = _kinds(step.lhs) | _kinds(step.rhs)
    if step.rel != "=":
        res["reason"] = "only equalities about concrete densities are proved symbolically"
        return res
    reasons = []
    try:
        lemmas: list = []
        lv = _sym_value(step.lhs, _by_moments(lemmas))
        rv = _sym_value(step.rhs, _by_moments(lemmas))
        diff = lv - rv
        if _is_zero(diff, step.context.domains):
            res.update(proved=True, trace=[("both", "linearity of E", "")]
                       + [("both", name, "") for name in lemmas] + [("both", "expand + simplify", "0")],
                       atom="the defining integrals, by the moment lemmas")
            return res
        opaque = diff.atoms(Moment)
        res["residual"] = str(sympy.expand(sympy.expand_log(diff)))
        if not opaque:
            res["reason"] = "the moment lemmas leave a nonzero residual"
            return res
        reasons.append(f"no lemma for {', '.join(sorted(map(str, opaque)))}")
    except NotEvaluable as ex:
        reasons.append(f"moments: {ex.reason}")
    except Exception as ex:  # noqa: BLE001 -- any sympy failure is a non-proof
        reasons.append(f"moments: sympy raised {type(ex).__name__}: {ex}")
    slow = sorted(kinds - FAST)
    if slow:
        res["reason"] = "; ".join(reasons + [f"sympy integrate not attempted for {', '.join(slow)} "
                                             "(known to hang or raise); see the numeric check"])
        return res
    try:
        lv, rv = _sym_value(step.lhs), _sym_value(step.rhs)
        diff = lv - rv
        if _is_zero(diff, step.context.domains):
            res.update(proved=True, trace=[("both", "sympy integrate + simplify", "0")],
                       atom="the defining integrals, evaluated by sympy")
            return res
        res["residual"] = str(sympy.simplify(diff))
        reasons.append("sympy integrate + simplify leaves a nonzero residual")
    except NotEvaluable as ex:
        reasons.append(f"sympy: {ex.reason}")
    except Exception as ex:  # noqa: BLE001 -- any sympy failure is a non-proof
        reasons.append(f"sympy raised {type(ex).__name__}: {ex}")
    res["reason"] = "; ".join(reasons)
    return res


# --------------------------------------------------------------------------- numeric

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
    if expr.is_Number or expr in (sympy.pi, sympy.E, sympy.EulerGamma, sympy.Catalan):
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
    if expr.is_Number or expr in (sympy.pi, sympy.E, sympy.EulerGamma, sympy.Catalan):
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
    if is_discrete(outer) != is_discrete(inner):
        return False    # no common base measure: the KL is +oo
    if outer == inner or outer[0] == "real":
        return True
    if outer[0] == "interval":
        return inner[0] == "interval" and outer[1] <= inner[1] and inner[2] <= outer[2]
    if outer[0] == "count":
        return inner[0] == "finite"
    return inner[0] == "finite" and set(inner[1]) <= set(outer[1])


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
            fast = _count_sum_np(z, env, logp_np, fnp, mode)
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
    scale, extra = c.spec.hint(*[float(p(env)) for p in params])
    pts = sorted(set(pts) | {float(x) for x in extra if lo < x < hi})   # the peak region
    scale = float(scale)
    if logp_np is not None and (f is None or fnp is not None) and mpmath.mp.dps <= DPS:
        fast = _fast_1d(z, env, float(lo), float(hi), pts, scale, (logp_np, fnp, f is None),
                        (logp_ref, fref) if logp_ref is not None and (f is None or fref is not None) else None)
        if fast is not None:
            return mpmath.mpf(fast[0]), mpmath.mpf(fast[1])
    val, err = mpmath.quad(integrand, [lo, *pts, hi], error=True)
    if not (mpmath.isfinite(val) and mpmath.isfinite(err)):
        raise NotEvaluable(f"the integral against {c} is not finite here")
    return val, err


def _count_sum_np(z, env, logp_np, fnp, mode):
    """float64 Σ_k P(k) f(k) over k = 0, 1, ... in blocks, stopped once the terms past 2·mode
    fall below 1e-18 relative and shrink; the error bound is the last block's largest term
    over (1 - the observed ratio).  (I, err), or None when float64 cannot vouch for it."""
    fenv = {k: float(v) for k, v in env.items()}
    total, n, size = 0.0, 0, max(256, int(4 * mode) + 64)
    with np.errstate(all="ignore"):
        while n < 10 ** 6:
            ks = np.arange(n, n + size, dtype=float)
            e = dict(fenv)
            e[z] = ks
            w = np.exp(logp_np(e))
            terms = w if fnp is None else np.where(w > 0, w * fnp(e), 0.0)
            if not np.all(np.isfinite(terms)):
                return None
            total += float(np.sum(terms))
            n += size
            tail = abs(float(terms[-1]))
            ratio = abs(float(terms[-1])) / abs(float(terms[-2])) if terms[-2] else 0.0
            if n > 2 * mode + 10 and tail < 1e-18 * (1 + abs(total)) and ratio < 1:
                return total, tail / (1 - ratio) + 1e-15 * (1 + abs(total))
            size *= 2
    return None


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


# --------------------------------------------------------------------------- spot-check

def _param_names(step):
    names = set()
    latent = set(step.context.latent)
    for side in (step.lhs, step.rhs):
        side = sympy.sympify(side)
        for d in side.atoms(ConcreteDensity):
            names |= {s for s in d.definition.free_symbols if s not in latent}
        names |= {s for s in _unfold(side).free_symbols if s not in latent}
    return sorted(names, key=lambda s: s.name)


def _domain(sym, domains) -> str:
    if sym.name in domains:
        return domains[sym.name]
    return "positive" if sym.is_positive else "real"


def spot_claim(step, samples=50, seed=0, tol=1e-6) -> SpotResult:
    """Worker body: numeric spot-check of a concrete step against its defining integrals."""
    def result(status, n_checked=0, n_total=0, max_error=0.0, cex=None, reason=""):
        return SpotResult(FAMILY, status, n_checked, n_total, float(max_error), cex, reason)

    rel = step.rel
    try:
        L, R = _Compiled(step.lhs), _Compiled(step.rhs)
        params = _param_names(step)
    except NotEvaluable as ex:
        return result("UNKNOWN", reason=ex.reason)
    except Exception as ex:  # noqa: BLE001
        return result("UNKNOWN", reason=f"cannot compile the claim: {type(ex).__name__}: {ex}")
    domains = dict(step.context.domains)
    bad = [p.name for p in params if p in step.context.latent]
    if bad:
        return result("UNKNOWN", reason=f"latent {bad[0]} is free outside any integral")
    state = {"checked": 0, "total": 0, "max_error": 0.0, "skips": Counter(), "frozen": False,
             "shrink": 0, "failing": {}}

    def check(point, dps=DPS):
        """(violated, lhs, rhs, diff, violation, threshold, lhs err, rhs err) or a skip reason.
        A violation within 1000x the threshold at ``DPS`` digits is confirmed at twice the
        precision before it counts (quadrature error estimates are heuristic: mpmath can
        underestimate them by a small factor near an endpoint singularity, e.g. Beta with
        b < 1)."""
        env = {k: mpmath.mpf(v) for k, v in point.items()}
        try:
            with mpmath.workdps(dps):
                lv, le = L.value(env)
                rv, re_ = R.value(env)
                for v in (lv, rv, le, re_):
                    if not mpmath.isfinite(v) or isinstance(v, mpmath.mpc):
                        raise NotEvaluable("a side is not a finite real number here")
                if le > 1e-4 * (1 + abs(lv)) or re_ > 1e-4 * (1 + abs(rv)):
                    raise NotEvaluable("quadrature did not converge (error estimate too large)")
                diff = lv - rv
                thr = tol * (1 + abs(lv) + abs(rv)) + le + re_
                viol = abs(diff) if rel == "=" else max(-diff if rel == ">=" else diff, 0)
        except NotEvaluable as ex:
            return ex.reason
        except (ValueError, ZeroDivisionError, OverflowError, TypeError) as ex:
            return f"numeric failure: {type(ex).__name__}: {ex}"
        if thr < viol < 1e3 * thr and dps == DPS:   # a narrow violation: confirm it
            return check(point, 2 * DPS)
        return (viol > thr, lv, rv, diff, viol, thr, le, re_)

    def record(res):
        if state["frozen"]:
            return
        state["total"] += 1
        if isinstance(res, str):
            state["skips"][res] += 1
        else:
            state["checked"] += 1
            state["max_error"] = max(state["max_error"], float(res[4]))

    strat = st.fixed_dictionaries({
        p.name: st.floats(*DOMAINS[_domain(p, domains)], allow_nan=False, allow_infinity=False)
        for p in params})

    class _Violation(AssertionError):
        def __init__(self, data):
            super().__init__("violation")
            self.data = data

    @settings(max_examples=max(int(samples), 1), database=None, deadline=None,
              suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet,
              phases=(Phase.generate, Phase.shrink), report_multiple_bugs=False, print_blob=False)
    @hypothesis.seed(seed)
    @given(strat)
    def search(point):
        key = tuple(sorted(point.items()))
        data = state["failing"].get(key)
        if data is None:
            if state["frozen"]:
                if state["shrink"] >= SHRINK_BUDGET:
                    return
                state["shrink"] += 1
            res = check(point)
            record(res)
            if isinstance(res, str) or not res[0]:
                return
            _, lv, rv, diff, viol, thr, le, re_ = res
            data = state["failing"][key] = {
                "params": dict(point), "lhs": float(lv), "rhs": float(rv), "difference": float(diff),
                "threshold": float(thr), "lhs_error": float(le), "rhs_error": float(re_),
                "found_by": "hypothesis (shrunk)"}
            state["frozen"] = True
        raise _Violation(data)

    try:
        search()
    except _Violation as v:
        cex = v.data
        return result("FAILED", state["checked"], state["total"], state["max_error"], cex,
                      f"counterexample: lhs={cex['lhs']:.10g}, rhs={cex['rhs']:.10g}, "
                      f"difference={cex['difference']:.3g} > threshold {cex['threshold']:.3g}")
    except hypothesis.errors.HypothesisException as ex:
        return result("UNKNOWN", state["checked"], state["total"], state["max_error"], None,
                      f"hypothesis could not complete the search: {type(ex).__name__}: {ex}")
    if state["checked"] == 0:
        why = state["skips"].most_common(1)[0][0] if state["skips"] else "no points evaluated"
        return result("UNKNOWN", 0, state["total"], 0.0, None,
                      f"no point could be evaluated ({state['total']} tried): {why}")
    summary = f"{state['checked']} of {state['total']} random points evaluated against the defining integrals"
    if state["skips"]:
        reason, k = state["skips"].most_common(1)[0][0], state["skips"].most_common(1)[0][1]
        summary += f"; {sum(state['skips'].values())} skipped, e.g. {k}x: {reason}"
    return result("SPOT-CHECKED", state["checked"], state["total"], state["max_error"], None, summary)
