"""What a FAILED step sets off, as soon as the steps before it are settled: the check from
the slip's left side (an inherited failure, :mod:`vi_sym.inherit`) and its likely fixes
(:mod:`vi_sym.fixes`).

The chain is settled step by step, in order: a step is settled when its verdict is known,
the step before it is settled, and -- when both failed and the one before is a slip of its
own -- its check from the slip's left side has come back.  A settled FAILED step that
inherited nothing gets its likely fixes (from the slip's left side when it follows a
slip).  Both are tasks of the same workers as the steps' own, started while the other
steps are still being checked.  Every task they may need is made before the workers fork
(:meth:`FollowUps.tasks`: cheap references to a step of a derivation, built in the worker);
only those needed run.
"""
from __future__ import annotations

from .core import Status
from .inherit import anchor, holds, inherit_task, probe, sentence

__all__ = ["FollowUps", "inherit_at", "fix_at"]


def inherit_at(d, n, settings):
    """Worker body: step ``n`` of ``d`` checked from the slip's left side (a status value)."""
    return inherit_task(probe(d.steps[n - 1], d.steps[n]), settings)


def fix_at(fix_task, d, n, slip, settings, screens=()):
    """Worker body: the likely fixes of step ``n`` of ``d`` (from the slip's left side when
    ``slip``), by ``fix_task(step, start, settings, screens)`` (``screens``: the points where
    the step's spot-checks failed, see :func:`vi_sym.judge.screens_of`)."""
    start = anchor(d.steps[n - 1], d.steps[n]) if slip else None
    return fix_task(d.steps[n], start, settings, screens)


class FollowUps:
    """The chain phases of one check, settled incrementally (see the module docstring).

    ``chains``: ``(derivation, position, previous step's plan index or None, plan index)``
    in chain order; ``fresh(pi)``: was plan entry ``pi`` checked now (not from the cache);
    ``screens(pi)``: the points where its spot-checks failed, sent with its fix task
    (``submit(task, (screens,))``) when there are any."""

    def __init__(self, chains, fresh, fix_task, settings, fixes: bool = True, screens=None):
        self.chains, self.fresh, self.settings, self.fixes = chains, fresh, settings, fixes
        self.screens = screens
        self.tasks: list = []
        self._index: dict = {}            # (kind, plan index) -> task index in self.tasks
        for d, n, prev, pi in chains:
            if not fresh(pi):
                continue
            if prev is not None:
                self._index["inherit", pi] = len(self.tasks)
                self.tasks.append((inherit_at, (d, n, settings)))
                self._index["fix-slip", pi] = len(self.tasks)
                self.tasks.append((fix_at, (fix_task, d, n, True, settings)))
            self._index["fix", pi] = len(self.tasks)
            self.tasks.append((fix_at, (fix_task, d, n, False, settings)) if n > 0 else
                              (fix_task, (d.steps[n], None, settings)))
        self._owner = {t: key for key, t in self._index.items()}
        self.inherited: dict = {}         # plan index -> bool, for settled steps
        self.verdicts: dict = {}          # plan index -> inherit verdict (a status value)
        self.asked: set = set()           # (kind, plan index) submitted
        self.fixed: dict = {}             # plan index -> {"fixes": [dicts], "note": str}
        self._chains: list = []           # the entries of each derivation, in chain order
        for entry in chains:
            if not self._chains or self._chains[-1][-1][0] is not entry[0]:
                self._chains.append([])
            self._chains[-1].append(entry)
        self._next = [0] * len(self._chains)   # per derivation: entries settled so far

    def settle(self, results: dict, submit) -> None:
        """Settle what can be settled now that ``results`` (plan index -> StepResult) holds
        the verdicts known so far; ``submit(task index)`` starts a follow-up task."""
        for c in range(len(self._chains)):
            self._settle(c, results, submit)

    def _settle(self, c, results, submit) -> None:
        chain = self._chains[c]
        while self._next[c] < len(chain):
            d, n, prev, pi = entry = chain[self._next[c]]
            r = results.get(pi)
            if r is None:
                return
            slip = self._slip_before(entry, results)
            failed = r.status is Status.FAILED
            fresh = self.fresh(pi)
            if slip and failed and fresh and anchor(d.steps[n - 1], d.steps[n]) is not None:
                if pi not in self.verdicts:
                    self._ask("inherit", pi, submit)
                    return
                inherited = holds(self.verdicts[pi]) if self.verdicts[pi] else False
            else:
                inherited = slip and failed and not fresh and r.inherited_from is not None
            self.inherited[pi] = inherited
            if self.fixes and fresh and failed and not inherited and not r.fixes:
                self._ask("fix-slip" if slip else "fix", pi, submit)
            self._next[c] += 1

    def _slip_before(self, entry, results) -> bool:
        """Does the step follow a FAILED step that is a slip of its own (not inherited)?"""
        _, _, prev, _ = entry
        return prev is not None and results[prev].status is Status.FAILED and not self.inherited[prev]

    def _ask(self, kind, pi, submit):
        if (kind, pi) not in self.asked:
            self.asked.add((kind, pi))
            points = self.screens(pi) if self.screens is not None and kind != "inherit" else ()
            if points:
                submit(self._index[kind, pi], (points,))
            else:
                submit(self._index[kind, pi])

    def done(self, t: int, out) -> None:
        """Follow-up task ``t`` gave ``out`` (a timed-out or failed check settles nothing:
        no inheritance, no fixes)."""
        kind, pi = self._owner[t]
        if kind == "inherit":
            self.verdicts[pi] = out.value if out is not None and out.ok else ""
        elif out is not None and out.ok:
            self.fixed[pi] = out.value
        elif out is not None and out.kind == "timeout":
            self.fixed[pi] = {"fixes": [], "note": f"no fix found within {self.settings.timeout:g} s"}

    def apply(self, results: dict) -> None:
        """Write what was settled into the results (run only after an uninterrupted check)."""
        for d, n, prev, pi in self.chains:
            if pi not in self.inherited:
                continue
            r = results[pi]
            r.inherited_from = d.steps[n - 1].id if self.inherited[pi] else None
            if self.inherited[pi]:
                r.reason = sentence(d, d.steps[n - 1], n - 1)
                r.fixes = []
            elif pi in self.fixed:      # {"fixes": [...], "note": why the search stopped, or ""}
                r.fixes, note = self.fixed[pi]["fixes"], self.fixed[pi]["note"]
                if note:
                    r.reason = f"{r.reason} (likely fixes: {note})" if r.reason else f"likely fixes: {note}"
