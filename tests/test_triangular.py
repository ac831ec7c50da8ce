"""The triangular kind, Triangular(z, lo, hi, mode): its density (written with sympy's Min, a
kink at the mode) integrates to 1 and is the exp of its log-density; each moment lemma equals
the integral of its statistic against the density (mpmath quadrature split at the mode, nothing of
vi_sym's numeric layer) at parameters drawn by hypothesis; the lemma E[log min(u, v)] = -1/2 does
not fire on another triangular's shape or on one side alone; both numeric back-ends evaluate Min."""
import mpmath
import numpy as np
import pytest
import sympy
from hypothesis import Phase, given, settings, strategies as st
from sympy import Min, Rational, Symbol, log

from vi_sym.distributions.base import Dist
from vi_sym.moments import Moment, expectation
from vi_sym.numeric.functions import MP_FUNCTIONS, NP_FUNCTIONS

z = Symbol("z", real=True)
_POS = st.integers(1, 16).map(lambda k: Rational(k, 4))
_REAL = st.integers(-12, 12).map(lambda k: Rational(k, 4))


def _quad(c, h, mode):
    lo, hi = c.support()[1:]
    with mpmath.workdps(30):
        f = sympy.lambdify(c.var, c.pdf() * h, modules="mpmath")
        return mpmath.quad(f, [mpmath.mpf(sympy.N(e, 30)) for e in (lo, mode, hi)])


def _sides(lo, hi, mode):
    return (z - lo) / (mode - lo), (hi - z) / (hi - mode)


@settings(max_examples=8, deadline=None, derandomize=True, phases=(Phase.explicit, Phase.generate))
@given(lo=_REAL, u=_POS, v=_POS)
def test_the_triangular_lemmas_equal_the_integrals(lo, u, v):
    hi, mode = lo + u + v, lo + u
    d = Dist("Triangular", z, lo, hi, mode)
    assert abs(_quad(d, 1, mode) - 1) < 1e-12
    for h in (z, z ** 2, 3 * z - 1, (z - mode) ** 2, log(Min(*_sides(lo, hi, mode)))):
        value, _ = expectation(d, h)
        assert not value.has(Moment), (d, h, value)
        exact = mpmath.mpf(sympy.N(value, 30))
        assert abs(_quad(d, h, mode) - exact) < 1e-12 * (1 + abs(exact)), (d, h)
    entropy = -_quad(d, d.logpdf(), mode)
    assert abs(entropy - (mpmath.mpf(1) / 2 + mpmath.log(mpmath.mpf(sympy.N((u + v) / 2, 30))))) < 1e-12


def test_the_log_density_is_the_log_of_the_density():
    c = Dist("Triangular", z, 0, 3, 1)
    for x in (Rational(1, 2), 1, Rational(5, 2)):
        assert abs(sympy.N(c.logpdf().subs(z, x) - log(c.pdf().subs(z, x)), 30)) < 1e-25


@pytest.mark.parametrize("h", [
    log(Min(*_sides(0, 3, 2))),          # another mode's shape
    log(Min(*_sides(0, 4, 1))),          # another upper end
    log(z / 1),                          # one side alone: E[log z] is not -1/2
    Min(*_sides(0, 3, 1)),               # the shape itself, not its log
])
def test_the_log_min_lemma_fires_only_on_the_kinds_own_shape(h):
    value, _ = expectation(Dist("Triangular", z, 0, 3, 1), h)
    assert value.has(Moment) or abs(float(value) + 0.5) > 1e-9


def test_both_numeric_back_ends_evaluate_min():
    assert MP_FUNCTIONS[Min](mpmath.mpf(2), mpmath.mpf(3)) == 2
    assert list(NP_FUNCTIONS[Min](np.array([1.0, 4.0]), np.array([2.0, 3.0]))) == [1.0, 3.0]
