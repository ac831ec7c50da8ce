"""Markdown/LaTeX and notebook readers: the corrected chains in LaTeX, a notebook, malformed input."""
from pathlib import Path

import nbformat
import pytest

from vi_sym.checker import Settings, check_derivations
from vi_sym.core import Status
from vi_sym.families import FAMILIES
from vi_sym.frontends import load_file, load_text
from vi_sym.frontends.latex import parse_row
from vi_sym.frontends.markdown import blocks, read_markdown, rows, rules_in
from vi_sym.frontends.notebook import read_notebook
from vi_sym.frontends.notes import input_notes
from vi_sym.parse import ParseError
from sympy import Symbol

FIXTURES = Path(__file__).parent / "fixtures"
V = {n: Symbol(n) for n in "xzXZ"}


def md(text):
    return load_text(text, "n.md", read_markdown)


def test_the_corrected_chains_in_latex_are_all_proved():
    ds, errs = load_file(FIXTURES / "corrected_chains.md")
    assert errs == [] and ds[0].skipped == []
    assert [len(d.steps) for d in ds] == [3, 5, 3, 2, 1]
    assert ds[1].steps[1].by == ("bayes_rule",) and ds[2].steps[2].by == ("jensen",)
    assert ds[0].steps[2].by == ("kl_nonnegative",) and ds[0].steps[2].source.line == 9
    report = check_derivations(ds, Settings(families=tuple(sorted(FAMILIES)), samples=5, jobs=2))
    assert {r.status for r in report.results} == {Status.PROVED}


def test_a_wrong_latex_step_is_not_proved():
    ds, errs = md("$$\\log p(x) \\leq \\mathcal{L}(q)$$\n\n$$ \\log p(x) = \\mathcal{L}(q) "
                  "+ D_{KL}(q(z) \\| p(z)) $$\n")
    report = check_derivations(ds, Settings(families=tuple(sorted(FAMILIES)), samples=5, jobs=1, fixes=False))
    assert [r.status for r in report.results] == [Status.FAILED, Status.FAILED]


@pytest.mark.parametrize("latex,expected", [
    (r"\log p(x) \geq \mathbb{E}_{z \sim q}\left[\log \frac{p(x,z)}{q(z)}\right]",
     "log(p(x)) >= E_q(z)[log(p(x,z)/q(z))]"),
    (r"\ln p(x) \ge \mathrm{ELBO}", "log(p(x)) >= ELBO(q(z))"),
    (r"D_{\mathrm{KL}}(q \| p) = \int q(z) \log \frac{q(z)}{p(z \mid x)} \, \mathrm{d}z",
     "KL(q(z)||p(z|x)) = Integral(log(q(z)/p(z|x))*q(z), z)"),
    (r"\mathcal{L}(q) \leq \log p(x)", "ELBO(q(z)) <= log(p(x))"),
    (r"\log \frac{p(x|z)\,p(z)}{q(z)} = \log p(x|z) + \log p(z) - \log q(z)",
     "log(p(x|z)*p(z)/q(z)) = log(p(x|z)) + log(p(z)) - log(q(z))"),
    (r"\mathbb{E}_{q(z)}[1] = \int q(z) \cdot 1 \; dz", "E_q(z)[1] = Integral(q(z), z)"),
])
def test_latex_notation_is_read(latex, expected):
    (start, (rel, rhs, *_)) = parse_row(latex, V, "z", "x")
    assert f"{start[1]} {rel} {rhs}" == expected


@pytest.mark.parametrize("latex,fragment,column", [
    (r"\log p(x) = \foo(x)", "macro '\\foo'", 13),
    (r"\log p(x = 1", "expected ')'", 10),
    (r"\log p(x) = \frac{1}{2", "", None),
    (r"\log p(x) < \mathcal{L}(q)", "unexpected '<'", 11),
    (r"\log p(w) = 0", "unknown variable 'w'", None),
    (r"\int q(z) = 1", "differential", None),
    (r"KL(q(z) \| p(x|z)) = 0", "same variables", None),
])
def test_malformed_latex_says_where_and_what_was_expected(latex, fragment, column):
    with pytest.raises(ParseError) as err:
        parse_row(latex, V, "z", "x")
    assert fragment in str(err.value)
    if column:
        assert err.value.column == column


def test_blocks_rows_and_justifications():
    text = "a $x = y$ b $q(z)$\n```python\n$$ a = b $$\n```\n$$\nA &= B \\\\ % by bayes_rule\n &= C\n$$\n"
    assert [b for _, b in blocks(text)] == ["x = y", "\nA &= B \\\\ % by bayes_rule\n &= C\n"]
    offset, body = blocks(text)[1]
    assert [(r[0], r[2], r[3]) for r in rows(offset, body, text)] == [(6, "A &= B", "by bayes_rule"), (7, "&= C", "")]
    assert rules_in("by bayes_rule, linearity") == ("bayes_rule", "linearity")
    assert rules_in("Jensen") == ("jensen",) and rules_in("def") == ()


