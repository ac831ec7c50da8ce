"""A certified value must be right when two factors of an integrand peak far apart.

The quadrature window of an integrand is built from each decaying factor's own bump.  A
product of two narrow bumps that disagree (a precise prior at 1, precise data at 0) has its
mass in between (near 1/3), where a panel's nodes see nothing: two rules agree on a wrong
number and its error estimate is 0.  Such a certified wrong value would refute a true step.
These tests compare the certified values with closed forms (computed at 60 digits) at draws
over six orders of magnitude, where every such product occurs.
"""
import math

import mpmath
import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sympy import Integral, log

from vi_sym.families import get_family
from vi_sym.families.modes import golden_argmax, product_bump, role_groups
from vi_sym.numeric import OK, NotEvaluable, evaluate, evaluate_fast
from vi_sym.vocabulary import Density, Expectation

x, z = sympy.symbols("x z")
q = Density("q", [z])
lik = Density("p", [x], [z])
prior = Density("p", [z])

FAM = get_family("normal-normal")


def _exact_log(kind, p):
    """Closed forms at 60 digits: log ∫ p(x|z) p(z) dz, log E_q[p(x|z)], log ∫ q p(z) dz."""
    with mpmath.workdps(60):
        m0, s0, sig = (mpmath.mpf(p[k]) for k in ("m0", "s0", "sigma"))
        m, s = mpmath.mpf(p["m"]), mpmath.mpf(p["s"])
        xs = [mpmath.mpf(v) for v in p["x"]]
        n = len(xs)
        xb = mpmath.fsum(xs) / n
        ssc = mpmath.fsum((v - xb) ** 2 for v in xs)
        t2 = sig ** 2 / n               # p(x|z) = C · exp(-(z - x̄)² / (2 t2))
        logc = -n * mpmath.log(2 * mpmath.pi * sig ** 2) / 2 - ssc / (2 * sig ** 2)

        def gauss_overlap(c1, v1, c2, v2):   # log ∫ N(z; c1, v1) N(z; c2, v2) dz
            v = v1 + v2
            return -mpmath.log(2 * mpmath.pi * v) / 2 - (c1 - c2) ** 2 / (2 * v)
        lik_as_normal = logc + mpmath.log(2 * mpmath.pi * t2) / 2
        if kind == "evidence":
            return lik_as_normal + gauss_overlap(xb, t2, m0, s0 ** 2)
        if kind == "q-likelihood":
            return lik_as_normal + gauss_overlap(xb, t2, m, s ** 2)
        return gauss_overlap(m, s ** 2, m0, s0 ** 2)


EXPRS = {"evidence": log(Integral(lik * prior, z)),
         "q-likelihood": log(Expectation(q, lik)),
         "q-prior": log(Integral(q * prior, z))}


def _magnitude():
    return st.floats(-3, 3, allow_nan=False).map(lambda t: 10.0 ** t)


def _location():
    return st.tuples(st.sampled_from([1.0, -1.0]), _magnitude()).map(lambda t: t[0] * t[1])


POINTS = st.fixed_dictionaries({
    "m0": _location(), "s0": _magnitude(), "sigma": _magnitude(),
    "x": st.lists(_location(), min_size=1, max_size=3).map(tuple),
    "m": _location(), "s": _magnitude()})


def test_far_apart_precise_prior_and_data():
    """The example that was certified wrong: -336779.15 ± 1 instead of -333321.905."""
    p = {"m0": 1.0, "s0": 1e-3, "sigma": 1e-3, "x": (0.0, 0.0), "m": 0.0, "s": 0.136}
    v = evaluate(EXPRS["evidence"], FAM, p)
    exact = _exact_log("evidence", p)
    assert abs(v.value - exact) <= v.error
    assert v.error < 1e-2


@pytest.mark.parametrize("kind", list(EXPRS))
@settings(max_examples=60, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(p=POINTS)
def test_certified_values_contain_the_closed_form(kind, p):
    exact = _exact_log(kind, p)
    try:
        v = evaluate(EXPRS[kind], FAM, p)
    except NotEvaluable:
        return        # not certified: skipped by the spot-checker, never a counterexample
    assert abs(v.value - exact) <= v.error + 1e-12 * (1 + abs(exact)), (p, v, exact)


@pytest.mark.parametrize("kind", list(EXPRS))
def test_fast_path_values_marked_ok_contain_the_closed_form(kind):
    pts = []

    @settings(max_examples=150, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(p=POINTS)
    def collect(p):
        pts.append(p)
    collect()
    r = evaluate_fast(EXPRS[kind], FAM, FAM.fast_batch(pts))
    checked = 0
    for i, p in enumerate(pts):
        if r.status[i] != OK:
            continue
        checked += 1
        exact = float(_exact_log(kind, p))
        assert abs(r.value[i] - exact) <= r.error[i] + 1e-9 * (1 + abs(exact)), (p, r.value[i], exact)
    assert checked >= len(pts) // 4       # the float64 path vouches for a good share


def test_golden_argmax_finds_a_narrow_mode_far_from_the_ends():
    lo, hi = np.array([[-10.0], [0.0]]), np.array([[10.0], [1.0]])
    centre, width = np.array([[3.7], [0.3333]]), np.array([[1e-4], [1e-6]])
    mode = golden_argmax(lambda u: -((u - centre) / width) ** 2, lo, hi)
    assert np.all(abs(mode - centre) < width / 10)


def test_product_bump_brackets_the_mass_of_the_product():
    # N(z; 1, 1e-3²) · N(z; 0, 1e-3²): mode 1/2, sd 1e-3/√2
    logs = [lambda t: -((t - 1) / mpmath.mpf("1e-3")) ** 2 / 2, lambda t: -(t / mpmath.mpf("1e-3")) ** 2 / 2]
    pts = product_bump(logs, -0.012, 1.012)
    sd = 1e-3 / math.sqrt(2)
    assert min(abs(p - mpmath.mpf(1) / 2) for p in pts) < sd / 100
    assert min(pts) < 0.5 - 4 * sd and max(pts) > 0.5 + 4 * sd
    assert all(-0.012 < p < 1.012 for p in pts)


def test_role_groups():
    assert role_groups(["q"]) == []
    assert role_groups(["likelihood", "prior"]) == [("likelihood", "prior")]
    assert len(role_groups(["likelihood", "prior", "q"])) == 4
