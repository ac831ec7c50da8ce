"""CAVI as a checkable claim (vi_sym.cavi): the updates the catalogue derived, run on data
drawn by hypothesis, keep the promises of coordinate ascent -- and a wrong update breaks them."""

import math
from functools import lru_cache

import pytest
import sympy
from hypothesis import HealthCheck, assume, given, settings, strategies as st
from scipy import integrate

from vi_sym.cavi import (BivariateGaussian, NormalGamma, ReadOffError, check_run, conclusion_of,
                         gamma_read_off, gaussian_read_off, run_cavi)
from vi_sym.loader import load_paths

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])
real = st.floats(-5, 5, allow_nan=False, allow_infinity=False)
positive = st.floats(-1.5, 1.5, allow_nan=False).map(lambda u: 10.0 ** u)


@lru_cache(maxsize=None)
def wrong_rhs(name):
    """The right side of the (xfail) step of derivation ``name``, read by vi_sym's parser."""
    derivs, errors = load_paths([f"derivations/{name[:11]}.vi"])
    assert not errors
    (d,) = [d for d in derivs if d.name == name]
    return d.steps[0].rhs


def sym(expr, name):
    (s,) = [s for s in expr.free_symbols if s.name == name]
    return s


# ------------------------------------------------------------------- reading off the updates
def test_normal_gamma_updates_are_prml_10_26_to_10_30():
    rhs = conclusion_of("prml_10_1_3_q_mu", "derivations/prml_10_1_3.vi").rhs
    lam, m = gaussian_read_off(rhs, sym(rhs, "μ"))
    s = {n: sym(rhs, n) for n in ("λ0", "aN", "bN", "x1", "x2", "μ0")}
    assert sympy.simplify(lam - (s["λ0"] + 2) * s["aN"] / s["bN"]) == 0            # (λ0 + N) E[τ]
    assert sympy.simplify(m - (s["λ0"] * s["μ0"] + s["x1"] + s["x2"]) / (s["λ0"] + 2)) == 0
    rhs = conclusion_of("prml_10_1_3_q_tau", "derivations/prml_10_1_3.vi").rhs
    a, b = gamma_read_off(rhs, sym(rhs, "τ"))
    assert sympy.simplify(a - (sym(rhs, "a0") + sympy.Rational(3, 2))) == 0          # a0 + (N+1)/2
    mN, sN, x1, x2 = (sym(rhs, n) for n in ("mN", "sN", "x1", "x2"))
    lam0, mu0, b0 = (sym(rhs, n) for n in ("λ0", "μ0", "b0"))
    e_sq = (x1 - mN) ** 2 + (x2 - mN) ** 2 + 2 * sN ** 2 + lam0 * ((mN - mu0) ** 2 + sN ** 2)
    assert sympy.simplify(b - (b0 + e_sq / 2)) == 0


def test_read_off_refuses_what_is_not_a_gaussian_or_a_gamma():
    v = sympy.Symbol("v")
    from vi_sym.vocabulary import Const
    with pytest.raises(ReadOffError):
        gaussian_read_off(v ** 3 + Const(v), v)
    with pytest.raises(ReadOffError):
        gaussian_read_off(-v ** 2, v)                       # no const: not an up-to statement
    with pytest.raises(ReadOffError):
        gamma_read_off(sympy.log(v) - v ** 2 + Const(v), v)
    with pytest.raises(ReadOffError):
        conclusion_of("no_such_derivation", "derivations/prml_10_1_3.vi")


# --------------------------------------------------------------------------- Normal–Gamma
def _log_normal(x, m, prec):
    return 0.5 * math.log(prec / (2 * math.pi)) - prec * (x - m) ** 2 / 2


def _log_gamma(t, a, b):
    return a * math.log(b) - math.lgamma(a) + (a - 1) * math.log(t) - b * t


def test_normal_gamma_evidence_and_elbo_against_quadrature():
    """The closed forms the runs are checked against, against numeric integration."""
    m = NormalGamma.from_catalogue((0.4, 1.9), 0.5, 2.0, 2.0, 1.5)

    def log_joint(mu, tau):
        return (_log_normal(0.4, mu, tau) + _log_normal(1.9, mu, tau)
                + _log_normal(mu, 0.5, 2.0 * tau) + _log_gamma(tau, 2.0, 1.5))
    z, _ = integrate.dblquad(lambda mu, tau: math.exp(log_joint(mu, tau)), 1e-12, 30, -8, 10,
                             epsabs=1e-11, epsrel=1e-9)
    assert abs(math.log(z) - m.log_evidence()) < 1e-5       # quadrature on a truncated box
    s = {"mN": 0.8, "sN": 0.6, "aN": 3.0, "bN": 2.5}

    def integrand(mu, tau):
        log_q = _log_normal(mu, 0.8, 1 / 0.36) + _log_gamma(tau, 3.0, 2.5)
        return math.exp(log_q) * (log_joint(mu, tau) - log_q)
    e, _ = integrate.dblquad(integrand, 1e-12, 15, -3, 4.6, epsabs=1e-10, epsrel=1e-9)
    assert abs(e - m.elbo(s)) < 1e-6


