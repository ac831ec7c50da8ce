"""Round trips: an expression printed in each notation (.vi, the plain-text note, LaTeX) and read
back by that notation's reader is the same expression."""
import sympy
from hypothesis import example, given, settings, strategies as st
from sympy import Integral, Rational, Symbol, log

from vi_sym.frontends.latex import parse_row
from vi_sym.frontends.note import _Note
from vi_sym.frontends.transcribe import to_vi
from vi_sym.frontends.vi import make_env
from vi_sym.parse import parse_expression
from vi_sym.vocabulary import ELBO, KL, Density, Expectation, nonreal_part

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
# real-valued expressions only: the parsers refuse a part that is provably not real (log(-q(z)))
EXPRS = st.recursive(ATOMS, _grow, max_leaves=6).filter(
    lambda e: not e.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo, sympy.I) and nonreal_part(e) is None)


DISTRIBUTED = Integral(sympy.Mul(2, post + q, q ** 2), z)   # a product sympy rebuilds as 2*a + 2*b


def same(back, e) -> bool:
    """Equal, or equal once sympy's own distribution of a number over a sum is undone
    (it builds 2*(a + b) as 2*a + 2*b when the product is formed in another order)."""
    return back == e or sympy.expand(back, log=False) == sympy.expand(e, log=False)


@settings(max_examples=100, deadline=None)
@given(EXPRS)
@example(DISTRIBUTED)
def test_vi_notation_round_trip(e):
    env = make_env({"x": x, "z": z}, {"p", "q"})
    assert same(parse_expression(to_vi(e), env), e)


@settings(max_examples=100, deadline=None)
@given(EXPRS)
@example(DISTRIBUTED)
def test_note_notation_round_trip(e):
    note = _Note("n.txt")
    assert same(parse_expression(to_vi(e), note.env(to_vi(e))), e)


@settings(max_examples=100, deadline=None)
@given(EXPRS)
@example(DISTRIBUTED)
def test_latex_round_trip(e):
    (rel, back, *_), = parse_row(sympy.latex(e), {"x": x, "z": z}, "z", "x")
    assert rel is None and same(back, e)
