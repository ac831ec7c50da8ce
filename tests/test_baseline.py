"""The proofs lock: format, comparison, and the CLI's --baseline / --update-baseline."""
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from vi_sym.report.baseline import (Entry, LockError, compare, diff_lines, entries, format_lock, read_lock,
                             write_lock)
from vi_sym.scheduler import Report
from vi_sym.core import Status, StepResult

ROOT = Path(__file__).resolve().parent.parent


def _r(sid, status, families=(), expect="holds"):
    d, s = sid.split("::")
    return StepResult(sid, d, s, Status(status), expect=expect,
                      families=[{"family": f, "status": st} for f, st in families])


def _report(*results):
    return Report(list(results))


def test_lock_is_sorted_stable_and_round_trips(tmp_path):
    rs = [_r("d::10", "PROVED"), _r("d::2", "UNKNOWN", [("normal-normal", "SPOT-CHECKED")]),
          _r("a::1", "FAILED", expect="fails"), _r("d::conclusion", "SPOT-CHECKED")]
    text = format_lock(entries(_report(*rs)))
    shuffled = rs[:]
    random.Random(1).shuffle(shuffled)
    assert format_lock(entries(_report(*shuffled))) == text
    body = [ln for ln in text.splitlines() if not ln.startswith("#")]
    assert body == ["a::1  FAILED  xfail", "d::2  UNKNOWN", "d::2 [normal-normal]  SPOT-CHECKED",
                    "d::10  PROVED", "d::conclusion  SPOT-CHECKED"]
    assert text.startswith("# vi_sym.lock/1")
    path = tmp_path / "proofs.lock"
    write_lock(_report(*rs), path)
    written = path.read_text(encoding="utf-8")
    assert "# made with: --family none --samples 50 --seed 0" in written
    assert [ln for ln in written.splitlines() if not ln.startswith("#")] == body
    assert read_lock(path) == entries(_report(*rs))
    assert [p.name for p in tmp_path.iterdir()] == ["proofs.lock"]      # no temp file left
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask                # a normal file, not mkstemp's 0600


def test_downgrades_upgrades_new_and_gone():
    old = entries(_report(_r("k::3", "PROVED", [("normal-normal", "SPOT-CHECKED")]), _r("k::4", "UNKNOWN"),
                          _r("k::5", "SPOT-CHECKED"), _r("k::6", "PROVED")))
    new = entries(_report(_r("k::3", "UNKNOWN", [("normal-normal", "FAILED")]), _r("k::4", "PROVED"),
                          _r("k::5", "ERROR"), _r("k::7", "PROVED")))
    diff = compare(old, new)
    assert diff.regressed
    lines = diff_lines(diff, "proofs.lock")
    assert lines[0] == "baseline proofs.lock: 3 downgrade(s), 1 upgrade(s), 1 new, 1 gone"
    assert "- k::3  PROVED -> UNKNOWN" in lines
    assert "- k::3 [normal-normal]  SPOT-CHECKED -> FAILED" in lines
    assert "- k::5  SPOT-CHECKED -> ERROR" in lines
    assert "+ k::4  UNKNOWN -> PROVED" in lines
    assert "  new: k::7  PROVED" in lines
    assert any(ln.startswith("warning: gone") and "k::6" in ln for ln in lines)


def test_error_counts_as_failed_and_new_or_gone_alone_do_not_fail():
    assert not compare(entries(_report(_r("k::1", "FAILED"))), entries(_report(_r("k::1", "ERROR")))).regressed
    diff = compare(entries(_report(_r("k::1", "PROVED"))), entries(_report(_r("k::2", "PROVED"))))
    assert not diff.regressed and diff.new and diff.gone


def test_expected_failures_compare_on_as_expected():
    xf = lambda st: entries(_report(_r("k::1", st, [("categorical", "FAILED")], expect="fails")))  # noqa: E731
    assert not compare(xf("FAILED"), xf("FAILED")).regressed
    d = compare(xf("FAILED"), xf("UNKNOWN"))                 # no longer refuted: not as expected
    assert d.regressed and d.downgrades[0][0] == ("k::1", None)
    assert compare(xf("PROVED"), xf("FAILED")).upgrades
    fam = compare(xf("FAILED"), entries(_report(_r("k::1", "FAILED", [("categorical", "UNKNOWN")],
                                                   expect="fails"))))
    assert not fam.regressed and fam.changed                 # an xfail step's families: informational


