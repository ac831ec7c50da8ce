"""Densities written by hand (``define r(z) = <formula> on ...``): vi_sym checks that each is a
density before any claim about it is proved, says whether that was proved or spot-checked, and
refutes a "density" that does not normalise with the point where its mass is not 1."""
import pytest
import sympy

from vi_sym.distributions import is_density
from vi_sym.judge import prove as prove_task
from vi_sym.loader import load_text
from vi_sym.spot.claims import spot_claim

DLAPLACE = "tanh(l/2)*exp(-l*abs(z)) on integers"


def load(define, lhs="E_r(z)[1]", rhs="1", header="positive: l"):
    ds, errs = load_text(f"derivation d\nlatent: z\n{header}\ndefine r(z) = {define}\n\n"
                         f"    {lhs}\n  = {rhs}\n", "d.vi")
    assert not errs, errs
    return {d.name: d for d in ds}


def test_every_written_density_gets_the_claim_that_it_is_one():
    ds = load(DLAPLACE, "E_r(z)[z^2]", "1/(2*sinh(l/2)^2)")
    assert set(ds) == {"d", "d_r_is_a_density"}
    (claim,) = ds["d_r_is_a_density"].steps
    assert str(claim.lhs) == "E_r(z)[1]" and claim.rhs == 1


def test_a_discrete_laplace_is_proved_a_density_and_its_second_moment_proved():
    ds = load(DLAPLACE, "E_r(z)[z^2]", "1/(2*sinh(l/2)^2)")
    out = prove_task(ds["d"].steps[0])
    assert out["proved"] and any("is a density" in t[1] for t in out["trace"])
    assert prove_task(ds["d_r_is_a_density"].steps[0])["proved"]
    assert spot_claim(ds["d"].steps[0], samples=10, seed=0).status == "SPOT-CHECKED"


def test_a_wrong_moment_of_a_written_density_is_refuted_never_proved():
    ds = load(DLAPLACE, "E_r(z)[z^2]", "1/sinh(l/2)^2")
    assert not prove_task(ds["d"].steps[0])["proved"]
    assert spot_claim(ds["d"].steps[0], samples=10, seed=0).status == "FAILED"


@pytest.mark.parametrize("define", ["exp(-l*abs(z)) on integers",            # missing tanh(l/2)
                                    "l*exp(-l*z) on integers z >= 0",         # the pdf as a pmf
                                    "exp(-z^2/2) on reals"])                  # missing 1/sqrt(2 pi)
def test_a_density_that_does_not_normalise_is_failed_with_the_point(define):
    ds = load(define)
    claim = ds["d_r_is_a_density"].steps[0]
    assert not prove_task(claim)["proved"]
    r = spot_claim(claim, samples=10, seed=0)
    assert r.status == "FAILED" and abs(r.counterexample["lhs"] - 1) > 1e-3


def test_claims_about_a_non_density_are_never_proved_nor_spot_checked_with_it():
    # E[z] = 0 is true of the formula by symmetry, but twice a pmf is no pmf
    ds = load("2*tanh(l/2)*exp(-l*abs(z)) on integers", "E_r(z)[z]", "0")
    out = prove_task(ds["d"].steps[0])
    assert not out["proved"] and "not shown to be a density" in out["reason"]
    r = spot_claim(ds["d"].steps[0], samples=10, seed=0)
    assert r.status != "SPOT-CHECKED" and r.n_checked == 0
    assert "not a density here" in r.reason


def test_a_negative_formula_is_never_a_density():
    # total mass 2 - 1 = 1, but negative for z > 4 log 2
    ds = load("2*exp(-z) - exp(-z/2)/2 on (0, oo)")
    claim = ds["d_r_is_a_density"].steps[0]
    out = prove_task(claim)
    assert not out["proved"] and "nonnegativity" in out["reason"]
    r = spot_claim(claim, samples=4, seed=0)
    assert r.status != "SPOT-CHECKED" and "negative" in r.reason


def test_continuous_written_densities_on_intervals():
    ds = load("l*exp(-l*z)/(1 - exp(-l)) on (0, 1)", "H(r(z))",
              "1 - log(l) + log(1 - exp(-l)) - l*exp(-l)/(1 - exp(-l))")
    assert prove_task(ds["d_r_is_a_density"].steps[0])["proved"]
    assert prove_task(ds["d"].steps[0])["proved"]
    assert spot_claim(ds["d"].steps[0], samples=10, seed=0).status == "SPOT-CHECKED"


def test_a_density_sympy_cannot_sum_is_spot_checked_and_says_so():
    ds = load("15/pi^4 * z^3/(exp(z) - 1) on (0, oo)")            # Planck's law
    out = prove_task(ds["d_r_is_a_density"].steps[0])
    assert not out["proved"] and "does not close" in out["reason"]
    assert spot_claim(ds["d_r_is_a_density"].steps[0], samples=4, seed=0).status == "SPOT-CHECKED"


def test_is_density_needs_both_mass_and_sign():
    z, l = sympy.Symbol("z", real=True), sympy.Symbol("l", positive=True)
    from vi_sym.distributions.written import written
    ok = written(z, sympy.tanh(l / 2) * sympy.exp(-l * abs(z)), -sympy.oo, sympy.oo, True)
    assert is_density(ok, {"l": "positive"})[0]
    assert not is_density(written(z, 2 * sympy.exp(-2 * z) - sympy.exp(-z), 0, sympy.oo, False),
                          {})[0]       # integrates to 0: also negative for small z
    t = sympy.Symbol("t", positive=True)
    geometric = written(z, t * (1 - t) ** z, 0, sympy.oo, True)
    assert is_density(geometric, {"t": "unit"})[0]            # t in (0, 1): a pmf
    assert not is_density(geometric, {"t": "positive"})[0]    # t = 3 would make it none


@pytest.mark.parametrize("define,fragment", [
    ("exp(-z) on integers z > 0", "unknown support"),
    ("exp(-z) on (1, 0)", "empty"),
    ("exp(-z) on integers z >= 1/2", "integer"),
    ("Normal(z, 0, 1) on reals", "not a distribution"),
    ("exp(-l) on reals", "does not depend"),
    ("exp(-z) on (0, oo", "unknown support"),
])
def test_malformed_written_densities_are_input_errors(define, fragment):
    ds, errs = load_text(f"derivation d\nlatent: z\npositive: l\ndefine r(z) = {define}\n\n"
                         "    E_r(z)[1]\n  = 1\n", "d.vi")
    assert errs and fragment in errs[0].message and errs[0].line == 4, errs
