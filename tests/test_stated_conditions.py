"""A closed form's condition, stated beside it as tables do ("for $\\alpha > 1$", "with $\\nu > 2$,"):
the claims of its paragraph -- and of the display the paragraph runs on into -- are read under it,
as under an ``assume:`` line; elsewhere it narrows nothing."""
from __future__ import annotations

import pytest

from vi_sym.frontends import load_text
from vi_sym.frontends.conditions import conditions_at, conditions_in
from vi_sym.frontends.markdown import read_markdown
from vi_sym.frontends.note import read_note
from vi_sym.judge import judge
from vi_sym.settings import Settings

PARETO = "\\mathbb{E}[X] = \\frac{\\alpha m}{\\alpha - 1}"
VARIANCE = "\\mathrm{Var}(X) = \\frac{m^2 \\alpha}{(\\alpha-1)^2(\\alpha-2)}"


def _verdicts(text, reader=read_markdown, name="n.md"):
    derivs, errors = load_text(text, name, reader)
    assert not errors, errors
    return [judge(d.steps[0], Settings(families=("all",))).status.value for d in derivs]


def test_a_condition_holds_in_its_paragraph_and_the_display_it_runs_on_into():
    text = (f"For $X \\sim \\mathrm{{Pareto}}(m, \\alpha)$, ${PARETO}$ for $\\alpha > 1$.\n\n"
            f"And ${PARETO}$ again, with no condition.\n\n"
            f"With $\\alpha > 2$:\n\n$${VARIANCE}$$\n\n$${VARIANCE}$$\n")
    assert _verdicts(text) == ["PROVED", "FAILED", "PROVED", "FAILED"]


def test_a_condition_does_not_make_a_wrong_closed_form_right():
    text = f"For $X \\sim \\mathrm{{Pareto}}(m, \\alpha)$, $\\mathbb{{E}}[X] = \\frac{{m}}{{\\alpha - 1}}$ for $\\alpha > 1$.\n"
    assert _verdicts(text) == ["FAILED"]


def test_a_condition_on_a_name_that_is_no_parameter_is_skipped_with_its_reason():
    text = f"For $X \\sim \\mathrm{{Pareto}}(m, \\alpha)$, ${PARETO}$ for $\\beta > 1$.\n"
    derivs, _ = load_text(text, "n.md", read_markdown)
    assert any("the condition β > 1 is not used" in n.message for d in derivs for n in d.skipped)


@pytest.mark.parametrize("inline, bound", [
    ("$\\nu \\geq 2$", "ν >= 2"), ("$2 < \\nu$", "2 < ν"), ("$0 < p < 1/2$", "0 < p < 1/2"), ("$a_0 > 1$", "a0 > 1"),
])
def test_conditions_are_read_as_assume_lines_write_them(inline, bound):
    text = f"the mean, for {inline}, is finite.\n"
    found = conditions_in(text)
    assert [b for *_, b in found] == [bound]
    assert conditions_at(found, text, 0) == [bound]
    assert conditions_at(found, text + "\n\nnext paragraph\n", len(text) + 3) == []


def test_a_display_is_no_condition():
    assert conditions_in("$$\\alpha > 1$$\n") == []


def test_plain_text_conditions_before_or_after_the_formula_hold_on_their_line():
    text = ("For X ~ Pareto(m, a): E[X] = a m/(a - 1) for a > 1.\n"
            "E[X] = a m/(a - 1)\n"
            "For ν > 2, Var(T) = ν/(ν - 2) with T ~ StudentT(ν, 0, 1)\n"
            "Var(T) = ν/(ν - 2)\n"
            "E[X] = m/(a - 1) for a > 1\n")
    assert _verdicts(text, read_note, "n.txt") == ["PROVED", "FAILED", "PROVED", "FAILED", "FAILED"]


def test_a_condition_between_two_parameters_orders_them():
    """The MGF's t < λ compares two parameters: t is read as λ − (λ − t) with (λ − t) > 0 (said in a
    warning), so the claim is PROVED where it holds -- it was checked without the condition and
    FAILED where t ≥ λ -- and a wrong claim under the condition is still FAILED."""
    text = ("For $Y \\sim \\mathrm{Exp}(\\lambda)$ and $t < \\lambda$, "
            "$\\mathbb{E}[e^{tY}] = \\frac{\\lambda}{\\lambda - t}$.\n\n"
            "For $Y \\sim \\mathrm{Exp}(\\lambda)$ and $t < \\lambda$, "
            "$\\mathbb{E}[e^{tY}] = \\frac{\\lambda}{\\lambda + t}$.\n\n"
            "For $W \\sim \\mathrm{Gamma}(a, b)$ and $s < b$, "
            "$\\mathbb{E}[e^{sW}] = \\left(\\frac{b}{b - s}\\right)^{a}$.\n")
    assert _verdicts(text) == ["PROVED", "FAILED", "PROVED"]
    derivs, _ = load_text(text, "n.md", read_markdown)
    said = " ".join(w.message for d in derivs for w in d.warnings)
    assert "the condition t < λ: t read as λ − (λ − t), (λ − t) > 0" in said


@pytest.mark.parametrize("line, expected", [
    ("For X ~ Exp(lam): E[exp(t*X)] = lam/(lam - t) for t < lam\n", "PROVED"),
    ("For X ~ Exp(lam): E[exp(t*X)] = lam/(lam - t) for t > lam\n", "FAILED"),   # infinite there
    ("For X ~ Gamma(a, b): E[X^(-c)] = b^c*gamma(a - c)/gamma(a) for c < a\n", "PROVED"),
    ("For X ~ Gamma(a, b): E[X^(-c)] = b^c*gamma(a - c)/gamma(a) for c > a\n", "FAILED"),   # infinite there
])
def test_a_plain_text_condition_between_two_parameters(line, expected):
    assert _verdicts(line, read_note, "n.txt") == [expected]


def test_a_condition_between_names_that_cannot_be_ordered_is_said_not_read():
    """p < q of two probabilities: neither can be written as the other plus a gap in its domain."""
    text = ("For $X \\sim \\mathrm{Bern}(p)$ and $p < r$, $\\mathbb{E}[X] = p$.\n")
    derivs, errors = load_text(text, "n.md", read_markdown)
    assert not errors
    assert any("compares two names that are not both parameters vi_sym can order" in n.message
               for d in derivs for n in d.skipped)


def test_a_plain_text_condition_after_a_sampling_statement():
    """"For X ~ Pareto(m, a) and a > 1: …": once the statement is read, the bare bound that is left
    at the line's start is its condition."""
    text = "For X ~ Pareto(m, a) and a > 1: E(X) = a m/(a - 1)\nE(X) = a m/(a - 1)\n"
    assert _verdicts(text, read_note, "n.txt") == ["PROVED", "FAILED"]
