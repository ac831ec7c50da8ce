"""Field algebra in the prover (quotients over one denominator, vi_sym.rational) and the
sign rule ``nonnegative_quotient`` (vi_sym.rules.signs): what they prove, and what they must not."""

import sympy
import pytest

from vi_sym.loader import load_text
from vi_sym.prover import prove_step
from vi_sym.rational import field_free_of, field_zero
from vi_sym.rules import get_rule
from vi_sym.rules.signs import nonnegative_quotient_atoms

HEADER = ("derivation d\nlatent: τ\nparameters: x1 x2 μ0 μ L12\npositive: λ0 a b L11 d\n"
          "observed: y\n\n")


def step_of(lhs, rel, rhs, by="linearity", header=HEADER):
    (d,), errs = load_text(f"{header}    {lhs}\n  {rel} {rhs}   by {by}\n", "t.vi")
    assert not errs, errs
    return d.steps[0]


def proved(lhs, rel, rhs, by="linearity", header=HEADER):
    st = step_of(lhs, rel, rhs, by, header)
    return prove_step(st.lhs, st.rel, st.rhs, [get_rule(r) for r in st.by], st.context)


SQUARE = "-a*((x1 - μ)^2 + (x2 - μ)^2 + λ0*(μ - μ0)^2)/2"


def test_completing_the_square_is_proved_up_to_a_constant():
    p = proved(SQUARE + " + const(μ)", "=",
               "-(λ0 + 2)*a*(μ - (λ0*μ0 + x1 + x2)/(λ0 + 2))^2/2 + const(μ)")
    assert p.proved, p.residual


@pytest.mark.parametrize("rhs", [
    "-(λ0 + 2)*a*(μ - (μ0 + x1 + x2)/(λ0 + 2))^2/2 + const(μ)",         # prior mean unweighted
    "-(λ0 + 2*a)*(μ - (λ0*μ0 + x1 + x2)/(λ0 + 2))^2/2 + const(μ)",      # wrong precision
    "-(λ0 + 1)*a*(μ - (λ0*μ0 + x1 + x2)/(λ0 + 1))^2/2 + const(μ)",      # wrong N
    "(λ0 + 2)*a*(μ - (λ0*μ0 + x1 + x2)/(λ0 + 2))^2/2 + const(μ)",       # sign
])
def test_a_wrong_square_is_not_proved(rhs):
    assert not proved(SQUARE + " + const(μ)", "=", rhs).proved


def test_exact_quotient_identity_and_its_slip():
    assert proved("(x1 + λ0*x1)/(1 + λ0)", "=", "x1").proved
    assert not proved("(x1 + λ0*x1)/(1 + λ0)", "=", "x1 + 1").proved
    assert not proved("(x1 + λ0*x2)/(1 + λ0)", "=", "x1").proved


def test_field_helpers_directly():
    x, y, l = sympy.symbols("x y l", positive=True)
    assert field_zero(l * x / (l + 2) + 2 * x / (l + 2) - x)
    assert not field_zero(l * x / (l + 2) + 2 * x / (l + 2) - y)
    assert not field_zero(x - y)            # no quotient: nothing to combine, not "zero"
    assert field_free_of(l * x / (l + 2) + 2 * x / (l + 2) - x + y, [x])
    assert not field_free_of(l * x / (l + 1) + 2 * x / (l + 2) - x, [x])


def test_integrals_are_held_not_rewritten():
    """An integral in the target stays a dependence; nothing inside it is cancelled away."""
    header = "derivation d\nlatent: z\nparameters: μ\npositive: l\nobserved: x\n\n"
    ok = proved("integrate(q(z)*z, z)*(l*μ/(l + 2) + 2*μ/(l + 2)) + const(μ)", "=",
                "integrate(q(z)*z, z)*μ + const(μ)", header=header)
    assert ok.proved
    bad = proved("integrate(q(z)*z*μ, z)/(l + 2) + const(μ)", "=", "const(μ)", header=header)
    assert not bad.proved


# --------------------------------------------------------------------- nonnegative_quotient
SIGMA11 = "(d + L12^2/L11)/(L11*d)"


def test_variance_underestimate_is_proved_and_the_reverse_is_not():
    assert proved(f"{SIGMA11} - 1/L11", ">=", "0", by="nonnegative_quotient").proved
    assert proved("1/L11", "<=", SIGMA11, by="nonnegative_quotient").proved
    assert not proved("1/L11", ">=", SIGMA11, by="nonnegative_quotient").proved
    assert not proved(f"{SIGMA11} - 1/L11", "<=", "0", by="nonnegative_quotient").proved


@pytest.mark.parametrize("lhs, rhs", [
    ("x1^2 - 1", "0"),            # a square minus a number: sign unknown
    ("x1*x2", "0"),               # real parameters: no sign
    ("L12/L11", "0"),             # an odd power of a real parameter
    ("log(a)", "0"),              # a positive parameter's log can be negative
])
def test_nonnegative_quotient_offers_no_atom_without_a_sign(lhs, rhs):
    assert not proved(lhs, ">=", rhs, by="nonnegative_quotient").proved


def test_nonnegative_quotient_ignores_densities():
    st = step_of("p(y|τ)", ">=", "0", by="nonnegative_quotient")
    assert nonnegative_quotient_atoms(st.lhs, st.rhs, st.context) == []
