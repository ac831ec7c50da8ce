"""The chain phases, settled step by step while the other steps are still being checked: a
FAILED step's check from the slip before it and its likely fixes are asked for as soon as the
steps before it are settled, and never before."""
from types import SimpleNamespace

from vi_sym.core import Status
from vi_sym.followups import FollowUps, fix_at, inherit_at
from vi_sym.loader import load_text
from vi_sym.settings import Settings

TEXT = """
derivation d
latent: z
observed: x

    log(p(x))
  = log(integrate(p(x,z), z))              by marginalisation
  = log(E_q(z)[p(x,z)/q(z)])               by expectation_definition
  >= E_q(z)[log(p(x,z)/q(z))]              by jensen
"""


def _setup():
    (d,), errors = load_text(TEXT, "d.vi")
    assert not errors
    chains = [(d, n, n - 1 if n else None, n) for n in range(len(d.steps))]
    follow = FollowUps(chains, lambda pi: True, "FIX", Settings(), fixes=True)
    return d, follow


def _result(status, inherited_from=None):
    return SimpleNamespace(status=status, inherited_from=inherited_from, fixes=[], reason="")


def _asked(follow, results):
    out = []
    follow.settle(results, out.append)
    return [(follow.tasks[t][0], follow.tasks[t][1][-3] if follow.tasks[t][0] is fix_at else None)
            for t in out], out


def test_nothing_is_asked_before_the_steps_before_are_known():
    d, follow = _setup()
    # step 2 failed, but step 1's verdict is not back: nothing can be settled yet
    assert _asked(follow, {1: _result(Status.FAILED)})[0] == []


def test_a_slip_gets_its_fixes_and_the_step_after_it_its_check_from_the_slip():
    d, follow = _setup()
    results = {0: _result(Status.PROVED), 1: _result(Status.FAILED)}
    asked, _ = _asked(follow, results)
    assert asked == [(fix_at, 1)]                      # step 2 (index 1) is a slip: its fixes
    results[2] = _result(Status.FAILED)
    asked, tasks = _asked(follow, results)
    assert [fn for fn, _ in asked] == [inherit_at]     # step 3 after the slip: checked from it
    # asked once only, and step 3 is not settled until the check is back
    assert _asked(follow, results)[0] == []
    follow.done(tasks[0], SimpleNamespace(ok=True, value=Status.PROVED.value))
    assert _asked(follow, results)[0] == []            # inherited: no fixes of its own
    follow.apply(results)
    assert results[2].inherited_from == d.steps[1].id and results[1].inherited_from is None


def test_a_genuine_second_slip_gets_fixes_judged_from_the_first_slip_s_left_side():
    d, follow = _setup()
    results = {0: _result(Status.PROVED), 1: _result(Status.FAILED), 2: _result(Status.FAILED)}
    _, tasks = _asked(follow, results)
    follow.done(tasks[-1], SimpleNamespace(ok=True, value=Status.FAILED.value))
    asked, _ = _asked(follow, results)
    fn, args = follow.tasks[follow._index["fix-slip", 2]]
    assert asked == [(fix_at, 2)] and fn is fix_at and args[3] is True     # from the slip's left side


def test_a_failed_or_timed_out_check_from_the_slip_settles_the_step_as_not_inherited():
    d, follow = _setup()
    results = {0: _result(Status.PROVED), 1: _result(Status.FAILED), 2: _result(Status.FAILED)}
    _, tasks = _asked(follow, results)
    follow.done(tasks[-1], SimpleNamespace(ok=False, value=None))
    asked, _ = _asked(follow, results)
    assert asked == [(fix_at, 2)]
    follow.apply(results)
    assert results[2].inherited_from is None
