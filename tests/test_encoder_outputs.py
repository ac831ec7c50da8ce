"""An encoder's outputs at the data point, ``\\mu_\\phi(x)``, ``\\sigma_\\phi(x)`` (LaTeX) and
``μ_φ(x)`` (plain text): each is one number at the note's observed x, read as the parameter μφ
(σφ), so the VAE's closed forms written with them are checked like any Gaussian's.  A function
of anything else is refused at its column, never read as a product; a Greek letter without a
subscript (the sigmoid's σ(x)) is left as the grammar reads it.  A reparameterisation row,
``z = μ_φ(x) + σ_φ(x) ε``, is a definition: nothing to prove."""
from __future__ import annotations

import pytest
import sympy

from vi_sym.checker import Settings, check_derivations
from vi_sym.frontends import load_text, reader_for
from vi_sym.frontends.formula_densities import change_of_variables
from vi_sym.frontends.latex_encoder import encoder_outputs
from vi_sym.frontends.transcribe import transcribe
from vi_sym.parse import ParseError
from vi_sym.vocabulary import Density

SETTINGS = Settings(families=("all",), samples=10, jobs=1, fixes=False)
Q = ("인코더 $q_\\phi(z|x) = \\mathcal{N}(z; \\mu_\\phi(x), \\sigma_\\phi^2(x))$, "
     "사전분포 $p(z) = \\mathcal{N}(z; 0, 1)$.\n\n")
KL = "D_{KL}(q_\\phi(z|x) \\| p(z))"


def _check(text: str, name: str = "n.md"):
    ds, errors = load_text(text, name, reader_for(name))
    assert not errors, errors
    return ds, check_derivations(ds, SETTINGS).results


@pytest.mark.parametrize("row, expected", [
    (f"{KL} = -\\frac{{1}}{{2}}\\left(1 + \\log \\sigma_\\phi^2(x) - \\mu_\\phi(x)^2 - \\sigma_\\phi^2(x)\\right)",
     "PROVED"),
    (f"{KL} = \\frac{{1}}{{2}}(\\mu_\\phi(x)^2 + \\sigma^2_\\phi(\\mathbf{{x}}) - 1) - \\log \\sigma_{{\\phi}}(x)",
     "PROVED"),
    ("\\mathbb{E}_{q_\\phi(z|x)}[z^2] = \\mu_\\phi(x)^2 + \\sigma_\\phi(x)^2", "PROVED"),
    # the slips: a sign, the ½ dropped, the square of the mean missing
    (f"{KL} = -\\frac{{1}}{{2}}\\left(1 + \\log \\sigma_\\phi^2(x) - \\mu_\\phi(x)^2 + \\sigma_\\phi^2(x)\\right)",
     "FAILED"),
    (f"{KL} = -\\left(1 + \\log \\sigma_\\phi^2(x) - \\mu_\\phi(x)^2 - \\sigma_\\phi^2(x)\\right)", "FAILED"),
    ("\\mathbb{E}_{q_\\phi(z|x)}[z^2] = \\mu_\\phi(x) + \\sigma_\\phi(x)^2", "FAILED"),
])
def test_closed_forms_written_with_the_encoders_outputs(row, expected):
    ds, results = _check(Q + f"$${row}$$\n")
    assert [r.status.name for r in results] == [expected]
    said = " ".join(w.message for d in ds for w in d.warnings) + " ".join(n.message for n in ds[0].skipped)
    assert "μ_φ(x) as μφ" in said and "encoder's outputs at the observed x" in said


def test_a_function_of_the_latent_is_refused_at_its_column_not_read_as_a_product():
    ds, errors = load_text(Q + "$$\\mathbb{E}_{q_\\phi(z|x)}[z] = \\mu_\\phi(z)$$\n", "n.md", reader_for("n.md"))
    skipped = [n.message for n in (ds[0].skipped if ds else []) if n.line == 3] + [e.message for e in errors]
    assert any("μ_φ(…) is read only as an encoder's output at the observed x" in r and "column 33" in r
               for r in skipped), skipped


@pytest.mark.parametrize("text", ["\\sigma(x) + \\mu(x)", "\\mu_1(x)", "\\sigma_q w"])
def test_a_greek_letter_without_a_subscript_or_with_a_digit_is_left_to_the_grammar(text):
    assert encoder_outputs(text, "x") == (text, [])


@pytest.mark.parametrize("text", ["\\mu_\\phi(x + 1)", "\\mu_\\phi(z)", "\\sigma_{\\theta} (t)"])
def test_an_output_at_anything_but_the_observed_variable_is_refused(text):
    with pytest.raises(ParseError, match="is read only as an encoder's output at the observed x"):
        encoder_outputs(text, "x")


def test_the_rewrite_keeps_every_column():
    text = "\\log \\sigma^2_{\\phi}(\\mathbf{x}) - \\mu_\\phi(x)^2 + w"
    out, found = encoder_outputs(text, "x")
    assert len(out) == len(text) and out.index("w") == text.index("w")
    assert found == ["\\sigma^2_{\\phi}(\\mathbf{x})", "\\mu_\\phi(x)"]
    assert "\\sigma_{\\phi}^2" in out        # σ²_φ is σ_φ², reordered in place


