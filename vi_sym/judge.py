"""The judge: one step's verdict, in process -- prove, spot-check, merge.

:func:`judge` is the one place where "prove the step, then spot-check it in every
applicable spot-checker, then merge" is written; the checker's workers, the search
for likely fixes and mutation testing all go through it (the scheduler runs its
pieces, :func:`prove` and :func:`spot`, as separate time-limited tasks and merges
their outcomes with the same :func:`merge`).

Verdicts merge by strength: a proof gives PROVED; otherwise a counterexample from
any spot-checker gives FAILED, agreement in every spot-checker tried gives
SPOT-CHECKED, and anything else is UNKNOWN with the reason.  A proved step refuted
by a spot-checker is a bug in vi_sym (prover or family) and is reported as FAILED,
loudly, never as PROVED.

Spot-checkers are found by :func:`applicable_checkers` (the single seam to a
spot-checker registry, :mod:`vi_sym.spotcheckers`): objects with a ``name`` and
``check(step, samples, seed, tol) -> SpotResult``.  Today they wrap
:func:`vi_sym.spotcheck.spot_check` (one per model family) and
:func:`vi_sym.claims.spot_claim` (claims on ``define``d densities).
"""
from __future__ import annotations

import time

from sympy.core.function import AppliedUndef

from .core import Derivation, Outcome, Status, Step, StepResult, untested_names, with_naming_note
from .explain import explain_counterexample
from .notation import relation_latex, relation_unicode, to_unicode
from .prover import prove_equal, prove_step
from .rules import CONCRETE_RULES, EQUALITY_RULES
from .settings import Settings
from .vocabulary import Density, VocabularyError

FLIP = {"=": "=", ">=": "<=", "<=": ">="}


# --------------------------------------------------------------------------- spot-checkers

def applicable_checkers(step: Step, settings: Settings) -> list:
    """The spot-checkers that give a meaning to every density of ``step``, among those
    ``settings.families`` asks for (none when it asks for none): objects with a ``name``,
    a ``batch`` key (or None) and ``check(step, samples, seed, tol) -> SpotResult``."""
    if not settings.families:
        return []
    # imported on first use, for start-up time: a run whose every verdict is cached never
    # loads the spot-checkers (numpy, hypothesis)
    from .spotcheckers import applicable
    return applicable(step, settings)


_COUNT = {2: "two", 3: "three", 4: "four"}


def why_untested(step: Step, settings: Settings) -> str:
    """Why no spot-checker applies to ``step``, in a phrase ("no model family has two latents")."""
    if not settings.families:
        return ""                  # spot-checks turned off: nothing to report as untested
    from .families import FAMILIES  # for start-up time, see above
    from .families.roles import UnsupportedDensity
    from sympy import Derivative
    from .operators import ArgOpt
    from .vocabulary import Density
    if step.lhs.has(ArgOpt) or step.rhs.has(ArgOpt):
        return "an argmax/argmin statement has no numeric value to spot-check"
    if step.lhs.has(Derivative) or step.rhs.has(Derivative):
        return "no model family evaluates a gradient ∇ in a parameter"
    dens = step.lhs.atoms(Density) | step.rhs.atoms(Density)
    every = {v for d in dens for v in tuple(d.vars) + tuple(d.given)}
    latent = [v for v in every if step.context.is_latent(v)]
    every = {v for v in every if not step.context.is_parameter(v)}
    if len(latent) > 2:          # the two-latent families cover two
        return f"no model family has {_COUNT.get(len(latent), len(latent))} latents"
    if len(every) - len(latent) > 1:
        return f"no model family has {_COUNT.get(len(every) - len(latent), len(every) - len(latent))} observed variables"
    naming = untested_names(step.lhs, step.rhs, step.context, ("q",) if len(latent) < 2 else ("q", "r"))
    if naming:
        return naming
    named = [f for f in settings.families if f != "all"] if "all" not in settings.families else list(FAMILIES)
    for name in named:
        fam = FAMILIES.get(name)
        try:
            for d in dens:
                fam.role(d)
        except UnsupportedDensity as exc:
            return f"no model family gives a meaning to its densities ({exc})"
        except AttributeError:
            continue
    return "no model family applies to it"


