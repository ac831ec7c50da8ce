"""A diagonal Gaussian of any dimension written in LaTeX -- N(μ, diag(σ²)), N(0, I), N(μ, σ² I) --
with its closed form as a sum over the coordinates (the VAE's KL regulariser, Kingma & Welling
appendix B): read as derivations/vae.vi writes it (a product over j = 1..d of independent
coordinates), for that formula's chain only, and PROVED or FAILED like the .vi derivation."""
from __future__ import annotations

import pytest

from vi_sym.checker import Settings, check_derivations
from vi_sym.frontends import load_text, reader_for
from vi_sym.frontends.transcribe import transcribe
from vi_sym.notation import to_unicode

KL = "\\mathrm{KL}(\\mathcal{N}(\\mu, \\mathrm{diag}(\\sigma^2)) \\| \\mathcal{N}(0, I))"
SETTINGS = Settings(families=("all",), samples=10, jobs=1, fixes=False)


def _check(text: str, name: str = "n.md"):
    ds, errors = load_text(text, name, reader_for(name))
    assert not errors, errors
    return [r.status.name for r in check_derivations(ds, SETTINGS).results], ds


@pytest.mark.parametrize("row, expected", [
    (f"{KL} = \\frac{{1}}{{2}}\\sum_{{j=1}}^{{d}}\\left(\\mu_j^2 + \\sigma_j^2 - 1 - \\log\\sigma_j^2\\right)", "PROVED"),
    # Kingma & Welling's form, the dimension J
    ("-D_{KL}(\\mathcal{N}(\\mu, \\mathrm{diag}(\\sigma^2)) \\| \\mathcal{N}(0, I)) = \\frac12 \\sum_{j=1}^J "
     "\\left(1 + \\log(\\sigma_j^2) - \\mu_j^2 - \\sigma_j^2\\right)", "PROVED"),
    # isotropic: one σ for every coordinate
    ("\\mathrm{KL}(\\mathcal{N}(\\mu, \\sigma^2 I) \\| \\mathcal{N}(0, I)) = \\frac{1}{2}\\sum_{j=1}^{d}"
     "\\left(\\mu_j^2 + \\sigma^2 - 1 - \\log\\sigma^2\\right)", "PROVED"),
    ("\\mathbb{H}[\\mathcal{N}(\\mu, \\mathrm{diag}(\\sigma^2))] = \\frac{d}{2}(1 + \\log 2\\pi) + \\sum_{j=1}^d \\log \\sigma_j",
     "PROVED"),
    ("D_{\\mathrm{KL}}\\left(\\mathcal{N}(\\boldsymbol{\\mu}, \\operatorname{diag}(\\boldsymbol{\\sigma}^2)) \\,\\|\\, "
     "\\mathcal{N}(\\mathbf{0}, \\mathbf{I})\\right) = \\frac{1}{2}\\sum_{k=1}^{K}\\left(\\mu_k^2 + \\sigma_k^2 - 1 - "
     "2\\log\\sigma_k\\right)", "PROVED"),
    # the slips: the ½ dropped, log σ_j for log σ_j², a sign
    (f"{KL} = \\sum_{{j=1}}^{{d}}\\left(\\mu_j^2 + \\sigma_j^2 - 1 - \\log\\sigma_j^2\\right)", "FAILED"),
    (f"{KL} = \\frac{{1}}{{2}}\\sum_{{j=1}}^{{d}}\\left(\\mu_j^2 + \\sigma_j^2 - 1 - \\log\\sigma_j\\right)", "FAILED"),
    (f"{KL} = \\frac{{1}}{{2}}\\sum_{{j=1}}^{{d}}\\left(\\mu_j^2 + \\sigma_j^2 + 1 - \\log\\sigma_j^2\\right)", "FAILED"),
    ("\\mathbb{H}[\\mathcal{N}(\\mu, \\mathrm{diag}(\\sigma^2))] = \\frac{d}{2}(1 + \\log 2\\pi) + \\sum_{j=1}^d \\log \\sigma_j^2",
     "FAILED"),
])
def test_a_diagonal_gaussians_closed_form_over_its_coordinates(row, expected):
    got, ds = _check(f"$${row}$$\n")
    assert got == [expected]
    assert "[1..d]" in " ".join(w.message for d in ds for w in d.warnings) or "J" in row or "K" in row


def test_the_vectors_are_the_formulas_own():
    """A scalar formula after it keeps σ a number: the vectors hold for the diagonal Gaussian's chain."""
    text = (f"$${KL} = \\frac{{1}}{{2}}\\sum_{{j=1}}^{{d}}\\left(\\mu_j^2 + \\sigma_j^2 - 1 - \\log\\sigma_j^2\\right)$$\n\n"
            "$$\\mathrm{KL}(\\mathcal{N}(\\mu, \\sigma^2) \\| \\mathcal{N}(0, 1)) = "
            "\\frac{1}{2}\\left(\\mu^2 + \\sigma^2 - 1 - \\log\\sigma^2\\right)$$\n")
    got, ds = _check(text)
    assert got == ["PROVED", "PROVED"]
    assert ds[1].steps[0].context.indexed == () and "[" not in to_unicode(ds[1].steps[0].rhs)


