"""Distributions written where a density goes, in plain-text notes and LaTeX:
``KL(N(μ1, σ1^2) || N(μ2, σ2^2))``, ``H(Gamma(a, b))``, ``E_{z~Beta(a, b)}[log z]``,
``\\mathbb{E}_{z \\sim \\mathcal{N}(\\mu, \\sigma^2)}[z^2]`` -- read, checked, refuted when wrong, and
refused with a column when they cannot be read."""
from __future__ import annotations

from pathlib import Path

import pytest
import sympy
from hypothesis import given, settings, strategies as st

from vi_sym.checker import Settings, check_derivations
from vi_sym.distributions import SPECS, distribution_functions
from vi_sym.distributions.inline import InlineDensity
from vi_sym.frontends import load_text, reader_for
from vi_sym.frontends.distribution_forms import ALIASES, argument_domains
from vi_sym.frontends.transcribe import transcribe
from vi_sym.notation import to_latex, to_unicode, to_vi
from vi_sym.vocabulary import Entropy

SETTINGS = Settings(families=("all",), samples=12, jobs=1, fixes=False)


def _load(text: str, suffix: str):
    return load_text(text, f"n{suffix}", reader_for(f"n{suffix}"))


def _results(ds):
    return [r for r in check_derivations(ds, SETTINGS).results if not r.step_id.endswith("'")]


def _verdicts(text: str, suffix: str) -> dict:
    """{source line: [status of each step read there, as typed]}."""
    ds, errors = _load(text, suffix)
    assert not errors, errors
    out: dict = {}
    for r in _results(ds):
        out.setdefault(r.note_line, []).append(r.status.name)
    return out


def _skipped(text: str, suffix: str) -> dict:
    ds, errors = _load(text, suffix)
    return {n.line: n.message for n in ds[0].skipped} if ds else {e.line: e.message for e in errors}


def _first(text: str):
    ds, errors = _load(text, ".txt")
    assert not errors, errors
    return ds


# -- plain text -------------------------------------------------------------------------------

NOTE = """\
KL(N(μ1, σ1^2) || N(μ2, σ2^2)) = log(σ2/σ1) + (σ1^2 + (μ1 - μ2)^2)/(2 σ2^2) - 1/2
KL(N(μ1, σ1^2) || N(μ2, σ2^2)) = log(σ2/σ1) + (σ1^2 + (μ1 - μ2)^2)/(2 σ2) - 1/2
E_{z~N(m, s^2)}[z^2] = m^2 + s^2
E_{z~N(m, s^2)}[z^2] = m^2 + s
KL(Bern(p1) || Bern(p2)) = p1 log(p1/p2) + (1 - p1) log((1 - p1)/(1 - p2))
KL(Bern(p1) || Bern(p2)) = p1 log(p2/p1) + (1 - p1) log((1 - p1)/(1 - p2))
E_{Pois(λ)}[z^2] = λ^2 + λ
E_{Pois(λ)}[z^2] = λ^2
KL(Exp(l1) || Exp(l2)) = log(l1/l2) + l2/l1 - 1
KL(Exp(l1) || Exp(l2)) = log(l2/l1) + l2/l1 - 1
"""


def test_plain_text_closed_forms_are_proved_and_their_slips_refuted():
    v = _verdicts(NOTE, ".txt")
    for line in range(1, 11):
        assert v[line] == (["PROVED"] if line % 2 else ["FAILED"]), (line, v[line])


def test_a_density_defined_by_any_kind_is_used_below():
    note = "q(z) = Gamma(z; a, b)\nE_q[z] = a/b\nE_q[z] = b/a\nq(z) = Beta(a, b)\nE_q[z] = a/(a + b)\n"
    v = _verdicts(note, ".txt")
    assert v == {2: ["PROVED"], 3: ["FAILED"], 5: ["PROVED"]}
    skipped = _skipped(note, ".txt")
    assert "defines q(z) = Gamma(z, a, b)" in skipped[1] and "rate b" in skipped[1]


