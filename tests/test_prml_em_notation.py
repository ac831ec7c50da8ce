"""PRML §9.4 as written: in a chain whose model is conditioned on a parameter,
``\\ln p(\\mathbf{X} \\mid \\boldsymbol{\\theta}) = \\mathcal{L}(q, \\boldsymbol{\\theta}) + \\mathrm{KL}(q \\| p)``,
the bare p is the posterior given θ, p(Z|X, θ) (it was p(Z|X), and (9.70) was UNKNOWN); a declared
parameter with a superscript or subscript word, ``\\boldsymbol{\\theta}^{\\text{old}}``, is the
parameter θold (said in a warning; the base must be a declared parameter, else the name is unknown)."""
import pytest

from vi_sym.core import Status
from vi_sym.notation import to_unicode
from vi_sym.settings import Settings
from conftest import load_as, read_as, reasons, statuses_as

SETTINGS = Settings(families=("all",), samples=8, jobs=1, fixes=False)
HEADER = "<!-- vi_sym: parameters: \\theta -->\n\n"
TH = r"\boldsymbol{\theta}"
PRML = [
    fr"\ln p(\mathbf{{X}} \mid {TH}) = \mathcal{{L}}(q, {TH}) + \mathrm{{KL}}(q \| p)",                       # (9.70)
    fr"\mathcal{{L}}(q, {TH}) = \sum_{{\mathbf{{Z}}}} q(\mathbf{{Z}}) \ln \left\{{ \frac{{p(\mathbf{{X}}, \mathbf{{Z}} \mid {TH})}}{{q(\mathbf{{Z}})}} \right\}}",   # (9.71)
    fr"\mathrm{{KL}}(q \| p) = -\sum_{{\mathbf{{Z}}}} q(\mathbf{{Z}}) \ln \left\{{ \frac{{p(\mathbf{{Z}} \mid \mathbf{{X}}, {TH})}}{{q(\mathbf{{Z}})}} \right\}}",   # (9.72)
]


def _load(text):
    return load_as(HEADER + text)


def _read(text):
    return read_as(HEADER + text)


def _statuses(text):
    return statuses_as(HEADER + text, SETTINGS)


@pytest.mark.parametrize("row", PRML)
def test_prmls_em_decomposition_is_proved(row):
    assert _statuses(f"$${row}$$\n") == [Status.PROVED]


def test_the_bare_p_is_the_posterior_given_theta():
    [d] = _read(f"$${PRML[0]}$$\n")
    assert "KL(q(Z) ‖ p(Z|X,θ))" in to_unicode(d.steps[0].rhs)


def test_without_a_parameter_the_bare_p_is_the_posterior():
    ds, errors = load_as("$$\\ln p(\\mathbf{X}) = \\mathcal{L}(q) + \\mathrm{KL}(q \\| p)$$\n")
    assert "KL(q(Z) ‖ p(Z|X))" in to_unicode(ds[0].steps[0].rhs)


def test_the_kl_with_the_wrong_posterior_is_not_proved():
    wrong = PRML[0].replace(r"\mathrm{KL}(q \| p)", r"\mathrm{KL}(q \| p(\mathbf{Z}))")
    assert _statuses(f"$${wrong}$$\n") != [Status.PROVED]


@pytest.mark.parametrize("old", [r"\boldsymbol{\theta}^{\text{old}}", r"\theta^{old}", r"\theta_{\mathrm{old}}",
                                 r"\boldsymbol{\theta}_{\text{old}}"])
def test_a_decorated_parameter_is_a_parameter_of_its_own(old):
    text = f"$$\\ln p(\\mathbf{{X}} \\mid {old}) = \\mathcal{{L}}(q, {old}) + \\mathrm{{KL}}(q \\| p)$$\n"
    [d] = _read(text)
    assert "θold" in {str(s) for s in d.steps[0].lhs.free_symbols}
    assert any("θold as a real parameter" in str(w) for w in d.warnings), d.warnings
    assert _statuses(text) == [Status.PROVED]


def test_em_with_old_and_new_parameters_keeps_them_apart():
    # L(q, θ) at q = p(Z|X, θold) is not log p(X|θ): the bound is tight at θold only
    text = (r"$$\ln p(\mathbf{X} \mid \theta) = \sum_{\mathbf{Z}} p(\mathbf{Z} \mid \mathbf{X}, "
            r"\theta^{\text{old}}) \ln \frac{p(\mathbf{X}, \mathbf{Z} \mid \theta)}"
            r"{p(\mathbf{Z} \mid \mathbf{X}, \theta^{\text{old}})}$$" + "\n")
    assert _statuses(text) == [Status.FAILED]


def test_a_decorated_name_whose_base_is_no_parameter_is_unknown():
    ds, errors = _load("text\n\n$$ p(\\mathbf{X} \\mid \\mu^{\\text{old}}) = 1 $$\n")
    messages = reasons(ds, errors)
    assert any("unknown variable 'μold'" in m for m in messages), messages


def test_the_kl_subscript_is_still_the_kl():
    ds = _read(r"$$ D_{\text{KL}}(q \| p) \geq 0 $$" + "\n")
    assert to_unicode(ds[0].steps[0].lhs) == "KL(q(z) ‖ p(z|x))"


@pytest.mark.parametrize("row", [
    r"\theta^{\text{new}} = \arg\max_{\theta} \mathbb{E}_{p(z \mid x, \theta^{\text{old}})}[\log p(x, z \mid \theta)]",
    r"\hat{\theta} = \arg\max_{\theta} \log p(x \mid \theta)",
])
def test_a_name_set_to_an_argmax_is_a_definition_not_a_claim(row):
    """The M-step as written, θ^new = argmax_θ Q(θ, θ^old): it names the maximiser (nothing to
    prove), where it was an UNKNOWN claim comparing a name with a set of optima."""
    text = (f"$$\\log p(x \\mid \\theta) = \\mathcal{{L}}(q, \\theta) + \\mathrm{{KL}}(q \\| p)$$\n\n$${row}$$\n")
    ds, errors = _load(text)
    assert len([s for d in ds for s in d.steps]) == 1
    assert any("a definition: nothing to prove" in r for r in reasons(ds, errors)), reasons(ds, errors)
