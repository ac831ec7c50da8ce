"""Closed forms stated by a label, as tables and prose state them: "- Mean: $…$" under a section
that names one distribution, "$\\mathrm{Laplace}(\\mu, b)$ has mean $\\mu$, variance $2b^2$ …", a
table row "| $\\mathrm{Exp}(\\lambda)$ | $1/\\lambda$ | …" -- each read as the claim it states (said
in a warning) and checked; a label whose distribution is not said (none, or two) stays prose.
The file was "no derivation" before: every such closed form went unchecked, silently."""
from __future__ import annotations

import pytest

from vi_sym.frontends import load_text, reader_for
from vi_sym.frontends.labelled import labelled_claims
from vi_sym.judge import judge
from vi_sym.settings import Settings


def _verdicts(text):
    ds, errors = load_text(text, "n.md", reader_for("n.md"))
    assert not errors, errors
    return [judge(d.steps[0], Settings(families=("all",), samples=8)).status.value for d in ds], ds


@pytest.mark.parametrize("text, expected", [
    ("## Beta $\\mathrm{Beta}(\\alpha, \\beta)$\n\n- Mean: $\\frac{\\alpha}{\\alpha+\\beta}$\n"
     "- **Variance**: $\\frac{\\alpha\\beta}{(\\alpha+\\beta)^2(\\alpha+\\beta+1)}$\n- Mean: $\\frac{\\beta}{\\alpha+\\beta}$\n",
     ["PROVED", "PROVED", "FAILED"]),
    ("The Laplace distribution $\\mathrm{Laplace}(\\mu, b)$ has mean $\\mu$, variance $2b^2$ and entropy "
     "$\\log(2be)$.\n", ["PROVED", "PROVED", "PROVED"]),
    ("The Laplace distribution $\\mathrm{Laplace}(\\mu, b)$ has variance $b^2$.\n", ["FAILED"]),
    ("| Distribution | Mean | Variance |\n|---|---|---|\n| $\\mathrm{Exp}(\\lambda)$ | $1/\\lambda$ | $1/\\lambda^2$ |\n"
     "| $\\mathrm{Pois}(\\lambda)$ | $\\lambda$ | $\\lambda^2$ |\n", ["PROVED", "PROVED", "PROVED", "FAILED"]),
    ("## t $\\mathrm{StudentT}(\\nu, 0, 1)$\n\n- Variance: $\\frac{\\nu}{\\nu - 2}$ for $\\nu > 2$\n", ["PROVED"]),
    ("## 지수분포 $\\mathrm{Exp}(\\lambda)$\n\n- 평균: $1/\\lambda$\n- 분산: $1/\\lambda$\n", ["PROVED", "FAILED"]),
    ("$\\mathrm{Beta}(a, b)$의 평균은 $\\frac{a}{a+b}$이고 분산은 $\\frac{a}{a+b}$이다.\n", ["PROVED", "FAILED"]),
])
def test_a_labelled_closed_form_is_checked(text, expected):
    got, ds = _verdicts(text)
    assert got == expected
    said = " ".join(w.message for d in ds for w in d.warnings)
    assert "written here, of the distribution named in" in said


@pytest.mark.parametrize("text", [
    "- Mean: $\\frac{a}{a+b}$\n",                                          # no distribution named
    "With a $\\mathrm{Beta}(a, b)$ prior and a $\\mathrm{Bern}(\\theta)$ likelihood:\n\n- Mean: $\\frac{a}{a+b}$\n",
    "## Beta $\\mathrm{Beta}(a, b)$\n\n- Mode: $\\frac{a - 1}{a + b - 2}$\n",   # no formula for a mode
])
def test_a_label_whose_distribution_or_quantity_is_not_said_stays_prose(text):
    assert labelled_claims(text) == []


def test_the_claim_is_read_at_the_values_line():
    (found,) = labelled_claims("## E $\\mathrm{Exp}(\\lambda)$\n\nsome prose\n\n* Entropy = $1 - \\log\\lambda$\n")
    offset, claim, label, where = found
    assert claim == "\\mathbb{H}[\\mathrm{Exp}(\\lambda)] = 1 - \\log\\lambda" and label.lower() == "entropy"
    assert where == "the section above"


