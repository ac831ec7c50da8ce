"""Densities written by hand with kinks or ends where they fall to 0: a tent
``(w - |z - w|)/w²`` on (0, 2w), a polynomial ``6z(1 - z)`` on (0, 1).

* their nonnegativity is proved piece by piece (vi_sym.distributions.positivity) -- and never
  for a formula negative somewhere on its support (hypothesis draws formulas and supports and
  checks every "proved" against exact values at points inside);
* their integrals are certified by two rules that agree at such ends and across such kinks
  (vi_sym.numeric.bounded), and a divergent or oscillating integral is still no number;
* so a learner's entropy of such a density is PROVED, and a slip in it is FAILED with a
  counterexample, not UNKNOWN.
"""
import mpmath
import pytest
import sympy
from hypothesis import given, settings, strategies as st
from sympy import Abs, Heaviside, Rational, Symbol, oo, sign

from vi_sym.distributions.positivity import nonnegative_on
from vi_sym.judge import judge
from vi_sym.loader import load_text
from vi_sym.numeric import NotEvaluable
from vi_sym.numeric.bounded import integrate_bounded
from vi_sym.settings import Settings

z = Symbol("z", real=True)
w = Symbol("w", positive=True)


@pytest.mark.parametrize("body, lo, hi", [
    (6 * z * (1 - z), 0, 1),
    ((w - Abs(z - w)) / w ** 2, 0, 2 * w),
    (2 * z / w ** 2, 0, w),
    (Heaviside(z - 1) * (z - 1), 0, 2),
    (z ** 2, -oo, oo),
    ((1 - Abs(z)) * (1 + Abs(z)) + z ** 2, -1, 1),
    (sympy.exp(-z) * (3 - z), -oo, 3),
])
def test_nonnegative_formulas_are_shown_so(body, lo, hi):
    assert nonnegative_on(body, z, sympy.sympify(lo), sympy.sympify(hi))


@pytest.mark.parametrize("body, lo, hi", [
    (z * (1 - z), 0, 2),                              # negative on (1, 2)
    ((w - Abs(z - w)) / w ** 2, 0, 3 * w),            # the tent, its support too wide
    (4 * z - 1, 0, 1),                                # negative on (0, 1/4)
    (z, -oo, oo),
    (sign(z - 1) + Rational(1, 2), 0, 2),
    (1 - Abs(z - 3), 0, 4),                           # negative on (0, 2)
    (z ** 2, 1, 1),                                   # an empty interval is not shown anything
])
def test_formulas_negative_somewhere_are_not(body, lo, hi):
    assert not nonnegative_on(body, z, sympy.sympify(lo), sympy.sympify(hi))


_R = st.integers(-4, 4).map(Rational)
_FACTOR = st.one_of(
    st.tuples(_R).map(lambda t: z - t[0]),
    st.tuples(_R).map(lambda t: t[0] - z),
    st.tuples(_R).map(lambda t: Abs(z - t[0])),
    st.tuples(_R, _R).map(lambda t: t[1] - Abs(z - t[0])),
    st.tuples(_R).map(lambda t: Heaviside(z - t[0])),
    st.integers(1, 3).map(Rational),
)
_FORMULA = st.one_of(
    st.lists(_FACTOR, min_size=1, max_size=3).map(lambda fs: sympy.Mul(*fs)),
    st.lists(st.lists(_FACTOR, min_size=1, max_size=2).map(lambda fs: sympy.Mul(*fs)),
             min_size=2, max_size=3).map(lambda ts: sympy.Add(*ts)),
)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(body=_FORMULA, lo=st.integers(-5, 4), width=st.integers(1, 6))
def test_what_is_shown_nonnegative_is_nonnegative_at_every_point_tried(body, lo, width):
    """Trying to make it lie: wherever it says >= 0, exact values at 97 points inside agree."""
    hi = lo + width
    if not nonnegative_on(body, z, sympy.Integer(lo), sympy.Integer(hi)):
        return
    for k in range(1, 98):
        x = lo + Rational(k * width, 98)
        v = body.subs(z, x)
        assert v.is_nonnegative is not False and v >= 0, (body, lo, hi, x, v)


