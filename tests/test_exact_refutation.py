"""A slip in a claim that no quadrature can evaluate anywhere is refuted by the exact values of
its two sides (vi_sym.claims.exact), not left UNKNOWN.

The Lévy density sqrt(c/2π) exp(-c/2z) z^(-3/2) carries mass past every node of the certified
quadrature (its tail falls off like z^(-1/2)), so no point of its entropy's defining integral is
evaluable; its entropy (1 + 3γ + log(16πc²))/2 is PROVED by closing the integral exactly.  A
wrong formula was UNKNOWN; now the closed forms, evaluated exactly at a parameter point, refute
it -- and never refute a right one (the mutants below are checked against the published formula
at the point reported, independently of vi_sym).
"""
import math

import mpmath
import pytest
import sympy
from sympy import Symbol

from vi_sym.claims.exact import exact_value
from vi_sym.judge import judge
from vi_sym.loader import load_text
from vi_sym.settings import Settings

_LEVY = ("derivation levy\nlatent: z\npositive: c\n"
         "define q(z) = sqrt(c/(2*pi))*exp(-c/(2*z))/z^(3/2) on (0, oo)\n    H(q(z))\n  = {rhs}\n")
_RIGHT = "(1 + 3*EulerGamma + log(16*pi*c^2))/2"


def _levy_entropy(c):
    """The published closed form (not vi_sym's)."""
    return (1 + 3 * float(sympy.EulerGamma) + math.log(16 * math.pi * c * c)) / 2


def _judge(rhs):
    derivs, errs = load_text(_LEVY.format(rhs=rhs), "levy.vi")
    assert not errs
    d = next(d for d in derivs if d.name == "levy")
    return judge(d.steps[0], Settings(families=("all",), samples=10))


def _concrete(res):
    return next(f for f in res.families if f["family"] == "concrete")


def test_the_right_formula_is_proved_and_not_refuted():
    res = _judge(_RIGHT)
    assert res.status.value == "PROVED"
    assert _concrete(res)["status"] != "FAILED"


@pytest.mark.parametrize("rhs", [
    "(1 + 3*EulerGamma + log(16*pi*c))/2",        # c for c²
    "(1 + 3*EulerGamma + log(16*pi*c^2))",        # the halving dropped
    "(1 - 3*EulerGamma + log(16*pi*c^2))/2",      # a sign
    "(3 + 3*EulerGamma + log(16*pi*c^2))/2",      # a constant
    "(1 + 3*EulerGamma + log(4*pi*c^2))/2",       # a factor inside the log
])
def test_a_slip_is_failed_at_a_point_where_it_is_wrong(rhs):
    res = _judge(rhs)
    assert res.status.value == "FAILED"
    fam = _concrete(res)
    assert fam["status"] == "FAILED"
    cex = fam["counterexample"]
    assert cex["found_by"] == "exact values of both sides"
    c = cex["params"]["c"]
    # independently of vi_sym: the published entropy against the learner's formula at that c
    wrong = float(sympy.sympify(rhs.replace("^", "**")).subs(Symbol("c"), c))
    assert abs(_levy_entropy(c) - wrong) > 1e-6 * (1 + abs(wrong))
    assert abs(cex["lhs"] - _levy_entropy(c)) < 1e-9 * (1 + abs(cex["lhs"]))


def test_exact_values_are_certified_digits_or_nothing():
    c = Symbol("c", positive=True)
    assert exact_value(sympy.log(c), {c: 1.0}, 30) == 0
    with mpmath.workdps(30):     # the float 0.001 as the binary number it is, to 30 digits
        assert abs(exact_value(sympy.log(c), {c: 0.001}, 30) - mpmath.log(mpmath.mpf(0.001))) < 1e-29
    assert exact_value(1 / (c - 1), {c: 1.0}, 30) is None            # zoo: no number
    assert exact_value(sympy.sqrt(c - 2), {c: 1.0}, 30) is None      # complex: no real number
    # a cancellation evalf must resolve to its last digit: the float is read as its exact rational
    v = exact_value(sympy.exp(c) - sympy.exp(c - sympy.Rational(1, 10**25)), {c: 0.5}, 30)
    with mpmath.workdps(30):
        assert v is not None and abs(v - mpmath.exp(mpmath.mpf(0.5)) * mpmath.mpf(10) ** -25) < mpmath.mpf(10) ** -40
