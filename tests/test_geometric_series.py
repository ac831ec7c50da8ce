"""Geometric-type series closed by a lemma (vi_sym.distributions.series): Σ_k c·k^n·B^k with
|B| < 1 proved from the declared domains, so a pmf written by hand (a Planck, a geometric
written as t(1 - t)^k) is PROVED a density -- and the lemma can be made to lie by none of: a
pmf summing to 2, a ratio >= 1, a negative term."""
import pytest
import sympy

from vi_sym.distributions.series import geometric_sum, geometric_terms, inside_unit_interval
from vi_sym.judge import prove as prove_task
from vi_sym.loader import load_text
from vi_sym.spot.claims import spot_claim


def load(define, header, lhs="E_r(k)[1]", rhs="1"):
    ds, errs = load_text(f"derivation d\nlatent: k\n{header}\ndefine r(k) = {define}\n\n"
                         f"    {lhs}\n  = {rhs}\n", "d.vi")
    assert not errs, errs
    return {d.name: d.steps[0] for d in ds}


@pytest.mark.parametrize("define,header", [
    ("(1 - exp(-l))*exp(-l*k) on integers k >= 0", "positive: l"),          # Planck
    ("exp(-l*k) - exp(-l*(k + 1)) on integers k >= 0", "positive: l"),      # Planck, as a difference
    ("t*(1 - t)^k on integers k >= 0", "unit: t"),                          # geometric
    ("(1 - t)*t^k on integers k >= 0", "unit: t"),
    ("(1 - t)*t^(k - 1) on integers k >= 1", "unit: t"),                    # starting at 1
])
def test_geometric_type_pmfs_are_proved_densities(define, header):
    steps = load(define, header)
    out = prove_task(steps["d_r_is_a_density"])
    assert out["proved"], out["reason"]
    assert spot_claim(steps["d_r_is_a_density"], samples=10, seed=0).status == "SPOT-CHECKED"


def test_a_moment_of_a_written_geometric_is_proved_and_a_wrong_one_is_not():
    right = load("t*(1 - t)^k on integers k >= 0", "unit: t", "E_r(k)[k^2]", "(1 - t)*(2 - t)/t^2")["d"]
    assert prove_task(right)["proved"]
    wrong = load("t*(1 - t)^k on integers k >= 0", "unit: t", "E_r(k)[k^2]", "(1 - t)/t^2")["d"]
    assert not prove_task(wrong)["proved"]
    assert spot_claim(wrong, samples=10, seed=0).status == "FAILED"


@pytest.mark.parametrize("define,header,why", [
    ("2*(1 - exp(-l))*exp(-l*k) on integers k >= 0", "positive: l", "mass 2"),
    ("t*(1 - t)^k/2 on integers k >= 0", "unit: t", "mass 1/2"),
    ("(1 - t)^2*t^(k - 1) on integers k >= 1", "unit: t", "mass 1 - t"),
    ("(1 - exp(l))*exp(l*k) on integers k >= 0", "positive: l", "ratio > 1: diverges"),
    ("t*(1 + t)^k on integers k >= 0", "unit: t", "ratio > 1"),
    ("(1 + t)*(-t)^k on integers k >= 0", "unit: t", "sums to 1 but is negative at odd k"),
    ("t*(t - 1)^k on integers k >= 0", "unit: t", "alternating, mass t/(2 - t)"),
])
def test_a_pmf_that_is_not_a_density_is_never_proved_one(define, header, why):
    claim = load(define, header)["d_r_is_a_density"]
    assert not prove_task(claim)["proved"], why
    assert spot_claim(claim, samples=10, seed=0).status in ("FAILED", "UNKNOWN"), why


def test_the_lemma_needs_the_ratio_inside_the_unit_interval():
    k = sympy.Dummy("k", integer=True, nonnegative=True)
    l = sympy.Symbol("l", positive=True)
    a = sympy.Symbol("a", real=True)
    assert geometric_sum(sympy.exp(-l * k), k, sympy.Integer(0), sympy.oo) == 1 / (1 - sympy.exp(-l))
    assert geometric_sum(sympy.exp(l * k), k, sympy.Integer(0), sympy.oo) is None       # e^l > 1
    assert geometric_sum(a ** k, k, sympy.Integer(0), sympy.oo) is None                 # |a| unknown
    assert geometric_sum(sympy.Integer(1), k, sympy.Integer(0), sympy.oo) is None       # B = 1
    assert geometric_sum(1 / sympy.factorial(k), k, sympy.Integer(0), sympy.oo) is None  # not geometric
    assert geometric_terms(k ** 2 * sympy.exp(-l * k + 1), k) == [(sympy.E, 2, sympy.exp(-l))]
    assert not inside_unit_interval(sympy.Integer(1)) and inside_unit_interval(sympy.Rational(-1, 2))


def test_the_lemma_agrees_with_the_series_at_numbers():
    k = sympy.Dummy("k", integer=True, nonnegative=True)
    for n in range(4):
        for B in (sympy.Rational(1, 3), sympy.Rational(-2, 5)):
            got = geometric_sum(k ** n * B ** k * 7, k, sympy.Integer(2), sympy.oo)
            want = sum(j ** n * B ** j * 7 for j in range(2, 400))
            assert abs(float(got - want)) < 1e-12
