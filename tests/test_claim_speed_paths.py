"""The shortcuts that make the claims' quadratures cheaper give the very numbers (and the very
failures) of the plain path, and are not taken where they do not apply."""
import mpmath
import numpy as np
import pytest
import sympy

from vi_sym.distributions import Dist
from vi_sym.numeric import NotEvaluable, quad64
from vi_sym.numeric.plain import (HOIST, _MASS, _integrate_1d, compile_plain, compile_plain_in, component,
                                 fallback_budget, integrate_1d)
from vi_sym.numeric.budget import BudgetSpent

z, a, b = sympy.symbols("z a b")
k = sympy.Symbol("k", integer=True)
GAMMA = Dist("Gamma", z, a, b)
BETA = Dist("Beta", z, a, b)


def mp(**kw):
    return {n: mpmath.mpf(v) for n, v in kw.items()}


EXPRESSIONS = [
    GAMMA.logpdf(),
    BETA.logpdf(),
    sympy.log(z) * sympy.digamma(a) + sympy.exp(-b * z) / sympy.gamma(a + b),
    a * b,                                                  # free of z altogether
    -a * b * z * sympy.loggamma(b) * sympy.log(z) ** 2,     # leading z-free factors, and a later one
    # inside a sum, a z-free term that depends on the summation index is not a constant
    sympy.Sum(z ** k * (b ** k / sympy.gamma(k + 1)), (k, 0, 25)) + sympy.loggamma(a),
    sympy.Sum(b ** k / sympy.gamma(k + 1), (k, 0, 25)) * z,
]


@pytest.mark.parametrize("expr", EXPRESSIONS, ids=str)
@pytest.mark.parametrize("dps", [15, 30])
def test_hoisted_integrand_gives_the_plain_values_bit_for_bit(expr, dps):
    plain, hoisted = compile_plain(expr), compile_plain_in(expr, z)
    with mpmath.workdps(dps):
        env = mp(a="0.7", b="2.5")
        env[HOIST] = {}                      # one memo for every node, as in an integral
        for x in ("0.1", "0.5", "0.9", "0.25"):
            e = dict(env)
            e["z"] = mpmath.mpf(x)
            assert hoisted(e) == plain({n: v for n, v in e.items() if n is not HOIST})


def test_parameter_terms_are_computed_once_per_memo():
    # a memo kept while a parameter changes would show the stale value: proof that the
    # z-free part is read from the memo, and that a fresh memo (one per integral) is right
    f = compile_plain_in(GAMMA.logpdf(), z)
    memo = {}
    first = f({**mp(a="2", b="3", z="1"), HOIST: memo})
    stale = f({**mp(a="5", b="3", z="1"), HOIST: memo})
    fresh = f({**mp(a="5", b="3", z="1"), HOIST: {}})
    assert stale == first
    assert fresh == compile_plain(GAMMA.logpdf())(mp(a="5", b="3", z="1")) != first
    # the z-dependent part is never memoised
    assert f({**mp(a="2", b="3", z="2"), HOIST: memo}) != first


def test_no_memo_means_no_hoisting():
    f = compile_plain_in(GAMMA.logpdf(), z)
    for av in ("2", "5"):
        assert f(mp(a=av, b="3", z="1")) == compile_plain(GAMMA.logpdf())(mp(a=av, b="3", z="1"))


def test_memo_is_per_precision():
    f, g = compile_plain_in(BETA.logpdf(), z), compile_plain(BETA.logpdf())
    memo = {}
    with mpmath.workdps(15):
        f({**mp(a="0.3", b="0.7", z="0.5"), HOIST: memo})
    with mpmath.workdps(40):
        env = mp(a="0.3", b="0.7", z="0.5")
        assert f({**env, HOIST: memo}) == g(env)


def test_a_failing_parameter_term_fails_alike_and_is_not_memoised():
    expr = sympy.log(a) * z
    f, g = compile_plain_in(expr, z), compile_plain(expr)
    memo = {}
    env = mp(a="-1", z="2")
    with pytest.raises(NotEvaluable) as plain_err:
        g(env)
    for _ in range(2):
        with pytest.raises(NotEvaluable) as hoisted_err:
            f({**env, HOIST: memo})
        assert str(hoisted_err.value) == str(plain_err.value)
    assert not memo
    assert f({**mp(a="2", z="2"), HOIST: memo}) == g(mp(a="2", z="2"))


def _plain_component(c):
    comp = list(component(c))
    comp[1] = compile_plain(c.logpdf())
    return tuple(comp)


@pytest.mark.parametrize("dist, point", [(GAMMA, {"a": "2.5", "b": "0.7"}),
                                         (BETA, {"a": "0.4", "b": "3"})], ids=["Gamma", "Beta"])