def load(settings: Settings | None = None) -> None:
    """Import everything a verdict may need (the workers fork after this, sharing it); the
    spot-checkers (numpy, hypothesis) only when ``settings`` asks for spot-checks."""
    from . import claims  # noqa: F401 -- for start-up time, see above
    if settings is None or settings.families:
        from . import spotcheckers  # noqa: F401 -- for start-up time, see above


def prefetch(items) -> None:
    """For ``(step, checker, settings)`` items: the spot-checks' draws made in this process
    before its one worker forks, so a process that checks many small batches (an xdist
    worker, one derivation at a time) draws each strategy once, not once per batch.  (With
    several workers the workers make the draws themselves, in parallel.)"""
    for step, checker, settings in items:
        pre = getattr(checker, "prefetch", None)
        if pre is not None:
            try:
                pre(step, settings.samples, settings.seed)
            except Exception:  # noqa: BLE001 -- the check itself reports whatever this hits
                pass


# --------------------------------------------------------------------------- the pieces

def _trace_rows(proof):
    return [(t.side, t.rule, t.result) for t in proof.trace]


# Limits of arithmetic, not faults of the step: a number too large for a float (sympy/mpmath
# overflow while normalising).  The step is then out of reach (UNKNOWN, with the reason).  A
# RecursionError or MemoryError stays an ERROR: it may be a rewriting loop in the prover.
OUT_OF_REACH = {OverflowError: "a number in it is too large to compute with"}


def out_of_reach(exc: BaseException) -> dict:
    """The verdict of a proof that hit a limit of the machine (see OUT_OF_REACH)."""
    why = next(w for t, w in OUT_OF_REACH.items() if isinstance(exc, t))
    return {"proved": False, "trace": [], "residual": "", "uncited": (), "atom": "", "rules_used": (),
            "reason": f"out of reach of the prover: {why} ({type(exc).__name__}: {exc})"}


def prove(step: Step) -> dict:
    """The symbolic verdict on one step: ``{"proved", "trace", "residual", "uncited", "atom",
    "rules_used"}`` (claims on defined densities by the moment lemmas, else by the rules); a
    limit of the machine hit on the way is no proof, with its reason (see OUT_OF_REACH)."""
    try:
        return _prove(step)
    except tuple(OUT_OF_REACH) as exc:
        return out_of_reach(exc)


def _prove(step: Step) -> dict:
    from . import claims, indexed_claims  # for start-up time (it loads the spot-checkers), see above
    if indexed_claims.is_indexed_claim(step):       # z[1..d]: by factorisation, for every d
        return indexed_claims.prove_indexed_claim(step)
    if claims.is_concrete(step):
        # a claim citing a rule about defined densities (the change of variables) is proved by it
        # ... and one that also names an abstract density (a VAE's defined encoder q(z|x) beside the
        # model's p(x, z)) by the rules, which hold for every density, the defined ones among them
        if {r.name for r in step.rules()} & CONCRETE_RULES or _has_test_function(step) or _names_abstract(step):
            try:
                by_rules = _prove_by_rules(step)
            except VocabularyError:     # a rewrite the defined density does not take (its condition dropped)
                by_rules = {"proved": False}
            # a test function f has no closed form: the moment lemmas and sympy cannot help
            if by_rules["proved"] or _has_test_function(step):
                return by_rules
        return claims.prove_claim(step)
    return _prove_by_rules(step)


def _names_abstract(step: Step) -> bool:
    """Does the step name an abstract density (one no ``define`` gives a distribution)?"""
    return any(type(d) is Density for side in (step.lhs, step.rhs) for d in side.atoms(Density))


def _has_test_function(step: Step) -> bool:
    """Does the step use a declared function symbol (``functions: f``)?"""
    return any(side.atoms(AppliedUndef) for side in (step.lhs, step.rhs))


def _prove_by_rules(step: Step) -> dict:
    proof = prove_step(step.lhs, step.rel, step.rhs, step.rules(), step.context)
    return {
        "proved": proof.proved,
        "trace": _trace_rows(proof),
        "residual": "" if proof.proved or proof.residual is None else to_unicode(proof.residual),
        "uncited": proof.uncited,
        "atom": proof.atom,
        "rules_used": tuple(proof.rules_used),
    }


