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


@pytest.mark.parametrize("display, expected", [
    # the condition written inside the display, after its formula, as tables write it
    (f"$${PARETO}, \\quad \\alpha > 1$$", "PROVED"),
    (f"$${PARETO} \\qquad (\\alpha > 1).$$", "PROVED"),
    (f"$${PARETO} \\quad \\text{{for }} \\alpha \\geq 2$$", "PROVED"),
    (f"$${PARETO}, \\qquad m, \\alpha > 1$$", "PROVED"),
    (f"$${PARETO}, \\quad \\alpha > 0$$", "FAILED"),           # too weak: infinite for α ≤ 1
    ("$$\\mathbb{E}[X] = \\frac{m}{\\alpha - 1}, \\quad \\alpha > 1$$", "FAILED"),   # wrong under it too
    (f"$${PARETO}$$", "FAILED"),
])
def test_a_condition_inside_the_display_holds_for_its_formulas(display, expected):
    text = f"Let $X \\sim \\mathrm{{Pareto}}(m, \\alpha)$.\n\n{display}\n"
    assert _verdicts(text) == [expected]


def test_a_condition_inside_a_display_holds_for_every_formula_of_that_display_only():
    text = ("Let $X \\sim \\mathrm{Pareto}(m, \\alpha)$.\n\n"
            f"\\begin{{align}}\n{PARETO.replace('=', '&=')} \\\\\n{VARIANCE.replace('=', '&=')}, \\quad \\alpha > 2\n"
            "\\end{align}\n\n"
            f"$${PARETO}$$\n")
    assert _verdicts(text) == ["PROVED", "PROVED", "FAILED"]


@pytest.mark.parametrize("display, expected", [
    # a bound against a negated parameter: n > -k, the Gamma's moments of any order
    ("\\mathbb{E}[Y^n] = \\theta^n \\frac{\\Gamma(k+n)}{\\Gamma(k)} \\quad (n > -k).", "PROVED"),
    ("\\mathbb{E}[Y^n] = \\theta^n \\frac{\\Gamma(k+n)}{\\Gamma(k)} \\quad (n > k).", "PROVED"),
    ("\\mathbb{E}[Y^n] = \\theta^n \\frac{\\Gamma(k+n)}{\\Gamma(k+1)} \\quad (n > -k).", "FAILED"),
])
def test_a_condition_against_a_negated_parameter(display, expected):
    text = f"For $Y \\sim \\mathrm{{Gamma}}(k, \\theta)$ with scale $\\theta$,\n\\[ {display} \\]\n"
    assert _verdicts(text) == [expected]
    if expected == "PROVED" and "-k" in display:
        derivs, _ = load_text(text, "n.md", read_markdown)
        said = " ".join(w.message for d in derivs for w in d.warnings)
        assert "the condition n > -k: n read as -k + (n + k), (n + k) > 0" in said


@pytest.mark.parametrize("line, expected", [
    ("z ~ Gamma(a, b)\nE[1/z] = b/(a - 1)   (a > 1)\n", "PROVED"),
    ("z ~ Gamma(a, b)\nE[1/z] = b/(a - 1)   (for a > 1).\n", "PROVED"),
    ("z ~ Gamma(a, b)\nE[exp(t*z)] = (b/(b - t))^a  (t < b)\n", "PROVED"),
    ("z ~ Gamma(a, b)\nE[1/z] = b/(a - 1)\n", "FAILED"),
    ("z ~ Gamma(a, b)\nE[1/z] = b/(a + 1)   (a > 1)\n", "FAILED"),
])
def test_a_plain_text_condition_in_brackets_after_the_formula(line, expected):
    assert _verdicts(line, read_note, "n.txt") == [expected]


@pytest.mark.parametrize("row", [
    "H(X) \\geq 0", "\\mathrm{KL}(q \\| p) \\geq 0", "\\mathcal{L}(q) \\leq \\log p(x)", "\\alpha > 1",
    "f(x) \\leq g(x)",
])
def test_a_relation_that_is_the_formula_is_no_condition(row):
    from vi_sym.frontends.conditions import display_conditions
    assert display_conditions(row) == (row, [])


def test_a_probability_after_the_relation_is_no_condition():
    """"… = P(Y > t)": the event of a probability is no bracketed condition of the display (it was cut
    as one, leaving the claim "… = P", the density p)."""
    from vi_sym.frontends.conditions import display_conditions
    assert display_conditions("P(Y > 2) = P(Y > t)") == ("P(Y > 2) = P(Y > t)", [])
    assert display_conditions("\\mathbb{E}[X] = f(a > 1)")[1] == []