def test_mpmath_quadrature_of_a_density_is_unchanged(dist, point):
    f = sympy.log(z) ** 2 - sympy.loggamma(a) * z
    with mpmath.workdps(30):         # above the default precision: mpmath.quad, no float64
        env = mp(**point)
        fast = _integrate_1d(component(dist), compile_plain_in(f, z), env)
        slow = _integrate_1d(_plain_component(dist), compile_plain(f), env)
        mass = _integrate_1d(component(dist), None, env)
    assert fast == slow
    assert abs(mass[0] - 1) <= 1e-6 + mass[1]      # a density the quadrature sees


# --- a density's mass not captured is remembered, not integrated again -------------------

class _CountQuad:
    """Counts mpmath.quad calls (the fallback from float64)."""

    def __init__(self, monkeypatch):
        self.n = 0
        real = mpmath.quad

        def quad(*args, **kw):
            self.n += 1
            return real(*args, **kw)
        monkeypatch.setattr(mpmath, "quad", quad)


def _beta_env(av="1e-3", bv="1"):
    return mp(a=av, b=bv)


def test_a_mass_not_captured_is_raised_again_without_quadrature(monkeypatch):
    _MASS.clear()
    calls = _CountQuad(monkeypatch)
    comp = component(BETA)
    with pytest.raises(NotEvaluable, match="mass not captured") as first:
        integrate_1d(comp, None, _beta_env())
    assert calls.n >= 1                      # float64 could not vouch: mpmath tried and failed
    seen = calls.n
    with fallback_budget(10):                # the memo answers, without a new quadrature
        for f in (None, compile_plain_in(sympy.log(z), z)):
            with pytest.raises(NotEvaluable) as again:
                integrate_1d(comp, f, _beta_env())
            assert str(again.value) == str(first.value)
    assert calls.n == seen
    # ... and charges the fallbacks the quadrature took, as integrating again would: with no
    # budget left, the point is skipped for the budget, as it would be without the memo
    with fallback_budget(0):
        with pytest.raises(BudgetSpent):
            integrate_1d(comp, None, _beta_env())
    assert calls.n == seen


def test_a_remembered_failure_is_not_used_with_other_break_points_or_digits(monkeypatch):
    _MASS.clear()
    calls = _CountQuad(monkeypatch)
    with pytest.raises(NotEvaluable, match="mass not captured"):
        integrate_1d(component(BETA), None, _beta_env())
    seen = calls.n
    other = component(BETA, list(BETA.breaks()) + [sympy.Rational(1, 2)])
    try:
        integrate_1d(other, None, _beta_env())
    except NotEvaluable:
        pass
    assert calls.n > seen                    # integrated afresh with the other break points
    seen = calls.n
    with mpmath.workdps(30):
        try:
            integrate_1d(component(BETA), None, _beta_env())
        except NotEvaluable:
            pass
    assert calls.n > seen


def test_a_captured_mass_is_unaffected_by_a_remembered_failure():
    _MASS.clear()
    comp = component(BETA)
    with pytest.raises(NotEvaluable):
        integrate_1d(comp, None, _beta_env())
    val, err = integrate_1d(comp, None, _beta_env("2", "3"))
    assert abs(val - 1) <= 1e-6 + err


# --- float64 tanh-sinh: the coarse rule reuses the fine rule's values -------------------

def _weighted(x):
    return np.exp(1.5 * np.log(x) - 2 * x) * (np.log(x) ** 2 - 0.3 * x)


@pytest.mark.parametrize("a, b", [(0.0, 2.0), (0.5, np.inf), (-np.inf, -0.5), (1e-300, 1e-3)])
def test_coarse_nodes_are_every_other_fine_node_with_the_same_values(a, b):
    def f(x):
        return np.exp(-np.abs(x)) * np.cos(x) + np.sqrt(np.abs(x))
    fine = quad64._piece(f, a, b, 1.0, quad64._FINE)
    own = quad64._piece(f, a, b, 1.0, quad64._COARSE)          # f evaluated at the coarse nodes
    shared = quad64._piece(f, a, b, 1.0, quad64._COARSE, fine[3][::2])
    assert own[:3] == shared[:3]
    assert np.array_equal(own[3], shared[3])


def test_float64_quadrature_evaluates_each_piece_once():
    calls = []

    def f(x):
        calls.append(x.size)
        return _weighted(x)
    got = quad64.integrate(f, 0.0, np.inf, [0.5, 1.0, 3.0], 1.0)
    ref = mpmath.quad(lambda x: x ** 1.5 * mpmath.exp(-2 * x) * (mpmath.log(x) ** 2 - 0.3 * x),
                      [0, 0.5, 1, 3, mpmath.inf])
    assert got is not None and abs(got[0] - float(ref)) < 1e-9
    assert len(calls) == 4                  # four pieces, one evaluation (the fine nodes) each
