"""A slip is reported once, where it happens: failures inherited from the line before.

In a chain ``A = B = C`` where ``A = B`` is wrong, the step ``B = C`` is compared with the
wrong ``B`` and fails too, although ``C`` may be exactly what the learner should have written
after ``A``.  For every FAILED step that follows a FAILED step (a slip), vi_sym also checks it
against the last expression that was right -- the slip's left-hand side: ``A (rel) C``, with
the relation the two steps compose to.  When that holds (PROVED or SPOT-CHECKED), the later
step is *inherited*: it fails only because of the slip before it, and the report says so
(``holds from line 40; fails only because line 41 is wrong``) instead of counting two slips.

The step keeps its FAILED verdict as written (the chain is wrong there, and a step marked
``xfail`` still fails as expected); :attr:`StepResult.inherited_from` names the slip.
"""
from __future__ import annotations

from .core import Status, Step, combine_relations
from .judge import judge
from .settings import Settings

__all__ = ["anchor", "probe", "inherit_task", "holds", "sentence"]


def anchor(previous: Step, step: Step):
    """``(lhs, rel)``: the last right expression before ``step`` (the lhs of the slip
    ``previous``) and the relation from it to ``step``'s right side; None when the two
    relations do not compose (``>=`` then ``<=``) or a step could not be read."""
    if previous is None or previous.error or step.error:
        return None
    rel = combine_relations([previous.rel, step.rel])
    return None if rel is None else (previous.lhs, rel)


def probe(previous: Step, step: Step):
    """The step continued from the last right expression, or None (see :func:`anchor`)."""
    a = anchor(previous, step)
    if a is None:
        return None
    by = tuple(dict.fromkeys(tuple(previous.by) + tuple(step.by)))
    return Step(a[0], a[1], step.rhs, by, name=step.name, derivation=step.derivation,
                source=step.source, context=step.context)


def holds(status) -> bool:
    return Status(status) in (Status.PROVED, Status.SPOT_CHECKED)


def inherit_task(p: Step, settings: Settings) -> str:
    """Worker body: the probe's verdict (a status value), spot-checks stopping at the first
    counterexample and skipped once proved."""
    return judge(p, settings, spot_when_proved=False, stop_on_failure=True).status.value


def _lines(a, b):
    """The two places as line numbers of one kind: the note's when both cite one, else the file's."""
    if a is not None and b is not None and a.note_line is not None and b.note_line is not None:
        return a.note_line, b.note_line
    return (a.line or None) if a is not None else None, (b.line or None) if b is not None else None


def sentence(derivation, previous: Step, position: int) -> str:
    """``holds from line 40; fails only because line 41 is wrong``: the line where the last
    right expression (the slip's left-hand side) is written, and the slip's line; the note's
    line numbers when the derivation cites them, else the file's.  ``position`` is the
    slip's index in ``derivation.steps``."""
    before = (derivation.steps[position - 1].source if position > 0
              else getattr(derivation, "start_source", None))
    here, wrong = _lines(before, previous.source)
    if here is not None and wrong is not None and here != wrong:
        return f"holds from line {here}; fails only because line {wrong} is wrong"
    at = f" (line {wrong})" if wrong is not None else ""
    return (f"holds from the expression before step {previous.name}; fails only because "
            f"step {previous.name}{at} is wrong")
