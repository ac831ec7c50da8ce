"""Inequalities between defined densities: Gibbs' inequality (KL >= 0, with supports nested
through infinite ends), and the entropy bound H(q) <= log K on K points -- proved where a rule
applies, refuted (never proved) when the bound or its direction is wrong."""
import pytest

from vi_sym.judge import prove as prove_task
from vi_sym.loader import load_text
from vi_sym.spot.claims import spot_claim

CAT = "latent: z\npositive: w0 w1 w2\ndefine q(z) = Categorical(z, w0, w1, w2)\n"


def step_of(header, lhs, rel, rhs, by=""):
    (d,), errs = load_text(f"derivation c\n{header}\n    {lhs}\n  {rel} {rhs}   {by}\n", "c.vi")
    assert not errs, errs
    return d.steps[0]


def test_entropy_of_k_outcomes_is_at_most_log_k():
    out = prove_task(step_of(CAT, "H(q(z))", "<=", "log(3)", "by kl_nonnegative"))
    assert out["proved"] and any("uniform" in t[1] for t in out["trace"])
    assert prove_task(step_of(CAT, "log(3) - H(q(z))", ">=", "0"))["proved"]


def test_mean_field_entropy_bound_counts_the_product_support():
    header = ("latent: z1 z2\nunit: t\npositive: w0 w1 w2\n"
              "define q(z1, z2) = Categorical(z1, w0, w1, w2) * Bernoulli(z2, t)\n")
    assert prove_task(step_of(header, "H(q(z1, z2))", "<=", "log(6)"))["proved"]
    assert not prove_task(step_of(header, "H(q(z1, z2))", "<=", "log(3)"))["proved"]


@pytest.mark.parametrize("rel,rhs", [("<=", "log(2)"), (">=", "log(3)"), ("<=", "log(3) - 1/100")])
def test_a_wrong_entropy_bound_is_never_proved_and_is_refuted(rel, rhs):
    step = step_of(CAT, "H(q(z))", rel, rhs)
    assert not prove_task(step)["proved"]
    assert spot_claim(step, samples=20, seed=0).status == "FAILED"


def test_the_entropy_bound_needs_a_finite_support():
    step = step_of("latent: z\npositive: l\ndefine q(z) = Poisson(z, l)\n", "H(q(z))", "<=", "log(3)")
    assert not prove_task(step)["proved"]


def test_kl_against_a_support_with_an_infinite_end_is_proved_nonnegative():
    header = "latent: z\npositive: a b l\ndefine q(z) = Beta(z, a, b)\ndefine r(z) = Exponential(z, l)\n"
    assert prove_task(step_of(header, "KL(q(z) || r(z))", ">=", "0", "by kl_nonnegative"))["proved"]
    # the other way round the support of r is not inside (0, 1): never proved
    assert not prove_task(step_of(header, "KL(r(z) || q(z))", ">=", "0"))["proved"]


def test_mean_absolute_deviation_of_a_normal_by_its_lemma():
    header = "latent: z\nparameters: m c\npositive: s\ndefine q(z) = Normal(z, m, s)\n"
    right = "s*sqrt(2/pi)*exp(-(m - c)^2/(2*s^2)) + (m - c)*erf((m - c)/(sqrt(2)*s))"
    step = step_of(header, "E_q(z)[abs(z - c)]", "=", right)
    assert prove_task(step)["proved"]
    assert spot_claim(step, samples=10, seed=0).status == "SPOT-CHECKED"
    wrong = step_of(header, "E_q(z)[abs(z - c)]", "=", "s*sqrt(2/pi) + abs(m - c)")
    assert not prove_task(wrong)["proved"]
    assert spot_claim(wrong, samples=20, seed=0).status == "FAILED"
