"""The scheduler: every step of every derivation, checked in time-limited workers.

Each step's proof and each of its spot-checks (see :mod:`vi_sym.judge`) is a
separate task run by :class:`vi_sym.isolation.Workers` in a worker with a hard
time limit, so one slow or broken step never stops the others (the spot-checks of a
family run in one batch, :mod:`vi_sym.batches`); a step whose verdict is in the on-disk
cache (:mod:`vi_sym.cache`) runs no task at all.  A step's outcomes are merged by
:func:`vi_sym.judge.merge` as soon as they are back; a FAILED step then gets its check
from the slip's left side and its likely fixes (:mod:`vi_sym.followups`) from the same
workers, while the other steps are still being checked.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from . import core
from .core import Derivation, Outcome, Step
from .assemble import conclusions_of
from .batches import Batches
from .followups import FollowUps
from .isolation import InterruptedRun, Workers, run_tasks  # noqa: F401 -- run_tasks: tests replace it
from .frontends.notes import report_items
from .judge import (why_untested, applicable_checkers, base_result, conclusion_result, conclusion_task, error_result,
                    load, merge, prefetch, prove, screens_of, spot)
from .settings import Settings, check_settings

__all__ = ["Report", "Settings", "check_derivations", "check_steps", "StepTracker"]


@dataclass
class Report:
    results: list
    errors: list = field(default_factory=list)   # load errors (file, line, message)
    settings: Settings = field(default_factory=Settings)
    seconds: float = 0.0
    interrupted: bool = False
    notes: dict = field(default_factory=dict)    # what the readers skipped and warned (report_items)

    @property
    def failed(self) -> list:
        return [r for r in self.results if not r.as_expected]


# --------------------------------------------------------------------------- tasks
# Worker bodies.  Module-level names, looked up when a run is planned (tests replace them).
prove_task = prove


def spot_task(step: Step, checker, settings: Settings):
    """Worker body: spot-check one step with one spot-checker."""
    return spot(step, checker, settings)


def fix_task(step: Step, start, settings: Settings, screens=()) -> dict:
    """Worker body: ``{"fixes": [...], "note": why the search stopped}`` (see
    :func:`fixes.suggest_fixes`; ``screens``: where the step's spot-checks failed)."""
    from .fixes import suggest_fixes  # for start-up time; loaded before the workers fork
    fixes = suggest_fixes(step, settings.families, samples=min(settings.samples, 20),
                          seed=settings.seed, start=start,
                          deadline=min(settings.fix_timeout, 0.9 * settings.timeout), screens=screens)
    return {"fixes": [f.as_dict() for f in fixes], "note": fixes.note}


def _batch_key(fn, args):
    """The batch a planned task runs in: a model family's checks share its draws and float64
    grids across a batch (see :mod:`vi_sym.batches`), claims whose draws are shared run in one
    batch (a spot-checker's ``batch_of(step)``); a proof, a conclusion is its own task."""
    if fn is not spot_task or len(args) != 3:
        return None
    step, checker, _ = args
    of = getattr(checker, "batch_of", None)
    return of(step) if of is not None else getattr(checker, "batch", None)


# --------------------------------------------------------------------------- progress

def task_label(task) -> str:
    """The step a task belongs to: ``derivation::step`` (conclusions: ``derivation::conclusion``)."""
    _, args = task
    first = args[0] if args else None
    sid = getattr(first, "id", None)
    if isinstance(sid, str):
        return sid
    return f"{getattr(first, 'name', '?')}::conclusion"


class StepTracker:
    """``on_done(i, outcome)`` for :func:`isolation.run_tasks`; calls
    ``callback(done, total, current)`` with steps done, steps in all and the
    oldest step still running."""

    def __init__(self, groups, tasks, callback):
        self.callback = callback
        self.labels = [task_label(t) for t in tasks]
        self.owner = {i: g for g, ids in enumerate(groups) for i in ids}
        self.left = [len(ids) for ids in groups]
        self.total = len(groups)
        self.done = sum(1 for n in self.left if n == 0)
        self.finished = [False] * len(tasks)
        self.oldest = 0
        self._report()

    def _report(self):
        while self.oldest < len(self.finished) and self.finished[self.oldest]:
            self.oldest += 1
        current = self.labels[self.oldest] if self.oldest < len(self.labels) else ""
        self.callback(self.done, self.total, current)

    def __call__(self, i, outcome=None):
        self.finished[i] = True
        g = self.owner.get(i)
        if g is not None:
            self.left[g] -= 1
            if self.left[g] == 0:
                self.done += 1
        self._report()



# --------------------------------------------------------------------------- driver

def _selected(d: Derivation, select) -> tuple:
    """(steps to check, conclusions): those of ``d`` whose ids are in ``select`` (None: all);
    a selected conclusion brings in every step of its chain."""
    every = conclusions_of(d)
    if select is None:
        return set(range(len(d.steps))), every
    chosen = [c for c in every if c.id in select]
    if chosen:
        return set(range(len(d.steps))), chosen
    return {i for i, s in enumerate(d.steps) if s.id in select}, []


def _plan_conclusion(d: Derivation, c: Step, idx_steps, settings: Settings, cache, tasks) -> tuple:
    """The plan entry of one conclusion: its composition check and its spot-checks (each
    from the cache when there)."""
    comp, hit, spot_hit, fams, spots = [], None, None, [], []
    if not c.error and d.claim is not None and d.relation is not None:
        hit = cache.lookup_conclusion(d, settings, c) if cache else None
        if hit is None:
            comp = [len(tasks)]
            tasks.append((conclusion_task, (d, c)))
    if not c.error and settings.families:
        spot_hit = cache.lookup_step(c, settings.families, settings, kind=CONCLUSION_SPOT) if cache else None
        if spot_hit is None:
            checkers = applicable_checkers(c, settings)
            fams = [ch.name for ch in checkers]
            spots = list(range(len(tasks), len(tasks) + len(checkers)))
            tasks.extend((spot_task, (c, ch, settings)) for ch in checkers)
    return ("conclusion", (d, c, idx_steps, hit, spot_hit, fams, len(comp)), comp + spots)


CONCLUSION_SPOT = "conclusion-spot"     # the cache's kind for a conclusion's spot-checks


def _previous_key(previous):
    """What of the step before shapes a step's cached verdict: its left side and relation
    (the likely fixes and an inherited failure are judged from its left side)."""
    if previous is None or previous.error:
        return None
    return (previous.lhs, previous.rel)


def _plan(derivations, settings: Settings, cache, select=None):
    """(tasks, plan): the worker tasks to run, and per step or conclusion
    ``(kind, payload, [task indices])`` -- kind "error", "cached", "step" or "conclusion"."""
    tasks, plan = [], []
    for d in derivations:
        idx_steps, previous = [], None
        wanted, concls = _selected(d, select)
        for n, step in enumerate(d.steps):
            prev_lhs, previous = _previous_key(previous), step
            if n not in wanted:
                continue
            idx_steps.append(len(plan))
            if step.error:
                plan.append(("error", step, []))
                continue
            hit = cache.lookup_step(step, settings.families, settings, prev_lhs) if cache else None
            if hit is not None:
                plan.append(("cached", (step, hit), []))
                continue
            checkers = applicable_checkers(step, settings)
            fams = [c.name for c in checkers]
            ids = list(range(len(tasks), len(tasks) + 1 + len(checkers)))
            tasks.append((prove_task, (step,)))
            tasks.extend((spot_task, (step, c, settings)) for c in checkers)
            untested = None if checkers else why_untested(step, settings)
            plan.append(("step", (step, fams, prev_lhs, untested), ids))
        for c in concls:
            plan.append(_plan_conclusion(d, c, idx_steps, settings, cache, tasks))
    return tasks, plan


def _settled(plan, cache) -> dict:
    """The results known before any task runs: unreadable steps and cached verdicts."""
    out = {}
    for pi, (kind, payload, _) in enumerate(plan):
        if kind == "error":
            out[pi] = error_result(payload)
        elif kind == "cached":
            step, verdict = payload
            out[pi] = cache.restore_step(base_result(step, printed=False), verdict)
    return out


def _merged(entry, outcomes):
    """A checked step's StepResult from its tasks' outcomes."""
    _, (step, fams, _, untested), ids = entry
    return merge(step, outcomes[ids[0]], [(f, outcomes[i]) for f, i in zip(fams, ids[1:])], untested)


def _results(plan, outcomes, settings: Settings, cache, known: dict) -> list:
    """One StepResult per planned step or conclusion, in order (``known``: those merged
    already, by plan index)."""
    results: list = []
    for pi, (kind, payload, ids) in enumerate(plan):
        if pi in known:
            r = known[pi]
        elif kind == "step":
            r = _merged(plan[pi], outcomes)
        else:
            r = _conclusion(payload, ids, outcomes, settings, cache, results)
        results.append(r)
    return results


def _conclusion(payload, ids, outcomes, settings: Settings, cache, results):
    """A conclusion's StepResult from its composition check and its spot-checks (storing what
    was computed afresh in the cache)."""
    d, c, step_idx, hit, spot_hit, fams, n_comp = payload
    out = hit or (outcomes[ids[0]] if n_comp else Outcome(False, kind="", message=""))
    if cache and n_comp:
        cache.store_conclusion(d, settings, out, c)
    spotted = None
    if spot_hit is not None:
        spotted = cache.restore_step(base_result(c, printed=False), spot_hit)
    elif not c.error and settings.families:
        spot_outs = [outcomes[i] for i in ids[n_comp:]]
        spotted = merge(c, None, list(zip(fams, spot_outs)), None if fams else why_untested(c, settings))
        if cache:
            cache.store_step(c, settings.families, settings, spotted, spot_outs, kind=CONCLUSION_SPOT)
    return conclusion_result(d, out, [results[i] for i in step_idx], c, spotted)


def check_derivations(derivations, settings: Settings | None = None, errors=(), on_result=None,
                      cache=None, on_progress=None, select=None, workers=None, **overrides) -> Report:
    """Check every step of every derivation; never raises on a bad step.

    ``cache`` (a :class:`vi_sym.cache.Cache`) reuses the verdicts of unchanged steps and
    the composition checks of conclusions (whose verdicts are merged afresh);
    ``on_progress(done, total, current)`` hears of every step as it finishes;
    ``select`` (step ids) checks only those steps (a conclusion with all its steps),
    each still in its chain (its likely fixes may continue from the step before);
    ``workers`` (a :class:`vi_sym.isolation.Workers`, its ``jobs`` and ``timeout`` then
    rule) runs the tasks in a pool the caller keeps for several checks, whose workers keep
    what they computed (draws, compiled densities, caches) from one check to the next.
    """
    settings = settings or Settings()
    for k, v in overrides.items():
        setattr(settings, k, v)
    t0 = time.perf_counter()
    tasks, plan = _plan(derivations, settings, cache, select)
    if tasks:
        load(settings)   # before the workers fork, so they share every module a verdict needs
        if settings.resolved_jobs() == 1 and not (workers is not None and workers.forked):
            prefetch([args for fn, args in tasks if fn is spot_task])
    on_done = None
    if on_progress is not None:
        on_done = StepTracker([ids for *_, ids in plan], tasks, on_progress)
    outcomes, by_plan, follow = [None] * len(tasks), _settled(plan, cache), None
    interrupted = False
    if tasks:        # every verdict cached: no worker is started
        follow = FollowUps(_chains(derivations, plan), lambda pi: plan[pi][0] == "step", fix_task,
                           settings, settings.fixes,
                           screens=lambda pi: screens_of([outcomes[i] for i in plan[pi][2][1:]]))
        try:
            _run(tasks, plan, settings, follow, outcomes, by_plan, on_done, workers)
        except InterruptedRun:
            interrupted = True
    outcomes = [o or Outcome(False, kind="interrupted", message="interrupted") for o in outcomes]
    results = _results(plan, outcomes, settings, cache, by_plan)
    by_plan = dict(enumerate(results))
    if follow is None:       # nothing checked afresh: the cached verdicts settle the chains
        follow = FollowUps(_chains(derivations, plan), lambda pi: False, fix_task, settings, False)
        follow.settle(by_plan, None)
    if not interrupted:
        follow.apply(by_plan)
    if cache and not interrupted:   # stored after the fix phase, so a cached FAILED step keeps its fixes
        for pi, (kind, payload, ids) in enumerate(plan):
            if kind == "step":
                step, fams, prev_lhs, _ = payload
                cache.store_step(step, settings.families, settings, by_plan[pi], [outcomes[i] for i in ids],
                                 prev_lhs)
    if on_result:
        for r in results:
            on_result(r)
    return Report(results, list(errors), settings, time.perf_counter() - t0, interrupted,
                  report_items(derivations))


def _run(tasks, plan, settings: Settings, follow, outcomes, by_plan, on_done, workers=None) -> None:
    """Every planned task and the follow-ups the verdicts set off, in one pool of workers
    (forked once, after the caches the tasks share are loaded): a step's verdict is merged
    as soon as its last task is back, and a FAILED step's inheritance check and likely
    fixes start as soon as the chain before it is settled, ahead of the tasks still
    waiting (they are the longest).  ``workers``: a pool kept by the caller for several
    checks (default: one of this check's own)."""
    # the proofs first: a step's verdict (and so its follow-ups) waits for its proof
    batches = Batches(tasks, _batch_key, settings.timeout, rank=lambda fn, args: fn is not prove_task)
    waiting = {}                 # planned task -> the plan entry it belongs to
    left = {}
    for pi, (kind, _, ids) in enumerate(plan):
        if kind == "step":
            left[pi] = len(ids)
            waiting.update((i, pi) for i in ids)
    if follow.fixes and settings.families:
        # for start-up time: loaded before the workers fork (with spot-checks off, only a
        # worker that searches for fixes loads it, and with it numpy and hypothesis)
        from . import fixes  # noqa: F401
    own = workers is None
    if own:
        workers = Workers([], jobs=settings.resolved_jobs(), timeout=settings.timeout)
    base = workers.add(batches.units + follow.tasks)
    fbase = base + len(batches.units)

    def finish(i, out):
        outcomes[i] = out
        if on_done:
            on_done(i, out)
        pi = waiting.get(i)
        if pi is not None:
            left[pi] -= 1
            if left[pi] == 0:
                by_plan[pi] = _merged(plan[pi], outcomes)
                follow.settle(by_plan, submit)

    def submit(t, extra=None):
        workers.submit(fbase + t, first=True, extra=extra)

    def unit_done(u, out):
        if u >= fbase:
            follow.done(u - fbase, out)
            follow.settle(by_plan, submit)
        else:
            batches.done(u - base, out, finish, lambda i: workers.submit(base + batches.again(i)))

    try:
        follow.settle(by_plan, submit)
        workers.run(range(base, base + len(batches.owners)), unit_done)
    finally:
        if own:
            workers.close()


def _chains(derivations, plan) -> list:
    """``(derivation, position, previous step's plan index or None, plan index)`` for every
    planned step, in chain order."""
    where = {}
    for pi, (kind, payload, _) in enumerate(plan):
        if kind in ("step", "cached", "error"):
            step = payload if kind == "error" else payload[0]
            where[id(step)] = pi
    out = []
    for d in derivations:
        for n, step in enumerate(d.steps):
            if id(step) in where:
                prev = where.get(id(d.steps[n - 1])) if n > 0 else None
                out.append((d, n, prev, where[id(step)]))
    return out


def check_steps(steps, settings: Settings | None = None, **overrides) -> list:
    """Check loose steps (each on its own, no chain)."""
    d = Derivation("", list(steps))
    return check_derivations([d], settings, **overrides).results


def _check_for_core(derivations, **given) -> Report:
    """What ``Step.check(**given)`` / ``Derivation.check(**given)`` run: the command line's
    defaults (every applicable family), each keyword checked (:func:`settings.check_settings`)."""
    return check_derivations(derivations, check_settings(**given))


core.register_checker(_check_for_core)
