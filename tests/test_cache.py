"""The verdict cache: reused when nothing changed, never trusted when damaged."""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import vi_sym.scheduler as checker
from vi_sym.cache import Cache
from vi_sym.scheduler import Settings, check_derivations
from vi_sym.core import Status
from vi_sym.loader import load_text

ROOT = Path(__file__).resolve().parent.parent
TEXT = """
derivation d
latent: z
observed: x

    log(p(x))
  = log(integrate(p(x,z), z))              by marginalisation
  = log(E_q(z)[p(x,z)/q(z)])               by expectation_definition
  >= E_q(z)[log(p(x,z)/q(z))]              by jensen
conclude: log(p(x)) >= ELBO(q(z), p(x,z))
"""


def _derivs():
    ds, errs = load_text(TEXT, "d.vi")
    assert not errs
    return ds


def _settings(**kw):
    return Settings(**{"families": (), "jobs": 2, "timeout": 20, **kw})


def _run(cache, **kw):
    return check_derivations(_derivs(), _settings(**kw), cache=cache)


def _boom(*args):
    raise AssertionError("a worker ran although the verdict was cached")


def _statuses(report):
    return [r.status for r in report.results]


def _count_tasks(monkeypatch):
    seen = []
    real = checker.run_tasks

    def counting(tasks, **kw):
        seen.append(len(tasks))
        return real(tasks, **kw)
    monkeypatch.setattr(checker, "run_tasks", counting)
    return seen


def test_second_run_reuses_every_verdict(tmp_path, monkeypatch):
    first = _run(Cache(tmp_path))
    assert _statuses(first) == [Status.PROVED] * 4
    monkeypatch.setattr(checker, "prove_task", _boom)
    monkeypatch.setattr(checker, "conclusion_task", _boom)
    seen = _count_tasks(monkeypatch)
    cache = Cache(tmp_path)
    second = _run(cache)
    assert seen == []                                    # no worker was started
    assert (cache.hits, cache.misses, cache.stored) == (4, 0, 0)
    for a, b in zip(first.results, second.results):
        assert (a.step_id, a.status, a.trace, a.source, a.note_line, a.justification, a.seconds) == \
               (b.step_id, b.status, b.trace, b.source, b.note_line, b.justification, b.seconds)


def test_changed_settings_seed_or_step_miss(tmp_path):
    _run(Cache(tmp_path))
    for kw in ({"seed": 1}, {"samples": 7}, {"tol": 1e-3}, {"timeout": 5}):
        cache = Cache(tmp_path)
        _run(cache, **kw)
        assert cache.hits == 0 and cache.misses == 4, kw
    changed = load_text(TEXT.replace("by jensen", "by jensen, kl_nonnegative"), "d.vi")[0]
    cache = Cache(tmp_path)
    check_derivations(changed, _settings(), cache=cache)
    assert cache.hits == 3 and cache.misses == 1         # only the step citing another rule is new


def test_families_are_part_of_the_key(tmp_path):
    step = _derivs()[0].steps[0]
    c = Cache(tmp_path)
    assert c.step_key(step, [], _settings()) != c.step_key(step, ["normal-normal"], _settings())
    assert c.step_key(step, [], _settings()) == c.step_key(step, [], _settings(jobs=7))


def test_corrupt_or_foreign_files_are_ignored_with_a_warning(tmp_path, capsys):
    _run(Cache(tmp_path))
    # step entries first: the bad status below must land on a step entry (file names are
    # hashes, so a plain sort would make the test depend on vi_sym's source fingerprint)
    files = sorted(tmp_path.glob("*.json"),
                   key=lambda f: (json.loads(f.read_text(encoding="utf-8"))["kind"] != "step", f.name))
    assert len(files) == 4
    files[0].write_text("{not json", encoding="utf-8")
    doc = json.loads(files[1].read_text(encoding="utf-8"))
    doc["value"]["status"] = "TRUST ME"
    files[1].write_text(json.dumps(doc), encoding="utf-8")
    doc = json.loads(files[2].read_text(encoding="utf-8"))
    doc["key"] = "0" * 64                                # someone else's entry under this name
    files[2].write_text(json.dumps(doc), encoding="utf-8")
    files[3].write_bytes(b"\x80\x81 binary junk")
    cache = Cache(tmp_path)
    report = _run(cache)
    assert _statuses(report) == [Status.PROVED] * 4
    warnings = [ln for ln in capsys.readouterr().err.splitlines() if "warning" in ln]
    assert len(warnings) == 4 and all("ignoring corrupt or foreign cache file" in w for w in warnings)
    assert (cache.hits, cache.misses, cache.stored) == (0, 4, 4)
    again = Cache(tmp_path)
    _run(again)
    assert again.hits == 4                               # rewritten, good again
    assert not list(tmp_path.glob(".tmp-*"))             # atomic writes leave no temp files


