"""Mass beyond the quadrature's reach (vi_sym.numeric.tails.end_mass, window's power tails):
an integrand that is a power |z - end|^p with p just above -1 at a finite end (E[1/z] under
Beta(1.01, b): most of its mass within 10^-20 of 0), or one that falls off like |z|^-1.001
along an infinite tail (the variance of a Student-t with 2.001 degrees of freedom), has
mass mpmath.quad's nodes never see and its error estimate does not cover.  Such a value must
come with an error that contains the truth, or be refused -- a correct closed form is never
FAILED by a value that misses that mass."""
import mpmath
import pytest
import sympy

from vi_sym.distributions import Dist
from vi_sym.loader import load_text
from vi_sym.numeric import NotEvaluable, compile_plain
from vi_sym.numeric.plain import component, integrate_1d
from vi_sym.numeric.tails import end_mass, window
from vi_sym.spot.claims import side_value, spot_claim

z = sympy.Symbol("z", real=True)
a, b, nu, m, s = sympy.symbols("a b nu m s", positive=True)


def mp(**kw):
    return {key: mpmath.mpf(v) for key, v in kw.items()}


def _contains_or_refuses(comp, f, env, exact):
    """At the mpmath precisions the spot-checker uses (no float64 shortcut at 30 digits;
    at 15 digits float64 refuses these and mpmath integrates)."""
    for dps in (15, 30):
        with mpmath.workdps(dps):
            try:
                val, err = integrate_1d(comp, compile_plain(f), env)
            except NotEvaluable:
                continue
            assert abs(val - exact) <= err + 1e-9 * abs(exact), (dps, val, err, exact)


def test_a_near_singular_finite_end_is_bounded_or_refused():
    beta = component(Dist("Beta", z, a, b))
    env = mp(a="1.01", b="1000")
    exact = (env["a"] + env["b"] - 1) / (env["a"] - 1)      # E[1/z] = (a + b - 1)/(a - 1)
    _contains_or_refuses(beta, 1 / z, env, exact)


def test_a_heavy_infinite_tail_is_bounded_or_refused():
    t = component(Dist("StudentT", z, nu, m, s))
    env = mp(nu="2.001", m="0", s="0.001")
    exact = env["s"] ** 2 * env["nu"] / (env["nu"] - 2)        # E[(z - m)^2]
    _contains_or_refuses(t, (z - m) ** 2, env, exact)


def test_end_mass_of_powers():
    x = mpmath.mpf
    with mpmath.workdps(15):
        # z^-0.99 on (0, 1]: ~70 of its mass 100 lies within 1e-17 of 0
        assert end_mass(lambda t: t ** x("-0.99"), x(0), x(1), 15) > 50
        # z^-0.5: the mass within 1e-17 is ~6e-9
        assert 1e-9 < end_mass(lambda t: t ** x("-0.5"), x(0), x(1), 15) < 1e-7
        # a smooth integrand at an end of 1 (the reflected side): negligible
        assert end_mass(lambda t: (1 - t) ** 2, x(1), x(-0.5), 15) < 1e-40
        # not integrable at the end: refused
        with pytest.raises(NotEvaluable):
            end_mass(lambda t: 1 / t, x(0), x(1), 15)


def test_window_bounds_or_refuses_a_power_tail():
    x = mpmath.mpf
    with mpmath.workdps(15):
        lo, hi, tail = window(lambda t: 1 / (1 + t * t), x(0), mpmath.inf, 0.0, 1.0)
        assert hi == mpmath.inf and 0 < tail < 1e-15       # 1/z^2 past 2^59: ~2e-18
        with pytest.raises(NotEvaluable):
            window(lambda t: 1 / (1 + abs(t)), x(0), mpmath.inf, 0.0, 1.0)


CLAIMS = [
    ("latent: z\npositive: c b\ndefine q(z) = Beta(z, 1 + c, b)\n", "E_q(z)[1/z]", "(b + c)/c"),
    ("latent: z\nparameters: m\npositive: c s\ndefine q(z) = StudentT(z, 2 + c, m, s)\n",
     "E_q(z)[(z - m)^2]", "s^2*(2 + c)/c"),
]


@pytest.mark.parametrize("header,lhs,rhs", CLAIMS, ids=["beta-inverse-mean", "student-t-variance"])
def test_a_correct_moment_near_the_edge_of_existence_is_not_refuted(header, lhs, rhs):
    (d,), errs = load_text(f"derivation c\n{header}\n    {lhs}\n  = {rhs}   by expectation_definition\n", "c.vi")
    assert not errs, errs
    r = spot_claim(d.steps[0], samples=50, seed=0)
    assert r.status == "SPOT-CHECKED", r.reason


def test_end_mass_steps_out_where_the_integrand_cannot_be_evaluated():
    x = mpmath.mpf

    def planck(t):          # exp(t) - 1 is 0 at t = 1e-17 in 15 digits
        d = mpmath.exp(t) - 1
        if not d:
            raise ZeroDivisionError("division by zero")
        return t ** 3 / d
    with mpmath.workdps(15):
        assert end_mass(planck, x(0), x(1), 15) < 1e-20

        def nowhere(t):
            raise ZeroDivisionError("division by zero")
        with pytest.raises(NotEvaluable):
            end_mass(nowhere, x(0), x(1), 15)



WRITTEN = [
    # a logistic density of scale 0.001 far from 0: its peak lies between the probes at -256
    # and -512, where both quadrature rules agreed on a mass of 0
    ("parameters: m\npositive: s", "exp(-(z - m)/s)/(s*(1 + exp(-(z - m)/s))^2) on reals",
     {"m": -397.735, "s": 0.001}),
    # a Kumaraswamy density with a = 0.001, b = 1000: its mass lies below z = 1e-1000
    ("positive: a b", "a*b*z^(a - 1)*(1 - z^a)^(b - 1) on (0, 1)", {"a": 0.001, "b": 1000.0}),
]


@pytest.mark.parametrize("header,define,point", WRITTEN, ids=["logistic-narrow-far", "kumaraswamy-at-0"])
def test_a_density_written_by_hand_is_not_refuted_by_mass_the_nodes_missed(header, define, point):
    ds, errs = load_text(f"derivation d\nlatent: z\n{header}\ndefine r(z) = {define}\n\n"
                         "    E_r(z)[1]\n  = 1\n", "d.vi")
    assert not errs, errs
    step = {d.name: d for d in ds}["d_r_is_a_density"].steps[0]
    try:
        v, e = side_value(step.lhs, point)
    except NotEvaluable:
        return                      # refused: never a wrong value
    assert abs(v - 1) <= e + 1e-9, (v, e)
    assert spot_claim(step, samples=30, seed=0).status != "FAILED"
