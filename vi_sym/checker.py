"""The checker: derivation -> steps -> (proof, spot-checks) -> results.

Every step is proved symbolically and, in each applicable family, spot-checked
numerically; each of those is a separate task in a forked worker with a hard
time limit, so one slow or broken step never stops the others.  Verdicts merge
by strength: a proof gives PROVED; otherwise a counterexample in any family
gives FAILED, agreement in every family tried gives SPOT-CHECKED, and anything
else is UNKNOWN with the reason.  A proved step refuted in a family is a bug in
vi_sym (prover or family) and is reported as FAILED, loudly, never as PROVED.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

import sympy

# imported here, not in the workers: every task runs in a fresh fork of this process, and a
# module first imported inside a worker (hypothesis, numpy, ...) would be imported per task
from . import claims, fixes, spotcheck  # noqa: F401
from .core import LATEX_REL, Derivation, Status, Step, StepResult
from .explain import explain_counterexample
from .isolation import InterruptedRun, Outcome, run_tasks
from .prover import prove_equal, prove_step
from .rules import EQUALITY_RULES
from .upto import spot_form


@dataclass
class Settings:
    """Everything that determines a report (and so keys the cache)."""

    timeout: float = 20.0
    jobs: int = 0                  # 0: the machine's cores
    families: tuple = ()           # family names to spot-check in ("all" expands)
    samples: int = 50
    seed: int = 0
    tol: float = 1e-6
    fixes: bool = True             # look for likely fixes of FAILED steps

    def resolved_jobs(self) -> int:
        return self.jobs if self.jobs > 0 else (os.cpu_count() or 1)


@dataclass
class Report:
    results: list
    errors: list = field(default_factory=list)   # load errors (file, line, message)
    settings: Settings = field(default_factory=Settings)
    seconds: float = 0.0
    interrupted: bool = False

    @property
    def failed(self) -> list:
        return [r for r in self.results if not r.as_expected]


# --------------------------------------------------------------------------- tasks

def _trace_rows(proof):
    return [(t.side, t.rule, t.result) for t in proof.trace]


def prove_task(step: Step) -> dict:
    """Worker body: the symbolic verdict on one step."""
    from .claims import is_concrete, prove_claim
    if is_concrete(step):
        return prove_claim(step)
    proof = prove_step(step.lhs, step.rel, step.rhs, step.rules(), step.context)
    return {
        "proved": proof.proved,
        "trace": _trace_rows(proof),
        "residual": "" if proof.proved or proof.residual is None else str(proof.residual),
        "uncited": proof.uncited,
        "atom": proof.atom,
    }


def _implies(chain_rel: str, wanted: str) -> bool:
    return chain_rel == wanted or chain_rel == "="


FLIP = {"=": "=", ">=": "<=", "<=": ">="}


def conclusion_task(derivation: Derivation) -> dict:
    """Worker body: do the chain's steps compose to the stated conclusion?

    The chain proves ``S - T (rel) 0``; the conclusion ``A (crel) B`` follows when
    ``A - B`` equals ``+(S - T)`` (and rel implies crel) or ``-(S - T)`` (and the
    flipped rel implies crel), the equality proved by the equality rules.
    """
    S, rel, T = derivation.claim
    c = derivation.conclusion
    last = None
    for sign, r in ((1, rel), (-1, FLIP[rel])):
        if not _implies(r, c.rel):
            continue
        proof = prove_equal(c.lhs - c.rhs, sign * (S - T), EQUALITY_RULES, derivation.context,
                            ("conclusion", "chain"))
        if proof.proved:
            return {"proved": True, "trace": _trace_rows(proof), "residual": "",
                    "uncited": (), "atom": f"the chain proves {S} {rel} {T}"}
        last = proof
    why = (f"the chain proves {S} {rel} {T}, which cannot give a conclusion with {c.rel}"
           if last is None else "")
    return {"proved": False, "trace": _trace_rows(last) if last else [],
            "residual": str(last.residual) if last else "", "uncited": (), "atom": "",
            "reason": why}


def family_coordinates(step: Step):
    """The step's sides with its latent renamed ``z`` and its one observed variable ``x``,
    the names the model families use (the note writes X, Z in places)."""
    from .vocabulary import Density
    dens = step.lhs.atoms(Density) | step.rhs.atoms(Density)
    every = {v for d in dens for v in d.vars + d.given}
    latent = [v for v in every if step.context.is_latent(v)]
    observed = [v for v in every if not step.context.is_latent(v)]
    mapping = {}
    if len(latent) == 1:
        mapping[latent[0]] = sympy.Symbol("z")
    if len(observed) == 1:
        mapping[observed[0]] = sympy.Symbol("x")
    if not mapping or all(k == v for k, v in mapping.items()):
        return step.lhs, step.rhs
    return step.lhs.xreplace(mapping), step.rhs.xreplace(mapping)


def spot_task(step: Step, family: str, settings: Settings):
    """Worker body: spot-check one step in one family."""
    if family == "concrete":
        from .claims import spot_claim
        return spot_claim(step, samples=settings.samples, seed=settings.seed, tol=settings.tol)
    from .spotcheck import spot_check
    from .families import get_family
    lhs, rhs = spot_form(*family_coordinates(step), step.rel)   # const(z): lhs - rhs free of z?
    return spot_check(lhs, step.rel, rhs, get_family(family),
                      samples=settings.samples, seed=settings.seed, tol=settings.tol)


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
    """Worker body: ``spot_task(step, family, settings)`` for each item in turn.

    Returns one entry per item: ``("ok", SpotResult, seconds)``, ``("timeout" | "error",
    message, seconds)`` or ``("deferred", "", seconds)`` (not finished within ``budget``
    seconds of the batch: to be run again on its own)."""
    import signal
    import threading
    import traceback

    t0 = time.perf_counter()
    alarm = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    out = []

    def ring(signum, frame):
        raise _StepTimeout()

    old = signal.signal(signal.SIGALRM, ring) if alarm else None
    try:
        for step, family, settings in items:
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
                    value = spot_task(step, family, settings)
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
        if fn is spot_task and len(args) == 3 and args[1] != claims.FAMILY:
            # model families share float64 grids across a batch; a claim is its own task
            batches.setdefault(args[1], []).append(i)
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


# --------------------------------------------------------------------------- merging

def _base_result(step: Step) -> StepResult:
    ok = not step.error
    return StepResult(
        step_id=step.id, derivation=step.derivation, step=step.name,
        status=Status.UNKNOWN, relation=step.rel,
        statement=str(step) if ok else "",
        latex=f"{sympy.latex(step.lhs)} {LATEX_REL[step.rel]} {sympy.latex(step.rhs)}" if ok else "",
        justification=step.by, source=str(step.source.file and f"{step.source.file}:{step.source.line}"),
        note_line=step.source.note_line, expect=step.expect, expect_reason=step.expect_reason)


def _outcome_reason(out: Outcome) -> str:
    return f"{out.kind}: {out.message}" if out.kind else out.message


def merge(step: Step, proof_out: Outcome, spot_outs: list) -> StepResult:
    res = _base_result(step)
    res.seconds = (proof_out.seconds if proof_out else 0.0) + sum(o.seconds for _, o in spot_outs)
    reasons = []
    proved = False
    if proof_out is not None and proof_out.ok:
        p = proof_out.value
        proved = p["proved"]
        res.trace, res.residual, res.uncited, res.atom = p["trace"], p["residual"], p["uncited"], p["atom"]
        if not proved:
            reasons.append(p.get("reason") or "no proof from the cited rules or the full rule set")
    elif proof_out is not None:
        reasons.append(f"prover {_outcome_reason(proof_out)}")

    failed, checked = [], []
    for fam, out in spot_outs:
        if not out.ok:
            res.families.append({"family": fam, "status": "UNKNOWN", "reason": _outcome_reason(out)})
            continue
        sr = out.value
        entry = {"family": fam, "status": sr.status, "n_checked": sr.n_checked, "n_total": sr.n_total,
                 "max_error": sr.max_error, "counterexample": sr.counterexample, "reason": sr.reason}
        res.families.append(entry)
        if sr.status == "FAILED":
            failed.append(entry)
        elif sr.status == "SPOT-CHECKED":
            checked.append(entry)

    if proved and failed:
        res.status = Status.FAILED
        res.reason = ("INCONSISTENT: proved symbolically but refuted numerically in "
                      f"{', '.join(f['family'] for f in failed)} -- a bug in vi_sym's prover or families")
    elif proved:
        res.status = Status.PROVED
    elif failed:
        res.status = Status.FAILED
        res.reason = f"counterexample in {failed[0]['family']}"
        res.explanation = explain_counterexample(failed[0], step.rel)
    elif checked:
        res.status = Status.SPOT_CHECKED
        res.reason = "; ".join(reasons)
    else:
        crashed = proof_out is not None and not proof_out.ok and proof_out.kind in ("error", "crash")
        res.status = Status.ERROR if crashed else Status.UNKNOWN
        unknown = [f"{f['family']}: {f['reason']}" for f in res.families if f["status"] == "UNKNOWN"]
        res.reason = "; ".join(reasons + unknown) or "no family applies to this step"
    return res


def _error_result(step: Step) -> StepResult:
    res = _base_result(step)
    res.status = Status.ERROR
    res.reason = step.error
    return res


def _conclusion_result(d: Derivation, out: Outcome, step_results: list) -> StepResult:
    res = _base_result(d.conclusion)
    res.seconds = out.seconds
    if d.claim is None or d.relation is None:
        res.status = Status.ERROR
        res.reason = ("the chain mixes >= and <= and proves nothing as a whole"
                      if d.claim is not None else "the chain has unreadable steps")
        return res
    if not out.ok:
        res.reason = f"composition check {_outcome_reason(out)}"
        return res
    v = out.value
    res.trace, res.residual, res.atom = v["trace"], v["residual"], v["atom"]
    if not v["proved"]:
        res.reason = v.get("reason") or "the steps do not compose to the stated conclusion"
        return res
    weakest = min((r.status for r in step_results), key=lambda s: s.rank, default=Status.PROVED)
    if weakest is Status.PROVED:
        res.status = Status.PROVED
    elif weakest is Status.SPOT_CHECKED:
        res.status = Status.SPOT_CHECKED
        res.reason = "follows from the steps, some of which are only spot-checked"
    else:
        res.status = Status.UNKNOWN
        res.reason = f"follows from the steps, but a step is {weakest.value}"
    return res


# --------------------------------------------------------------------------- driver

def resolve_families(step: Step, settings: Settings) -> list:
    if not settings.families:
        return []
    from .claims import FAMILY, is_concrete
    if is_concrete(step):   # defined densities: checked against their own defining integrals
        return [FAMILY]
    from .families import applicable_families
    return applicable_families(family_coordinates(step), settings.families)


def check_derivations(derivations, settings: Settings | None = None, errors=(), on_result=None,
                      cache=None, on_progress=None, **overrides) -> Report:
    """Check every step of every derivation; never raises on a bad step.

    ``cache`` (a :class:`vi_sym.cache.Cache`) reuses the verdicts of unchanged steps and
    the composition checks of conclusions (whose verdicts are merged afresh);
    ``on_progress(done, total, current)`` hears of every step as it finishes.
    """
    settings = settings or Settings()
    for k, v in overrides.items():
        setattr(settings, k, v)
    t0 = time.perf_counter()
    tasks, plan = [], []   # plan: (kind, payload, [task indices])
    for d in derivations:
        idx_steps, previous = [], None
        for step in d.steps:
            prev_lhs, previous = (previous.lhs if previous is not None else None), step
            if step.error:
                plan.append(("error", step, []))
                idx_steps.append(len(plan) - 1)
                continue
            fams = resolve_families(step, settings)
            hit = cache.lookup_step(step, fams, settings, prev_lhs) if cache else None
            if hit is not None:
                plan.append(("cached", (step, hit), []))
                idx_steps.append(len(plan) - 1)
                continue
            ids = [len(tasks)]
            tasks.append((prove_task, (step,)))
            for fam in fams:
                ids.append(len(tasks))
                tasks.append((spot_task, (step, fam, settings)))
            plan.append(("step", (step, fams, prev_lhs), ids))
            idx_steps.append(len(plan) - 1)
        if d.conclusion is not None:
            ids, hit = [], None
            if d.claim is not None and d.relation is not None:
                hit = cache.lookup_conclusion(d, settings) if cache else None
                if hit is None:
                    ids = [len(tasks)]
                    tasks.append((conclusion_task, (d,)))
            plan.append(("conclusion", (d, idx_steps, hit), ids))

    on_done = None
    if on_progress is not None:
        from .progress import StepTracker
        on_done = StepTracker([ids for *_, ids in plan], tasks, on_progress)
    interrupted = False
    try:
        outcomes = run_batched(tasks, jobs=settings.resolved_jobs(), timeout=settings.timeout,
                               on_done=on_done)
    except InterruptedRun as stop:
        outcomes, interrupted = stop.outcomes, True
    outcomes = [o or Outcome(False, kind="interrupted", message="not run") for o in outcomes]

    results: list = []
    by_plan: dict = {}
    for pi, (kind, payload, ids) in enumerate(plan):
        if kind == "error":
            r = _error_result(payload)
        elif kind == "cached":
            step, verdict = payload
            r = cache.restore_step(_base_result(step), verdict)
        elif kind == "step":
            step, fams, _ = payload
            r = merge(step, outcomes[ids[0]], [(f, outcomes[i]) for f, i in zip(fams, ids[1:])])
        else:
            d, step_idx, hit = payload
            out = hit or (outcomes[ids[0]] if ids else Outcome(False, kind="", message=""))
            if cache and ids:
                cache.store_conclusion(d, settings, out)
            r = _conclusion_result(d, out, [by_plan[i] for i in step_idx])
        by_plan[pi] = r
        results.append(r)
    if not interrupted and settings.fixes:
        _attach_fixes(plan, by_plan, settings)
    if cache and not interrupted:   # stored after the fix phase, so a cached FAILED step keeps its fixes
        for pi, (kind, payload, ids) in enumerate(plan):
            if kind == "step":
                step, fams, prev_lhs = payload
                cache.store_step(step, fams, settings, by_plan[pi], [outcomes[i] for i in ids], prev_lhs)
    if on_result:
        for r in results:
            on_result(r)
    return Report(results, list(errors), settings, time.perf_counter() - t0, interrupted)


def fix_task(step: Step, previous_lhs, settings: Settings) -> list:
    """Worker body: likely fixes of a FAILED step."""
    from .fixes import suggest_fixes
    fixes = suggest_fixes(step, settings.families, samples=min(settings.samples, 20),
                          seed=settings.seed, previous_lhs=previous_lhs)
    return [f.as_dict() for f in fixes]


def _attach_fixes(plan, by_plan, settings):
    """Second phase: for every FAILED step, the local edits under which it holds."""
    jobs, targets, prev_lhs = [], [], {}
    for pi, (kind, payload, _) in enumerate(plan):
        if kind not in ("step", "cached"):
            continue
        step = payload[0]
        key = (step.derivation, step.source.file)
        r = by_plan[pi]
        if kind == "step" and r.status is Status.FAILED and not r.fixes:
            jobs.append((fix_task, (step, prev_lhs.get(key), settings)))
            targets.append(r)
        prev_lhs[key] = step.lhs
    if not jobs:
        return
    try:
        outs = run_tasks(jobs, jobs=settings.resolved_jobs(), timeout=settings.timeout)
    except InterruptedRun:
        return
    for r, out in zip(targets, outs):
        if out is not None and out.ok:
            r.fixes = out.value


def check_steps(steps, settings: Settings | None = None, **overrides) -> list:
    """Check loose steps (each on its own, no chain)."""
    d = Derivation("", list(steps))
    return check_derivations([d], settings, **overrides).results
