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
from .scheduler import StepTracker, task_label  # noqa: F401 -- re-exported


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
