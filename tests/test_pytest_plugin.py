"""The pytest plugin, driven through pytester on small *.vi files in temporary directories.

Spot-checks are made deterministic with a stand-in family (the conftest below):
it refutes a step whose two sides differ by a nonzero constant and agrees with
every other step, so these tests exercise the plugin, not the numerics.
"""
import os
from pathlib import Path

import numpy  # noqa: F401 -- loaded once here: in-process pytester runs unload what they import,
import pytest  # and numpy cannot be imported a second time in one process

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent
# load the plugin by module name, blocking the installed entry point of the same plugin
PLUGIN = ("-p", "no:vi_sym", "-p", "vi_sym.pytest_plugin")

FAKE_FAMILY = '''
import types, sympy
import vi_sym.scheduler as checker

saved = {}

def fake_families(step, settings):
    return [types.SimpleNamespace(name="fake", batch=None)] if settings.families else []

def fake_spot(step, checker, settings):
    diff = sympy.simplify(step.lhs - step.rhs)
    if diff.is_number and diff != 0:
        cex = {"params": {"mu": 0.5}, "lhs": 1.0, "rhs": 1.0 - float(diff), "difference": float(diff)}
        return types.SimpleNamespace(status="FAILED", n_checked=1, n_total=1, max_error=abs(float(diff)),
                                     counterexample=cex, reason="")
    return types.SimpleNamespace(status="SPOT-CHECKED", n_checked=5, n_total=5, max_error=0.0,
                                 counterexample=None, reason="")

def counting(*args, **kw):
    sel = kw.get("select")

    def checked(d):   # how many of d's steps this call checks
        if sel is None or (d.conclusion is not None and d.conclusion.id in sel):
            return len(d.steps)
        return sum(s.id in sel for s in d.steps)
    with open("checker-calls.txt", "a") as fh:
        fh.write(",".join(sorted(d.name + ":" + str(checked(d)) for d in args[0])) + "\\n")
    return saved["check_derivations"](*args, **kw)

def pytest_sessionstart(session):
    for name, fn in (("applicable_checkers", fake_families), ("spot_task", fake_spot),
                     ("check_derivations", counting)):
        saved[name] = getattr(checker, name)
        setattr(checker, name, fn)

def pytest_sessionfinish(session):
    for name, fn in saved.items():
        setattr(checker, name, fn)
'''

FILE = """# a small derivation file
derivation f
latent: z
observed: x

    log(p(x))
  = log(integrate(p(x,z), z))        by marginalisation     @ 12
  = log(integrate(p(x,z), z)) + 1    by linearity           @ 13
  = log(integrate(p(x,z), z)) + 2    by linearity           xfail: the note adds 1 twice
conclude: log(p(x)) = log(integrate(p(x,z), z)) + 2

derivation g
latent: z
observed: x

    log(p(x))
  = log(integrate(p(x,z), z))        by marginalisation
"""


