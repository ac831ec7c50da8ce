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


def test_a_condition_between_two_names_is_said_not_read():
    """The MGF's t < λ compares two parameters: not an assume: bound; the claim is checked without
    it (FAILED where t ≥ λ) and the reader says why, rather than dropping the condition silently."""
    text = ("For $Y \\sim \\mathrm{Exp}(\\lambda)$ and $t < \\lambda$, "
            "$\\mathbb{E}[e^{tY}] = \\frac{\\lambda}{\\lambda - t}$.\n")
    derivs, errors = load_text(text, "n.md", read_markdown)
    assert not errors
    assert any("the condition t < λ compares two names: not read" in n.message for d in derivs for n in d.skipped)
    assert any("read t as a real parameter" in w.message for d in derivs for w in d.warnings)   # tY is t·Y


def test_a_plain_text_condition_after_a_sampling_statement():
    """"For X ~ Pareto(m, a) and a > 1: …": once the statement is read, the bare bound that is left
    at the line's start is its condition."""
    text = "For X ~ Pareto(m, a) and a > 1: E(X) = a m/(a - 1)\nE(X) = a m/(a - 1)\n"
    assert _verdicts(text, read_note, "n.txt") == ["PROVED", "FAILED"]
