"""A note written as a LaTeX document (``.tex``) is read as a Markdown note's math is, at the
document's own lines and columns; the macros a note defines (``\\newcommand``, ``\\def``,
``\\DeclareMathOperator``) are expanded faithfully -- a macro's name never decides what a step
means, its definition does -- and a macro that cannot be expanded is a skipped row with its
column, never a hang."""
import json
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from vi_sym.checker import check_derivations
from vi_sym.cli import main
from vi_sym.core import Status
from vi_sym.frontends import load_file, load_text, reader_for
from vi_sym.frontends.latex_macros import Macros, expand, MAX_EXPANDED
from vi_sym.frontends.tex import as_markdown
from vi_sym.notation import to_unicode
from vi_sym.parse import ParseError
from vi_sym.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures"
SETTINGS = Settings(families=("all",), samples=8, jobs=1, fixes=False)


def _tex(text):
    return load_text(text, "n.tex", reader_for("n.tex"))


def _doc(body, preamble=""):
    return f"\\documentclass{{article}}\n{preamble}\\begin{{document}}\n{body}\\end{{document}}\n"


def _verdicts(text):
    ds, errors = _tex(text)
    assert not errors, errors
    results = check_derivations(ds, SETTINGS).results
    steps = {s.id: s for d in ds for s in d.steps}
    return [(f"{to_unicode(steps[r.step_id].lhs)} {steps[r.step_id].rel} {to_unicode(steps[r.step_id].rhs)}",
             r.status) for r in results if not r.step_id.endswith("'")]


def _skipped(text):
    ds, errors = _tex(text)
    return [(n.line, n.message) for n in ds[0].skipped] if ds else [(e.line, e.message) for e in errors]


def test_the_corrected_chains_as_a_latex_document_are_all_proved_at_the_documents_lines():
    path = FIXTURES / "corrected_chains.tex"
    lines = path.read_text().splitlines()
    ds, errors = load_file(path)
    assert errors == [] and [len(d.steps) for d in ds] == [3, 5, 3, 1]
    bound = ds[0].steps[2]
    assert bound.by == ("kl_nonnegative",) and "% by kl_nonnegative" in lines[bound.source.line - 1]
    bayes = ds[1].steps[1]
    assert bayes.by == ("bayes_rule",) and "Bayes" in lines[bayes.source.line - 1]
    inline = ds[3].steps[0]          # \( … \) in the prose
    assert "\\(\\log p(x) \\ge" in lines[inline.source.line - 1]
    report = check_derivations(ds, SETTINGS)
    assert {r.status for r in report.results} == {Status.PROVED}


def test_the_notes_slips_written_in_latex_are_failed():
    body = ("\\[ \\log p(x) = \\mathcal{L}(q) - \\KL{q(z)}{p(z \\mid x)} \\]\n"
            "\\[ \\log p(x) \\leq \\mathcal{L}(q) \\]\n")
    got = _verdicts(_doc(body, "\\newcommand{\\KL}[2]{D_{\\mathrm{KL}}(#1 \\| #2)}\n"))
    assert [s for _, s in got] == [Status.FAILED, Status.FAILED]


def test_a_macro_means_its_definition_not_its_name():
    """The same chain, with \\KL defined the wrong way round, is refuted: KL(p ‖ q) ≠ KL(q ‖ p)."""
    chain = "\\[ \\log p(x) = \\mathcal{L}(q) + \\KL{q(z)}{p(z \\mid x)} \\]\n"
    right = _verdicts(_doc(chain, "\\newcommand{\\KL}[2]{D_{\\mathrm{KL}}(#1 \\| #2)}\n"))
    wrong = _verdicts(_doc(chain, "\\newcommand{\\KL}[2]{D_{\\mathrm{KL}}(#2 \\| #1)}\n"))
    assert [s for _, s in right] == [Status.PROVED]
    assert [s for _, s in wrong] == [Status.FAILED] and "KL(p(z|x) ‖ q(z))" in wrong[0][0]


