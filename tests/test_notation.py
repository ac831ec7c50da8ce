"""The notation printers: each construct in the learner's notation, and the
``.vi`` text printer read back by the parser to the same expression."""
from xml.dom import minidom

import pytest
from sympy import Indexed, Integral, Rational, Symbol, exp, expand, log, sqrt, symbols

from vi_sym.loader import load_paths
from vi_sym.notation import (relation_latex, relation_mathml, relation_unicode, to_latex,
                             to_mathml, to_unicode, to_vi)
from vi_sym.parse import Function, ParseEnv, parse_expression
from vi_sym.vocabulary import Const, Density, ELBO, Entropy, Expectation, KL

x, z, s, m = symbols("x z s m")
q, qx = Density("q", [z]), Density("q", [z], [x])
lik, post, prior = Density("p", [x], [z]), Density("p", [z], [x]), Density("p", [z])
joint, ev = Density("p", [x, z]), Density("p", [x])
r_joint = Density("r", [x, z])

UNICODE = [
    (Integral(q * log(lik), z), "∫ q(z) log p(x|z) dz"),
    (KL(q, post), "KL(q(z) ‖ p(z|x))"),
    (Expectation(q, log(lik)), "E_q(z)[log p(x|z)]"),
    (Entropy(q), "H(q(z))"),
    (ELBO(qx, joint), "ELBO(q(z|x), p(x,z))"),
    (log(ev) - ELBO(q, joint), "log p(x) - ELBO(q(z), p(x,z))"),
    (-Integral(q * log(q), z), "-∫ q(z) log q(z) dz"),
    (Integral(q * log(q * ev / (lik * prior)), z), "∫ q(z) log(p(x) q(z)/(p(x|z) p(z))) dz"),
    (s**2 + 1, "s² + 1"),
    (log(post) / q, "log(p(z|x))/q(z)"),     # never 'log p(z|x)/q(z)': that reads as log(p/q)
    (log(post / q), "log(p(z|x)/q(z))"),
    (Integral(q + lik, z), "∫ (p(x|z) + q(z)) dz"),
]


@pytest.mark.parametrize("expr, text", UNICODE, ids=[t for _, t in UNICODE])
def test_unicode(expr, text):
    assert to_unicode(expr) == text


def test_unicode_never_shows_sympy_repr():
    e = Integral(q * log(KL(q, post) * ELBO(q, joint) + Expectation(q, log(lik))), z) + Entropy(q)
    text = to_unicode(e)
    for word in ("Integral(", "Expectation(", "Entropy(", "Density(", "**", "*"):
        assert word not in text


def test_elbo_keeps_its_joint_so_two_models_differ():
    assert to_unicode(ELBO(q, joint)) != to_unicode(ELBO(q, r_joint))
    assert "r(x,z)" in to_unicode(ELBO(q, r_joint))


LATEX = [
    (KL(q, post), r"\operatorname{KL}\left(q(z) \,\middle\|\, p(z \mid x)\right)"),
    (Expectation(q, log(lik)), r"\mathbb{E}_{q(z)}\left[\log p(x \mid z)\right]"),
    (Integral(q * log(lik), z), r"\int q(z) \log p(x \mid z) \, dz"),
    (ELBO(q, joint), r"\operatorname{ELBO}\left(q(z), p(x, z)\right)"),
    (Entropy(q), r"\operatorname{H}\left(q(z)\right)"),
    (log(post) / q, r"\frac{\log p(z \mid x)}{q(z)}"),
]


@pytest.mark.parametrize("expr, text", LATEX, ids=[t for _, t in LATEX])
def test_latex(expr, text):
    assert to_latex(expr) == text


def _texts(node):
    out = []
    for c in node.childNodes:
        out.extend([c.data] if c.nodeType == c.TEXT_NODE else _texts(c))
    return out


