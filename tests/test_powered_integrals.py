"""Integrals of powers and products of defined densities: ``∫ sqrt(q r)``, ``∫ q^α r^(1-α)``,
``∫ q²/r``, ``∫ q r`` -- read as an expectation under the density whose support the others
contain (:func:`vi_sym.claims.structure._powered`).  Closed forms are PROVED, slips FAILED, and
what the rewrite cannot cover (supports that do not nest, an exponent of unknown sign) is never
PROVED."""
from __future__ import annotations

import pytest

from vi_sym.checker import Settings, check_derivations
from vi_sym.frontends import load_text

SETTINGS = Settings(families=("all",), samples=12, jobs=1, fixes=False)


def _status(header: str, lhs: str, rhs: str) -> str:
    text = f"derivation d\nlatent: z\n{header}\n\n    {lhs}\n  = {rhs}\n"
    ds, errors = load_text(text, "d.vi")
    assert not errors, errors
    (result,) = check_derivations(ds, SETTINGS).results
    return result.status.name


EXP_UNIFORM = "positive: l\ndefine q(z) = Exponential(z, l)\ndefine r(z) = Uniform(z, 0, 1)"


@pytest.mark.parametrize("lhs", ["integrate(sqrt(q(z)*r(z)), z)", "integrate(sqrt(r(z))*sqrt(q(z)), z)"])
def test_the_weight_is_the_density_whose_support_the_others_contain(lhs):
    """Over (0, 1) only, whichever way the product is written: the uniform is the weight."""
    assert _status(EXP_UNIFORM, lhs, "2*(1 - exp(-l/2))/sqrt(l)") == "PROVED"
    assert _status(EXP_UNIFORM, lhs, "2/sqrt(l)") == "FAILED"


def test_supports_that_do_not_nest_are_never_decided_by_the_rewrite():
    """(0, 2) and (1, 3): neither weight covers the integrand, so the claim -- true here -- is
    left open, neither PROVED by the rewrite nor FAILED by it."""
    header = "define q(z) = Uniform(z, 0, 2)\ndefine r(z) = Uniform(z, 1, 3)"
    assert _status(header, "integrate(sqrt(q(z)*r(z)), z)", "1/2") == "UNKNOWN"
    assert _status(header, "integrate(sqrt(q(z)*r(z)), z)", "1") != "PROVED"


def test_an_exponent_of_unknown_sign_gives_no_weight():
    header = "parameters: t m\npositive: s\ndefine q(z) = Normal(z, m, s)"
    assert _status(header, "integrate(q(z)^t, z)", "1") not in ("PROVED", "SPOT-CHECKED")


NORMALS = "parameters: m1 m2\npositive: s1 s2 a\ndefine q(z) = Normal(z, m1, s1)\ndefine r(z) = Normal(z, m2, s2)"


@pytest.mark.parametrize("lhs,rhs,status", [
    ("integrate(q(z)*r(z), z)", "exp(-(m1 - m2)^2/(2*(s1^2 + s2^2)))/sqrt(2*pi*(s1^2 + s2^2))", "PROVED"),
    ("integrate(q(z)*r(z), z)", "exp(-(m1 - m2)^2/(2*(s1^2 + s2^2)))/sqrt(2*pi*(s1^2 + s2))", "FAILED"),
    ("integrate(q(z)^2, z)", "1/(2*s1*sqrt(pi))", "PROVED"),
    ("integrate(q(z)^2, z)", "1/(2*s1*sqrt(2*pi))", "FAILED"),
    ("integrate(sqrt(q(z)*r(z)), z)",
     "sqrt(2*s1*s2/(s1^2 + s2^2))*exp(-(m1 - m2)^2/(4*(s1^2 + s2^2)))", "PROVED"),
    ("integrate(sqrt(q(z)*r(z)), z)",
     "sqrt(2*s1*s2/(s1^2 + s2^2))*exp(-(m1 - m2)^2/(8*(s1^2 + s2^2)))", "FAILED"),
])
def test_gaussian_overlaps(lhs, rhs, status):
    assert _status(NORMALS, lhs, rhs) == status


def test_the_renyi_integral_of_exponentials_needs_the_order_in_the_unit_interval():
    """∫ q^α r^(1-α) = l1^α l2^(1-α)/(α l1 + (1-α) l2) is finite for α in (0, 1); with α only
    positive, α l1 + (1 - α) l2 can be negative (the integral +∞), so it is not PROVED."""
    value = "l1^a*l2^(1 - a)/(a*l1 + (1 - a)*l2)"
    base = "positive: l1 l2\ndefine q(z) = Exponential(z, l1)\ndefine r(z) = Exponential(z, l2)\n"
    assert _status(base + "unit: a", "integrate(q(z)^a*r(z)^(1 - a), z)", value) == "PROVED"
    assert _status(base.replace("l1 l2", "l1 l2 a"), "integrate(q(z)^a*r(z)^(1 - a), z)", value) != "PROVED"
