"""A claim about an integral of a formula over explicit limits, with no density -- a learner's E[X]
by hand, ``∫_0^∞ λ e^{-λz} dz = 1`` -- is a concrete claim: sympy closes the integral where it can
and the claim is PROVED; a wrong closed form is FAILED at a drawn parameter point (it was UNKNOWN:
no model family gives the parameters a value).  Attacks: a claim that holds only where the
integral converges, or a divergent one, is never PROVED; a claim with a sum stays with the rules."""
from __future__ import annotations

import pytest

from vi_sym.claims import is_concrete
from vi_sym.loader import load_text

from conftest import judge_vi


def _vi(body: str, header: str = "positive: lam") -> str:
    return f"derivation d\nlatent: z\n{header}\n\n    {body.split(' = ')[0]}\n  = {body.split(' = ')[1]}\n"


@pytest.mark.parametrize("body, header, expected", [
    ("integrate(lam*exp(-lam*z), (z, 0, oo)) = 1", "positive: lam", "PROVED"),
    ("integrate(z*lam*exp(-lam*z), (z, 0, oo)) = 1/lam", "positive: lam", "PROVED"),
    ("integrate(z*lam*exp(-lam*z), (z, 0, oo)) = 2/lam", "positive: lam", "FAILED"),
    ("integrate(exp(-z^2/(2*s^2)), (z, -oo, oo)) = sqrt(2*pi)*s", "positive: s", "PROVED"),
    ("integrate(exp(-z^2/(2*s^2)), (z, -oo, oo)) = sqrt(2*pi*s)", "positive: s", "FAILED"),
    ("integrate(z^(a-1)*exp(-z), (z, 0, oo)) = gamma(a)", "positive: a", "PROVED"),
])
def test_an_integral_of_a_formula_is_proved_or_refuted(body, header, expected):
    assert judge_vi(_vi(body, header)) == expected


@pytest.mark.parametrize("body, header", [
    ("integrate(exp(t*z), (z, 0, oo)) = -1/t", "parameters: t"),          # infinite for t >= 0
    ("integrate(z^(a-1)*exp(-z), (z, 0, oo)) = gamma(a)", "parameters: a"),  # infinite for a <= 0
    ("integrate(1/z, (z, 0, 1)) = 0", "positive: lam"),                     # divergent
])
def test_a_claim_that_holds_only_where_its_integral_converges_is_never_proved(body, header):
    assert judge_vi(_vi(body, header)) != "PROVED"


def test_a_formula_with_a_sum_or_an_integral_over_a_whole_domain_is_no_formula_claim():
    (d,), _ = load_text(_vi("sum(2^(-k), (k, 1, oo)) = integrate(exp(-t^2/2)/sqrt(2*pi), (t, -oo, oo))"), "k.vi")
    assert not is_concrete(d.steps[0])
    (d,), _ = load_text(_vi("integrate(lam*exp(-lam*z), (z, 0, oo)) = 1"), "k.vi")
    assert is_concrete(d.steps[0])


@pytest.mark.parametrize("body, header, expected", [
    # a divergent integral, certified infinite by sympy's limit at the end where it blows up: FAILED
    # (it was UNKNOWN: the quadrature only suspects divergence)
    ("integrate(1/z, (z, 1, oo)) = 1", "parameters: c", "FAILED"),
    ("integrate(1/z, (z, 0, 1)) = 2", "parameters: c", "FAILED"),
    ("integrate(z^(-a), (z, 1, oo)) = 1/(a - 1)", "positive: a", "FAILED"),     # at a ≤ 1
    ("integrate(z^(-101/100), (z, 1, oo)) = 100", "parameters: c", "PROVED"),
    # an integrand of both signs is certified nothing: never FAILED by a suspected divergence
    ("integrate(sin(z)/z, (z, 0, oo)) = pi/2", "parameters: c", "PROVED"),
])
def test_a_divergent_integral_of_a_formula_is_refuted_with_a_certificate(body, header, expected):
    assert judge_vi(_vi(body, header)) == expected


def test_the_certificate_says_where_the_integral_diverges():
    from vi_sym.claims.divergence import integral_diverges
    import sympy
    z = sympy.Symbol("z")
    sign, how = integral_diverges(1 / z, z, 1, sympy.oo, {})
    assert sign == 1 and "falls off no faster than 1/|z|" in how
    assert integral_diverges(sympy.sin(z) / z, z, 0, sympy.oo, {}) is None
    assert integral_diverges(z ** -2, z, 1, sympy.oo, {}) is None
    assert integral_diverges(-1 / z, z, 0, 1, {})[0] == -1
