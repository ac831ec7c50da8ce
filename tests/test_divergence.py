"""Certified infinite expectations: a closed form stated without the condition that makes
its expectation finite (the inverse-gamma mean b/(a - 1) for every a > 0) is FAILED at a
point where the expectation is +∞ and the formula a finite number.

The certificate (:mod:`vi_sym.claims.divergence`) is exact: a sign-definite statistic and
``|z - end|·c(z)·t(z) → L > 0`` by sympy's limit at the point's exact parameter values.
These tests try to make it lie: expectations that converge, however barely, are never
certified; a statistic that changes sign (the Cauchy mean) is not; a side that is not
linear in the infinite expectation, or two infinite sides, are not compared; a limit that
runs out of time certifies nothing.
"""
import mpmath
import pytest
import sympy
from hypothesis import given, settings as hsettings, strategies as st
from sympy import Rational, Symbol

from vi_sym.claims import divergence
from vi_sym.claims.divergence import Infinite, diverges, exact_point
from vi_sym.distributions.base import Dist
from vi_sym.judge import judge
from vi_sym.loader import load_text
from vi_sym.settings import Settings
from vi_sym.spot.claims import infinite_point, spot_claim

z = Symbol("z", real=True)
zp = Symbol("z", positive=True)


def claim(header, lhs, rhs, rel="="):
    (d,), errs = load_text(f"derivation c\nlatent: z\n{header}\n    {lhs}\n  {rel} {rhs}\n", "c.vi")
    assert not errs, errs
    return d.steps[0]


# --------------------------------------------------------------------------- the certificate

@pytest.mark.parametrize("dist, t, sign", [
    (Dist("InverseGamma", zp, Rational(1, 2), 1), zp, 1),               # z^(1/2 - 1) ... tail z^-a
    (Dist("InverseGamma", zp, Rational(99, 100), 3), zp, 1),
    (Dist("Gamma", zp, Rational(3, 10), 2), 1 / zp, 1),                  # z^(a - 2) at 0
    (Dist("Gamma", zp, 1, 2), 1 / zp, 1),                                # a = 1 exactly: 1/z at 0
    (Dist("Gamma", zp, Rational(3, 10), 2), -1 / zp, -1),                # a negative statistic: -∞
    (Dist("Pareto", zp, 1, Rational(1, 2)), zp, 1),
    (Dist("StudentT", z, Rational(3, 2), 0, 1), z ** 2, 1),
    (Dist("Exponential", zp, 1), sympy.exp(Rational(3, 2) * zp), 1),     # an MGF past its radius
])
def test_an_infinite_expectation_is_certified_with_its_sign(dist, t, sign):
    found = diverges(dist, t, {})
    assert found is not None and found[0] == sign


@pytest.mark.parametrize("dist, t", [
    (Dist("InverseGamma", zp, Rational(1001, 1000), 1), zp),             # converges, barely
    (Dist("Gamma", zp, Rational(1001, 1000), 2), 1 / zp),
    (Dist("StudentT", z, Rational(2001, 1000), 0, 1), z ** 2),
    (Dist("Pareto", zp, 1, Rational(11, 10)), zp),
    (Dist("Normal", z, 0, 1), z ** 2),
    (Dist("Exponential", zp, 1), sympy.exp(Rational(999, 1000) * zp)),
    (Dist("Cauchy", z, 0, 1), z),                # diverges both ways: no sign, no number
    (Dist("Cauchy", z, 0, 1), sympy.atan(z)),    # bounded, changes sign
    (Dist("InverseGamma", zp, Rational(1, 2), 1), sympy.log(zp)),   # changes sign on (0, ∞)
])
def test_a_finite_or_undefined_expectation_is_never_certified(dist, t):
    assert diverges(dist, t, {}) is None


def test_the_certificate_is_about_the_exact_point():
    a, b = Symbol("a", positive=True), Symbol("b", positive=True)
    c = Dist("InverseGamma", zp, a, b)
    env = {"a": mpmath.mpf(0.3), "b": mpmath.mpf(1.7)}
    exact = exact_point(env, {"a", "b"})
    assert exact["a"] == Rational(*(0.3).as_integer_ratio())     # the float's own binary value
    assert diverges(c, zp, exact)[0] == 1
    assert diverges(c, zp, exact_point({"a": mpmath.mpf(1.25), "b": mpmath.mpf(1)}, {"a", "b"})) is None
    assert diverges(c, zp, {"a": Rational(1, 2)}) is None         # b without a value: nothing shown


