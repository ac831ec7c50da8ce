"""LaTeX notation read by the Markdown reader besides ``\\sum``: ``\\sigma^2_j`` (the square of
σ_j, exactly as ``\\sigma_j^2``), Greek letters indexed by a sum's index (``\\mu_k``,
``\\sigma_{k}``) and products ``\\prod_{n=1}^{N}``; a wrong step written in them is never PROVED."""
from __future__ import annotations

import pytest
from sympy import Indexed, IndexedBase, Product, Symbol, log

from conftest import KL_HEADER, KL_VI, VAE_FORM
from vi_sym.checker import Settings, check_derivations
from vi_sym.core import Status
from vi_sym.frontends import load_text
from vi_sym.frontends.latex import parse_row
from vi_sym.frontends.markdown import read_markdown
from vi_sym.parse import ParseError

KW_FORM = r"-\frac{1}{2}\sum_{j=1}^{J}\left(1 + \log \sigma^2_j - \mu^2_j - \sigma^2_j\right)"
KW_SIGN = r"-\frac{1}{2}\sum_{j=1}^{J}\left(1 - \log \sigma^2_j - \mu^2_j - \sigma^2_j\right)"
KW_FIRST_POWER = r"-\frac{1}{2}\sum_{j=1}^{J}\left(1 + \log \sigma^2_j - \mu^2_j - \sigma_j\right)"


V = {"z": Symbol("z"), "x": Symbol("x"), "σ": Symbol("σ", positive=True), "μ": Symbol("μ", real=True),
     "J": Symbol("J", positive=True, integer=True)}
j, k = Symbol("j", integer=True), Symbol("k", integer=True)
SIGMA, MU = IndexedBase(V["σ"]), IndexedBase(V["μ"])


def md(text):
    ds, errs = load_text(text, "n.md", read_markdown)
    assert errs == [], errs
    return ds


def check(ds):
    return [r.status for r in check_derivations(ds, Settings(families=("all",), samples=5, jobs=1,
                                                             fixes=False)).results]


def row(text):
    return parse_row(text, dict(V), "z", "x", indexed=("σ", "μ"))


@pytest.mark.parametrize("written", [r"\sigma^2_j", r"\sigma^{2}_{j}", r"\sigma ^ 2 _ j", r"\sigma_j^2"])
def test_the_square_written_before_the_index_is_the_square_of_the_coordinate(written):
    ((_, e, *_),) = row(rf"\sum_{{j=1}}^{{J}} {written}")
    assert e == row(r"\sum_{j=1}^{J} \sigma_j^2")[0][1] == \
        row(r"\sum_{j=1}^{J} \sigma_j^2")[0][1].func(Indexed(SIGMA, j) ** 2, (j, 1, V["J"]))


def test_the_square_before_the_index_is_not_a_power_of_the_index_nor_of_another_letter():
    ((_, e, *_),) = row(r"\sum_{j=1}^{J} \sigma^3_j")
    assert e.function == Indexed(SIGMA, j) ** 3
    # a bare log takes it as it takes sigma_j^2: log(σ_j²), not log(σ_j)²
    assert row(r"\sum_{j=1}^{J} \log \sigma^2_j")[0][1] == row(r"\sum_{j=1}^{J} \log \sigma_j^2")[0][1]
    assert row(r"\sum_{j=1}^{J} \log 2\pi\sigma^2_j")[0][1] == row(r"\sum_{j=1}^{J} \log(2\pi\sigma_j^2)")[0][1]


def test_kingma_welling_with_the_square_before_the_index_reads_and_checks_as_the_vi_step():
    (d,) = md(KL_HEADER + f"\n$$\n{VAE_FORM}\n  = {KW_FORM}\n$$\n")
    (v,), errs = load_text(KL_VI, "kw.vi")
    assert errs == []
    assert (d.steps[0].lhs, d.steps[0].rhs) == (v.steps[0].lhs, v.steps[0].rhs)
    assert check([d]) == check([v]) == [Status.PROVED]


@pytest.mark.parametrize("wrong", [KW_SIGN, KW_FIRST_POWER])
def test_a_wrong_step_with_the_square_before_the_index_is_failed(wrong):
    (d,) = md(KL_HEADER + f"\n$$\n{VAE_FORM}\n  = {wrong}\n$$\n")
    assert check([d]) == [Status.FAILED]


