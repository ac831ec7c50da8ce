"""Run tasks in forked worker processes with a hard per-task time limit.

sympy has no timeout of its own; a hanging ``integrate`` can only be stopped by
killing the process that runs it.  Each task runs in a fresh fork (cheap once
sympy is imported), at most ``jobs`` at a time.  A task that runs over its
limit is killed and reported as a timeout; one that raises, recurses too
deeply, runs out of memory or dies reports why.  The caller always gets one
outcome per task, in order.  Where fork is unavailable (Windows) tasks run in
the calling process without a time limit.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import time
import traceback
from dataclasses import dataclass
from multiprocessing.connection import wait
from typing import Any, Callable, Sequence

MEMORY_LIMIT_BYTES = 6 * 1024 ** 3


@dataclass
class Outcome:
    ok: bool
    value: Any = None
    kind: str = ""        # "", "timeout", "error", "crash", "interrupted"
    message: str = ""
    seconds: float = 0.0


def _child(conn, fn, args):
    try:
        import resource
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = MEMORY_LIMIT_BYTES if hard == resource.RLIM_INFINITY else min(MEMORY_LIMIT_BYTES, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, ValueError, OSError):
        pass
    try:
        out = Outcome(True, fn(*args))
    except MemoryError:
        out = Outcome(False, kind="error", message="ran out of memory")
    except RecursionError:
        out = Outcome(False, kind="error", message="recursion too deep (expression too large)")
    except BaseException as exc:  # noqa: BLE001 -- every failure becomes a verdict
        tb = traceback.extract_tb(exc.__traceback__)
        where = f" at {os.path.basename(tb[-1].filename)}:{tb[-1].lineno}" if tb else ""
        out = Outcome(False, kind="error", message=f"{type(exc).__name__}: {exc}{where}")
    try:
        conn.send(out)
    except Exception as exc:  # result not picklable
        conn.send(Outcome(False, kind="error", message=f"could not return the result: {exc}"))
    conn.close()


def _fork_available() -> bool:
    return "fork" in mp.get_all_start_methods()


def run_tasks(tasks: Sequence[tuple[Callable, tuple]], jobs: int = 1, timeout: float = 20.0,
              on_done: Callable[[int, Outcome], None] | None = None) -> list[Outcome]:
    """Run ``fn(*args)`` for each task; return one :class:`Outcome` per task, in order."""
    outcomes: list = [None] * len(tasks)
    if not _fork_available():
        for i, (fn, args) in enumerate(tasks):
            t0 = time.perf_counter()
            try:
                outcomes[i] = Outcome(True, fn(*args), seconds=time.perf_counter() - t0)
            except Exception as exc:  # noqa: BLE001
                outcomes[i] = Outcome(False, kind="error", message=f"{type(exc).__name__}: {exc}")
            if on_done:
                on_done(i, outcomes[i])
        return outcomes

    ctx = mp.get_context("fork")
    pending = list(range(len(tasks)))
    running: dict = {}  # conn -> (index, process, start)
    jobs = max(1, jobs)

    def finish(i, out):
        outcomes[i] = out
        if on_done:
            on_done(i, out)

    try:
        while pending or running:
            while pending and len(running) < jobs:
                i = pending.pop(0)
                fn, args = tasks[i]
                parent, child = ctx.Pipe(duplex=False)
                proc = ctx.Process(target=_child, args=(child, fn, args), daemon=True)
                proc.start()
                child.close()
                running[parent] = (i, proc, time.perf_counter())
            now = time.perf_counter()
            next_deadline = min(start + timeout for _, _, start in running.values())
            ready = wait(list(running) + [p.sentinel for _, p, _ in running.values()],
                         timeout=max(0.0, next_deadline - now))
            now = time.perf_counter()
            for conn in list(running):
                i, proc, start = running[conn]
                if conn in ready or conn.poll():
                    try:
                        out = conn.recv()
                    except (EOFError, OSError):
                        out = Outcome(False, kind="crash",
                                      message=f"worker died (exit code {proc.exitcode})")
                    proc.join(1)
                    out.seconds = now - start
                    del running[conn]
                    conn.close()
                    finish(i, out)
                elif proc.sentinel in ready and not proc.is_alive():
                    proc.join()
                    del running[conn]
                    conn.close()
                    finish(i, Outcome(False, kind="crash", seconds=now - start,
                                      message=f"worker died (exit code {proc.exitcode})"))
                elif now - start >= timeout:
                    proc.kill()
                    proc.join()
                    del running[conn]
                    conn.close()
                    finish(i, Outcome(False, kind="timeout", seconds=now - start,
                                      message=f"timed out after {timeout:g} s"))
    except KeyboardInterrupt:
        for conn, (i, proc, start) in running.items():
            proc.kill()
            proc.join()
            outcomes[i] = Outcome(False, kind="interrupted", message="interrupted")
        for i in pending:
            outcomes[i] = Outcome(False, kind="interrupted", message="interrupted")
        raise InterruptedRun(outcomes)
    return outcomes


class InterruptedRun(Exception):
    """Ctrl-C during a run: carries the outcomes collected so far."""

    def __init__(self, outcomes):
        super().__init__("interrupted")
        self.outcomes = outcomes
