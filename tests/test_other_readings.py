"""A closed form copied from a table with another convention: Wikipedia's shape-scale Gamma(k, θ),
Weibull(λ, k) with the scale first, N(μ, σ) with the standard deviation, Exp(β) with the mean.

The names Gamma(k, θ) and Weibull(λ, k) are read as those tables mean them (said in a warning);
any other formula is read in the readers' convention, and when it is FAILED there but PROVED under
another table's reading, that reading is its first likely fix -- never its verdict.  A closed form
about a distribution of x (observed in the note's model) has x as what it integrates over."""
from __future__ import annotations

import pytest

from vi_sym.checker import Settings, check_derivations
from vi_sym.distributions.conventions import READINGS
from vi_sym.frontends import load_text, reader_for

SETTINGS = Settings(families=("all",), samples=12, jobs=1, fixes=True)


def _check(text: str, suffix: str = ".md"):
    ds, errors = load_text(text, f"n{suffix}", reader_for(f"n{suffix}"))
    assert not errors, errors
    return [r for r in check_derivations(ds, SETTINGS).results if not r.step_id.endswith("'")], ds


def _said(ds) -> str:
    return " ".join(w.message for d in ds for w in d.warnings)


# a correct closed form in another table's convention, and the words of the reading that proves it
OTHER = [
    ("$$\\mathbb{H}[\\mathrm{Gamma}(a, s)] = a + \\ln s + \\ln\\Gamma(a) + (1-a)\\psi(a)$$", "s as the scale (rate 1/s)"),
    ("$$\\mathbb{E}_{z \\sim \\mathrm{InvGamma}(a, r)}[\\log z] = -\\ln r - \\psi(a)$$", "r as a rate (scale 1/r)"),
    ("$$\\mathbb{E}_{z \\sim \\mathrm{Exp}(\\beta)}[z^2] = 2\\beta^2$$", "β as the mean (rate 1/β)"),
    ("$$\\mathbb{E}_{z \\sim \\mathrm{Weibull}(s, c)}[z] = s\\,\\Gamma(1 + 1/c)$$", "s as the scale and c as the shape"),
    ("$$D_{\\mathrm{KL}}(\\mathcal{N}(\\mu_1, \\sigma_1) \\| \\mathcal{N}(\\mu_2, \\sigma_2)) = "
     "\\log\\frac{\\sigma_2}{\\sigma_1} + \\frac{\\sigma_1^2 + (\\mu_1 - \\mu_2)^2}{2\\sigma_2^2} - \\frac{1}{2}$$",
     "σ1 as the standard deviation"),
    ("$$\\mathbb{E}_{z \\sim \\mathrm{NegBin}(r, p)}[z] = \\frac{r p}{1 - p}$$", "p as the failure probability"),
]


@pytest.mark.parametrize("row, words", OTHER)
def test_a_closed_form_in_another_tables_convention_is_failed_with_that_reading_as_its_fix(row, words):
    (r,), _ = _check(f"# closed form\n\n{row}\n")
    assert r.status.name == "FAILED"
    first = r.fixes[0]
    assert first["edit"] == "other_reading" and words in first["description"], r.fixes
    assert first["verdict"] == "PROVED"


@pytest.mark.parametrize("row", [
    "$$\\mathbb{H}[\\mathrm{Gamma}(a, s)] = a + 2\\ln s + \\ln\\Gamma(a) + (1-a)\\psi(a)$$",   # wrong both ways
    "$$\\mathbb{E}_{z \\sim \\mathrm{Exp}(\\beta)}[z^2] = 3\\beta^2$$",
])
def test_a_formula_wrong_in_every_reading_gets_no_reading_as_its_fix(row):
    (r,), _ = _check(f"# closed form\n\n{row}\n")
    assert r.status.name == "FAILED"
    assert all(f["edit"] != "other_reading" for f in r.fixes)


def test_every_kind_with_another_reading_is_a_kind():
    from vi_sym.distributions import SPECS
    assert set(READINGS) <= set(SPECS)


@pytest.mark.parametrize("row, status, said", [
    ("$$\\mathbb{H}[\\mathrm{Gamma}(k, \\theta)] = k + \\ln\\theta + \\ln\\Gamma(k) + (1-k)\\psi(k)$$", "PROVED",
     "shape k, scale θ"),
    ("$$\\mathbb{E}_{z \\sim \\mathrm{Gamma}(k, \\theta)}[z] = k / \\theta$$", "FAILED", "shape k, scale θ"),
    ("$$\\mathbb{H}[\\mathrm{Gamma}(\\alpha, \\beta)] = \\alpha - \\ln\\beta + \\ln\\Gamma(\\alpha) + (1-\\alpha)\\psi(\\alpha)$$",
     "PROVED", "shape α, rate β"),
    ("$$\\mathbb{H}[\\mathrm{Weibull}(\\lambda, k)] = \\gamma\\left(1 - \\frac{1}{k}\\right) + \\ln\\frac{\\lambda}{k} + 1$$",
     "PROVED", "scale λ, shape k"),
    ("$$\\mathbb{H}[\\mathrm{Weibull}(k, \\lambda)] = \\gamma\\left(1 - \\frac{1}{k}\\right) + \\ln\\frac{\\lambda}{k} + 1$$",
     "PROVED", "shape k, scale λ"),
])
def test_the_names_gamma_k_theta_and_weibull_lambda_k_are_read_as_their_tables_mean_them(row, status, said):
    (r,), ds = _check(f"# closed form\n\n{row}\n")
    assert r.status.name == status
    assert said in _said(ds)


