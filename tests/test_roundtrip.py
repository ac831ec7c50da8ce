"""Round trips: an expression printed in each notation (.vi, the plain-text note, LaTeX) and read
back by that notation's reader is the same expression."""
import sympy
from hypothesis import given, settings, strategies as st
from sympy import Integral, Rational, Symbol, log

from vi_sym.frontends.latex import parse_row
from vi_sym.frontends.note import _Note
from vi_sym.frontends.transcribe import to_vi
from vi_sym.frontends.vi import make_env
from vi_sym.parse import parse_expression
from vi_sym.vocabulary import ELBO, KL, Density, Expectation

x, z = Symbol("x"), Symbol("z")
q, post, prior = Density("q", [z]), Density("p", [z], [x]), Density("p", [z])
lik, joint, ev = Density("p", [x], [z]), Density("p", [x, z]), Density("p", [x])
DENSITIES = [q, post, prior, lik, joint, ev]


def _grow(children):
    return st.one_of(
        st.tuples(children, children).map(lambda t: t[0] + t[1]),
        st.tuples(children, children).map(lambda t: t[0] - t[1]),
        st.tuples(children, children).map(lambda t: t[0] * t[1]),
        st.tuples(children, children).map(lambda t: t[0] / t[1]),
        children.map(log),
        children.map(lambda f: Integral(q * f, z)),
        children.map(lambda f: Expectation(q, f)),
    )


ATOMS = st.one_of(st.sampled_from(DENSITIES), st.sampled_from(DENSITIES).map(log),
                  st.sampled_from([KL(q, post), KL(q, prior), ELBO(q, joint)]),
                  st.fractions(min_value=-5, max_value=5, max_denominator=4).map(
                      lambda f: Rational(f.numerator, f.denominator)))
EXPRS = st.recursive(ATOMS, _grow, max_leaves=6).filter(
    lambda e: not e.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo, sympy.I))


@settings(max_examples=100, deadline=None)
@given(EXPRS)
def test_vi_notation_round_trip(e):
    env = make_env({"x": x, "z": z}, {"p", "q"})
    assert parse_expression(to_vi(e), env) == e


@settings(max_examples=100, deadline=None)
@given(EXPRS)
def test_note_notation_round_trip(e):
    note = _Note("n.txt")
    assert parse_expression(to_vi(e), note.env(to_vi(e))) == e


@settings(max_examples=100, deadline=None)
@given(EXPRS)
def test_latex_round_trip(e):
    (rel, back, *_), = parse_row(sympy.latex(e), {"x": x, "z": z}, "z", "x")
    # sympy distributes a number over a sum as it builds 2*(a + b), so compare up to that
    assert rel is None and (back == e or sympy.expand(back) == sympy.expand(e))
