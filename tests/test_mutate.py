"""Mutation testing of the checker on a sample of the catalogue's mutants.

The full run (every mutant) is `python -m vi_sym mutate` / benchmarks; here a seeded
sample keeps the suite fast while still failing on any soundness hole.
"""
import pytest
from sympy import Integral, log

from vi_sym.core import Step
from vi_sym.loader import load_paths
from vi_sym.mutate import Mutant, check_mutant, mutants_of, run_mutation, table
from vi_sym.vocabulary import KL

from conftest import CTX, evidence, joint, likelihood, posterior, prior, q, z


@pytest.fixture(scope="module")
def catalogue():
    ds, errs = load_paths(["derivations"])
    assert not errs
    return ds


def test_nearly_every_correct_step_has_mutants(catalogue):
    steps = [s for d in catalogue for s in d.steps if s.expect == "holds"]
    without = [s.id for s in steps if not list(mutants_of(s))]
    # e.g. p(X) = ∫ p(X,Z) dZ offers no single slip the operators model
    assert steps and len(without) <= len(steps) // 10, without


def test_sampled_mutants_are_never_wrongly_proved_and_mostly_killed(catalogue):
    generated, results = run_mutation(catalogue, families=("categorical", "normal-normal"),
                                      samples=10, seed=3, jobs=2, sample=24)
    outcomes = [r.outcome for r in results]
    assert len(results) == 24 and generated > 200
    assert "wrongly-proved" not in outcomes, table(generated, results)
    # a mutant of a step no family can evaluate (two latents, a parameter θ) cannot be killed by
    # a counterexample: the kill rate counts the mutants some family can test
    testable = [r.outcome for r in results if r.outcome not in ("equivalent", "true-mutant")
                and r.detail != "no family applies"]
    assert sum(o == "failed" for o in testable) >= 0.9 * len(testable), table(generated, results)


def test_an_equivalent_mutant_is_recognised_with_its_proof():
    original = Step(KL(q, posterior), "=", Integral(q * log(q / posterior), z), ("kl_definition",), context=CTX)
    same = Integral(q * log(q) - q * log(posterior), z)          # the same, written differently
    r = check_mutant(Mutant("t", "manual", "rewritten", original.lhs, "=", same, original),
                     families=("categorical",), samples=5)
    assert r.outcome == "equivalent" and "log_of_quotient" in r.detail


def test_a_false_mutant_is_killed_with_a_counterexample():
    original = Step(log(evidence), ">=", log(evidence) - KL(q, posterior), ("kl_nonnegative",), context=CTX)
    r = check_mutant(Mutant("t", "flip_relation", "<=", original.lhs, "<=", original.rhs, original),
                     families=("categorical",), samples=5)
    assert r.outcome == "failed" and "lhs=" in r.detail


def test_table_reports_every_category():
    from vi_sym.mutate import MutantResult
    rs = [MutantResult("a::1", "swap_kl", "d", "s", o) for o in
          ("failed", "failed", "unknown", "equivalent", "survivor")]
    t = table(10, rs)
    assert "mutants generated        10" in t and "FAILED (killed)          2" in t
    assert "kill rate (non-equiv.)   50.0%" in t


def test_the_label_of_a_proof_says_what_it_rests_on():
    from vi_sym.mutate import proved_by
    assert proved_by({"rules_used": ("bayes_rule", "linearity")}) == "bayes_rule, linearity"
    assert proved_by({"rules_used": (), "atom": "the defining integrals, by the moment lemmas"}) == "the moment lemmas"
    # an algebra step (+ const(z1)) uses neither a rule nor a lemma
    assert proved_by({"rules_used": (), "atom": "the two sides differ by a term free of z1"}) == \
        "algebra (the two sides differ by a term free of z1)"
    assert "moment" not in proved_by({"rules_used": (), "atom": ""})


def test_a_true_algebra_mutant_is_not_said_to_be_proved_by_the_moment_lemmas(catalogue):
    step = next(s for d in catalogue if d.name == "prml_10_1_2_q_z1" for s in d.steps[1:2])
    halved = next(m for m in mutants_of(step) if "half the term const" in m.description)
    r = check_mutant(halved, families=("categorical",), samples=3)
    assert r.outcome == "true-mutant" and "proved by algebra" in r.detail and "moment" not in r.detail
