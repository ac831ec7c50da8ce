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
           "draws", "MARGIN", "PRECISE_BUDGET", "screening", "last_failure"]

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
#: the points a screening search evaluates (see :func:`screening`), None when not screening
_SCREEN: list = [None]
#: (draw key, example) of the counterexample the last search of this process found
_LAST: list = [None]


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
class InfinitePoint(Point):
    """A point where one side (``side``) is certified infinite and the other is finite; the
    certificate's sentence in ``reason``."""
    side: str = "lhs"
    reason: str = ""


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
        self.confirmed: dict = {}        # key -> precise result of a flagged draw not confirmed

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

    def resolve(self, example, fast, defer=False):
        """The result at ``example``; with ``defer``, a violation the fast path vouched for is
        returned as its fast :class:`Point`, unconfirmed (see :func:`search`)."""
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
        if defer and fast.kind == "violated":
            return _Provisional(fast.point)
        return self.confirm(example, fast.point if fast.kind == "violated" else None)

    def sweep(self, examples, fasts, start=0, results=None, defer=False):
        """Resolve ``examples[start:]`` in order: the first violating (index, key, result) --
        with ``defer``, possibly a :class:`_Provisional` one, not yet recorded -- or
        (None, None, None), and the results by key."""
        results = {} if results is None else results
        for j in range(start, len(examples)):
            example = examples[j]
            key = self.key_of(example)
            res = results.get(key)
            if res is None:
                res = results[key] = self.resolve(example, fasts[j] if fasts else None, defer)
            if isinstance(res, _Provisional):
                return j, key, res, results
            self.record(res)
            if _violated(res):
                return j, key, res, results
        return None, None, None, results


@dataclass(frozen=True)
class _Provisional:
    """A violation the fast path vouched for, not yet confirmed by the precise path."""
    fast: Point


def _fast_violation(prop, example):
    """The fast path's violated Point at ``example`` (for the agreement check), or None."""
    fasts = prop.fast([example])
    return fasts[0].point if fasts and fasts[0].kind == "violated" else None


def _violated(res) -> bool:
    return not isinstance(res, str) and bool(res.violated)


def _agree(f: Point, p: Point) -> bool:
    if isinstance(f, InfinitePoint) or isinstance(p, InfinitePoint):   # the same certificate twice
        return (isinstance(f, InfinitePoint) and isinstance(p, InfinitePoint) and f.side == p.side
                and (f.lhs > f.rhs) == (p.lhs > p.rhs))
    for a, b, e in ((f.lhs, p.lhs, f.lhs_error + p.lhs_error), (f.rhs, p.rhs, f.rhs_error + p.rhs_error)):
        if abs(float(a) - float(b)) > AGREE * (1 + abs(float(b))) + float(e) + float(p.threshold):
            return False
    return True


@contextmanager
def screening(points):
    """Within the block, :func:`search` is a screen: it evaluates only those of ``points``
    (``(draw key, example)`` pairs, as :func:`last_failure` gives them) drawn from its own
    strategy (the same draw key), and says FAILED at the first one the fast path clearly
    finds violated (the precise path's certified violation where the fast path has no
    clear word), UNKNOWN otherwise.  Such a FAILED is *not* a certified counterexample: a search for
    likely fixes uses it only to discard a candidate edit -- a candidate that is false at
    the point where the step itself failed -- before any proof is attempted."""
    saved = _SCREEN[0]
    _SCREEN[0] = list(points)
    try:
        yield
    finally:
        _SCREEN[0] = saved


def last_failure():
    """``(draw key, example)`` of the counterexample found by this process's last
    :func:`search` (None when it found none, or its strategy has no draw key); reset by
    :func:`forget_failure`."""
    return _LAST[0]


def forget_failure() -> None:
    _LAST[0] = None


def _screen(prop, draw_key, points) -> Outcome:
    out = Outcome("UNKNOWN")
    examples = [ex for key, ex in points if key is not None and key == draw_key]
    fasts = prop.fast(examples) if examples else None
    for j, example in enumerate(examples):
        out.total += 1
        fast = fasts[j] if fasts is not None else None
        if fast is not None and fast.kind in ("holds", "skip"):
            continue
        if fast is not None and fast.kind == "violated":
            res = fast.point
        else:        # no fast path, or a value it cannot settle: the precise path's word
            res = prop.precise(example)
            if not _violated(res) or prop.certify(example, res) is not None:
                continue
        out.status, out.example, out.point, out.found_by = "FAILED", example, res, "screen"
        out.checked = 1
        return out
    return out


