"""Shared vocabulary for the tests: the densities of the note's model."""
import pytest
import sympy
from sympy import Symbol

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
