"""ONE search driver for every spot-checker: a property, special points, seeded hypothesis
draws, shrinking, and the fast-path / precise-path discipline.

A :class:`Property` says how to evaluate one step at a point ("example"):

* ``fast(examples, batch_key)`` -- optional, cheap evaluations of many points at once
  (float64); each gives a :class:`Fast` decision.  The fast path settles only a clear
  *holds* (violation below :data:`MARGIN` × the threshold) or a clear *skip* (not
  evaluable); a violation, a value too close to the threshold or a value it cannot vouch
  for goes to the precise path.
* ``precise(example)`` -- the precise (mpmath) evaluation: a :class:`Point` or the reason
  (a str) why the point cannot be evaluated.
* ``certify(example, point)`` -- a precise violation refutes only when its value is
  certified (here: the property's own test, e.g. the density's mass was captured); the
  driver also demands that the fast values, when the fast path vouched for them, agree
  with the precise ones.  A point that is not certified is skipped with its reason,
  never counted as agreement nor as a counterexample.

:func:`search` tries the special points, then ``samples`` points drawn by hypothesis
(seeded, ``database=None``, no deadline; the draws of one strategy are made once per
process and shared), stops at the first certified violation, lets hypothesis shrink it
(evaluating candidates on the fast path within a fixed budget) and confirms the smallest
candidate with the precise path -- the counterexample reported is always a precise,
certified one.  Same inputs and seed -> same :class:`Outcome`.
"""
from __future__ import annotations

from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field

import hypothesis
from hypothesis import HealthCheck, Phase, Verbosity, given, settings

try:      # hypothesis >= 6.13x mixes in numbers found in the source of "local" modules
    from hypothesis.internal.conjecture import providers as _providers
    from hypothesis.internal.constants_ast import Constants as _Constants
except ImportError:        # pragma: no cover -- an older hypothesis has no such pool
    _providers = _Constants = None

__all__ = ["Point", "Fast", "Property", "Outcome", "search", "compare", "fast_decision",
           "draws", "MARGIN", "PRECISE_BUDGET"]

#: the fast path settles "holds" only below this fraction of the threshold, and flags a
#: violation (to be confirmed) only above its inverse
MARGIN = 0.5
#: points per search the fast path may hand to the precise path
PRECISE_BUDGET = 24
#: fast and precise values agree when they differ by less than this relative amount
#: (plus the comparison threshold and both error estimates)
AGREE = 1e-4

_CACHE_MAX = 512
_DRAWS: dict = {}


@dataclass(frozen=True)
class Point:
    """Both sides of a step, evaluated at one point, and the comparison."""
    violated: bool
    lhs: object
    rhs: object
    lhs_error: object
    rhs_error: object
    difference: object
    violation: object
    threshold: object


@dataclass(frozen=True)
class Fast:
    """A fast-path decision: 'holds' (point), 'skip' (reason), 'violated' (point) or
    'uncertain' (reason)."""
    kind: str
    point: Point | None = None
    reason: str = ""


def compare(rel, tol, L, eL, R, eR) -> Point:
    """The comparison of ``L ± eL`` with ``R ± eR``: violated when ``=``: |L - R|,
    ``>=``: R - L, ``<=``: L - R exceeds ``tol·(1 + |L| + |R|) + eL + eR``."""
    diff = L - R
    thr = tol * (1 + abs(L) + abs(R)) + eL + eR
    if rel == "=":
        viol = abs(diff)
    else:
        viol = max(-diff if rel == ">=" else diff, 0 * diff)
    return Point(bool(viol > thr), L, R, eL, eR, diff, viol, thr)


def fast_decision(rel, tol, L, eL, R, eR) -> Fast:
    """The fast path's decision on float64 values it vouches for."""
    p = compare(rel, tol, L, eL, R, eR)
    if p.violation <= MARGIN * p.threshold:
        return Fast("holds", p)
    if p.violation > p.threshold / MARGIN:
        return Fast("violated", p, "float64 violation")
    return Fast("uncertain", p, "float64 value too close to the threshold")


class Property:
    """One step's relation as a property of a point (override ``precise``; optionally
    ``fast`` and ``certify``)."""
    shrink_budget = 150

    def fast(self, examples, batch_key=None):
        """A list of :class:`Fast` (one per example), or None (no fast path)."""
        return None

    def precise(self, example):
        raise NotImplementedError

    def certify(self, example, point) -> str | None:
        """None when a precise violation at ``example`` is certified, else the reason."""
        return None


