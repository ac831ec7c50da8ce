"""A numeric value may refute a step only when it is certified: regressions for values that
were numbers without being values (a density's mass never seen by the quadrature, an
overflow)."""
import mpmath
import pytest
import sympy

from vi_sym.distributions import Dist
from vi_sym.families import get_family
from vi_sym.numeric import UNCERTAIN, NotEvaluable, compile_plain, evaluate, evaluate_fast
from vi_sym.numeric.plain import component, integrate_1d
from vi_sym.vocabulary import KL, Density, Expectation

z, m, s, m1, m2, s1, s2 = sympy.symbols("z m s m1 m2 s1 s2")
q = Dist("Normal", z, m, s)
q1, q2 = Dist("Normal", z, m1, s1), Dist("Normal", z, m2, s2)

ENTROPY = sympy.log(2 * sympy.pi * sympy.E * s ** 2) / 2
KL_NORMAL = (sympy.log(s2 ** 2 / s1 ** 2) / 2 + (s1 ** 2 + (m1 - m2) ** 2) / (2 * s2 ** 2)
             - sympy.Rational(1, 2))


def entropy_by_quadrature(env):
    c = component(q)
    return integrate_1d(c, compile_plain(-q.logpdf()), env)


def kl_by_quadrature(env):
    c = component(q1)
    return integrate_1d(c, compile_plain(q1.logpdf() - q2.logpdf()), env)


def mp(**kw):
    return {k: mpmath.mpf(v) for k, v in kw.items()}


@pytest.mark.parametrize("sv", ["0.3", "1", "4", "1e-3"])
def test_gaussian_entropy_quadrature_is_the_closed_form(sv):
    env = mp(m="0.3", s=sv)
    with mpmath.workdps(15):
        v, err = entropy_by_quadrature(env)
        assert abs(v - compile_plain(ENTROPY)(env)) <= 1e-6 * (1 + abs(v)) + err


@pytest.mark.parametrize("sv", ["2.6e-42", "1e-200"])
def test_gaussian_entropy_with_tiny_s_is_not_evaluable(sv):
    """At s = 2.6e-42 every float64 node misses the density: the quadrature used to
    return 0 with error estimate 0, a 'value' 94 away from the closed form."""
    env = mp(m="0.3", s=sv)
    assert mpmath.isfinite(compile_plain(ENTROPY)(env))     # the closed form is a number
    with mpmath.workdps(15), pytest.raises(NotEvaluable) as e:
        entropy_by_quadrature(env)
    assert "mass not captured" in e.value.reason


def test_normal_kl_with_log_of_squared_scales():
    env = mp(m1="0.4", m2="-1.1", s1="0.7", s2="2.3")
    with mpmath.workdps(15):
        v, err = kl_by_quadrature(env)
        assert abs(v - compile_plain(KL_NORMAL)(env)) <= 1e-6 * (1 + abs(v)) + err
    tiny = mp(m1="0.4", m2="-1.1", s1="2.6e-42", s2="2.3")
    assert mpmath.isfinite(compile_plain(KL_NORMAL)(tiny))
    with mpmath.workdps(15), pytest.raises(NotEvaluable) as e:
        kl_by_quadrature(tiny)
    assert "mass not captured" in e.value.reason


def test_overflow_is_not_evaluable_with_its_reason():
    tower = sympy.exp(sympy.exp(sympy.exp(sympy.exp(m))))
    with pytest.raises(NotEvaluable) as e:
        compile_plain(tower)(mp(m="10"))
    assert "overflow" in e.value.reason
    NN = get_family("normal-normal")
    with pytest.raises(NotEvaluable) as e:
        evaluate(tower.subs(m, 10), NN, NN.special_points()[0])
    assert "overflow" in e.value.reason