def test_comments_verbatim_and_text_after_the_document_are_not_read():
    text = _doc("% $$ \\log p(x) = 0 $$\n\\begin{verbatim}\n$$ \\log p(x) = 1 $$\n\\end{verbatim}\n"
                "\\iffalse $$ \\log p(x) = 2 $$ \\fi\nSo $\\log p(x) \\geq \\mathcal{L}(q)$. % and $x = 1$\n") + \
        "$$ \\log p(x) = 3 $$\n"
    ds, errors = _tex(text)
    assert not errors and [to_unicode(s.rhs) for d in ds for s in d.steps] == ["ELBO(q(z), p(x,z))"]


def test_a_comment_declares_as_the_markdown_comment_does():
    formula = "$$ \\mathcal{L}(q) \\leq \\log p(x) $$\n"
    ds, errors = _tex(_doc(formula, "% vi_sym: latent: z_1 z_2\n"))
    md, md_errors = load_text("<!-- vi_sym: latent: z_1 z_2 -->\n\n" + formula, "n.md", reader_for("n.md"))
    assert not errors and not md_errors
    assert to_unicode(ds[0].steps[0].lhs) == to_unicode(md[0].steps[0].lhs) == "ELBO(q(z1,z2), p(x,z1,z2))"


@pytest.mark.parametrize("preamble, use, expected", [
    ("\\newcommand{\\E}{\\mathbb{E}}", "\\E_{q(z)}[\\log q(z)]", "E_q(z)[log q(z)]"),
    ("\\newcommand*{\\E}[1]{\\mathbb{E}_{q(z)}\\left[#1\\right]}", "\\E{\\log q(z)}", "E_q(z)[log q(z)]"),
    ("\\newcommand{\\Eq}[2][q(z)]{\\mathbb{E}_{#1}[#2]}", "\\Eq{\\log p(z)}", "E_q(z)[log p(z)]"),
    ("\\newcommand{\\Eq}[2][q(z)]{\\mathbb{E}_{#1}[#2]}", "\\Eq[p(z)]{\\log q(z)}", "E_p(z)[log q(z)]"),
    ("\\def\\H#1{\\mathbb{H}[#1]}", "\\H{q(z)}", "H(q(z))"),
    ("\\DeclareMathOperator{\\ELBO}{ELBO}", "\\ELBO(q)", "ELBO(q(z), p(x,z))"),
    ("\\newcommand{\\E}{\\mathbb{E}}\\newcommand{\\Elog}[1]{\\E_{q(z)}[\\log #1]}", "\\Elog{p(z)}", "E_q(z)[log p(z)]"),
    ("\\newcommand{\\E}{\\mathbb{E}}\\renewcommand{\\E}{\\mathcal{H}}", "\\E(q)", "H(q(z))"),
])
def test_macros_expand_with_their_arguments(preamble, use, expected):
    ds, errors = _tex(_doc(f"$$ {use} = 0 $$\n", preamble + "\n"))
    assert not errors and to_unicode(ds[0].steps[0].lhs) == expected


def test_a_macro_is_in_force_from_where_it_is_defined():
    skipped = _skipped(_doc("$$ \\E[\\log q(z)] = 0 $$\n\\newcommand{\\E}{\\mathbb{E}}\n$$ \\E[\\log q(z)] = 0 $$\n"))
    assert skipped and skipped[0][0] == 3 and "unexpected macro '\\E'" in skipped[0][1]


def test_an_error_after_a_macro_is_reported_at_the_column_written():
    line = "$$ \\KL{q}{p(z|x)} + \\oops = 0 $$"
    skipped = _skipped(_doc(line + "\n", "\\newcommand{\\KL}[2]{D_{\\mathrm{KL}}(#1 \\| #2)}\n"))
    assert skipped[0][0] == 4
    assert f"column {line.index(chr(92) + 'oops') + 1}:" in skipped[0][1]


@pytest.mark.parametrize("preamble, use, why", [
    ("\\newcommand{\\a}{\\a x}", "\\a", "\\a expands without end"),
    ("\\newcommand{\\a}{\\b}\\newcommand{\\b}{\\a}", "\\a", "\\a expands without end"),
    ("".join(f"\\def\\m{chr(97 + i)}{{\\m{chr(98 + i)}\\m{chr(98 + i)}}}" for i in range(20)), "\\ma",
     f"past {MAX_EXPANDED} characters"),
    ("\\newcommand{\\KL}[2]{D_{KL}(#1 \\| #2)}", "\\KL{q}", "argument 2 is missing"),
])
def test_a_macro_that_cannot_be_expanded_skips_its_row_with_the_reason(preamble, use, why):
    skipped = _skipped(_doc(f"$$ 0 = {use} $$\n$$ \\log p(x) \\geq \\mathcal{{L}}(q) $$\n", preamble + "\n"))
    assert len(skipped) == 1 and why in skipped[0][1] and "column 8:" in skipped[0][1], skipped


