"""Steps over an arbitrary function f (``functions: f``) are spot-checked with a library of test
functions: one f with a certified difference refutes the step; a correct step is never refuted."""
from pathlib import Path

import pytest
import sympy

from vi_sym.core import Status
from vi_sym.judge import judge
from vi_sym.loader import load_text
from vi_sym.settings import Settings
from vi_sym.spot import applicable_checkers
from vi_sym.spot.testfunctions import (LIBRARY, NAME, TestFunctionChecker, substitute_functions,
                                       declared_functions)

ROOT = Path(__file__).resolve().parent.parent
HEADER = """derivation d
latent: z e
parameters: m
positive: s
functions: f g
define q(z) = Normal(z, m, s)
define r(e) = Normal(e, 0, 1)
define t(e) = Normal(e, 0, 2)

    {lhs}
  {rel} {rhs}   by change_of_variables
"""
SETTINGS = Settings(families=("all",), samples=12, seed=0, fixes=False)


def step(lhs, rhs, rel="="):
    ds, errors = load_text(HEADER.format(lhs=lhs, rhs=rhs, rel=rel), "t.vi")
    assert not errors, errors
    return ds[0].steps[0]


def checked(lhs, rhs, rel="=", seed=0):
    return TestFunctionChecker().check(step(lhs, rhs, rel), samples=12, seed=seed)


def test_the_catalogue_wrong_reparameterisation_is_failed_with_the_function_named():
    ds, errors = load_text((ROOT / "derivations" / "vae.vi").read_text(), "vae.vi")
    assert not errors
    wrong = next(d for d in ds if d.name == "vae_reparameterisation_wrong").steps[0]
    r = judge(wrong, SETTINGS)
    assert r.status is Status.FAILED
    entry = next(f for f in r.families if f["family"] == NAME)
    cex = entry["counterexample"]
    assert cex["params"]["f(t)"] in ("t", "t²", "t³")
    assert abs(cex["lhs"] - cex["rhs"]) > cex["threshold"]          # a certified difference
    assert "does not hold for every f" in r.explanation
    # shrunk to the simplest refuting values, not the edge of the domain where it was found
    m, s = cex["params"]["m"], cex["params"]["s"]
    assert cex["found_by"].startswith("shrunk") and abs(m) <= 2 and 0.5 <= s <= 2
    if cex["params"]["f(t)"] == "t²":        # E[z²] = m² + s², E[(m + s²e)²] = m² + s⁴
        assert cex["lhs"] == pytest.approx(m ** 2 + s ** 2) and cex["rhs"] == pytest.approx(m ** 2 + s ** 4)


def test_shrinking_keeps_only_values_that_refute():
    """A value at which the step holds (s = 1: s² = s) is never taken: the shrunk point is a
    certified counterexample of its own."""
    from vi_sym.spot.testfunctions import TestFunctionChecker
    ds, _ = load_text((ROOT / "derivations" / "vae.vi").read_text(), "vae.vi")
    wrong = next(d for d in ds if d.name == "vae_reparameterisation_wrong").steps[0]
    r = TestFunctionChecker().check(wrong, samples=10, seed=0)
    assert r.status == "FAILED" and r.counterexample["params"]["s"] != 1.0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_correct_reparameterisation_is_never_refuted(seed):
    r = checked("E_q(z)[f(z)]", "E_r(e)[f(m + s*e)]", seed=seed)
    assert r.status == "SPOT-CHECKED", r.reason
    assert r.n_checked >= len(LIBRARY) * 10
    assert "t²" in r.reason


def test_the_judge_keeps_the_correct_step_proved_and_spot_checked():
    r = judge(step("E_q(z)[f(z)]", "E_r(e)[f(m + s*e)]"), SETTINGS)
    assert r.status is Status.PROVED
    assert [f["status"] for f in r.families] == ["SPOT-CHECKED"]


def test_a_reflected_standard_normal_is_no_error():
    """m − s ε has the law of m + s ε (ε is symmetric): a correct step that looks wrong."""
    assert checked("E_q(z)[f(z)]", "E_r(e)[f(m - s*e)]").status == "SPOT-CHECKED"


@pytest.mark.parametrize("rhs", [
    "E_r(e)[f(m + e)]",            # the scale forgotten
    "E_r(e)[f(s*e)]",              # the location forgotten
    "E_r(e)[f(m + s*e + 1)]",      # a shifted location
    "E_t(e)[f(m + s*e)]",          # the right expression under the wrong density
    "E_r(e)[g(m + s*e)]",          # another function
    "E_r(e)[f(m + s^2*e)]",        # the variance for the scale
])
def test_wrong_changes_of_variables_are_failed(rhs):
    r = checked("E_q(z)[f(z)]", rhs)
    assert r.status == "FAILED", (rhs, r.reason)
    assert r.reason.startswith("with f(t) = ")
    c = r.counterexample
    assert abs(c["lhs"] - c["rhs"]) > c["threshold"] + c["lhs_error"] + c["rhs_error"]


def test_inequalities_over_f():
    assert checked("E_q(z)[f(z)^2]", "E_q(z)[f(z)]^2", ">=").status == "SPOT-CHECKED"   # Jensen
    r = checked("E_q(z)[f(z)]^2", "E_q(z)[f(z)^2]", ">=")
    assert r.status == "FAILED" and "f(t) = " in r.reason


def test_substitution_and_the_library():
    s = step("E_q(z)[f(z)*g(z)]", "E_r(e)[f(m + s*e)*g(e)]")
    f, g = declared_functions(s)
    assert (f.__name__, g.__name__) == ("f", "g")
    t2 = LIBRARY[1]
    out = substitute_functions(s.rhs, {f: t2, g: LIBRARY[0]})
    assert not out.atoms(sympy.core.function.AppliedUndef)
    assert len(set(LIBRARY)) == len(LIBRARY)


def test_only_the_test_function_checker_takes_a_step_with_f():
    names = [c.name for c in applicable_checkers(step("E_q(z)[f(z)]", "E_r(e)[f(m + s*e)]"))]
    assert names == [NAME]


def test_a_step_no_checker_can_evaluate_stays_unknown_with_a_reason():
    """Densities no family knows: nothing evaluates the substituted step either."""
    text = ("derivation d\nlatent: z\nobserved: x\nfunctions: f\n\n"
            "    E_w(z)[f(z)]\n  = E_w(z)[f(2*z)]\n")
    ds, errors = load_text(text.replace("latent: z\n", "latent: z\ndensities: p q w\n"), "t.vi")
    assert not errors, errors
    r = judge(ds[0].steps[0], SETTINGS)
    assert r.status is Status.UNKNOWN
    assert "no model family gives a meaning to its densities" in r.reason