@pytest.mark.parametrize("text, expected", [
    (r"\sum_{k=1}^{J} \mu_k", MU), (r"\sum_{k=1}^{J} \mu_{k}", MU),
    (r"\sum_{k=1}^{J} \sigma_{k}", SIGMA), (r"\sum_{k=1}^{J} \sigma_k", SIGMA),
])
def test_greek_letters_indexed_by_the_sum_are_its_coordinates(text, expected):
    ((_, e, *_),) = row(text)
    assert e.function == Indexed(expected, k) and e.limits == ((k, 1, V["J"]),)


def test_greek_letter_index_steps_check_as_the_vi_steps():
    ds = md(KL_HEADER + "\n$$\n\\sum_{k=1}^{J} (\\mu_k^2 + \\sigma_{k}^2) = \\sum_{k=1}^{J} \\mu_k^2 + "
                     "\\sum_{k=1}^{J} \\sigma^2_k\n$$\n\n"
                     "$$\n\\sum_{k=1}^{J} (\\mu_k^2 + \\sigma_{k}^2) = \\sum_{k=1}^{J} \\mu_k^2 + "
                     "\\sum_{k=1}^{J} \\sigma_k\n$$\n")
    vs, errs = load_text("derivation a\nlatent: z[1..J]\nparameters: μ[1..J]\npositive: σ[1..J] J\n\n"
                         "    sum(μ[k]^2 + σ[k]^2, (k, 1, J))\n  = sum(μ[k]^2, (k, 1, J)) + sum(σ[k]^2, (k, 1, J))\n",
                         "a.vi")
    assert errs == [] and (ds[0].steps[0].lhs, ds[0].steps[0].rhs) == (vs[0].steps[0].lhs, vs[0].steps[0].rhs)
    assert check(ds) == [Status.PROVED, Status.FAILED]


@pytest.mark.parametrize("text, column, words", [
    (r"1 = \mu_k", 5, "not the index of an enclosing sum"),
    (r"1 = \sigma^2_k", 5, "not the index of an enclosing sum"),
    (r"1 = \sum_{j=1}^{J} \sigma^2_k", 20, "not the index"),
    (r"1 = \prod_j \sigma_j", 5, "\\prod_{j=1}^{J}"),
    (r"1 = \prod_{j=1} \sigma_j", 5, "no upper limit"),
    (r"1 = \prod \sigma_j", 5, "no limits"),
    (r"1 = \prod_{z=1}^{J} \sigma_z", 12, "declared variable"),
    (r"1 = \prod_{j \geq 1}^{J} \sigma_j", 5, "index = lower limit"),
])
def test_bad_indices_and_products_say_what_is_wrong_and_where(text, column, words):
    with pytest.raises(ParseError) as err:
        row(text)
    assert err.value.column == column and words in str(err.value)


# ---------------------------------------------------------------------------- products

IID = "<!-- vi_sym: positive: N -->\n<!-- vi_sym: iid: X = x[1..N] -->\n"


def test_a_product_over_data_points_reads_as_a_product_of_the_points_densities():
    prod, total = md(IID + "\n$$\n\\log p(X|z) = \\log \\prod_{n=1}^{N} p(x_n \\mid z)\n$$\n\n"
                           "$$\n\\log p(X|z) = \\sum_{n=1}^{N} p(x_n \\mid z)\n$$\n")
    s = total.steps[0].rhs                  # the points' densities and limits, as a sum reads them
    assert prod.steps[0].rhs == log(Product(*s.args)) and str(s.function) == "p(x[n]|z)"


def test_the_product_takes_the_product_written_after_it_and_log_takes_the_product():
    ((_, e, *_),) = row(r"\log \prod_{j=1}^{J} \sigma_j \mu_j + 1")
    assert e == log(Product(Indexed(SIGMA, j) * Indexed(MU, j), (j, 1, V["J"]))) + 1


def test_a_wrong_product_step_is_never_proved():
    ds = md(IID + "\n$$\n\\log p(X) = \\log \\prod_{n=1}^{N} p(x_n)\n$$\n\n"
                  "$$\n\\log p(X|z) = \\log \\prod_{n=1}^{N} p(x_n|z)^2\n$$\n\n"
                  "$$\np(X|z) = \\prod_{n=1}^{N} p(x_n)\n$$\n")
    assert Status.PROVED not in check(ds)