def spot(step: Step, checker, settings: Settings):
    """One spot-checker's verdict on ``step`` (a SpotResult).  A FAILED one carries, as its
    ``screen`` attribute (not part of any report), the ``(draw key, example)`` of its
    counterexample when the search driver found it: the point where the likely-fix search
    screens its candidates first (:func:`vi_sym.spot.driver.screening`)."""
    from .spot import driver  # for start-up time: loaded with the spot-checkers, see above
    driver.forget_failure()
    res = checker.check(step, samples=settings.samples, seed=settings.seed, tol=settings.tol)
    found = driver.last_failure()
    if found is not None and getattr(res, "status", None) == "FAILED":
        try:
            res.screen = found
        except AttributeError:      # a checker's own result type without attributes
            pass
    return res


def screens_of(spot_outcomes) -> tuple:
    """The ``(draw key, example)`` points where the spot-checks of a FAILED step found their
    counterexamples (see :func:`spot`), in order."""
    return tuple(o.value.screen for o in spot_outcomes
                 if o is not None and o.ok and getattr(o.value, "screen", None) is not None)


def _implies(chain_rel: str, wanted: str) -> bool:
    return chain_rel == wanted or chain_rel == "="


def conclusion_task(derivation: Derivation, conclusion: Step | None = None) -> dict:
    """Do the chain's steps compose to ``conclusion`` (default: the derivation's first)?
    (see :func:`_composes`)"""
    try:
        return _composes(derivation, conclusion or derivation.conclusion)
    except tuple(OUT_OF_REACH) as exc:
        return out_of_reach(exc)


def _composes(derivation: Derivation, c: Step) -> dict:
    """Do the chain's steps compose to the stated conclusion ``c``?

    The chain proves ``S - T (rel) 0``; the conclusion ``A (crel) B`` follows when
    ``A - B`` equals ``+(S - T)`` (and rel implies crel) or ``-(S - T)`` (and the
    flipped rel implies crel), the equality proved by the equality rules.
    """
    S, rel, T = derivation.claim
    last = None
    for sign, r in ((1, rel), (-1, FLIP[rel])):
        if not _implies(r, c.rel):
            continue
        proof = prove_equal(c.lhs - c.rhs, sign * (S - T), EQUALITY_RULES, derivation.context,
                            ("conclusion", "chain"))
        if proof.proved:
            return {"proved": True, "trace": _trace_rows(proof), "residual": "",
                    "uncited": (), "atom": f"the chain proves {relation_unicode(S, rel, T)}"}
        last = proof
    why = (f"the chain proves {relation_unicode(S, rel, T)}, which cannot give a conclusion with {c.rel}"
           if last is None else "")
    return {"proved": False, "trace": _trace_rows(last) if last else [],
            "residual": to_unicode(last.residual) if last else "", "uncited": (), "atom": "",
            "reason": why}


def _in_process(fn, *args) -> Outcome:
    """``fn(*args)`` as an Outcome (an exception becomes an error outcome, as in a worker)."""
    t0 = time.perf_counter()
    try:
        return Outcome(True, fn(*args), seconds=time.perf_counter() - t0)
    except Exception as exc:  # noqa: BLE001 -- every failure becomes a verdict
        return Outcome(False, kind="error", message=f"{type(exc).__name__}: {exc}",
                       seconds=time.perf_counter() - t0)


def judge(step: Step, settings: Settings | None = None, *, checkers=None, spot_when_proved=True,
          stop_on_failure=False, stop_unless_checked=False, proof: dict | None = None) -> StepResult:
    """The verdict on ``step``, in this process: prove, spot-check, merge.

    ``checkers`` (default :func:`applicable_checkers`) are tried in order;
    ``spot_when_proved=False`` skips the spot-checks of a proved step and
    ``stop_on_failure`` stops at the first counterexample (both for searches that
    judge many candidates: likely fixes, mutants); ``stop_unless_checked`` stops at the
    first spot-checker that does not spot-check the step (a search that keeps only what
    is proved or holds in every spot-checker); ``proof``, a result of :func:`prove`
    the caller already has, is not made again."""
    settings = settings or Settings()
    if step.error:
        return error_result(step)
    proof = Outcome(True, proof) if proof is not None else _in_process(prove, step)
    if checkers is None:
        checkers = applicable_checkers(step, settings)
    spots = []
    if spot_when_proved or not (proof.ok and proof.value["proved"]):
        for c in checkers:
            out = _in_process(spot, step, c, settings)
            spots.append((c.name, out))
            if stop_on_failure and out.ok and out.value.status == "FAILED":
                break
            if stop_unless_checked and not (out.ok and out.value.status == "SPOT-CHECKED"):
                break
    return merge(step, proof, spots, None if checkers else why_untested(step, settings))


