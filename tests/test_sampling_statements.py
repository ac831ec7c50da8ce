"""A variable drawn from a written distribution, as closed-form notes say it ("for X ~ Gamma(a, b),
E[log X] = ψ(a) - log b"): the bare E[…], Var[…]/Var(…) and H(X) after it are under that
distribution -- within its section, for a function of that variable alone -- and a wrong closed
form is FAILED.  A body that names a density keeps the note's q (a VAE's prior z ~ N(0, 1) never
replaces q), a likelihood ``x ~ N(z, 1)`` is no such statement, and what cannot be read is skipped
with its reason."""
from __future__ import annotations

import re

import pytest
from sympy import Symbol

from vi_sym.distributions import ConcreteDensity
from vi_sym.frontends import load_text
from vi_sym.frontends.markdown import read_markdown
from vi_sym.frontends.note import read_note
from vi_sym.frontends.sampled import blank_statements, sampled_in
from vi_sym.judge import judge
from vi_sym.notation import to_unicode
from vi_sym.settings import Settings
from vi_sym.vocabulary import Expectation


def _verdicts(text, reader):
    derivs, errors = load_text(text, "n.md" if reader is read_markdown else "n.txt", reader)
    assert not errors, errors
    return [judge(d.steps[0], Settings(families=("all",))).status.value for d in derivs], derivs


@pytest.mark.parametrize("reader, text, expected", [
    (read_note, "For z ~ Exp(λ), E[z] = 1/λ.\nE[z] = λ\n", ["PROVED", "FAILED"]),
    (read_note, "If X ~ Gamma(a, b) then E[log X] = digamma(a) - log b\nVar(X) = a/b^2\nVar[X] = a/b\n"
                "H(X) = a - log(b) + loggamma(a) + (1 - a)*digamma(a)\n", ["PROVED", "PROVED", "FAILED", "PROVED"]),
    (read_note, "θ ∼ Beta(α, β); we have E[log θ] = digamma(α) - digamma(α + β)\n", ["PROVED"]),
    (read_markdown, "For $z \\sim \\mathrm{Exp}(\\lambda)$, $\\mathbb{E}[z] = 1/\\lambda$.\n\n"
                    "$$\\mathbb{E}[z^2] = 1/\\lambda^2$$\n", ["PROVED", "FAILED"]),
    (read_markdown, "If $X \\sim \\mathrm{Gamma}(a, b)$ then\n\n$$\\mathrm{Var}(X) = a/b^2$$\n\n"
                    "$$\\mathbb{H}[X] = a - \\log b + \\log\\Gamma(a) + (1 - a)\\psi(a)$$\n\n"
                    "$$\\operatorname{Var}\\left[X\\right] = a/b$$\n", ["PROVED", "PROVED", "FAILED"]),
    (read_markdown, "Let $\\theta \\sim \\text{Beta}(\\alpha, \\beta)$. Then "
                    "$\\mathbb{E}[\\log \\theta] = \\psi(\\alpha) - \\psi(\\alpha + \\beta)$.\n", ["PROVED"]),
])
def test_a_closed_form_after_a_sampling_statement_is_checked_under_it(reader, text, expected):
    got, _ = _verdicts(text, reader)
    assert got == expected


@pytest.mark.parametrize("reader, text", [
    (read_note, "For z ~ Exp(λ), E[z] = 1/λ\n# Next section\nE[z] = 1/λ\n"),
    (read_markdown, "For $z \\sim \\mathrm{Exp}(\\lambda)$, $\\mathbb{E}[z] = 1/\\lambda$.\n\n## Next\n\n"
                    "$$\\mathbb{E}[z] = 1/\\lambda$$\n"),
])
def test_a_statement_holds_until_the_next_heading(reader, text):
    _, derivs = _verdicts(text, reader)
    first, second = (d.steps[0].lhs for d in derivs)
    assert isinstance(first.q, ConcreteDensity)
    assert not isinstance(second.q, ConcreteDensity)       # the note's own q again


