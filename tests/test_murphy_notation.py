"""Murphy's (Probabilistic Machine Learning: Advanced Topics, ch. 10) ``\\mathcal{L}(\\psi \\mid \\mathbf{x})``:
the bound of q_ψ for the data x, read as ELBO(q_ψ(z), p(x, z)); its two forms are proved, a
sign slip is FAILED with its fix, and a bar followed by anything but the observed variable is an
error that says what comes after it."""
import pytest

from vi_sym.checker import check_derivations
from vi_sym.core import Status
from vi_sym.notation import to_unicode
from vi_sym.settings import Settings
from conftest import load_as, read_as, reasons

SETTINGS = Settings(families=("all",), samples=8, jobs=1, fixes=True)
HEADER = "<!-- vi_sym: parameters: \\psi -->\n\n"
L = r"\mathcal{L}(\boldsymbol{\psi} \mid \mathbf{x})"
Q = r"q_{\boldsymbol{\psi}}(\mathbf{z})"


def _load(row):
    return load_as(HEADER + f"$${row}$$\n")


def _result(row):
    [r] = check_derivations(read_as(HEADER + f"$${row}$$\n"), SETTINGS).results
    return r


@pytest.mark.parametrize("row", [
    fr"{L} = \mathbb{{E}}_{{{Q}}}\left[\log p(\mathbf{{x}}, \mathbf{{z}}) - \log {Q}\right]",
    fr"{L} = \mathbb{{E}}_{{{Q}}}\left[\log p(\mathbf{{x}} \mid \mathbf{{z}})\right] - \mathrm{{KL}}({Q} \| p(\mathbf{{z}}))",
    fr"\log p(\mathbf{{x}}) \geq {L}",
])
def test_murphys_bound_is_the_elbo_of_q_psi(row):
    r = _result(row)
    assert r.status == Status.PROVED
    ds, _ = _load(row)
    assert "ELBO(q(z|ψ), p(x,z))" in to_unicode(ds[0].steps[0].lhs) + to_unicode(ds[0].steps[0].rhs)


def test_a_sign_slip_is_failed_with_its_fix():
    r = _result(fr"{L} = \mathbb{{E}}_{{{Q}}}\left[\log p(\mathbf{{x}} \mid \mathbf{{z}})\right] + \mathrm{{KL}}({Q} \| p(\mathbf{{z}}))")
    assert r.status == Status.FAILED
    assert [f["verdict"] for f in r.fixes] == ["PROVED"]


def test_after_the_bar_comes_the_observed_variable():
    ds, errors = _load(r"\mathcal{L}(\boldsymbol{\psi} \mid \mathbf{z}) = 0")
    messages = reasons(ds, errors)
    assert not any(d.steps for d in ds)
    assert any("after the bar comes the observed variable" in m for m in messages), messages
