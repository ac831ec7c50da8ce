"""Truncated count sums and quadrature windows (vi_sym.numeric.tails): the value and its
stated error must contain the exact answer, at the extreme draws the spot-checker makes
(success probabilities near 0, a negative binomial with 10^3 successes, a Gumbel far from
0), and a sum the tail bound cannot vouch for is refused, never guessed."""
import mpmath
import numpy as np
import pytest
import sympy

from vi_sym.distributions import Dist
from vi_sym.numeric import NotEvaluable, compile_plain
from vi_sym.numeric.plain import component, compile_plain_np, integrate_1d
from vi_sym.numeric.tails import count_sum64, count_sum_mp, window

k, t, r, m, b = sympy.symbols("k t r m b", positive=True)


def mp(**kw):
    return {key: mpmath.mpf(v) for key, v in kw.items()}


@pytest.mark.parametrize("tv", ["1e-3", "0.05", "0.5", "0.999"])
def test_geometric_mean_and_entropy_at_extreme_p(tv):
    g = Dist("Geometric", k, t)
    c = component(g)
    env = mp(t=tv)
    with mpmath.workdps(15):
        mean, err = integrate_1d(c, compile_plain(k), env, (compile_plain_np(k), None))
        H, herr = integrate_1d(c, compile_plain(-g.logpdf()), env, (compile_plain_np(-g.logpdf()), None))
    p = mpmath.mpf(tv)
    exact_mean = (1 - p) / p
    exact_H = -(p * mpmath.log(p) + (1 - p) * mpmath.log(1 - p)) / p
    assert abs(mean - exact_mean) <= err + 1e-9 * (1 + exact_mean)
    assert abs(H - exact_H) <= herr + 1e-9 * (1 + exact_H)


def test_negative_binomial_with_many_successes_and_small_p_is_summed_in_float64():
    nb = Dist("NegativeBinomial", k, r, t)
    c = component(nb)
    env = mp(r="1000", t="1e-3")
    with mpmath.workdps(15):
        mean, err = integrate_1d(c, compile_plain(k), env, (compile_plain_np(k), None))
    exact = mpmath.mpf(1000) * (1 - mpmath.mpf("1e-3")) / mpmath.mpf("1e-3")
    assert abs(mean - exact) <= err + 1e-9 * exact


def test_negative_binomial_with_r_below_one_uses_the_kinds_tail_ratio():
    # the ratio P(k+1)/P(k) grows towards 1 - p when r < 1: the empirical bound alone
    # would refuse; the kind's tail_ratio bounds it
    nb = Dist("NegativeBinomial", k, r, t)
    c = component(nb)
    env = mp(r="1e-3", t="1e-3")
    with mpmath.workdps(15):
        mass, err = integrate_1d(c, None, env)
        mean, merr = integrate_1d(c, compile_plain(k), env, (compile_plain_np(k), None))
    assert abs(mass - 1) <= err + 1e-12
    exact = mpmath.mpf("1e-3") * (1 - mpmath.mpf("1e-3")) / mpmath.mpf("1e-3")
    assert abs(mean - exact) <= merr + 1e-9


def test_a_tail_without_a_bound_is_refused():
    # terms k^2 * 0.9999^k with no kind ratio: the last stretch is not shrinking fast
    # enough for the range tried -> None (mpmath decides or refuses), never a guess
    e = {"x": 0.0}
    logp = compile_plain_np(k * sympy.log(sympy.Rational(9999, 10000)))
    out = count_sum64("k", e, 0.0, logp, None)
    if out is not None:
        total, err = out
        assert abs(total - 10000) <= err + 1e-6 * 10000


def test_mpmath_count_sum_refuses_a_sum_needing_too_many_terms():
    p = mpmath.mpf("1e-3")
    with pytest.raises(NotEvaluable):
        count_sum_mp(lambda kk: p * (1 - p) ** kk, (1 - p) / p, 30)
    with mpmath.workdps(30):
        total, tail = count_sum_mp(lambda kk: mpmath.mpf("0.3") * mpmath.mpf("0.7") ** kk, 2.3, 30)
    assert abs(total - 1) <= tail + mpmath.mpf(10) ** -19


def test_window_truncates_a_double_exponential_tail_with_a_bound():
    def g(x):   # the Gumbel(0, 1) density
        return mpmath.exp(-x - mpmath.exp(-x))
    lo, hi, tail = window(g, mpmath.ninf, mpmath.inf, 0.0, 1.0)
    assert mpmath.isfinite(lo) and mpmath.isfinite(hi)
    assert tail < mpmath.mpf(10) ** -40
    assert abs(mpmath.quad(g, [lo, 0, hi]) - 1) < mpmath.mpf(10) ** -20


@pytest.mark.parametrize("mv,bv", [("1000", "1e-3"), ("-1000", "1000"), ("0.5", "1")])
def test_gumbel_mass_and_mean_in_mpmath_at_extreme_parameters(mv, bv):
    gd = Dist("Gumbel", sympy.Symbol("z"), m, b)
    c = component(gd)
    env = mp(m=mv, b=bv)
    with mpmath.workdps(30):   # the precise path: mpmath.quad on a certified window
        mean, err = integrate_1d(c, compile_plain(sympy.Symbol("z")), env)
    exact = mpmath.mpf(mv) + mpmath.euler * mpmath.mpf(bv)
    assert abs(mean - exact) <= err + 1e-12 * (1 + abs(exact))


def test_an_integrand_peaking_far_from_the_density_is_not_misjudged():
    # E[z^60] under Exponential(1) = 60!: its mass sits near z = 60, far from the
    # density's scale 1; the mpmath path must find it (or refuse), never return a wrong value
    z = sympy.Symbol("z")
    lam = sympy.Symbol("lam", positive=True)
    c = component(Dist("Exponential", z, lam))
    env = mp(lam="1")
    with mpmath.workdps(30):
        try:
            val, err = integrate_1d(c, compile_plain(z ** 60), env)
        except NotEvaluable:
            return
    exact = mpmath.factorial(60)
    assert abs(val - exact) <= err + 1e-12 * exact
    assert np.isfinite(float(err))