@pytest.mark.parametrize("sv", [2.6e-42, 1e-200])
def test_family_integrals_with_an_unresolvably_narrow_q_are_not_values(sv):
    """In the normal-normal family, H(q) and KL(q || p(z)) with s = 2.6e-42 used to come out
    as 0 with a tiny error estimate from both back-ends (every node missed q)."""
    zz = sympy.Symbol("z")
    qd, prior = Density("q", [zz]), Density("p", [zz])
    NN = get_family("normal-normal")
    p = {"m0": 0.37, "s0": 1.3, "sigma": 0.8, "x": (0.93, -0.41, 2.17), "m": 0.3, "s": sv}
    for e in (-Expectation(qd, sympy.log(qd)), KL(qd, prior)):
        with pytest.raises(NotEvaluable) as ex:
            evaluate(e, NN, p)
        assert "mass not captured" in ex.value.reason
        r = evaluate_fast(e, NN, NN.fast_batch([p]))
        assert r.status[0] >= UNCERTAIN and "mass not captured" in r.reason(0)
    # a resolvable narrow q still has its value
    p["s"] = 1e-3
    v = evaluate(-Expectation(qd, sympy.log(qd)), NN, p)
    ref = mpmath.log(2 * mpmath.pi * mpmath.e * mpmath.mpf("1e-3") ** 2) / 2
    assert abs(v.value - ref) <= v.error


@pytest.mark.parametrize("sv", [1e-3, 1e-6, 1e-8, 1e-10])
def test_fast_error_estimate_covers_the_error_of_a_narrow_q(sv):
    """Float64 nodes around a mean much larger than the scale hold only a few digits of
    (z - m)/s: a fast value is either handed on (not OK) or within its error estimate."""
    NN = get_family("normal-normal")
    zz = sympy.Symbol("z")
    qd = Density("q", [zz])
    p = {"m0": 0.37, "s0": 1.3, "sigma": 0.8, "x": (0.93, -0.41, 2.17), "m": 0.3, "s": sv}
    with mpmath.workdps(30):
        ref = mpmath.log(2 * mpmath.pi * mpmath.e * mpmath.mpf(sv) ** 2) / 2
    r = evaluate_fast(-Expectation(qd, sympy.log(qd)), NN, NN.fast_batch([p]))
    assert r.status[0] != 0 or abs(r.value[0] - float(ref)) <= r.error[0]


MGF_QUADRATIC = """derivation d
latent: z
parameters: m t
positive: s
assume: t < 0
define q(z) = Normal(z, m, s)

    E_q(z)[exp(t*z^2)]
  = {rhs}
"""


@pytest.mark.parametrize("rhs,status", [
    ("exp(t*m^2/(1 - 2*t*s^2))/sqrt(1 - 2*t*s^2)", "SPOT-CHECKED"),
    ("exp(t*m^2/(1 - 2*t*s^2))/sqrt(1 - t*s^2)", "FAILED"),
])
def test_a_statistic_that_concentrates_the_mass_far_inside_the_density_is_not_misjudged(rhs, status):
    """exp(t z²) with t = -223 under N(2.3, 223²): all the mass within 0.2 of 0, where no node of
    the density's own break points falls.  The quadrature that certifies a counterexample breaks at
    the whole integrand's peak: the true closed form is never refuted, a wrong one still is."""
    from vi_sym.loader import load_text
    from vi_sym.spot.claims import spot_claim
    (d,), errors = load_text(MGF_QUADRATIC.format(rhs=rhs), "d.vi")
    assert not errors, errors
    r = spot_claim(d.steps[0], samples=50, seed=0)
    assert r.status == status, (r.reason, r.counterexample)


def test_the_quadrature_finds_the_peak_of_a_narrow_statistic():
    env = {"m": mpmath.mpf("2.34824"), "s": mpmath.mpf("222.966")}
    t = mpmath.mpf("-222.966")
    c = component(q)
    f = sympy.exp(sympy.Symbol("t") * z ** 2)
    from vi_sym.numeric.plain import np_pair
    with mpmath.workdps(30):
        value, err = integrate_1d(c, compile_plain(f.subs("t", t)), env, np_pair(f.subs("t", t), q))
    w = 1 - 2 * t * env["s"] ** 2
    exact = mpmath.exp(t * env["m"] ** 2 / w) / mpmath.sqrt(w)
    assert abs(value - exact) <= 1e-12 * exact + err, (value, exact)
