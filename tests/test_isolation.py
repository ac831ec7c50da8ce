"""Worker isolation: hangs, exceptions, crashes and recursion become outcomes, never a dead run."""
import os
import time

from vi_sym.isolation import run_tasks


def ok(v):
    return v * 2


def hang():
    while True:
        time.sleep(0.05)


def boom():
    raise ValueError("bad step")


def die():
    os._exit(3)


def recurse(n=0):
    return recurse(n + 1)


def test_every_task_gets_an_outcome_in_order():
    outs = run_tasks([(ok, (1,)), (hang, ()), (boom, ()), (die, ()), (recurse, ()), (ok, (21,))],
                     jobs=2, timeout=1.0)
    assert [o.ok for o in outs] == [True, False, False, False, False, True]
    assert outs[0].value == 2 and outs[5].value == 42
    assert outs[1].kind == "timeout" and "1 s" in outs[1].message
    assert outs[2].kind == "error" and "ValueError: bad step" in outs[2].message
    assert outs[3].kind == "crash" and "exit code 3" in outs[3].message
    assert outs[4].kind == "error" and "recursion" in outs[4].message


def test_a_hang_costs_only_its_time_limit():
    t0 = time.perf_counter()
    outs = run_tasks([(hang, ())] + [(ok, (i,)) for i in range(6)], jobs=2, timeout=0.5)
    assert time.perf_counter() - t0 < 10
    assert [o.value for o in outs[1:]] == [0, 2, 4, 6, 8, 10]


_SEEN: list = []


def remember(v):
    """What this worker process has seen so far (its own memory, kept between tasks)."""
    _SEEN.append(v)
    return os.getpid(), list(_SEEN)


def test_workers_keep_their_memory_across_runs_and_take_tasks_added_while_running():
    from vi_sym.isolation import Workers
    tasks = [(remember, (i,)) for i in range(4)]
    order = []
    with Workers(tasks, jobs=1, timeout=5.0) as workers:
        def done(i, out):
            order.append(i)
            if i == 0:
                workers.submit(3, first=True)     # ahead of task 1, which is still waiting
        first = workers.run([0, 1], done)
        second = workers.run([2])
    assert order == [0, 3, 1]
    assert first[2] is None and second[0] is None and second[1] is None
    pid = first[0].value[0]
    # one worker served both runs and remembers every task it ran
    assert second[2].value == (pid, [0, 3, 1, 2])
    assert pid != os.getpid() and _SEEN == []


def test_a_worker_killed_for_overrunning_is_replaced_and_the_run_goes_on():
    from vi_sym.isolation import Workers
    with Workers([(hang, ()), (ok, (5,))], jobs=1, timeout=0.5) as workers:
        outs = workers.run([0, 1])
        again = workers.run([1])
    assert outs[0].kind == "timeout" and outs[1].value == 10 and again[1].value == 10


def test_a_task_added_after_the_fork_is_sent_pickled_or_else_to_a_fresh_worker():
    from vi_sym.isolation import Workers
    with Workers([(remember, ("a",))], jobs=1, timeout=5.0) as workers:
        first = workers.run([0])[0].value
        i = workers.add([(remember, ("b",)), (lambda: remember("c"), ())])   # the second cannot be pickled
        later = workers.run([i, i + 1])
    pid = first[0]
    assert later[i].value == (pid, ["a", "b"])          # the same worker, its memory kept
    fresh_pid, seen = later[i + 1].value
    assert fresh_pid != pid and seen == ["c"]           # a fresh worker, forked with the task


def pair(a, b="none"):
    return a, b


def test_a_task_submitted_with_extra_arguments_runs_with_them_appended():
    # known before the fork (sent as its index and the extra values), added after it
    # (sent pickled with them), and in the calling process where fork is unavailable
    from vi_sym import isolation
    from vi_sym.isolation import Workers
    with Workers([(pair, (1,)), (pair, (2,))], jobs=1, timeout=5.0) as workers:
        def done(i, out):
            if i == 0:
                workers.submit(1, first=True, extra=("given",))
        outs = workers.run([0], done)
        j = workers.add([(pair, (3,))])
        workers.submit(j, extra=("later",))     # the extra values stay with the task for the run
        later = workers.run([j])
    assert outs[0].value == (1, "none") and outs[1].value == (2, "given") and later[j].value == (3, "later")
    here = Workers([(pair, (4,))], jobs=1)
    saved = isolation._fork_available
    isolation._fork_available = lambda: False
    try:
        here.submit(0, extra=("here",))
        assert here.run([0])[0].value == (4, "here")
    finally:
        isolation._fork_available = saved


def frozen_count():
    import gc
    return gc.get_freeze_count()


def test_a_worker_never_collects_what_it_inherited_and_the_parent_still_does():
    """What the parent held at the fork is frozen in the worker (its collections skip it, and
    so never copy its pages), while the parent's own objects stay collectable."""
    import gc
    before = gc.get_freeze_count()
    outs = run_tasks([(frozen_count, ()), (frozen_count, ())], jobs=2, timeout=30.0)
    assert all(o.ok for o in outs)
    assert all(o.value > 1000 for o in outs)          # the worker's inherited heap is frozen
    assert gc.get_freeze_count() == before == 0       # the parent unfroze it after forking