@pytest.mark.parametrize("reader, text", [
    (read_note, "prior z ~ N(0, 1)\nELBO = E[log p(x|z)] - KL(q(z) || p(z))\n"),
    (read_markdown, "with the prior $z \\sim \\mathcal{N}(0, 1)$,\n\n"
                    "$$\\mathcal{L} = \\mathbb{E}[\\log p(x|z)] - D_{KL}(q(z) \\| p(z))$$\n"),
])
def test_an_expectation_that_names_a_density_stays_under_q(reader, text):
    derivs, errors = load_text(text, "n.md" if reader is read_markdown else "n.txt", reader)
    assert not errors, errors
    rhs = derivs[0].steps[0].rhs
    qs = {e.q for e in rhs.atoms(Expectation)}
    assert qs and not any(isinstance(q, ConcreteDensity) for q in qs)


@pytest.mark.parametrize("reader, text", [
    (read_note, "x ~ N(z, 1)\nE[x] = 0\n"),
    (read_markdown, "with $x \\sim \\mathcal{N}(z, 1)$:\n\n$$\\mathbb{E}[x] = 0$$\n"),
])
def test_a_likelihood_is_no_sampling_statement(reader, text):
    """x ~ N(z, 1) is the model's conditional: E[x] is not read under it (and never as N(0, 1)-like)."""
    derivs, errors = load_text(text, "n.md" if reader is read_markdown else "n.txt", reader)
    exprs = [s.lhs for d in derivs for s in d.steps]
    assert not any(isinstance(e, Expectation) and isinstance(e.q, ConcreteDensity) for e in exprs)
    skipped = [n.message for d in derivs for n in (d.skipped or ())] + [e.message for e in errors]
    assert any("conditional of the note's model" in r or "cannot be read" in r for r in skipped), skipped


def test_a_statement_that_cannot_be_read_is_skipped_with_its_reason():
    derivs, errors = load_text("$z \\sim \\mathrm{Gamma}(1)$ and $\\mathbb{E}[z] = 0$\n", "n.md", read_markdown)
    reasons = [n.message for d in derivs for n in (d.skipped or ())] + [e.message for e in errors]
    assert any("the distribution cannot be read" in r for r in reasons), reasons


def test_an_observed_name_drawn_is_a_latent_in_its_section_only():
    text = "If X ~ Gamma(a, b) then E[X] = a/b\n# Model\nlog p(X) = ELBO(q) + KL(q(Z) || p(Z|X))\n"
    got, derivs = _verdicts(text, read_note)
    assert got[0] == "PROVED"
    assert Symbol("X") in derivs[0].context.latent
    assert Symbol("X") in derivs[1].context.observed and Symbol("X") not in derivs[1].context.latent


@pytest.mark.parametrize("text, latex, found", [
    ("For z ~ Exp(λ), E[z] = 1/λ", False, [("z", "Exp(λ)")]),
    ("E_{z~Beta(a, b)}[z]", False, []),                  # an expectation's subscript: no statement
    ("z1, z2 ~ q(z)", False, []),                         # copies of q (.draws), no distribution
    ("x ~ p(x)", False, []),
    (r"$X \sim \mathcal{N}\left(\mu, \sigma^2\right)$", True, [("X", r"\mathcal{N}\left(\mu, \sigma^2\right)")]),
    (r"$\mathbb{E}_{z \sim \mathrm{Beta}(a, b)}[z]$", True, []),
    (r"$z_1, z_2 \sim q(z)$", True, []),
    (r"$\lambda \sim \mathrm{Gamma}(a, b)$", True, [("λ", r"\mathrm{Gamma}(a, b)")]),
])
def test_sampling_statements_are_found(text, latex, found):
    assert [(s.name, s.dist) for s in sampled_in(text, latex)] == found


def test_a_blanked_statement_keeps_the_columns():
    line = "If z ~ Gamma(a, b), then E[log z] = digamma(a) - log b"
    out = blank_statements(line)
    assert len(out) == len(line) and out.lstrip().startswith("E[log z]")
    assert out.index("E[") == line.index("E[")


