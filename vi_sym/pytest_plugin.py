"""pytest plugin: ``pytest derivations/`` checks every ``*.vi`` file, one test per step.

Registered as the ``pytest11`` entry point ``vi_sym``.  A file is collected as
``FILE::DERIVATION::STEP`` items (one per step and one per conclusion); a step
passes when PROVED or SPOT-CHECKED, fails with vi_sym's own step report
(residual, counterexample, reason -- no Python traceback) when FAILED or
ERROR, and is skipped with the reason when UNKNOWN (fails under ``--vi-sym-strict``).
A step marked ``xfail`` is a strict xfail; one that comes out UNKNOWN was not shown
to fail and is reported xfailed with that reason (failed under ``--vi-sym-strict``), as
under ``check``.  A file with input errors is a collection error naming file
and line.  Without xdist the checker runs once per file, at the file's first test, on the
selected steps only (``-k``, ``--lf``; a selected conclusion brings in its
whole derivation).  Options: ``--vi-sym-family``, ``--vi-sym-samples``,
``--vi-sym-timeout``, ``--vi-sym-jobs``, ``--vi-sym-strict`` (an UNKNOWN step fails).

Only ``*.vi`` files are touched -- and a note (``.txt``, ``.md``, ``.ipynb``: any suffix with a
reader in :mod:`vi_sym.frontends`) named explicitly on the command line (``pytest notes.md``;
directory scans stay ``*.vi`` only, as for ``python -m vi_sym check``) -- and vi_sym itself is
imported lazily (inside the functions, for start-up time), so the plugin is inert in test runs
that collect no derivation files.

The parallelism is pytest-xdist's (``-n``): without it the plugin checks in one worker
process (``--vi-sym-jobs N`` for N, 0 = one per core).  Under pytest-xdist the derivations of a
file go to the xdist workers in a few groups (a scheduler of the plugin's own, for the default
``--dist load``; every step of a derivation in the same group); each worker checks the groups
it is handed, one at a time, with one worker process of its own, and workers share verdicts
through the on-disk cache
(``--vi-sym-cache-dir``, ``--vi-sym-no-cache``).  A pytest process forks its worker
processes once, for the whole session (the tasks of later checks are sent to them), so
what they computed for one file or group serves the next.
"""
from __future__ import annotations

import os
import zlib
from pathlib import Path

import pytest


def pytest_addoption(parser):
    g = parser.getgroup("vi_sym", "vi_sym derivation files (*.vi)")
    g.addoption("--vi-sym-family", action="append", default=None, metavar="NAME",
                help="spot-check *.vi steps in this family (repeatable; 'all' (default) or 'none')")
    g.addoption("--vi-sym-samples", type=int, default=50, metavar="N",
                help="vi_sym: draws per step and family (default 50)")
    g.addoption("--vi-sym-timeout", type=float, default=20.0, metavar="SECONDS",
                help="vi_sym: time limit per step (default 20)")
    g.addoption("--vi-sym-jobs", type=int, default=None, metavar="N",
                help="vi_sym: worker processes of each pytest process (default 1: pytest's own "
                     "scale-out is pytest-xdist, -n; 0 = one per core)")
    g.addoption("--vi-sym-fix-timeout", type=float, default=5.0, metavar="SECONDS",
                help="vi_sym: time limit of the likely-fix search per FAILED step (default 5)")
    g.addoption("--vi-sym-cache-dir", default=None, metavar="DIR",
                help="vi_sym: reuse verdicts of unchanged steps from DIR (default .vi_sym_cache "
                     "in the directory pytest was started in)")
    g.addoption("--vi-sym-no-cache", action="store_true", default=False,
                help="vi_sym: check every step afresh; read and write no cache")
    g.addoption("--vi-sym-strict", action="store_true", default=False,
                help="vi_sym: an UNKNOWN step fails (instead of being skipped), as with check --strict")


def pytest_configure(config):
    fams = config.getoption("vi_sym_family", None) or []
    named = [f for f in fams if f not in ("all", "none")]
    if named:
        from .families import FAMILIES  # vi_sym is loaded lazily, see the top
        unknown = [f for f in named if f not in FAMILIES]
        if unknown:
            raise pytest.UsageError(f"--vi-sym-family: unknown family {unknown[0]!r}; "
                                    f"known: all, none, {', '.join(sorted(FAMILIES))}")
    from .settings import SettingError, Settings, validate  # vi_sym is loaded lazily, see the top
    try:
        validate(Settings(timeout=config.getoption("vi_sym_timeout", 20.0),
                          jobs=_jobs(config),
                          fix_timeout=config.getoption("vi_sym_fix_timeout", 5.0),
                          samples=config.getoption("vi_sym_samples", 50)),
                 flag=lambda name: f"--vi-sym-{name}")
    except SettingError as err:
        raise pytest.UsageError(str(err)) from None


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """Under ``-n`` with xdist's default ``--dist load``: every other test is handed out on
    its own as before, but the steps of one derivation go to one worker together, so each
    step is checked once and a derivation's spot-checks share their draws."""
    if config.getoption("dist", None) != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling  # present: this hook is xdist's

    class DerivationScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _scope(nodeid)

    return DerivationScheduling(config, log)


