"""Hypothesis-driven numeric spot-check of one derivation step ``lhs rel rhs`` in a model family.

``spot_check(lhs, rel, rhs, family, samples=50, seed=0, tol=1e-6) -> SpotResult``

1. Every density of the step must have a meaning in the family (see
   ``vi_sym.families.base``); otherwise the result is NOT-APPLICABLE.  A step
   that can never be evaluated (unknown function, free symbol other than the
   data ``x`` and the latent ``z``, ...) is UNKNOWN with the reason.
2. Both sides are evaluated (``vi_sym.numeric.evaluate``) at every one of the
   family's ``special_points()`` (q = prior, q = exact posterior, very narrow and
   very wide q, ...) and then at ``samples`` parameter points drawn by
   hypothesis from ``family.strategy()`` with a fixed seed.  A step with the
   latent ``z`` free outside any integral (a pointwise identity such as
   ``log p(z|x) = log p(x,z) - log p(x)``) also gets ``z`` drawn from
   ``family.latent_strategy(params)`` (reported as ``params['z']``).
3. At a point, with values ``L ± eL`` and ``R ± eR`` (quadrature error
   estimates), the step is *violated* when

   * ``=``:  ``|L - R| > tol·(1 + |L| + |R|) + eL + eR``
   * ``>=``: ``R - L`` exceeds the same bound;  ``<=``: ``L - R`` does.

4. A violation found by hypothesis is *shrunk* by hypothesis to a minimal
   counterexample (a deterministic budget of shrink evaluations keeps this
   bounded; the point reported is always a genuinely violating one).  A
   violating special point is reported as is.
5. Points where either side is NotEvaluable (NaN, complex, divergent or
   unconverged integral, log of a non-positive value, ...) are skipped and
   counted: never a counterexample.  If no point evaluates: UNKNOWN.

Deterministic: no example database (``database=None``), no deadline, seeded
generation, no wall-clock dependence; the same inputs and seed give the same
SpotResult.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

import hypothesis
import mpmath
import sympy
from hypothesis import HealthCheck, Phase, Verbosity, given, settings

from .families import Family, get_family
from .families.base import LATENT, UnsupportedDensity, freeze
from .numeric import NotEvaluable, compile_expr, evaluate, free_names
from .vocabulary import Density, unfold_definitions

__all__ = ["SpotResult", "spot_check"]

#: evaluations hypothesis may spend shrinking a counterexample
SHRINK_BUDGET = 150

_RELS = {"=": "=", "==": "=", ">=": ">=", "≥": ">=", "<=": "<=", "≤": "<="}


@dataclass
class SpotResult:
    family: str
    status: str            # 'SPOT-CHECKED' | 'FAILED' | 'UNKNOWN' | 'NOT-APPLICABLE'
    n_checked: int         # points where both sides evaluated
    n_total: int           # points tried
    max_error: float       # max |lhs-rhs| ('='), max violation (inequalities, 0 if none)
    counterexample: dict | None   # {'params', 'lhs', 'rhs', 'difference', ...}
    reason: str            # why UNKNOWN / NOT-APPLICABLE, or a one-line summary


def _plain(v):
    """A params value as plain JSON-friendly data (Fractions as 'a/b' strings)."""
    if isinstance(v, Fraction):
        return str(v)
    if isinstance(v, (list, tuple)):
        return [_plain(u) for u in v]
    if isinstance(v, mpmath.mpf):
        return float(v)
    return v


class _Violation(AssertionError):
    def __init__(self, data):
        super().__init__("violation")
        self.data = data


def spot_check(lhs, rel, rhs, family, samples=50, seed=0, tol=1e-6,
               special_points=True) -> SpotResult:
    """Numerically spot-check ``lhs rel rhs`` (rel '=', '>=' or '<=') in ``family``.

    ``special_points=False`` skips the family's special points (random search only).
    """
    fam = get_family(family) if isinstance(family, str) else family
    if not isinstance(fam, Family):
        raise TypeError(f"family must be a Family or a family name, got {family!r}")
    try:
        rel = _RELS[rel]
    except KeyError:
        raise ValueError(f"rel must be '=', '>=' or '<=', got {rel!r}") from None
    lhs, rhs = sympy.sympify(lhs), sympy.sympify(rhs)

    def result(status, n_checked=0, n_total=0, max_error=0.0, cex=None, reason=""):
        return SpotResult(fam.name, status, n_checked, n_total, float(max_error), cex, reason)

    # ---- applicability and structural evaluability -------------------------------
    try:
        ul, ur = unfold_definitions(lhs), unfold_definitions(rhs)
    except Exception as ex:  # a malformed definition: nothing to evaluate
        return result("UNKNOWN", reason=f"cannot unfold the definitions: {ex}")
    for d in sorted(ul.atoms(Density) | ur.atoms(Density), key=str):
        try:
            fam.role(d)
        except UnsupportedDensity as ex:
            return result("NOT-APPLICABLE", reason=ex.reason)
    free = (free_names(ul) | free_names(ur)) - {"x"}
    other = sorted(free - {LATENT})
    if other:
        return result("UNKNOWN", reason=f"free symbol(s) {', '.join(other)} have no value in a model family")
    needs_z = LATENT in free
    try:
        compile_expr(lhs, fam)
        compile_expr(rhs, fam)
    except NotEvaluable as ex:
        return result("UNKNOWN", reason=ex.reason)

    # ---- one point --------------------------------------------------------------
    state = {"checked": 0, "total": 0, "max_error": 0.0, "skips": Counter(), "frozen": False,
             "shrink_calls": 0, "failing": {}}

    def check(params, zval):
        """The NotEvaluable reason (a str), or (violated, L, R, diff, violation, threshold)."""
        binding = {LATENT: zval} if needs_z else None
        try:
            L = evaluate(lhs, fam, params, tol=tol, binding=binding)
            R = evaluate(rhs, fam, params, tol=tol, binding=binding)
        except NotEvaluable as ex:
            return ex.reason
        with mpmath.workdps(20):
            diff = L.value - R.value
            thr = tol * (1 + abs(L.value) + abs(R.value)) + L.error + R.error
            if rel == "=":
                viol = abs(diff)
            elif rel == ">=":
                viol = max(-diff, mpmath.mpf(0))
            else:
                viol = max(diff, mpmath.mpf(0))
        return (viol > thr, L, R, diff, viol, thr)

    def record(res):
        if state["frozen"]:
            return
        state["total"] += 1
        if isinstance(res, str):
            state["skips"][res] += 1
            return
        state["checked"] += 1
        state["max_error"] = max(state["max_error"], float(res[4]))

    def cex_of(params, zval, res, where):
        _, L, R, diff, viol, thr = res
        p = {k: _plain(v) for k, v in params.items() if not k.startswith("_")}
        if needs_z:
            p[LATENT] = _plain(zval)
        out = {"params": p, "lhs": float(L.value), "rhs": float(R.value),
               "difference": float(diff), "threshold": float(thr),
               "lhs_error": float(L.error), "rhs_error": float(R.error), "found_by": where}
        if "_label" in params:
            out["label"] = params["_label"]
        return out

    def summary(n_special):
        parts = [f"{state['checked']} of {state['total']} points evaluated "
                 f"({n_special} special, {state['total'] - n_special} random)"]
        if state["skips"]:
            reason, k = state["skips"].most_common(1)[0]
            parts.append(f"{sum(state['skips'].values())} skipped, e.g. {k}x: {reason}")
        return "; ".join(parts)

    # ---- special points first -----------------------------------------------------
    specials = fam.special_points() if special_points else []
    for sp in specials:
        zval = fam.latent_special(sp) if needs_z else None
        res = check(sp, zval)
        record(res)
        if not isinstance(res, str) and res[0]:
            cex = cex_of(sp, zval, res, "special point")
            return result("FAILED", state["checked"], state["total"], state["max_error"], cex,
                          f"violated at special point '{sp.get('_label', '?')}': "
                          f"lhs={cex['lhs']:.10g}, rhs={cex['rhs']:.10g}")

    # ---- hypothesis search ----------------------------------------------------------
    strat = fam.strategy()
    if needs_z:
        strat = strat.flatmap(lambda p: fam.latent_strategy(p).map(lambda zv: (p, zv)))
    else:
        strat = strat.map(lambda p: (p, None))

    def key_of(params, zval):
        return (freeze(params), zval)

    @settings(max_examples=max(int(samples), 1), database=None, deadline=None,
              derandomize=False, suppress_health_check=list(HealthCheck),
              verbosity=Verbosity.quiet, phases=(Phase.generate, Phase.shrink),
              report_multiple_bugs=False, print_blob=False)
    @hypothesis.seed(seed)
    @given(strat)
    def search(example):
        params, zval = example
        key = key_of(params, zval)
        data = state["failing"].get(key)
        if data is None:
            if state["frozen"]:
                # shrinking: a bounded, count-based budget of evaluations of new candidates
                if state["shrink_calls"] >= SHRINK_BUDGET:
                    return
                state["shrink_calls"] += 1
            res = check(params, zval)
            record(res)
            if isinstance(res, str) or not res[0]:
                return
            data = state["failing"][key] = cex_of(params, zval, res, "hypothesis (shrunk)")
            state["frozen"] = True
        raise _Violation(data)  # a single raise site: hypothesis sees one consistent failure

    try:
        search()
    except _Violation as v:
        cex = v.data
        return result("FAILED", state["checked"], state["total"], state["max_error"], cex,
                      f"counterexample: lhs={cex['lhs']:.10g}, rhs={cex['rhs']:.10g}, "
                      f"difference={cex['difference']:.3g} > threshold {cex['threshold']:.3g}")
    except hypothesis.errors.HypothesisException as ex:  # e.g. Flaky: report, never crash
        return result("UNKNOWN", state["checked"], state["total"], state["max_error"], None,
                      f"hypothesis could not complete the search: {type(ex).__name__}: {ex}")
    if state["checked"] == 0:
        reason = (state["skips"].most_common(1)[0][0] if state["skips"] else "no points evaluated")
        return result("UNKNOWN", 0, state["total"], 0.0, None,
                      f"no point could be evaluated ({state['total']} tried): {reason}")
    return result("SPOT-CHECKED", state["checked"], state["total"], state["max_error"], None,
                  summary(len(specials)))
