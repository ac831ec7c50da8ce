"""The spot/ package: the SpotChecker protocol and registry, the one search driver, and the
regimes and certification of the claim spot-checker."""

import pytest
from hypothesis import strategies as st

from vi_sym.judge import prove as prove_task
from vi_sym.scheduler import Settings, check_derivations
from vi_sym.claims import is_concrete
from vi_sym.claims.structure import supports_nest
from vi_sym.loader import load_text
from vi_sym.spot import (ClaimChecker, FamilyChecker, SpotChecker, SpotResult, applicable_checkers,
                         register_checker, registered_checkers, unregister_checker)
from vi_sym.spot.claims import point_strategy, spot_claim
from vi_sym.spot.driver import Property, compare, draws, search


def step_of(text):
    (d,), errs = load_text(text, "t.vi")
    assert not errs, errs
    return d.steps[0]


ABSTRACT = step_of("derivation a\nlatent: z\nobserved: x\n    log(p(x))\n  >= ELBO(q(z), p(x,z))   by kl_nonnegative\n")
CONCRETE = step_of("derivation c\nlatent: z\nparameters: m\npositive: s\ndefine q(z) = Normal(z, m, s)\n"
                   "    H(q(z))\n  = log(2*pi*exp(1)*s^2)/2   by entropy_definition\n")


# --------------------------------------------------------------------------- a toy checker
class _Square(Property):
    """'x^2 >= x' at a float x: false on (0, 1)."""
    shrink_budget = 100

    def precise(self, x):
        return compare(">=", 1e-9, x * x, 0.0, x, 0.0)


class ToyChecker:
    name = "toy"
    always = False
    batch = None

    def applies(self, step):
        return not is_concrete(step)

    def check(self, step, samples=50, seed=0, tol=1e-6):
        out = search(_Square(), st.floats(-10, 10), samples, seed, specials=[2.0])
        cex = None if out.point is None else {"params": {"x": out.example}}
        return SpotResult(self.name, out.status, out.checked, out.total, out.max_error, cex,
                          out.summary())


def test_a_toy_checker_is_one_class_plus_one_registration():
    toy = ToyChecker()
    assert isinstance(toy, SpotChecker)
    register_checker(toy)
    try:
        assert toy in registered_checkers()
        assert [c.name for c in applicable_checkers(ABSTRACT, ["toy"])] == ["toy"]
        assert "toy" in [c.name for c in applicable_checkers(ABSTRACT, ["all"])]
        assert "toy" not in [c.name for c in applicable_checkers(CONCRETE, ["all"])]
        r = toy.check(ABSTRACT, samples=60, seed=3)
        assert r.status == "FAILED"
        x = r.counterexample["params"]["x"]
        assert 0 < x < 1                      # a genuine counterexample, shrunk by hypothesis
        assert toy.check(ABSTRACT, samples=60, seed=3) == r   # deterministic
    finally:
        unregister_checker(toy)
    assert toy not in registered_checkers()
    with pytest.raises(KeyError, match="toy"):
        applicable_checkers(ABSTRACT, ["toy"])


def test_registry_routes_claims_and_families():
    names = [c.name for c in applicable_checkers(ABSTRACT, ["all"])]
    assert "normal-normal" in names and "concrete" not in names
    assert all(isinstance(c, FamilyChecker) for c in applicable_checkers(ABSTRACT, ["all"]))
    only = applicable_checkers(CONCRETE, ["normal-normal"])
    assert len(only) == 1 and isinstance(only[0], ClaimChecker)
    assert applicable_checkers(ABSTRACT, []) == []
    assert [c.name for c in applicable_checkers(ABSTRACT, ["categorical", "normal-normal"])] == \
        ["categorical", "normal-normal"]
    with pytest.raises(KeyError):
        applicable_checkers(ABSTRACT, ["no-such-family"])


def test_family_checker_spot_checks_and_refutes_through_the_protocol():
    (nn,) = applicable_checkers(ABSTRACT, ["normal-normal"])
    assert nn.check(ABSTRACT, samples=5, seed=0).status == "SPOT-CHECKED"
    wrong = step_of("derivation w\nlatent: z\nobserved: x\n    log(p(x))\n  <= ELBO(q(z), p(x,z))   by jensen\n")
    r = nn.check(wrong, samples=5, seed=0)
    assert r.status == "FAILED" and r.counterexample["lhs"] > r.counterexample["rhs"]


def test_driver_never_refutes_an_uncertified_point():
    class Liar(Property):
        def precise(self, x):
            return compare("=", 1e-9, 0.0, 0.0, 1.0, 0.0)   # always "violated" ...

        def certify(self, x, point):
            return "mass not captured"                       # ... but never certified
    out = search(Liar(), st.floats(0, 1), 10, 0)
    assert out.status == "UNKNOWN" and out.skips["mass not captured"] == out.total