@pytest.mark.parametrize("row, expected", [
    (r"\mathbb{E}[Y] = \frac{\alpha}{\alpha + \beta}, \qquad \mathrm{Var}(Y) = \frac{\alpha\beta}{(\alpha+\beta)^2(\alpha+\beta+1)}",
     ["PROVED", "PROVED"]),
    (r"\mathbb{E}[Y] = \frac{\alpha}{\alpha + \beta} \quad \text{and} \quad \mathbb{E}[Y^2] = \frac{\alpha}{\alpha + \beta}",
     ["PROVED", "FAILED"]),
])
def test_formulas_side_by_side_are_read_one_by_one(row, expected):
    text = f"For $Y \\sim \\mathrm{{Beta}}(\\alpha, \\beta)$:\n\n$${row}$$\n"
    got, derivs = _verdicts(text, read_markdown)
    assert got == expected
    assert len({d.steps[0].id for d in derivs}) == 2


def test_a_prose_tail_after_a_gap_is_no_formula():
    """``…, \\quad \\text{for } x \\geq 0`` is a condition said in words, not a second formula."""
    from vi_sym.frontends.markdown_math import side_by_side
    row = r"q(z) = e^{-z}, \quad \text{for } z \geq 0"
    assert side_by_side(row, 0) == [(0, row)]
    assert [p for _, p in side_by_side(r"a = b, \qquad c \leq d", 0)] == ["a = b", " c \\leq d"]


def test_the_differential_entropy_h_of_a_drawn_variable():
    text = ("For $Y \\sim \\mathrm{Exp}(\\lambda)$ the differential entropy is $h(Y) = 1 - \\log\\lambda$, "
            "not $h(Y) = 1 + \\log\\lambda$.\n")
    got, _ = _verdicts(text, read_markdown)
    assert got == ["PROVED", "FAILED"]


def test_plain_text_formulas_side_by_side_are_read_one_by_one():
    text = ("Y ~ Beta(a, b): E[Y] = a/(a + b), Var(Y) = a b/((a + b)^2 (a + b + 1))\n"
            "Z ~ N(m, s^2) then E[Z^2] = m^2 + s^2 and E[exp(Z)] = exp(m + s)\n"
            "X ~ Gamma(a, b) 일 때 E[X] = a/b 이고 Var(X) = a/b^2 이다.\n")
    got, _ = _verdicts(text, read_note)
    assert got == ["PROVED", "PROVED", "PROVED", "FAILED", "PROVED", "PROVED"]


def test_a_premise_and_its_claim_are_not_split():
    from vi_sym.frontends.textnote import formula_segments
    line = "setting q(z) = p(z|x), ELBO(q) = log p(x)"
    assert formula_segments(line) == [(1, line)]


@pytest.mark.parametrize("text, expected", [
    # t > 0 said in the note: the tail and the CDF hold; the CDF written for the tail does not
    ("Let $T \\sim \\mathrm{Exp}(\\lambda)$ with $t > 0$. Then $P(T > t) = e^{-\\lambda t}$, "
     "$\\Pr(T \\leq t) = 1 - e^{-\\lambda t}$ and $\\mathbb{P}[T > t] = 1 - e^{-\\lambda t}$.\n",
     ["holds", "holds", "FAILED"]),
    # no range said: t is any real, and at t < 0 the tail is 1, not e^{-λt}
    ("Let $T \\sim \\mathrm{Exp}(\\lambda)$. Then $P(T > t) = e^{-\\lambda t}$.\n", ["FAILED"]),
    ("For $Z \\sim \\mathcal{N}(0, 1)$: $P(Z \\leq c) = \\frac{1}{2}\\left(1 + "
     "\\mathrm{erf}\\left(\\frac{c}{\\sqrt{2}}\\right)\\right)$\n", ["holds"]),
])
def test_the_probability_of_an_event_of_a_drawn_variable(text, expected):
    got, _ = _verdicts(text, read_markdown)
    assert [g if g == "FAILED" else "holds" if g in ("PROVED", "SPOT-CHECKED") else g for g in got] == expected