def test_a_variable_drawn_from_a_written_distribution_is_a_latent():
    """The reparameterisation identity with a concrete f: ε is integrated over."""
    note = ("E_{z~N(μ, σ^2)}[z^2] = E_{ε~N(0, 1)}[(μ + σ ε)^2]\n"
            "E_{z~N(μ, σ^2)}[z^2] = E_{ε~N(0, 1)}[(μ + σ^2 ε)^2]\n")
    assert _verdicts(note, ".txt") == {1: ["PROVED"], 2: ["FAILED"]}


def test_a_product_of_written_distributions_is_the_mean_field_density():
    note = ("latent: z1 z2\n"
            "H(N(z1; m1, s1^2) N(z2; m2, s2^2)) = log(2 π e s1^2)/2 + log(2 π e s2^2)/2\n"
            "H(N(z1; m1, s1^2) N(z2; m2, s2^2)) = log(2 π e s1^2)/2 + log(2 π e s2)/2\n")
    assert _verdicts(note, ".txt") == {2: ["PROVED"], 3: ["FAILED"]}


def test_what_cannot_be_read_is_skipped_with_its_column_and_reason():
    note = ("H(N(μ)) = 1\n"                                   # one parameter too few
            "H(N(x; 0, 1)) = log(p(x))\n"                     # x is observed (the model's p(x))
            "H(Normal(m, s)) = 1\n"                           # the spread could be either
            "KL(Bern(2) || Bern(1/2)) = 1\n"                  # 2 is no probability
            "H(N(0, -1)) = 1\n"                               # a negative variance
            "H(Bern(p(z))) = 1\n"                            # p(z) is the model's density
            "latent: z1 z2\nH(N(0, 1)) = 1\n")                # which latent?
    skipped = _skipped(note, ".txt")
    assert "takes 2 parameters (mean, scale), got 1 at column 3" in skipped[1]
    assert "'x' is not a latent variable" in skipped[2]
    assert "ambiguous: write N(mean, variance), Normal(mean, σ^2) with the variance as a square, " \
           "or Normal(z, mean, standard deviation)" in skipped[3]
    assert "column" in skipped[4] and "Bernoulli" in skipped[4]
    assert "column" in skipped[5]
    assert "'p' is a density here (p(z)); name the parameter otherwise, e.g. Bern(π)" in skipped[6]
    assert "which latent is N(…) a density of?" in skipped[8]


def test_names_a_distribution_introduces_are_declared_by_its_domains_and_said():
    ds = _first("KL(Bern(π1) || Bern(1/2)) = π1 log(2 π1) + (1 - π1) log(2 (1 - π1))\n"
                "H(Gamma(a, b)) = 1\n")
    domains = {d.name: dict(d.context.domains) for d in ds}
    assert domains["n_line1"]["π1"] == "unit"
    assert domains["n_line2"]["a"] == domains["n_line2"]["b"] == "positive"
    said = [n.message for d in ds for n in d.warnings]
    assert any("π1 as a parameter in (0, 1)" in w for w in said)
    assert any("Gamma(a, b) read as Gamma: shape a, rate b" in w for w in said)


def test_one_distribution_written_twice_is_one_density_and_two_are_two():
    step = _first("KL(N(m, 1) || N(0, 1)) = KL(N(m, 1) || N(0, 1))\n")[0].steps[0]
    names = sorted({c.name for e in (step.lhs, step.rhs) for c in e.atoms(InlineDensity)})
    assert names == ["Normal1", "Normal2"]


