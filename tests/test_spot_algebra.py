"""The `algebra` spot-checker (vi_sym.spot.algebra): steps over declared parameters alone,
compared at drawn points; `+ const(t)` steps compared at t and at a second value t′."""

import pytest

from vi_sym.loader import load_paths, load_text
from vi_sym.scheduler import Settings, check_derivations
from vi_sym.spot import applicable_checkers
from vi_sym.spot.algebra import is_algebraic, spot_algebra

HEADER = "derivation d\nlatent: τ\nparameters: x μ m\npositive: a b\nunit: f\n\n"


def step_of(lhs, rel, rhs, header=HEADER):
    (d,), errs = load_text(f"{header}    {lhs}\n  {rel} {rhs}   by linearity\n", "t.vi")
    assert not errs, errs
    return d.steps[0]


def test_applies_only_to_steps_over_declared_parameters():
    assert is_algebraic(step_of("a*(x - μ)^2", "=", "a*x^2 - 2*a*x*μ + a*μ^2"))
    assert not is_algebraic(step_of("log(p(x|τ))", "=", "log(p(x|τ))"))           # a density
    assert not is_algebraic(step_of("a*τ", "=", "τ*a"))                            # the latent
    assert not is_algebraic(step_of("a*y", "=", "y*a",
                                    header="derivation d\nlatent: τ\npositive: a\nobserved: y\n\n"))
    assert not is_algebraic(step_of("2", "=", "2"))                                # no symbol
    assert "algebra" in [c.name for c in applicable_checkers(step_of("a", "=", "a"), ["all"])]


def test_a_true_identity_is_spot_checked():
    r = spot_algebra(step_of("a*(x - μ)^2/(a + b)", "=", "(a*x^2 - 2*a*x*μ + a*μ^2)/(a + b)"))
    assert r.status == "SPOT-CHECKED" and r.n_checked > 40, r


def test_a_false_identity_is_failed_with_a_counterexample():
    r = spot_algebra(step_of("(x - μ)^2", "=", "x^2 - μ^2"))
    assert r.status == "FAILED"
    c = r.counterexample
    assert abs(c["lhs"] - c["rhs"]) > c["threshold"]
    x, mu = c["params"]["x"], c["params"]["μ"]
    assert abs(((x - mu) ** 2 - (x * x - mu * mu)) - (c["lhs"] - c["rhs"])) < 1e-9 * (1 + abs(c["lhs"]))


def test_const_step_compares_the_difference_at_two_values_of_its_target():
    ok = spot_algebra(step_of("-a*(μ - m)^2/2 + const(μ)", "=", "-a*μ^2/2 + a*m*μ + const(μ)"))
    assert ok.status == "SPOT-CHECKED", ok
    bad = spot_algebra(step_of("-a*(μ - m)^2/2 + const(μ)", "=", "-a*μ^2/2 + const(μ)"))
    assert bad.status == "FAILED"
    c = bad.counterexample
    assert "μ′" in c["params"] and c["params"]["μ′"] != c["params"]["μ"]
    # said as what it is: lhs − rhs at μ and at μ′, a dependence on μ
    mu, mu2 = c["params"]["μ"], c["params"]["μ′"]
    assert c["meaning"] == (f"lhs − rhs is {c['lhs']:.6g} at μ = {mu:.6g} but {c['rhs']:.6g} at μ = {mu2:.6g}: "
                            "the difference depends on μ, so it is not a const(μ)")
    assert "left side" not in bad.reason and c["meaning"] in bad.reason
    # the two sides are D = lhs − rhs = a m μ − a m²/2 at μ and at μ′
    a, m, mu, mu2 = (c["params"][k] for k in ("a", "m", "μ", "μ′"))
    assert abs(c["lhs"] - (a * m * mu - a * m * m / 2)) < 1e-9 * (1 + abs(c["lhs"]))
    assert abs((c["lhs"] - c["rhs"]) - a * m * (mu - mu2)) < 1e-9 * (1 + abs(c["lhs"]))


def test_a_const_free_of_its_target_only_through_a_coincidence_is_caught():
    """(x − μ)² − (m − μ)² is free of μ only where x = m: drawn points separate them."""
    r = spot_algebra(step_of("(x - μ)^2 + const(μ)", "=", "(m - μ)^2 + const(μ)"))
    assert r.status == "FAILED"


