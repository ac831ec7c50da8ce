"""Spot tasks run in batches, one per family, so a family's draws are made once per worker.

Spot tasks are planned one per (step, family) but run in batches, one worker task per
family, so the family's hypothesis draws, its fast-path batch and the integrals the steps
share are made once (and ~200 forks are saved).  Inside a batch every step keeps its own
time limit (``settings.timeout``, by SIGALRM) and the batch hands back, unrun, the steps
it could not finish before BATCH_DEADLINE of the worker's limit; those -- and every step
of a batch that crashed -- run again as single tasks with a time limit of their own.

:class:`Batches` turns the planned tasks into the units the workers run (the batches,
largest first, then every other task in the order given) and each unit's outcome back
into one outcome per planned task.
"""
from __future__ import annotations

import os
import signal
import threading
import time
import traceback

from .core import Outcome

__all__ = ["BATCH_DEADLINE", "Batches", "spot_batch_task"]

BATCH_DEADLINE = 0.8


class _StepTimeout(BaseException):
    """A step's time in a batch is up (a BaseException: no handler on the way swallows it)."""


def _limit_of(args) -> float:
    settings = args[-1] if args else None
    return getattr(settings, "timeout", 20.0)


def spot_batch_task(items, budget: float) -> list:
    """Worker body: ``fn(*args)`` for each ``(fn, args)`` item in turn (``args`` ending with
    the Settings whose ``timeout`` limits the item).

    Returns one entry per item: ``("ok", value, seconds)``, ``("timeout" | "error",
    message, seconds)`` or ``("deferred", "", seconds)`` (not finished within ``budget``
    seconds of the batch: to be run again on its own)."""
    t0 = time.perf_counter()
    alarm = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    out = []

    def ring(signum, frame):
        raise _StepTimeout()

    old = signal.signal(signal.SIGALRM, ring) if alarm else None
    try:
        for fn, args in items:
            left = budget - (time.perf_counter() - t0)
            if left <= 0.05:
                out.append(("deferred", "", 0.0))
                continue
            timeout = _limit_of(args)
            limit = min(timeout, left)
            s0 = time.perf_counter()
            try:
                try:
                    if alarm:
                        signal.setitimer(signal.ITIMER_REAL, limit)
                    value = fn(*args)
                finally:
                    if alarm:
                        signal.setitimer(signal.ITIMER_REAL, 0)
                out.append(("ok", value, time.perf_counter() - s0))
            except _StepTimeout:
                if limit >= timeout:
                    out.append(("timeout", f"timed out after {timeout:g} s", time.perf_counter() - s0))
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


class Batches:
    """The units the workers run for the planned ``tasks``: ``units`` (a batch per key that
    ``batch_key(fn, args)`` gives, largest first, then the other tasks, those with the
    smallest ``rank(fn, args)`` first, else in order) followed by the planned tasks
    themselves (a batch's step that must run again on its own)."""

    def __init__(self, tasks, batch_key, timeout: float, rank=lambda fn, args: 0):
        batches: dict = {}
        singles = []
        for i, (fn, args) in enumerate(tasks):
            key = batch_key(fn, args)
            if key is not None:
                batches.setdefault(key, []).append(i)
            else:
                singles.append(i)
        order = sorted(batches.values(), key=len, reverse=True)
        singles.sort(key=lambda i: rank(*tasks[i]))
        self.n_batches = len(order)
        self.owners = order + [[i] for i in singles]
        self.units = [(spot_batch_task, ([tasks[i] for i in ids], BATCH_DEADLINE * timeout))
                      for ids in order] + [tasks[i] for i in singles]
        self.units += list(tasks)

    def again(self, i: int) -> int:
        """The unit that runs planned task ``i`` on its own."""
        return len(self.owners) + i

    def done(self, u: int, out: Outcome, finish, again) -> None:
        """Unit ``u`` gave ``out``: ``finish(i, outcome)`` for each planned task it settles,
        ``again(i)`` for each that must run again on its own."""
        if u >= len(self.owners):          # a planned task run again on its own
            finish(u - len(self.owners), out)
            return
        ids = self.owners[u]
        if u >= self.n_batches:            # a task run as planned
            finish(ids[0], out)
            return
        if not out.ok or not isinstance(out.value, list) or len(out.value) != len(ids):
            for i in ids:                  # the batch died: its steps run one by one
                finish(i, out) if out.kind == "interrupted" else again(i)
            return
        for i, (kind, value, seconds) in zip(ids, out.value):
            if kind == "ok":
                finish(i, Outcome(True, value, seconds=seconds))
            elif kind == "deferred":
                again(i)
            else:
                finish(i, Outcome(False, kind=kind, message=value, seconds=seconds))
