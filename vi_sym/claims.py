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

from collections import Counter

import hypothesis
import mpmath
import sympy
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import strategies as st
from sympy import Integral, Symbol

from .distributions import FAST, ConcreteDensity, Dist, components
from .moments import Moment, expectation
from .numeric import NotEvaluable
from .numeric.plain import compile_plain as _compile
from .numeric.plain import component
from .numeric.plain import integrate_1d as _integrate_1d
from .numeric.plain import np_pair as _np_pair
from .numeric.plain import num_contains as _num_contains
from .numeric.plain import support_closure as _support_closure
from .spotcheck import SpotResult
from .vocabulary import ELBO, KL, Density, Entropy, Expectation, unfold_definitions

__all__ = ["FAMILY", "is_concrete", "prove_claim", "spot_claim", "DOMAINS"]

FAMILY = "concrete"
DOMAINS = {"real": (-3.0, 3.0), "positive": (0.3, 4.0), "unit": (0.05, 0.95)}
SHRINK_BUDGET = 40
DPS = 15
SYMPY_FUNCS = (KL, Expectation, Entropy, ELBO)


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
    so, si = outer.support(), inner.support()
    if so == si:
        return True
    if so[0] == "real":
        return si[0] in ("real", "interval")
    if so[0] == "interval" and si[0] == "interval":
        return bool(sympy.sympify(si[1] - so[1]).is_nonnegative) and \
            bool(sympy.sympify(so[2] - si[2]).is_nonnegative)
    if so[0] == "count" and si[0] == "finite":
        return True
    if so[0] == "finite" and si[0] == "finite":
        return set(si[1]) <= set(so[1])
    return False


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

# The compilers and 1-D integrals live in vi_sym.numeric.plain (one walker for all
# numeric evaluation).

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
                comps = {v: component(c, kinks[v]) for v, c in pc.items()}
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