@pytest.mark.parametrize("text, reason", [
    ("For $K \\sim \\mathrm{Poisson}(\\lambda)$, $P(K > 0) = 1 - e^{-\\lambda}$.\n", "discrete distribution"),
    ("For $T \\sim \\mathrm{Exp}(\\lambda)$, $P(T = 1) = 0$.\n", "one side of a bound"),
    ("$P(W > 1) = 0$ and $z = z$\n", "unknown variable 'W'"),
])
def test_an_event_that_is_not_read_says_why(text, reason):
    derivs, errors = load_text(text, "n.md", read_markdown)
    reasons = [n.message for d in derivs for n in (d.skipped or ())] + [e.message for e in errors]
    assert any(reason in r for r in reasons), reasons


def test_a_threshold_the_note_does_not_declare_is_said():
    derivs, _ = load_text("Let $T \\sim \\mathrm{Exp}(\\lambda)$ and $t \\geq 0$: $P(T > t) = e^{-\\lambda t}$.\n",
                          "n.md", read_markdown)
    said = [w.message for d in derivs for w in d.warnings]
    assert any("read t as a nonnegative parameter (the note says t ≥ 0)" in w for w in said), said
    assert Symbol("T") in derivs[0].context.latent


@pytest.mark.parametrize("text, expected, said", [
    ("For X ~ N(μ, σ^2), E[exp(t X)] = exp(μ t + σ^2 t^2/2)\n", ["PROVED"], "read t as a real parameter"),
    ("For X ~ N(μ, σ^2), E[exp(t X)] = exp(μ t + σ^2 t^2)\n", ["FAILED"], "read t as a real parameter"),
    ("Take s > 0.\nY ~ Exp(λ); then E[exp(-s Y)] = λ/(λ + s)\n", ["PROVED"],
     "read s as a positive parameter (the note says s > 0)"),
])
def test_a_plain_text_mgf_argument_is_a_parameter(text, expected, said):
    got, derivs = _verdicts(text, read_note)
    assert got == expected
    assert any(said in w.message for d in derivs for w in d.warnings)


@pytest.mark.parametrize("reader, text, expected", [
    (read_note, "For X ~ Binom(5, p), E(X) = 5 p and Var(X) = 5 p (1 - p)\nE(X) = 5\n", ["PROVED", "PROVED", "FAILED"]),
    (read_markdown, "For $X \\sim \\mathrm{Poisson}(\\lambda)$, $\\mathbb{E}(X) = \\lambda$ and "
                    "$E(X^2) = \\lambda^2 + \\lambda$ but not $E\\left(X^2\\right) = \\lambda^2$.\n", ["PROVED", "PROVED", "FAILED"]),
])
def test_an_expectation_written_with_round_brackets(reader, text, expected):
    """E(X), as statistics notes write it, is E[X]; a bare p drawn as a distribution's argument in a
    sampling statement is a number in its section, so '5 p (1 - p)' is a product, not a density."""
    got, _ = _verdicts(text, reader)
    assert got == expected


def test_the_two_argument_e_of_vi_files_still_reads():
    derivs, errors = load_text("E(q(z), z) = E_q[z]\n", "n.txt", read_note)
    assert not errors and derivs[0].steps[0].lhs == derivs[0].steps[0].rhs


@pytest.mark.parametrize("reader, text", [
    (read_note, "log p(z) = -E(z) - log(Z0)\n"),
    (read_markdown, "$$\\log p(z) = -E(z) - \\log Z_0$$\n"),
])
def test_an_energy_e_of_z_is_no_expectation(reader, text):
    """Without a sampling statement, E(z) with round brackets (an energy, in physics' notation) is
    not silently read as E_q[z]: the formula is skipped with the reason."""
    derivs, errors = load_text(text, "n.md" if reader is read_markdown else "n.txt", reader)
    assert not [s for d in derivs for s in d.steps]
    reasons = [n.message for d in derivs for n in (d.skipped or ())] + [e.message for e in errors]
    assert any("round brackets is read as an expectation of a variable drawn" in r for r in reasons), reasons


# -- a statement written after the formula, as its condition -----------------------------------------

