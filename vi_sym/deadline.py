"""A time limit for a search that calls into sympy (the likely-fix search): sympy's summation
or simplification can run for minutes on one candidate, so checking the clock between
candidates is not enough.

:class:`Deadline` is a context manager.  In the main thread (where POSIX timers deliver their
signal) it arms ``SIGALRM`` for the time left, and the signal raises :class:`Expired` -- a
``BaseException``, so no ``except Exception`` on the way (each candidate's "sympy failed: no
proof") swallows it.  An enclosing timer that is due sooner is left alone (it fires as it
would have); one due later is re-armed, less the time spent, on exit.  Elsewhere (a thread, a
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
        self._outer = 0.0
        self._closing = False

    def left(self) -> float:
        return float("inf") if self._end is None else self._end - time.monotonic()

    def check(self) -> None:
        """Raise :class:`Expired` when the time is up."""
        if self.left() <= 0:
            raise Expired()

    def _ring(self, signum, frame):
        if not self._closing:        # not while the block is being left (the timer is being reset)
            raise Expired()

    def __enter__(self):
        if self.seconds is None:
            return self
        self._end = time.monotonic() + max(float(self.seconds), 0.0)
        can = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
        if can:
            outer = signal.getitimer(signal.ITIMER_REAL)[0]
            if outer and outer <= self.seconds:
                return self          # an enclosing limit is due first: it fires as it would have
            self._outer = outer
            self._old = signal.signal(signal.SIGALRM, self._ring)
            signal.setitimer(signal.ITIMER_REAL, max(float(self.seconds), 1e-3))
            self._armed = True
        return self

    def __exit__(self, kind, exc, tb):
        self._closing = True
        if self._armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self._old)
            if self._outer:
                spent = self.seconds - max(self.left(), 0.0)
                signal.setitimer(signal.ITIMER_REAL, max(self._outer - spent, 1e-3))
        if kind is Expired:
            self.expired = True
            return True
        return False
