"""A KL(q ‖ r) whose q puts mass where r is 0 is +∞: a finite right side is FAILED with that
certificate (found exactly at the point's parameter values), not left UNKNOWN -- the classic
slip of a KL written the wrong way round.  Where q's support does lie inside r's, or the
supports are equal in exact arithmetic, nothing is certified."""
import pytest
import sympy
from sympy import Integer, Rational, sqrt

from vi_sym.claims.kl_support import _interval_gap, _point_gap
from vi_sym.fixes import suggest_fixes
from vi_sym.judge import judge
from vi_sym.loader import load_text
from vi_sym.settings import Settings


def _result(text):
    (d,), errs = load_text(text, "k.vi")
    assert not errs, errs
    return judge(d.steps[0], Settings(families=("all",)))


def _kl(header, rhs, rel="="):
    return _result(f"derivation k\nlatent: z\n{header}\n    KL(q(z) || r(z))\n  {rel} {rhs}\n")


def _said(res) -> str:
    return repr(res)


@pytest.mark.parametrize("header, rhs, where", [
    ("parameters: a\npositive: w u\ndefine q(z) = Uniform(z, a - u, a + w)\ndefine r(z) = Uniform(z, a, a + w)",
     "log((w + u)/w)", "Uniform(z, a, a + w) is 0"),
    ("positive: c\ndefine q(z) = Exponential(z, c)\ndefine r(z) = Levy(z, 1, c)", "log(c)", "Levy(z, 1, c) is 0"),
    ("positive: l\ndefine q(z) = Poisson(z, l)\ndefine r(z) = Binomial(z, 3, 1/2)", "l", "every integer above 3"),
    ("unit: p\ndefine q(z) = Binomial(z, 2, p)\ndefine r(z) = Bernoulli(z, p)", "p", "the point 2"),
    ("positive: s\ndefine q(z) = Normal(z, 0, s)\ndefine r(z) = HalfNormal(z, s)", "log(2)", "HalfNormal(z, s) is 0"),
])
def test_a_finite_value_for_an_infinite_kl_is_failed_with_the_gap(header, rhs, where):
    res = _kl(header, rhs)
    assert res.status.value == "FAILED"
    assert "KL is +∞ here" in _said(res) and where in _said(res)


def test_the_reversed_kl_is_offered_as_the_fix():
    (d,), errs = load_text("derivation k\nlatent: z\nparameters: a\npositive: w u\n"
                           "define q(z) = Uniform(z, a - u, a + w)\ndefine r(z) = Uniform(z, a, a + w)\n"
                           "    KL(q(z) || r(z))\n  = log((w + u)/w)\n", "k.vi")
    fixes = suggest_fixes(d.steps[0], ("all",))
    assert fixes and "KL(r(z) ‖ q(z))" in fixes[0].description and fixes[0].verdict == "PROVED"


def test_a_mean_field_kl_is_infinite_when_one_factor_is():
    res = _result("derivation k\nlatent: z1 z2\nparameters: m\npositive: w u s\n"
                  "define q(z1, z2) = Uniform(z1, 0, w + u)*Normal(z2, m, s)\n"
                  "define r(z1, z2) = Uniform(z1, 0, w)*Normal(z2, m, s)\n"
                  "    KL(q(z1, z2) || r(z1, z2))\n  = log(w/(w + u))\n")
    assert res.status.value == "FAILED" and "KL is +∞ here" in _said(res)


def test_an_infinite_kl_still_satisfies_kl_at_least_zero():
    res = _kl("positive: c\ndefine q(z) = Exponential(z, c)\ndefine r(z) = Levy(z, 1, c)", "0", rel=">=")
    assert res.status.value != "FAILED"


@pytest.mark.parametrize("header, rhs", [
    ("positive: c\ndefine q(z) = Exponential(z, c)\ndefine r(z) = Levy(z, -1, c)", "log(c)"),   # (0, ∞) ⊂ (-1, ∞)
    ("unit: p\ndefine q(z) = Bernoulli(z, p)\ndefine r(z) = Binomial(z, 3, p)", "p"),
])
def test_a_q_inside_r_certifies_no_infinity(header, rhs):
    assert "KL is +∞" not in _said(_kl(header, rhs))


def test_ends_equal_in_exact_arithmetic_are_no_gap():
    """(1 + √2)² and 3 + 2√2 are one number: no interval between them, whatever floats say."""
    assert _interval_gap((Integer(0), (1 + sqrt(2)) ** 2), (Integer(0), 3 + 2 * sqrt(2))) is None
    assert _interval_gap((Integer(0), Integer(2)), (Integer(0), Integer(1))) == "(1, 2)"
    assert _interval_gap((-sympy.oo, sympy.oo), (Integer(0), sympy.oo)) == "(-oo, 0)"
    assert _interval_gap((Rational(1, 2), Integer(1)), (Integer(0), Integer(1))) is None


def test_discrete_gaps_name_a_point_outside():
    assert _point_gap(("finite", (0, 1, 2)), ("finite", (0, 1))) == "the point 2"
    assert _point_gap(("finite", (0, 1)), ("count",)) is None
    assert _point_gap(("count",), ("count",)) is None
