"""Densities a LaTeX note defines by a formula -- "for $\\lambda > 0$ let $q(z) = \\lambda e^{-\\lambda z}$
for $z \\geq 0$" -- are densities written by hand on the support the sentence states (as ``define q(z)
= … on (0, oo)``), λ a parameter (positive where the note says so), with a chain checking that q is
a density; "for $z \\geq 0$" is a condition, not a claim; an integral whose integrand never decays
is declined at once instead of running into the time limit."""
from __future__ import annotations

import mpmath
import pytest
import sympy
from sympy import Symbol

from vi_sym.core import Status
from vi_sym.frontends import load_text
from vi_sym.frontends.formula_densities import (formula_parameters, range_condition, stated_positive,
                                                support_after)
from vi_sym.frontends.markdown import read_markdown
from vi_sym.numeric.bounded import integrate_bounded
from vi_sym.numeric.common import NotEvaluable

oo = sympy.oo


@pytest.mark.parametrize("after, support", [
    (r" for $z \geq 0$. Its entropy", (0, oo)),
    (r" for $z > 1$.", (1, oo)),
    (r", $z \leq 3$", (-oo, 3)),
    (r" on $0 < z < 1$", (0, 1)),
    (r" with $z \in (0, \infty)$", (0, oo)),
    (r" for $z \in [-1, 2]$", (-1, 2)),
    (r" on $(0, \infty)$", (0, oo)),
    (r". Later, for $z \geq 0$ again", None),          # another sentence: not this formula's
    (r" for $w \geq 0$", None),                         # another variable
])
def test_the_support_is_what_the_sentence_after_the_formula_says(after, support):
    assert support_after(after, "z", {}) == support


def test_an_end_that_names_nothing_known_is_said_not_guessed():
    assert isinstance(support_after(r" for $z \geq \kappa$", "z", {}), str)
    kappa = Symbol("κ", positive=True)
    assert support_after(r" for $z \geq \kappa$", "z", {"κ": kappa}) == (kappa, oo)


def test_the_parameters_of_a_formula_and_those_stated_positive():
    text = r"For $\lambda > 0$ let $q(z) = \lambda e^{-\lambda z}$ and $r(z) = \mathcal{N}(z; \mu, 1)$."
    assert formula_parameters(text, taken={"z"}) == ["λ"]          # μ: a written distribution's
    assert stated_positive(text) == {"λ"}
    assert stated_positive(r"$\sigma \in (0, \infty)$, $\tau \geq 0$") == {"σ"}


@pytest.mark.parametrize("row, name", [
    ([(None, Symbol("z")), (">=", sympy.Integer(0))], "z"),
    ([(None, sympy.Integer(0)), ("<=", Symbol("p")), ("<=", sympy.Integer(1))], "p"),
    ([(None, Symbol("z")), (">=", Symbol("w"))], None),                 # two variables: a claim
    ([(None, sympy.log(Symbol("z"))), (">=", sympy.Integer(0))], None),  # an expression: a claim
])
def test_a_row_that_only_bounds_one_variable_is_a_condition(row, name):
    assert range_condition(row) == name


NOTE = r"""For $\lambda > 0$ let $q(z) = \lambda e^{-\lambda z}$ for $z \geq 0$. Its entropy and mean are
$$ H(q) = 1 %s \log \lambda $$
$$ \mathbb{E}_q[z] = 1/\lambda $$
"""


def _check(text):
    derivs, errors = load_text(text, "n.md", read_markdown)
    assert not errors, errors
    return derivs, {r.derivation: r for d in derivs for r in d.check(samples=8, seed=0, jobs=1, fixes=False)}


def test_a_formula_density_is_used_with_its_meaning_and_checked_to_be_one():
    derivs, results = _check(NOTE % "-")
    assert {k: r.status for k, r in results.items()} == {
        "n_q_is_a_density": Status.PROVED, "n_line2": Status.PROVED, "n_line3": Status.PROVED}
    said = [s.message for d in derivs for s in d.skipped]
    assert any("λ as a positive parameter" in m and "(0, ∞)" in m for m in said)
    assert any("a condition on z" in m for m in said)           # "for $z \geq 0$" is no claim


def test_a_wrong_entropy_of_it_is_failed():
    _, results = _check(NOTE % "+")
    assert results["n_line2"].status == Status.FAILED


def test_a_formula_that_is_no_density_on_its_support_is_failed_as_one():
    text = r"Let $q(z) = \kappa e^{-\kappa z}$ for $z > 0$." + "\n"     # κ real: κ ≤ 0 is no density
    _, results = _check(text)
    assert results["n_q_is_a_density"].status == Status.FAILED


def test_an_integrand_that_never_decays_is_declined_at_once():
    with pytest.raises(NotEvaluable, match="does not decay"):
        integrate_bounded(lambda t: mpmath.exp(t / 2), mpmath.ninf, mpmath.inf, mpmath.mpf(1e-11))
    v, _ = integrate_bounded(lambda t: 1 / (mpmath.pi * (1 + t * t)), mpmath.ninf, mpmath.inf, mpmath.mpf(1e-9))
    assert abs(v - 1) < 1e-8                      # a heavy tail that decays is still integrated


def test_a_defined_numbered_density_is_named_bare_in_a_subscript():
    text = (r"For $\beta > 0$ let $q_1(z) = \beta e^{-\beta z}$ for $z > 0$." + "\n"
            r"$$ \mathbb{E}_{q_1}[z] = 1/\beta $$" + "\n" + r"$$ \mathbb{E}_{q_1}[z] = \beta $$" + "\n")
    _, results = _check(text)
    assert results["n_q1_is_a_density"].status == Status.PROVED
    assert results["n_line2"].status == Status.PROVED and results["n_line3"].status == Status.FAILED
