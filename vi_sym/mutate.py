"""Mutation testing of the checker: ``python -m vi_sym mutate [PATH]``.

Every correct step of the catalogue is edited once by each mutation operator
(:mod:`vi_sym.mutations`: swapped conditioning or KL arguments, a misplaced
parenthesis, a sign flip, a dropped term, a factor 2 or a missing 1/2, a log of a
sum, a latent-dependent factor pulled out of an integral, a wrong normalisation;
inequalities also in the wrong direction).  Each mutant is checked like any step:

* **wrongly PROVED** -- the prover proved a mutant that a family refutes with
  a counterexample: a soundness hole (must be zero);
* **true mutant** -- proved, not equivalent, and not refuted: the edit happens
  to give another true statement (``KL(q||p(z)) >= 0`` for ``KL(q||p(z|x)) >= 0``);
* **equivalent** -- the mutant is provably equal to the original (the proof is
  shown), so PROVED is right;
* **FAILED** -- killed with a counterexample;
* **survivor** -- spot-checked as true but not provably equivalent: either an
  equivalent mutant the prover cannot show, or a hole in the spot-checker;
* **UNKNOWN** -- neither, with the reason.

Mutants are screened in the exact categorical family first (cheap), and only
the ones it does not refute are spot-checked in every applicable family.
"""
from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass

from .core import Step
from .isolation import run_tasks
from .judge import applicable_checkers, judge, prove
from .mutations import FLIP_RELATION, MUTATION_OPERATORS, edits
from .notation import relation_unicode
from .prover import prove_equal
from .rules import EQUALITY_RULES
from .settings import Settings


@dataclass
class Mutant:
    step_id: str
    operator: str
    description: str
    lhs: object
    rel: str
    rhs: object
    original: Step


@dataclass
class MutantResult:
    step_id: str
    operator: str
    description: str
    statement: str
    outcome: str          # wrongly-proved | equivalent | failed | survivor | unknown
    detail: str = ""


def mutants_of(step: Step):
    ctx = step.context
    if step.rel in FLIP_RELATION:
        yield Mutant(step.id, "flip_relation", f"'{FLIP_RELATION[step.rel]}' instead of '{step.rel}'",
                     step.lhs, FLIP_RELATION[step.rel], step.rhs, step)
    for side in ("rhs", "lhs"):
        expr = getattr(step, side)
        for op, desc, new in edits(expr, ctx, MUTATION_OPERATORS):
            lhs, rhs = (step.lhs, new) if side == "rhs" else (new, step.rhs)
            yield Mutant(step.id, op, f"{desc} ({side})", lhs, step.rel, rhs, step)


def _equivalent(m: Mutant):
    """A proof that the mutant says the same as the original, or None."""
    o = m.original
    if m.rel != o.rel:
        return None
    pf = prove_equal(m.lhs - m.rhs, o.lhs - o.rhs, EQUALITY_RULES, o.context)
    return pf if pf.proved else None


def proved_by(proof: dict) -> str:
    """What a proof rests on, in words: the rules it used, the moment lemmas (a claim about
    defined densities), or algebra alone (``atom``: what the prover reduced the step to)."""
    rules = tuple(proof.get("rules_used") or ())
    if rules:
        return ", ".join(rules)
    atom = proof.get("atom") or ""
    if "moment lemmas" in atom:
        return "the moment lemmas"
    if "sympy" in atom:
        return "sympy's integral"
    if atom:
        return f"algebra ({atom})"
    return "algebra alone"


def _kill_detail(entry) -> str:
    c = entry["counterexample"]
    return f"{entry['family']}: lhs={c['lhs']:.6g} rhs={c['rhs']:.6g}"


