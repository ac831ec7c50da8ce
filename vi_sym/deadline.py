"""A time limit for a search that calls into sympy (the likely-fix search, sympy's summation
of an explicit series): sympy can run for minutes on one candidate, so checking the clock
between candidates is not enough.

:class:`Deadline` is a context manager counting the *CPU time* of the process (so the same
search ends at the same point whatever the machine's load: a report does not depend on what
else runs).  In the main thread (where POSIX timers deliver their signal) it arms the profiling
timer (``ITIMER_PROF``, ``SIGPROF``) for the time left, and the signal raises :class:`Expired`
-- a ``BaseException``, so no ``except Exception`` on the way (each candidate's "sympy failed:
no proof") swallows it.  Deadlines nest: an enclosing one keeps its time (due first, its
handler runs when it would have, and the inner one stays armed; due later, it is re-armed on
exit), and each ``with`` block only swallows its own expiry.  Elsewhere (a thread, a platform
without ``setitimer``) only :meth:`Deadline.check` between steps bounds the search.
"""
from __future__ import annotations

import signal
import sys
import threading
import time

__all__ = ["Deadline", "Expired"]

_TIMER = getattr(signal, "ITIMER_PROF", None)
_SIGNAL = getattr(signal, "SIGPROF", None)
_clock = time.process_time
#: CPU seconds after which an expired deadline rings again (see :meth:`Deadline._arm`)
RING_AGAIN = 0.05


class Expired(BaseException):
    """The time of a :class:`Deadline` is up (``args[0]``: that deadline)."""


class Deadline:
    """``with Deadline(5.0) as dl: ... dl.check() ...`` (CPU seconds); ``dl.expired`` tells
    afterwards whether the time ran out (then the block was left by :class:`Expired`, which
    the ``with`` statement swallows)."""

    def __init__(self, seconds: float | None):
        self.seconds = seconds
        self.expired = False
        self._end = None
        self._armed = False
        self._old = None
        self._outer_end = None      # when an enclosing timer is due (process time), if one is armed
        self._closing = False
        self._hook = None           # sys.unraisablehook while this deadline is armed

    def left(self) -> float:
        return float("inf") if self._end is None else self._end - _clock()

    def check(self) -> None:
        """Raise :class:`Expired` when the time is up."""
        if self.left() <= 0:
            raise Expired(self)

    def _arm(self):
        due = [self._end] + ([self._outer_end] if self._outer_end is not None else [])
        # the interval rings again should an Expired be swallowed where Python ignores exceptions
        # (a gc callback, a __del__): the block is still left, a moment later
        signal.setitimer(_TIMER, max(min(due) - _clock(), 1e-3), RING_AGAIN)

    def _ring(self, signum, frame):
        if self._closing:           # the block is being left (the timers are being reset)
            return
        if self._outer_end is None or self._end <= self._outer_end:
            # this deadline's own time (the timer was armed for it)
            if self.left() <= 0:
                raise Expired(self)
            # rang a little early: the kernel's CPU accounting for the timer can run ahead of
            # the clock on a loaded machine -- wait for the rest
            self._arm()
            return
        # the enclosing timer's time: its handler runs as it would have (it may raise, or -- an
        # enclosing Deadline that rang early -- re-arm the timer for its own rest); then this one
        # is re-armed for whichever of the two is due first
        self._outer_end = None
        signal.setitimer(_TIMER, 0)
        if callable(self._old):
            self._old(signum, frame)
        rest = signal.getitimer(_TIMER)[0]
        self._outer_end = _clock() + rest if rest else None
        self._arm()

    def _unraisable(self, unraisable):
        """An :class:`Expired` swallowed where Python ignores exceptions (a gc callback, a
        ``__del__``) is not printed as "Exception ignored in ...": the timer rings again and
        leaves the block a moment later.  Anything else goes to the hook this one replaced."""
        if isinstance(unraisable.exc_value, Expired):
            return
        self._hook(unraisable)

    def __enter__(self):
        if self.seconds is None:
            return self
        self._end = _clock() + max(float(self.seconds), 0.0)
        if _TIMER is not None and threading.current_thread() is threading.main_thread():
            outer = signal.getitimer(_TIMER)[0]
            self._outer_end = _clock() + outer if outer else None
            self._old = signal.signal(_SIGNAL, self._ring)
            self._hook = sys.unraisablehook
            sys.unraisablehook = self._unraisable
            self._arm()
            self._armed = True
        return self

    def __exit__(self, kind, exc, tb):
        self._closing = True
        if self._armed:
            signal.setitimer(_TIMER, 0)
            signal.signal(_SIGNAL, self._old)
            sys.unraisablehook = self._hook
            if self._outer_end is not None:     # an enclosing timer not yet due: re-armed
                signal.setitimer(_TIMER, max(self._outer_end - _clock(), 1e-3))
        if kind is Expired and exc.args and exc.args[0] is self:
            self.expired = True
            return True
        return False
