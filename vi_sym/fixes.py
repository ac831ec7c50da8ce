"""Likely fixes: the local edits under which a FAILED step holds.

For a failed step ``lhs rel rhs`` vi_sym tries a bounded set of single edits
(see :mod:`vi_sym.mutations`): a density's conditioning swapped, KL's arguments
swapped, a log re-parenthesised, a sign flipped, a term dropped, the
inequality's direction flipped.  A step after a wrong step (a slip) has a wrong left-hand
side: its edits are judged from the last expression that was right (the slip's left-hand
side), so a fix never bends a line to agree with a wrong one before it (a step that holds
from there unedited is an inherited failure, :mod:`vi_sym.inherit`).  Each
candidate is first screened numerically in a cheap family (a candidate that fails
there is discarded), then judged like any step (:func:`vi_sym.judge.judge`): one
that is proved is offered as PROVED; one that is not proved but holds in every
applicable spot-checker is offered as SPOT-CHECKED.

A refuted closed form about defined densities has edits of its own, searched by
:mod:`vi_sym.claim_fixes` (:func:`claim_candidates`, :func:`claim_fixes`,
:func:`claim_decider`, importable from here as well).
"""
from __future__ import annotations

from . import claims
from .bound_fixes import bound_fixes, infinite_at
from .claim_fixes import (FIX_DEADLINE, MAX_CLAIM_CANDIDATES, MAX_CLAIM_SPOT, MAX_FIXES,  # noqa: F401
                          Fix, Fixes, _bounded, _claim_search, claim_candidates, claim_decider,
                          claim_fixes)
from .core import Status
from .families import FAMILIES
from .judge import applicable_checkers, judge, spot
from .mutations import FIX_OPERATORS, FLIP_RELATION, edits
from .notation import relation_unicode
from .settings import Settings
from .spot.driver import screening
from .spotcheckers import FamilyChecker

MAX_CANDIDATES = 60
SCREEN_FAMILY = "categorical"


def candidates(step, start=None):
    """(operator, description, lhs, rel, rhs) for every single edit of the step.

    ``start = (lhs, rel)``: the step follows a wrong step whose left side ``lhs`` is the last
    right expression, ``rel`` the relation from it to this step's right side; edits of the
    right side (and of the relation) are then judged from ``lhs``, never from the wrong one."""
    ctx = step.context
    if claims.is_concrete(step) and start is None:
        yield from claim_candidates(step)
        return
    base, rel = (step.lhs, step.rel) if start is None else start
    for description, sub in getattr(step, "premises", ()):      # a premise the note stated before
        sub = dict(sub)
        new_lhs, new_rhs = base.xreplace(sub), step.rhs.xreplace(sub)
        if (new_lhs, new_rhs) != (base, step.rhs):
            yield "standing_premise", description, new_lhs, rel, new_rhs
    if rel in FLIP_RELATION and step.rel in FLIP_RELATION:
        flipped = FLIP_RELATION[rel]
        yield "flip_relation", f"'{FLIP_RELATION[step.rel]}' instead of '{step.rel}'", base, flipped, step.rhs
    for op, desc, new in edits(step.rhs, ctx, FIX_OPERATORS):
        yield op, f"{desc} on the right", base, rel, new
    for op, desc, new in edits(step.lhs, ctx, FIX_OPERATORS):
        yield op, f"{desc} on the left", new, step.rel, step.rhs


def suggest_fixes(step, families=(), samples=20, seed=0, start=None, deadline=FIX_DEADLINE,
                  screens=()) -> Fixes:
    """Up to MAX_FIXES edits under which the step holds, PROVED ones first (``start``: see
    :func:`candidates`), found within ``deadline`` seconds (``.note`` says when it ran out).
    ``screens``: the points where the step's spot-checks failed (:func:`vi_sym.judge.screens_of`);
    a candidate that is false at one of them is discarded before anything else is tried."""
    if claims.is_concrete(step) and start is None and screens and infinite_at(step, screens):
        # a side infinite where the step failed: the formula may hold under a bound
        bounded = _bounded(lambda proved, checked, dl: proved.extend(bound_fixes(step, dl)), deadline)
        if bounded:
            return bounded
    if claims.is_concrete(step) and step.rel == "=" and start is None:
        return claim_fixes(step, samples=samples, seed=seed, deadline=deadline)
    return _bounded(lambda proved, checked, dl: _search(step, families, samples, seed, start, proved,
                                                        checked, dl, screens), deadline)


def _false_at(probe, screens, settings) -> bool:
    """Is the candidate ``probe`` clearly false at one of the points where the step failed
    (each evaluated only by the spot-checker whose draws it came from, see
    :func:`vi_sym.spot.driver.screening`)?  Only ever used to discard a candidate: a fix is
    true everywhere, so it is never false there."""
    with screening(screens):
        for checker in applicable_checkers(probe, settings):
            try:
                if spot(probe, checker, settings).status == "FAILED":
                    return True
            except Exception:  # noqa: BLE001 -- cannot screen here: the judge decides
                continue
    return False


def _search(step, families, samples, seed, start, proved, checked, dl, screens=()) -> None:
    settings = Settings(families=tuple(families), samples=samples, seed=seed)
    screen = [FamilyChecker(SCREEN_FAMILY)] if SCREEN_FAMILY in FAMILIES else []
    screen_settings = Settings(families=(SCREEN_FAMILY,), samples=5, seed=seed)
    concrete = claims.is_concrete(step)
    for n, (op, desc, lhs, rel, rhs) in enumerate(candidates(step, start)):
        dl.check()
        if n >= (MAX_CLAIM_CANDIDATES if concrete else MAX_CANDIDATES) or len(proved) >= MAX_FIXES:
            break
        # judged from the last right expression, the step spans the wrong one's rules too
        by = () if start is not None and lhs is start[0] else step.by
        try:
            probe = type(step)(lhs, rel, rhs, by, context=step.context)
        except ValueError:      # an edit that is not a real-valued statement is no candidate
            continue
        if screens and _false_at(probe, screens, settings):
            continue           # false where the step itself failed: not a fix
        if screen and not claims.is_concrete(probe) and \
                spot(probe, screen[0], screen_settings).status == "FAILED":
            continue           # refuted in the cheap exact family: not a fix
        # a closed form's fix must be proved (a spot-check of each of up to
        # MAX_CLAIM_CANDIDATES candidates at the extreme draws would not be bounded in time)
        verdict = judge(probe, settings, spot_when_proved=False, stop_on_failure=True,
                        stop_unless_checked=True,
                        checkers=None if len(checked) < MAX_FIXES and not concrete else [])
        statement = relation_unicode(lhs, rel, rhs)
        if verdict.status is Status.PROVED:
            proved.append(Fix(op, desc, statement, "PROVED"))
        elif verdict.families and all(f["status"] == "SPOT-CHECKED" for f in verdict.families):
            checked.append(Fix(op, desc, statement, "SPOT-CHECKED"))
