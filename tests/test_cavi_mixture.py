"""CAVI for the Gaussian mixture of Blei et al. §3 (vi_sym.cavi.GaussianMixture): the updates
read from blei_gmm.vi's conclusions, run on data drawn by hypothesis, keep the promises of
coordinate ascent; the ELBO (from its definition) and log p(x) agree with quadrature; and a
wrong update -- the catalogue's xfail steps, or any mutant of a conclusion -- is caught."""

import math
from functools import lru_cache
from itertools import product

import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, assume, given, settings, strategies as st
from scipy.stats import norm

from vi_sym.cavi import (GaussianMixture, ReadOffError, bernoulli_read_off, check_run,
                         conclusion_of, gaussian_read_off, run_cavi)
from vi_sym.loader import load_paths
from vi_sym.mutations import CLAIM_OPERATORS, MUTATION_OPERATORS, edits
from vi_sym.vocabulary import Const

SETTINGS = settings(max_examples=25, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])
real = st.floats(-4, 4, allow_nan=False, allow_infinity=False)
positive = st.floats(-1, 1, allow_nan=False).map(lambda u: 10.0 ** u)
unit = st.floats(0.02, 0.98, allow_nan=False)
draws = st.fixed_dictionaries({
    "x": st.tuples(real, real), "sigma": positive,
    "start": st.fixed_dictionaries({"phi1": unit, "phi2": unit, "m1": real, "s1": positive,
                                    "m2": real, "s2": positive})})


@lru_cache(maxsize=None)
def wrong_rhs(name):
    """The right side of the xfail step of blei_gmm.vi's derivation ``name``."""
    derivs, errors = load_paths(["derivations/blei_gmm.vi"])
    assert not errors
    (d,) = [d for d in derivs if d.name == name]
    return d.steps[0].rhs


def sym(expr, name):
    (s,) = [s for s in expr.free_symbols if s.name == name]
    return s


# ------------------------------------------------------------------- reading off the updates
def test_the_updates_are_blei_26_to_35():
    rhs = conclusion_of("blei_gmm_assignment").rhs
    x, m1, m2, s1, s2 = (sym(rhs, n) for n in ("x", "m1", "m2", "s1", "s2"))
    logit = bernoulli_read_off(rhs, sym(rhs, "c"))
    want = (m1 * x - (m1 ** 2 + s1 ** 2) / 2) - (m2 * x - (m2 ** 2 + s2 ** 2) / 2)
    assert sympy.simplify(logit - want) == 0
    rhs = conclusion_of("blei_gmm_component").rhs
    lam, m = gaussian_read_off(rhs, sym(rhs, "μ1"))
    sigma, f1, f2, x1, x2 = (sym(rhs, n) for n in ("σ", "φ1", "φ2", "x1", "x2"))
    assert sympy.simplify(lam - (1 / sigma ** 2 + f1 + f2)) == 0
    assert sympy.simplify(m - (f1 * x1 + f2 * x2) / (1 / sigma ** 2 + f1 + f2)) == 0


def test_bernoulli_read_off_refuses_what_is_not_an_up_to_statement():
    c = sympy.Symbol("c")
    with pytest.raises(ReadOffError):
        bernoulli_read_off(3 * c, c)                              # no const(c)
    with pytest.raises(ReadOffError):
        bernoulli_read_off(sympy.log(c) + Const(c), c)            # log 0: no finite log-odds
    assert bernoulli_read_off(2 * c ** 2 + 5 + Const(c), c) == 2  # on {0, 1}, c² = c


# ------------------------------------------------------------ the ELBO and the evidence
def _log_joint(x, sigma, c, mu1, mu2):
    return (norm.logpdf(mu1, 0, sigma) + norm.logpdf(mu2, 0, sigma)
            + sum(math.log(0.5) + norm.logpdf(xi, mu1 if ci else mu2, 1) for xi, ci in zip(x, c)))


def _box(n=240, half=14.0):
    """A tensor Gauss–Legendre rule on [−half, half]² (the Gaussians' mass is well inside)."""
    t, w = np.polynomial.legendre.leggauss(n)
    t, w = half * t, half * w
    return t[:, None], t[None, :], w[:, None] * w[None, :]


def test_elbo_and_evidence_against_quadrature():
    """The closed forms the runs are checked against, against a quadrature of the model's
    densities (scipy's) on a large box."""
    x, sigma = (-0.7, 1.9), 1.6
    m = GaussianMixture.from_catalogue(x, sigma)
    a, b, w = _box()
    ev = sum(np.sum(w * np.exp(_log_joint(x, sigma, c, a, b))) for c in product((1, 0), repeat=2))
    assert abs(math.log(ev) - m.log_evidence()) < 1e-9
    s = {"phi1": 0.3, "phi2": 0.8, "m1": 0.4, "s1": 0.7, "m2": -1.1, "s2": 1.3}
    lq = norm.logpdf(a, s["m1"], s["s1"]) + norm.logpdf(b, s["m2"], s["s2"])
    total = 0.0
    for c in product((1, 0), repeat=2):
        qc = math.prod(p if ci else 1 - p for p, ci in zip((s["phi1"], s["phi2"]), c))
        total += qc * np.sum(w * np.exp(lq) * (_log_joint(x, sigma, c, a, b) - lq - math.log(qc)))
    assert abs(total - m.elbo(s)) < 1e-9
    assert m.elbo(s) < m.log_evidence()
    assert m.elbo({**s, "phi1": 1.2}) == -math.inf and m.elbo({**s, "s2": 0.0}) == -math.inf


