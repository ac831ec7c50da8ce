"""The checker: verdicts, chains, conclusions, time limits."""
import time

import pytest
from sympy import Integral, log

import vi_sym.judge as checker
from vi_sym.scheduler import Settings, check_derivations
from vi_sym.core import Derivation, Status, Step, combine_relations
from vi_sym.vocabulary import ELBO, KL, Expectation

from conftest import evidence, joint, likelihood, posterior, prior, q, z

NO_FAMILIES = dict(families=(), jobs=2, timeout=20)


def test_combine_relations():
    assert combine_relations(["=", "="]) == "="
    assert combine_relations(["=", ">=", "="]) == ">="
    assert combine_relations(["<=", "="]) == "<="
    assert combine_relations([">=", "<="]) is None


def _chain(*links, conclusion=None):
    return Derivation.chain("d", log(evidence), *links, conclusion=conclusion)


def test_chain_of_equalities_and_jensen_proves_its_conclusion():
    d = _chain(("=", log(Integral(joint, z)), ["marginalisation"]),
               ("=", log(Expectation(q, joint / q)), ["expectation_definition"]),
               (">=", Expectation(q, log(joint / q)), ["jensen"]),
               conclusion=(log(evidence), ">=", ELBO(q, joint)))
    res = d.check(**NO_FAMILIES)
    assert [r.status for r in res] == [Status.PROVED] * 4
    assert d.relation == ">="


def test_conclusion_stronger_than_the_chain_is_not_proved():
    d = _chain(("=", log(Integral(joint, z)), ["marginalisation"]),
               ("=", log(Expectation(q, joint / q)), ["expectation_definition"]),
               (">=", Expectation(q, log(joint / q)), ["jensen"]),
               conclusion=(log(evidence), "=", ELBO(q, joint)))
    res = d.check(**NO_FAMILIES)
    assert res[-1].step == "conclusion" and res[-1].status is not Status.PROVED


def test_conclusion_rearranged_is_proved():
    d = Derivation.chain("d", KL(q, posterior),
                         ("=", log(evidence) - ELBO(q, joint), []),
                         conclusion=(log(evidence), "=", ELBO(q, joint) + KL(q, posterior)))
    assert d.check(**NO_FAMILIES)[-1].status is Status.PROVED


def test_conclusion_depends_on_its_steps():
    """A conclusion that composes from an unprovable step is not PROVED."""
    d = _chain(("=", log(Integral(likelihood, z)), []),          # false: ∫p(x|z)dz is not p(x)
               conclusion=(log(evidence), "=", log(Integral(likelihood, z))))
    res = d.check(**NO_FAMILIES)
    assert res[0].status is Status.UNKNOWN
    assert res[1].status is Status.UNKNOWN and "step" in res[1].reason


def test_unprovable_step_is_unknown_with_a_residual_not_failed_without_families():
    s = Step(log(evidence), "=", ELBO(q, joint) + KL(q, prior), derivation="d", name="1")
    r = s.check(**NO_FAMILIES)
    assert r.status is Status.UNKNOWN and r.residual


def test_a_hanging_step_becomes_unknown_and_the_others_are_still_checked(monkeypatch):
    real = checker.prove_step

    def slow(lhs, rel, rhs, rules, ctx):
        if lhs == log(evidence):
            while True:
                time.sleep(0.05)
        return real(lhs, rel, rhs, rules, ctx)

    monkeypatch.setattr(checker, "prove_step", slow)
    hanging = Step(log(evidence), "=", log(Integral(joint, z)), ("marginalisation",), name="1", derivation="a")
    fine = Step(Integral(q, z), "=", 1, ("normalisation",), name="1", derivation="b")
    rep = check_derivations([Derivation("a", [hanging]), Derivation("b", [fine])],
                            Settings(timeout=1.0, jobs=2))
    assert rep.results[0].status is Status.UNKNOWN and "timed out" in rep.results[0].reason
    assert rep.results[1].status is Status.PROVED


def test_a_crashing_prover_is_an_error_line_not_a_dead_run(monkeypatch):
    def crash(*a):
        raise RecursionError("deep")

    monkeypatch.setattr(checker, "prove_step", crash)
    s = Step(Integral(q, z), "=", 1, ("normalisation",), name="1", derivation="a")
    r = s.check(**NO_FAMILIES)
    assert r.status is Status.ERROR and "recursion" in r.reason


def test_results_render_as_latex():
    s = Step(Integral(q, z), "=", 1, ("normalisation",), name="1", derivation="a")
    assert "\\int" in s._repr_latex_()
    r = s.check(**NO_FAMILIES)
    assert "PROVED" in r._repr_latex_()
    d = _chain(("=", log(Integral(joint, z)), ["marginalisation"]))
    assert d._repr_latex_().startswith("$\\begin{aligned}")