@pytest.mark.parametrize("definition, why", [
    ("\\newcommand{\\frac}{1}", "redefines \\frac"),
    ("\\newcommand{\\broken}[2]{#1", "braces not balanced"),
    ("\\newcommand{\\many}[12]{#1}", "0 to 9"),
])
def test_a_definition_that_cannot_be_read_is_reported_and_the_rest_is_read(definition, why):
    ds, errors = _tex(_doc("$$ \\log p(x) \\geq \\mathcal{L}(q) $$\n", definition + "\n"))
    assert not errors and len(ds) == 1
    assert any(n.line == 2 and why in n.message for n in ds[0].skipped)


def test_macros_in_markdown_and_in_a_notebooks_earlier_cell():
    md = "$\\newcommand{\\KL}[2]{D_{\\mathrm{KL}}(#1 \\| #2)}$\n\n$$ \\KL{q(z)}{q(z)} = 0 $$\n"
    ds, errors = load_text(md, "n.md", reader_for("n.md"))
    assert not errors and to_unicode(ds[0].steps[0].lhs) == "KL(q(z) ‖ q(z))"
    cells = [{"cell_type": "markdown", "id": "a", "metadata": {}, "source": "$\\newcommand{\\E}{\\mathbb{E}}$"},
             {"cell_type": "markdown", "id": "b", "metadata": {}, "source": "$$ \\E_{q(z)}[1] = 1 $$"}]
    nb = json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    ds, errors = load_text(nb, "n.ipynb", reader_for("n.ipynb"))
    assert not errors and to_unicode(ds[0].steps[0].lhs) == "E_q(z)[1]"


def test_expansion_maps_every_character_back_to_the_row():
    macros = Macros("\\newcommand{\\KL}[2]{D(#1 \\| #2)}").at(10 ** 6)
    row = "a + \\KL{q}{p} = b"
    text, where = expand(row, macros)
    assert text == "a + D(q \\| p) = b" and len(where) == len(text)
    assert row[where[text.index("q")]] == "q" and row[where[text.index("p")]] == "p"
    assert where[text.index("D")] == row.index("\\KL") and row[where[-1]] == "b"
    with pytest.raises(ParseError):
        expand("\\a", Macros("\\def\\a{\\a}").at(99))


_TEXT = st.lists(st.sampled_from(list("ab $%\\{}()[]=\n") + ["\\(", "\\)", "\\[", "\\]", "%vi_sym: latent: z",
                                                                          "\\begin{verbatim}", "\\end{verbatim}",
                                                                          "\\end{document}", "\\iffalse", "\\fi"]),
                 max_size=60).map("".join)


@settings(max_examples=200, deadline=None)
@given(st.lists(_TEXT, max_size=4).map("".join))
def test_the_document_keeps_its_lines_and_columns(text):
    masked = as_markdown(text)
    assert len(masked) == len(text)
    assert [i for i, c in enumerate(masked) if c == "\n"] == [i for i, c in enumerate(text) if c == "\n"]


def test_the_command_line_reads_a_tex_file(tmp_path, capsys):
    note = tmp_path / "note.tex"
    note.write_text(_doc("\\[ \\log p(x) = \\mathcal{L}(q) - D_{\\mathrm{KL}}(q \\| p(z \\mid x)) \\]\n"))
    code = main(["check", "--no-cache", "--family", "normal-normal", "--samples", "5", "--jobs", "1", str(note)])
    out = capsys.readouterr().out
    assert code == 1 and "FAILED       note_line3::1" in out, out


