"""Defined conditional densities, ``define lik(x|z) = Normal(x, z, s)``: the Gaussian expected
log-likelihood proved by the moment lemmas and spot-checked, wrong closed forms never PROVED,
bad definitions an error at their line and column."""
import pytest

from vi_sym.conditional import ConditionalDensity
from vi_sym.judge import judge, prove
from vi_sym.loader import load_text
from vi_sym.settings import Settings

TEXT = """derivation d
latent: z w
observed: x y
parameters: m
positive: s t
define q(z) = Normal(z, m, t)
define r(z) = Normal(z, 0, 1)
{define}

    {lhs}
  = {rhs}
"""
LIK = "define lik(x|z) = Normal(x, z, s)"
EXPECTED = "-log(s) - log(2*pi)/2 - ((x - m)^2 + t^2)/(2*s^2)"


def step(lhs, rhs, define=LIK):
    ds, errors = load_text(TEXT.format(define=define, lhs=lhs, rhs=rhs), "t.vi")
    assert not errors, [str(e) for e in errors]
    return ds[0].steps[0]


def errors_of(define, lhs="1", rhs="1"):
    _, errors = load_text(TEXT.format(define=define, lhs=lhs, rhs=rhs), "t.vi")
    return [str(e) for e in errors]


def test_the_gaussian_expected_log_likelihood_is_proved_and_spot_checked():
    st = step("E_q(z)[log(lik(x|z))]", EXPECTED)
    (d,) = [a for a in st.lhs.atoms(ConditionalDensity)]
    assert str(d) == "lik(x|z)" and d.given == st.lhs.q.vars
    res = judge(st, Settings(samples=10, families=("all",)))
    assert res.status.value == "PROVED"
    assert [f["status"] for f in res.families] == ["SPOT-CHECKED"]


def test_it_stands_in_a_joint_and_in_a_chain():
    elbo = "ELBO(q(z), lik(x|z)*r(z))"
    closed = EXPECTED + " - (t^2 + m^2 - 1 - log(t^2))/2"
    assert prove(step(elbo, "E_q(z)[log(lik(x|z))] - KL(q(z) || r(z))"))["proved"]
    assert prove(step(elbo, closed))["proved"]
    assert prove(step("E_q(z)[log(lik(x|z))]", "E_q(z)[-log(s) - log(2*pi)/2 - (x - z)^2/(2*s^2)]"))["proved"]


@pytest.mark.parametrize("rhs", [
    "-log(s) - log(2*pi)/2 - (x - m)^2/(2*s^2)",            # the variance of q forgotten
    "-log(s) - log(2*pi)/2 - ((x - m)^2 + t)/(2*s^2)",      # t for t²
    "-log(s) - log(2*pi)/2 - ((x - m)^2 + t^2)/(2*t^2)",    # q's scale for the noise's
    "-log(t) - log(2*pi)/2 - ((x - m)^2 + t^2)/(2*s^2)",
    "-log(s) - log(2*pi) - ((x - m)^2 + t^2)/(2*s^2)",      # log 2π for log(2π)/2
])
def test_wrong_closed_forms_are_not_proved_and_are_refuted(rhs):
    st = step("E_q(z)[log(lik(x|z))]", rhs)
    assert not prove(st)["proved"]
    assert judge(st, Settings(samples=10, families=("all",))).status.value == "FAILED"


@pytest.mark.parametrize("define, message, column", [
    ("define lik(x|v) = Normal(x, v, s)", "'v' in define lik(...) is not declared", 14),
    ("define lik(x|m) = Normal(x, m, s)", "'m' right of the bar is not a latent variable", 14),
    ("define lik(z|w) = Normal(z, w, s)", "'z' left of the bar is not an observed variable", 12),
    ("define lik(x|z) = Normal(y, z, s)", "must be one distribution of x", 19),
    ("define lik(x|z) = Normal(x, w, s)", "depend on the latent w", 19),
    ("define lik(x|z) = Normal(x, z, z)", "must be positive", 19),
    ("define lik(x|z) = Normal(x, z, k)", "unknown name 'k'", 32),
    ("define lik(x|) = Normal(x, z, s)", "a variable on each side of the bar", 13),
])
def test_bad_definitions_are_errors_at_their_line_and_column(define, message, column):
    errors = errors_of(define)
    assert any(message in e for e in errors), errors
    assert all(e.startswith("t.vi:8") for e in errors), errors
    if column:
        assert any(e.startswith(f"t.vi:8:{column}:") for e in errors), errors


def test_a_use_that_does_not_match_the_definition_is_an_error():
    errors = errors_of(LIK, lhs="E_q(z)[log(lik(x|w))]")
    assert any("lik is defined as lik(x|z)" in e for e in errors), errors
    errors = errors_of(LIK, lhs="E_q(z)[log(lik(y|z))]")
    assert any("lik is defined as lik(x|z)" in e for e in errors), errors