@pytest.mark.parametrize("text, expected", [
    # plain text: of the one variable a statement draws, or of the distribution a line writes alone
    ("X ~ Beta(a, b)\nMean: a/(a + b)\nVariance: a*b/((a + b)^2*(a + b + 1))\n분산 = a/(a + b)\n",
     ["PROVED", "PROVED", "FAILED"]),
    ("Gamma 분포 Gamma(k, r)\n- 평균: k/r\n- Entropy: k - log(r) + loggamma(k) + (1 - k)*digamma(k)\n"
     "- Mean: r/k\n", ["PROVED", "PROVED", "FAILED"]),
    ("X ~ Beta(a, b)\n\nGamma(k, r)\nMean: k/r\n", ["PROVED"]),      # the nearer subject
])
def test_a_labelled_plain_text_line_is_checked(text, expected):
    ds, errors = load_text(text, "n.txt", reader_for("n.txt"))
    assert not errors, errors
    assert [judge(d.steps[0], Settings(families=("all",), samples=8)).status.value for d in ds] == expected
    assert "written here as" in " ".join(w.message for d in ds for w in d.warnings)


@pytest.mark.parametrize("text", ["Mean: a/(a + b)\n", "Gamma(k, r) and Beta(a, b)\nMean: k/r\n",
                                  "Gamma(k, r)\n\nMean: k/r\n"])
def test_a_plain_text_label_with_no_subject_is_not_a_claim(text):
    ds, errors = load_text(text, "n.txt", reader_for("n.txt"))
    assert not [s for d in ds for s in d.steps]


@pytest.mark.parametrize("text, expected", [
    ("Gamma(a, b) has mean a/b and variance a/b^2.\n", ["PROVED", "PROVED"]),
    ("Beta(a, b)의 평균은 a/(a + b)이고 분산은 a*b/((a + b)^2*(a + b + 1))이다.\n", ["PROVED", "PROVED"]),
    ("The Laplace distribution Laplace(m, b) has mean m, variance b^2 and entropy 1 + log(2*b).\n",
     ["PROVED", "FAILED", "PROVED"]),
])
def test_a_plain_text_sentence_stating_closed_forms(text, expected):
    ds, errors = load_text(text, "n.txt", reader_for("n.txt"))
    assert not errors, errors
    assert [judge(d.steps[0], Settings(families=("all",), samples=8)).status.value for d in ds] == expected
    assert "read the closed forms written here as" in " ".join(w.message for d in ds for w in d.warnings)


@pytest.mark.parametrize("text", [
    "We use Gamma(a, b) as a prior with a mean we choose later.\n",      # prose after the label
    "q(z) = N(z; m, s^2) with mean m\n",                                  # a formula line, not a sentence
    "Gamma(a, b) and Beta(c, d) have mean a/b\n",                         # two distributions
])
def test_a_plain_text_sentence_that_states_no_closed_form_is_left_alone(text):
    ds, errors = load_text(text, "n.txt", reader_for("n.txt"))
    assert not any("read the closed forms written here" in w.message for d in ds for w in d.warnings)


@pytest.mark.parametrize("name, text, expected", [
    ("n.md", "The mean of $\\mathrm{Gamma}(a, b)$ is $a/b$ and the variance of $\\mathrm{Gamma}(a, b)$ is $a/b$.\n",
     ["PROVED", "FAILED"]),
    ("n.md", "The entropy of a $\\mathcal{N}(\\mu, \\sigma^2)$ distribution is $\\frac{1}{2}\\log(2\\pi e\\sigma^2)$.\n",
     ["PROVED"]),
    ("n.txt", "The mean of Gamma(a, b) is a/b.\nThe mean of Exp(l) is l.\n", ["PROVED", "FAILED"]),
])
def test_the_quantity_of_a_distribution_is_its_value(name, text, expected):
    """"the mean of D is …": the label before the distribution (and a distribution is never a value:
    "the variance of $D$" once read "Var = D")."""
    ds, errors = load_text(text, name, reader_for(name))
    assert not errors, errors
    assert [judge(d.steps[0], Settings(families=("all",), samples=8)).status.value for d in ds] == expected
