"""The time limit of a search (vi_sym.deadline, CPU seconds): it interrupts a long computation,
is not swallowed by the search's own exception handlers, nests, and leaves an enclosing timer
its time."""
import signal
import time

import pytest

from vi_sym.deadline import Deadline, Expired

TIMER, SIG = signal.ITIMER_PROF, signal.SIGPROF


def _spin(seconds):
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


def test_a_long_computation_is_interrupted_and_the_block_is_left():
    t0 = time.process_time()
    with Deadline(0.2) as dl:
        _spin(5)
    assert dl.expired and time.process_time() - t0 < 2


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
    assert not dl.expired and signal.getitimer(TIMER)[0] == 0


def test_waiting_costs_no_cpu_time():
    with Deadline(0.2) as dl:
        time.sleep(0.4)
    assert not dl.expired


def test_check_between_steps_raises_when_the_time_is_up():
    with Deadline(0.05) as dl:
        _spin(0.1)     # the timer fires, or else check() does
        dl.check()
    assert dl.expired


def test_an_inner_deadline_ends_its_block_only_and_the_outer_one_still_holds():
    t0 = time.process_time()
    with Deadline(0.6) as outer:
        with Deadline(0.1) as inner:
            _spin(5)
        assert inner.expired and not outer.expired
        with Deadline(5) as long_inner:
            _spin(5)                       # the outer's time comes first: only the outer ends
        pytest.fail("the outer deadline did not end its block")
    assert outer.expired and not long_inner.expired and time.process_time() - t0 < 3


def test_an_enclosing_timer_due_first_still_fires():
    class Outer(Exception):
        pass

    def ring(*_):
        raise Outer()
    old = signal.signal(SIG, ring)
    try:
        signal.setitimer(TIMER, 0.2)
        with pytest.raises(Outer):
            with Deadline(5):
                _spin(3)
    finally:
        signal.setitimer(TIMER, 0)
        signal.signal(SIG, old)


@pytest.mark.parametrize("handler", [lambda *_: None, signal.SIG_IGN])
def test_an_enclosing_timer_due_first_that_does_not_stop_the_block_leaves_the_deadline_armed(handler):
    old = signal.signal(SIG, handler)
    try:
        signal.setitimer(TIMER, 0.05)
        t0 = time.process_time()
        with Deadline(0.3) as dl:
            _spin(5)
        assert dl.expired and time.process_time() - t0 < 2
    finally:
        signal.setitimer(TIMER, 0)
        signal.signal(SIG, old)


def test_an_enclosing_timer_due_later_is_rearmed():
    old = signal.signal(SIG, lambda *_: None)
    try:
        signal.setitimer(TIMER, 30)
        with Deadline(0.1) as dl:
            _spin(1)
        left = signal.getitimer(TIMER)[0]
        assert dl.expired and 25 < left < 30
    finally:
        signal.setitimer(TIMER, 0)
        signal.signal(SIG, old)


def test_no_limit():
    with Deadline(None) as dl:
        dl.check()
    assert not dl.expired
    with pytest.raises(Expired):
        with Deadline(0) as dl0:
            pass
        dl0.check()


def test_a_timer_that_rings_before_the_clock_reaches_the_deadline_waits_for_the_rest():
    """On a loaded machine the kernel's CPU accounting for the timer can run ahead of the
    clock: an early ring is neither an expiry nor taken for an enclosing timer's."""
    t0 = time.process_time()
    with Deadline(0.3) as dl:
        dl._ring(SIG, None)                      # early, as the kernel may ring it
        assert not dl.expired and signal.getitimer(TIMER)[0] > 0
        _spin(5)
    assert dl.expired and time.process_time() - t0 < 2


def test_an_early_ring_of_an_enclosing_deadline_keeps_both_deadlines():
    t0 = time.process_time()
    with Deadline(0.4) as outer:
        with Deadline(5) as inner:
            inner._ring(SIG, None)               # the outer's time, rung early: nothing ends yet
            assert not inner.expired and not outer.expired
            _spin(5)                             # the outer's time comes first
        pytest.fail("the outer deadline did not end its block")
    assert outer.expired and not inner.expired and time.process_time() - t0 < 3


def test_an_early_ring_of_a_deadline_inside_a_later_timer_leaves_that_timer_its_time():
    old = signal.signal(SIG, lambda *_: None)
    try:
        signal.setitimer(TIMER, 30)
        with Deadline(0.2) as dl:
            dl._ring(SIG, None)                  # this deadline's ring, early: not the 30 s timer's
            _spin(2)
        left = signal.getitimer(TIMER)[0]
        assert dl.expired and 25 < left < 30
    finally:
        signal.setitimer(TIMER, 0)
        signal.signal(SIG, old)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_an_expiry_swallowed_where_python_ignores_exceptions_rings_again(monkeypatch):
    """An Expired raised inside a gc callback is ignored by Python; the deadline rings again,
    so the block is still left soon after, and the swallowed Expired is not reported as an
    "Exception ignored in ..." (the hook that reports it is only called for other exceptions)."""
    import gc
    import sys

    reported = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: reported.append(u.exc_type))

    def slow_callback(phase, info):
        if phase == "start":
            _spin(0.4)                            # the deadline expires in here: swallowed
    t0 = time.process_time()
    gc.callbacks.append(slow_callback)
    try:
        with Deadline(0.1) as dl:
            gc.collect()
            gc.callbacks.remove(slow_callback)
            _spin(5)
    finally:
        if slow_callback in gc.callbacks:
            gc.callbacks.remove(slow_callback)
    assert dl.expired and time.process_time() - t0 < 2
    assert Expired not in reported and sys.unraisablehook is not dl._unraisable


def test_other_ignored_exceptions_still_reach_the_hook_inside_a_deadline(monkeypatch):
    import sys

    reported = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: reported.append(u.exc_type))

    class Noisy:
        def __del__(self):
            raise ValueError("from __del__")
    with Deadline(5):
        Noisy()
    assert reported == [ValueError]
