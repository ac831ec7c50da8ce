"""The hypothesis-driven spot-checker: correct steps pass, mutants fail with counterexamples."""
from fractions import Fraction

import pytest
import sympy
from sympy import Integral, log

from vi_sym.families import get_family
from vi_sym.numeric import evaluate
from vi_sym.spotcheck import SpotResult, spot_check
from vi_sym.vocabulary import ELBO, KL, Density, Expectation

x, z, w = sympy.symbols("x z w")
q = Density("q", [z])
lik = Density("p", [x], [z])
prior = Density("p", [z])
joint = Density("p", [x, z])
evid = Density("p", [x])
post = Density("p", [z], [x])

NAMES = ["normal-normal", "beta-bernoulli", "gamma-poisson", "categorical", "logistic-normal"]

CORRECT = {
    "evidence identity": (log(evid), "=", ELBO(q, joint) + KL(q, post)),
    "ELBO = E log lik - KL(q||prior)": (ELBO(q, joint), "=", Expectation(q, log(lik)) - KL(q, prior)),
    "ELBO = E log joint + entropy": (ELBO(q, joint), "=",
                                     Expectation(q, log(joint)) - Expectation(q, log(q))),
    "evidence lower bound": (log(evid), ">=", ELBO(q, joint)),
    "Jensen": (log(Expectation(q, joint / q)), ">=", Expectation(q, log(joint / q))),
    "KL >= 0": (KL(q, post), ">=", 0),
    "log of product inside E": (Expectation(q, log(lik * prior)), "=",
                                Expectation(q, log(lik)) + Expectation(q, log(prior))),
    "Bayes, pointwise in z": (log(post), "=", log(joint) - log(evid)),
}

MUTANTS = {
    "wrong conditioning": (log(evid), "=", ELBO(q, joint) + KL(q, prior)),
    "swapped KL": (KL(q, post), "=", KL(post, q)),
    "Jensen reversed": (log(Expectation(q, joint / q)), "<=", Expectation(q, log(joint / q))),
    "log of a sum": (Expectation(q, log(lik + prior)), "=",
                     Expectation(q, log(lik) + log(prior))),
    "sign flip": (ELBO(q, joint), "=", Expectation(q, log(joint)) + Expectation(q, log(q))),
    "KL <= 0": (KL(q, post), "<=", 0),
    "Bayes without the prior": (log(post), "=", log(lik) - log(evid)),
}


def _params_back(fam, p):
    """A reported counterexample's params as family params again."""
    p = dict(p)
    zval = p.pop("z", None)
    return p, zval


def _assert_genuine(res, lhs, rel, rhs, fam_name, tol=1e-6):
    """Re-evaluate the reported counterexample independently: it must violate the step."""
    cex = res.counterexample
    assert cex is not None and set(cex) >= {"params", "lhs", "rhs", "difference"}
    params, zval = _params_back(get_family(fam_name), cex["params"])
    b = {"z": zval} if zval is not None else None
    L = evaluate(lhs, fam_name, params, binding=b)
    R = evaluate(rhs, fam_name, params, binding=b)
    assert float(L.value) == pytest.approx(cex["lhs"], rel=1e-9, abs=1e-12)
    assert float(R.value) == pytest.approx(cex["rhs"], rel=1e-9, abs=1e-12)
    d = L.value - R.value
    slack = {"=": abs(d), ">=": -d, "<=": d}[rel]
    assert slack > tol * (1 + abs(L.value) + abs(R.value)) + L.error + R.error


# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("step", list(CORRECT))
def test_correct_steps_are_spot_checked(name, step):
    lhs, rel, rhs = CORRECT[step]
    res = spot_check(lhs, rel, rhs, name, samples=4, seed=1, special_points=False)
    assert isinstance(res, SpotResult)
    assert res.status == "SPOT-CHECKED", res
    assert res.counterexample is None
    assert res.n_checked == res.n_total == 4
    assert res.max_error < 1e-6
    assert res.family == name and "evaluated" in res.reason


@pytest.mark.parametrize("name", NAMES)
def test_correct_steps_hold_at_the_special_points(name):
    n_special = len(get_family(name).special_points())
    assert n_special >= 5
    for step in ("evidence identity", "Jensen", "Bayes, pointwise in z"):
        lhs, rel, rhs = CORRECT[step]
        res = spot_check(lhs, rel, rhs, name, samples=1, seed=2)
        assert res.status == "SPOT-CHECKED", (step, res)
        assert res.n_checked == res.n_total == n_special + 1
        assert f"({n_special} special, 1 random)" in res.reason


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("seed", [0, 12345])
def test_correct_steps_never_fail_across_seeds(name, seed):
    for step in ("evidence identity", "Jensen"):
        lhs, rel, rhs = CORRECT[step]
        res = spot_check(lhs, rel, rhs, name, samples=4, seed=seed, special_points=False)
        assert res.status == "SPOT-CHECKED", (step, res)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("mutant", list(MUTANTS))
def test_mutants_fail_with_a_genuine_counterexample(name, mutant):
    lhs, rel, rhs = MUTANTS[mutant]
    res = spot_check(lhs, rel, rhs, name, samples=20, seed=0)
    assert res.status == "FAILED", res
    _assert_genuine(res, lhs, rel, rhs, name)
    assert res.max_error > 0


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("mutant", ["wrong conditioning", "Jensen reversed", "Bayes without the prior"])
def test_random_search_finds_and_shrinks_counterexamples(name, mutant):
    lhs, rel, rhs = MUTANTS[mutant]
    res = spot_check(lhs, rel, rhs, name, samples=20, seed=3, special_points=False)
    assert res.status == "FAILED", res
    assert res.counterexample["found_by"] == "hypothesis (shrunk)"
    _assert_genuine(res, lhs, rel, rhs, name)


