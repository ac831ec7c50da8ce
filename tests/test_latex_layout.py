"""Typesetting that carries no mathematics is blanked before a block's rows are read: a row break's
spacing ``\\\\[4pt]``, equation numbers (``\\label``, ``\\tag``, ``\\nonumber``) with the full stop
before them, and the labels of ``\\underbrace{A}_{\\text{ELBO}}`` / ``\\overbrace{A}^{…}`` (A is read).
Columns stay the note's; a slip under a brace is still FAILED."""
import pytest

from vi_sym.core import Status
from vi_sym.frontends.latex_layout import blank_layout
from vi_sym.settings import Settings
from conftest import load_as, reasons, statuses_as

SETTINGS = Settings(families=("all",), samples=8, jobs=1, fixes=False)


_load = load_as


def _statuses(text):
    return statuses_as(text, SETTINGS)


@pytest.mark.parametrize("text, kept", [
    (r"a \\[4pt] b", r"a \\      b"),
    (r"a \\[-1.5ex]b", r"a \\        b"),
    (r"x = \underbrace{a + \underbrace{b}_{c}}_{\text{d}} + e", None),
    (r"\overbrace{A}^{\text{reconstruction}} - B. \label{eq:1}", None),
    (r"\underbrace{K}_x + 1 \tag{3}", None),
    (r"p(z) \nonumber \\", None),
])
def test_blanks_keep_every_column(text, kept):
    out = blank_layout(text)
    assert len(out) == len(text)
    if kept is not None:
        assert out == kept
    for gone in ("underbrace", "overbrace", "label", "tag", "nonumber", "[4pt]", "{c}", "text{d}", "reconstruction"):
        assert gone not in out
    # what is not typesetting is where it was
    for i, c in enumerate(out):
        assert c == " " or c == text[i]


def test_a_bracket_row_after_a_plain_break_is_kept():
    assert blank_layout(r"a \\ [b + c] = d") == r"a \\ [b + c] = d"


UNDERBRACED = (r"$$\log p(x) = \underbrace{\mathbb{E}_{q(z)}\left[\log \frac{p(x, z)}{q(z)}\right]}_{\text{ELBO}}"
               r" + \underbrace{\mathrm{KL}(q(z) \| p(z \mid x))}_{\geq 0}$$" + "\n")


def test_a_labelled_decomposition_is_proved():
    assert _statuses(UNDERBRACED) == [Status.PROVED]


def test_a_slip_under_a_brace_is_failed():
    assert _statuses(UNDERBRACED.replace(r"+ \underbrace{\mathrm{KL}", r"- \underbrace{\mathrm{KL}")) == [Status.FAILED]


def test_an_eqnarray_with_spacing_and_numbers_is_read():
    text = ("\\begin{eqnarray}\n\\log p(x) &=& \\mathcal{L}(q) + \\mathrm{KL}(q \\| p) \\\\[4pt]\n"
            "&\\geq& \\mathcal{L}(q) \\qquad \\text{(since KL $\\geq 0$)}\n\\end{eqnarray}\n\n"
            "\\begin{align*}\n\\mathrm{ELBO}(q) &= \\mathbb{E}_q[\\log p(x,z)] - \\mathbb{E}_q[\\log q(z)] \\nonumber \\\\\n"
            "&= \\mathbb{E}_q[\\log p(x \\mid z)] - \\mathrm{KL}(q(z) \\,\\|\\, p(z)). \\label{eq:elbo}\n\\end{align*}\n")
    assert _statuses(text) == [Status.PROVED] * 4


def test_an_error_after_a_brace_is_at_its_column():
    row = "$$ \\underbrace{\\log p(x)}_{\\text{evidence}} = \\log p(x) + \\foo $$"
    ds, errors = _load(f"text\n\n{row}\n")
    messages = reasons(ds, errors)
    assert any(f"column {row.index('foo')}" in m for m in messages), messages


