"""The judge: prove, spot-check through the spot-checker protocol, merge -- in process,
and the same verdict when the scheduler runs the pieces in workers."""

import os
import subprocess
import sys
from pathlib import Path

from sympy import Integral, log, symbols

import vi_sym.judge as judge_mod
import vi_sym.scheduler as scheduler
from vi_sym.core import Derivation, Status, Step
from vi_sym.judge import judge
from vi_sym.settings import Settings
from vi_sym.spotcheck import SpotResult
from vi_sym.vocabulary import ELBO, Density

ROOT = Path(__file__).resolve().parent.parent
x, z = symbols("x z")
q, joint, evidence = Density("q", [z]), Density("p", [x, z]), Density("p", [x])


class Toy:
    """A toy spot-checker: refutes every step whose left side is log p(x), passes the others."""

    name = "toy"
    batch = None

    def __init__(self):
        self.seen = []

    def check(self, step, samples=50, seed=0, tol=1e-6):
        self.seen.append((step.id, samples, seed))
        if step.lhs == log(evidence):
            cex = {"params": {"a": 1.0}, "lhs": 0.5, "rhs": 0.75, "difference": -0.25}
            return SpotResult("toy", "FAILED", 1, 1, 0.25, cex, "")
        return SpotResult("toy", "SPOT-CHECKED", samples, samples, 0.0, None, "")


def _register(monkeypatch, toy):
    """Register ``toy`` as the only spot-checker (the judge's and the scheduler's seam)."""
    def checkers(step, settings):
        return [toy] if settings.families else []
    monkeypatch.setattr(judge_mod, "applicable_checkers", checkers)
    monkeypatch.setattr(scheduler, "applicable_checkers", checkers)


def test_a_registered_toy_checker_refutes_an_unproved_step(monkeypatch):
    toy = Toy()
    _register(monkeypatch, toy)
    wrong = Step(log(evidence), "=", ELBO(q, joint), ("elbo_definition",), name="1", derivation="d")
    r = judge(wrong, Settings(families=("all",), samples=7, seed=3))
    assert r.status is Status.FAILED and r.reason == "counterexample in toy"
    assert r.families[0]["counterexample"]["difference"] == -0.25
    assert toy.seen == [("d::1", 7, 3)]        # the settings reach the checker


def test_a_toy_refutation_of_a_proved_step_is_inconsistent_never_proved(monkeypatch):
    _register(monkeypatch, Toy())
    true = Step(log(evidence), ">=", ELBO(q, joint), ("kl_nonnegative",), name="1", derivation="d")
    r = judge(true, Settings(families=("all",)))
    assert r.status is Status.FAILED and r.reason.startswith("INCONSISTENT")


def test_a_toy_agreement_spot_checks_what_the_prover_cannot_prove(monkeypatch):
    _register(monkeypatch, Toy())
    # not provable (it is false); the toy checker agrees with it anyway: only spot-checked
    s = Step(Integral(q, z), "=", 2, ("normalisation",), name="2", derivation="d")
    r = judge(s, Settings(families=("all",)))
    assert r.status is Status.SPOT_CHECKED
    assert r.families == [{"family": "toy", "status": "SPOT-CHECKED", "n_checked": 50, "n_total": 50,
                           "max_error": 0.0, "counterexample": None, "reason": ""}]


def test_no_families_asked_for_means_no_checker_and_no_spot_verdict(monkeypatch):
    toy = Toy()
    _register(monkeypatch, toy)
    wrong = Step(log(evidence), "=", ELBO(q, joint), ("elbo_definition",), name="1", derivation="d")
    r = judge(wrong, Settings(families=()))
    assert r.status is Status.UNKNOWN and toy.seen == []


def test_the_scheduler_gives_the_judges_verdict(monkeypatch):
    _register(monkeypatch, Toy())
    steps = [Step(log(evidence), "=", ELBO(q, joint), ("elbo_definition",), name="1", derivation="d"),
             Step(Integral(q, z), "=", 1, ("normalisation",), name="1", derivation="e")]
    settings = Settings(families=("all",), jobs=2, fixes=False)
    in_process = [judge(s, settings) for s in steps]
    report = scheduler.check_derivations([Derivation("d", steps[:1]), Derivation("e", steps[1:])], settings)
    for a, b in zip(in_process, report.results):
        assert (a.status, a.reason, a.families) == (b.status, b.reason, b.families)


def test_the_default_checkers_are_the_families_and_the_claims():
    s = Step(log(evidence), ">=", ELBO(q, joint), ("kl_nonnegative",), name="1", derivation="d")
    names = [c.name for c in judge_mod.applicable_checkers(s, Settings(families=("all",)))]
    assert "normal-normal" in names and "categorical" in names
    assert judge_mod.applicable_checkers(s, Settings(families=())) == []


GOOD = """
derivation good
latent: z
observed: x

    log(p(x))
  = log(integrate(p(x,z), z))   by marginalisation
"""


def _python(code, cwd):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    p = subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True,
                       timeout=300)
    assert p.returncode == 0, p.stderr
    return p.stdout


def test_step_check_works_with_only_the_core_imported(tmp_path):
    out = _python("from sympy import symbols, Integral\n"
                  "from vi_sym.core import Step\n"
                  "from vi_sym.vocabulary import Density\n"
                  "z = symbols('z')\n"
                  "print(Step(Integral(Density('q', [z]), z), '=', 1, ['normalisation']).check(families=()).status)\n",
                  tmp_path)
    assert out.split() == ["PROVED"]


def test_a_fully_cached_run_loads_no_spot_checker_and_starts_no_worker(tmp_path):
    (tmp_path / "good.vi").write_text(GOOD, encoding="utf-8")
    run = ("import sys\n"
           "import vi_sym.isolation, vi_sym.scheduler\n"
           "def no_worker(*a, **k):\n"
           "    raise AssertionError('a worker was started')\n"
           "{patch}"
           "from vi_sym.cli import main\n"
           "code = main(['check', 'good.vi', '-q', '--cache-dir', 'c'])\n"
           "print(code, 'numpy' in sys.modules, 'hypothesis' in sys.modules)\n")
    assert _python(run.format(patch=""), tmp_path).split()[-3:] == ["0", "True", "True"]
    warm = run.format(patch="vi_sym.isolation._Pool.spawn = vi_sym.isolation.run_tasks = no_worker\n")
    assert _python(warm, tmp_path).split()[-3:] == ["0", "False", "False"]


def test_a_cold_run_without_spot_checks_loads_no_spot_checker(tmp_path):
    # --family none is proofs only: neither numpy nor hypothesis is loaded before the
    # workers fork (a FAILED step's fix search would load them in its worker only)
    (tmp_path / "good.vi").write_text(GOOD, encoding="utf-8")
    run = ("import sys\n"
           "from vi_sym.cli import main\n"
           "code = main(['check', 'good.vi', '-q', '--no-cache', '--family', 'none'])\n"
           "print(code, 'numpy' in sys.modules, 'hypothesis' in sys.modules)\n")
    assert _python(run, tmp_path).split()[-3:] == ["0", "False", "False"]
