"""The two-latent spot-checks evaluate each distinct side once per point and layout: a
chain's steps share their sides, and the memo must give exactly what a fresh evaluation
gives -- the value, the error, and a NotEvaluable where the point cannot be evaluated."""
from __future__ import annotations

import numpy as np
import pytest
import sympy

import vi_sym.spot.multi as multi
from vi_sym.families import get_family
from vi_sym.numeric import NotEvaluable
from vi_sym.numeric.tensor import evaluate_certified
from vi_sym.spot.driver import draws
from vi_sym.spot.multi import FAST_SPECS, PRECISE_SPECS, _strategy, side_value
from vi_sym.vocabulary import density

Z1, Z2 = sympy.symbols("z1 z2")


def _sides():
    q, p = density("q", "z1,z2"), density("p", "x,z1,z2")
    return [sympy.Integral(q * sympy.log(p / q), Z1, Z2),
            sympy.Integral(q * sympy.log(p), Z1, Z2)]


@pytest.mark.parametrize("dtype, specs", [(np.float64, FAST_SPECS), (np.longdouble, PRECISE_SPECS)])
def test_memoised_side_is_the_fresh_evaluation(dtype, specs):
    fam = get_family("bivariate-gaussian")
    multi._SIDES.clear()
    for params, _ in draws(_strategy(fam), 4, 1):
        for expr in _sides():
            fresh = evaluate_certified(expr, fam, params, {}, dtype, specs)
            assert side_value(expr, fam, params, {}, dtype, specs) == fresh
            assert side_value(expr, fam, params, {}, dtype, specs) == fresh   # from the memo


def test_each_distinct_side_is_evaluated_once(monkeypatch):
    fam = get_family("bivariate-gaussian")
    params = fam.special_points()[0]
    calls = []

    def counting(expr, *args):
        calls.append(expr)
        return evaluate_certified(expr, *args)
    monkeypatch.setattr(multi, "evaluate_certified", counting)
    multi._SIDES.clear()
    a, b = _sides()
    for expr in (a, b, b, a, b):
        side_value(expr, fam, params, {}, np.float64, FAST_SPECS)
    assert sorted(map(str, calls)) == sorted(map(str, (a, b)))
    # another layout, point or binding is another value
    side_value(a, fam, params, {}, np.float64, PRECISE_SPECS)
    side_value(a, fam, params, {"z1": 0.5}, np.float64, FAST_SPECS)
    assert len(calls) == 4


def test_a_point_that_cannot_be_evaluated_stays_so(monkeypatch):
    fam = get_family("bivariate-gaussian")
    params = fam.special_points()[0]
    calls = []

    def failing(expr, *args):
        calls.append(expr)
        raise NotEvaluable("not here")
    monkeypatch.setattr(multi, "evaluate_certified", failing)
    multi._SIDES.clear()
    expr = _sides()[0]
    for _ in range(2):
        with pytest.raises(NotEvaluable, match="not here"):
            side_value(expr, fam, params, {}, np.float64, FAST_SPECS)
    assert len(calls) == 1
