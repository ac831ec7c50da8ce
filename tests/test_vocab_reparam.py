"""The change of variables (reparameterisation) for an arbitrary test function f: proved with the
right location and scale, never with a wrong one."""
import pytest

from vi_sym.judge import prove
from vi_sym.loader import load_text
from vi_sym.prover import prove_step
from vi_sym.rules import get_rule

HEADER = """derivation d
latent: z e
parameters: m
positive: s
functions: f g
define q(z) = Normal(z, m, s)
define r(e) = Normal(e, 0, 1)
define t(e) = Normal(e, 0, 2)

    {lhs}
  = {rhs}   by change_of_variables
"""


def step(lhs, rhs):
    ds, errors = load_text(HEADER.format(lhs=lhs, rhs=rhs), "t.vi")
    assert not errors, errors
    return ds[0].steps[0]


def proved(lhs, rhs):
    st = step(lhs, rhs)
    return prove_step(st.lhs, st.rel, st.rhs, [get_rule("change_of_variables")], st.context).proved


def test_reparameterisation_of_an_arbitrary_function():
    assert proved("E_q(z)[f(z)]", "E_r(e)[f(m + s*e)]")
    assert proved("E_q(z)[f(z)*g(z)]", "E_r(e)[f(m + s*e)*g(s*e + m)]")
    assert proved("E_q(z)[f(z)]", "E_t(e)[f(m + s*e/2)]")          # a non-standard normal on the right


@pytest.mark.parametrize("rhs", [
    "E_r(e)[f(m + s^2*e)]",      # the variance for the scale
    "E_r(e)[f(m + e)]",          # the scale forgotten
    "E_r(e)[f(s*e)]",            # the location forgotten
    "E_r(e)[f(m - s*e + 1)]",    # a shifted location
    "E_t(e)[f(m + s*e)]",        # the right expression under the wrong density
    "E_r(e)[g(m + s*e)]",        # another function
])
def test_wrong_reparameterisations_are_not_proved(rhs):
    assert not proved("E_q(z)[f(z)]", rhs)


def test_an_integrand_with_the_density_itself_is_left_alone():
    """-E_q[log q] is the entropy: the substitution rule does not apply to densities in z."""
    st = step("E_q(z)[log(q(z))]", "E_r(e)[log(r(e))]")
    assert not prove_step(st.lhs, st.rel, st.rhs, [get_rule("change_of_variables")], st.context).proved


def test_the_judge_proves_the_claim_by_the_rule_and_never_hangs_on_f():
    ok = prove(step("E_q(z)[f(z)]", "E_r(e)[f(m + s*e)]"))
    assert ok["proved"] and "change_of_variables" in ok["rules_used"]
    wrong = prove(step("E_q(z)[f(z)]", "E_r(e)[f(m + s^2*e)]"))
    assert not wrong["proved"] and "φ" in wrong["residual"]


def test_the_vae_derivation():
    from pathlib import Path

    from vi_sym.checker import Settings, check_derivations
    from vi_sym.frontends import load_file
    ds, errors = load_file(Path(__file__).parent.parent / "derivations" / "vae.vi")
    assert not errors
    report = check_derivations(ds, Settings(families=("normal-normal",), samples=5, jobs=1))
    status = {r.step_id: r.status.value for r in report.results}
    assert status["vae_amortised_elbo::conclusion"] == "PROVED"
    assert status["vae_reparameterisation::1"] == "PROVED"
    assert status["vae_kl_one_dimension::1"] == "PROVED"
    assert status["vae_reparameterisation_wrong::1"] not in ("PROVED", "SPOT-CHECKED")