@dataclass
class Outcome:
    status: str                    # 'SPOT-CHECKED' | 'FAILED' | 'UNKNOWN'
    checked: int = 0
    total: int = 0
    max_error: float = 0.0
    skips: Counter = field(default_factory=Counter)
    precise: int = 0
    n_special: int = 0
    example: object = None         # the counterexample (FAILED)
    point: Point | None = None
    found_by: str = ""

    def summary(self, what="points") -> str:
        parts = [f"{self.checked} of {self.total} {what} evaluated "
                 f"({self.n_special} special, {self.total - self.n_special} random)"]
        if self.skips:
            reason, k = self.skips.most_common(1)[0]
            parts.append(f"{sum(self.skips.values())} skipped, e.g. {k}x: {reason}")
        if self.precise:
            parts.append(f"{self.precise} re-evaluated with mpmath")
        return "; ".join(parts)

    def unknown_reason(self) -> str:
        reason = self.skips.most_common(1)[0][0] if self.skips else "no points evaluated"
        return f"no point could be evaluated ({self.total} tried): {reason}"


class _Violation(AssertionError):
    def __init__(self, key):
        super().__init__("violation")
        self.key = key


def _hyp_settings(samples):
    return settings(max_examples=max(int(samples), 1), database=None, deadline=None,
                    derandomize=False, suppress_health_check=list(HealthCheck),
                    verbosity=Verbosity.quiet, phases=(Phase.generate, Phase.shrink),
                    report_multiple_bugs=False, print_blob=False)


@contextmanager
def _seed_only():
    """Draws that depend on the strategy and the seed alone.  hypothesis (6.13x and later)
    now and then draws a number it found in the source of the modules loaded so far
    (vi_sym's own, since it runs from a checkout): the draws -- and so a verdict -- would
    change with any edit of vi_sym, and differ between ``check`` and pytest (other modules
    loaded).  That pool is emptied while vi_sym draws (hypothesis's global constants stay)."""
    getter = getattr(_providers, "_get_local_constants", None)
    cache = getattr(_providers, "CONSTANTS_CACHE", None)
    if getter is None or cache is None or _Constants is None:
        yield
        return
    empty = _Constants()
    _providers._get_local_constants = lambda: empty
    cache.cache.clear()
    try:
        yield
    finally:
        _providers._get_local_constants = getter
        cache.cache.clear()


def draws(strategy, samples, seed, key=None) -> list:
    """The examples hypothesis generates from ``strategy`` with these settings, in order
    (memoised under ``key`` when given: the draws are shared by every step)."""
    memo = None if key is None else (key, max(int(samples), 1), seed)
    out = _DRAWS.get(memo) if memo is not None else None
    if out is None:
        out = []

        @_hyp_settings(samples)
        @hypothesis.seed(seed)
        @given(strategy)
        def record(example):
            out.append(example)
        with _seed_only():
            record()
        if memo is not None:
            if len(_DRAWS) >= _CACHE_MAX:
                _DRAWS.clear()
            _DRAWS[memo] = out
    return out


class _Run:
    """The mutable state of one search (kept out of closures)."""

    def __init__(self, prop, key_of):
        self.prop, self.key_of = prop, key_of
        self.out = Outcome("SPOT-CHECKED")
        self.fast_points: dict = {}      # key -> fast Point (vouched) of a flagged example

    def record(self, res):
        self.out.total += 1
        if isinstance(res, str):
            self.out.skips[res] += 1
        else:
            self.out.checked += 1
            self.out.max_error = max(self.out.max_error, float(res.violation))

    def confirm(self, example, fast_point=None):
        """The precise, certified result at a point the fast path did not settle."""
        res = self.prop.precise(example)
        if isinstance(res, str) or not res.violated:
            return res
        why = self.prop.certify(example, res)
        if why is None and fast_point is not None and not _agree(fast_point, res):
            why = (f"the float64 and mpmath evaluations disagree (lhs {float(fast_point.lhs):.6g} "
                   f"vs {float(res.lhs):.6g}, rhs {float(fast_point.rhs):.6g} vs "
                   f"{float(res.rhs):.6g}): the value is not certified")
        return res if why is None else why

    def resolve(self, example, fast):
        if fast is None:
            return self.confirm(example)
        if fast.kind == "holds":
            return fast.point
        if fast.kind == "skip":
            return fast.reason
        if self.out.precise >= PRECISE_BUDGET:
            return (f"{fast.reason}; not re-evaluated with mpmath (budget of {PRECISE_BUDGET} "
                    f"points per spot-check spent)")
        self.out.precise += 1
        return self.confirm(example, fast.point if fast.kind == "violated" else None)

    def sweep(self, examples, fasts):
        """Resolve examples in order; the first violating (example, key, result) or None."""
        results = {}
        for j, example in enumerate(examples):
            key = self.key_of(example)
            res = results.get(key)
            if res is None:
                res = results[key] = self.resolve(example, fasts[j] if fasts else None)
            self.record(res)
            if _violated(res):
                return example, key, res, results
        return None, None, None, results