def test_the_entropy_integrand_of_6z_1_minus_z_is_certified_to_26_digits_at_30():
    f = lambda t: 6 * t * (1 - t) * mpmath.log(6 * t * (1 - t))    # noqa: E731
    with mpmath.workdps(30):
        v, err = integrate_bounded(f, mpmath.mpf(0), mpmath.mpf(1), mpmath.mpf(10) ** -26)
        assert abs(v - (mpmath.log(6) - mpmath.mpf(5) / 3)) < 1e-26


def test_a_tent_integrates_across_its_kink_when_cut_there():
    tent = lambda t: (1 - abs(t - 1)) * mpmath.log(1 - abs(t - 1))   # noqa: E731
    with mpmath.workdps(15):
        v, _ = integrate_bounded(tent, mpmath.mpf(0), mpmath.mpf(2), mpmath.mpf(1e-11), breaks=[1])
    assert abs(v + mpmath.mpf(1) / 2) < 1e-12


@pytest.mark.parametrize("f, lo, hi", [
    (mpmath.sin, 0, mpmath.inf),          # oscillates
    (lambda t: 1 / t, 0, 1),              # diverges at a finite end
    (lambda t: 1 / abs(t - 1), 0, 2),     # diverges at the break point itself
])
def test_divergent_or_oscillating_integrals_are_still_no_number(f, lo, hi):
    with mpmath.workdps(15), pytest.raises(NotEvaluable):
        integrate_bounded(f, mpmath.mpf(lo), mpmath.mpf(hi) if hi != mpmath.inf else hi,
                          mpmath.mpf(1e-11), breaks=[1])


_TENT = "derivation t\nlatent: z\npositive: w\ndefine q(z) = (w - abs(z - w))/w^2 on {sup}\n    H(q(z))\n  = {rhs}\n"
_POLY = "derivation p\nlatent: z\ndefine q(z) = 6*z*(1 - z) on (0, 1)\n    H(q(z))\n  = {rhs}\n"


def _verdict(text):
    derivs, errs = load_text(text, "w.vi")     # the claim, and the one that q is a density
    assert not errs
    d = next(d for d in derivs if d.name in ("t", "p"))
    return judge(d.steps[0], Settings(families=("all",), samples=20))


@pytest.mark.parametrize("text", [_TENT.format(sup="(0, 2*w)", rhs="log(w) + 1/2"),
                                  _POLY.format(rhs="5/3 - log(6)")])
def test_their_entropies_are_proved(text):
    assert _verdict(text).status.value == "PROVED"


@pytest.mark.parametrize("text", [_TENT.format(sup="(0, 2*w)", rhs="log(w) + 1"),
                                  _TENT.format(sup="(0, 2*w)", rhs="log(2*w) + 1/2"),
                                  _POLY.format(rhs="5/3 + log(6)")])
def test_a_slip_in_their_entropies_is_failed_with_a_counterexample(text):
    res = _verdict(text)
    assert res.status.value == "FAILED"
    assert any(f["status"] == "FAILED" and f.get("counterexample") for f in res.families), res.families


def test_the_tent_on_a_support_too_wide_is_not_shown_a_density():
    res = _verdict(_TENT.format(sup="(0, 3*w)", rhs="log(w) + 1/2"))
    assert res.status.value != "PROVED"
    assert "not shown to be a density" in res.reason


def test_a_uniform_density_written_as_a_constant_is_a_density_and_its_variance_is_proved():
    text = ("derivation u\nlatent: z\npositive: w\ndefine q(z) = 1/w on (0, w)\n"
            "    E_q(z)[(z - w/2)^2]\n  = w^2/12\n")
    derivs, errs = load_text(text, "u.vi")
    assert not errs
    d = next(d for d in derivs if d.name == "u")
    assert judge(d.steps[0], Settings(families=("all",), samples=10)).status.value == "PROVED"