def test_a_limit_that_runs_out_of_time_certifies_nothing(monkeypatch):
    class RanOut:
        """A deadline that always runs out (a real one of 1e-9 s grants the timer's 1 ms of CPU,
        within which a simple or cached limit can still be found: the test then failed now and then)."""
        def __init__(self, seconds):
            self.expired = False

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.expired = True
            return False
    monkeypatch.setattr(divergence, "Deadline", RanOut)
    monkeypatch.setattr(divergence, "_MEMO", {})
    assert diverges(Dist("StudentT", z, Rational(3, 2), 0, 1), z ** 2, {}) is None


# --------------------------------------------------------------------------- comparisons

@pytest.mark.parametrize("rel, sign, side, violated", [
    ("=", 1, "lhs", True), ("=", -1, "rhs", True),
    (">=", 1, "lhs", False), (">=", -1, "lhs", True), (">=", 1, "rhs", True), (">=", -1, "rhs", False),
    ("<=", 1, "lhs", True), ("<=", -1, "lhs", False), ("<=", 1, "rhs", False), ("<=", -1, "rhs", True),
])
def test_an_infinite_side_against_a_finite_one(rel, sign, side, violated):
    inf, other = Infinite(sign, "diverges"), mpmath.mpf(-2)
    lv, rv = (inf, other) if side == "lhs" else (other, inf)
    p = infinite_point(rel, lv, rv, mpmath.mpf(0))
    assert p.violated is violated


def test_two_infinite_sides_are_not_compared():
    from vi_sym.numeric import NotEvaluable
    with pytest.raises(NotEvaluable, match="both sides are infinite"):
        infinite_point("=", Infinite(1, "x"), Infinite(1, "y"), None)


# --------------------------------------------------------------------------- whole claims

IG = "positive: a b\ndefine q(z) = InverseGamma(z, a, b)\n"
GAMMA = "positive: a b\ndefine q(z) = Gamma(z, a, b)\n"
STUDENT = "positive: n\ndefine q(z) = StudentT(z, n, 0, 1)\n"
MGF = "parameters: t\ndefine q(z) = Exponential(z, 1)\n"


@pytest.mark.parametrize("header, lhs, rhs", [
    (IG, "E_q(z)[z]", "b/(a - 1)"),
    (GAMMA, "E_q(z)[1/z]", "b/(a - 1)"),
    (STUDENT, "E_q(z)[z^2] - E_q(z)[z]^2", "n/(n - 2)"),
    (MGF, "E_q(z)[exp(t*z)]", "1/(1 - t)"),
])
def test_a_closed_form_without_its_condition_is_failed_where_the_expectation_is_infinite(header, lhs, rhs):
    res = judge(claim(header, lhs, rhs), Settings(families=("all",)))
    assert res.status.value == "FAILED"
    fam = next(f for f in res.families if f["status"] == "FAILED")
    assert fam["counterexample"]["lhs"] == float("inf")
    assert "+∞" in res.explanation and "assume:" in res.explanation


@pytest.mark.parametrize("header, lhs, rhs", [
    (IG + "assume: a > 1", "E_q(z)[z]", "b/(a - 1)"),
    (GAMMA + "assume: a > 1", "E_q(z)[1/z]", "b/(a - 1)"),
    (STUDENT + "assume: n > 2", "E_q(z)[z^2] - E_q(z)[z]^2", "n/(n - 2)"),
    (MGF + "assume: t < 1", "E_q(z)[exp(t*z)]", "1/(1 - t)"),
])
def test_the_same_closed_form_under_its_condition_is_not_failed(header, lhs, rhs):
    res = judge(claim(header, lhs, rhs), Settings(families=("all",)))
    assert res.status.value in ("PROVED", "SPOT-CHECKED"), res.reason


