"""argmax/argmin statements: a wrong one is FAILED only through a member of one side's set that
the prover certifies (numbers never make a set member), and a counterexample on the other side."""
from pathlib import Path

import pytest

from vi_sym.core import Status
from vi_sym.judge import judge
from vi_sym.loader import load_text
from vi_sym.settings import Settings
from vi_sym.spot import applicable_checkers
from vi_sym.spot.optimum import NAME, OptimumChecker, candidates, certified_optima

ROOT = Path(__file__).resolve().parent.parent
Q = "derivation d\nlatent: z\nobserved: x\n\n    {lhs}\n  = {rhs}\n"
THETA = "derivation d\nlatent: z\nobserved: x\nparameters: θ θ0\n\n    {lhs}\n  = {rhs}\n"
SETTINGS = Settings(families=("all",), samples=10, seed=0, fixes=False)


def _step(text, **kw):
    ds, errors = load_text(text.format(**kw), "t.vi")
    assert not errors, errors
    return ds[0].steps[0]


def _catalogue():
    ds, errors = load_text((ROOT / "derivations" / "optimisation.vi").read_text(), "optimisation.vi")
    assert not errors
    return {d.name: d for d in ds}


def test_the_catalogue_wrong_argmin_is_failed_with_a_certified_member():
    wrong = _catalogue()["argmax_wrong"].steps[0]
    r = judge(wrong, SETTINGS)
    assert r.status is Status.FAILED
    entry = next(f for f in r.families if f["family"] == NAME)
    cex = entry["counterexample"]
    assert cex["optimum"] == "p(z|x)"
    assert cex["rhs"] - cex["lhs"] > cex["threshold"] + cex["lhs_error"] + cex["rhs_error"]
    assert "minimises KL(q(z) ‖ p(z|x))" in r.explanation and "the two sets differ" in r.explanation
    # the family line says what its two numbers are: the other side's objective as drawn and at
    # the certified optimum -- not "lhs=" and "rhs=" of the statement, which are sets
    from vi_sym.report.terminal import _family_line
    line = _family_line(entry)
    assert cex["sides"][1].endswith("at q = p(z|x)") and cex["sides"][1] in line
    assert " lhs=" not in line and " rhs=" not in line


def test_the_certificate_is_a_proof():
    wrong = _catalogue()["argmax_wrong"].steps[0]
    assert [str(v) for v, _ in certified_optima(wrong, wrong.lhs)] == ["p(z|x)"]
    assert certified_optima(wrong, wrong.rhs) == []       # p(z|x) does not minimise the ELBO
    assert "p(z)" in [str(v) for v in candidates(wrong, wrong.lhs)]   # a candidate, not certified


@pytest.mark.parametrize("seed", [0, 1])
def test_correct_statements_are_never_refuted(seed):
    d = _catalogue()
    for s in list(d["argmin_kl_is_argmax_elbo"].steps):
        r = OptimumChecker().check(s, samples=8, seed=seed)
        assert r.status == "SPOT-CHECKED", (s.id, r.reason)


WRONG = {
    "argmax of the KL": (Q, "argmax_q KL(q(z) || p(z|x))", "argmax_q ELBO(q(z), p(x,z))"),
    "the prior for the posterior": (Q, "argmin_q KL(q(z) || p(z))", "argmax_q ELBO(q(z), p(x,z))"),
    "the reversed KL maximised": (Q, "argmax_q ELBO(q(z), p(x,z))", "argmax_q KL(p(z|x) || q(z))"),
    "θ: the evidence minimised": (THETA, "argmin_θ KL(p(z|x,θ0) || p(z|x,θ))", "argmin_θ log(p(x|θ))"),
}


@pytest.mark.parametrize("what", sorted(WRONG))
def test_wrong_statements_are_failed(what):
    text, lhs, rhs = WRONG[what]
    r = judge(_step(text, lhs=lhs, rhs=rhs), SETTINGS)
    assert r.status is Status.FAILED, (what, r.reason)
    assert "the two sets differ" in r.explanation


def test_em_argmax_argmin_swap_stays_unknown_with_the_reason():
    """No rule names a maximiser of E_p(z|x,θ0)[log p(x,z|θ)]: no certified member, no verdict."""
    s = _step(THETA, lhs="argmax_θ ELBO(p(z|x,θ0), p(x,z|θ))",
              rhs="argmin_θ E_p(z|x,θ0)[log(p(x,z|θ))]")
    r = judge(s, SETTINGS)
    assert r.status is Status.UNKNOWN
    assert "no optimum of either side over θ is certified" in r.reason


def test_the_certified_optimum_of_a_correct_theta_statement_is_checked():
    s = _step(THETA, lhs="argmin_θ KL(p(z|x,θ0) || p(z|x,θ))", rhs="argmax_θ (-KL(p(z|x,θ0) || p(z|x,θ)))")
    r = OptimumChecker().check(s, samples=8, seed=0)
    assert r.status == "SPOT-CHECKED" and "θ0" in r.reason


def test_only_the_optimum_checker_takes_a_set_statement():
    s = _catalogue()["argmax_wrong"].steps[0]
    assert [c.name for c in applicable_checkers(s)] == [NAME]
    one_side = _step(Q, lhs="argmin_q KL(q(z) || p(z|x))", rhs="argmin_q KL(q(z) || p(z|x))")
    assert OptimumChecker().applies(one_side)


def test_every_checker_name_can_stand_in_the_lock():
    """The baseline lock writes ``ID [FAMILY]  STATUS``: a checker's name has no space or bracket."""
    from vi_sym.report.baseline import _LINE
    from vi_sym.spot import registered_checkers
    for c in registered_checkers():
        m = _LINE.match(f"d::1 [{c.name}]  SPOT-CHECKED")
        assert m and m.group(2) == c.name, c.name
