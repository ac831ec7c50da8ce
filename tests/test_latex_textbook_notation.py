"""Notation copied from the textbooks, as learners write it in Markdown and notebooks: PRML's
bold \\mathbf{X} and \\ln\\left\\{…\\right\\}, Blei et al.'s E[·] without a subscript, \\tag*{…},
\\theta_0, PRML's \\mathcal{L}(q, \\theta), Kingma & Welling's \\mathcal{L}(\\theta, \\phi; x) and the
bound of a p_θ model, two relations in one sentence, a notebook's declarations in an earlier cell,
and \\text{const} after E_{-z_1}[…]."""
from __future__ import annotations

import nbformat
import pytest
from sympy import E, Integral, Symbol, exp, log, pi

from vi_sym.checker import Settings, check_derivations
from vi_sym.core import Status
from vi_sym.families import FAMILIES
from vi_sym.frontends import load_text
from vi_sym.frontends.latex import parse_row
from vi_sym.frontends.markdown import read_markdown
from vi_sym.frontends.notebook import read_notebook
from vi_sym.notation import UnicodePrinter
from vi_sym.parse import ParseError
from vi_sym.vocabulary import ELBO, Const, Density, Expectation

x, z, X, Z = Symbol("x"), Symbol("z"), Symbol("X"), Symbol("Z")
theta, phi, theta0 = Symbol("θ", real=True), Symbol("φ", real=True), Symbol("θ0", real=True)
V = {"x": x, "z": z, "X": X, "Z": Z, "θ": theta, "φ": phi, "θ0": theta0}
SETTINGS = Settings(families=tuple(sorted(FAMILIES)), samples=5, jobs=1, fixes=False)


def _one(text, latent="z", observed="x"):
    return parse_row(text, V, latent, observed)[-1][1]


@pytest.mark.parametrize("text, expected", [
    (r"q(\mathbf{Z})", Density("q", [Z])),
    (r"\int q(\boldsymbol{Z}) \ln p(\bm{X}) \,\mathrm{d}\mathbf{Z}", Integral(Density("q", [Z]) * log(Density("p", [X])), Z)),
    (r"\ln \left\{ \frac{p(X, Z)}{q(Z)} \right\}", log(Density("p", [X, Z]) / Density("q", [Z]))),
    (r"\exp\{ \ln p(X) \}", Density("p", [X])),
    (r"\mathbb{E}[\ln p(X, Z)]", Expectation(Density("q", [Z]), log(Density("p", [X, Z])))),
    (r"p(Z \mid X, \theta_0)", Density("p", [Z], [X, theta0])),
    (r"p(Z \mid X, \boldsymbol{\theta})", Density("p", [Z], [X, theta])),
    (r"\mathcal{L}(q, \theta)", ELBO(Density("q", [Z]), Density("p", [X, Z], [theta]))),
])
def test_textbook_notation_is_read(text, expected):
    assert _one(text, "Z", "X") == expected


def test_kingma_wellings_bound_is_the_bound_of_p_theta_with_q_phi():
    assert _one(r"\mathcal{L}(\theta, \phi; x)") == \
        ELBO(Density("q", [z], [x, phi]), Density("p", [x, z], [theta]))


@pytest.mark.parametrize("text, fragment", [
    (r"\mathcal{L}(q, z)", "must be a declared parameter"),
    (r"\mathcal{L}(q \| \theta)", "separates its arguments by ','"),
])
def test_a_malformed_bound_says_what_is_wrong(text, fragment):
    with pytest.raises(ParseError) as err:
        _one(text)
    assert fragment in str(err.value)


@pytest.mark.parametrize("tag", [r"\tag{10.3}", r"\tag*{(KL)}", r"\label{eq:elbo}", r"\tag {3}"])
def test_tags_and_labels_are_not_part_of_the_formula(tag):
    items = parse_row(r"\log p(x) = \mathcal{L}(q) + D_{KL}(q \| p) " + tag, V, "z", "x")
    assert len(items) == 2 and not items[1][1].free_symbols - {x, z}


