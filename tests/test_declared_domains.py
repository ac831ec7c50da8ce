"""Declared domains in the .vi header: ``nonnegative:``, parameters named p or q, and latent /
observed variables that are real numbers."""
import pytest

from vi_sym.judge import prove as prove_task
from vi_sym.loader import load_text
from vi_sym.spot.claims import spot_claim, value_strategy


def one_step(text):
    (d,), errs = load_text(text, "d.vi")
    assert not errs, errs
    return d.steps[0]


def test_parameters_named_p_and_q_when_the_header_says_so():
    step = one_step("derivation b\nlatent: z\nunit: p q\ndefine r(z) = Bernoulli(z, p)\n"
                    "define w(z) = Bernoulli(z, q)\n\n    KL(r(z) || w(z))\n"
                    "  = p*log(p/q) + (1 - p)*log((1 - p)/(1 - q))\n")
    assert prove_task(step)["proved"]


def test_p_and_q_stay_densities_unless_declared():
    step = one_step("derivation b\nlatent: z\nobserved: x\n\n    KL(q(z) || p(z|x))\n"
                    "  = integrate(q(z)*log(q(z)/p(z|x)), z)   by kl_definition\n")
    assert prove_task(step)["proved"]


def test_an_explicit_densities_header_still_clashes_with_a_parameter_of_that_name():
    ds, errs = load_text("derivation b\nlatent: z\nunit: p\ndensities: p q\n\n    p\n  = p\n", "d.vi")
    assert errs and "both a variable and a density" in errs[0].message


def test_nonnegative_parameters_are_declared_and_drawn_down_to_zero():
    step = one_step("derivation n\nlatent: z\nnonnegative: c\ndefine r(z) = Normal(z, c, 1)\n\n"
                    "    E_r(z)[z^2]\n  = c^2 + 1\n")
    assert dict(step.context.domains)["c"] == "nonnegative"
    assert prove_task(step)["proved"]
    r = spot_claim(step, samples=10, seed=0)
    assert r.status == "SPOT-CHECKED"
    from hypothesis import find
    assert find(value_strategy("nonnegative"), lambda v: v == 0.0) == 0.0
    with pytest.raises(Exception):
        find(value_strategy("nonnegative"), lambda v: v < 0)


def test_a_nonnegative_parameter_is_not_a_positive_scale():
    ds, errs = load_text("derivation n\nlatent: z\nnonnegative: c\ndefine r(z) = Normal(z, 0, c)\n\n"
                         "    H(r(z))\n  = 1\n", "d.vi")
    assert errs and "positive" in errs[0].message and "nonnegative" in errs[0].message


def test_a_wrong_claim_with_a_nonnegative_parameter_is_refuted():
    step = one_step("derivation n\nlatent: z\nnonnegative: c\ndefine r(z) = Normal(z, c, 1)\n\n"
                    "    E_r(z)[z^2]\n  = c^2 + c + 1\n")
    assert not prove_task(step)["proved"]
    assert spot_claim(step, samples=10, seed=0).status == "FAILED"


def test_variables_are_real_so_an_explicit_gaussian_likelihood_simplifies():
    step = one_step("derivation g\nlatent: z\nobserved: x\npositive: s\n\n"
                    "    log(exp(-(x - z)^2/(2*s^2)))\n  = -(x - z)^2/(2*s^2)   by log_of_exp\n")
    assert prove_task(step)["proved"]
    wrong = one_step("derivation g\nlatent: z\nobserved: x\npositive: s\n\n"
                     "    log(exp(-(x - z)^2/(2*s^2)))\n  = -(x - z)^2/s^2   by log_of_exp\n")
    assert not prove_task(wrong)["proved"]