def _violated(res) -> bool:
    return not isinstance(res, str) and bool(res.violated)


def _agree(f: Point, p: Point) -> bool:
    for a, b, e in ((f.lhs, p.lhs, f.lhs_error + p.lhs_error), (f.rhs, p.rhs, f.rhs_error + p.rhs_error)):
        if abs(float(a) - float(b)) > AGREE * (1 + abs(float(b))) + float(e) + float(p.threshold):
            return False
    return True


def search(prop: Property, strategy, samples=50, seed=0, specials=(), draw_key=None,
           batch_key=None, key_of=lambda e: e) -> Outcome:
    """Search for a certified violation of ``prop`` (see the module docstring)."""
    run = _Run(prop, key_of)
    run.out.n_special = len(specials)
    if specials:
        fasts = prop.fast(specials, None if batch_key is None else (batch_key, "special"))
        example, _, res, _ = run.sweep(specials, fasts)
        if example is not None:
            run.out.status, run.out.example, run.out.point = "FAILED", example, res
            run.out.found_by = "special point"
            return run.out
    examples = draws(strategy, samples, seed, draw_key) if samples else []
    fasts = prop.fast(examples, None if batch_key is None else (batch_key, "random", samples, seed)) \
        if examples else None
    example, key, res, results = run.sweep(examples, fasts)
    if example is None:
        if run.out.checked == 0:
            run.out.status = "UNKNOWN"
        return run.out
    final = _shrink(run, strategy, samples, seed, key, example, res, results)
    run.out.status, run.out.found_by = "FAILED", "hypothesis (shrunk)"
    run.out.example, run.out.point = final
    return run.out


def _shrink(run, strategy, samples, seed, k0, example0, res0, results):
    """Hypothesis replays the draws up to the failure and shrinks it; the smallest candidate
    the precise path confirms (and certifies) is returned as (example, point)."""
    prop = run.prop
    failing = {k0: (example0, res0)}   # key -> (example, precise point, or the fast Point)
    order = [k0]
    calls = [0]

    def candidate(example):
        fasts = prop.fast([example])
        if fasts is None:
            return run.confirm(example)
        return "fast" if fasts[0].kind == "violated" else "no"

    @_hyp_settings(samples)
    @hypothesis.seed(seed)
    @given(strategy)
    def replay(example):
        key = run.key_of(example)
        if key in failing:
            raise _Violation(key)
        res = results.get(key)
        if res is None:
            if calls[0] >= prop.shrink_budget:
                return
            calls[0] += 1
            res = results[key] = candidate(example)
        if res == "fast":
            failing[key] = (example, None)
        elif _violated(res):
            failing[key] = (example, res)
        else:
            return
        order.append(key)
        raise _Violation(key)   # one raise site: hypothesis sees one consistent failure

    final = None
    try:
        with _seed_only():
            replay()
    except _Violation as v:
        final = v.key
    except hypothesis.errors.HypothesisException:   # e.g. Flaky: fall back to the draw itself
        final = None
    seen = set()
    for key in ([final] if final is not None else []) + order[::-1]:
        if key in seen:
            continue
        seen.add(key)
        example, res = failing[key]
        if res is None:
            fasts = prop.fast([example])
            res = run.confirm(example, fasts[0].point if fasts and fasts[0].kind == "violated" else None)
            if not _violated(res):
                continue
        return example, res
    raise AssertionError("unreachable: the first violating draw is confirmed")