# --------------------------------------------------------------------------- merging

def base_result(step: Step, printed: bool = True) -> StepResult:
    """A step's result before any verdict: its names, statement and source (``printed=False``:
    without the statement in either notation, for a cached verdict that brings its own)."""
    ok = not step.error and printed
    return StepResult(
        step_id=step.id, derivation=step.derivation, step=step.name,
        status=Status.UNKNOWN, relation=step.rel,
        statement=str(step) if ok else "",
        latex=relation_latex(step.lhs, step.rel, step.rhs) if ok else "",
        justification=step.by, source=str(step.source.file and f"{step.source.file}:{step.source.line}"),
        note_line=step.source.note_line, expect=step.expect, expect_reason=step.expect_reason)


def _outcome_reason(out: Outcome) -> str:
    return f"{out.kind}: {out.message}" if out.kind else out.message


def _family_entries(res: StepResult, spot_outs: list):
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
    return failed, checked


def merge(step: Step, proof_out: Outcome, spot_outs: list, untested: str | None = None) -> StepResult:
    """One StepResult from the proof's outcome and ``[(checker name, outcome)]``; ``untested``:
    why no spot-checker applied (when none did; "" when spot-checks were off)."""
    res = base_result(step)
    res.untested = "" if spot_outs else ("no model family applies to it" if untested is None else untested)
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
    failed, checked = _family_entries(res, spot_outs)

    if proved and failed:
        res.status = Status.FAILED
        res.reason = ("INCONSISTENT: proved symbolically but refuted numerically in "
                      f"{', '.join(f['family'] for f in failed)} -- a bug in vi_sym's prover or families")
    elif proved:
        res.status = Status.PROVED
    elif failed:
        res.status = Status.FAILED
        res.reason = f"counterexample in {failed[0]['family']}"
        res.explanation = with_naming_note(explain_counterexample(failed[0], step.rel), step)
    elif checked:
        res.status = Status.SPOT_CHECKED
        res.reason = "; ".join(reasons)
    else:
        crashed = proof_out is not None and not proof_out.ok and proof_out.kind in ("error", "crash")
        res.status = Status.ERROR if crashed else Status.UNKNOWN
        unknown = [f"{f['family']}: {f['reason']}" for f in res.families if f["status"] == "UNKNOWN"]
        res.reason = "; ".join(reasons + unknown + ([res.untested] if res.untested else [])) \
            or "no family applies to this step"
    return res


def error_result(step: Step) -> StepResult:
    """The result of a step that could not be read."""
    res = base_result(step)
    res.status = Status.ERROR
    res.reason = step.error
    return res


def conclusion_result(d: Derivation, out: Outcome, step_results: list, conclusion: Step | None = None,
                      spotted: StepResult | None = None) -> StepResult:
    """A conclusion's verdict: its composition check, no stronger than its weakest step, and
    spot-checked like a step (``spotted``: the conclusion's spot-checks merged, as by
    ``merge(conclusion, None, spots)``) -- a counterexample makes it FAILED whether or not the
    steps compose to it."""
    c = conclusion or d.conclusion
    res = base_result(c)
    res.seconds = out.seconds + (spotted.seconds if spotted is not None else 0.0)
    if c.error:
        res.status, res.reason = Status.ERROR, c.error
        return res
    res.families = list(spotted.families) if spotted is not None else []
    res.untested = spotted.untested if spotted is not None else ""
    failed = [f for f in res.families if f["status"] == "FAILED"]
    checked = [f for f in res.families if f["status"] == "SPOT-CHECKED"]
    if failed:
        res.status = Status.FAILED
        res.reason = f"counterexample in {failed[0]['family']}: the stated conclusion does not hold"
        res.explanation = explain_counterexample(failed[0], c.rel)
        if out.ok:
            res.trace, res.residual = out.value["trace"], out.value["residual"]
        return res
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
        if checked:
            res.reason += " (it holds at every sampled point, but it does not follow from the chain)"
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