@pytest.fixture
def vi(pytester, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    pytester.makeconftest(FAKE_FAMILY)
    pytester.makefile(".vi", notes=FILE)
    return pytester


def calls(pytester):
    path = pytester.path / "checker-calls.txt"
    return path.read_text().splitlines() if path.exists() else []


def test_steps_become_tests_with_vi_sym_reports(vi):
    res = vi.runpytest(*PLUGIN, "-v", "-rA")
    res.assert_outcomes(passed=2, failed=1, xfailed=1, skipped=1)
    res.stdout.fnmatch_lines([
        "notes.vi::f::1 PASSED*",
        "notes.vi::f::2 FAILED*",
        "notes.vi::f::3 XFAIL*",
        "notes.vi::f::conclusion SKIPPED*",      # UNKNOWN: it follows from a FAILED step
        "notes.vi::g::1 PASSED*",
    ])
    out = res.stdout.str()
    # the failure is vi_sym's own step report, not a Python traceback
    res.stdout.fnmatch_lines([
        "*_ f::2 _*",
        "FAILED       f::2 * =  linearity  *note:13",
        "    step:     *",
        "    why:      counterexample in fake",
        "    family:   FAILED fake: mu=0.5  lhs=1 rhs=2 difference=-1",
    ])
    assert "Traceback" not in out and "def runtest" not in out and "ViStepFailed" not in out
    res.stdout.fnmatch_lines(["SKIPPED ?1? notes.vi:10: f::conclusion UNKNOWN: follows from the steps*"])
    assert calls(vi) == ["f:3,g:1"]                  # the checker ran once for the file


def test_reportinfo_points_at_the_file_and_line(vi):
    rec = vi.inline_run(*PLUGIN)
    reports = {r.nodeid: r for r in rec.getreports("pytest_runtest_logreport") if r.when == "call"}
    assert reports["notes.vi::f::2"].location == ("notes.vi", 7, "f::2")
    assert reports["notes.vi::f::conclusion"].location == ("notes.vi", 9, "f::conclusion")


def test_strict_xfail_fails_when_the_step_holds(vi):
    vi.makefile(".vi", wrong=FILE.replace("+ 2    by linearity           xfail",
                                           "+ 1    by linearity           xfail"))
    res = vi.runpytest(*PLUGIN, "wrong.vi")
    res.stdout.fnmatch_lines(["*XPASS(strict)*the note adds 1 twice*"])
    assert res.ret == 1


def test_k_selects_steps_and_only_those_are_checked(vi):
    res = vi.runpytest(*PLUGIN, "-k", "f::1 or g::1")
    res.assert_outcomes(passed=2, deselected=3)
    assert calls(vi) == ["f:1,g:1"]


def test_x_stops_at_the_first_failure(vi):
    res = vi.runpytest(*PLUGIN, "-x")
    res.assert_outcomes(passed=1, failed=1)


def test_last_failed_reruns_only_the_failures(vi):
    vi.runpytest(*PLUGIN)
    res = vi.runpytest(*PLUGIN, "--lf", "-v")
    res.assert_outcomes(failed=1, deselected=4)
    res.stdout.fnmatch_lines(["notes.vi::f::2 FAILED*"])


def test_node_id_selects_one_step(vi):
    res = vi.runpytest(*PLUGIN, "notes.vi::g::1")
    res.assert_outcomes(passed=1)


def test_no_family_means_unknown_means_skipped(vi):
    res = vi.runpytest(*PLUGIN, "--vi-sym-family", "none", "--vi-sym-samples", "3",
                       "--vi-sym-timeout", "30", "-rs")
    # the xfail step is UNKNOWN: not shown to fail, xfailed with that reason (as check reports it)
    res.assert_outcomes(passed=2, skipped=2, xfailed=1)
    res.stdout.fnmatch_lines(["*f::2 UNKNOWN: no proof*"])


def test_unknown_family_is_a_usage_error(vi):
    res = vi.runpytest(*PLUGIN, "--vi-sym-family", "nope")
    assert res.ret == pytest.ExitCode.USAGE_ERROR
    res.stderr.fnmatch_lines(["*unknown family 'nope'*"])


def test_malformed_file_is_a_collection_error_naming_file_and_line(vi):
    vi.makefile(".vi", bad="derivation b\nlatent: z\nobserved: x\n\n    log(p(x))\n  = log(p(x) by linearity\n")
    res = vi.runpytest(*PLUGIN, "bad.vi")
    res.assert_outcomes(errors=1)
    res.stdout.fnmatch_lines(["*ERROR collecting bad.vi*",
                              "error: bad.vi:6: derivation 'b' step 1: missing ')'*"])
    assert "Traceback" not in res.stdout.str()


def test_project_test_run_does_not_collect_derivations(vi):
    vi.makepyprojecttoml('[tool.pytest.ini_options]\ntestpaths = ["tests"]\n')
    vi.mkdir("tests")
    (vi.path / "tests" / "test_one.py").write_text("def test_one():\n    assert True\n")
    vi.mkdir("derivations")
    os.replace(vi.path / "notes.vi", vi.path / "derivations" / "notes.vi")
    res = vi.runpytest(*PLUGIN)
    res.assert_outcomes(passed=1)
    assert calls(vi) == []
    res = vi.runpytest(*PLUGIN, "derivations")
    res.assert_outcomes(passed=2, failed=1, xfailed=1, skipped=1)


def test_plugin_as_installed_entry_point(vi):
    """Through the pyproject entry point when vi_sym is installed (pip install -e .)."""
    from importlib.metadata import entry_points
    if not [ep for ep in entry_points(group="pytest11") if ep.value == "vi_sym.pytest_plugin"]:
        pytest.skip("vi_sym is not installed; the entry point is not registered")
    res = vi.runpytest_subprocess("notes.vi::g::1")
    res.assert_outcomes(passed=1)


XDIST_COUNT = '''
import os

def pytest_runtest_call(item):
    if hasattr(item, "step"):
        with open("ran-" + os.environ.get("PYTEST_XDIST_WORKER", "main") + ".txt", "a") as fh:
            fh.write(item.step.id + "\\n")
'''


def test_under_xdist_each_derivation_is_checked_once_by_the_worker_it_is_handed_to(vi):
    pytest.importorskip("xdist")
    vi.makeconftest(FAKE_FAMILY + XDIST_COUNT)
    res = vi.runpytest_subprocess(*PLUGIN, "-p", "xdist", "-n", "2", "-rA")
    res.assert_outcomes(passed=2, failed=1, xfailed=1, skipped=1)
    ran = {f.name: f.read_text().split() for f in vi.path.glob("ran-gw*.txt")}
    assert sorted(s for ids in ran.values() for s in ids) == ["f::1", "f::2", "f::3", "f::conclusion", "g::1"]
    # one check_derivations call per group of derivations (f and g fall in different groups),
    # in the worker it was handed to: no step
    # is checked twice, no file re-run per worker
    assert sorted(calls(vi)) == ["f:3", "g:1"]
    workers = {w: {i.split("::")[0] for i in ids} for w, ids in ran.items()}
    assert all(len(ds) == 1 for ds in workers.values()) or len(workers) == 1


JOBS_RECORD = '''
import os

def pytest_collection_finish(session):
    import vi_sym.scheduler as checker
    inner = checker.check_derivations
    # this run's own xdist worker id (the environment may be an outer xdist worker's)
    who = getattr(session.config, "workerinput", {}).get("workerid", "main")

    def recording(derivations, settings=None, **kw):
        with open("jobs-" + who + ".txt", "a") as fh:
            fh.write(f"{settings.jobs} {kw['workers'].jobs}\\n")
        return inner(derivations, settings, **kw)
    checker.check_derivations = recording
'''


def _jobs_seen(pytester) -> dict:
    return {f.name: set(f.read_text().split("\n")) - {""} for f in pytester.path.glob("jobs-*.txt")}


def test_without_xdist_the_plugin_checks_in_one_worker_unless_asked(vi):
    # the parallelism is xdist's: a plain run does not start a pool of its own
    vi.makeconftest(FAKE_FAMILY + JOBS_RECORD)
    vi.runpytest_subprocess(*PLUGIN).assert_outcomes(passed=2, failed=1, xfailed=1, skipped=1)
    assert _jobs_seen(vi) == {"jobs-main.txt": {"1 1"}}
    for f in vi.path.glob("jobs-*.txt"):
        f.unlink()
    vi.runpytest_subprocess(*PLUGIN, "--vi-sym-jobs", "3").assert_outcomes(
        passed=2, failed=1, xfailed=1, skipped=1)
    assert _jobs_seen(vi) == {"jobs-main.txt": {"3 3"}}


def test_under_xdist_each_worker_checks_in_one_worker_process(vi):
    pytest.importorskip("xdist")
    vi.makeconftest(FAKE_FAMILY + JOBS_RECORD)
    vi.runpytest_subprocess(*PLUGIN, "-p", "xdist", "-n", "2").assert_outcomes(
        passed=2, failed=1, xfailed=1, skipped=1)
    seen = _jobs_seen(vi)
    assert seen and "jobs-main.txt" not in seen and all(v == {"1 1"} for v in seen.values())


def test_a_bad_jobs_value_is_a_usage_error(vi):
    res = vi.runpytest_subprocess(*PLUGIN, "--vi-sym-jobs", "-1")
    assert res.ret == pytest.ExitCode.USAGE_ERROR
    res.stderr.fnmatch_lines(["*--vi-sym-jobs must be between 0 and *"])


def test_workers_share_the_on_disk_cache(vi):
    pytest.importorskip("xdist")
    first = vi.runpytest_subprocess(*PLUGIN, "-p", "xdist", "-n", "2")
    first.assert_outcomes(passed=2, failed=1, xfailed=1, skipped=1)
    entries = sorted(p.name for p in (vi.path / ".vi_sym_cache").glob("*.json"))
    assert entries and not list((vi.path / ".vi_sym_cache").glob(".tmp-*"))
    second = vi.runpytest_subprocess(*PLUGIN, "-p", "xdist", "-n", "2")
    second.assert_outcomes(passed=2, failed=1, xfailed=1, skipped=1)
    assert sorted(p.name for p in (vi.path / ".vi_sym_cache").glob("*.json")) == entries


NOTE = """A note with prose around its equations
log p(x) >= ELBO
and a line that cannot be read: argmin(q) KL
"""


def test_a_note_named_on_the_command_line_is_collected(vi):
    vi.makefile(".txt", mynote=NOTE)
    vi.makefile(".md", other="$$\\log p(x) \\geq \\mathcal{L}(q)$$\n")
    res = vi.runpytest(*PLUGIN, "mynote.txt", "-v")
    res.assert_outcomes(passed=1)
    res.stdout.fnmatch_lines(["*mynote.txt::mynote_line2::1 PASSED*"])
    # a directory scan stays *.vi only: the notes are not collected
    res = vi.runpytest(*PLUGIN, ".", "--co", "-q")
    assert "mynote" not in res.stdout.str() and "other" not in res.stdout.str()
    assert "notes.vi::f::1" in res.stdout.str()
