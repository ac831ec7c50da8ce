"""A statistic that is not finite inside the support (1/z under a Normal) has no expectation.

sympy's definite integral across such a point gives a principal value (∫ N(z; 0, s)/z dz = 0 by
symmetry), and quadrature nodes step around it and return a finite number: neither is the value
of an expectation.  Such a claim must never be PROVED, and no point may refute or confirm it;
a pole at an end of the support (log z or 1/z under a Gamma) or outside it is no such point.
"""
import pytest

from vi_sym.judge import judge, prove as prove_task
from vi_sym.loader import load_text
from vi_sym.settings import Settings
from vi_sym.spot.claims import spot_claim


def claim(header, lhs, rhs):
    ds, errs = load_text(f"derivation c\nlatent: z\n{header}\n    {lhs}\n  = {rhs}\n", "c.vi")
    assert not errs, errs
    return next(d for d in ds if d.name == "c").steps[0]    # (not c_q_is_a_density)


NORMAL0 = "positive: s\ndefine q(z) = Normal(z, 0, s)"
NORMAL = "parameters: m\npositive: s\ndefine q(z) = Normal(z, m, s)"
WRITTEN = "positive: s\ndefine q(z) = exp(-z^2/(2*s^2))/(sqrt(2*pi)*s) on reals"

INNER_POLES = [
    (NORMAL0, "E_q(z)[1/z]", "0"),                      # the principal value, PROVED before
    (WRITTEN, "E_q(z)[1/z]", "0"),                      # the same, written by hand (halves reflected)
    (NORMAL, "E_q(z)[1/z]", "1/m"),                     # Jensen-style slip: the mean's reciprocal
    (NORMAL, "E_q(z)[1/z^2]", "1/(m^2 + s^2)"),
    (NORMAL, "E_q(z)[1/(z - m)]", "0"),                 # odd about the mean: 0 by symmetry, no value
    ("positive: w\ndefine q(z) = Uniform(z, -w, w)", "E_q(z)[1/z]", "0"),
    ("positive: w\ndefine q(z) = Uniform(z, -w, w)", "E_q(z)[1/z^3]", "0"),       # PROVED before, too
    ("positive: w\ndefine q(z) = Uniform(z, -w/2, w)", "E_q(z)[1/(z*log(abs(z)))]", "0"),  # |z|^-1/log: not integrable
]


@pytest.mark.parametrize("header,lhs,rhs", INNER_POLES, ids=[f"{i[1]}={i[2]}" for i in INNER_POLES])
def test_an_expectation_across_a_pole_is_never_proved_and_never_decided_by_points(header, lhs, rhs):
    step = claim(header, lhs, rhs)
    proof = prove_task(step)
    assert not proof["proved"]
    res = spot_claim(step, samples=20, seed=0)
    assert res.status == "UNKNOWN", res.reason
    assert "not finite at z = " in res.reason and "may not exist" in res.reason
    verdict = judge(step, Settings(samples=20))
    assert verdict.status.value == "UNKNOWN", verdict.reason


@pytest.mark.parametrize("header,lhs,rhs", [
    ("positive: a b\nassume: a > 1\ndefine q(z) = Gamma(z, a, b)", "E_q(z)[1/z]", "b/(a - 1)"),   # pole at the end 0
    ("positive: a b\ndefine q(z) = Gamma(z, a, b)", "E_q(z)[log(z)]", "digamma(a) - log(b)"),
    ("define q(z) = Uniform(z, 1, 2)", "E_q(z)[1/z]", "log(2)"),                                  # pole outside
    ("positive: a\ndefine q(z) = Uniform(z, -a, a)", "E_q(z)[log(abs(z))]", "log(a) - 1"),     # integrable inside
    ("positive: d\ndefine q(z) = Uniform(z, 1, 2)", "E_q(z)[1/(z + d)]", "log((2 + d)/(1 + d))"),  # pole at -d
])
def test_a_pole_at_an_end_or_outside_the_support_is_no_obstacle(header, lhs, rhs):
    step = claim(header, lhs, rhs)
    assert prove_task(step)["proved"]
    assert spot_claim(step, samples=20, seed=0).status == "SPOT-CHECKED"


def test_a_wrong_value_beside_a_pole_outside_the_support_is_still_refuted():
    step = claim("define q(z) = Uniform(z, 1, 2)", "E_q(z)[1/z]", "1/2")
    assert not prove_task(step)["proved"]
    assert spot_claim(step, samples=20, seed=0).status == "FAILED"


# --------------------------------------------------------------------------- absolute convergence

ZETA = "define r(z) = 6/(pi^2*z^2) on integers z >= 1"
CAUCHY = "define r(z) = 1/(pi*(1 + z^2)) on reals"

CONDITIONAL = [
    (ZETA, "E_r(z)[(-1)^z*z]", "-6*log(2)/pi^2"),     # Σ 6(-1)^k/(π²k): converges, not absolutely
    (ZETA, "E_r(z)[cos(pi*z)*z]", "-6*log(2)/pi^2"),  # the same sign written as cos(πk)
    (CAUCHY, "E_r(z)[z*sin(z)]", "exp(-1)"),          # ∫ z sin z/(π(1+z²)) = 1/e, not absolutely
]


@pytest.mark.parametrize("header,lhs,rhs", CONDITIONAL, ids=[c[1] for c in CONDITIONAL])
def test_a_conditionally_convergent_sum_or_integral_is_no_expectation(header, lhs, rhs):
    """These were PROVED (sympy sums the alternating series) and spot-checked: E[X] needs
    E[|X|] finite."""
    step = claim(header, lhs, rhs)
    assert not prove_task(step)["proved"]
    res = spot_claim(step, samples=10, seed=0)
    assert res.status == "UNKNOWN", res.reason
    assert "absolute convergence" in res.reason


@pytest.mark.parametrize("header,lhs,rhs", [
    ("positive: l\ndefine q(z) = Poisson(z, l)", "E_q(z)[(-1)^z]", "exp(-2*l)"),
    ("positive: l\ndefine q(z) = Exponential(z, l)", "E_q(z)[cos(z)]", "l^2/(l^2 + 1)"),
])
def test_an_oscillating_statistic_with_a_finite_absolute_moment_is_checked(header, lhs, rhs):
    step = claim(header, lhs, rhs)
    assert spot_claim(step, samples=10, seed=0).status == "SPOT-CHECKED"
    wrong = claim(header, lhs, f"({rhs})*2")
    assert spot_claim(wrong, samples=10, seed=0).status == "FAILED"
    assert not prove_task(wrong)["proved"]


def test_the_majorant_bounds_each_oscillating_factor_by_one():
    import sympy
    from vi_sym.distributions.written import abs_majorant, absolutely_convergent, oscillates
    k = sympy.Symbol("k", integer=True, nonnegative=True)
    assert oscillates((-1) ** k * k, k) and not oscillates(k * sympy.exp(-k), k)
    assert abs_majorant(3 * sympy.cos(k) ** 2 * k - (-2) ** k, k) == 3 * abs(k) + abs(2 ** k)
    assert abs_majorant(sympy.exp(sympy.sin(k)), k) is None
    assert not absolutely_convergent((-1) ** k / (k + 1), k, 0, sympy.oo, True)
    assert absolutely_convergent((-1) ** k / (k + 1) ** 2, k, 0, sympy.oo, True)