def search(prop: Property, strategy, samples=50, seed=0, specials=(), draw_key=None,
           batch_key=None, key_of=lambda e: e) -> Outcome:
    """See :func:`_search`; under :func:`screening`, a screen of the given points only."""
    if _SCREEN[0] is not None:
        return _screen(prop, draw_key, _SCREEN[0])
    out = _search(prop, strategy, samples, seed, specials, draw_key, batch_key, key_of)
    if out.status == "FAILED" and draw_key is not None:
        _LAST[0] = (draw_key, out.example)
    return out


def _search(prop: Property, strategy, samples=50, seed=0, specials=(), draw_key=None,
            batch_key=None, key_of=lambda e: e) -> Outcome:
    """Search for a certified violation of ``prop`` (see the module docstring).

    A random draw the fast path flags as violated is shrunk before any precise evaluation:
    the precise path confirms the smallest candidate first, and the draw itself only when
    that candidate is not confirmed (a draw that is not confirmed either is recorded as
    what the precise path found, and the search goes on) -- one mpmath evaluation per
    counterexample instead of two, and the same counterexample."""
    run = _Run(prop, key_of)
    run.out.n_special = len(specials)
    if specials:
        fasts = prop.fast(specials, None if batch_key is None else (batch_key, "special"))
        j, _, res, _ = run.sweep(specials, fasts)
        if j is not None:
            run.out.status, run.out.example, run.out.point = "FAILED", specials[j], res
            run.out.found_by = "special point"
            return run.out
    examples = draws(strategy, samples, seed, draw_key) if samples else []
    fasts = prop.fast(examples, None if batch_key is None else (batch_key, "random", samples, seed)) \
        if examples else None
    j, results = -1, {}
    while True:
        j, key, res, results = run.sweep(examples, fasts, j + 1, results, defer=True)
        if j is None:
            if run.out.checked == 0:
                run.out.status = "UNKNOWN"
            return run.out
        final = _shrink(run, strategy, samples, seed, key, examples[j], res, dict(results))
        if final is not None:
            break
        # the flagged draw is not confirmed: recorded as what the precise path found
        res = results[key] = run.confirmed[key]
        run.record(res)
    if isinstance(res, _Provisional):
        run.record(res.fast)
    run.out.status, run.out.found_by = "FAILED", "hypothesis (shrunk)"
    run.out.example, run.out.point = final
    return run.out


def _shrink(run, strategy, samples, seed, k0, example0, res0, results):
    """Hypothesis replays the draws up to the failure and shrinks it; the smallest candidate
    the precise path confirms (and certifies) is returned as (example, point).  ``res0`` is
    the draw's precise point, or a :class:`_Provisional` one: it is confirmed only when the
    smallest candidate is not, and when it is not confirmed either, None is returned (its
    precise result left in ``run.confirmed``)."""
    prop = run.prop
    failing = {k0: (example0, None if isinstance(res0, _Provisional) else res0)}
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
    keys = ([final] if final is not None else []) + order[::-1]
    if isinstance(res0, _Provisional) and keys[0] != k0:
        keys.insert(1, k0)    # the smallest candidate, then the draw itself, then the others
    seen = set()
    for key in keys:
        if key in seen:
            continue
        seen.add(key)
        example, res = failing[key]
        if res is None:
            fast = res0.fast if key == k0 else _fast_violation(prop, example)
            res = run.confirm(example, fast)
            if key == k0:
                if not _violated(res):
                    run.confirmed[k0] = res
                    return None
                failing[k0] = (example, res)
                if key != keys[-1] and key != keys[0]:
                    continue     # confirmed: a smaller candidate still comes first
            if not _violated(res):
                continue
        return example, res
    if k0 in seen and _violated(failing[k0][1]):
        return failing[k0]
    raise AssertionError("unreachable: the first violating draw is confirmed")