@pytest.mark.parametrize("row, words", [
    (f"{KL} = 0", "with a diagonal covariance is read with a sum over its coordinates"),
    ("<!-- vi_sym: positive: s -->\n\n$$\\mathbb{E}_q[\\mathrm{diag}(s^2)] = 1", "stands only as the second argument of a Normal"),
])
def test_a_diagonal_covariance_that_cannot_be_read_says_why(row, words):
    text = f"$${row}$$\n" if not row.startswith("<") else f"{row}$$\n"
    ds, errors = load_text(text, "n.md", reader_for("n.md"))
    said = [n.message for d in ds for n in d.skipped] + [e.message for e in errors]
    assert any(words in m for m in said), said


def test_a_variable_named_i_is_no_identity():
    ds, errors = load_text("<!-- vi_sym: parameters: I -->\n\n$$\\mathbb{E}_q[I] = I$$\n", "n.md", reader_for("n.md"))
    assert not errors and to_unicode(ds[0].steps[0].rhs) == "I"


def test_the_transcription_is_the_vae_derivation_and_checks_alike():
    text = (f"$${KL} = \\frac{{1}}{{2}}\\sum_{{j=1}}^{{d}}\\left(\\mu_j^2 + \\sigma_j^2 - 1 - \\log\\sigma_j^2\\right)$$\n\n"
            f"$${KL} = \\sum_{{j=1}}^{{d}}\\left(\\mu_j^2 + \\sigma_j^2 - 1 - \\log\\sigma_j^2\\right)$$\n")
    got, ds = _check(text)
    vi = transcribe(ds)
    assert "latent: z[1..d]" in vi and "define NormalDiag1(z) = prod(Normal(z[j], μ[j], σ[j]), (j, 1, d))" in vi
    assert "define NormalDiag2(z) = prod(Normal(z[j], 0, 1), (j, 1, d))" in vi
    again, _ = _check(vi, "n.vi")
    assert again == got == ["PROVED", "FAILED"]


def test_a_bad_vector_declaration_beside_a_diagonal_gaussian_is_said_not_a_reader_fault():
    text = ("<!-- vi_sym: latent: z[1..d] -->\n\n$$\\log p(x) = \\log p(x)$$\n\n"
            f"$${KL} = \\frac{{1}}{{2}}\\sum_{{j=1}}^{{d}}\\left(\\mu_j^2 + \\sigma_j^2 - 1 - \\log\\sigma_j^2\\right)$$\n")
    ds, errors = load_text(text, "n.md", reader_for("n.md"))
    said = [e.message for e in errors] + [n.message for d in ds for n in d.skipped]
    assert not any("the reader failed" in m for m in said), said
    assert any("must be a whole number or a name declared under 'positive:'" in m for m in said)


PRODUCT = ("<!-- vi_sym: latent: z[1..d] -->\n<!-- vi_sym: parameters: \\mu[1..d] -->\n"
           "<!-- vi_sym: positive: \\sigma[1..d] d -->\n\n"
           "Let $q(z) = \\prod_{j=1}^d \\mathcal{N}(z_j; \\mu_j, \\sigma_j^2)$ and the prior "
           "$p(z) = \\prod_{j=1}^d \\mathcal{N}(z_j; 0, 1)$.\n\n$$\\mathrm{KL}(q(z) \\| p(z)) = %s$$\n\n"
           "$$\\mathbb{H}[q(z)] = \\frac{d}{2}(1 + \\log 2\\pi) + \\sum_{j=1}^d \\log \\sigma_j$$\n")


@pytest.mark.parametrize("kl, expected", [
    ("\\frac{1}{2}\\sum_{j=1}^{d}\\left(\\mu_j^2 + \\sigma_j^2 - 1 - \\log\\sigma_j^2\\right)", "PROVED"),
    ("\\frac{1}{2}\\sum_{j=1}^{d}\\left(\\mu_j^2 + \\sigma_j - 1 - \\log\\sigma_j^2\\right)", "FAILED"),
])
def test_a_density_defined_as_a_product_over_a_declared_vectors_coordinates(kl, expected):
    """q(z) = ∏_j N(z_j; μ_j, σ_j²) with z, μ, σ declared vectors: read as `define q(z) = prod(…)` (it was
    "'z[j]' is not a latent variable"), and the prior p(z) = ∏_j N(z_j; 0, 1) as the prior."""
    got, ds = _check(PRODUCT % kl)
    assert got == [expected, "PROVED"]


def test_the_diagonal_gaussian_prints_as_written_after_a_round_trip_through_a_worker():
    """Its written form is part of the expression (pickled to the workers, rebuilt by xreplace): it
    printed 'KL( ‖ )' once it came back."""
    import pickle
    from vi_sym.notation import to_latex
    _, ds = _check(f"$${KL} = \\frac{{1}}{{2}}\\sum_{{j=1}}^{{d}}\\left(\\mu_j^2 + \\sigma_j^2 - 1 - \\log\\sigma_j^2\\right)$$\n")
    lhs = ds[0].steps[0].lhs
    again = pickle.loads(pickle.dumps(lhs))
    assert to_unicode(again) == to_unicode(lhs) == "KL(N(μ, diag(σ²)) ‖ N(0, I))"
    assert "\\operatorname{diag}" in to_latex(again) and again == lhs
