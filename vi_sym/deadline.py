"""A time limit for a search that calls into sympy (the likely-fix search): sympy's summation
or simplification can run for minutes on one candidate, so checking the clock between
candidates is not enough.

:class:`Deadline` is a context manager.  In the main thread (where POSIX timers deliver their
signal) it arms ``SIGALRM`` for the time left, and the signal raises :class:`Expired` -- a
``BaseException``, so no ``except Exception`` on the way (each candidate's "sympy failed: no
proof") swallows it.  An enclosing timer keeps its time: due first, its handler runs when it
would have (and the deadline stays armed); due later, it is re-armed on exit.  Elsewhere (a thread, a
platform without ``setitimer``) only :meth:`Deadline.check` between steps bounds the search.
"""
from __future__ import annotations

import signal
import threading
import time

__all__ = ["Deadline", "Expired"]


class Expired(BaseException):
    """The time of a :class:`Deadline` is up."""


class Deadline:
    """``with Deadline(5.0) as dl: ... dl.check() ...``; ``dl.expired`` tells afterwards
    whether the time ran out (then the block was left by :class:`Expired`, which the
    ``with`` statement swallows)."""

    def __init__(self, seconds: float | None):
        self.seconds = seconds
        self.expired = False
        self._end = None
        self._armed = False
        self._old = None
        self._outer_end = None      # when an enclosing timer is due (monotonic), if one is armed
        self._closing = False

    def left(self) -> float:
        return float("inf") if self._end is None else self._end - time.monotonic()

    def check(self) -> None:
        """Raise :class:`Expired` when the time is up."""
        if self.left() <= 0:
            raise Expired()

    def _arm(self):
        due = [self._end] + ([self._outer_end] if self._outer_end is not None else [])
        signal.setitimer(signal.ITIMER_REAL, max(min(due) - time.monotonic(), 1e-3))

    def _ring(self, signum, frame):
        if self._closing:           # the block is being left (the timers are being reset)
            return
        if self.left() <= 0:
            raise Expired()
        # the enclosing timer's time: our own is re-armed, then its handler runs as it would have
        self._outer_end = None
        self._arm()
        if callable(self._old):
            self._old(signum, frame)

    def __enter__(self):
        if self.seconds is None:
            return self
        self._end = time.monotonic() + max(float(self.seconds), 0.0)
        if hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread():
            outer = signal.getitimer(signal.ITIMER_REAL)[0]
            self._outer_end = time.monotonic() + outer if outer else None
            self._old = signal.signal(signal.SIGALRM, self._ring)
            self._arm()
            self._armed = True
        return self

    def __exit__(self, kind, exc, tb):
        self._closing = True
        if self._armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self._old)
            if self._outer_end is not None:     # an enclosing timer not yet due: re-armed
                signal.setitimer(signal.ITIMER_REAL, max(self._outer_end - time.monotonic(), 1e-3))
        if kind is Expired:
            self.expired = True
            return True
        return False
