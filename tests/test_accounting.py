"""Honest accounting: unique ids across files, every conclusion reported and spot-checked,
untested steps counted with the reason, --strict, expected failures that are UNKNOWN, and
paths with no derivations."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from vi_sym.loader import load_paths
from vi_sym.report import exit_code, summary
from vi_sym.report.baseline import compare, entries
from vi_sym.scheduler import check_derivations
from vi_sym.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
HEAD = "derivation {name}\nlatent: z\nobserved: x\n\n"
PROVED_STEP = "    log(p(x))\n  = log(integrate(p(x,z), z))   by marginalisation\n"
FAST = dict(families=("normal-normal", "categorical"), samples=8, jobs=2)


def run(*args, cwd):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


def test_one_name_in_two_files_gets_file_qualified_ids(tmp_path):
    (tmp_path / "a.vi").write_text(HEAD.format(name="d") + PROVED_STEP, encoding="utf-8")
    (tmp_path / "b.vi").write_text(HEAD.format(name="d") + PROVED_STEP, encoding="utf-8")
    derivs, errors = load_paths([str(tmp_path / "a.vi"), str(tmp_path / "b.vi")])
    assert not errors
    ids = [s.id for d in derivs for s in d.steps]
    assert len(set(ids)) == 2 and all(":d::1" in i for i in ids)
    assert {i.split(":d::")[0] for i in ids} == {str(tmp_path / "a.vi"), str(tmp_path / "b.vi")}


def test_the_lock_never_merges_two_steps_of_one_name(tmp_path):
    (tmp_path / "a.vi").write_text(HEAD.format(name="d") + PROVED_STEP, encoding="utf-8")
    (tmp_path / "b.vi").write_text(HEAD.format(name="d") + PROVED_STEP, encoding="utf-8")
    settings = Settings(families=(), jobs=1)
    paths = [str(tmp_path / "a.vi"), str(tmp_path / "b.vi")]
    old = entries(check_derivations(load_paths(paths)[0], settings))
    assert len(old) == 2
    # b.vi's step now out of the prover's reach: a downgrade of that step alone
    (tmp_path / "b.vi").write_text(HEAD.format(name="d") + "    log(p(x))\n  = log(p(x)) + 1\n",
                                   encoding="utf-8")
    new = entries(check_derivations(load_paths(paths)[0], settings))
    diff = compare(old, new)
    assert [k for k, _, _ in diff.downgrades] == [(f"{paths[1]}:d::1", None)]


def test_a_file_named_twice_is_read_once(tmp_path):
    (tmp_path / "a.vi").write_text(HEAD.format(name="d") + PROVED_STEP, encoding="utf-8")
    derivs, errors = load_paths([str(tmp_path), str(tmp_path / "a.vi")])
    assert not errors and [d.name for d in derivs] == ["d"]


CONCLUSIONS = HEAD.format(name="c") + """    log(p(x))
  = ELBO(q(z), p(x,z)) + KL(q(z) || p(z|x))     by kl_definition, elbo_definition, bayes_rule