def test_the_reparameterisation_row_is_a_definition_not_a_claim():
    ds, results = _check(Q + "재매개변수화: $z = \\mu_\\phi(x) + \\sigma_\\phi(x) \\epsilon$, "
                              "$\\epsilon \\sim \\mathcal{N}(0, 1)$.\n\n"
                              f"$${KL} = \\frac{{1}}{{2}}(\\mu_\\phi(x)^2 + \\sigma_\\phi(x)^2 - 1) - \\log \\sigma_\\phi(x)$$\n")
    assert [r.status.name for r in results] == ["PROVED"]
    assert any(n.line == 3 and "a change of variables" in n.message for n in ds[0].skipped)


def test_a_latent_written_with_itself_stays_a_claim():
    class Reader:
        latent = ["z", "ε"]
        skipped = []

        def skip(self, line, reason):
            self.skipped.append((line, reason))
    z, eps = sympy.symbols("z ε")
    assert not change_of_variables(Reader(), 1, z, z + 0 * eps + sympy.Rational(1, 2) * (z - z))
    assert not change_of_variables(Reader(), 1, z, 2 * z + eps)          # z on both sides: a claim
    assert not change_of_variables(Reader(), 1, z, sympy.Symbol("m") + 1)  # no drawn variable on the right
    reader = Reader()
    assert change_of_variables(reader, 1, z, sympy.Symbol("m") + eps)
    assert "a change of variables" in reader.skipped[0][1]


TEXT = "q(z) = N(z; μ_φ(x), σ_φ(x)^2)\n\n"


@pytest.mark.parametrize("row, expected", [
    ("E_q[z] = μ_φ(x)", "PROVED"),
    ("E_q[z^2] = μ_φ(x)^2 + σ_φ(x)^2", "PROVED"),
    ("KL(q || N(0, 1)) = -log σ_φ(x) + (μ_φ(x)^2 + σ_φ(x)^2 - 1)/2", "PROVED"),
    ("E_q[z^2] = μ_φ(x)^2 + σ_φ(x)", "FAILED"),
    ("KL(q || N(0, 1)) = -log σ_φ(x) + (μ_φ(x)^2 - σ_φ(x)^2 - 1)/2", "FAILED"),
])
def test_plain_text_reads_them_as_names(row, expected):
    ds, results = _check(TEXT + row + "\n", "n.txt")
    assert [r.status.name for r in results] == [expected]
    assert any("read μ_φ(x) as μ_φ: the encoder's output at the observed x" in w.message for w in ds[0].warnings)


def test_the_transcription_defines_the_amortised_q_with_its_parameter_and_checks_the_same():
    rows = (f"$${KL} = \\frac{{1}}{{2}}(\\mu_\\phi(x)^2 + \\sigma_\\phi(x)^2 - 1) - \\log \\sigma_\\phi(x)$$\n\n"
            f"$${KL} = \\frac{{1}}{{2}}(\\mu_\\phi(x)^2 + \\sigma_\\phi(x) - 1) - \\log \\sigma_\\phi(x)$$\n")
    ds, results = _check(Q + rows)
    vi = transcribe(ds)
    assert "define q(z|x, φ) = Normal(z, μφ, σφ)" in vi and "positive: σφ" in vi
    _, again = _check(vi, "n.vi")
    assert [r.status.name for r in again] == [r.status.name for r in results] == ["PROVED", "FAILED"]


def test_a_vi_file_defines_an_amortised_density_with_a_parameter_right_of_the_bar():
    text = ("derivation d\nlatent: z\nobserved: x\nparameters: φ m\npositive: s\n"
            "define q(z|x, φ) = Normal(z, m, s)\n\n    E_q(z|x,φ)[z^2]\n  = m**2 + s\n")
    _, results = _check(text, "n.vi")
    assert [r.status.name for r in results] == ["FAILED"]
    ds, errors = load_text(text.replace("z|x, φ", "z|m, φ"), "n.vi", reader_for("n.vi"))
    assert errors and "right of the bar is not a latent variable" in errors[0].message


PRIOR = "q(z) = N(z; μ_φ(x), σ_φ(x)^2)\np(z) = N(z; 0, 1)\n\n"


@pytest.mark.parametrize("row, expected", [
    ("KL(q(z) || p(z)) = (μ_φ(x)^2 + σ_φ(x)^2 - 1)/2 - log σ_φ(x)", "PROVED"),
    ("KL(q(z) || p(z)) = (μ_φ(x)^2 + σ_φ(x)^2 - 1)/2 - 2 log σ_φ(x)", "FAILED"),
    # a chain that names p(x|z) too keeps p the model's: the prior is not used there
    ("log p(x) >= E_q[log p(x|z)] - KL(q(z)||p(z))", "PROVED"),
])
def test_plain_text_defines_the_prior_for_chains_that_name_p_of_z_alone(row, expected):
    ds, results = _check(PRIOR + row + "\n", "n.txt")
    assert [r.status.name for r in results] == [expected]
    assert any(n.line == 2 and n.message.startswith("defines the prior p(z) = Normal(z, 0, 1)") for n in ds[0].skipped)
    step = ds[0].steps[0]
    priors = {str(d.definition) for d in (step.lhs + step.rhs).atoms(Density) if hasattr(d, "definition")}
    assert ("Normal(z, 0, 1)" in priors) == ("p(x|z)" not in row)


def test_plain_text_defines_a_prior_of_another_kind():
    ds, results = _check("p(z) = Gamma(z; 2, 3)\n\nE_p(z)[z] = 2/3\n\nE_p(z)[z] = 3/2\n", "n.txt")
    assert [r.status.name for r in results] == ["PROVED", "FAILED"]