def test_inequality_over_parameters():
    assert spot_algebra(step_of("a + x^2/b", ">=", "a")).status == "SPOT-CHECKED"
    assert spot_algebra(step_of("a", ">=", "a + x^2/b")).status == "FAILED"
    assert spot_algebra(step_of("f", "<=", "1")).status == "SPOT-CHECKED"


def test_deterministic():
    st = step_of("(x - μ)^3", "=", "x^3 - μ^3")
    assert spot_algebra(st, seed=3) == spot_algebra(st, seed=3)


def test_the_catalogues_wrong_algebra_is_failed_not_unknown():
    """Every xfail step of the model-specific catalogue is FAILED (a counterexample), and every
    other step is PROVED."""
    derivs, errors = load_paths(["derivations/prml_10_1_2.vi", "derivations/prml_10_1_3.vi",
                                 "derivations/blei_gmm.vi"])
    assert not errors
    report = check_derivations(derivs, Settings(families=("all",), samples=10, fixes=False, jobs=1))
    for r in report.results:
        if r.expect == "fails":
            assert r.status == "FAILED", (r.step_id, r.status, r.reason)
        else:
            assert r.status == "PROVED", (r.step_id, r.status, r.reason)


def test_steps_with_the_same_domains_share_one_set_of_draws_read_under_their_own_names():
    """The draws depend on the parameters' domains alone: two steps whose parameters differ in
    name but not in domain draw once, and each reads the draws in its own names."""
    from vi_sym.spot import driver
    driver._DRAWS.clear()
    one = spot_algebra(step_of("(x - μ)^2", "=", "x^2 - 2*x*μ + μ^2"), seed=11)
    made = len(driver._DRAWS)
    other = spot_algebra(step_of("(m - x)^2", "=", "m^2 - 2*m*x + x^2"), seed=11)
    assert one.status == other.status == "SPOT-CHECKED"
    assert len(driver._DRAWS) == made == 1
    # a wrong step over those names: its counterexample is reported in them
    bad = spot_algebra(step_of("(m - x)^2", "=", "m^2 - x^2"), seed=11)
    assert bad.status == "FAILED" and set(bad.counterexample["params"]) == {"m", "x"}
    assert len(driver._DRAWS) == 1


REAL = "derivation d\nlatent: τ\nparameters: m a b\npositive: s c\n\n"


def test_a_side_undefined_over_part_of_the_declared_domain_is_failed():
    """log(m²) = 2·log(m) with m declared real: at m < 0 the right side is not a real number
    (the learner's dropped |m|); points where one side is real and the other certainly not are
    counterexamples, not skipped (which left the step SPOT-CHECKED on m > 0 alone)."""
    for lhs, rhs, culprit in (("log(m^2)", "2*log(m)", "log m"), ("log(a*b)", "log(a) + log(b)", None),
                              ("sqrt(a*b)", "sqrt(a)*sqrt(b)", None), ("log(m^2)/2", "log(m)", "log m")):
        r = spot_algebra(step_of(lhs, "=", rhs, header=REAL))
        assert r.status == "FAILED", (lhs, r)
        c = r.counterexample
        assert "the right side is not a real number here" in c["meaning"], c
        assert "declare" in c["meaning"] and "under positive:" in c["meaning"]
        assert c["sides"][0] == "lhs" and c["sides"][1].startswith("Im ")
        assert all(isinstance(c[k], float) and c[k] == c[k] and abs(c[k]) != float("inf")
                   for k in ("lhs", "rhs", "difference"))
        if culprit:
            assert f"{culprit} is " in c["meaning"] and c["params"]["m"] < 0
    r = spot_algebra(step_of("2*log(s)", "=", "log(s^2)", header=REAL))     # the left side this time
    assert r.status == "SPOT-CHECKED", r


def test_steps_real_wherever_one_side_is_are_not_refuted_by_complex_arithmetic():
    for lhs, rhs in (("log(m^2)", "2*log(abs(m))"),          # real on the whole domain
                     ("log(s^2)", "2*log(s)"),                # s positive
                     ("log(m) + log(m)", "2*log(m)"),         # neither side real at m < 0: skipped
                     ("sqrt((m + 1)^2 - m^2 - 2*m - 1)", "0")):   # rounding below 0, never "not real"
        r = spot_algebra(step_of(lhs, "=", rhs, header=REAL))
        assert r.status == "SPOT-CHECKED", (lhs, r)
