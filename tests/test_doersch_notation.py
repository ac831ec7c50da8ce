"""Doersch's "Tutorial on Variational Autoencoders" writes the KL divergence ``\\mathcal{D}[Q \\| P]``
(no KL subscript) and its densities with capitals, ``P(X|z)``, ``Q(z|X)``, ``E_{z \\sim Q}``: read
as vi_sym's KL, p and q.  Its equations (2)-(5) are proved, a sign slip in (5) is FAILED with a
fix, and a note that declares P as a variable is told that P(…) reads as a density, at its
column, instead of having a bare P silently read as the posterior."""
import pytest

from vi_sym.checker import check_derivations
from vi_sym.core import Status
from vi_sym.notation import to_unicode
from vi_sym.settings import Settings
from conftest import load_as, read_as, reasons

SETTINGS = Settings(families=("all",), samples=8, jobs=1, fixes=False)

DOERSCH = [
    # (2): the definition of the KL divergence
    r"\mathcal{D}\left[Q(z) \| P(z|X)\right] = E_{z \sim Q}\left[\log Q(z) - \log P(z|X)\right]",
    # (3): Bayes' rule inside it
    r"\mathcal{D}\left[Q(z) \| P(z|X)\right] = E_{z \sim Q}\left[\log Q(z) - \log P(X|z) - \log P(z)\right] + \log P(X)",
    # (4)
    r"\log P(X) - \mathcal{D}\left[Q(z) \| P(z|X)\right] = E_{z \sim Q}\left[\log P(X|z)\right] - \mathcal{D}\left[Q(z) \| P(z)\right]",
    # (5): Q conditioned on X, and E_{z ~ Q} under it
    r"\log P(X) - \mathcal{D}\left[Q(z|X) \| P(z|X)\right] = E_{z \sim Q}\left[\log P(X|z)\right] - \mathcal{D}\left[Q(z|X) \| P(z)\right]",
]


_load, _read = load_as, read_as


def _check(text):
    return check_derivations(read_as(text), SETTINGS).results


@pytest.mark.parametrize("row", DOERSCH)
def test_doerschs_equations_are_proved(row):
    assert [r.status for r in _check(f"$${row}$$\n")] == [Status.PROVED]


def test_capitals_are_the_densities_p_and_q_and_d_is_the_kl():
    [d] = _read(f"$${DOERSCH[3]}$$\n")
    shown = to_unicode(d.steps[0].lhs) + " = " + to_unicode(d.steps[0].rhs)
    assert shown == "log p(X) - KL(q(z|X) ‖ p(z|X)) = E_q(z|X)[log p(X|z)] - KL(q(z|X) ‖ p(z))"


@pytest.mark.parametrize("slip", [
    DOERSCH[3].replace(r"\log P(X) - \mathcal{D}", r"\log P(X) + \mathcal{D}"),     # the sign of the gap
    DOERSCH[3].replace(r"\| P(z)\right]", r"\| P(z|X)\right]"),                        # prior for posterior
    DOERSCH[0].replace(r"\log Q(z) - \log P(z|X)", r"\log P(z|X) - \log Q(z)"),     # the KL reversed
])
def test_a_slip_in_them_is_failed(slip):
    assert [r.status for r in _check(f"$${slip}$$\n")] == [Status.FAILED]


def test_a_declared_capital_variable_is_not_silently_a_density():
    ds, errors = _load("<!-- vi_sym: parameters: P -->\n\n$$ P^2 = \\log p(x) $$\n")
    assert not any(d.steps for d in ds)
    messages = reasons(ds, errors)
    assert any("'P' is a declared variable" in m and "column 4" in m for m in messages), messages


def test_a_calligraphic_d_that_is_no_divergence_is_left_alone():
    # \mathcal{D} not followed by a bracket (a data set) is not read as a KL
    ds, errors = _load("$$ \\log p(\\mathcal{D}) = \\log p(x) $$\n")
    assert not any("KL" in to_unicode(s.lhs) for d in ds for s in d.steps)