@pytest.mark.parametrize("suffix, text, expected", [
    (".md", "# x\n\n$$\\mathbb{E}_{x \\sim \\mathrm{Gamma}(a, b)}[x] = \\frac{a}{b}$$\n\n"
            "$$\\mathbb{H}[\\mathcal{N}(x \\mid \\mu, \\sigma^2)] = \\frac{1}{2}\\log(2\\pi e\\sigma^2)$$\n\n"
            "$$\\mathbb{E}_{X \\sim \\mathrm{Exp}(\\lambda)}[X^2] = \\frac{1}{\\lambda^2}$$\n",
     ["PROVED", "PROVED", "FAILED"]),
    (".txt", "E_{x~Gamma(a, b)}[x] = a/b\nH(N(x; m, s^2)) = log(2*pi*e*s^2)\nE_{X~Exp(lam)}[X^2] = 2/lam^2\n",
     ["PROVED", "FAILED", "PROVED"]),
])
def test_a_closed_form_about_a_distribution_of_x_integrates_over_x(suffix, text, expected):
    """x is the note's observed variable by default: a formula that writes a distribution of x and
    no density of the model has x as a latent there (it was 'x is not a latent variable')."""
    results, ds = _check(text, suffix)
    assert [r.status.name for r in results] == expected
    assert "observed in the note's model, is the variable of a distribution written in this formula" in _said(ds)


def test_a_formula_naming_the_models_density_keeps_x_observed():
    text = ("# model\n\n$$\\mathbb{E}_{x \\sim \\mathrm{Gamma}(a, b)}[x] = \\frac{a}{b}$$\n\n"
            "$$\\log p(x) = \\mathbb{E}_{q(z)}[\\log p(x, z) - \\log q(z)] + D_{\\mathrm{KL}}(q(z) \\| p(z \\mid x))$$\n")
    ds, errors = load_text(text, "n.md", reader_for("n.md"))
    assert not errors, errors
    second = ds[-1].steps[0]
    assert [str(v) for v in second.context.observed] == ["x"]
    assert [str(v) for v in second.context.latent] == ["z"]


@pytest.mark.parametrize("latex, row, drawn", [
    (True, "\\mathbb{E}_{x \\sim \\mathrm{Bern}(p)}[x] = p", {"x"}),
    (True, "\\mathbb{H}[\\mathcal{N}(x \\mid \\mu, \\sigma^2)] = 1", {"x"}),
    (True, "\\mathbb{E}_{q}[\\log \\mathcal{N}(x \\mid z, 1)] = 1", set()),       # the model's q: x is data
    (True, "\\log p_\\theta(x \\mid z) = \\log \\mathcal{N}(x \\mid z, 1)", set()),
    (True, "\\mathbb{E}_{z \\sim \\mathcal{N}(0, 1)}[z^2] = 1", set()),            # z is no observed name
    (False, "E_{x~Bern(p)}[x] = p", {"x"}),
    (False, "H(N(x; m, s^2)) = 1", {"x"}),
    (False, "E_q[log N(x; z, 1)] = 1", set()),
    (False, "log p(x|z) = log N(x; z, 1)", set()),
])
def test_an_observed_name_is_drawn_in_a_formula_only_when_it_names_no_density_of_the_model(latex, row, drawn):
    from types import SimpleNamespace

    from vi_sym.frontends.sampled import drawn_here
    reader = SimpleNamespace(observed=["x", "X"], here=set(), unsaid=[])
    assert drawn_here(reader, row, latex, 1) == drawn


@pytest.mark.parametrize("row, expected", [
    # the textbooks' other geometric, counting the trials (on 1, 2, …): a change of variable, not of
    # parameter; offered as the fix of a closed form that holds in it
    ("$$\\mathbb{E}_{N \\sim \\mathrm{Geom}(p)}[N] = \\frac{1}{p}$$", "other"),
    ("$$\\mathbb{E}_{N \\sim \\mathrm{Geom}(p)}[N^2] = \\frac{2 - p}{p^2}$$", "other"),
    ("$$\\mathbb{E}_{N \\sim \\mathrm{Geom}(p)}[N] = \\frac{1-p}{p}$$", "PROVED"),       # the one read
    ("$$\\mathbb{E}_{N \\sim \\mathrm{Geom}(p)}[N] = \\frac{2}{p}$$", "none"),           # wrong both ways
])
def test_the_geometric_counting_trials_is_another_reading(row, expected):
    (r,), _ = _check(f"# closed form\n\n{row}\n")
    if expected == "PROVED":
        assert r.status.name == "PROVED"
        return
    assert r.status.name == "FAILED"
    readings = [f for f in r.fixes if f["edit"] == "other_reading"]
    if expected == "none":
        assert not readings, r.fixes
    else:
        assert readings and "the trials up to the first success counted (on 1, 2, …)" in readings[0]["description"]
        assert readings[0]["verdict"] == "PROVED" and r.fixes[0] is readings[0]


@pytest.mark.parametrize("text, words", [
    # a parameter to the wrong power: the Gamma's variance a/b for a/b², a spread for a variance
    ("X ~ Gamma(a, b)\nVar(X) = a/b\n", "1/b² instead of 1/b on the right"),
    ("X ~ Gamma(a, b)\nE[X] = a/b^2\n", "1/b instead of 1/b² on the right"),
])
def test_a_power_slip_is_the_first_likely_fix(text, words):
    ds, errors = load_text(text, "n.txt", reader_for("n.txt"))
    assert not errors
    (r,) = check_derivations(ds, SETTINGS).results
    assert r.status.name == "FAILED"
    assert words in r.fixes[0]["description"] and r.fixes[0]["verdict"] == "PROVED", r.fixes