@pytest.mark.parametrize("reader, text, expected", [
    (read_markdown, "$$\\mathbb{E}[X] = \\frac{\\alpha}{\\alpha+\\beta}, \\quad X \\sim \\mathrm{Beta}(\\alpha, \\beta)$$\n",
     ["PROVED"]),
    (read_markdown, "$$\\mathbb{E}[X] = \\frac{\\beta}{\\alpha+\\beta}, \\quad X \\sim \\mathrm{Beta}(\\alpha, \\beta)$$\n",
     ["FAILED"]),
    (read_markdown, "$$\\mathbb{E}[Y] = \\frac{1}{\\lambda} \\quad \\text{for } Y \\sim \\mathrm{Exp}(\\lambda)$$\n",
     ["PROVED"]),
    (read_markdown, "$$\\mathbb{E}[W^2] = \\frac{1}{\\lambda^2}, \\qquad W \\sim \\mathrm{Exp}(\\lambda).$$\n", ["FAILED"]),
    (read_markdown, "The mean is $\\mathbb{E}[V] = \\lambda$ where $V \\sim \\mathrm{Pois}(\\lambda)$.\n", ["PROVED"]),
    (read_markdown, "$$\\operatorname{Var}(U) = \\frac{(b-a)^2}{12} \\quad (U \\sim \\mathcal{U}(a, b))$$\n", ["PROVED"]),
    (read_markdown, "$$\\mathbb{E}[W] = \\frac{a}{b} \\quad \\text{where } W \\sim \\mathrm{Gamma}(a, b)$$\n\n"
                    "$$\\mathbb{E}[W^2] = \\frac{a(a+1)}{b}$$\n", ["PROVED", "FAILED"]),
    (read_note, "Var(V) = lam  (V ~ Pois(lam))\nVar(V) = lam^2  (V ~ Pois(lam))\n", ["PROVED", "FAILED"]),
    (read_note, "E[X] = a/(a + b), X ~ Beta(a, b)\n", ["PROVED"]),
])
def test_a_statement_after_a_formula_as_its_condition_is_in_force_for_it(reader, text, expected):
    """"E[X] = α/(α + β), X ~ Beta(α, β)": the statement is the formula's condition, cut from the
    formula (it once stopped the row: "unexpected ','") and in force for it and what follows."""
    got, _ = _verdicts(text, reader)
    assert got == expected


@pytest.mark.parametrize("text", [
    # the line's own earlier statement wins over one written after the formula
    "For $Y \\sim \\mathrm{Exp}(\\lambda)$, $\\mathbb{E}[Y] = 1/\\lambda$; now let $Y \\sim \\mathrm{Gamma}(a, b)$.\n",
    # a full stop ends the sentence: the next statement is no condition of the formula before it
    "Let $Y \\sim \\mathrm{Exp}(\\lambda)$. We have $\\mathbb{E}[Y] = 1/\\lambda$. Next, $Y \\sim \\mathrm{Gamma}(a, b)$.\n",
])
def test_a_later_statement_that_is_no_condition_of_the_formula_is_not_its_reading(text):
    got, derivs = _verdicts(text, read_markdown)
    assert got == ["PROVED"]
    assert to_unicode(derivs[0].steps[0].lhs) == "E_{Y~Exp(λ)}[Y]"


@pytest.mark.parametrize("reader, text", [
    (read_note, "For X ~ Gamma(a, b): E[X] = a/b\nFor X ~ Bern(p): H(X) = -p ln p - (1 - p) ln(1 - p)\n"),
    (read_markdown, "For $X \\sim \\mathrm{Gamma}(a, b)$: $\\mathbb{E}[X] = a/b$.\n\n"
                    "For $X \\sim \\mathrm{Bern}(p)$: $\\mathbb{H}[X] = -p \\ln p - (1 - p)\\ln(1 - p)$\n"),
])
def test_a_bare_p_of_a_statement_is_a_number_after_another_statement_too(reader, text):
    """Bern(p) after an earlier statement: p is a number there as in the formula (the plain-text reader
    once read the letters of the line before, the LaTeX reader those of the formula alone, so p was
    the model's density p(X|x) and the entropy UNKNOWN)."""
    got, _ = _verdicts(text, reader)
    assert got == ["PROVED", "PROVED"]