@pytest.mark.parametrize("expr, tokens", [
    (KL(q, post), ["KL", "(", "q", "(", "z", ")", "\u2016", "p", "(", "z", "|", "x", ")", ")"]),
    (Integral(q * log(lik), z), ["\u222B", "q", "(", "z", ")", "\u2062", "log", "\u2061", "p",
                                 "(", "x", "|", "z", ")", "d", "z"]),
    (ELBO(q, joint), ["ELBO", "(", "q", "(", "z", ")", ",", "p", "(", "x", ",", "z", ")", ")"]),
    (Entropy(q), ["H", "(", "q", "(", "z", ")", ")"]),
])
def test_mathml_is_well_formed_and_reads_in_order(expr, tokens):
    doc = minidom.parseString(to_mathml(expr))
    root = doc.documentElement
    assert root.tagName == "math"
    assert _texts(root) == tokens


def test_mathml_expectation_and_fraction():
    doc = minidom.parseString(to_mathml(Expectation(q, log(post) / q)))
    assert doc.getElementsByTagName("msub") and doc.getElementsByTagName("mfrac")
    assert "\U0001D53C" in _texts(doc.documentElement)


def test_relations():
    assert relation_unicode(log(ev), ">=", ELBO(q, joint)) == "log p(x) ≥ ELBO(q(z), p(x,z))"
    assert relation_latex(log(ev), "<=", ELBO(q, joint)).startswith(r"\log p(x) \leq")
    doc = minidom.parseString(relation_mathml(log(ev), ">=", ELBO(q, joint)))
    assert "\u2265" in _texts(doc.documentElement)


def _env_for(*exprs):
    names = {d.name for e in exprs for d in e.atoms(Density)}
    variables = {str(v): v for e in exprs for v in e.free_symbols}
    for e in exprs:
        for d in e.atoms(Density):
            variables.update({str(v): v for v in d.vars + d.given})
    env = ParseEnv(variables, densities=names)
    for e in exprs:          # coordinates s[j] of a declared vector (outside densities)
        points = {v for d in e.atoms(Density) for v in d.vars + d.given}
        env.indexed.update({str(c.base.label): (c.base.label, 1, Symbol("d"))
                            for c in e.atoms(Indexed) - points})
    env.functions["H"] = Function(Entropy, 1)
    env.functions["const"] = Function(Const, 1)
    return env


ROUND_TRIP = [e for e, _ in UNICODE + LATEX] + [
    log(s) + (s**2 + (m - x)**2) / (2 * s**2) - Rational(1, 2),
    sqrt(s) * exp(1) - 3 * m**-2, (m - x)**Rational(3, 2), 2**(-m), log(q)**2,
    Integral(Integral(q * lik, z), x), -KL(prior, q) / 2,
]


@pytest.mark.parametrize("expr", ROUND_TRIP, ids=[to_vi(e) for e in ROUND_TRIP])
def test_vi_text_round_trip(expr):
    text = to_vi(expr)
    assert parse_expression(text, _env_for(expr)) == expr, text


def test_unicode_round_trip_where_the_parser_reads_it():
    """Unicode output with bracketed logs and no ‖ is itself .vi text."""
    for expr in (Integral(q * log(q * ev / (lik * prior)), z), log(post) / q, s + 1,
                 ELBO(q, joint) - 1, Expectation(q, log(post / q))):
        assert parse_expression(to_unicode(expr), _env_for(expr)) == expr


def test_catalogue_round_trips():
    derivs, errors = load_paths(["derivations"])
    assert derivs and not errors
    n = 0
    for d in derivs:
        for st in d.steps:
            for side in (st.lhs, st.rhs):
                if any(type(a) is not Density for a in side.atoms(Density)):
                    continue      # densities bound by 'define' to a distribution
                back = parse_expression(to_vi(side), _env_for(side))
                # '-(a - 1)*f' reads back as '(1 - a)*f': sympy distributes the sign
                assert back == side or expand(back - side) == 0, (d.name, st.name, to_vi(side))
                n += 1
    assert n > 100


def test_catalogue_in_unicode_has_no_sympy_syntax():
    derivs, _ = load_paths(["derivations"])
    for d in derivs:
        for st in d.steps:
            text = relation_unicode(st.lhs, st.rel, st.rhs)
            for word in ("Integral(", "**", "polygamma", "Expectation(", "Entropy("):
                assert word not in text, (d.name, st.name, text)