# ------------------------------------------------------------------------------- the runs
@SETTINGS
@given(draws)
def test_mixture_cavi_keeps_its_promises(d):
    """Monotone, below log p(x), each update the ELBO's maximiser in its factor (and, when the
    run converged, each factor its own update).  Near the symmetric saddle (both components
    at one place) CAVI creeps: a run is cut at 60 sweeps, every update checked."""
    m = GaussianMixture.from_catalogue(d["x"], d["sigma"])
    run = run_cavi(m, d["start"], sweeps=60)
    assert check_run(m, run) == []
    assert max(run.elbos) <= m.log_evidence()


CONFIGS = [((-1.2, 2.1), 1.5, {"phi1": 0.4, "phi2": 0.6, "m1": 0.5, "s1": 0.8, "m2": -0.3, "s2": 1.2}),
           ((0.3, 0.9), 0.7, {"phi1": 0.7, "phi2": 0.2, "m1": -0.4, "s1": 0.5, "m2": 0.6, "s2": 0.9}),
           ((-2.5, 3.0), 3.0, {"phi1": 0.5, "phi2": 0.5, "m1": 1.0, "s1": 1.0, "m2": 0.0, "s2": 1.0})]


@pytest.mark.parametrize("x, sigma, start", CONFIGS)
def test_mixture_cavi_reaches_a_fixed_point(x, sigma, start):
    m = GaussianMixture.from_catalogue(x, sigma)
    run = run_cavi(m, start, sweeps=2000)
    assert run.converged and check_run(m, run) == []
    end = run.states[-1]
    moved = {**end, "m1": end["m1"] + 0.01}               # not a fixed point any more
    bad = run_cavi(m, end, sweeps=1)
    bad.states[-1], bad.converged = moved, True
    assert any(v.startswith("fixed point") for v in check_run(m, bad))


@SETTINGS
@given(draws)
def test_the_catalogue_wrong_assignment_is_caught(d):
    """φ_ik ∝ exp{E[μ_k] x_i + E[μ_k²]/2} (blei_gmm_assignment_sign_wrong)."""
    m = GaussianMixture.from_catalogue(d["x"], d["sigma"], q_c=wrong_rhs("blei_gmm_assignment_sign_wrong"))
    run = run_cavi(m, d["start"], sweeps=20)
    assume(_differs(GaussianMixture.from_catalogue(d["x"], d["sigma"]), run))
    assert check_run(m, run) != []


@pytest.mark.parametrize("name", ["blei_gmm_component_prior_dropped_wrong", "blei_gmm_component_mean_wrong"])
@SETTINGS
@given(d=draws)
def test_the_catalogue_wrong_components_are_caught(name, d):
    m = GaussianMixture.from_catalogue(d["x"], d["sigma"], q_mu=wrong_rhs(name))
    run = run_cavi(m, d["start"], sweeps=20)
    assume(_differs(GaussianMixture.from_catalogue(d["x"], d["sigma"]), run))
    out = check_run(m, run)
    assert any(v.startswith(("optimal", "monotone", "invalid")) for v in out), out


def _differs(right, run) -> bool:
    """Some update of ``run`` (a wrong model's) differs by more than 1e-4 from the right
    model's update of the same factor at the same state, or gave no valid factor."""
    if run.error:
        return True
    for before, k, after in zip(run.states, run.factor[1:], run.states[1:]):
        a = right.update(before, k)
        if any(abs(a[n] - after[n]) > 1e-4 * (1 + abs(a[n])) for n in right.factors[k]):
            return True
    return False


@pytest.mark.parametrize("which", ["blei_gmm_assignment", "blei_gmm_component"])
def test_every_mutant_of_a_conclusion_that_changes_the_update_is_caught(which):
    """The mutation operators of the checker, applied to a conclusion: every mutant that can
    be read off and changes an update somewhere along the runs is caught by check_run."""
    step = conclusion_of(which)
    ops = tuple(dict.fromkeys(MUTATION_OPERATORS + CLAIM_OPERATORS))
    read, caught = 0, 0
    for _, desc, mutant in edits(step.rhs, step.context, ops):
        kw = {"q_c": mutant} if which == "blei_gmm_assignment" else {"q_mu": mutant}
        for x, sigma, start in CONFIGS[:2]:
            right = GaussianMixture.from_catalogue(x, sigma)
            try:
                wrong = GaussianMixture.from_catalogue(x, sigma, **kw)
            except (ReadOffError, TypeError, ValueError, sympy.PolynomialError):
                break                              # not an update: nothing to run
            read += 1
            run = run_cavi(wrong, start, sweeps=30)
            if not _differs(right, run):
                continue                           # the same algorithm
            assert check_run(wrong, run) != [], (desc, mutant, x, sigma)
            caught += 1
    assert read >= 10 and caught >= 10, (read, caught)