@pytest.mark.parametrize("angle, plain", [
    (r"\left\langle \log p(x, z) \right\rangle_{q(z)}", r"\mathbb{E}_{q(z)}[\log p(x, z)]"),
    (r"\langle \log p(x, z) \rangle_q", r"\mathbb{E}_{q}[\log p(x, z)]"),
    (r"\langle \log p(x, z) \rangle_{z \sim q}", r"\mathbb{E}_{z \sim q}[\log p(x, z)]"),
    (r"⟨\log p(x, z)⟩", r"\mathbb{E}[\log p(x, z)]"),
    (r"\mathrm{KL}(q \Vert p(z \mid x))", r"\mathrm{KL}(q \| p(z \mid x))"),
])
def test_angle_brackets_are_an_expectation_and_vert_the_kl_bar(angle, plain):
    ds, errors = load_text(f"$$ {angle} = {plain} $$\n", "n.md", reader_for("n.md"))
    assert not errors and ds[0].steps[0].lhs == ds[0].steps[0].rhs


def test_a_wrong_step_in_angle_brackets_is_failed():
    got = _verdicts(_doc(r"\[ \mathcal{L}(q) = \langle \log p(x, z) \rangle_q + \langle \log q(z) \rangle_q \]" + "\n"))
    assert [s for _, s in got] == [Status.FAILED]


def test_angle_brackets_around_a_pair_are_not_an_expectation():
    skipped = _skipped(_doc(r"$$ \langle x, z \rangle = 0 $$" + "\n"))
    assert len(skipped) == 1 and "unexpected ','" in skipped[0][1]


_LATEX_BITS = st.sampled_from([
    "\\newcommand{\\a}{", "\\newcommand{\\b}[2]{#1 #2}", "\\def\\c#1{\\c{#1}}", "\\DeclareMathOperator{\\d}{d}",
    "\\a", "\\b", "\\c", "\\d", "{", "}", "[", "]", "(", ")", "$", "$$", "\\[", "\\]", "\\(", "\\)", "%", "\n",
    "\\begin{align}", "\\end{align}", "&", "\\\\", "=", "\\geq", "\\log", "log", "p(x)", "q(z)", "\\mathbf{x}",
    "^{(i)}", "\\sum_{i=1}^{N}", "\\mathbb{E}_q", "\\langle", "\\rangle", "\\underset{q}{\\arg\\min}", "#", "x", " ",
    "\\text{ for any }", "\\end{document}", "\\begin{document}", "\\mathrm{KL}(q \\| p)", "\\mid\\mid", ":="])


@settings(max_examples=300, deadline=None)
@given(st.lists(_LATEX_BITS, max_size=40).map("".join), st.sampled_from(["n.tex", "n.md"]))
def test_any_latex_is_read_or_refused_with_a_reason_never_raised(text, name):
    ds, errors = load_text(text, name, reader_for(name))
    for e in errors:
        assert e.message
    for d in ds:
        assert d.steps and all(n.message for n in d.skipped)


def test_intertext_between_aligned_rows_is_prose_and_the_next_row_starts_a_chain():
    body = ("\\begin{align}\n\\log p(x) &\\geq \\mathcal{L}(q) \\\\\n\\intertext{and the gap is {\\em exactly} the KL:}\n"
            "\\log p(x) - \\mathcal{L}(q) &= \\mathrm{KL}(q \\| p(z \\mid x))\n\\end{align}\n")
    ds, errors = _tex(_doc(body))
    assert not errors and [len(d.steps) for d in ds] == [1, 1]
    assert ds[1].steps[0].source.line == 6


def test_declarations_are_read_once_not_once_per_formula(monkeypatch):
    """A note of thousands of formulas is read in linear time: the declarations before each
    formula are looked for only since the formula before (it was quadratic: 130 s for 11,000)."""
    from vi_sym.frontends import markdown
    read = []
    original = markdown._Reader.declare

    def counting(self, text, line_of, start=0, end=None):
        read.append((end if end is not None else len(text)) - start)
        return original(self, text, line_of, start, end)
    monkeypatch.setattr(markdown._Reader, "declare", counting)
    text = "<!-- vi_sym: latent: w -->\n" + "".join(f"$$ w_{{{i}}} = 1 $$\n" for i in range(400))
    ds, errors = load_text(text, "n.md", reader_for("n.md"))
    assert sum(read) <= 2 * len(text)
    assert ds or errors