normal_gamma_draws = st.fixed_dictionaries({
    "x": st.tuples(real, real), "mu0": real, "lam0": positive, "a0": positive, "b0": positive,
    "start": st.fixed_dictionaries({"mN": real, "sN": positive, "aN": positive, "bN": positive})})


@SETTINGS
@given(normal_gamma_draws)
def test_normal_gamma_cavi_keeps_its_promises(d):
    m = NormalGamma.from_catalogue(d["x"], d["mu0"], d["lam0"], d["a0"], d["b0"])
    run = run_cavi(m, d["start"])
    assert run.converged
    assert check_run(m, run) == []
    assert run.elbos[-1] <= m.log_evidence()


def _tau_moves(model, run):
    """E[τ] at each q(μ) update of a run differs from 1 (there λ0 + N E[τ] = (λ0 + N) E[τ])."""
    return any(abs(s["aN"] / s["bN"] - 1) > 1e-2 for s, k in zip(run.states[:-1], run.factor[1:]) if k == 0)


@SETTINGS
@given(normal_gamma_draws)
def test_a_wrong_precision_is_caught(d):
    """λN = λ0 + N E[τ] (the catalogue's xfail step): not the ELBO's maximiser in q(μ)."""
    m = NormalGamma.from_catalogue(d["x"], d["mu0"], d["lam0"], d["a0"], d["b0"],
                                   q_mu=wrong_rhs("prml_10_1_3_precision_wrong"))
    run = run_cavi(m, d["start"], sweeps=20)
    assume(_tau_moves(m, run))
    assert any(v.startswith("optimal") for v in check_run(m, run))


@SETTINGS
@given(normal_gamma_draws)
def test_a_wrong_shape_is_caught(d):
    """aN = a0 + N/2 (the catalogue's xfail step): the ELBO can still be raised in q(τ)."""
    m = NormalGamma.from_catalogue(d["x"], d["mu0"], d["lam0"], d["a0"], d["b0"],
                                   q_tau=wrong_rhs("prml_10_1_3_shape_wrong"))
    run = run_cavi(m, d["start"], sweeps=20)
    assert check_run(m, run) != []


def test_a_wrong_update_can_lower_the_elbo():
    """Started at the right q(μ) for its q(τ), the wrong precision's update lowers the ELBO."""
    right = NormalGamma.from_catalogue((0.3, 1.7), 0.0, 1.0, 2.0, 1.5)
    wrong = NormalGamma.from_catalogue((0.3, 1.7), 0.0, 1.0, 2.0, 1.5,
                                       q_mu=wrong_rhs("prml_10_1_3_precision_wrong"))
    start = right.update({"mN": 0.0, "sN": 1.0, "aN": 5.0, "bN": 1.0}, 0)
    run = run_cavi(wrong, start, sweeps=1)
    assert any(v.startswith("monotone") for v in check_run(wrong, run))
    assert check_run(right, run_cavi(right, start, sweeps=1)) == []


# ---------------------------------------------------------------------- bivariate Gaussian
bivariate_draws = st.fixed_dictionaries({
    "mu": st.tuples(real, real), "L11": positive, "L22": positive,
    "rho": st.floats(-0.95, 0.95, allow_nan=False),
    "start": st.fixed_dictionaries({"m1": real, "s1": positive, "m2": real, "s2": positive})})


def _bivariate(d, **kw):
    L12 = d["rho"] * math.sqrt(d["L11"] * d["L22"])
    return BivariateGaussian.from_catalogue(d["mu"], d["L11"], L12, d["L22"], **kw)


@SETTINGS
@given(bivariate_draws)
def test_bivariate_gaussian_cavi_keeps_its_promises(d):
    m = _bivariate(d)
    run = run_cavi(m, d["start"], sweeps=2000)
    assert run.converged
    assert check_run(m, run) == []
    end = run.states[-1]
    scale = 1 + abs(d["mu"][0]) + abs(d["mu"][1])
    assert abs(end["m1"] - d["mu"][0]) < 1e-6 * scale and abs(end["m2"] - d["mu"][1]) < 1e-6 * scale
    sigma11 = m.L22 / (m.L11 * m.L22 - m.L12 ** 2)
    assert end["s1"] ** 2 <= sigma11 * (1 + 1e-12)                 # the under-estimated variance


@SETTINGS
@given(bivariate_draws)
def test_a_wrong_sign_of_the_coupling_is_caught(d):
    """m1 = μ1 + L12 (m2 − μ2)/L11 (the catalogue's xfail step)."""
    m = _bivariate(d, q_z1=wrong_rhs("prml_10_1_2_sign_wrong"))
    run = run_cavi(m, d["start"], sweeps=5)
    moved = [s for s, k in zip(run.states[:-1], run.factor[1:])
             if abs(m.L12 * (s["m2" if k == 0 else "m1"] - d["mu"][1 if k == 0 else 0])) > 1e-2]
    assume(moved)
    assert check_run(m, run) != []