def test_a_constant_on_an_unbounded_support_is_an_input_error_that_says_why():
    _, errs = load_text("derivation u\nlatent: z\npositive: w\ndefine q(z) = 1/w on (0, oo)\n"
                        "    E_q(z)[z]\n  = w\n", "u.vi")
    assert errs and "a constant has no finite mass on an unbounded support" in str(errs[0])


@pytest.mark.parametrize("head, formula, shown", [
    ("positive: n", "1/(n + 1) on integers 0 <= k <= 4", "5/(n + 1)"),
    ("unit: t", "t^k on integers k >= 0", "-1/(t - 1)"),
])
def test_a_mass_not_shown_to_be_1_is_said_in_the_learners_names(head, formula, shown):
    derivs, errs = load_text(f"derivation m\nlatent: k\n{head}\ndefine q(k) = {formula}\n"
                             "    E_q(k)[1]\n  = 1\n", "m.vi")
    assert not errs
    res = judge(derivs[0].steps[0], Settings(families=()))
    assert f"is {shown}, not shown to be 1" in res.reason, res.reason
    assert "_" not in res.reason.split("is not shown to be a density")[-1].split("not shown to be 1")[0]


_KINKED = [   # (formula, support, statistic): closed by sympy piece by piece between the kinks
    (sympy.exp(-Abs(z - 1) / 2) / 4, (-oo, oo), z ** 2),
    (sympy.exp(-Abs(z - 1) / 2) / 4, (-oo, oo), Abs(z - 1)),
    ((2 - Abs(z - 2)) / 4, (0, 4), z),
    ((2 - Abs(z - 2)) / 4, (0, 4), sympy.log((2 - Abs(z - 2)) / 4)),
    (Rational(3, 4) * (1 - z ** 2) * (1 + Heaviside(z)) * Rational(2, 3), (-1, 1), z),
    ((sympy.Max(0, 1 - Abs(z)) + sympy.Max(0, 1 - Abs(z - 3))) / 2, (-1, 4), z),
]


@pytest.mark.parametrize("formula, support, h", _KINKED)
def test_expectations_closed_piece_by_piece_equal_the_quadrature(formula, support, h):
    """Independently of vi_sym's numeric layer: mpmath.quad split at every kink."""
    from vi_sym.distributions.written import closed_expectation, written
    lo, hi = map(sympy.sympify, support)
    val = closed_expectation(written(z, formula, lo, hi, False), h)
    if val is None:          # not closed: allowed (the numeric check decides), never a wrong value
        return
    f = sympy.lambdify(z, formula * h, modules="mpmath")
    pts = [-mpmath.inf if lo == -oo else mpmath.mpf(lo), *[mpmath.mpf(k) for k in (-1, 0, 1, 2, 3)
                                                           if lo < k < hi], mpmath.inf if hi == oo else mpmath.mpf(hi)]
    with mpmath.workdps(30):
        ref = mpmath.quad(f, pts)
        assert abs(mpmath.mpf(sympy.N(val, 30)) - ref) < 1e-15, (formula, h, val, ref)


_LAPLACE = ("derivation l\nlatent: z\nparameters: m\npositive: b\n"
            "define q(z) = exp(-abs(z - m)/b)/(2*b) on reals\n    H(q(z))\n  = {rhs}\n")


def test_a_laplace_density_written_by_hand_has_its_entropy_proved_and_a_slip_failed():
    assert _verdict(_LAPLACE.format(rhs="1 + log(2*b)").replace("derivation l", "derivation t")).status.value == "PROVED"
    assert _verdict(_LAPLACE.format(rhs="1 + log(b)").replace("derivation l", "derivation t")).status.value == "FAILED"