def test_two_relations_in_one_sentence_are_two_chains_not_an_error():
    ds, errs = load_text(r"Right $\log p(x) \geq \mathcal{L}(q)$ and wrong $\log p(x) \leq \mathcal{L}(q)$."
                         "\n", "n.md", read_markdown)
    assert errs == [] and [d.name for d in ds] == ["n_line1", "n_line1b"]
    assert [r.status for r in check_derivations(ds, SETTINGS).results] == [Status.PROVED, Status.FAILED]


P_THETA = ("<!-- vi_sym: parameters: \\theta \\phi -->\n\n"
           "$\\log p_\\theta(x) - \\mathcal{L}(q_\\phi(z|x)) = D_{\\mathrm{KL}}(q_\\phi(z|x) \\| p_\\theta(z|x))$\n\n"
           "$\\log p_\\theta(x) - \\mathcal{L}(q_\\phi(z|x)) = D_{\\mathrm{KL}}(q_\\phi(z|x) \\| p_\\theta(z))$\n")


def test_the_bound_in_a_p_theta_chain_is_the_bound_of_p_theta():
    ds, errs = load_text(P_THETA, "n.md", read_markdown)
    assert errs == [] and ds[0].steps[0].lhs.atoms(ELBO) == \
        {ELBO(Density("q", [z], [x, phi]), Density("p", [x, z], [theta]))}
    assert [r.status for r in check_derivations(ds, SETTINGS).results] == [Status.PROVED, Status.FAILED]


def test_a_notebooks_declarations_hold_in_its_later_cells():
    nb = nbformat.v4.new_notebook()
    head, body = P_THETA.split("\n\n", 1)
    nb.cells = [nbformat.v4.new_markdown_cell(head), nbformat.v4.new_code_cell("x = 1"),
                nbformat.v4.new_markdown_cell(body)]
    ds, errs = load_text(nbformat.writes(nb), "v.ipynb", read_notebook)
    assert errs == [] and [d.name for d in ds] == ["v_cell3_line1", "v_cell3_line3"]
    assert Density("p", [x], [theta]) in ds[0].steps[0].lhs.atoms(Density)
    assert [r.status for r in check_derivations(ds, SETTINGS).results] == [Status.PROVED, Status.FAILED]


@pytest.mark.parametrize("rhs, status", [
    (r"\mathbb{E}_{-z_1}\left[ \log p(x, z_1, z_2) \right] + \text{const}", Status.PROVED),
    (r"\mathbb{E}_{-z_1}\left[ \log p(x, z_2) \right] + \text{const}", Status.FAILED),
])
def test_const_after_an_expectation_but_one_factor_is_const_in_the_factor_kept(rhs, status):
    text = ("<!-- vi_sym: latent: z_1 z_2 -->\n<!-- vi_sym: factorised: q(z1)*q(z2) -->\n\n"
            "$$\n\\mathbb{E}_{-z_1}\\left[ \\log p(z_1 \\mid z_2, x) \\right] = " + rhs + "\n$$\n")
    ds, errs = load_text(text, "n.md", read_markdown)
    assert errs == [] and ds[0].steps[0].rhs.atoms(Const) == {Const(Symbol("z1"))}
    assert [r.status for r in check_derivations(ds, SETTINGS).results] == [status]


sigma, mu = Symbol("σ", positive=True), Symbol("μ", real=True)


@pytest.mark.parametrize("text, expected", [
    (r"\log \sigma^2", log(sigma ** 2)),             # the exponent is the argument's, as in print
    (r"\log \sigma^{2}", log(sigma ** 2)),
    (r"\log(\sigma)^2", log(sigma) ** 2),            # a bracketed argument: the log is squared
    (r"\log\left(\sigma\right)^2", log(sigma) ** 2),
    (r"\log{\left(\sigma \right)}^{2}", log(sigma) ** 2),   # sympy's own LaTeX
    (r"\exp \mu^2", exp(mu ** 2)),
    (r"\log \sigma^2 \mu", log(sigma ** 2 * mu)),    # numbers and symbols side by side: the argument
    (r"\log 2\pi", log(2 * pi)),                    # \pi is the number π
    (r"\frac{1}{2}\log 2\pi e\sigma^2", log(2 * pi * E * sigma ** 2) / 2),   # e is Euler's number
    (r"\log 2 \cdot \pi", log(2) * pi),             # \cdot ends the argument
    (r"\log(2)\pi", log(2) * pi),                   # so does a bracket
    (r"\log \sigma^2 - \mu", log(sigma ** 2) - mu),  # and an operator
    (r"\mu \log \sigma \mu", mu * log(sigma * mu)),
])
def test_a_bare_argument_takes_its_exponent(text, expected):
    assert parse_row(text, {"σ": sigma, "μ": mu, "z": z, "x": x}, "z", "x")[0][1] == expected