def check_mutant(m: Mutant, families=("all",), samples=20, seed=0) -> MutantResult:
    statement = relation_unicode(m.lhs, m.rel, m.rhs)
    res = lambda outcome, detail="": MutantResult(m.step_id, m.operator, m.description, statement,  # noqa: E731
                                                  outcome, detail)
    probe = Step(m.lhs, m.rel, m.rhs, m.original.by, context=m.original.context)
    settings = Settings(families=tuple(families), samples=samples, seed=seed)
    # the exact family first: most mutants die there, cheaply
    checkers = sorted(applicable_checkers(probe, settings), key=lambda c: c.name != "categorical")
    proof = prove(probe)
    proved = proof["proved"]
    how = proved_by(proof)
    if proved:
        eq = _equivalent(m)
        if eq is not None:
            return res("equivalent", "mutant = original by " + ", ".join(eq.rules_used or ("algebra",)))
    verdict = judge(probe, settings, checkers=checkers, stop_on_failure=True, proof=proof)
    fams = [f["family"] for f in verdict.families]
    failed = [f for f in verdict.families if f["status"] == "FAILED"]
    if failed:
        if proved:   # proved yet refuted: a bug in the prover or in a family
            return res("wrongly-proved", f"proved by {how} but refuted in {_kill_detail(failed[0])}")
        return res("failed", _kill_detail(failed[0]))
    reasons = [f"{f['family']}: {f['reason']}" for f in verdict.families if f["status"] != "SPOT-CHECKED"]
    if proved:
        # a different statement that is also true (e.g. KL(q||p(z)) >= 0 for KL(q||p(z|x)) >= 0)
        return res("true-mutant", f"proved by {how}; a different, true statement")
    if fams and not reasons:
        eq = _equivalent(m)
        if eq is not None:
            return res("equivalent", "mutant = original by " + ", ".join(eq.rules_used or ("algebra",)))
        return res("survivor", f"spot-checked in {', '.join(fams)}")
    return res("unknown", "; ".join(reasons) or "no family applies")


def _task(m, families, samples, seed):
    return check_mutant(m, families, samples, seed)


def run_mutation(derivations, families=("all",), samples=20, seed=0, jobs=2, timeout=60.0,
                 sample=None):
    """Mutate every correct step; ``sample=N`` checks a seeded random subset of N mutants."""
    mutants = [m for d in derivations for s in d.steps
               if not s.error and s.expect == "holds" for m in mutants_of(s)]
    generated = len(mutants)
    if sample is not None and sample < len(mutants):
        mutants = random.Random(seed).sample(mutants, sample)
    outs = run_tasks([(_task, (m, families, samples, seed)) for m in mutants], jobs=jobs, timeout=timeout)
    results = []
    for m, o in zip(mutants, outs):
        if o.ok:
            results.append(o.value)
        else:
            results.append(MutantResult(m.step_id, m.operator, m.description, f"{m.lhs} {m.rel} {m.rhs}",
                                        "unknown", f"{o.kind}: {o.message}"))
    return generated, results


def table(generated, results) -> str:
    c = Counter(r.outcome for r in results)
    checked = len(results)
    non_equiv = checked - c["equivalent"] - c["true-mutant"]
    killed = c["failed"]
    rate = 100.0 * killed / non_equiv if non_equiv else 100.0
    lines = [
        f"mutants generated        {generated}",
        f"mutants checked          {checked}",
        f"FAILED (killed)          {killed}",
        f"UNKNOWN                  {c['unknown']}",
        f"wrongly PROVED           {c['wrongly-proved']}",
        f"equivalent (proved =)    {c['equivalent']}",
        f"true mutants (proved)    {c['true-mutant']}",
        f"survivors (spot-checked) {c['survivor']}",
        f"kill rate (non-equiv.)   {rate:.1f}%",
    ]
    by_op = Counter((r.operator, r.outcome) for r in results)
    ops = sorted({r.operator for r in results})
    lines.append("")
    lines.append(f"{'operator':<22}" + "".join(f"{k:>16}" for k in
                 ("failed", "unknown", "wrongly-proved", "equivalent", "true-mutant", "survivor")))
    for op in ops:
        lines.append(f"{op:<22}" + "".join(f"{by_op[(op, k)]:>16}" for k in
                     ("failed", "unknown", "wrongly-proved", "equivalent", "true-mutant", "survivor")))
    for r in results:
        if r.outcome in ("wrongly-proved", "survivor", "unknown", "true-mutant", "equivalent"):
            lines.append(f"{r.outcome.upper():<15} {r.step_id}  {r.description}: {r.detail}")
    return "\n".join(lines)
