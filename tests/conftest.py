"""Shared vocabulary for the tests: the densities of the note's model."""
import pytest
import sympy
from sympy import Symbol

from vi_sym.frontends import load_text
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
