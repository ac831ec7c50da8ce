"""Input is parsed, never evaluated -- in the Python API too; wrong types are one clear error;
expressions are real-valued (an imaginary unit in the input is an input error)."""
import ast
from fractions import Fraction
from pathlib import Path

import pytest
import sympy
from sympy import Integral, Symbol, log

from vi_sym.core import Derivation, Step
from vi_sym.frontends import load_text
from vi_sym.frontends.latex import parse_row
from vi_sym.notebook import InputError
from vi_sym.parse import ParseEnv, ParseError, parse_expression
from vi_sym.vocabulary import KL, Density, Expectation, VocabularyError, nonreal_part

PKG = Path(__file__).resolve().parent.parent / "vi_sym"
x, z = Symbol("x"), Symbol("z")
q, post = Density("q", [z]), Density("p", [z], [x])


# ------------------------------------------------------------------ strings are never evaluated
ATTACKS = ["__import__('os').system('touch {marker}')",
           "exec(\"open('{marker}', 'w')\")",
           "eval('1')", "lambda: 0", "().__class__", "p(x).__class__"]


@pytest.mark.parametrize("attack", ATTACKS)
def test_a_string_side_is_parsed_never_evaluated(attack, tmp_path):
    marker = tmp_path / "pwned"
    text = attack.format(marker=marker)
    with pytest.raises(InputError):
        Step(text, "=", 0)
    with pytest.raises(InputError):
        Step(q, "=", text)
    with pytest.raises(InputError):
        Derivation.chain("d", text, ("=", 0))
    assert not marker.exists()


def test_string_sides_are_read_by_the_vi_grammar():
    s = Step("KL(q(z)||p(z|x))", "=", "integrate(q(z)*log(q(z)/p(z|x)), z)", by="kl_definition")
    assert s.lhs == KL(q, post)
    assert s.rhs == Integral(q * log(q / post), z)
    d = Derivation.chain("kl", "KL(q(w)||p(w|x))", ("=", "integrate(q(w)*log(q(w)/p(w|x)), w)",
                                                    ["kl_definition"]), latent="w")
    assert d.steps[0].lhs == KL(Density("q", ["w"]), Density("p", ["w"], ["x"]))


def test_an_unparseable_string_names_its_column():
    with pytest.raises(InputError, match="column 6"):
        Step("p(x) ) ", "=", 0)


@pytest.mark.parametrize("side", [[1], {"a": 1}, None, True, object(), sympy.Eq(x, 1)])
def test_a_side_of_a_wrong_type_is_a_type_error_naming_the_types(side):
    with pytest.raises(TypeError, match="sympy expression .* a number, or text"):
        Step(side, "=", q)


def test_numbers_are_accepted_exactly():
    assert Step(q, "=", Fraction(1, 3)).rhs == sympy.Rational(1, 3)
    assert Step(q, "=", 2).rhs == 2


@pytest.mark.parametrize("by, expected", [("kl_nonnegative", ("kl_nonnegative",)),
                                          ("bayes_rule, jensen", ("bayes_rule", "jensen")),
                                          (["jensen"], ("jensen",)), ((), ())])
def test_by_is_one_rule_name_or_a_list(by, expected):
    assert Step(KL(q, post), ">=", 0, by=by).by == expected


@pytest.mark.parametrize("by", [None, 3, [3], ["jensen", None]])
def test_by_of_a_wrong_type_is_a_type_error(by):
    with pytest.raises(TypeError, match="rule"):
        Step(KL(q, post), ">=", 0, by=by)


def test_relation_and_derivation_types():
    with pytest.raises(TypeError, match="relation"):
        Step(q, None, q)
    with pytest.raises(TypeError, match="steps must be"):
        Derivation("d", "not steps")
    with pytest.raises(TypeError, match="steps must be Step"):
        Derivation("d", [q])
    with pytest.raises(TypeError, match="link 1"):
        Derivation.chain("d", q, "= q(z)")
    with pytest.raises(TypeError, match="latent"):
        Derivation.chain("d", q, ("=", q), latent=[3])


@pytest.mark.parametrize("build, message", [
    (lambda: Density(3, ["x"]), "name of a density must be text"),
    (lambda: Density("p", 3), "must be a list of variables"),
    (lambda: Density("p", [3]), "must be variables"),
    (lambda: Density("p", ["x y"]), "not a variable name"),
    (lambda: Expectation(q, "__import__('os')"), "must be a sympy expression or a number"),
    (lambda: Expectation(q, None), "must be a sympy expression or a number"),
])
def test_vocabulary_type_errors_are_one_clear_error(build, message):
    with pytest.raises(VocabularyError, match=message):
        build()