def test_printed_as_written_and_transcribed_as_defines_that_check_alike(tmp_path):
    text = NOTE.splitlines()[0] + "\n" + NOTE.splitlines()[1] + "\n"
    ds = _first(text)
    lhs = ds[0].steps[0].lhs
    assert to_unicode(lhs) == "KL(N(μ1, σ1²) ‖ N(μ2, σ2²))"
    assert r"\mathcal{N}\left(" in to_latex(lhs)
    assert to_vi(lhs) == "KL(Normal1(z) || Normal2(z))"
    results = _results(ds)
    assert [r.status.name for r in results] == ["PROVED", "FAILED"]
    vi = transcribe(ds, results)
    assert "define Normal1(z) = Normal(z, μ1, σ1)" in vi
    again, errors = _load(vi, ".vi")
    assert not errors, errors
    assert [r.status for r in _results(again)] == [r.status for r in results]


# -- LaTeX ------------------------------------------------------------------------------------

MARKDOWN = r"""
$$D_{\mathrm{KL}}(\mathcal{N}(\mu_1, \sigma_1^2) \| \mathcal{N}(\mu_2, \sigma_2^2)) = \log\frac{\sigma_2}{\sigma_1} + \frac{\sigma_1^2 + (\mu_1 - \mu_2)^2}{2\sigma_2^2} - \frac{1}{2}$$

$$D_{\mathrm{KL}}(\mathcal{N}(\mu_1, \sigma_1^2) \| \mathcal{N}(\mu_2, \sigma_2^2)) = \log\frac{\sigma_1}{\sigma_2} + \frac{\sigma_1^2 + (\mu_1 - \mu_2)^2}{2\sigma_2^2} - \frac{1}{2}$$

$$\mathbb{H}[\mathrm{Gamma}(a, b)] = a - \log b + \log\Gamma(a) + (1 - a)\psi(a)$$

$$\mathbb{H}[\mathrm{Gamma}(a, b)] = a + \log b + \log\Gamma(a) + (1 - a)\psi(a)$$

$$\mathbb{E}_{z \sim \mathrm{Beta}(\alpha, \beta)}[\log z] = \psi(\alpha) - \psi(\alpha + \beta)$$

$$\mathbb{E}_{z \sim \mathrm{Beta}(\alpha, \beta)}[\log z] = \psi(\beta) - \psi(\alpha + \beta)$$

$$\mathbb{H}[\operatorname{Beta}(a, b)] = \log \mathrm{B}(a, b) - (a-1)\psi(a) - (b-1)\psi(b) + (a+b-2)\psi(a+b)$$

$$\mathbb{H}[\operatorname{Beta}(a, b)] = \log \mathrm{B}(a, b) - (a-1)\psi(a) - (b-1)\psi(b) + (a+b-1)\psi(a+b)$$

<!-- vi_sym: parameters: \mu -->
<!-- vi_sym: positive: \sigma -->

$$\mathbb{E}_{\epsilon \sim \mathcal{N}(0, 1)}[(\mu + \sigma\epsilon)^2] = \mu^2 + \sigma^2$$

$$\mathbb{E}_{\epsilon \sim \mathcal{N}(0, 1)}[(\mu + \sigma\epsilon)^2] = \mu^2 + \sigma$$

$$\mathbb{E}_{\mathrm{Bern}(\pi_1)}[z] = \pi_1$$

$$\mathbb{E}_{\mathrm{Bern}(\pi_1)}[z] = 1 - \pi_1$$
"""


def test_latex_closed_forms_are_proved_and_their_slips_refuted():
    v = _verdicts(MARKDOWN, ".md")
    lines = sorted(v)
    assert len(lines) == 12
    for i, line in enumerate(lines):
        assert v[line] == (["PROVED"] if i % 2 == 0 else ["FAILED"]), (line, v[line])


def test_latex_definition_of_a_density():
    text = ("Let $q(z) = \\mathcal{N}(z \\mid m, s^2)$.\n\n"
            "$$\\mathbb{H}[q] = \\frac{1}{2}\\log(2\\pi e s^2)$$\n\n"
            "$$\\mathbb{H}[q] = \\frac{1}{2}\\log(2\\pi e s)$$\n")
    assert _verdicts(text, ".md") == {3: ["PROVED"], 5: ["FAILED"]}
    assert "defines q(z) = Normal(z, m, s)" in _skipped(text, ".md")[1]