@pytest.mark.parametrize("reader, text", [
    (read_note, "For X ~ Gamma(a, b): E[X] = a/b\nNow X ~ Bern(2) and E[X] = 2\nH(X) = 1\n"),
    (read_markdown, "For $X \\sim \\mathrm{Gamma}(a, b)$: $\\mathbb{E}[X] = a/b$.\n\n"
                    "Now $X \\sim \\mathrm{Bern}(2)$. Then $\\mathbb{E}[X] = 2$ and $\\mathbb{H}[X] = 1$.\n"),
])
def test_a_statement_that_cannot_be_read_ends_the_one_before_and_says_so(reader, text):
    """X ~ Bern(2) cannot be read: the formulas about X after it are skipped with that reason, never
    read under the Gamma of the statement before (nor under the note's q)."""
    derivs, errors = load_text(text, "n.md" if reader is read_markdown else "n.txt", reader)
    assert len(derivs) == 1 and "Gamma" in to_unicode(derivs[0].steps[0].lhs)
    skipped = [n.message for d in derivs for n in d.skipped] + [e.message for e in errors]
    assert sum("which could not be read (see that line): not checked under any other distribution" in m
               for m in skipped) == 2


@pytest.mark.parametrize("text, expected", [
    ("For T ~ Exp(lam): P(T > t) = exp(-lam*t) for t >= 0\n", "SPOT-CHECKED"),
    ("For T ~ Exp(lam): P(T > t) = exp(-t/lam) for t >= 0\n", "FAILED"),
    ("For T ~ Exp(lam): P(T <= t) = 1 - exp(-lam*t) for t >= 0\n", "SPOT-CHECKED"),
    ("For T ~ Exp(lam): P(T<=t) = exp(-lam*t) for t >= 0\n", "FAILED"),
])
def test_a_plain_text_probability_of_a_drawn_variable(text, expected):
    """P(T > t) in plain text, as LaTeX's P(T > t) is read: the integral of the drawn distribution
    over the event (it was 'strict inequalities are not relations')."""
    got, _ = _verdicts(text, read_note)
    assert got == [expected]


@pytest.mark.parametrize("text, reason", [
    ("For K ~ Pois(lam): P(K > k) = 1\n", "under a discrete distribution"),
    ("latent: T\nparameters: t\nP(T > t) = exp(-t)\n", "is read for a variable drawn from a distribution written before it"),
])
def test_a_plain_text_probability_that_cannot_be_read_says_why(text, reason):
    derivs, errors = load_text(text, "n.txt", read_note)
    said = " ".join(e.message for e in errors) + " ".join(n.message for d in derivs for n in d.skipped)
    assert reason in said


@pytest.mark.parametrize("reader, name, text", [
    (read_note, "n.txt", "For T ~ Exp(lam): P(T > t) = exp(-lam*t) for t >= 0\n"
                         "For T ~ Exp(lam): P(T > t) = exp(-t/lam) for t >= 0\n"),
    (read_markdown, "n.md", "Let $T \\sim \\mathrm{Exp}(\\lambda)$ and $t \\geq 0$. Then $P(T > t) = e^{-\\lambda t}$ "
                            "and $P(T > t) = e^{-t/\\lambda}$.\n"),
])
def test_a_probability_is_transcribed_with_its_limits(reader, name, text):
    """``python -m vi_sym import`` writes P(T > t) as integrate(D, (T, t, oo)) -- it wrote
    integrate(D, T), the integral over all of T, which is 1 -- and the .vi file checks alike."""
    from vi_sym.checker import Settings as CheckSettings, check_derivations
    from vi_sym.frontends.transcribe import transcribe
    ds, errors = load_text(text, name, reader)
    assert not errors, errors
    settings = CheckSettings(families=("all",), samples=12, jobs=1, fixes=False)
    results = check_derivations(ds, settings).results
    vi = transcribe(ds, results)
    assert re.search(r"integrate\(Exponential\d\(T\), \(T, t, oo\)\)", vi), vi
    again, errors = load_text(vi, "n.vi")
    assert not errors, errors
    assert [r.status for r in check_derivations(again, settings).results] == [r.status for r in results]


