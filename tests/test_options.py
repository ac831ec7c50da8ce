"""No traceback, no hang: every numeric option checked (command line, pytest, notebook API),
a malformed cache entry recomputed, an overflow UNKNOWN with its reason."""
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sympy

from vi_sym.cache import Cache
from vi_sym.core import Derivation, Status, Step
from vi_sym.judge import prove
from vi_sym.loader import load_paths
from vi_sym.scheduler import check_derivations
from vi_sym.settings import SettingError, Settings, check_settings, validate
from vi_sym.vocabulary import Density

ROOT = Path(__file__).resolve().parent.parent
x, z = sympy.symbols("x z")
GOOD = "derivation good\nlatent: z\nobserved: x\n\n    log(p(x))\n  = log(integrate(p(x,z), z))   by marginalisation\n"


def run(*args, cwd):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


@pytest.mark.parametrize("args,fragment", [
    (["--timeout", "nan"], "--timeout must be a finite number"),
    (["--timeout", "inf"], "--timeout must be a finite number"),
    (["--timeout", "1e300"], "--timeout must be a finite number"),
    (["--timeout", "-1"], "--timeout must be"),
    (["--timeout", "0"], "--timeout must be"),
    (["--samples", "0"], "--samples must be between 1"),
    (["--samples", "100000000"], "--samples must be between 1"),
    (["--jobs", "-1"], "--jobs must be between 0"),
    (["--seed", "1" + "0" * 30], "--seed must be between"),
])
@pytest.mark.parametrize("command", ["check", "report", "mutate"])
def test_bad_numeric_options_are_one_line_exit_2(tmp_path, command, args, fragment):
    (tmp_path / "good.vi").write_text(GOOD, encoding="utf-8")
    p = run("vi_sym", command, "good.vi", *args, "--family", "none", cwd=tmp_path)
    assert p.returncode == 2, (p.stdout, p.stderr)
    assert "Traceback" not in p.stderr
    (line,) = p.stderr.strip().splitlines()
    assert line.startswith("error: ") and fragment in line


@pytest.mark.parametrize("value", ["inf", "nan", "1e300", "-3"])
def test_pytest_timeout_option_is_a_usage_error(tmp_path, value):
    (tmp_path / "good.vi").write_text(GOOD, encoding="utf-8")
    p = run("pytest", "-p", "no:vi_sym", "-p", "vi_sym.pytest_plugin", "good.vi", f"--vi-sym-timeout={value}",
            "-p", "no:cacheprovider", cwd=tmp_path)
    assert p.returncode == 4, p.stdout + p.stderr          # pytest's usage error
    assert "--vi-sym-timeout must be a finite number" in p.stderr
    assert "Traceback" not in p.stdout + p.stderr and "OverflowError" not in p.stdout


@pytest.mark.parametrize("field,value", [
    ("timeout", math.inf), ("timeout", math.nan), ("timeout", 1e300), ("timeout", -1), ("timeout", "5"),
    ("samples", 0), ("samples", 2.5), ("samples", True), ("jobs", -1), ("tol", math.nan), ("tol", 0),
    ("families", "all"), ("families", None), ("families", [1]), ("fixes", "no"),
])
def test_validate_names_the_setting(field, value):
    s = Settings()
    setattr(s, field, value)
    with pytest.raises(SettingError) as err:
        validate(s)
    assert field in str(err.value)


def _step(**kw):
    q = Density("q", [z])
    return Step(sympy.log(Density("p", [x])), ">=", sympy.log(Density("p", [x])) + 1, **kw)


@pytest.mark.parametrize("kwargs,exc,fragment", [
    ({"sampels": 5}, TypeError, "unexpected keyword argument 'sampels'"),
    ({"samples": 0}, ValueError, "samples must be between 1"),
    ({"timeout": -1}, ValueError, "timeout must be a finite number of seconds"),
    ({"families": "all"}, TypeError, "families must be a list of family names"),
    ({"samples": "10"}, TypeError, "samples must be a whole number"),
])
def test_check_keywords_give_one_clear_error(kwargs, exc, fragment):
    with pytest.raises(exc) as err:
        _step().check(**kwargs)
    assert fragment in str(err.value)
    d = Derivation("d", [_step()])
    with pytest.raises(exc):
        d.check(**kwargs)


def test_step_check_without_arguments_spot_checks_like_the_command_line():
    assert check_settings().families == ("all",)
    # log p(x) >= log p(x) + 1 is false: with no arguments it is FAILED, as on the command line
    r = _step().check(samples=5)
    assert r.status is Status.FAILED and r.families


def _entry_files(directory):
    return sorted(Path(directory).glob("*.json"))


@pytest.mark.parametrize("field,bad", [
    ("fixes", [{"edit": "x"}]),
    ("fixes", ["did you mean"]),
    ("fixes", [{"edit": "x", "description": "d", "statement": "s", "verdict": 3}]),
    ("justification", [None]),
    ("justification", [{"rule": "kl_definition"}]),
    ("uncited", [1]),
    ("families", [{"family": "normal-normal", "status": "SPOT-CHECKED"}]),
    ("families", [{"family": "normal-normal", "status": "FAILED", "counterexample": {"params": 1}}]),
    ("inherited_from", 7),
])
def test_a_malformed_cache_entry_is_a_warning_and_a_recomputation(tmp_path, field, bad, capsys):
    (tmp_path / "f.vi").write_text(GOOD + "  = log(p(x)) + 1\n", encoding="utf-8")
    derivs, _ = load_paths([str(tmp_path / "f.vi")])
    settings = Settings(families=("categorical",), samples=5, jobs=1)
    first = check_derivations(derivs, settings, cache=Cache(tmp_path / "c"))
    for f in _entry_files(tmp_path / "c"):
        doc = json.loads(f.read_text())
        if doc["kind"] == "step":
            doc["value"][field] = bad
            f.write_text(json.dumps(doc))
    warnings = []
    cache = Cache(tmp_path / "c", warn=warnings.append)
    again = check_derivations(derivs, settings, cache=cache)
    assert warnings and all("ignoring corrupt or foreign cache file" in w for w in warnings)
    assert cache.hits == 0
    assert [r.status for r in again.results] == [r.status for r in first.results]
    from vi_sym.report import print_report, to_json
    print_report(again)
    json.dumps(to_json(again), default=str)


def test_an_overflow_is_unknown_with_its_reason(tmp_path):
    (tmp_path / "o.vi").write_text(
        "derivation ovf\nlatent: z\nobserved: x\n\n    exp(exp(exp(exp(10))))*p(x)\n  >= p(x)\n",
        encoding="utf-8")
    p = run("vi_sym", "check", "o.vi", "--no-cache", "--samples", "5", "--jobs", "1", cwd=tmp_path)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "UNKNOWN" in p.stdout and "ERROR" not in p.stdout and "Traceback" not in p.stderr
    assert "too large to compute with" in p.stdout


def test_prover_limits_are_no_proof_with_a_reason(monkeypatch):
    import vi_sym.judge as judge

    def huge(step):
        raise OverflowError("int too large to convert to float")

    monkeypatch.setattr(judge, "_prove", huge)
    out = prove(_step())
    assert out["proved"] is False and "too large to compute with" in out["reason"]
    assert "OverflowError" in out["reason"]


def test_import_checks_its_samples_option(tmp_path):
    (tmp_path / "n.txt").write_text("log p(x) = log p(x)\n", encoding="utf-8")
    p = run("vi_sym", "import", "n.txt", "--samples", "0", cwd=tmp_path)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert p.stderr.strip() == "error: --samples must be between 1 and 1000000, got 0"
