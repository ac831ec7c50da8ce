"""A VAE note as people write it, without declaring θ and φ: ``p_\\theta(x|z)``, ``q_\\phi(z|x)`` are
conditioned on θ, φ -- read as real parameters, said in a warning (they were densities named pθ, qφ,
never linked by Bayes' rule: the decomposition was UNKNOWN) -- and the bound
``\\mathcal{L}_{\\theta,\\phi}(x)`` is ELBO(q(z|x,φ), p(x,z|θ)) whichever order the subscripts take."""
import pytest

from vi_sym.core import Status
from vi_sym.notation import to_unicode
from vi_sym.settings import Settings
from conftest import load_as, read_as, reasons, statuses_as

SETTINGS = Settings(families=("all",), samples=8, jobs=1, fixes=False)
ELBO = "ELBO(q(z|x,φ), p(x,z|θ))"


_load, _read = load_as, read_as


def _statuses(text):
    return statuses_as(text, SETTINGS)


DECOMPOSITION = r"$$\log p_\theta(x) = \mathbb{E}_{q_\phi(z|x)}\left[\log \frac{p_\theta(x, z)}{q_\phi(z|x)}\right] + D_{KL}(q_\phi(z|x) \| p_\theta(z|x))$$" + "\n"


def test_undeclared_greek_subscripts_are_parameters():
    [d] = _read(DECOMPOSITION)
    assert to_unicode(d.steps[0].lhs) == "log p(x|θ)"
    # said by the reader of parameters from their use (vi_sym.frontends.implicit_parameters)
    assert any("read θ, φ as parameters of the model" in str(w) for w in d.warnings), d.warnings
    assert _statuses(DECOMPOSITION) == [Status.PROVED]


def test_a_declared_latent_theta_is_not_taken_for_a_parameter():
    ds, errors = _load("<!-- vi_sym: latent: z \\theta -->\n\n" + DECOMPOSITION)
    said = [str(w) for d in ds for w in d.warnings if "as a parameter" in str(w)]
    assert said and not any("θ" in w.split("(")[0] for w in said), said      # φ is one, θ is not


@pytest.mark.parametrize("bound", [r"\mathcal{L}_{\theta,\phi}(x)", r"\mathcal{L}_{\phi,\theta}(x)",
                                   r"\mathcal{L}_{\theta, \phi}"])
def test_the_subscripted_bound_is_kingma_and_wellings(bound):
    row = fr"$${bound} = \mathbb{{E}}_{{q_\phi(z|x)}}\left[\log p_\theta(x, z) - \log q_\phi(z|x)\right]$$" + "\n"
    [d] = _read(row)
    assert to_unicode(d.steps[0].lhs) == ELBO
    assert _statuses(row) == [Status.PROVED]


def test_a_slip_with_the_subscripted_bound_is_failed():
    row = r"$$\log p_\theta(x) = \mathcal{L}_{\theta,\phi}(x) - D_{KL}(q_\phi(z|x) \| p_\theta(z|x))$$" + "\n"
    assert _statuses(row) == [Status.FAILED]


def test_the_bound_takes_two_parameters():
    ds, errors = _load("<!-- vi_sym: parameters: \\theta -->\n\n$$\\mathcal{L}_{\\theta}(x) = 0$$\n")
    messages = reasons(ds, errors)
    assert any("two of them; got 1" in m for m in messages), messages


@pytest.mark.parametrize("rhs, status", [
    (r"\mathcal{L}(\theta, \phi)", Status.PROVED),
    (r"\mathcal{L}(\phi, \theta)", Status.PROVED),      # φ is the variational parameter wherever it stands
])
def test_kingma_and_wellings_bound_without_its_data(rhs, status):
    """L(θ, φ) with no '; x': the model's θ, the encoder's φ -- it was read as PRML's L(q, θ) with a
    q conditioned on θ and a model conditioned on φ (the roles exchanged), and left UNKNOWN."""
    row = (r"\mathbb{E}_{q_\phi(z|x)}\left[\log p_\theta(x|z)\right] - \mathrm{KL}\left(q_\phi(z|x) \| p(z)\right) =: "
           + rhs)
    derivs, errors = load_as(f"$${row}$$\n")
    assert not errors, errors
    assert derivs[0].check(samples=8, seed=0, jobs=1)[0].status is status
