"""Run tasks in forked worker processes with a hard per-task time limit.

sympy has no timeout of its own; a hanging ``integrate`` can only be stopped by
killing the process that runs it.  :func:`run_tasks` forks a pool of at most
``jobs`` workers once (cheap once sympy and the prover are imported: the
workers share the parent's memory, tasks included, so a task is sent as its
index only) and hands each idle worker the next task; :class:`Workers` keeps the pool
for several runs (a worker's caches serve them all) and takes tasks added while a run
goes on.  A task that runs over
its limit is killed with its worker, reported as a timeout, and a fresh worker
is forked in its place; one that raises, recurses too deeply or runs out of
memory reports why; a worker that dies reports its exit code.  The caller
always gets one outcome per task, in order.  Where fork is unavailable
(Windows) tasks run in the calling process without a time limit.
"""
from __future__ import annotations

import gc
import multiprocessing as mp
import os
import time
import traceback
from multiprocessing.connection import wait
from typing import Callable, Sequence

from .collector import tune
from .core import Outcome

MEMORY_LIMIT_BYTES = 6 * 1024 ** 3


def _limit_memory():
    try:
        import resource  # POSIX only
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = MEMORY_LIMIT_BYTES if hard == resource.RLIM_INFINITY else min(MEMORY_LIMIT_BYTES, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, ValueError, OSError):
        pass


def _run_one(fn, args) -> Outcome:
    try:
        return Outcome(True, fn(*args))
    except MemoryError:
        return Outcome(False, kind="error", message="ran out of memory")
    except RecursionError:
        return Outcome(False, kind="error", message="recursion too deep (expression too large)")
    except BaseException as exc:  # noqa: BLE001 -- every failure becomes a verdict
        tb = traceback.extract_tb(exc.__traceback__)
        where = f" at {os.path.basename(tb[-1].filename)}:{tb[-1].lineno}" if tb else ""
        return Outcome(False, kind="error", message=f"{type(exc).__name__}: {exc}{where}")


def _task(tasks, message):
    """The ``(fn, args)`` a worker is sent: an index ``i``, ``("task", (fn, args))`` (a task added
    after it forked) or ``("more", i, extra)`` (task ``i`` with ``extra`` args appended)."""
    if not isinstance(message, tuple):
        return tasks[message]
    if message[0] == "more":
        fn, args = tasks[message[1]]
        return fn, tuple(args) + tuple(message[2])
    return message[1]


def _worker(conn, tasks):
    """A pool worker: runs the task of every message it is sent (see :func:`_task`), until None."""
    _limit_memory()
    tune()          # the collector's thresholds (see vi_sym.collector)
    while True:
        try:
            i = conn.recv()
        except (EOFError, OSError):
            break
        if i is None:
            break
        fn, args = _task(tasks, i)
        out = _run_one(fn, args)
        try:
            conn.send(out)
        except Exception as exc:  # result not picklable
            conn.send(Outcome(False, kind="error", message=f"could not return the result: {exc}"))
    conn.close()
    os._exit(0)


def _fork_available() -> bool:
    return "fork" in mp.get_all_start_methods()


class _Pool:
    """Forked workers, each busy with at most one task: ``busy[conn] = (task, process, start)``."""

    def __init__(self, tasks, extra=None):
        self.ctx = mp.get_context("fork")
        self.tasks = tasks
        self.extra = {} if extra is None else extra   # task index -> args appended when it runs
        self.idle: list = []          # (conn, process)
        self.busy: dict = {}
        self.known: dict = {}         # pid -> how many tasks the worker shares from its fork

    def spawn(self):
        parent, child = self.ctx.Pipe(duplex=True)
        proc = self.ctx.Process(target=_worker, args=(child, self.tasks), daemon=True)
        # what the parent holds is frozen for the fork: the worker's garbage collections
        # never walk it (nor copy its pages); the parent collects it as before
        gc.freeze()
        try:
            proc.start()
        finally:
            gc.unfreeze()
        child.close()
        self.known[proc.pid] = len(self.tasks)     # the tasks it shares (sent by index)
        self.idle.append((parent, proc))

    def give(self, i):
        conn, proc = self.idle.pop()
        extra = self.extra.get(i)
        if i < self.known[proc.pid]:
            conn.send(i if extra is None else ("more", i, extra))
        else:
            fn, args = self.tasks[i]
            try:
                conn.send(("task", (fn, tuple(args) + tuple(extra or ()))))   # added after the worker forked
            except Exception:  # noqa: BLE001 -- not picklable: a fresh worker shares it
                self.idle.append((conn, proc))
                self.retire(conn, proc)
                self.spawn()
                conn, proc = self.idle.pop()
                conn.send(i if extra is None else ("more", i, extra))
        self.busy[conn] = (i, proc, time.perf_counter())

    def retire(self, conn, proc):
        """Stop an idle worker."""
        self.idle.remove((conn, proc))
        try:
            conn.send(None)
        except OSError:
            pass
        conn.close()
        proc.join(5)
        if proc.is_alive():
            proc.kill()
            proc.join()

    def drop(self, conn, kill=False):
        _, proc, _ = self.busy.pop(conn)
        if kill:
            proc.kill()
        proc.join()
        conn.close()

    def close(self):
        for conn, proc in list(self.idle):
            self.retire(conn, proc)
        for conn in list(self.busy):
            self.drop(conn, kill=True)


