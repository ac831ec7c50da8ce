"""The scheduler: every step of every derivation, checked in time-limited workers.

Each step's proof and each of its spot-checks (see :mod:`vi_sym.judge`) is a
separate task run by :func:`vi_sym.isolation.run_tasks` in a worker with a hard
time limit, so one slow or broken step never stops the others; a step whose
verdict is in the on-disk cache (:mod:`vi_sym.cache`) runs no task at all.  The
outcomes are merged by :func:`vi_sym.judge.merge`; FAILED steps then get their
likely fixes (:mod:`vi_sym.fixes`) in a second phase.
"""
from __future__ import annotations

import os
import signal
import threading
import time
import traceback
from dataclasses import dataclass, field

from . import core
from .core import Derivation, Outcome, Status, Step
from .assemble import conclusions_of
from .inherit import anchor, holds, inherit_task, probe, sentence
from .isolation import InterruptedRun, run_tasks
from .frontends.notes import report_items
from .judge import (why_untested, applicable_checkers, base_result, conclusion_result, conclusion_task, error_result,
                    load, merge, prefetch, prove, spot)
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


def fix_task(step: Step, start, settings: Settings) -> dict:
    """Worker body: ``{"fixes": [...], "note": why the search stopped}`` (see :func:`fixes.suggest_fixes`)."""
    from .fixes import suggest_fixes  # for start-up time; loaded before the workers fork
    fixes = suggest_fixes(step, settings.families, samples=min(settings.samples, 20),
                          seed=settings.seed, start=start,
                          deadline=min(settings.fix_timeout, 0.9 * settings.timeout))
    return {"fixes": [f.as_dict() for f in fixes], "note": fixes.note}


# Spot tasks are planned one per (step, family) but run in batches, one worker per family,
# so the family's hypothesis draws, its fast-path batch and the integrals the steps share
# are made once (and ~200 forks are saved).  Inside a batch every step keeps its own time
# limit (``settings.timeout``, by SIGALRM) and the batch hands back, unrun, the steps it
# could not finish before BATCH_DEADLINE of the worker's limit; those -- and every step
# of a batch that crashed -- run again as single tasks with a time limit of their own.
BATCH_DEADLINE = 0.8


class _StepTimeout(BaseException):
    """A step's time in a batch is up (a BaseException: no handler on the way swallows it)."""


def spot_batch_task(items, budget: float) -> list:
    """Worker body: ``spot_task(step, checker, settings)`` for each item in turn.

    Returns one entry per item: ``("ok", SpotResult, seconds)``, ``("timeout" | "error",
    message, seconds)`` or ``("deferred", "", seconds)`` (not finished within ``budget``
    seconds of the batch: to be run again on its own)."""
    t0 = time.perf_counter()
    alarm = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    out = []

    def ring(signum, frame):
        raise _StepTimeout()

    old = signal.signal(signal.SIGALRM, ring) if alarm else None
    try:
        for step, checker, settings in items:
            left = budget - (time.perf_counter() - t0)
            if left <= 0.05:
                out.append(("deferred", "", 0.0))
                continue
            limit = min(settings.timeout, left)
            s0 = time.perf_counter()
            try:
                try:
                    if alarm:
                        signal.setitimer(signal.ITIMER_REAL, limit)
                    value = spot_task(step, checker, settings)
                finally:
                    if alarm:
                        signal.setitimer(signal.ITIMER_REAL, 0)
                out.append(("ok", value, time.perf_counter() - s0))
            except _StepTimeout:
                if limit >= settings.timeout:
                    out.append(("timeout", f"timed out after {settings.timeout:g} s",
                                time.perf_counter() - s0))
                else:
                    out.append(("deferred", "", time.perf_counter() - s0))
            except MemoryError:
                out.append(("error", "ran out of memory", time.perf_counter() - s0))
            except RecursionError:
                out.append(("error", "recursion too deep (expression too large)", time.perf_counter() - s0))
            except Exception as exc:  # noqa: BLE001 -- every failure becomes a verdict
                tb = traceback.extract_tb(exc.__traceback__)
                where = f" at {os.path.basename(tb[-1].filename)}:{tb[-1].lineno}" if tb else ""
                out.append(("error", f"{type(exc).__name__}: {exc}{where}", time.perf_counter() - s0))
    finally:
        if alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)
    return out


