"""Likely fixes: the local edits under which a FAILED step holds.

For a failed step ``lhs rel rhs`` vi_sym tries a bounded set of single edits
(see :mod:`vi_sym.mutations`): a density's conditioning swapped, KL's arguments
swapped, a log re-parenthesised, a sign flipped, a term dropped, the
inequality's direction flipped, or the chain continued from the previous step's
left-hand side (when that holds, the previous step's result was the slip).  Each candidate is first screened numerically in a cheap family (a
candidate that fails there is discarded), then proved symbolically; one that is
not proved but holds in every applicable family is offered as SPOT-CHECKED.
"""
from __future__ import annotations

from dataclasses import dataclass

from .mutations import FIX_OPERATORS, FLIP_RELATION, edits
from .notation import relation_unicode, to_unicode
from .prover import prove_step

MAX_CANDIDATES = 60
MAX_FIXES = 3
SCREEN_FAMILY = "categorical"


@dataclass
class Fix:
    edit: str          # operator name
    description: str   # "KL(q(z)||p(z)) instead of KL(q(z)||p(z|x))"
    statement: str     # the edited step
    verdict: str       # PROVED | SPOT-CHECKED

    def as_dict(self):
        return {"edit": self.edit, "description": self.description,
                "statement": self.statement, "verdict": self.verdict}

    def __str__(self):
        return f"did you mean: {self.description}? -- with that edit the step is {self.verdict}"


def candidates(step, previous_lhs=None):
    """(operator, description, lhs, rel, rhs) for every single edit of the step."""
    ctx = step.context
    if step.rel in FLIP_RELATION:
        flipped = FLIP_RELATION[step.rel]
        yield "flip_relation", f"'{flipped}' instead of '{step.rel}'", step.lhs, flipped, step.rhs
    if previous_lhs is not None and previous_lhs != step.lhs:
        # skip the step before: if this holds, the previous step's result was the slip
        yield "skip_previous", (f"continuing from the previous step's left-hand side {to_unicode(previous_lhs)} "
                                f"(the previous step's result looks wrong)"), previous_lhs, step.rel, step.rhs
    for op, desc, new in edits(step.rhs, ctx, FIX_OPERATORS):
        yield op, f"{desc} on the right", step.lhs, step.rel, new
    for op, desc, new in edits(step.lhs, ctx, FIX_OPERATORS):
        yield op, f"{desc} on the left", new, step.rel, step.rhs


def _spot(lhs, rel, rhs, family, samples, seed):
    from .spotcheck import spot_check
    return spot_check(lhs, rel, rhs, family, samples=samples, seed=seed)


def suggest_fixes(step, families=(), samples=20, seed=0, previous_lhs=None) -> list:
    """Up to MAX_FIXES edits under which the step holds, PROVED ones first."""
    from .checker import family_coordinates
    from .families import FAMILIES, applicable_families
    proved, checked = [], []
    for n, (op, desc, lhs, rel, rhs) in enumerate(candidates(step, previous_lhs)):
        if n >= MAX_CANDIDATES or len(proved) >= MAX_FIXES:
            break
        statement = relation_unicode(lhs, rel, rhs)
        probe = type(step)(lhs, rel, rhs, step.by, context=step.context)
        flhs, frhs = family_coordinates(probe)
        screen = SCREEN_FAMILY if SCREEN_FAMILY in FAMILIES else None
        if screen is not None:
            r = _spot(flhs, rel, frhs, screen, samples=5, seed=seed)
            if r.status == "FAILED":
                continue
        rules = step.rules()
        if op == "skip_previous":
            rules = []  # the previous step's rules are not this one's: use every rule
        if prove_step(lhs, rel, rhs, rules, step.context).proved:
            proved.append(Fix(op, desc, statement, "PROVED"))
            continue
        if len(checked) >= MAX_FIXES or not families:
            continue
        fams = applicable_families([flhs, frhs], families)
        if fams and all(_spot(flhs, rel, frhs, f, samples, seed).status == "SPOT-CHECKED" for f in fams):
            checked.append(Fix(op, desc, statement, "SPOT-CHECKED"))
    return (proved + checked)[:MAX_FIXES]
