"""Shared vocabulary for the tests: the densities of the note's model."""
import pytest
import sympy
from sympy import Symbol

from vi_sym.checker import check_derivations
from vi_sym.frontends import load_text, reader_for
from vi_sym.frontends.note import read_note
from vi_sym.rules import Context
from vi_sym.vocabulary import Density

x, z = sympy.symbols("x z")


def p(vars, given=()):
    return Density("p", vars, given)


q = Density("q", [z])
prior = p([z])
posterior = p([z], [x])
likelihood = p([x], [z])
evidence = p([x])
joint = p([x, z])
CTX = Context((z,))


@pytest.fixture
def ctx():
    return CTX


def note(text):
    """A plain-text note's derivations and errors (read as ``n.txt``)."""
    return load_text(text, "n.txt", read_note)


def steps(text):
    """Every step of a plain-text note that reads without an error."""
    ds, errs = note(text)
    assert errs == []
    return [s for d in ds for s in d.steps]


def load_as(text, name="n.md"):
    """(derivations, errors) of ``text`` read as a file called ``name`` (its suffix picks the reader)."""
    return load_text(text, name, reader_for(name))


def read_as(text, name="n.md"):
    """The derivations of ``text`` read as ``name``, which must read without an error."""
    ds, errors = load_as(text, name)
    assert not errors, errors
    return ds


def statuses_as(text, settings, name="n.md"):
    """The verdict of every step of ``text`` read as ``name``, checked with ``settings``."""
    return [r.status for r in check_derivations(read_as(text, name), settings).results]


def reasons(ds, errors):
    """What a reader said of the lines it skipped and of the errors it met."""
    return [n.message for d in ds for n in d.skipped] + [str(e) for e in errors]


# --------------------------------------------------------------------------- the VAE's diagonal KL in LaTeX
#: a note's declarations of the VAE's d-dimensional latent and parameters (Markdown comments)
KL_HEADER = r"""
<!-- vi_sym: latent: z[1..J] -->
<!-- vi_sym: parameters: \mu[1..J] -->
<!-- vi_sym: positive: \sigma[1..J] J -->
"""
#: vae.vi's diagonal KL, as vae_kl_diagonal concludes it
VAE_FORM = r"\frac{1}{2}\sum_{j=1}^{J}\left(\sigma_j^2 + \mu_j^2 - 1 - \log \sigma_j^2\right)"
#: the same step in the .vi notation
KL_VI = """
derivation kw
latent: z[1..J]
parameters: μ[1..J]
positive: σ[1..J] J

    sum(σ[j]^2 + μ[j]^2 - 1 - log(σ[j]^2), (j, 1, J))/2
  = -sum(1 + log(σ[j]^2) - μ[j]^2 - σ[j]^2, (j, 1, J))/2
"""


def lemma_agrees(c, h, quad, tol=1e-9):
    """A kind's moment lemmas give E[h] under ``c`` (through the prover's own split into
    coefficient times statistic) equal to ``quad(c, h)``, a quadrature that uses none of them; no
    statistic is left without its lemma."""
    import mpmath
    from vi_sym.moments import Moment, expectation
    value, _ = expectation(c, h)
    assert not value.has(Moment), (c, h, value)
    exact = mpmath.mpf(sympy.N(value, 30))
    got = quad(c, h)
    assert abs(got - exact) < tol * (1 + abs(exact)), (c, h, got, exact)


def judge_vi(text) -> str:
    """The verdict (its value) of the first step of the one ``.vi`` derivation ``text`` holds,
    spot-checked in every family."""
    from vi_sym.judge import judge
    from vi_sym.settings import Settings
    (d,), errs = load_text(text, "k.vi")
    assert not errs, errs
    return judge(d.steps[0], Settings(families=("all",))).status.value
