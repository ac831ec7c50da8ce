"""The command line as a user meets it: bad input, exit codes, JSON on stdout, Ctrl-C."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from vi_sym.scheduler import Report
from vi_sym.core import Status, StepResult
from vi_sym.report import exit_code

ROOT = Path(__file__).resolve().parent.parent

HEAD = "derivation d\nlatent: z\nobserved: x\n\n"
GOOD = """
derivation good
latent: z
observed: x

    log(p(x))
  = log(integrate(p(x,z), z))   by marginalisation
"""


def run(*args, cwd, env=None):
    e = dict(os.environ, PYTHONPATH=str(ROOT), **(env or {}))
    e.pop("NO_COLOR", None)
    return subprocess.run([sys.executable, "-m", "vi_sym", *args], cwd=cwd, env=e,
                          capture_output=True, text=True, timeout=300)


def check(tmp_path, *args):
    return run("check", *args, "--family", "none", "--no-cache", "--jobs", "2", cwd=tmp_path)


BAD_STEPS = {
    "syntax error": ("    log(p(x))\n  = log(p(x) by kl_definition\n", "')'"),
    "unknown rule": ("    log(p(x))\n  = log(p(x))  by bayse_rule\n", "unknown rule 'bayse_rule'"),
    "undeclared variable": ("    log(p(x))\n  = log(p(w))\n", "'w'"),
    "relation missing": ("    log(p(x))\n    log(p(x))\n", "must start with"),
    "ill-typed density": ("    log(p(x))\n  = KL(q(z) || p(x|z))\n", "same variables"),
}


@pytest.mark.parametrize("case", sorted(BAD_STEPS))
def test_bad_step_is_one_clear_line_and_the_rest_is_checked(tmp_path, case):
    body, fragment = BAD_STEPS[case]
    (tmp_path / "bad.vi").write_text(HEAD + body + GOOD, encoding="utf-8")
    (tmp_path / "other.vi").write_text(GOOD.replace("good", "other"), encoding="utf-8")
    p = check(tmp_path, ".")
    assert p.returncode == 2, p.stdout + p.stderr
    assert "Traceback" not in p.stderr
    errors = [ln for ln in p.stderr.splitlines() if ln.startswith("error:")]
    assert len(errors) == 1, p.stderr
    assert errors[0].startswith("error: bad.vi:6: derivation 'd' step 1: ")
    assert fragment in errors[0]
    assert "PROVED       good::1" in p.stdout and "PROVED       other::1" in p.stdout


def test_empty_file(tmp_path):
    (tmp_path / "empty.vi").write_text("", encoding="utf-8")
    (tmp_path / "good.vi").write_text(GOOD, encoding="utf-8")
    p = check(tmp_path, "empty.vi", "good.vi")
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert p.stderr.splitlines() == ["error: empty.vi: the file holds no derivation"]
    assert "PROVED       good::1" in p.stdout


def test_non_utf8_file_names_file_and_line(tmp_path):
    (tmp_path / "latin.vi").write_bytes((HEAD + "    log(p(x))\n  = log(p(x)) # caf\xe9\n").encode("latin-1"))
    (tmp_path / "good.vi").write_text(GOOD, encoding="utf-8")
    p = check(tmp_path, ".")
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert p.stderr.splitlines() == ["error: latin.vi:6: not valid UTF-8 text"]
    assert "PROVED       good::1" in p.stdout


def test_unknown_family_is_one_line_exit_2(tmp_path):
    p = run("check", "--family", "nope", cwd=tmp_path)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    (line,) = p.stderr.strip().splitlines()
    assert line.startswith("error: unknown family 'nope'")
    assert p.stdout == ""


@pytest.mark.parametrize("args,fragment", [
    (["missing.vi"], "no such file or directory"),
    (["--samples", "0"], "--samples must be between 1"),
    (["--json", "-", "--junit", "-"], "stdout"),
    (["--baseline", "nope.lock"], "--update-baseline"),
])
def test_usage_errors_are_one_line_exit_2(tmp_path, args, fragment):
    p = run("check", *args, "--family", "none", cwd=tmp_path)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    (line,) = p.stderr.strip().splitlines()
    assert fragment in line


def test_default_catalogue_exits_0_and_json_to_stdout_is_valid(tmp_path):
    p = run("check", "--family", "none", "--no-cache", "--json", "-", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)            # stdout holds the JSON only; the report went to stderr
    assert data["schema"] == "vi_sym.report/1"
    assert data["summary"]["exit_code"] == 0 and data["summary"]["total"] >= 20
    held = [r for r in data["results"] if r["expect"] == "holds"]
    assert len(held) >= 20 and all(r["as_expected"] for r in data["results"])
    # without families nothing is spot-checked: every correct symbolic step is PROVED, and
    # the claims out of the prover's reach (Beta, Laplace, Poisson entropy, ...) stay UNKNOWN
    assert {r["status"] for r in held if not r["derivation"].startswith(("kl_", "entropy_"))} == {"PROVED"}
    assert {r["status"] for r in data["results"] if r["expect"] == "fails"} <= {"UNKNOWN", "FAILED"}
    assert "steps:" in p.stderr


def test_quiet_and_verbose(tmp_path):
    (tmp_path / "good.vi").write_text(GOOD, encoding="utf-8")
    q = check(tmp_path, "good.vi", "-q")
    assert q.returncode == 0 and q.stdout.splitlines() == [q.stdout.splitlines()[-1]]
    v = check(tmp_path, "good.vi", "-v")
    assert "proof:" in v.stdout and "step:" in v.stdout


def test_no_colour_off_a_terminal(tmp_path):
    (tmp_path / "good.vi").write_text(GOOD, encoding="utf-8")
    p = check(tmp_path, "good.vi")
    assert "\033[" not in p.stdout and "\033[" not in p.stderr and "\r" not in p.stderr


class _Tty:
    def __init__(self):
        self.text = ""

    def isatty(self):
        return True

    def write(self, s):
        self.text += s

    def flush(self):
        pass


def test_colour_only_on_a_terminal_without_no_color(monkeypatch):
    from vi_sym.report import use_colour
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert use_colour(_Tty()) and not use_colour(open(os.devnull, "w"))
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_colour(_Tty())
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("CI", "true")
    assert not use_colour(_Tty())


def test_progress_line_on_a_terminal_is_cleared(monkeypatch):
    from vi_sym.progress import ProgressLine, StepTracker
    monkeypatch.delenv("CI", raising=False)
    tty = _Tty()
    line = ProgressLine(tty)
    tasks = [(None, (type("S", (), {"id": f"d::{i}"})(),)) for i in (1, 1, 2)]
    track = StepTracker([[0, 1], [2], []], tasks, line)    # a step with a spot-check, one plain, one cached
    assert "[1/3] checking d::1" in tty.text
    track(1)
    track(0)
    assert "[2/3] checking d::2" in tty.text
    track(2)
    assert "[3/3] done" in tty.text
    line.clear()
    assert tty.text.endswith("\r")
    monkeypatch.setenv("CI", "1")
    quiet = _Tty()
    ProgressLine(quiet)(1, 2, "d::1")
    assert quiet.text == ""


def test_interrupted_report_exits_130(capsys, monkeypatch):
    r = StepResult("d::1", "d", "1", Status.UNKNOWN, reason="interrupted: interrupted")
    rep = Report([r], interrupted=True)
    assert exit_code(rep) == 130
    import vi_sym.cli as cli
    monkeypatch.setattr("vi_sym.cli.check_derivations", lambda *a, **k: rep)
    code = cli.main(["check", str(ROOT / "derivations"), "--family", "none", "--no-cache"])
    out, err = capsys.readouterr()
    assert code == 130
    assert "INTERRUPTED (partial report)" in out and "interrupted" in err


def test_ctrl_c_prints_the_partial_report_and_exits_130(tmp_path):
    import signal
    import time
    (tmp_path / "good.vi").write_text(GOOD + GOOD.replace("good", "more"), encoding="utf-8")
    # a terminal's Ctrl-C finds SIGINT neither ignored nor blocked; a child inherits both from the
    # test runner, whatever state an earlier test or plugin left it in, so the child restores them
    code = ("import pathlib, signal, sys, time, vi_sym.scheduler as c\n"
            "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
            "signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGINT])\n"
            "def slow(step):\n"
            "    pathlib.Path('started').touch()\n"
            "    time.sleep(60)\n"
            "c.prove_task = slow\n"
            "from vi_sym.cli import main\n"
            "sys.exit(main(sys.argv[1:]))\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    p = subprocess.Popen([sys.executable, "-c", code, "check", "good.vi", "--family", "none", "--no-cache",
                          "--jobs", "1", "--json", "out.json"], cwd=tmp_path, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while not (tmp_path / "started").exists() and time.time() < deadline:
        time.sleep(0.05)
    started = (tmp_path / "started").exists()
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    assert p.returncode == 130, (f"started: {started}; runner's SIGINT: {signal.getsignal(signal.SIGINT)}, "
                                 f"blocked: {signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, [])}; "
                                 f"out: {out[-300:]!r}; err: {err!r}")
    assert "INTERRUPTED (partial report)" in out and "UNKNOWN      good::1" in out
    assert "Traceback" not in err and "partial" in err
    assert json.loads((tmp_path / "out.json").read_text())["summary"]["exit_code"] == 130


def test_unwritable_output_is_an_error_not_a_traceback(tmp_path):
    (tmp_path / "good.vi").write_text(GOOD, encoding="utf-8")
    p = check(tmp_path, "good.vi", "--junit", "no/such/dir/out.xml")
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert p.stderr.strip() == "error: cannot write no/such/dir/out.xml: No such file or directory"


def test_mutate_prints_the_table_and_exits_0_when_nothing_is_wrongly_proved(tmp_path):
    (tmp_path / "good.vi").write_text(GOOD + "  = log(E_q(z)[p(x,z)/q(z)])   by expectation_definition\n",
                                      encoding="utf-8")
    p = run("mutate", "good.vi", "--family", "categorical", "--samples", "5", "--jobs", "2", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert "mutants generated" in p.stdout and "wrongly PROVED           0" in p.stdout
    killed = int(next(ln for ln in p.stdout.splitlines() if ln.startswith("FAILED (killed)")).split()[-1])
    assert killed >= 1


def test_mutate_bad_input_is_exit_2(tmp_path):
    p = run("mutate", "missing.vi", cwd=tmp_path)
    assert p.returncode == 2 and "no such file" in p.stderr and "Traceback" not in p.stderr


def test_no_fixes_skips_the_fix_search(tmp_path):
    wrong = HEAD + "    KL(q(z) || p(z|x))\n  = integrate(p(z|x)*log(p(z|x)/q(z)), z)   by kl_definition\n"
    (tmp_path / "w.vi").write_text(wrong, encoding="utf-8")
    args = ("check", "w.vi", "--family", "categorical", "--no-cache", "--samples", "5")
    with_fixes, without = run(*args, cwd=tmp_path), run(*args, "--no-fixes", cwd=tmp_path)
    assert with_fixes.returncode == without.returncode == 1
    assert "fix:" in with_fixes.stdout and "fix:" not in without.stdout


# --------------------------------------------------------------------------- leaving the process

def test_python_m_leaves_with_every_line_written_and_the_atexit_handlers_run(tmp_path, capsys):
    """`python -m vi_sym` skips the interpreter's teardown (os._exit), not its duties: the
    whole output reaches a pipe, the exit code is main's, and atexit handlers still run."""
    from vi_sym.cli import main
    assert main(["rules"]) == 0
    expected = capsys.readouterr().out
    code = ("import atexit, runpy, sys\n"
            "atexit.register(lambda: sys.stderr.write('atexit handler ran\\n'))\n"
            "sys.argv = ['vi_sym', 'rules']\n"
            "runpy.run_module('vi_sym', run_name='__main__')\n")
    p = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                       env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=300)
    assert p.returncode == 0, p.stderr
    assert p.stdout == expected and len(expected) > 1000
    assert "atexit handler ran" in p.stderr


def test_python_m_keeps_the_exit_code_of_main(tmp_path):
    from vi_sym.cli import main
    wanted = main(["check", str(tmp_path / "nothere.vi"), "--family", "none", "--no-cache"])
    assert wanted not in (0, None)
    p = check(tmp_path, "nothere.vi")
    assert p.returncode == wanted, p.stderr
    assert "nothere.vi" in p.stdout + p.stderr