#: the derivations of one file are dealt to xdist workers in this many groups: a group is
#: checked in one go (one worker process forked, draws and compiled sides shared), and there
#: are still enough groups to keep every worker busy
GROUPS_PER_FILE = 8


def _scope(nodeid: str) -> str:
    """The unit xdist hands out: ``FILE::group k`` for a step of a derivation (the group by a
    stable hash of the derivation's name, so all its steps go together); a test of any other
    kind on its own."""
    file = nodeid.split("::", 1)[0]
    if file.endswith(".vi") or (not file.endswith(".py") and nodeid.count("::") >= 2):
        derivation = nodeid.split("::")[1]
        return f"{file}::group {zlib.crc32(derivation.encode()) % GROUPS_PER_FILE}"
    return nodeid


def _named(config) -> set:
    """The files named on the command line (not found by a directory scan), resolved."""
    here = Path(config.invocation_params.dir)
    return {(here / a.split("::", 1)[0]).resolve() for a in config.args}


def pytest_collect_file(file_path, parent):
    """``*.vi`` files wherever they are; a note (``.txt``, ``.md``, ``.ipynb``: any suffix with a
    vi_sym reader) only when named on the command line, as ``python -m vi_sym check`` does."""
    if file_path.suffix == ".vi":
        return ViFile.from_parent(parent, path=file_path)
    if file_path.suffix != ".py" and file_path.resolve() in _named(parent.config):
        from .frontends import reader_for  # vi_sym is loaded lazily, see the top
        if reader_for(file_path) is not None:
            return ViFile.from_parent(parent, path=file_path)
    return None


class ViStepReport(Exception):
    """A step that is not as it should be; carries its StepResult for the report."""

    def __init__(self, result):
        super().__init__(result.step_id)
        self.result = result


class ViStepFailed(ViStepReport):
    """A step that FAILED (a counterexample, or what an ``xfail`` step must do)."""


class ViStepError(ViStepReport):
    """A step that could not be checked (ERROR)."""


class ViStepUnknown(ViStepReport):
    """An UNKNOWN step that must not pass: under ``--vi-sym-strict``, or marked ``xfail``
    (an expected failure that is UNKNOWN was not shown to fail)."""


def _xdist_worker(config) -> bool:
    return hasattr(config, "workerinput")


def _jobs(config) -> int:
    """The worker processes of this pytest process: ``--vi-sym-jobs`` when given, else one.
    pytest's scale-out is pytest-xdist (``-n``): each xdist worker checks the derivations it
    is handed in one worker process of its own (a time-limited process, so a hanging step
    is stopped), and a run without ``-n`` uses one core, as pytest does."""
    jobs = config.getoption("vi_sym_jobs", None)
    return 1 if jobs is None else jobs


def _settings(config):
    from .settings import Settings  # vi_sym is loaded lazily, see the top
    fams = config.getoption("vi_sym_family") or ["all"]
    return Settings(timeout=config.getoption("vi_sym_timeout"),
                    fix_timeout=config.getoption("vi_sym_fix_timeout"),
                    families=() if "none" in fams else tuple(fams),
                    samples=config.getoption("vi_sym_samples"),
                    jobs=_jobs(config))


def _workers(config, settings):
    """The pool of worker processes of this pytest process, kept for the whole session: its
    workers keep what they computed (draws, compiled densities, the prover's caches) from one
    file or group to the next instead of a pool forked per check."""
    workers = getattr(config, "_vi_sym_workers", None)
    if workers is None:
        from .isolation import Workers  # vi_sym is loaded lazily, see the top
        workers = config._vi_sym_workers = Workers([], jobs=settings.resolved_jobs(),
                                                   timeout=settings.timeout)
    return workers


def pytest_unconfigure(config):
    workers = getattr(config, "_vi_sym_workers", None)
    if workers is not None:
        workers.close()
        config._vi_sym_workers = None


def _cache(config):
    if config.getoption("vi_sym_no_cache", False):
        return None
    where = config.getoption("vi_sym_cache_dir", None)
    from .cache import DEFAULT_DIR, Cache  # vi_sym is loaded lazily, see the top
    return Cache(where or Path(config.invocation_params.dir) / DEFAULT_DIR)