def test_an_inequality_that_infinity_satisfies_holds_there():
    out = spot_claim(claim(IG, "E_q(z)[z]", "0", ">="))
    assert out.status == "SPOT-CHECKED"
    assert spot_claim(claim(IG, "E_q(z)[z]", "5", "<=")).status == "FAILED"


@pytest.mark.parametrize("header, lhs, rhs", [
    (IG, "log(E_q(z)[z])", "log(b/(a - 1))"),            # not linear in the expectation
    (IG + "assume: a < 1", "E_q(z)[z]", "E_q(z)[z] + 1"),  # both sides infinite at every point
    ("parameters: m\npositive: s\ndefine q(z) = Cauchy(z, m, s)\n", "E_q(z)[z]", "m"),
])
def test_no_counterexample_from_an_infinity_that_is_not_certified_to_matter(header, lhs, rhs):
    out = spot_claim(claim(header, lhs, rhs))
    assert out.status != "FAILED", out.reason


# --------------------------------------------------------------------------- the likely fix: a bound

def _screens(step):
    """The points where the step's spot-check found its counterexample (as the checker
    passes them to the likely-fix search)."""
    from vi_sym.judge import screens_of, spot, _in_process
    from vi_sym.spot.claims import ClaimChecker
    return screens_of([_in_process(spot, step, ClaimChecker(), Settings(families=("all",)))])


@pytest.mark.parametrize("header, lhs, rhs, bound", [
    (IG, "E_q(z)[z]", "b/(a - 1)", "a > 1"),
    (STUDENT, "E_q(z)[z^2] - E_q(z)[z]^2", "n/(n - 2)", "n > 2"),     # not n > 1: the weakest that proves
    (MGF, "E_q(z)[exp(t*z)]", "1/(1 - t)", "t < 1"),
])
def test_a_formula_without_its_bound_gets_the_bound_as_its_fix(header, lhs, rhs, bound):
    from vi_sym.fixes import suggest_fixes
    step = claim(header, lhs, rhs)
    screens = _screens(step)
    assert screens
    fixes = suggest_fixes(step, ("all",), screens=screens)
    assert [f.edit for f in fixes][:1] == ["add_bound"]
    assert f"'assume: {bound}'" in fixes[0].description and fixes[0].verdict == "PROVED"
    # the fix is checked the way the user would apply it: the header line, then a proof
    fixed = claim(header + f"assume: {bound}", lhs, rhs)
    assert judge(fixed, Settings(families=("all",))).status.value == "PROVED"


@pytest.mark.parametrize("header, lhs, rhs", [
    (IG, "E_q(z)[z]", "2*b/(a - 1)"),         # infinite where it failed, but wrong under every bound
    (IG + "assume: a > 1", "E_q(z)[z]", "b/(a + 1)"),     # failed at finite points: no bound offered
])
def test_no_bound_is_offered_that_does_not_prove_the_formula(header, lhs, rhs):
    from vi_sym.fixes import suggest_fixes
    step = claim(header, lhs, rhs)
    fixes = suggest_fixes(step, ("all",), screens=_screens(step))
    assert not [f for f in fixes if f.edit == "add_bound"]


# --------------------------------------------------------------------------- against the known conditions

_RATIONALS = st.tuples(st.integers(1, 60), st.integers(1, 20)).map(lambda t: Rational(*t))


@hsettings(max_examples=25, deadline=None, derandomize=True)
@given(a=_RATIONALS, s=st.sampled_from([Rational(1, 2), 1, 2, 3, -1, -2]))
def test_moments_of_gamma_and_inverse_gamma_are_infinite_exactly_when_the_theory_says(a, s):
    """E[z^s] under InverseGamma(a, b) is finite iff s < a; under Gamma(a, b) iff s > -a.
    The certificate never says +∞ for a finite moment, and says it for every infinite one
    (s > 0 or s < 0, both sides of the condition, the boundary s = a included)."""
    b = Rational(3, 2)
    inv = diverges(Dist("InverseGamma", zp, a, b), zp ** s, {})
    assert (inv is not None) == (s >= a)
    gam = diverges(Dist("Gamma", zp, a, b), zp ** s, {})
    assert (gam is not None) == (s <= -a)