def test_unreadable_blocks_are_skipped_with_line_column_and_caret():
    ds, errs = md("$$\\log p(x) = \\log p(x)$$\n\n$$\\log p(x) = \\foo$$\n$$ q(z) $$\n$$ = \\log p(x) $$\n")
    assert errs == []
    lines = "\n".join(input_notes(ds))
    assert "n.md:3: column 15: unexpected macro '\\foo'" in lines and "\n                  ^" in lines
    assert "n.md:4: no relation" in lines and "n.md:5: a step with no expression" in lines


def test_an_unclosed_display_block_ends_at_the_blank_line_and_says_so():
    text = ("$$\n\\log p(x) \\geq \\mathcal{L}(q)\n$$\nand then\n$$\n\\mathrm{KL}(q \\| p(z \\mid x)) \\geq 0\n\n"
            "More text with $a$ and `$$` in code.\n\n$$ \\log p(x) = \\log p(x) $$\n")
    ds, errs = md(text)
    assert errs == [] and [str(d.steps[0].rhs) for d in ds] == ["ELBO(q(z))", "0", "log(p(x))"]
    lines = "\n".join(input_notes(ds))
    assert "n.md:5: a $$ that no $$ closes" in lines and "n.md:8" not in lines     # nor the one in code
    assert blocks("$$ a = b\n\nc = d $$")[0][1] == " a = b"          # the paragraph after is not its


@pytest.mark.parametrize("text", [
    "$$" + "\\log p(x) + " * 3000 + "1 = 1$$",         # a huge block
    "$$ \\log p(x) = \\frac{{{{ $$",                    # unbalanced braces
    "$$ \\begin{aligned} \\log p(x) \\end{aligned} $$",   # no relation
    "$$" + "(" * 5000 + "x" + ")" * 5000 + " = x $$",    # deep nesting
    "\x00\x01 $$ \\log \x02 p(x) = 1 $$",                # control characters
])
def test_malformed_markdown_is_skipped_never_a_traceback(text):
    ds, errs = md(text + "\n\n$$ \\log p(x) = \\log p(x) $$\n")
    assert errs == [] and ds[-1].steps and ds[0].skipped


def test_a_notebook_is_read_cell_by_cell(tmp_path):
    ds, errs = load_file(FIXTURES / "bound.ipynb")
    assert errs == []
    assert [(d.name, s.source.file.rsplit("/", 1)[-1], s.source.line) for d in ds for s in d.steps] == \
        [("bound_cell1_line4", "bound.ipynb#cell1", 4), ("bound_cell3_line2", "bound.ipynb#cell3", 2)]
    assert ds[0].steps[0].by == ("kl_nonnegative",)
    assert any("bound.ipynb#cell3:3: column 24" in x for x in input_notes(ds))
    report = check_derivations(ds, Settings(families=tuple(sorted(FAMILIES)), samples=5, jobs=1, fixes=False))
    assert [r.status for r in report.results] == [Status.PROVED, Status.FAILED]


@pytest.mark.parametrize("text,fragment", [("{not json", "invalid JSON"), ('{"cells": 3}', "notebook")])
def test_a_broken_notebook_is_a_clear_error(text, fragment):
    ds, errs = read_notebook(text, "b.ipynb")
    assert ds == [] and fragment in str(errs[0]) and str(errs[0]).startswith("b.ipynb")


def test_the_notebook_fixture_is_a_valid_notebook():
    nbformat.validate(nbformat.read(FIXTURES / "bound.ipynb", as_version=4))


def test_dollars_shown_in_a_code_span_open_no_formula():
    """`$$ … $$` or `$$` in backticks is Markdown showing how math is written: a lone one used to
    pair with the next real $$ and swallow the formula after it."""
    text = ("Write display math as `$$ ... $$` in markdown, inline as `$x = 1$`.\n\n"
            "$$\\log p(x) = \\mathcal{L}(q) + \\mathrm{KL}(q \\| p)$$\n\n"
            "A code span with one: `$$` then text.\n"
            "$$\\log p(x) \\geq \\mathcal{L}(q)$$\n")
    ds, errors = load_text(text, "n.md", read_markdown)
    assert not errors
    assert [s.rel for d in ds for s in d.steps] == ["=", ">="]
    assert not [n for d in ds for n in d.skipped]


def test_latex_quotes_are_no_code_spans():
    from vi_sym.frontends.markdown_math import blocks
    text = "``a $x = 1$ b'' and ``c''\n"
    assert [body for _, body in blocks(text)] == ["x = 1"]
