"""Parameter domains of `define` (input errors that say what to declare) and support containment."""
import pytest
import sympy
from sympy import Symbol, oo

from vi_sym.distributions import Dist, check_domains, support_contains
from vi_sym.loader import load_text

z = Symbol("z")


def _errors(text):
    derivs, errors = load_text(text, "t.vi")
    return [e.message for e in errors]


@pytest.mark.parametrize("header,definition,advice", [
    ("parameters: m s", "Normal(z, m, s)", "declare s under positive:"),
    ("parameters: l", "Exponential(z, l)", "declare l under positive:"),
    ("positive: t", "Bernoulli(z, t)", "declare t under unit:"),
    ("parameters: t", "Geometric(z, t)", "declare t under unit:"),
    ("positive: a\nparameters: b", "Gamma(z, a, b)", "declare b under positive:"),
    ("parameters: a b", "Uniform(z, a, b)", "upper end must exceed the lower end"),
    ("positive: w0\nparameters: w1", "Categorical(z, w0, w1)", "declare w1 under positive:"),
])
def test_a_parameter_that_may_leave_its_domain_is_an_input_error(header, definition, advice):
    text = f"derivation d\nlatent: z\n{header}\ndefine q(z) = {definition}\n\n    H(q(z))\n  = 0  by entropy_definition\n"
    errors = _errors(text)
    assert len(errors) == 1 and advice in errors[0], errors


@pytest.mark.parametrize("header,definition", [
    ("positive: s\nparameters: m", "Normal(z, m, s)"),
    ("unit: t", "Bernoulli(z, 1 - t)"),            # an expression that stays in (0, 1)
    ("positive: a w", "Uniform(z, a, a + w)"),
    ("positive: s", "Normal(z, 0, 2*s + 1)"),
    ("unit: t", "Binomial(z, 3, t)"),
])
def test_parameters_inside_their_domains_are_accepted(header, definition):
    text = f"derivation d\nlatent: z\n{header}\ndefine q(z) = {definition}\n\n    H(q(z))\n  = 0  by entropy_definition\n"
    assert _errors(text) == []


def test_unit_expression_that_may_leave_the_interval_is_refused():
    t, u = sympy.symbols("t u", positive=True)
    assert check_domains(Dist("Bernoulli", z, 2 * t), {"t": "unit"})   # 2t may exceed 1
    assert check_domains(Dist("Bernoulli", z, t * u), {"t": "unit", "u": "unit"}) == []


def test_binomial_trials_must_be_a_literal_positive_integer():
    errors = _errors("derivation d\nlatent: z\nunit: t\npositive: n\ndefine q(z) = Binomial(z, n, t)\n\n"
                     "    H(q(z))\n  = 0  by entropy_definition\n")
    assert errors and "positive integer" in errors[0]


def test_categorical_takes_any_number_of_weights_but_two_at_least():
    ok = "derivation d\nlatent: z\npositive: a b c d e\ndefine q(z) = Categorical(z, a, b, c, d, e)\n\n    H(q(z))\n  = 0  by entropy_definition\n"
    assert _errors(ok) == []
    assert _errors(ok.replace("Categorical(z, a, b, c, d, e)", "Categorical(z, a)"))


@pytest.mark.parametrize("outer,inner,expected", [
    (("interval", 0, oo), ("interval", 0, 1), True),       # Beta inside Exponential
    (("real",), ("interval", 0, oo), True),
    (("interval", 0, 1), ("interval", 0, oo), False),
    (("interval", 0, oo), ("real",), False),
    (("real",), ("finite", (0, 1)), False),                # discrete vs continuous: +oo
    (("real",), ("count",), False),
    (("interval", 0, oo), ("count",), False),
    (("count",), ("real",), False),
    (("count",), ("finite", (0, 1, 2)), True),
    (("finite", (0, 1)), ("count",), False),
    (("finite", (0, 1, 2)), ("finite", (0, 2)), True),
])
def test_support_containment(outer, inner, expected):
    assert support_contains(outer, inner) is expected


def test_containment_with_symbolic_ends_is_proved_only_from_assumptions():
    m, d = sympy.symbols("m d", positive=True)
    x = Symbol("x", real=True)
    assert support_contains(("interval", m, oo), ("interval", m + d, oo))
    assert not support_contains(("interval", m + d, oo), ("interval", m, oo))
    assert not support_contains(("interval", m, oo), ("interval", x, oo))