@pytest.mark.parametrize("text, expected", [
    # a statement after the display ("…, \] where N ~ Geom(p).") is the condition of every formula in it
    ("\\[ \\mathbb{E}[N] = \\frac{1-p}{p}, \\quad \\mathrm{Var}(N) = \\frac{1-p}{p^2}, \\]\n"
     "where $N \\sim \\mathrm{Geom}(p)$.\n", ["PROVED", "PROVED"]),
    ("\\begin{align}\n\\mathbb{E}[N] &= \\frac{1-p}{p} \\\\\n\\mathbb{E}[N^2] &= \\frac{1}{p}\n\\end{align}\n"
     "where $N \\sim \\mathrm{Geom}(p)$.\n", ["PROVED", "FAILED"]),
])
def test_a_statement_after_a_display_is_in_force_for_each_of_its_formulas(text, expected):
    got, _ = _verdicts(text, read_markdown)
    assert got == expected


def test_a_statement_after_a_full_stop_after_the_display_is_not_its_condition():
    text = "\\[ \\mathbb{E}[N] = \\frac{1-p}{p} \\]\nNext, $N \\sim \\mathrm{Geom}(p)$.\n"
    derivs, errors = load_text(text, "n.md", read_markdown)
    assert not derivs and any("unknown variable 'N'" in n.message for e in [errors] for n in e) or \
        any("unknown variable 'N'" in n.message for d in derivs for n in d.skipped)


@pytest.mark.parametrize("text, expected", [
    # M_X(t), the tables' moment-generating function: E[e^{tX}] under X's distribution
    ("For $K \\sim \\mathrm{Pois}(\\lambda)$: $M_K(t) = \\exp(\\lambda(e^t - 1))$.\n", ["PROVED"]),
    ("For $K \\sim \\mathrm{Pois}(\\lambda)$: $M_K(t) = \\exp(\\lambda(e^t + 1))$.\n", ["FAILED"]),
    ("For $X \\sim \\mathrm{Exp}(\\lambda)$: $M_X(t) = \\frac{\\lambda}{\\lambda - t}$ for $t < \\lambda$.\n",
     ["PROVED"]),
    ("For $Z \\sim \\mathcal{N}(\\mu, \\sigma^2)$, $M_{Z}(t) = \\exp(\\mu t + \\sigma^2 t^2)$.\n", ["FAILED"]),
    ("For $Z \\sim \\mathcal{N}(\\mu, \\sigma^2)$, $M_{Z}(t) = \\mathbb{E}[e^{tZ}] = \\exp(\\mu t + \\tfrac12\\sigma^2 t^2)$.\n",
     ["PROVED"]),
])
def test_the_moment_generating_function_m_x_of_a_drawn_variable(text, expected):
    got, derivs = _verdicts(text, read_markdown)
    assert got == expected
    assert "exp" in to_unicode(derivs[0].steps[0].lhs) and "E_{" in to_unicode(derivs[0].steps[0].lhs)


def test_the_mgf_of_a_variable_drawn_nowhere_says_why():
    derivs, errors = load_text("<!-- vi_sym: parameters: t -->\n\n$$M_Y(t) = e^{t}$$\n", "n.md", read_markdown)
    said = [n.message for d in derivs for n in d.skipped] + [e.message for e in errors]
    assert any("moment-generating function E[e^{tY}] of a variable drawn" in m and "Y is not" in m for m in said)


@pytest.mark.parametrize("text, expected", [
    ("K ~ Pois(λ)\nM_K(t) = exp(λ*(exp(t) - 1))\n", ["PROVED"]),
    ("K ~ Pois(λ)\nM_K(t) = exp(λ*(exp(t) + 1))\n", ["FAILED"]),
    ("For X ~ Exp(λ): M_X(t) = λ/(λ - t) for t < λ\n", ["PROVED"]),
    ("For X ~ Exp(λ): M_X(t) = λ/(λ + t) for t < λ\n", ["FAILED"]),
])
def test_a_plain_text_mgf_m_x_of_a_drawn_variable(text, expected):
    got, derivs = _verdicts(text, read_note)
    assert got == expected
    assert to_unicode(derivs[0].steps[0].lhs).startswith("E_{")


