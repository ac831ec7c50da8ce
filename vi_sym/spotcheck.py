"""Hypothesis-driven numeric spot-check of one derivation step ``lhs rel rhs`` in a model family.

``spot_check(lhs, rel, rhs, family, samples=50, seed=0, tol=1e-6) -> SpotResult``

1. Every density of the step must have a meaning in the family (see
   ``vi_sym.families.base``); otherwise the result is NOT-APPLICABLE.  A step
   that can never be evaluated (unknown function, free symbol other than the
   data ``x`` and the latent ``z``, ...) is UNKNOWN with the reason.
2. Both sides are evaluated at every one of the family's ``special_points()``
   (q = prior, q = exact posterior, very narrow and very wide q, ...) and then at
   ``samples`` parameter points drawn by hypothesis from ``family.strategy()``
   with a fixed seed.  A step with the latent ``z`` free outside any integral (a
   pointwise identity such as ``log p(z|x) = log p(x,z) - log p(x)``) also gets
   ``z`` drawn from ``family.latent_strategy(params)`` (reported as ``params['z']``).
3. At a point, with values ``L ± eL`` and ``R ± eR`` (error estimates), the step
   is *violated* when

   * ``=``:  ``|L - R| > tol·(1 + |L| + |R|) + eL + eR``
   * ``>=``: ``R - L`` exceeds the same bound;  ``<=``: ``L - R`` does.

4. A violation found by hypothesis is *shrunk* by hypothesis to a minimal
   counterexample (a deterministic budget of shrink evaluations keeps this
   bounded; the point reported is always a genuinely violating one).  A
   violating special point is reported as is.
5. Points where either side is NotEvaluable (NaN, complex, divergent or
   unconverged integral, log of a non-positive value, ...) are skipped and
   counted: never a counterexample.  If no point evaluates: UNKNOWN.

**Two evaluators.**  The points are first evaluated all at once by the float64
fast path (:func:`vi_sym.numeric.evaluate_fast`: vectorised log-densities,
fixed Gauss–Legendre grids at two resolutions).  The hypothesis draws of a
(family, samples, seed) are made once per process and shared by every step, and
so are the integrals the steps have in common.  A point is settled by the fast
path only when it holds with a wide margin (violation below half the threshold)
or is clearly not evaluable; every other point -- a violation, a value too
close to the threshold, a float64 value that cannot be vouched for -- is
re-evaluated by the precise mpmath path (:func:`vi_sym.numeric.evaluate`), which
decides (within a deterministic budget of :data:`PRECISE_BUDGET` points; beyond it
such points are skipped, never counted as holding).  Hypothesis shrinks a
counterexample on the fast path; the counterexample reported -- its values, its
errors, the verdict FAILED itself -- always comes from the precise path.

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
from .numeric import (NOT_EVALUABLE, FastUnsupported, NotEvaluable, compile_expr, compile_fast,
                      evaluate, evaluate_fast, free_names)
from .vocabulary import Density, unfold_definitions

__all__ = ["SpotResult", "spot_check", "draws", "PRECISE_BUDGET", "SHRINK_BUDGET"]

#: evaluations hypothesis may spend shrinking a counterexample
SHRINK_BUDGET = 150
#: points per spot-check the fast path may hand to the precise (mpmath) path
PRECISE_BUDGET = 24
#: the fast path settles "holds" only below this fraction of the threshold, and flags a
#: violation (to be confirmed) only above its inverse
MARGIN = 0.5

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
    def __init__(self, key):
        super().__init__("violation")
        self.key = key


# ------------------------------------------------------------------------------------
# Draws: made once per (family, samples, seed, free latent) and shared by every step
# ------------------------------------------------------------------------------------
_DRAWS: dict = {}
_BATCHES: dict = {}
_CACHE_MAX = 64


def _hyp_settings(samples):
    return settings(max_examples=max(int(samples), 1), database=None, deadline=None,
                    derandomize=False, suppress_health_check=list(HealthCheck),
                    verbosity=Verbosity.quiet, phases=(Phase.generate, Phase.shrink),
                    report_multiple_bugs=False, print_blob=False)


def _strategy(fam, needs_z):
    strat = fam.strategy()
    if needs_z:
        return strat.flatmap(lambda p: fam.latent_strategy(p).map(lambda zv: (p, zv)))
    return strat.map(lambda p: (p, None))


def draws(fam, samples, seed, needs_z=False) -> list:
    """The examples ``(params, z or None)`` hypothesis generates for a spot-check with these
    settings, in order (the search of :func:`spot_check` replays exactly these)."""
    key = (fam.name, max(int(samples), 1), seed, bool(needs_z))
    out = _DRAWS.get(key)
    if out is None:
        out = []

        @_hyp_settings(samples)
        @hypothesis.seed(seed)
        @given(_strategy(fam, needs_z))
        def record(example):
            out.append(example)
        record()
        if len(_DRAWS) >= _CACHE_MAX:
            _DRAWS.clear()
        _DRAWS[key] = out
    return out


def _special_draws(fam, needs_z) -> list:
    key = (fam.name, "special", bool(needs_z))
    out = _DRAWS.get(key)
    if out is None:
        out = [(sp, fam.latent_special(sp) if needs_z else None) for sp in fam.special_points()]
        _DRAWS[key] = out
    return out


def _batch(fam, key, points, needs_z):
    """The fast-path batch of a draw set (memoised: its integrals are shared by the steps)."""
    B = _BATCHES.get(key)
    if B is None:
        B = fam.fast_batch([p for p, _ in points], [zv for _, zv in points] if needs_z else None)
        if len(_BATCHES) >= _CACHE_MAX:
            _BATCHES.clear()
        _BATCHES[key] = B
    return B


# ------------------------------------------------------------------------------------
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
    try:
        compile_fast(lhs, fam)
        compile_fast(rhs, fam)
        use_fast = True
    except (FastUnsupported, NotEvaluable):
        use_fast = False

    state = {"checked": 0, "total": 0, "max_error": 0.0, "skips": Counter(), "precise": 0}

    # ---- one point, precisely (mpmath) -----------------------------------------------
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

    # ---- one point of a batch, fast (float64) -----------------------------------------
    def fast_pair(B):
        """(FL, FR) for a batch, or None when the fast path cannot evaluate the step."""
        nonlocal use_fast
        if not use_fast:
            return None
        try:
            return evaluate_fast(lhs, fam, B, tol), evaluate_fast(rhs, fam, B, tol)
        except (FastUnsupported, NotEvaluable):
            use_fast = False
            return None

    def decide(pair, i):
        """('holds', res) | ('skip', reason) | ('violated', why) | ('uncertain', why)."""
        FL, FR = pair
        for F in (FL, FR):
            if F.status[i] == NOT_EVALUABLE:
                return "skip", F.reason(i)
        for F in (FL, FR):
            if F.status[i]:
                return "uncertain", F.reason(i)
        Lv, Rv = float(FL.value[i]), float(FR.value[i])
        diff = Lv - Rv
        thr = tol * (1 + abs(Lv) + abs(Rv)) + float(FL.error[i]) + float(FR.error[i])
        viol = abs(diff) if rel == "=" else max(-diff if rel == ">=" else diff, 0.0)
        if viol <= MARGIN * thr:
            return "holds", (False, None, None, diff, viol, thr)
        if viol > thr / MARGIN:
            return "violated", "float64 violation"
        return "uncertain", "float64 value too close to the threshold"

    def resolve(params, zval, fast):
        """The point's result (as ``check``), re-evaluating with mpmath where needed."""
        if fast is None:
            return check(params, zval)
        kind, data = fast
        if kind in ("holds", "skip"):
            return data
        if state["precise"] >= PRECISE_BUDGET:
            return (f"{data}; not re-evaluated with mpmath (budget of {PRECISE_BUDGET} "
                    f"points per spot-check spent)")
        state["precise"] += 1
        return check(params, zval)

    def record(res):
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
        if state["precise"]:
            parts.append(f"{state['precise']} re-evaluated with mpmath")
        return "; ".join(parts)

    def violated(res):
        return not isinstance(res, str) and bool(res[0])

    # ---- special points first -----------------------------------------------------
    specials = _special_draws(fam, needs_z) if special_points else []
    if specials:
        pair = None
        if use_fast:
            pair = fast_pair(_batch(fam, (fam.name, "special", needs_z), specials, needs_z))
        for i, (sp, zval) in enumerate(specials):
            res = resolve(sp, zval, decide(pair, i) if pair else None)
            record(res)
            if violated(res):
                cex = cex_of(sp, zval, res, "special point")
                return result("FAILED", state["checked"], state["total"], state["max_error"], cex,
                              f"violated at special point '{sp.get('_label', '?')}': "
                              f"lhs={cex['lhs']:.10g}, rhs={cex['rhs']:.10g}")

    # ---- the hypothesis draws, all at once ------------------------------------------
    examples = draws(fam, samples, seed, needs_z)
    pair = None
    if use_fast and examples:
        pair = fast_pair(_batch(fam, (fam.name, "random", max(int(samples), 1), seed, needs_z),
                                examples, needs_z))

    def key_of(params, zval):
        return (freeze(params), zval)

    results = {}
    first = None
    for j, (params, zval) in enumerate(examples):
        key = key_of(params, zval)
        res = results.get(key)
        if res is None:
            res = results[key] = resolve(params, zval, decide(pair, j) if pair else None)
        record(res)
        if violated(res):
            first = (params, zval, key)
            break

    if first is None:
        if state["checked"] == 0:
            reason = (state["skips"].most_common(1)[0][0] if state["skips"] else "no points evaluated")
            return result("UNKNOWN", 0, state["total"], 0.0, None,
                          f"no point could be evaluated ({state['total']} tried): {reason}")
        return result("SPOT-CHECKED", state["checked"], state["total"], state["max_error"], None,
                      summary(len(specials)))

    # ---- shrinking: hypothesis replays the draws up to the failure, then shrinks -------
    p0, z0, k0 = first
    failing = {k0: (p0, z0, results[k0])}   # key -> (params, z, precise result or None)
    order = [k0]
    shrink_calls = [0]

    def shrink_eval(params, zval):
        """Does this shrink candidate violate the step?  ('fast' = per the fast path)."""
        if not use_fast:
            return check(params, zval)
        try:
            B = fam.fast_batch([params], [zval] if needs_z else None)
            FL, FR = evaluate_fast(lhs, fam, B, tol), evaluate_fast(rhs, fam, B, tol)
        except (FastUnsupported, NotEvaluable):
            return check(params, zval)
        kind, _ = decide((FL, FR), 0)
        return "fast" if kind == "violated" else "no"

    @_hyp_settings(samples)
    @hypothesis.seed(seed)
    @given(_strategy(fam, needs_z))
    def search(example):
        params, zval = example
        key = key_of(params, zval)
        if key in failing:
            raise _Violation(key)
        res = results.get(key)
        if res is None:
            # a shrink candidate: a bounded, count-based budget of evaluations
            if shrink_calls[0] >= SHRINK_BUDGET:
                return
            shrink_calls[0] += 1
            res = results[key] = shrink_eval(params, zval)
        if res == "fast":
            failing[key] = (params, zval, None)   # to be confirmed by the precise path
        elif violated(res):
            failing[key] = (params, zval, res)
        else:
            return
        order.append(key)
        raise _Violation(key)  # a single raise site: hypothesis sees one consistent failure

    final = None
    try:
        search()
    except _Violation as v:
        final = v.key
    except hypothesis.errors.HypothesisException:  # e.g. Flaky: fall back to the draw itself
        final = None
    # confirm with the precise path, from the smallest candidate back to the draw itself
    candidates = ([final] if final is not None else []) + order[::-1]
    seen = set()
    for key in candidates:
        if key in seen:
            continue
        seen.add(key)
        params, zval, res = failing[key]
        if res is None:
            res = check(params, zval)
            if not violated(res):
                continue
        cex = cex_of(params, zval, res, "hypothesis (shrunk)")
        return result("FAILED", state["checked"], state["total"], state["max_error"], cex,
                      f"counterexample: lhs={cex['lhs']:.10g}, rhs={cex['rhs']:.10g}, "
                      f"difference={cex['difference']:.3g} > threshold {cex['threshold']:.3g}")
    raise AssertionError("unreachable: the first violating draw is confirmed")
