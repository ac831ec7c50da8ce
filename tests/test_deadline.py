"""The time limit of a search (vi_sym.deadline): it interrupts a long computation, leaves an
enclosing timer that is due first alone, and re-arms one due later."""
import signal
import time

import pytest

from vi_sym.deadline import Deadline, Expired


def _spin(seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def test_a_long_computation_is_interrupted_and_the_block_is_left():
    t0 = time.monotonic()
    with Deadline(0.2) as dl:
        _spin(5)
    assert dl.expired and time.monotonic() - t0 < 2


def test_an_exception_handler_in_the_search_does_not_swallow_the_deadline():
    with Deadline(0.2) as dl:
        for _ in range(100):
            try:
                _spin(0.05)
            except Exception:  # noqa: BLE001 -- what the searches do around sympy
                pass
    assert dl.expired


def test_a_block_that_finishes_in_time_is_not_expired_and_no_timer_is_left():
    with Deadline(5) as dl:
        _spin(0.01)
    assert not dl.expired and signal.getitimer(signal.ITIMER_REAL)[0] == 0


def test_check_between_steps_raises_when_the_time_is_up():
    with Deadline(0.05) as dl:
        _spin(0.1)     # the timer fires, or else check() does
        dl.check()
    assert dl.expired


def test_an_enclosing_timer_due_first_still_fires():
    class Outer(Exception):
        pass

    def ring(*_):
        raise Outer()
    old = signal.signal(signal.SIGALRM, ring)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.2)
        with pytest.raises(Outer):
            with Deadline(5):
                _spin(3)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def test_an_enclosing_timer_due_later_is_rearmed():
    old = signal.signal(signal.SIGALRM, lambda *_: None)
    try:
        signal.setitimer(signal.ITIMER_REAL, 30)
        with Deadline(0.1) as dl:
            _spin(1)
        left = signal.getitimer(signal.ITIMER_REAL)[0]
        assert dl.expired and 25 < left < 30
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def test_no_limit():
    with Deadline(None) as dl:
        dl.check()
    assert not dl.expired
    with pytest.raises(Expired):
        with Deadline(0) as dl0:
            pass
        dl0.check()


@pytest.mark.parametrize("handler", [lambda *_: None, signal.SIG_IGN])
def test_an_enclosing_timer_due_first_that_does_not_stop_the_block_leaves_the_deadline_armed(handler):
    old = signal.signal(signal.SIGALRM, handler)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.05)
        t0 = time.monotonic()
        with Deadline(0.3) as dl:
            _spin(5)
        assert dl.expired and time.monotonic() - t0 < 2
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