def run_batched(tasks, jobs: int, timeout: float, on_done=None) -> list:
    """:func:`isolation.run_tasks` for the planned ``tasks``, with the spot tasks batched per
    family (see above); one Outcome per planned task, in order, and ``on_done(i, outcome)``
    per planned task, as ``run_tasks`` would give them."""
    outcomes: list = [None] * len(tasks)
    batches: dict = {}
    singles = []
    for i, (fn, args) in enumerate(tasks):
        key = getattr(args[1], "batch", None) if fn is spot_task and len(args) == 3 else None
        if key is not None:
            # model families share float64 grids across a batch; a claim is its own task
            batches.setdefault(key, []).append(i)
        else:
            singles.append(i)
    order = sorted(batches.values(), key=len, reverse=True)
    run = [(spot_batch_task, ([tasks[i][1] for i in ids], BATCH_DEADLINE * timeout)) for ids in order]
    owners = [ids for ids in order] + [[i] for i in singles]
    run += [tasks[i] for i in singles]
    again = []

    def finish(i, out):
        outcomes[i] = out
        if on_done:
            on_done(i, out)

    def done(r, out):
        ids = owners[r]
        if r >= len(order):            # a task run as planned
            finish(ids[0], out)
            return
        if not out.ok or not isinstance(out.value, list) or len(out.value) != len(ids):
            if out.kind == "interrupted":
                for i in ids:
                    finish(i, out)
            else:                      # the batch died: run its steps one by one
                again.extend(ids)
            return
        for i, (kind, value, seconds) in zip(ids, out.value):
            if kind == "ok":
                finish(i, Outcome(True, value, seconds=seconds))
            elif kind == "deferred":
                again.append(i)
            else:
                finish(i, Outcome(False, kind=kind, message=value, seconds=seconds))

    def interrupted(stop, owners_):
        for r, out in enumerate(stop.outcomes):
            if out is not None and outcomes[owners_[r][0]] is None:
                done(r, out)
        return InterruptedRun([o or Outcome(False, kind="interrupted", message="interrupted")
                               for o in outcomes])

    try:
        run_tasks(run, jobs=jobs, timeout=timeout, on_done=done)
    except InterruptedRun as stop:
        raise interrupted(stop, owners) from None
    if again:
        again.sort()
        owners = [[i] for i in again]
        order = []
        try:
            run_tasks([tasks[i] for i in again], jobs=jobs, timeout=timeout, on_done=done)
        except InterruptedRun as stop:
            raise interrupted(stop, owners) from None
    return outcomes


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


def _results(plan, outcomes, settings: Settings, cache) -> list:
    """One StepResult per planned step or conclusion, in order."""
    results: list = []
    for kind, payload, ids in plan:
        if kind == "error":
            r = error_result(payload)
        elif kind == "cached":
            step, verdict = payload
            r = cache.restore_step(base_result(step), verdict)
        elif kind == "step":
            step, fams, _, untested = payload
            r = merge(step, outcomes[ids[0]], [(f, outcomes[i]) for f, i in zip(fams, ids[1:])], untested)
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
        spotted = cache.restore_step(base_result(c), spot_hit)
    elif not c.error and settings.families:
        spot_outs = [outcomes[i] for i in ids[n_comp:]]
        spotted = merge(c, None, list(zip(fams, spot_outs)), None if fams else why_untested(c, settings))
        if cache:
            cache.store_step(c, settings.families, settings, spotted, spot_outs, kind=CONCLUSION_SPOT)
    return conclusion_result(d, out, [results[i] for i in step_idx], c, spotted)


def check_derivations(derivations, settings: Settings | None = None, errors=(), on_result=None,
                      cache=None, on_progress=None, select=None, **overrides) -> Report:
    """Check every step of every derivation; never raises on a bad step.

    ``cache`` (a :class:`vi_sym.cache.Cache`) reuses the verdicts of unchanged steps and
    the composition checks of conclusions (whose verdicts are merged afresh);
    ``on_progress(done, total, current)`` hears of every step as it finishes;
    ``select`` (step ids) checks only those steps (a conclusion with all its steps),
    each still in its chain (its likely fixes may continue from the step before).
    """
    settings = settings or Settings()
    for k, v in overrides.items():
        setattr(settings, k, v)
    t0 = time.perf_counter()
    tasks, plan = _plan(derivations, settings, cache, select)
    if tasks:
        load(settings)   # before the workers fork, so they share every module a verdict needs
        if settings.resolved_jobs() == 1:
            prefetch([args for fn, args in tasks if fn is spot_task])
    on_done = None
    if on_progress is not None:
        on_done = StepTracker([ids for *_, ids in plan], tasks, on_progress)
    interrupted, outcomes = False, []
    try:
        if tasks:        # every verdict cached: no worker is started
            outcomes = run_batched(tasks, jobs=settings.resolved_jobs(), timeout=settings.timeout,
                                   on_done=on_done)
    except InterruptedRun as stop:
        outcomes, interrupted = stop.outcomes, True
    outcomes = [o or Outcome(False, kind="interrupted", message="not run") for o in outcomes]
    results = _results(plan, outcomes, settings, cache)
    by_plan = dict(enumerate(results))
    chains = _chains(derivations, plan)
    if not interrupted:
        _inherit(chains, plan, by_plan, settings)
    if not interrupted and settings.fixes:
        _attach_fixes(chains, plan, by_plan, settings)
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