def test_a_density_over_one_named_variable():
    assert Density("p", "zz").vars == (Symbol("zz"),)


def _calls(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
            yield name, isinstance(f, ast.Name), node


def test_no_module_evaluates_text():
    """No eval/exec/parse_expr/parse_latex/S(...) anywhere; every sympify is strict (it refuses
    text), so text from any caller never reaches sympy's string parser."""
    bad = []
    for path in PKG.rglob("*.py"):
        for name, bare, node in _calls(ast.parse(path.read_text(encoding="utf-8"))):
            where = f"{path.relative_to(PKG)}:{node.lineno}"
            if name in ("eval", "exec", "parse_expr", "parse_latex", "S") or (bare and name == "compile"):
                bad.append(f"{where}: {name}(...)")
            if name in ("sympify", "_sympify"):
                strict = [k for k in node.keywords if k.arg == "strict"]
                if name == "sympify" and not (strict and getattr(strict[0].value, "value", None) is True):
                    bad.append(f"{where}: sympify(...) without strict=True")
    assert not bad, "\n".join(bad)


# ------------------------------------------------------------------ real-valued expressions
ENV = {"x": x, "z": z, "s": Symbol("s", positive=True), "a": Symbol("a", real=True)}


@pytest.mark.parametrize("text, column", [
    ("sqrt(-1)*sqrt(-1)*p(x)", 1), ("p(x)*(-1)^(1/2)", 10), ("log(-1)", 1), ("2 + (-8)^(1/3)", 9),
    ("1/0", 2), ("log(0)", 1), ("log(-p(x))", 1), ("q(z)*sqrt(-s)", 6), ("log(-s^2)", 1),
])
def test_a_non_real_part_is_an_error_at_its_column(text, column):
    with pytest.raises(ParseError) as err:
        parse_expression(text, ParseEnv(dict(ENV)))
    assert err.value.column == column
    assert "real-valued" in str(err.value)


@pytest.mark.parametrize("text", ["(-2)^a", "log(a)", "sqrt(a)", "(-1)^2", "exp(-1)", "log(1-s)",
                                  "q(z)^(-1/2)", "-log(2)", "sqrt(2)"])
def test_real_or_possibly_real_expressions_are_accepted(text):
    parse_expression(text, ParseEnv(dict(ENV)))


def test_an_imaginary_unit_in_a_vi_file_is_an_input_error_with_line_and_column():
    text = ("derivation imag\nlatent: z\nobserved: x\n\n    sqrt(-1)*sqrt(-1)*p(x)\n"
            "  = -p(x)    by product_rule\n")
    derivs, errors = load_text(text, "imag.vi")
    assert errors and errors[0].line == 5
    assert "imaginary unit" in errors[0].message and "column 1" in errors[0].message


def test_an_imaginary_unit_in_latex_is_an_error():
    with pytest.raises(ParseError, match="real-valued"):
        parse_row(r"\sqrt{-1} \sqrt{-1} p(x) = -p(x)", {"x": x, "z": z}, "z", "x")


def test_an_imaginary_unit_through_the_api_is_refused():
    with pytest.raises(ValueError, match="real-valued"):
        Step(q, "=", sympy.I * q)
    with pytest.raises(InputError, match="real-valued"):
        Step("sqrt(-1)*sqrt(-1)*p(x)", "=", "-p(x)")


def test_nonreal_part_looks_deep():
    assert nonreal_part(q + log(q) * sympy.I) == sympy.I
    assert nonreal_part(q + log(q)) is None


# ------------------------------------------------------------------ input edge cases
GREEK = """derivation greek
latent: θ
observed: x
parameters: μ

    log(p(x,θ))
  = log(p(x|θ)) + log(p(θ))    by product_rule, log_of_product
"""


def test_a_utf8_bom_is_accepted(tmp_path):
    from vi_sym.frontends import load_file
    f = tmp_path / "bom.vi"
    f.write_bytes("\ufeff".encode() + GREEK.encode())
    derivs, errors = load_file(f)
    assert errors == [] and [d.name for d in derivs] == ["greek"]


def test_greek_names_in_headers():
    derivs, errors = load_text(GREEK, "greek.vi")
    assert errors == []
    assert derivs[0].context.latent == (Symbol("θ"),)
    assert Density("p", ["θ"]) in derivs[0].steps[0].rhs.atoms(Density)


def test_the_micro_sign_in_a_header_is_the_greek_mu():
    derivs, errors = load_text(GREEK.replace("parameters: μ", "parameters: µ").replace(
        "log(p(θ))", "log(p(θ)) + μ - µ"), "micro.vi")
    assert errors == []


def test_a_repeated_header_line_is_an_error_naming_both_lines():
    text = GREEK.replace("observed: x\n", "observed: x\nlatent: w\n")
    _, errors = load_text(text, "twice.vi")
    assert [(e.line, e.derivation) for e in errors] == [(4, "greek")]
    assert "'latent:' is given twice (first at line 2)" in errors[0].message


def test_a_duplicate_derivation_name_in_one_file_names_both_lines():
    text = GREEK + "\n" + GREEK
    derivs, errors = load_text(text, "dup.vi")
    second = GREEK.count("\n") + 2
    assert [(e.file, e.line, e.derivation) for e in errors] == [("dup.vi", second, "greek")]
    assert "already at line 1" in errors[0].message


# ------------------------------------------------------------------ notes: variables, skipped lines
NOTE_WY = """어떤 노트 (a note)
KL(q(W)||p(W|Y)) = integrate(q(W)*log(q(W)/p(W|Y)), W)
https://example.org/elbo
"""


def _check_json(tmp_path, *args):
    import json
    from vi_sym.cli import main
    note = tmp_path / "wy.txt"
    note.write_text(NOTE_WY, encoding="utf-8")
    out = tmp_path / "r.json"
    code = main(["check", str(note), "--no-cache", "--family", "none", "--json", str(out), "-q", *args])
    return code, (json.loads(out.read_text()) if out.exists() else None)


def test_latent_and_observed_of_a_note_from_the_command_line(tmp_path):
    code, _ = _check_json(tmp_path)
    assert code == 2           # W and Y are not variables by convention: nothing to check
    code, report = _check_json(tmp_path, "--latent", "W", "--observed", "Y")
    assert code == 0 and [r["status"] for r in report["results"]] == ["PROVED"]


@pytest.mark.parametrize("args", [["--latent", "W", "--observed", "W"], ["--latent", "2x"]])
def test_bad_latent_or_observed_is_a_usage_error(tmp_path, args):
    assert _check_json(tmp_path, *args) == (2, None)


def test_the_json_report_lists_what_a_note_reader_skipped(tmp_path):
    _, report = _check_json(tmp_path, "--latent", "W", "--observed", "Y")
    assert {"file": str(tmp_path / "wy.txt"), "line": 3, "reason": "a web address"} in report["skipped"]
    assert report["warnings"] == [] and report["readings"] == []


def test_reader_notes_are_fields_of_a_derivation():
    from vi_sym.core import InputNote
    from vi_sym.frontends.note import read_note
    from vi_sym.frontends import load_text as load
    from vi_sym.records import ReadOptions
    derivs, _ = load(NOTE_WY, "wy.txt", read_note, ReadOptions(("W",), ("Y",)))
    assert derivs[0].skipped == [InputNote("wy.txt", 3, "a web address")]
    assert Derivation("d", []).warnings == [] and Derivation("d", []).readings == {}


def test_step_parse_checks_by_like_step():
    with pytest.raises(TypeError, match="rule"):
        Step.parse("KL(q(z)||p(z|x)) >= 0", by=None)
    assert Step.parse("KL(q(z)||p(z|x)) >= 0", by="kl_nonnegative").by == ("kl_nonnegative",)


def test_a_note_with_nothing_to_check_says_which_variables_it_assumed(tmp_path):
    from vi_sym.frontends import load_file
    f = tmp_path / "wy.txt"
    f.write_text(NOTE_WY, encoding="utf-8")
    _, errors = load_file(f)
    assert "--latent/--observed" in errors[0].message


def test_a_derivation_name_that_is_not_one_word_is_one_error_at_its_column():
    from vi_sym.frontends import load_text
    text = "derivation elbo:\nlatent: z\nobserved: x\n\n    log(p(x))\n  = log(p(x))\n"
    derivs, errors = load_text(text, "bad.vi")
    assert derivs == [] and len(errors) == 1
    assert (errors[0].line, errors[0].column) == (1, 12) and "'elbo:'" in errors[0].message


def test_a_declared_command_that_is_no_greek_letter_is_said_not_raised():
    """``<!-- vi_sym: latent: \\mu \\ttau -->``: a typo in a declaration is a skipped line with its
    reason (it was a KeyError traceback from the CLI and the Python API)."""
    from vi_sym.frontends.markdown import read_markdown
    text = "<!-- vi_sym: latent: \\mu \\ttau -->\n\n$$q(\\mu) = q(\\mu)$$\n"
    derivs, errors = load_text(text, "n.md", read_markdown)
    assert not errors
    assert any("'\\ttau' is not a Greek letter" in n.message for d in derivs for n in d.skipped)