CONTINUED = r"""$$
\begin{aligned}
\log p(x) &= \mathbb{E}_{q(z)}[\log p(x \mid z)] - \mathrm{KL}(q(z) \| p(z)) \\
&\quad + \mathrm{KL}(q(z) \| p(z \mid x)) \\
&= \mathcal{L}(q) + \mathrm{KL}(q(z) \| p(z \mid x))
\end{aligned}
$$
"""


def test_a_row_continuing_the_one_before_is_joined_to_it():
    # it was read as an expression of its own: the first row alone was FAILED, a false alarm
    ds, errors = _load(CONTINUED)
    assert not errors
    [d] = ds
    assert len(d.steps) == 2
    assert _statuses(CONTINUED) == [Status.PROVED, Status.PROVED]


@pytest.mark.parametrize("lead", [r"&\quad +", r"& +", r"&\qquad\; +", r"&\phantom{=} +", r"& {} +"])
def test_every_spacing_before_the_operator_continues_the_row(lead):
    assert _statuses(CONTINUED.replace(r"&\quad +", lead)) == [Status.PROVED, Status.PROVED]


def test_a_slip_in_a_continued_row_is_failed():
    assert _statuses(CONTINUED.replace(r"&\quad +", r"&\quad -")) == [Status.FAILED, Status.FAILED]


def test_a_new_expression_after_a_row_is_not_joined():
    # in align a new equation has its left side before the '&': a leading minus starts it
    text = "$$\\begin{aligned}\na &= a \\\\\n-\\mathcal{L}(q) &= -\\mathcal{L}(q)\n\\end{aligned}$$\n"
    out = blank_layout(text)
    assert "\\\\" in out and out.count("&") == 2


def test_split_and_multline_rows_are_one_equation():
    split = ("$$\\begin{split}\n\\mathrm{KL}(q \\| p) = {} & \\mathbb{E}_q[\\log q(z)] \\\\\n"
             "& - \\mathbb{E}_q[\\log p(z \\mid x)]\n\\end{split}$$\n")
    multline = ("\\begin{multline}\n\\mathrm{KL}(q \\| p) = \\mathbb{E}_q[\\log q(z)] \\\\\n"
                "- \\mathbb{E}_q[\\log p(z \\mid x)]\n\\end{multline}\n")
    assert _statuses(split) == [Status.PROVED]
    assert _statuses(multline) == [Status.PROVED]


def test_an_error_in_a_continued_row_is_on_its_own_line_and_column():
    text = CONTINUED.replace(r"p(z \mid x)) \\", r"p(z \mid x)) + \foo \\", 1)
    ds, errors = _load(text)
    line = text.splitlines()[3]
    messages = reasons(ds, errors)
    want = f"n.md:4: no step read here: column {line.index(chr(92) + 'foo') + 1}"
    assert any(m.startswith(want) for m in messages), messages


@pytest.mark.parametrize("arrow", [r"\Rightarrow", r"\implies", r"\Longrightarrow", r"\iff", r"\therefore"])
def test_an_implication_is_two_statements_each_checked(arrow):
    text = f"$$\\mathrm{{KL}}(q \\| p) \\geq 0 {arrow} \\log p(x) \\geq \\mathcal{{L}}(q)$$\n"
    ds, errors = _load(text)
    assert not errors and [len(d.steps) for d in ds] == [1, 1]
    assert len({d.name for d in ds}) == 2
    assert _statuses(text) == [Status.PROVED, Status.PROVED]


def test_a_wrong_consequence_of_an_implication_is_failed():
    text = "$$\\mathrm{KL}(q \\| p) \\geq 0 \\implies \\log p(x) \\leq \\mathcal{L}(q)$$\n"
    assert _statuses(text) == [Status.PROVED, Status.FAILED]


def test_an_arrow_inside_text_is_prose():
    assert blank_layout(r"a = b \quad \text{so $\Rightarrow$ c}") == r"a = b \quad \text{so $\Rightarrow$ c}"