@pytest.mark.parametrize("text, expected", [
    ("z ~ Gamma(a, b)\nH = a - log(b) + loggamma(a) + (1 - a)*digamma(a)\n", ["PROVED"]),
    ("z ~ Gamma(a, b)\nH = a + log(b) + loggamma(a) + (1 - a)*digamma(a)\n", ["FAILED"]),
    ("z ~ Gamma(a, b)\nVar(z) = a/b^2\n", ["PROVED"]),       # Var(z) still the variance
    ("z ~ Gamma(a, b)\nVar(z) = a/b\n", ["FAILED"]),
])
def test_a_bare_h_after_a_statement_is_of_its_variable(text, expected):
    """"z ~ Gamma(α, β)", then "H = α - log β + …": the entropy of the one variable drawn (it was
    "function 'H' must be called with parentheses")."""
    got, _ = _verdicts(text, read_note)
    assert got == expected


def test_a_declared_h_stays_a_variable():
    got, derivs = _verdicts("positive: H\nz ~ Exp(H)\nE[z] = 1/H\n", read_note)
    assert got == ["PROVED"]


@pytest.mark.parametrize("display, expected", [
    ("H = \\alpha - \\log\\beta + \\log\\Gamma(\\alpha) + (1-\\alpha)\\psi(\\alpha)", ["PROVED"]),
    ("H = \\alpha + \\log\\beta", ["FAILED"]),
])
def test_a_bare_h_after_a_latex_statement_is_the_entropy_of_its_variable(display, expected):
    got, _ = _verdicts(f"For $X \\sim \\mathrm{{Gamma}}(\\alpha, \\beta)$:\n$${display}$$\n", read_markdown)
    assert got == expected


def test_a_plain_text_probability_chain_is_titled_as_written():
    """Its title (HTML report, JUnit, the .vi transcription) is the line as written, P(T > t), not the
    reader's internal spelling of the event."""
    _, derivs = _verdicts("For T ~ Exp(λ) and t >= 0: P(T > t) = exp(-λ*t)\n", read_note)
    assert "P(T > t)" in derivs[0].title and "Ρ" not in derivs[0].title


@pytest.mark.parametrize("text, expected", [
    # P(A | B) = P(A and B)/P(B) for two bounds on one drawn variable: the Exponential's memorylessness
    ("For $X \\sim \\mathrm{Exp}(\\lambda)$ and $s, t \\geq 0$, $P(X > s + t \\mid X > s) = e^{-\\lambda t}$.\n",
     ["SPOT-CHECKED"]),
    ("For $X \\sim \\mathrm{Exp}(\\lambda)$ and $s, t \\geq 0$, $P(X > s + t \\mid X > s) = e^{-\\lambda s}$.\n",
     ["FAILED"]),
    ("For $Y \\sim \\mathrm{Gamma}(2, 1)$ and $t \\geq 0$, $P(Y > 1 + t \\mid Y > 1) = P(Y > t)$.\n", ["FAILED"]),
    ("For $X \\sim \\mathrm{Exp}(\\lambda)$ and $t \\geq 0$, $P(X < t \\mid X > 0) = 1 - e^{-\\lambda t}$.\n",
     ["SPOT-CHECKED"]),
])
def test_a_conditional_probability_of_two_events_of_one_variable(text, expected):
    got, derivs = _verdicts(text, read_markdown)
    assert got == expected
    assert "/" in str(derivs[0].steps[0].lhs) or "**(-1)" in str(derivs[0].steps[0].lhs) or "Integral" in str(derivs[0].steps[0].lhs)


def test_a_conditional_probability_whose_stronger_event_is_unknown_says_so():
    derivs, errors = load_text("For $X \\sim \\mathrm{Exp}(\\lambda)$, $P(X > a \\mid X > b) = 1$.\n", "n.md", read_markdown)
    said = [n.message for d in derivs for n in d.skipped] + [e.message for e in errors]
    assert any("which bound is the stronger is not known" in m for m in said), said
