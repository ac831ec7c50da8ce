"""Superscripts and subscripts as plain-text notes type them: σ² is σ^2, λ⁻¹ is λ^(-1), μ₁ is
the name μ1 -- read by the tokenizer, so every reader and every rule sees the same expression,
and an error points at the superscript's own column."""
from __future__ import annotations

import pytest
from sympy import Rational, Symbol

from vi_sym.checker import Settings, check_derivations
from vi_sym.frontends import load_text, reader_for
from vi_sym.parse import ParseEnv, ParseError, parse_expression
from vi_sym.tokens import normal_name, tokenize

x, y = Symbol("x"), Symbol("y")
lam = Symbol("λ", positive=True)


def _env():
    return ParseEnv(variables={"x": x, "y": y, "λ": lam, "μ1": Symbol("μ1")})


def test_a_superscript_is_a_power():
    assert [(t.kind, t.value) for t in tokenize("x²")] == [(t.kind, t.value) for t in tokenize("x^2")]
    assert parse_expression("x²y", _env()) == parse_expression("x^2*y", _env())
    assert parse_expression("λ⁻¹", _env()) == 1 / lam
    assert parse_expression("2λ⁻²", _env()) == 2 / lam ** 2
    assert parse_expression("2⁻³", _env()) == Rational(1, 8)
    assert parse_expression("x¹⁰", _env()) == x ** 10


def test_a_subscript_is_part_of_the_name():
    assert normal_name("μ₁") == "μ1"
    assert parse_expression("μ₁ + x₁₀", ParseEnv(variables={"μ1": Symbol("μ1"), "x10": x})) == Symbol("μ1") + x


def test_a_superscript_with_nothing_before_it_is_an_error_at_its_column():
    with pytest.raises(ParseError) as err:
        parse_expression("1 + ²", _env())
    assert err.value.column == 5 and "²" in str(err.value)


def test_a_note_typed_with_superscripts_is_checked_as_with_carets():
    note = ("KL[N(μ₁, σ₁²) || N(0, 1)] = (μ₁² + σ₁² - 1 - log σ₁²)/2\n"
            "KL[N(μ₁, σ₁²) || N(0, 1)] = (μ₁² + σ₁² - 1 - log σ₁)/2\n"
            "E_{z~Exp(λ)}[z²] = 2λ⁻²\nE_{z~Exp(λ)}[z²] = λ⁻²\n")
    ds, errors = load_text(note, "n.txt", reader_for("n.txt"))
    assert not errors, errors
    settings = Settings(families=("all",), samples=12, jobs=1, fixes=False)
    statuses = [r.status.name for r in check_derivations(ds, settings).results if not r.step_id.endswith("'")]
    assert statuses == ["PROVED", "FAILED", "PROVED", "FAILED"]