def test_latex_errors_have_their_column():
    text = ("$$\\mathbb{H}(\\mathcal{N}(\\mu \\| \\sigma^2)) = 1$$\n\n"
            "$$\\mathbb{H}(\\mathrm{Gamma}(a)) = 1$$\n\n"
            "<!-- vi_sym: latent: z_1 z_2 -->\n\n$$\\mathbb{H}(\\mathcal{N}(0, 1)) = 1$$\n\n"
            "$$\\mathbb{H}(\\mathcal{N}(0, 1)) = 1$$\n")
    reasons = "\n".join(_skipped(text, ".md").values())
    assert "column 30: the parameters of \\mathcal{N}(…) are separated by ','" in reasons
    assert "takes 2 parameters (shape, rate), got 1" in reasons
    assert "which latent is \\mathcal{N}(…) a density of?" in reasons


# -- every kind -------------------------------------------------------------------------------

_VALUES = {"real": sympy.Symbol("m", real=True), "positive": sympy.Symbol("s", positive=True),
           "unit": sympy.Rational(1, 3), "posint": sympy.Integer(4)}


@settings(max_examples=60, deadline=None)
@given(alias=st.sampled_from(sorted(a for a in ALIASES if ALIASES[a][1] != "stated")))
def test_every_alias_reads_as_its_kind_with_its_convention(alias):
    """Written without its variable, each alias is its kind at the same parameters (a variance
    for N: the standard deviation is its square root) -- for every registered kind."""
    kind, convention = ALIASES[alias]
    domains = argument_domains(alias, len(SPECS[kind].params), named=False)
    values = [_VALUES[d] for d in domains]
    text = f"H({alias}({', '.join(map(str, values))})) = 0\n"
    ds, errors = _load(text, ".txt")
    if not ds:       # a kind whose parameters these stand-ins cannot fill (Uniform: lo < hi)
        assert SPECS[kind].constraints(*map(sympy.sympify, values)), errors   # Uniform, Arcsine
        return
    h = ds[0].steps[0].lhs
    assert isinstance(h, Entropy) and isinstance(h.args[0], InlineDensity)
    params = list(values)
    if convention == "variance":
        params[-1] = sympy.sqrt(params[-1])
    expected = distribution_functions()[kind](sympy.Symbol("z"), *params)
    assert sympy.srepr(h.args[0].definition) == sympy.srepr(expected)


def test_a_line_about_a_distribution_is_no_definition_of_its_name():
    """``N(0, 1) = 1`` is a (wrong, untestable) step, not the definition of a function N: the
    lines below still read N(…) as the Normal."""
    note = "N(0, 1) = 1\nH(N(0, 1)) = log(2 π e)/2\nH(N(0, 1)) = log(2 π)/2\n"
    v = _verdicts(note, ".txt")
    assert v[2] == ["PROVED"] and v[3] == ["FAILED"] and v[1] != ["PROVED"]


def test_a_distribution_inside_a_parameter_or_an_operator_is_an_error():
    skipped = _skipped("H(N(N(0, 1), 1)) = 1\nH(N(0, 1)^2) = 1\nH(Gamma(z; z, 1)) = 1\n", ".txt")
    assert "its parameters are numbers, but 'Normal1' is a density here (N(0, 1))" in skipped[1]
    assert "the argument of H must be a density" in skipped[2]
    assert "depends on its variable z" in skipped[3]


FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.parametrize("name", ["gaussian_kl_steps.md", "gaussian_kl_steps.txt"])
def test_the_gaussian_kl_derived_step_by_step(name):
    """A learner's derivation of KL(N(μ1, σ1²) ‖ N(μ2, σ2²)): the KL as an expectation of
    log-densities written N(z; μ, σ²), the log-densities expanded, the moments taken -- each step
    PROVED -- and a last line with a slip (σ2 for σ2² in LaTeX, +1/2 for -1/2 in the plain text),
    FAILED.  The plain text is typed with superscripts and subscripts (σ₁², μ₂)."""
    text = (FIXTURES / name).read_text(encoding="utf-8")
    ds, errors = _load(text, "." + name.rsplit(".", 1)[1])
    assert not errors, errors
    assert [r.status.name for r in _results(ds)] == ["PROVED", "PROVED", "PROVED", "FAILED"]
    said = " ".join(n.message for d in ds for n in d.warnings)
    assert "σ1 as a positive parameter" in said and "²" not in said


def test_messages_name_a_written_distribution_as_written_never_by_its_vi_name():
    skipped = _skipped("a note\n\nH(N(0, 1) * q(z)) = 1\n\nKL(q(z) || p(z|x)) = 0\n", ".txt")
    assert "N(0, 1)" in skipped[3] and "Normal1" not in skipped[3], skipped


@pytest.mark.parametrize("suffix, note", [
    (".txt", "H(LogNormal(mu, sigma^2)) = mu + 1/2*log(2*pi*e*sigma^2)\n"
             "H(LogNormal(mu, sigma^2)) = mu + 1/2*log(2*pi*sigma^2)\n"
             "E_{z~LogNormal(mu, sigma^2)}[z^2] = exp(2*mu + 2*sigma^2)\n"
             "E_{z~LogNormal(mu, sigma^2)}[z^2] = exp(2*mu + 2*sigma^4)\n"
             "H(Normal(m, s**2)) = log(2*pi*e*s^2)/2\n"
             "E_{z~Normal(m, s²)}[z^2] = m^2 + s^4\n"),
    (".md", "$$\\mathbb{H}[\\mathrm{LogNormal}(\\mu, \\sigma^2)] = \\mu + \\frac{1}{2}\\log(2\\pi e \\sigma^2)$$\n"
            "$$\\mathbb{H}[\\mathrm{LogNormal}(\\mu, \\sigma^{2})] = \\mu + \\frac{1}{2}\\log(2\\pi \\sigma^2)$$\n"
            "$$\\mathbb{E}_{z \\sim \\mathrm{LogNormal}(\\mu, \\sigma^2)}[z^2] = e^{2\\mu + 2\\sigma^2}$$\n"
            "$$\\mathbb{E}_{z \\sim \\mathrm{LogNormal}(\\mu, \\sigma^2)}[z^2] = e^{2\\mu + 2\\sigma^4}$$\n"
            "$$\\mathbb{H}[\\mathrm{Normal}(m, s^2)] = \\frac{1}{2}\\log(2\\pi e s^2)$$\n"
            "$$\\mathbb{E}_{z \\sim \\mathrm{Normal}(m, s^2)}[z^2] = m^2 + s^4$$\n"),
])
def test_a_normal_or_lognormal_spread_written_as_a_square_is_its_variance(suffix, note):
    """LogNormal(μ, σ²) as tables write it: the square is the (log-)variance, the variable written or
    drawn (z ~ LogNormal(μ, σ²) once read the square as a standard deviation σ²: a true closed
    form FAILED, and one with σ⁴ for σ² PROVED); each reading is said."""
    assert _verdicts(note, suffix) == {1: ["PROVED"], 2: ["FAILED"], 3: ["PROVED"], 4: ["FAILED"],
                                       5: ["PROVED"], 6: ["FAILED"]}
    ds, _ = _load(note, suffix)
    said = " ".join(w.message for d in ds for w in d.warnings)
    assert "read as LogNormal with the variance" in said and "of its log (written as a square)" in said
    assert "read as Normal with the variance" in said


@pytest.mark.parametrize("note", ["H(LogNormal(mu, s)) = 1\n", "H(Normal(m, s + 1)) = 1\n",
                                  "H(LogNormal(mu, s^3)) = 1\n"])
def test_a_spread_not_written_as_a_square_stays_ambiguous(note):
    assert "without its variable is ambiguous" in _skipped(note, ".txt")[1]