def _collect(pool, conn, now, timeout):
    """The outcome of ``conn``'s task if it finished, died or overran; else None."""
    i, proc, start = pool.busy[conn]
    if conn.poll():
        try:
            out = conn.recv()
        except (EOFError, OSError):
            proc.join(1)
            pool.drop(conn, kill=True)
            return i, Outcome(False, kind="crash", message=f"worker died (exit code {proc.exitcode})",
                              seconds=now - start)
        out.seconds = now - start
        pool.busy.pop(conn)
        pool.idle.append((conn, proc))
        return i, out
    if not proc.is_alive():
        pool.drop(conn)
        return i, Outcome(False, kind="crash", seconds=now - start,
                          message=f"worker died (exit code {proc.exitcode})")
    if now - start >= timeout:
        pool.drop(conn, kill=True)
        return i, Outcome(False, kind="timeout", seconds=now - start,
                          message=f"timed out after {timeout:g} s")
    return None


def run_tasks(tasks: Sequence[tuple[Callable, tuple]], jobs: int = 1, timeout: float = 20.0,
              on_done: Callable[[int, Outcome], None] | None = None) -> list[Outcome]:
    """Run ``fn(*args)`` for each task; return one :class:`Outcome` per task, in order."""
    with Workers(tasks, jobs, timeout) as workers:
        return workers.run(range(len(tasks)), on_done)


class Workers:
    """A pool of forked workers kept for several runs, so what a worker computed for one
    task (draws, compiled densities, sympy's caches, quadrature nodes) serves the next.

    Every task a run may need is known when the first worker forks (the workers share the
    list; a task is sent as its index); :meth:`run` runs some of them and ``on_done`` may
    :meth:`submit` more while it runs (``first=True``: before the tasks still waiting)."""

    def __init__(self, tasks, jobs: int = 1, timeout: float = 20.0):
        self.tasks, self.jobs, self.timeout = list(tasks), max(1, jobs), timeout
        self.pool = None
        self.pending: list = []       # task indices, the next one last
        self.extra: dict = {}         # task index -> args appended when it runs (see submit)

    @property
    def forked(self) -> bool:
        """Has a worker forked (tasks added now are sent to it, pickled)?"""
        return self.pool is not None and bool(self.pool.known)

    def add(self, tasks) -> int:
        """Add ``tasks`` (for a later :meth:`run`); the index of the first.  A worker forked
        before receives such a task pickled, so it keeps what it computed for earlier ones
        (a task that cannot be pickled goes to a fresh worker)."""
        base = len(self.tasks)
        self.tasks.extend(tasks)
        return base

    def submit(self, i: int, first: bool = False, extra: tuple | None = None) -> None:
        """Run task ``i`` too (``first``: before the tasks still waiting), with ``extra``
        arguments appended to its own (picklable values known only now, sent with it)."""
        if extra is not None:
            self.extra[i] = tuple(extra)
        if first:
            self.pending.append(i)
        else:
            self.pending.insert(0, i)

    def run(self, indices, on_done=None) -> list:
        """Run ``tasks[i]`` for each of ``indices`` (and whatever ``on_done`` submits); one
        Outcome per task of the list (None for a task not run), in order."""
        self.pending = list(indices)[::-1]
        outcomes: list = [None] * len(self.tasks)
        if not _fork_available():
            return self._run_here(outcomes, on_done)
        if self.pool is None:
            self.pool = _Pool(self.tasks, self.extra)
        pool = self.pool
        try:
            while self.pending or pool.busy:
                while self.pending and (pool.idle or len(pool.busy) < self.jobs):
                    if not pool.idle:
                        pool.spawn()       # the first workers, or in place of one killed
                    pool.give(self.pending.pop())
                next_deadline = min(start + self.timeout for _, _, start in pool.busy.values())
                wait(list(pool.busy) + [p.sentinel for _, p, _ in pool.busy.values()],
                     timeout=max(0.0, next_deadline - time.perf_counter()))
                now = time.perf_counter()
                for conn in list(pool.busy):
                    done = _collect(pool, conn, now, self.timeout)
                    if done is not None:
                        outcomes[done[0]] = done[1]
                        if on_done:
                            on_done(*done)
        except KeyboardInterrupt:
            for i, _, _ in pool.busy.values():
                outcomes[i] = Outcome(False, kind="interrupted", message="interrupted")
            for i in self.pending:
                outcomes[i] = Outcome(False, kind="interrupted", message="interrupted")
            self.close()
            raise InterruptedRun(outcomes)
        return outcomes

    def _run_here(self, outcomes, on_done) -> list:
        while self.pending:
            i = self.pending.pop()
            fn, args = self.tasks[i]
            args = tuple(args) + self.extra.get(i, ())
            t0 = time.perf_counter()
            try:
                out = Outcome(True, fn(*args), seconds=time.perf_counter() - t0)
            except Exception as exc:  # noqa: BLE001
                out = Outcome(False, kind="error", message=f"{type(exc).__name__}: {exc}")
            outcomes[i] = out
            if on_done:
                on_done(i, out)
        return outcomes

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class InterruptedRun(Exception):
    """Ctrl-C during a run: carries the outcomes collected so far."""

    def __init__(self, outcomes):
        super().__init__("interrupted")
        self.outcomes = outcomes
