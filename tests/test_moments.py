"""Every moment lemma against the defining integral, and lemmas that must not apply.

The lemmas are what PROVED means for a closed-form claim, so each one is checked
two independent ways: sympy's own integral (where it closes quickly) and mpmath
quadrature at hypothesis-drawn parameters.
"""
import mpmath
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy import Abs, Symbol, log

from vi_sym.distributions import Dist
from vi_sym.moments import Moment, expectation, lemma

z = Symbol("z")
pos = st.floats(0.3, 4.0)
real = st.floats(-3.0, 3.0)

# (kind, parameter strategies, statistics with a lemma)
CASES = [
    ("Normal", (real, pos), [z, z ** 2, z ** 3, z ** 4]),
    ("Exponential", (pos,), [z, z ** 2, z ** 3, log(z)]),
    ("Gamma", (pos, pos), [z, z ** 2, log(z)]),
    ("Beta", (pos, pos), [z, z ** 2, log(z), log(1 - z)]),
    ("Laplace", (real, pos), [z, z ** 2, Abs(z - 1), Abs(z + sympy.Rational(1, 2)), Abs(2 - z)]),
    ("Uniform", None, [z, z ** 2, z ** 3]),
    ("Poisson", (pos,), [z, z ** 2]),
]


def _numeric(dist, h):
    """E_dist[h] by mpmath quadrature (or summation) of pdf * h over the support."""
    f = sympy.lambdify(z, dist.pdf() * h, modules="mpmath")
    sup = dist.support()
    if sup[0] == "count":
        return mpmath.nsum(lambda k: f(k), [0, mpmath.inf])
    lo, hi = (-mpmath.inf, mpmath.inf) if sup[0] == "real" else (sup[1], sup[2])
    if hi == sympy.oo:
        hi = mpmath.inf
    pts = [lo, hi]
    if dist.kind in ("Normal", "Laplace"):
        m = float(dist.params[0])
        kinks = [float(sympy.solve(a.args[0], z)[0]) for a in h.atoms(Abs)]   # |z - c| bends at c
        pts = [lo, *sorted({m - 1, m, m + 1, *kinks}), hi]
    elif dist.kind in ("Gamma", "Exponential"):
        pts = [lo, 1, hi]                     # an endpoint singularity at 0 gets its own piece
    elif dist.kind == "Beta":
        pts = [lo, sympy.Rational(1, 2), hi]
    with mpmath.workdps(40):
        return mpmath.quad(f, [mpmath.mpf(sympy.Float(p, 40)) if not mpmath.isinf(p) else p for p in pts])


def _params(kind, strategies, data):
    if kind == "Uniform":
        a = data.draw(real)
        return (a, a + data.draw(pos))
    return tuple(data.draw(s) for s in strategies)


@pytest.mark.parametrize("kind,strategies,stats", CASES, ids=[c[0] for c in CASES])
@settings(max_examples=8, deadline=None, derandomize=True)
@given(data=st.data())
def test_every_lemma_agrees_with_quadrature(kind, strategies, stats, data):
    params = _params(kind, strategies, data)
    dist = Dist(kind, z, *[sympy.Float(p) for p in params])
    for h in stats:
        found = lemma(dist, h)
        assert found is not None, (kind, h)
        value = float(found[0].evalf(30))
        assert value == pytest.approx(float(_numeric(dist, h)), rel=1e-7, abs=1e-9), (kind, h, params)


@pytest.mark.parametrize("kind,h", [("Normal", z ** 2), ("Exponential", z ** 2), ("Uniform", z ** 3)])
def test_lemma_agrees_with_sympys_integral(kind, h):
    a, b = sympy.symbols("a b", positive=True)
    params = {"Normal": (a, b), "Exponential": (a,), "Uniform": (a, a + b)}[kind]
    dist = Dist(kind, z, *params)
    sup = dist.support()
    lo, hi = (-sympy.oo, sympy.oo) if sup[0] == "real" else (sup[1], sup[2])
    exact = sympy.integrate(dist.pdf() * h, (z, lo, hi), conds="none")
    assert sympy.simplify(exact - lemma(dist, h)[0]) == 0


@pytest.mark.parametrize("kind,params,h", [
    ("Normal", (0, 1), log(z)),               # log of a possibly negative variable
    ("Normal", (0, 1), Abs(z)),               # |z| lemma is Laplace's, not Normal's
    ("Poisson", (2,), z ** 3),                # no third-moment lemma for Poisson
    ("Laplace", (0, 1), Abs(2 * z - 1)),      # |2z - 1| is not |z - c|
    ("Beta", (2, 3), log(1 + z)),             # log(1 + z) is not log(1 - z)
    ("Gamma", (2, 3), log(1 - z)),            # log(1 - z) is Beta's
    ("Exponential", (2,), z * log(z)),        # a product of statistics
])
def test_statistics_without_a_lemma_are_not_guessed(kind, params, h):
    dist = Dist(kind, z, *params)
    assert lemma(dist, h) is None
    value, used = expectation(dist, 3 * h + 1)
    assert value.atoms(Moment) == {Moment(dist, h)} and "normalisation: E[1] = 1" in used


def test_finite_support_is_summed_exactly():
    t = Symbol("t", positive=True)
    value, used = expectation(Dist("Bernoulli", z, t), z * log(t) + 2)
    assert sympy.simplify(value - (t * log(t) + 2)) == 0 and "exact sum" in used[0]