def test_timeouts_and_crashes_are_not_cached(tmp_path, monkeypatch):
    monkeypatch.setattr(checker, "prove_task", lambda step: time.sleep(30))
    cache = Cache(tmp_path)
    report = check_derivations(_derivs(), _settings(timeout=0.5), cache=cache)
    assert Status.UNKNOWN in _statuses(report)
    monkeypatch.setattr(checker, "prove_task", _boom)
    crashed = check_derivations(_derivs(), _settings(timeout=0.5), cache=cache)
    assert Status.ERROR in _statuses(crashed)
    assert not [f for f in tmp_path.glob("*.json")
                if json.loads(f.read_text())["kind"] == "step"]


def test_conclusion_is_merged_afresh_from_its_steps(tmp_path, monkeypatch):
    _run(Cache(tmp_path))
    ds = _derivs()
    prev = None
    for step in ds[0].steps:                             # forget the steps, keep the conclusion's check
        (tmp_path / f"{Cache(tmp_path).step_key(step, [], _settings(), prev)}.json").unlink()
        prev = step.lhs
    monkeypatch.setattr(checker, "prove_task", lambda step: {"proved": False, "trace": [], "residual": "r",
                                                             "uncited": (), "atom": ""})
    monkeypatch.setattr(checker, "conclusion_task", _boom)
    cache = Cache(tmp_path)
    report = check_derivations(ds, _settings(), cache=cache)
    assert cache.hits == 1
    concl = report.results[-1]
    assert concl.step == "conclusion" and concl.status is Status.UNKNOWN
    assert "a step is UNKNOWN" in concl.reason


def test_unwritable_cache_warns_once_and_still_checks(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    report = _run(Cache(blocker / "cache"))
    assert _statuses(report) == [Status.PROVED] * 4
    err = capsys.readouterr().err
    assert err.count("cannot write the cache") == 1


def _cli(cwd, *args):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "vi_sym", "check", "d.vi", "--family", "none", *args],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_cli_cache_flags(tmp_path):
    (tmp_path / "d.vi").write_text(TEXT, encoding="utf-8")
    _cli(tmp_path, "--no-cache")
    assert not (tmp_path / ".vi_sym_cache").exists()
    cold = _cli(tmp_path)
    assert cold.returncode == 0 and (tmp_path / ".vi_sym_cache" / ".gitignore").is_file()
    warm = _cli(tmp_path)
    assert warm.returncode == 0 and "cache: 4 verdict(s) reused, 0 checked" in warm.stdout
    assert [ln.split()[:2] for ln in warm.stdout.splitlines()[:4]] == \
        [ln.split()[:2] for ln in cold.stdout.splitlines()[:4]]
    other = _cli(tmp_path, "--cache-dir", "elsewhere")
    assert "reused" not in other.stdout and len(list((tmp_path / "elsewhere").glob("*.json"))) == 4


def _hammer(cache_dir, docs, rounds, seen):
    """Store every (key, kind, value) of ``docs`` ``rounds`` times, reading each back in
    between; ``seen`` collects what the reads found."""
    warnings = []
    cache = Cache(cache_dir, warn=warnings.append)
    for _ in range(rounds):
        for key, kind, value in docs:
            cache._save(key, kind, value)
            got = cache._load(key, kind, {})
            seen.put(got == value)
    seen.put(("warnings", tuple(warnings)))


def test_concurrent_writers_and_readers_never_see_half_an_entry(tmp_path):
    import multiprocessing as mp
    first = _run(Cache(tmp_path))
    assert _statuses(first) == [Status.PROVED] * 4
    docs = []
    for p in sorted(tmp_path.glob("*.json")):
        doc = json.loads(p.read_text())
        docs.append((doc["key"], doc["kind"], doc["value"]))
    assert docs
    ctx = mp.get_context("fork")
    seen = ctx.Queue()
    procs = [ctx.Process(target=_hammer, args=(tmp_path, docs, 15, seen)) for _ in range(4)]
    for p in procs:
        p.start()
    reads = [seen.get(timeout=120) for _ in range(4 * 15 * len(docs) + 4)]
    for p in procs:
        p.join(60)
    assert all(p.exitcode == 0 for p in procs)
    assert [r for r in reads if not isinstance(r, tuple)] == [True] * (4 * 15 * len(docs))
    assert [r for r in reads if isinstance(r, tuple)] == [("warnings", ())] * 4
    assert not list(tmp_path.glob(".tmp-*"))
    # and a fresh run still reuses every entry
    cache = Cache(tmp_path)
    again = _run(cache)
    assert _statuses(again) == _statuses(first) and cache.hits == 4 and cache.misses == 0