conclude: log(p(x)) = ELBO(q(z), p(x,z)) + KL(q(z) || p(z|x))
conclude: ELBO(q(z), p(x,z)) >= log(p(x))
"""


def test_every_conclusion_is_reported_and_spot_checked(tmp_path):
    (tmp_path / "c.vi").write_text(CONCLUSIONS, encoding="utf-8")
    derivs, errors = load_paths([str(tmp_path / "c.vi")])
    assert not errors
    rep = check_derivations(derivs, Settings(**FAST, fixes=False))
    r = {x.step_id: x for x in rep.results}
    assert set(r) == {"c::1", "c::conclusion", "c::conclusion2"}
    assert r["c::conclusion"].status.value == "PROVED"
    wrong = r["c::conclusion2"]
    assert wrong.status.value == "FAILED" and "counterexample" in wrong.reason
    assert any(f.get("counterexample") for f in wrong.families)
    assert exit_code(rep) == 1


def test_pytest_collects_every_conclusion(tmp_path):
    (tmp_path / "c.vi").write_text(CONCLUSIONS, encoding="utf-8")
    p = run("pytest", "-p", "no:vi_sym", "-p", "vi_sym.pytest_plugin", "c.vi", "--vi-sym-family=categorical",
            "--vi-sym-samples=5", "-p", "no:cacheprovider", "--vi-sym-no-cache", "-q", cwd=tmp_path)
    assert "c.vi::c::conclusion2 FAILED" in p.stdout or "1 failed" in p.stdout, p.stdout
    assert "2 passed" in p.stdout, p.stdout


THREE_LATENTS = HEAD.format(name="t").replace("latent: z", "latent: z w v") + \
    "    log(p(x))\n  = log(integrate(integrate(integrate(p(x,z,w,v), z), w), v))   by marginalisation\n"


def test_summary_says_how_many_steps_no_family_could_test_and_why(tmp_path):
    (tmp_path / "t.vi").write_text(THREE_LATENTS, encoding="utf-8")
    derivs, errors = load_paths([str(tmp_path / "t.vi")])
    assert not errors
    rep = check_derivations(derivs, Settings(families=("all",), samples=5, jobs=1))
    s = summary(rep)
    assert s["untested"] == 1
    assert list(s["untested_reasons"]) == ["no model family has three latents"]
    p = run("vi_sym", "check", "t.vi", "--no-cache", "--samples", "5", cwd=tmp_path)
    assert "1 step(s) no model family could test: 1 no model family has three latents" in p.stdout
    assert "    untested: t::1  (no model family has three latents)" in p.stdout     # named, not only counted
    assert s["untested_steps"] == [{"step": "t::1", "reason": "no model family has three latents", "detail": ""}]


def test_a_step_every_applicable_family_left_unevaluated_is_untested(tmp_path):
    """A family applies, but none could evaluate the step (a dropped const free of its
    target: never confirmed, never refuted): the summary names it too."""
    text = ("derivation c\nlatent: z1 z2\nobserved: x\n\n"
            "    E_q(z2)[log(p(x,z1,z2))] + const(z1)\n  = E_q(z2)[log(p(x,z1,z2))]   by linearity\n")
    (tmp_path / "c.vi").write_text(text, encoding="utf-8")
    derivs, errors = load_paths([str(tmp_path / "c.vi")])
    assert not errors
    rep = check_derivations(derivs, Settings(families=("all",), samples=5, jobs=1, fixes=False))
    (r,) = rep.results
    assert r.families and not r.untested
    s = summary(rep)
    (u,) = s["untested_steps"]
    assert (u["step"], u["reason"]) == ("c::1", "every family that applies left it unevaluated")
    assert "must keep a const" in u["detail"]            # the family's own reason, shown too


UNKNOWN_STEP = HEAD.format(name="u") + "    log(p(x))\n  = log(p(x)) + 1\n"


def test_strict_makes_unknown_exit_1(tmp_path):
    (tmp_path / "u.vi").write_text(UNKNOWN_STEP, encoding="utf-8")
    loose = run("vi_sym", "check", "u.vi", "--family", "none", "--no-cache", cwd=tmp_path)
    strict = run("vi_sym", "check", "u.vi", "--family", "none", "--no-cache", "--strict", "--json", "r.json",
                 cwd=tmp_path)
    assert "UNKNOWN" in loose.stdout and loose.returncode == 0
    assert strict.returncode == 1 and "--strict" in strict.stdout
    assert json.loads((tmp_path / "r.json").read_text())["summary"]["exit_code"] == 1
    p = run("pytest", "-p", "no:vi_sym", "-p", "vi_sym.pytest_plugin", "u.vi", "--vi-sym-family=none", "--vi-sym-strict",
            "-p", "no:cacheprovider", "--vi-sym-no-cache", "-q", cwd=tmp_path)
    assert "1 failed" in p.stdout and "--vi-sym-strict" in p.stdout, p.stdout


XFAIL_UNKNOWN = UNKNOWN_STEP + "        xfail: believed wrong\n"


def test_cli_and_pytest_agree_an_unknown_expected_failure_was_not_shown_to_fail(tmp_path):
    (tmp_path / "x.vi").write_text(XFAIL_UNKNOWN, encoding="utf-8")
    cli = run("vi_sym", "check", "x.vi", "--family", "none", "--no-cache", cwd=tmp_path)
    assert cli.returncode == 0 and "not shown to fail" in cli.stdout
    p = run("pytest", "-p", "no:vi_sym", "-p", "vi_sym.pytest_plugin", "x.vi", "--vi-sym-family=none", "-rx",
            "-p", "no:cacheprovider", "--vi-sym-no-cache", "-q", cwd=tmp_path)
    assert p.returncode == 0 and "1 xfailed" in p.stdout and "not shown to fail" in p.stdout, p.stdout
    # under --strict both fail it
    cli = run("vi_sym", "check", "x.vi", "--family", "none", "--no-cache", "--strict", cwd=tmp_path)
    assert cli.returncode == 1
    p = run("pytest", "-p", "no:vi_sym", "-p", "vi_sym.pytest_plugin", "x.vi", "--vi-sym-family=none", "--vi-sym-strict",
            "-p", "no:cacheprovider", "--vi-sym-no-cache", "-q", cwd=tmp_path)
    assert p.returncode == 1 and "1 failed" in p.stdout, p.stdout


@pytest.mark.parametrize("make,args,fragment,rc", [
    (lambda d: (d / "empty").mkdir(), ["empty"], "empty: no derivations found", 2),
    (lambda d: ((d / "txt").mkdir(), (d / "txt" / "n.txt").write_text("x = y\n")), ["txt"],
     "txt: no derivations found", 2),
    (lambda d: (d / "a.vi").write_text(HEAD.format(name="a") + PROVED_STEP), ["nope.vi", "a.vi"],
     "nope.vi: no such file or directory", 2),
])
def test_paths_without_derivations_are_errors_and_the_rest_is_checked(tmp_path, make, args, fragment, rc):
    make(tmp_path)
    p = run("vi_sym", "check", *args, "--family", "none", "--no-cache", cwd=tmp_path)
    assert p.returncode == rc and "Traceback" not in p.stderr
    assert fragment in p.stderr
    if "a.vi" in args:
        assert "PROVED" in p.stdout and "a::1" in p.stdout