def test_log_of_a_square_is_not_the_square_of_a_log():
    """(log σ)² = log σ² read as log σ · log σ was PROVED: a wrong step proved by a misreading."""
    text = ("<!-- vi_sym: positive: \\sigma -->\n\n$$\\log \\sigma^2 = \\log \\sigma \\cdot \\log \\sigma$$\n\n"
            "$$\\tfrac{1}{2}\\left(\\sigma^2 - 1 - \\log \\sigma^2\\right) = \\tfrac{1}{2}\\left(\\sigma^2 - 1\\right) - \\log \\sigma$$\n")
    ds, errs = load_text(text, "n.md", read_markdown)
    assert errs == []
    assert [r.status for r in check_derivations(ds, SETTINGS).results] == [Status.FAILED, Status.PROVED]


def test_the_gaussian_normaliser_is_read_as_the_log_of_the_product():
    """``\\log 2\\pi\\sigma^2`` is log(2πσ²) (a Gaussian's normaliser, as textbooks typeset it):
    read as log 2 · π · σ², the correct split was FAILED and the wrong one -- a learner's
    ``\\log 2\\pi + \\log\\sigma`` -- could not be told from it."""
    text = ("<!-- vi_sym: positive: \\sigma -->\n\n"
            "$$\\frac{1}{2}\\log 2\\pi\\sigma^2 = \\frac{1}{2}\\log 2\\pi + \\log \\sigma$$\n\n"
            "$$\\frac{1}{2}\\log 2\\pi\\sigma^2 = \\frac{1}{2}\\log 2\\pi + \\frac{1}{2}\\log \\sigma$$\n")
    ds, errs = load_text(text, "n.md", read_markdown)
    assert errs == []
    assert [r.status for r in check_derivations(ds, SETTINGS).results] == [Status.PROVED, Status.FAILED]


def test_an_indexed_normaliser_in_a_sum_is_read_as_the_log_of_the_product():
    """Inside a sum, ``\\log 2\\pi\\sigma_j^2`` is log(2πσ_j²) as well (a VAE's per-dimension
    normaliser), not log 2 · π · σ_j²."""
    text = ("<!-- vi_sym: positive: \\sigma[1..J] J -->\n\n"
            "$$\\frac{1}{2}\\sum_{j=1}^{J} \\log 2\\pi\\sigma_j^2 = "
            "\\frac{1}{2}\\sum_{j=1}^{J} \\left(\\log 2\\pi + 2\\log \\sigma_j\\right)$$\n\n"
            "$$\\frac{1}{2}\\sum_{j=1}^{J} \\log 2\\pi\\sigma_j^2 = "
            "\\frac{1}{2}\\sum_{j=1}^{J} \\left(\\log 2\\pi + \\log \\sigma_j\\right)$$\n")
    ds, errs = load_text(text, "n.md", read_markdown)
    assert errs == []
    assert [r.status for r in check_derivations(ds, SETTINGS).results] == [Status.PROVED, Status.FAILED]


def test_the_square_of_a_log_is_printed_unambiguously():
    printer = UnicodePrinter()
    assert printer.doprint(log(sigma) ** 2) == "log(σ)²" and printer.doprint(log(sigma ** 2)) == "log(σ²)"
    assert printer.doprint(log(sigma) + mu) == "μ + log σ"          # a bare log elsewhere stays bare
