"""sympy's integrals are taken with their convergence conditions: a value sympy gives only
under a condition the declared domains do not prove (∫_0^∞ l e^{-lz} e^{tz} dz = l/(l - t)
only when t < l) is no value of the integral -- with t and l merely positive the
expectation may be +∞ -- so a claim resting on it is never PROVED.  A condition the domains
do prove (the rate l + t above t) still closes the integral."""
import pytest
import sympy

from vi_sym.distributions.written import converging_integral
from vi_sym.judge import prove as prove_task
from vi_sym.loader import load_text


def _step(header, lhs, rhs):
    (d, *_), errs = load_text(f"derivation c\n{header}\n    {lhs}\n  = {rhs}   by expectation_definition\n",
                              "c.vi")
    assert not errs, errs
    return d.steps[0]


TRAPS = [
    ("latent: z\npositive: l t\ndefine q(z) = Exponential(z, l)\n", "E_q(z)[exp(t*z)]", "l/(l - t)"),
    ("latent: z\npositive: l t\ndefine r(z) = l*exp(-l*z) on (0, oo)\n", "E_r(z)[exp(t*z)]", "l/(l - t)"),
    ("latent: z\nparameters: m\npositive: s t\ndefine q(z) = Normal(z, m, s)\n",
     "E_q(z)[exp(t*z^2)]", "1/sqrt(1 - 2*t*s^2)*exp(m^2*t/(1 - 2*t*s^2))"),
]
FINE = [
    ("latent: z\npositive: l t\ndefine q(z) = Exponential(z, l + t)\n", "E_q(z)[exp(t*z)]", "(l + t)/l"),
    ("latent: z\npositive: l t\ndefine r(z) = (l + t)*exp(-(l + t)*z) on (0, oo)\n",
     "E_r(z)[exp(t*z)]", "(l + t)/l"),
]


@pytest.mark.parametrize("header,lhs,rhs", TRAPS, ids=["exponential", "written", "normal-square"])
def test_a_value_under_an_unproved_convergence_condition_is_not_a_proof(header, lhs, rhs):
    assert not prove_task(_step(header, lhs, rhs))["proved"]


@pytest.mark.parametrize("header,lhs,rhs", FINE, ids=["exponential", "written"])
def test_a_condition_the_domains_prove_still_closes_the_integral(header, lhs, rhs):
    assert prove_task(_step(header, lhs, rhs))["proved"]


def test_converging_integral():
    z = sympy.Symbol("z", real=True)
    l, t = sympy.symbols("l t", positive=True)
    assert converging_integral(l * sympy.exp(-l * z) * sympy.exp(t * z), z, 0, sympy.oo) is None
    v = converging_integral((l + t) * sympy.exp(-(l + t) * z) * sympy.exp(t * z), z, 0, sympy.oo)
    assert sympy.simplify(v - (l + t) / l) == 0
    assert converging_integral(l * sympy.exp(-l * z) * z, z, 0, sympy.oo) == 1 / l
