"""A bare KL(q || p) is the posterior KL(q(z) ‖ p(z|x)) of the note's model -- unless its chain
names p only as p(z) and never writes the observed x: then it is Gibbs' inequality about two
densities of z, KL(q(z) ‖ p(z)), in plain text and LaTeX alike.  The reading never makes a wrong
step right: each claim is checked under it."""
from __future__ import annotations

import pytest

from vi_sym.frontends import load_text, reader_for
from vi_sym.judge import judge
from vi_sym.notation import to_unicode
from vi_sym.settings import Settings

GIBBS_TEXT = "-KL(q||p) = E_q[log(p(z)/q(z))] <= log E_q[p(z)/q(z)] = log ∫ p(z) dz = 0\n"
GIBBS_LATEX = ("$$-\\mathrm{KL}(q \\| p) = \\mathbb{E}_q\\left[\\log \\frac{p(z)}{q(z)}\\right] \\leq "
               "\\log \\mathbb{E}_q\\left[\\frac{p(z)}{q(z)}\\right] = \\log \\int p(z)\\, dz = 0$$\n")


def _steps(text, name):
    ds, errors = load_text(text, name, reader_for(name))
    assert not errors, errors
    return [s for d in ds for s in d.steps]


@pytest.mark.parametrize("text, name", [(GIBBS_TEXT, "n.txt"), (GIBBS_LATEX, "n.md")])
def test_gibbs_inequality_compares_q_with_the_p_of_z_its_chain_names(text, name):
    steps = _steps(text, name)
    assert "KL(q(z) ‖ p(z))" in to_unicode(steps[0].lhs)
    assert [judge(s, Settings(families=("all",), samples=8)).status.value for s in steps] == ["PROVED"] * 4


@pytest.mark.parametrize("text, name", [
    ("KL(q||p) = E_q[log q(z)] - E_q[log p(z|x)]\n", "n.txt"),
    ("KL(q||p) = E_q[log(q(z)/p(z))] + log p(x)\n", "n.txt"),      # x written: the model's posterior
    ("$$\\mathrm{KL}(q \\| p) = \\mathbb{E}_q[\\log q(z)] - \\mathbb{E}_q[\\log p(z \\mid x)]$$\n", "n.md"),
])
def test_a_chain_that_names_the_model_keeps_the_posterior(text, name):
    (step,) = _steps(text, name)
    assert "KL(q(z) ‖ p(z|x))" in to_unicode(step.lhs)


@pytest.mark.parametrize("text, name", [
    ("-KL(q||p) = E_q[log(q(z)/p(z))]\n", "n.txt"),          # the log upside down
    ("$$\\mathrm{KL}(q \\| p) = \\mathbb{E}_q\\left[\\log \\frac{p(z)}{q(z)}\\right]$$\n", "n.md"),   # sign
])
def test_a_wrong_step_under_the_marginal_reading_is_failed(text, name):
    (step,) = _steps(text, name)
    assert judge(step, Settings(families=("all",), samples=8)).status.value == "FAILED"