# --------------------------------------------------------------------------- issue: discrete vs continuous
@pytest.mark.parametrize("defs,rhs", [
    ("unit: t\ndefine q(z) = Bernoulli(z, t)\ndefine r(z) = Normal(z, 0, 1)\n",
     "t*log(t) + (1 - t)*log(1 - t) + log(2*pi)/2 + t/2"),
    ("positive: l b\ndefine q(z) = Poisson(z, l)\ndefine r(z) = Laplace(z, 0, b)\n",
     "l*log(l) - l + log(2*b) + l/b"),
])
def test_kl_between_discrete_and_continuous_is_never_spot_checked(defs, rhs):
    step = step_of(f"derivation k\nlatent: z\n{defs}    KL(q(z) || r(z))\n  = {rhs}   by kl_definition\n")
    assert not prove_task(step)["proved"]
    r = spot_claim(step, samples=20, seed=0)
    assert r.status != "SPOT-CHECKED", r


def test_supports_nest_under_one_base_measure():
    assert not supports_nest(("real",), ("finite", (0, 1)))
    assert not supports_nest(("real",), ("count",))
    assert not supports_nest(("count",), ("interval", 0, 1), le=lambda a, b: a <= b)
    assert supports_nest(("count",), ("finite", (0, 1)))
    assert supports_nest(("real",), ("interval", 0, 1))


# --------------------------------------------------------------------------- issue: regimes
def test_gaussian_entropy_is_not_nonnegative():
    step = step_of("derivation h\nlatent: z\nparameters: m\npositive: s\ndefine q(z) = Normal(z, m, s)\n"
                   "    H(q(z))\n  >= 0   by entropy_definition\n")
    r = spot_claim(step, samples=50, seed=0)
    assert r.status == "FAILED"
    assert r.counterexample["params"]["s"] < 0.242


def test_drawn_regimes_cover_extremes_equal_and_the_middle():
    pts = draws(point_strategy(["a", "b", "t", "m"], ["positive", "positive", "unit", "real"]),
                200, 0)
    a = [p["a"] for p in pts]
    t = [p["t"] for p in pts]
    m = [abs(p["m"]) for p in pts]
    assert min(a) <= 1e-2 and max(a) >= 1e2 and any(0.3 <= v <= 4 for v in a)
    assert min(t) <= 1e-2 and max(t) >= 0.99 and any(0.3 <= v <= 0.7 for v in t)
    assert max(m) >= 10 and any(v <= 3 for v in m)   # beyond the middle [-3, 3], whatever the draw order
    assert any(p["a"] == p["b"] for p in pts) and any(max(p["a"], p["b"]) > 1e3 * min(p["a"], p["b"]) for p in pts)


# --------------------------------------------------------------------------- issue: false alarms
REAL_SCALES = [
    "parameters: m s\ndefine q(z) = Normal(z, m, s)\n    H(q(z))\n  = log(2*pi*exp(1)*s^2)/2   by entropy_definition\n",
    "parameters: m1 m2 s1 s2\ndefine q(z) = Normal(z, m1, s1)\ndefine r(z) = Normal(z, m2, s2)\n"
    "    KL(q(z) || r(z))\n  = log(s2^2/s1^2)/2 + (s1^2 + (m1 - m2)^2)/(2*s2^2) - 1/2   by kl_definition\n",
]


@pytest.mark.parametrize("body", REAL_SCALES, ids=["entropy", "kl"])
def test_a_scale_declared_real_is_an_input_error_naming_the_header(body):
    """A Normal scale under ``parameters:`` may leave its domain: the define is refused
    (declare it under positive:), never checked at points where it is no density."""
    derivs, errs = load_text(f"derivation g\nlatent: z\n{body}", "g.vi")
    assert errs and "positive:" in str(errs[0])


@pytest.mark.parametrize("body", REAL_SCALES, ids=["entropy", "kl"])
def test_true_formulas_at_tiny_and_huge_scales_are_not_false_alarms(body):
    """The same true formulas with the scales declared positive: the draws reach 1e-3 and
    1e3, where quadrature must certify its values or skip the point -- never refute."""
    body = body.replace("parameters: m s", "parameters: m\npositive: s").replace(
        "parameters: m1 m2 s1 s2", "parameters: m1 m2\npositive: s1 s2")
    (d,), errs = load_text(f"derivation g\nlatent: z\n{body}", "g.vi")
    assert not errs
    rep = check_derivations([d], Settings(families=("all",), samples=50, seed=0, timeout=60))
    (res,) = rep.results
    assert res.status.value != "FAILED", res.reason
    assert "INCONSISTENT" not in res.reason
    assert all(f["status"] != "FAILED" for f in res.families), res.families


