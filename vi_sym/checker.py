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

from .core import LATEX_REL, Derivation, Status, Step, StepResult
from .isolation import InterruptedRun, Outcome, run_tasks
from .prover import prove_equal, prove_step
from .rules import EQUALITY_RULES


@dataclass
class Settings:
    """Everything that determines a report (and so keys the cache)."""

    timeout: float = 20.0
    jobs: int = 0                  # 0: the machine's cores
    families: tuple = ()           # family names to spot-check in ("all" expands)
    samples: int = 50
    seed: int = 0
    tol: float = 1e-6

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


def spot_task(step: Step, family: str, settings: Settings):
    """Worker body: spot-check one step in one family."""
    from .spotcheck import spot_check
    from .families import get_family
    return spot_check(step.lhs, step.rel, step.rhs, get_family(family),
                      samples=settings.samples, seed=settings.seed, tol=settings.tol)


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
    from .families import applicable_families
    return applicable_families(step, settings.families)


def check_derivations(derivations, settings: Settings | None = None, errors=(), on_result=None,
                      **overrides) -> Report:
    """Check every step of every derivation; never raises on a bad step."""
    settings = settings or Settings()
    for k, v in overrides.items():
        setattr(settings, k, v)
    t0 = time.perf_counter()
    tasks, plan = [], []   # plan: (kind, payload, [task indices])
    for d in derivations:
        idx_steps = []
        for step in d.steps:
            if step.error:
                plan.append(("error", step, []))
                idx_steps.append(len(plan) - 1)
                continue
            ids = [len(tasks)]
            tasks.append((prove_task, (step,)))
            fams = resolve_families(step, settings)
            for fam in fams:
                ids.append(len(tasks))
                tasks.append((spot_task, (step, fam, settings)))
            plan.append(("step", (step, fams), ids))
            idx_steps.append(len(plan) - 1)
        if d.conclusion is not None:
            ids = []
            if d.claim is not None and d.relation is not None:
                ids = [len(tasks)]
                tasks.append((conclusion_task, (d,)))
            plan.append(("conclusion", (d, idx_steps), ids))

    interrupted = False
    try:
        outcomes = run_tasks(tasks, jobs=settings.resolved_jobs(), timeout=settings.timeout)
    except InterruptedRun as stop:
        outcomes, interrupted = stop.outcomes, True
    outcomes = [o or Outcome(False, kind="interrupted", message="not run") for o in outcomes]

    results: list = []
    by_plan: dict = {}
    for pi, (kind, payload, ids) in enumerate(plan):
        if kind == "error":
            r = _error_result(payload)
        elif kind == "step":
            step, fams = payload
            r = merge(step, outcomes[ids[0]], [(f, outcomes[i]) for f, i in zip(fams, ids[1:])])
        else:
            d, step_idx = payload
            out = outcomes[ids[0]] if ids else Outcome(False, kind="", message="")
            r = _conclusion_result(d, out, [by_plan[i] for i in step_idx])
        by_plan[pi] = r
        results.append(r)
        if on_result:
            on_result(r)
    return Report(results, list(errors), settings, time.perf_counter() - t0, interrupted)


def check_steps(steps, settings: Settings | None = None, **overrides) -> list:
    """Check loose steps (each on its own, no chain)."""
    d = Derivation("", list(steps))
    return check_derivations([d], settings, **overrides).results