def test_lock_reads_expectations(tmp_path):
    p = tmp_path / "x.lock"
    p.write_text("# vi_sym.lock/1\nk::1  FAILED  xfail\nk::1 [categorical]  FAILED\nk::2  PROVED  xfail\n",
                 encoding="utf-8")
    ents = read_lock(p)
    assert ents[("k::1", None)] == Entry("FAILED", True, True)
    assert ents[("k::1", "categorical")] == Entry("FAILED", True)
    assert ents[("k::2", None)] == Entry("PROVED", True, False)


@pytest.mark.parametrize("text,line,fragment", [
    ("kl::1  PROVED\n", 1, "not a vi_sym lock"),
    ("# vi_sym.lock/9\n", 1, "version 9"),
    ("# vi_sym.lock/1\nkl::1  PROVED\n\nkl::2 PROVD?\n", 4, "cannot read"),
    ("# vi_sym.lock/1\nkl::1  GREAT\n", 2, "unknown verdict"),
    ("# vi_sym.lock/1\nkl::1  PROVED\nkl::1  UNKNOWN\n", 3, "twice"),
])
def test_corrupt_lock_names_the_line(tmp_path, text, line, fragment):
    p = tmp_path / "proofs.lock"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(LockError) as err:
        read_lock(p)
    assert f"proofs.lock:{line}:" in str(err.value) and fragment in str(err.value)


# ------------------------------------------------------------------ through the CLI

CHAIN = """
derivation k
latent: z
observed: x

    log(p(x))
  = log(integrate(p(x,z), z))        by marginalisation
  = log(integrate(p(x|z), z))        by product_rule
"""


def cli(tmp_path, *args):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "vi_sym", "check", "k.vi", "--family", "none", "--no-cache",
                           *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)


def test_cli_update_then_compare_then_downgrade(tmp_path):
    (tmp_path / "k.vi").write_text(CHAIN, encoding="utf-8")
    missing = cli(tmp_path, "--baseline", "proofs.lock")
    assert missing.returncode == 2 and "--update-baseline" in missing.stderr
    assert "Traceback" not in missing.stderr

    made = cli(tmp_path, "--update-baseline", "--baseline", "proofs.lock")
    assert made.returncode == 0, made.stderr
    lock = (tmp_path / "proofs.lock").read_text(encoding="utf-8")
    assert "k::1  PROVED\nk::2  UNKNOWN\n" in lock
    again = cli(tmp_path, "--update-baseline", "--baseline", "proofs.lock")
    assert (tmp_path / "proofs.lock").read_text(encoding="utf-8") == lock      # deterministic

    same = cli(tmp_path, "--baseline", "proofs.lock")
    assert same.returncode == 0 and "0 downgrade(s)" in same.stdout, same.stdout + same.stderr

    (tmp_path / "proofs.lock").write_text(lock.replace("k::2  UNKNOWN", "k::2  PROVED")
                                          + "gone::1  PROVED\n", encoding="utf-8")
    worse = cli(tmp_path, "--baseline", "proofs.lock")
    assert worse.returncode == 1
    assert "- k::2  PROVED -> UNKNOWN" in worse.stdout
    assert "warning: gone from this run but in the lock: gone::1  PROVED" in worse.stdout

    (tmp_path / "proofs.lock").write_text(lock + "k::3 PROVD?\n", encoding="utf-8")
    corrupt = cli(tmp_path, "--baseline", "proofs.lock")
    n = len(lock.splitlines()) + 1
    assert corrupt.returncode == 2 and f"proofs.lock:{n}:" in corrupt.stderr
    assert "Traceback" not in corrupt.stderr and corrupt.stdout == ""


def test_shipped_lock_is_current_format():
    lock = ROOT / "proofs.lock"
    ents = read_lock(lock)
    assert ents and all(sid.split("::")[0] for sid, _ in ents)


def test_cli_does_not_rewrite_the_lock_from_a_run_with_input_errors(tmp_path):
    (tmp_path / "k.vi").write_text(CHAIN + "  = log(p(x) by linearity\n", encoding="utf-8")
    p = cli(tmp_path, "--update-baseline", "--baseline", "proofs.lock")
    assert p.returncode == 2 and "not rewriting proofs.lock" in p.stderr
    assert not (tmp_path / "proofs.lock").exists()