def _slip_before(chain_entry, by_plan) -> bool:
    """Does the step follow a FAILED step that is a slip of its own (not inherited)?"""
    _, _, prev, _ = chain_entry
    if prev is None:
        return False
    r = by_plan[prev]
    return r.status is Status.FAILED and r.inherited_from is None


def _inherit(chains, plan, by_plan, settings):
    """Second phase: a FAILED step after a FAILED step, checked from the slip's left-hand side
    (see :mod:`vi_sym.inherit`); cached steps bring their finding with them."""
    jobs, targets = [], []
    for d, n, prev, pi in chains:
        r = by_plan[pi]
        if plan[pi][0] == "step" and prev is not None and r.status is Status.FAILED \
                and by_plan[prev].status is Status.FAILED:
            p = probe(d.steps[n - 1], d.steps[n])
            if p is not None:
                jobs.append((inherit_task, (p, settings)))
                targets.append(pi)
    verdicts = {}
    if jobs:
        try:
            outs = run_tasks(jobs, jobs=settings.resolved_jobs(), timeout=settings.timeout)
        except InterruptedRun:
            outs = []
        verdicts = {pi: out.value for pi, out in zip(targets, outs) if out is not None and out.ok}
    for entry in chains:                       # in chain order: a slip's inheritor is settled first
        d, n, prev, pi = entry
        r = by_plan[pi]
        fresh = plan[pi][0] == "step"
        slip = _slip_before(entry, by_plan) and r.status is Status.FAILED
        inherited = slip and (holds(verdicts[pi]) if fresh and pi in verdicts else
                              (not fresh and r.inherited_from is not None))
        r.inherited_from = d.steps[n - 1].id if inherited else None
        if inherited:
            r.reason = sentence(d, d.steps[n - 1], n - 1)
            r.fixes = []


def _attach_fixes(chains, plan, by_plan, settings):
    """Third phase: for every FAILED step that is a slip, the local edits under which it holds
    (after a slip, judged from the slip's left side: a fix never bends a line to a wrong one)."""
    jobs, targets = [], []
    for entry in chains:
        d, n, _, pi = entry
        r = by_plan[pi]
        if plan[pi][0] == "step" and r.status is Status.FAILED and not r.fixes and r.inherited_from is None:
            start = anchor(d.steps[n - 1], d.steps[n]) if _slip_before(entry, by_plan) else None
            jobs.append((fix_task, (d.steps[n], start, settings)))
            targets.append(r)
    if not jobs:
        return
    from . import fixes  # noqa: F401 -- for start-up time: loaded here, before the workers fork
    try:
        outs = run_tasks(jobs, jobs=settings.resolved_jobs(), timeout=settings.timeout)
    except InterruptedRun:
        return
    for r, out in zip(targets, outs):
        if out is not None and out.ok:
            r.fixes = out.value["fixes"]
        note = out.value["note"] if out is not None and out.ok else \
            f"no fix found within {settings.timeout:g} s" if out is not None and out.kind == "timeout" else ""
        if note:
            r.reason = f"{r.reason} (likely fixes: {note})" if r.reason else f"likely fixes: {note}"


def check_steps(steps, settings: Settings | None = None, **overrides) -> list:
    """Check loose steps (each on its own, no chain)."""
    d = Derivation("", list(steps))
    return check_derivations([d], settings, **overrides).results


def _check_for_core(derivations, **given) -> Report:
    """What ``Step.check(**given)`` / ``Derivation.check(**given)`` run: the command line's
    defaults (every applicable family), each keyword checked (:func:`settings.check_settings`)."""
    return check_derivations(derivations, check_settings(**given))


core.register_checker(_check_for_core)