# --------------------------------------------------------------------------- issue: KL >= 0 claims
KL_HEADER = ("derivation k\nlatent: z\nparameters: m1 m2\npositive: s1 s2\n"
             "define q(z) = Normal(z, m1, s1)\ndefine r(z) = Normal(z, m2, s2)\n")


def test_kl_nonnegative_between_defined_densities_is_proved():
    res = prove_task(step_of(KL_HEADER + "    KL(q(z) || r(z))\n  >= 0   by kl_nonnegative\n"))
    assert res["proved"] and any(t[1] == "kl_nonnegative" for t in res["trace"])
    res = prove_task(step_of(KL_HEADER + "    0\n  <= KL(r(z) || q(z))   by kl_nonnegative\n"))
    assert res["proved"]


@pytest.mark.parametrize("stmt", [
    "    KL(q(z) || r(z))\n  >= 1   by kl_nonnegative\n",
    "    KL(q(z) || r(z))\n  <= 0   by kl_nonnegative\n",
    "    0\n  >= KL(q(z) || r(z))   by kl_nonnegative\n",
    "    KL(q(z) || r(z)) - KL(r(z) || q(z))\n  >= 0   by kl_nonnegative\n",
    "    H(q(z))\n  >= 0   by kl_nonnegative\n",
])
def test_false_kl_inequalities_are_never_proved(stmt):
    assert not prove_task(step_of(KL_HEADER + stmt))["proved"]


def test_kl_nonnegative_needs_a_common_base_measure():
    step = step_of("derivation k\nlatent: z\nunit: t\ndefine q(z) = Bernoulli(z, t)\n"
                   "define r(z) = Normal(z, 0, 1)\n    KL(q(z) || r(z))\n  >= 0   by kl_nonnegative\n")
    assert not prove_task(step)["proved"]


# --------------------------------------------------------------------------- screening
def test_a_failed_search_leaves_its_point_and_a_screen_evaluates_only_such_points():
    from vi_sym.spot import driver
    driver.forget_failure()
    out = search(_Square(), st.floats(-10, 10), 20, 0, specials=[2.0, 0.75], draw_key=("toy",))
    assert out.status == "FAILED"
    assert driver.last_failure() == (("toy",), 0.75) and out.example == 0.75

    class Counting(_Square):
        seen: list = []

        def precise(self, x):
            self.seen.append(x)
            return super().precise(x)
    prop = Counting()
    with driver.screening([(("toy",), 0.5), (("other",), 0.25)]):
        hit = search(prop, st.floats(-10, 10), 20, 0, specials=[2.0], draw_key=("toy",))
        miss = search(prop, st.floats(-10, 10), 20, 0, draw_key=("elsewhere",))
    # only the point drawn from its own strategy: no special point, no draw
    assert hit.status == "FAILED" and hit.example == 0.5 and prop.seen == [0.5]
    assert miss.status == "UNKNOWN" and miss.total == 0
    with driver.screening([(("toy",), 3.0)]):       # x^2 >= x holds at 3: nothing to discard
        assert search(prop, st.floats(-10, 10), 20, 0, draw_key=("toy",)).status == "UNKNOWN"
    # outside the block, a search is a search again (its special points first)
    prop.seen.clear()
    assert search(prop, st.floats(-10, 10), 20, 0, specials=[2.0, 0.75], draw_key=("toy",)).status == "FAILED"
    assert prop.seen[:2] == [2.0, 0.75]


def test_the_judge_hands_on_where_a_family_refuted_the_step():
    from vi_sym.judge import screens_of, spot as judge_spot
    from vi_sym.core import Outcome
    wrong = step_of("derivation w\nlatent: z\nobserved: x\n    log(p(x))\n  <= ELBO(q(z), p(x,z))   by jensen\n")
    (nn,) = applicable_checkers(wrong, ["normal-normal"])
    settings = Settings(families=("normal-normal",), samples=5)
    r = judge_spot(wrong, nn, settings)
    assert r.status == "FAILED"
    (screen,) = screens_of([Outcome(True, r), Outcome(True, judge_spot(ABSTRACT, nn, settings))])
    assert screen[0][:2] == ("family", "normal-normal")
    params, _ = screen[1]
    shown = r.counterexample["params"]
    assert all(shown[k] == v for k, v in params.items() if not k.startswith("_") and isinstance(v, float))
