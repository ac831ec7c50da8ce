"""A const in a declared parameter (``E_q(τ)[…] = −λ(μ − m)²/2 + const(μ)``): spot-checked as
"lhs − rhs takes one value at two values of μ" -- the catalogue's CAVI conclusions are
SPOT-CHECKED, a wrong update read into a conclusion is FAILED, and a const the renaming cannot
reach is never probed."""
import dataclasses

import pytest
import sympy

from vi_sym.cavi import conclusion_of
from vi_sym.loader import load_file, load_text
from vi_sym.spot.consts import ConstParameterChecker, const_parameter_form

CONCLUSIONS = ["prml_10_1_3_q_mu", "prml_10_1_3_q_tau", "prml_10_1_2_q_z1", "blei_gmm_assignment",
               "blei_gmm_component"]


@pytest.mark.parametrize("name", CONCLUSIONS)
def test_the_cavi_conclusions_are_spot_checked(name):
    c = conclusion_of(name)
    checker = ConstParameterChecker()
    assert checker.applies(c)
    r = checker.check(c, samples=8, seed=0)
    assert r.status == "SPOT-CHECKED" and r.n_checked > 0, r.reason


@pytest.mark.parametrize("name, wrong", [("prml_10_1_3_q_mu", "prml_10_1_3_precision_wrong"),
                                         ("blei_gmm_component", "blei_gmm_component_mean_wrong")])
def test_a_wrong_update_in_a_conclusion_is_failed(name, wrong):
    c = conclusion_of(name)
    file = "derivations/" + ("prml_10_1_3.vi" if name.startswith("prml") else "blei_gmm.vi")
    ds, _ = load_file(file)
    rhs = next(d for d in ds if d.name == wrong).steps[0].rhs
    bad = dataclasses.replace(c, rhs=rhs)
    r = ConstParameterChecker().check(bad, samples=12, seed=0)
    assert r.status == "FAILED" and r.counterexample, r.reason
    assert "it depends on" in r.counterexample["meaning"]
    assert r.counterexample["lhs"] != r.counterexample["rhs"]


HEAD = """derivation d
latent: z
parameters: m {extra}
positive: s
define q(z) = Normal(z, m, s)

    E_q(z)[{body}]
  = {rhs}
"""


def _step(body, rhs, extra=""):
    ds, errors = load_text(HEAD.format(body=body, rhs=rhs, extra=extra), "t.vi")
    assert not errors, errors
    return ds[0].steps[0]


def test_a_const_in_a_parameter_inside_a_definition_is_not_probed():
    """m is q's mean: renaming m in lhs − rhs renames it inside q's definition too, and the
    check must say so -- both sides then move together; a const in z (a latent) or in
    nothing is not this checker's."""
    inside = _step("z^2", "s^2 + const(m)")
    form = const_parameter_form(inside)
    if form is not None:             # the renaming reached the definition: a sound comparison
        r = ConstParameterChecker().check(inside, samples=8, seed=0)
        assert r.status == "FAILED"  # E[z²] − s² = m² depends on m
    right = _step("z^2", "m^2 + s^2 + const(m)")          # E[z²] − m² − s² = 0: free of m
    if const_parameter_form(right) is not None:
        assert ConstParameterChecker().check(right, samples=8, seed=0).status == "SPOT-CHECKED"
    assert const_parameter_form(_step("z^2", "m^2 + s^2")) is None
    assert const_parameter_form(_step("z", "m")) is None


def test_a_true_const_is_never_refuted():
    step = _step("(z - w)^2", "-2*m*w + w^2 + m^2 + s^2 + const(w)", extra="w")
    assert const_parameter_form(step) is not None
    r = ConstParameterChecker().check(step, samples=10, seed=1)
    assert r.status == "SPOT-CHECKED"
    wrong = _step("(z - w)^2", "w^2 + m^2 + s^2 + const(w)", extra="w")      # the cross term dropped
    assert ConstParameterChecker().check(wrong, samples=10, seed=1).status == "FAILED"