def test_shrinking_gives_a_simple_counterexample():
    lhs, rel, rhs = MUTANTS["swapped KL"]
    res = spot_check(lhs, rel, rhs, "normal-normal", samples=30, seed=5, special_points=False)
    p = res.counterexample["params"]
    assert len(p["x"]) == 1  # hypothesis shrinks the data set to a single observation
    assert all(float(v) == round(float(v), 1) for k, v in p.items() if k != "x")


def test_special_point_counterexample_is_labelled():
    lhs, rel, rhs = MUTANTS["wrong conditioning"]
    res = spot_check(lhs, rel, rhs, "gamma-poisson", samples=5)
    assert res.status == "FAILED"
    assert res.counterexample["found_by"] == "special point"
    assert res.counterexample["label"] == "q = prior"
    assert "q = prior" in res.reason


def test_swapped_kl_is_true_at_the_posterior_but_caught_elsewhere():
    # KL(q||p(z|x)) = KL(p(z|x)||q) = 0 when q is the posterior: a special value
    fam = get_family("beta-bernoulli")
    pe = [p for p in fam.special_points() if p["_label"] == "q = exact posterior"][0]
    lhs, rel, rhs = MUTANTS["swapped KL"]
    assert abs(evaluate(lhs - rhs, fam, pe).value) < 1e-9
    assert spot_check(lhs, rel, rhs, fam, samples=10).status == "FAILED"


def test_deterministic():
    for (lhs, rel, rhs), kw in [(CORRECT["evidence identity"], {}),
                                (MUTANTS["log of a sum"], {"special_points": False}),
                                (MUTANTS["Bayes without the prior"], {"special_points": False})]:
        for name in ("normal-normal", "categorical"):
            a = spot_check(lhs, rel, rhs, name, samples=5, seed=11, **kw)
            b = spot_check(lhs, rel, rhs, name, samples=5, seed=11, **kw)
            assert a == b


def test_different_seeds_draw_different_points():
    lhs, rel, rhs = MUTANTS["swapped KL"]
    a = spot_check(lhs, rel, rhs, "categorical", samples=10, seed=1, special_points=False)
    b = spot_check(lhs, rel, rhs, "categorical", samples=10, seed=2, special_points=False)
    assert a.status == b.status == "FAILED"


def test_tolerance():
    lhs, rel, rhs = CORRECT["evidence identity"]
    off = lhs + sympy.Float("1e-7")
    for name in ("categorical", "normal-normal"):
        assert spot_check(off, "=", rhs, name, samples=4, tol=1e-6).status == "SPOT-CHECKED"
        res = spot_check(off, "=", rhs, name, samples=4, tol=1e-10)
        assert res.status == "FAILED"
        assert res.counterexample["difference"] == pytest.approx(1e-7, rel=1e-3)


def test_inequality_slack():
    # ELBO <= log p(x) holds with slack (tight only at q = posterior); the reverse fails
    res = spot_check(ELBO(q, joint), "<=", log(evid), "categorical", samples=10)
    assert res.status == "SPOT-CHECKED" and res.max_error < 1e-15  # rounding at q = posterior
    res = spot_check(ELBO(q, joint), ">=", log(evid), "categorical", samples=10)
    assert res.status == "FAILED" and res.counterexample["difference"] < 0
    res = spot_check(ELBO(q, joint), "≥", log(evid) - 1000, "categorical", samples=3)
    assert res.status == "SPOT-CHECKED"


def test_not_applicable_for_undefined_densities():
    other = Density("p", [z], [w])
    res = spot_check(KL(q, other), ">=", 0, "normal-normal")
    assert res.status == "NOT-APPLICABLE" and res.n_total == 0
    assert "p(z|w)" in res.reason
    res = spot_check(Expectation(q, log(Density("p", [x], [w]))), "=", 0, "categorical")
    assert res.status == "NOT-APPLICABLE"


def test_unknown_when_nothing_evaluates():
    f = sympy.Function("f")
    res = spot_check(Expectation(q, f(z)), "=", 0, "normal-normal", samples=3)
    assert res.status == "UNKNOWN" and "f" in res.reason
    res = spot_check(w * log(evid), "=", 0, "normal-normal", samples=3)
    assert res.status == "UNKNOWN" and "w" in res.reason
    # an improper integral (never decays) is not evaluable anywhere: UNKNOWN, not FAILED
    res = spot_check(Integral(log(q), z), "=", Integral(log(q), z) + 1, "normal-normal", samples=3)
    assert res.status == "UNKNOWN" and res.n_checked == 0 and res.n_total > 0
    assert "diverge" in res.reason


def test_nan_points_are_skipped_not_counterexamples():
    # log(p(x|z) - p(z)) is the log of a negative number wherever p(z) > p(x|z)
    lhs = Expectation(q, log(lik - prior))
    res = spot_check(lhs, "=", lhs, "categorical", samples=20)
    assert res.status in ("SPOT-CHECKED", "UNKNOWN")
    assert res.counterexample is None
    assert res.n_checked < res.n_total


def test_bad_relation():
    with pytest.raises(ValueError):
        spot_check(log(evid), "<", 0, "categorical")


def test_accepts_family_objects_and_fraction_params_in_report():
    lhs, rel, rhs = MUTANTS["swapped KL"]
    res = spot_check(lhs, rel, rhs, get_family("categorical"), samples=5, special_points=False)
    assert res.status == "FAILED"
    for v in res.counterexample["params"]["q"]:
        Fraction(v)  # exact rationals, reported as 'a/b' strings
