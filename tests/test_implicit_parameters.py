"""Parameters read from how a note uses them: a Greek letter the note conditions a density on
(``p(x \\mid \\theta)``, ``p_\\theta``) and never treats as random is a parameter (said in a
warning), so EM and VAE notes without a ``parameters:`` line are read; a letter the note also
draws, integrates or writes as a density's variable is never one -- Bayes' rule would then be
wrongly withheld or wrongly applied."""
from __future__ import annotations

import pytest

from vi_sym.core import Status
from vi_sym.frontends import load_text
from vi_sym.frontends.implicit_parameters import implicit_parameters
from vi_sym.frontends.markdown import read_markdown


@pytest.mark.parametrize("text, found", [
    (r"$$\log p(x \mid \theta) = \mathcal{L}(q, \theta)$$", ["θ"]),
    (r"$$p(z \mid x, \theta^{\text{old}}) = q(z)$$", ["θ"]),
    (r"$$\log p_\theta(x) \geq \mathbb{E}_{q_\phi(z \mid x)}[\log p_\theta(x \mid z)]$$", ["θ", "φ"]),
    (r"$$\log p(x|θ) = L(q, θ)$$", ["θ"]),                                    # Unicode letters
    (r"$$p(x \mid \lambda) = \lambda e^{-\lambda x}$$", ["λ"]),
])
def test_a_letter_that_only_conditions_is_a_parameter(text, found):
    assert implicit_parameters(text, declared=set()) == found


@pytest.mark.parametrize("text", [
    r"$$p(x \mid \theta) p(\theta) = p(x, \theta)$$",                  # a density's variable: random
    r"$$p(x) = \int p(x \mid \theta) p(\theta) \, d\theta$$",          # integrated over
    r"$$\theta \sim p(\theta), \quad p(x \mid \theta)$$",              # drawn
    r"$$p(x \mid \theta) = \int p(x \mid z) \, \mathrm{d}\theta$$",    # a differential
    r"$$\log \sigma = \log \sigma^2 / 2$$",                            # never conditions anything
])
def test_a_letter_the_note_treats_as_random_or_never_conditions_on_is_not(text):
    assert implicit_parameters(text, declared=set()) == []


def test_a_declared_letter_is_left_to_its_declaration():
    assert implicit_parameters(r"$$\log p(x \mid \theta) = 0$$", declared={"θ"}) == []


EM = r"""
For parameters $\theta$:

$$
\log p(x \mid \theta) = \mathcal{L}(q, \theta) + \mathrm{KL}(q(z) \,\|\, p(z \mid x, \theta))
$$

E-step: set $q(z) = p(z \mid x, \theta^{\text{old}})$, then the KL vanishes and

$$
\log p(x \mid \theta^{\text{old}}) = \mathcal{L}(q, \theta^{\text{old}})
$$

$$
\mathcal{L}(q, \theta) = \mathbb{E}_{q(z)}[\log p(x, z \mid \theta)] - H(q)
$$

Since KL is non-negative, $\log p(x \mid \theta) \geq \mathcal{L}(q, \theta)$.
"""


def _results(text):
    derivs, errors = load_text(text, "em.md", read_markdown)
    assert not errors
    return derivs, [r for d in derivs for r in d.check(samples=8, seed=0, jobs=1, fixes=False)]


def test_an_em_note_without_a_parameters_line_is_read_and_decided():
    derivs, results = _results(EM)
    assert [r.status for r in results] == [Status.PROVED, Status.PROVED, Status.FAILED, Status.PROVED]
    warnings = [w.message for d in derivs for w in d.warnings]
    assert any(w.startswith("read θ as a parameter of the model") for w in warnings)
    # θ conditions the model: Bayes' rule is never applied to it (no p(θ|x) anywhere)
    assert "p(θ" not in " ".join(r.statement + r.residual for r in results)
    # the E-step's premise is read with θ^old: the bound is tight there -- and not at another θ
    assert results[1].statement == "log p(x|θold) = ELBO(p(z|x,θold), p(x,z|θold))"


def test_the_e_step_at_another_parameter_is_not_tight():
    wrong = EM.replace(r"\log p(x \mid \theta^{\text{old}}) = \mathcal{L}(q, \theta^{\text{old}})",
                       r"\log p(x \mid \theta) = \mathcal{L}(q, \theta)")
    _, results = _results(wrong)
    assert results[1].status is not Status.PROVED


def test_a_note_that_draws_the_parameter_keeps_asking_for_a_declaration():
    text = r"$$p(\theta \mid x) = \frac{p(x \mid \theta) p(\theta)}{p(x)}$$" + "\n"
    derivs, errors = load_text(text, "bayes.md", read_markdown)
    assert derivs == [] and "unknown variable 'θ'" in errors[0].message


TEXT_EM = """log p(x|θ) = L(q, θ) + KL(q(z) || p(z|x,θ))
L(q, θ) = E_q(z)[log p(x,z|θ)] + H(q)
log p(x|θ) >= L(q, θ)
"""


def test_a_plain_text_em_note_is_read_alike():
    from vi_sym.frontends.note import read_note
    derivs, errors = load_text(TEXT_EM, "em.txt", read_note)
    assert not errors
    results = [r for d in derivs for r in d.check(samples=8, seed=0, jobs=1, fixes=False)]
    assert [r.status for r in results] == [Status.PROVED, Status.PROVED, Status.PROVED]
    assert derivs[0].warnings[0].message.startswith("read θ as a parameter of the model")


def test_a_parameters_line_turns_the_inference_off_and_a_latent_line_wins():
    from vi_sym.frontends.note import read_note
    derivs, errors = load_text("parameters: φ\n" + TEXT_EM, "em.txt", read_note)
    assert derivs == [] and "unknown variable 'θ'" in errors[0].message
    derivs, errors = load_text("latent: z θ\n" + TEXT_EM, "em.txt", read_note)
    assert not any("as a parameter of the model" in w.message for d in derivs for w in d.warnings)


def test_a_note_that_declares_its_parameters_gets_none_added():
    """With a parameters: line the note has said which they are: p_β for p_θ may be a slip."""
    text = "<!-- vi_sym: parameters: \\theta -->\n\n$$\\log p(x \\mid \\beta) = \\log p(x \\mid \\theta)$$\n"
    derivs, errors = load_text(text, "n.md", read_markdown)
    assert derivs == [] and "unknown variable 'β'" in errors[0].message