def _skip_here(reason):
    """Skip, reported at the step's file and line rather than at this module."""
    try:
        exc = pytest.skip.Exception(reason, _use_item_location=True)
    except TypeError:          # a pytest without item locations for skips
        pytest.skip(reason)
    raise exc


class ViFile(pytest.File):
    """A ``*.vi`` file (or a note named on the command line): its derivations, checked together
    at the first test that needs them."""

    _results = None
    _failure = None

    def _display_path(self) -> str:
        try:
            rel = os.path.relpath(self.path, self.config.invocation_params.dir)
        except ValueError:
            return str(self.path)
        return rel if Path(rel).resolve() == self.path.resolve() else str(self.path)

    def collect(self):
        from .loader import load_file  # vi_sym is loaded lazily, see the top
        derivs, errors = load_file(self._display_path())
        if errors:
            raise self.CollectError("\n".join(f"error: {e}" for e in errors))
        for d in derivs:
            yield ViDerivation.from_parent(self, name=d.name, derivation=d)

    def result_for(self, item):
        """The item's verdict.  Without pytest-xdist the file's selected steps are checked
        together at its first test; in an xdist worker, the selected steps of its group of
        derivations at the group's first test (xdist hands a group to one worker, see
        :func:`pytest_xdist_make_scheduler`; workers share verdicts through the cache)."""
        if self._failure is not None:          # the checker broke once: every test says so
            raise self._failure
        if self._results is None:
            self._results = {}
        if item.step.id not in self._results:
            try:
                self._results.update(self._check(item))
            except Exception as exc:
                self._failure = exc
                raise
        return self._results[item.step.id]

    def _check(self, item) -> dict:
        if _xdist_worker(self.config):      # the group of derivations handed to this worker
            scope = _scope(item.nodeid)
            mine = [it for it in item.session.items if isinstance(it, ViStep) and it.parent.parent is self
                    and _scope(it.nodeid) == scope]
            select, nodes = {it.step.id for it in mine}, list(dict.fromkeys(it.parent for it in mine))
        else:
            mine = [it for it in item.session.items if isinstance(it, ViStep) and it.parent.parent is self]
            select, nodes = {it.step.id for it in mine}, list(dict.fromkeys(it.parent for it in mine))
        from .scheduler import check_derivations  # vi_sym is loaded lazily, see the top
        settings = _settings(self.config)
        report = check_derivations([n.derivation for n in nodes], settings, cache=_cache(self.config),
                                   select=select, workers=_workers(self.config, settings))
        if report.interrupted:
            raise KeyboardInterrupt
        return {r.step_id: r for r in report.results}


class ViDerivation(pytest.Collector):
    """One derivation of a file: its steps, then its conclusion."""

    def __init__(self, *, derivation, **kw):
        super().__init__(**kw)
        self.derivation = derivation

    def collect(self):
        from .assemble import conclusions_of  # vi_sym is loaded lazily, see the top
        d = self.derivation
        steps = list(d.steps) + conclusions_of(d)
        for s in steps:
            yield ViStep.from_parent(self, name=s.name, step=s)


class ViStep(pytest.Item):
    """One step (or conclusion) of a derivation."""

    def __init__(self, *, step, **kw):
        super().__init__(**kw)
        self.step = step
        self.extra_keyword_matches.add(step.id)
        if step.expect == "fails":
            self.add_marker(pytest.mark.xfail(reason=step.expect_reason or "marked xfail",
                                              strict=True, raises=ViStepFailed))

    def runtest(self):
        from .core import Status  # vi_sym is loaded lazily, see the top
        r = self.parent.parent.result_for(self)
        if r.status is Status.ERROR:
            raise ViStepError(r)
        if r.status is Status.FAILED:
            raise ViStepFailed(r)
        if r.status is Status.UNKNOWN:
            if self.config.getoption("vi_sym_strict", False):
                raise ViStepUnknown(r)
            if r.expect == "fails":            # as under check: not shown to fail, not a failure
                pytest.xfail(f"{r.step_id} UNKNOWN: not shown to fail: {' '.join(r.reason.split())}")
            _skip_here(f"{r.step_id} UNKNOWN: {' '.join(r.reason.split())}")
        # PROVED / SPOT-CHECKED pass; for an xfail step a pass is a strict XPASS (a failure)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ViStepReport):
            from .report import step_lines  # vi_sym is loaded lazily, see the top
            r = excinfo.value.result
            lines = step_lines(r, verbose=self.config.getoption("verbose") > 0)
            if isinstance(excinfo.value, ViStepUnknown):
                lines.insert(0, "expected to fail, but UNKNOWN: not shown to fail" if r.expect == "fails"
                             else "UNKNOWN fails under --vi-sym-strict")
            return "\n".join(lines)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        line = self.step.source.line
        return self.path, (line - 1 if line else None), self.step.id
