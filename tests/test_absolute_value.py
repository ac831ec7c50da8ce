"""Absolute values as closed-form tables write them: |a| in plain text; |a|, \\left| a \\right|,
\\lvert a \\rvert, \\vert a \\vert in LaTeX -- while a bar inside a density's or a distribution's
brackets still conditions (p(x|z), \\mathrm{Gam}(\\tau | a, b))."""
import pytest
from sympy import Abs, Symbol

from vi_sym.core import Status
from vi_sym.frontends.latex_abs import CLOSE, OPEN, mark_abs
from vi_sym.parse import ParseEnv, ParseError, parse_expression
from vi_sym.settings import Settings

from conftest import load_as, reasons, statuses_as

SETTINGS = Settings(families=("all",), samples=10, jobs=1, fixes=False)
LAPLACE_KL = (r"D_{KL}(\mathrm{Laplace}(\mu_1, b_1) \| \mathrm{Laplace}(\mu_2, b_2)) = \log\frac{b_2}{b_1} + "
              r"\frac{%s}{b_2} + \frac{b_1}{b_2} e^{-%s/b_1} - 1")


@pytest.mark.parametrize("bars", [("|", "|"), (r"\left|", r"\right|"), (r"\lvert", r"\rvert"), (r"\vert", r"\vert")])
def test_the_laplace_kl_with_its_absolute_value_is_proved_in_each_spelling(bars):
    a = f"{bars[0]}\\mu_1 - \\mu_2{bars[1]}"
    assert statuses_as(f"$${LAPLACE_KL % (a, a)}$$\n", SETTINGS) == [Status.PROVED]


def test_a_wrong_closed_form_with_an_absolute_value_is_failed():
    row = (LAPLACE_KL % (r"|\mu_1 - \mu_2|", r"|\mu_1 - \mu_2|")).replace("/b_1}", "/b_2}")
    assert statuses_as(f"$${row}$$\n", SETTINGS) == [Status.FAILED]


def test_plain_text_reads_bars_as_an_absolute_value():
    x = Symbol("x")
    env = ParseEnv(variables={"x": x})
    assert parse_expression("|x - 1| + 2", env) == Abs(x - 1) + 2
    with pytest.raises(ParseError, match="missing '\\|' to close '\\|'"):
        parse_expression("|x - 1 + 2", env)
    assert statuses_as("E_{z~Laplace(0, b)}[|z|] = b\n", SETTINGS, "n.txt") == [Status.PROVED]


@pytest.mark.parametrize("text", [
    r"\log p(x|z) + \log q_\phi(z|x)",
    r"\mathbb{H}[\mathrm{Gam}(\tau | a, b)]",
    r"\mathbb{E}_{q(z|x)}[f] = \mathbb{E}[f | x]",          # one bar in its group: left alone
    r"\mathrm{KL}(q \| p) + D(q || p)",
])
def test_conditional_bars_are_left_as_they_are(text):
    assert mark_abs(text) == text


def test_pairs_are_marked_in_place_and_keep_every_column():
    text = r"\frac{|a - b|}{c} + p(x|z) \vert d \vert"
    out = mark_abs(text)
    assert len(out) == len(text)
    assert out.count(OPEN) == out.count(CLOSE) == 2 and "p(x|z)" in out


def test_an_error_after_an_absolute_value_names_the_column_as_written():
    ds, errors = load_as(r"$$|a - b| = \frac{1}$$" "\n<!-- vi_sym: parameters: a b -->\n")
    said = " ".join(reasons(ds, errors))
    assert "column 13: \\frac takes 2 argument(s)" in said and "\ue000" not in said
    ds, errors = load_as(r"$$|a - b| = \frac{1}{2}}$$" "\n<!-- vi_sym: parameters: a b -->\n")
    said = " ".join(reasons(ds, errors))
    assert "column 24" in said and "\ue000" not in said
