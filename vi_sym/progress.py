"""Progress: a live ``[12/28] kl_route::3  4.1s`` line on a terminal's stderr.

:class:`StepTracker` turns the worker pool's task completions into step
completions (a step is done when its proof and every spot-check are);
:class:`ProgressLine` draws them, on a terminal only: when stderr is not a TTY
or ``CI`` is set it prints nothing, so logs hold plain lines only.  The line is
redrawn when a task finishes and cleared before the report is printed.
"""
from __future__ import annotations

import shutil
import sys
import time

from .report import is_terminal


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


class ProgressLine:
    """Draws ``[done/total] current  elapsed`` in place on ``stream``; a no-op off a terminal."""

    def __init__(self, stream=None, enabled=None):
        self.stream = stream or sys.stderr
        self.enabled = is_terminal(self.stream) if enabled is None else enabled
        self.t0 = time.perf_counter()
        self.shown = False

    def __call__(self, done, total, current):
        if not self.enabled:
            return
        width = max(20, shutil.get_terminal_size((80, 20)).columns - 1)
        what = f"checking {current}" if current and done < total else "done"
        text = f"[{done}/{total}] {what}  {time.perf_counter() - self.t0:.1f}s"
        self.stream.write("\r" + text[:width].ljust(width) + "\r")
        self.stream.flush()
        self.shown = True

    def clear(self):
        if self.shown:
            width = max(20, shutil.get_terminal_size((80, 20)).columns - 1)
            self.stream.write("\r" + " " * width + "\r")
            self.stream.flush()
            self.shown = False
