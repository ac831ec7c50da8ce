"""The front-end seam: a reader per suffix, records assembled into chains the same way for all."""
import pytest
from sympy import Symbol

import vi_sym.frontends as fe
from vi_sym.assemble import assemble
from vi_sym.checker import Settings, check_derivations
from vi_sym.core import Status
from vi_sym.parse import ParseEnv, ParseError, parse_expression
from vi_sym.records import CONCLUSION, START, STEP, DerivationRecord, LoadError, StepRecord
from vi_sym.rules import Context

X, Z = Symbol("x"), Symbol("z")


def read_toy(text, file):
    """A toy format: one chain per file, ``expr`` then ``REL expr [! rule]`` per line."""
    env = ParseEnv({"x": X, "z": Z})
    d = DerivationRecord("toy", file, 1, context=Context((Z,)))
    for no, line in enumerate(text.splitlines(), 1):
        body, _, rule = line.partition("!")
        rel = next((r for r in (">=", "<=", "=") if body.startswith(r)), None)
        rec = StepRecord(STEP if rel else START, file, no, text=line, relation=rel,
                         rules=tuple(rule.split()))
        try:
            e = parse_expression(body[len(rel or ""):], env)
        except ParseError as err:
            rec.error = str(err)
        else:
            if rel:
                rec.rhs = e
            else:
                rec.lhs = e
        d.records.append(rec)
    return [d], []


@pytest.fixture
def toy(monkeypatch):
    monkeypatch.setattr(fe, "_READERS", dict(fe._READERS))
    fe.register_reader(".toy", read_toy)
    return fe


def test_a_registered_reader_is_found_by_suffix_and_its_file_is_checked(toy, tmp_path):
    (tmp_path / "a.toy").write_text("log(p(x))\n>= ELBO(q(z), p(x,z)) ! kl_nonnegative\n"
                                    "= ELBO(q(z), p(x,z))\n")
    (tmp_path / "ignored.txt2").write_text("nothing")
    assert ".toy" in toy.suffixes() and ".vi" in toy.suffixes()
    assert toy.reader_for(tmp_path / "A.TOY") is read_toy
    assert toy.discover([tmp_path]) == [tmp_path / "a.toy"]
    derivs, errors = toy.load_paths([tmp_path])
    assert errors == []
    (d,) = derivs
    assert [s.rel for s in d.steps] == [">=", "="] and d.steps[1].lhs == d.steps[0].rhs
    assert d.steps[0].source.line == 2 and d.steps[0].by == ("kl_nonnegative",)
    report = check_derivations(derivs, Settings(families=(), jobs=1, fixes=False))
    assert [r.status for r in report.results] == [Status.PROVED, Status.PROVED]


def test_a_file_no_reader_knows_is_a_clear_error(tmp_path):
    f = tmp_path / "notes.xyz"
    f.write_text("log p(x)")
    derivs, (err,) = fe.load_file(f)
    assert derivs == [] and "no reader for '.xyz'" in str(err) and ".vi" in str(err)


@pytest.mark.parametrize("data,fragment", [(b"\x00\x01\x02derivation", "binary"),
                                           (b"\xff\xfe garbage", "UTF-8")])
def test_binary_input_is_an_error_not_a_traceback(tmp_path, data, fragment):
    f = tmp_path / "junk.vi"
    f.write_bytes(data)
    derivs, (err,) = fe.load_file(f)
    assert derivs == [] and fragment in str(err) and str(err).startswith(str(f))


def test_register_reader_wants_a_suffix():
    with pytest.raises(ValueError):
        fe.register_reader("toy", read_toy)


def _rec(kind, line, **kw):
    return StepRecord(kind, "f", line, **kw)


def test_assemble_composes_the_chain_and_keeps_unreadable_lines():
    env = ParseEnv({"x": X, "z": Z})
    e = lambda s: parse_expression(s, env)  # noqa: E731
    d = DerivationRecord("d", "f", 1, context=Context((Z,)), records=[
        _rec(START, 2, lhs=e("log(p(x))")),
        _rec(STEP, 3, relation=">=", rhs=e("ELBO(q(z), p(x,z))"), rules=("kl_nonnegative",)),
        _rec(STEP, 4, relation="=", error="unreadable", error_column=3, text="= ]["),
        _rec(STEP, 5, relation="=", rhs=e("log(p(x))")),
        _rec(STEP, 6, relation="=", rhs=e("log(p(x))"), rules=("bayse_rule",)),
        _rec(CONCLUSION, 7, lhs=e("log(p(x))"), relation=">=", rhs=e("ELBO(q(z), p(x,z))")),
    ])
    errors = []
    out = assemble(d, errors)
    assert [s.name for s in out.steps] == ["1", "2", "3", "4"]
    assert out.steps[0].lhs == e("log(p(x))") and not out.steps[0].error
    assert out.steps[1].error == "unreadable"
    assert "no left-hand side" in out.steps[2].error          # the line before could not be read
    assert "bayes_rule" in out.steps[3].error                 # unknown rule, with a suggestion
    assert out.conclusion is not None and out.conclusion.rel == ">="
    assert [(x.line, x.step) for x in errors] == [(4, "2"), (5, "3"), (6, "4")]
    assert str(errors[0]) == "f:4:3: derivation 'd' step 2: unreadable"
    assert errors[0].caret() == "    = ][\n      ^"


def test_assemble_checks_an_alternative_reading_as_an_extra_step():
    env = ParseEnv({"x": X, "z": Z})
    e = lambda s: parse_expression(s, env)  # noqa: E731
    d = DerivationRecord("d", "f", 1, context=Context((Z,)), records=[
        _rec(START, 1, lhs=e("p(z|x)")),
        _rec(STEP, 2, relation="=", rhs=e("p(x|z)/p(x)*p(z)"),
             alternatives=(("if p(x)*p(z) is the denominator", e("p(x|z)/(p(x)*p(z))")),)),
        _rec(STEP, 3, relation="=", rhs=e("p(z|x)")),
    ])
    out = assemble(d, [])
    assert [s.name for s in out.steps] == ["1", "1'", "2"]
    assert out.steps[1].lhs == out.steps[0].lhs == e("p(z|x)")
    assert out.steps[2].lhs == out.steps[0].rhs                # the chain continues as typed


def test_load_error_without_column_has_no_caret():
    assert LoadError("f", 3, "", "", "m").caret() == "" and str(LoadError("f", 3, "", "", "m")) == "f:3: m"


def test_a_reader_that_fails_is_that_files_error_not_a_traceback(toy, tmp_path):
    """A fault inside a reader (a bug on some input) stops neither the run nor the other files."""
    def broken(text, file):
        raise ValueError("unexpected '{' in field name")
    toy.register_reader(".bad", broken)
    (tmp_path / "a.bad").write_text("anything")
    (tmp_path / "b.toy").write_text("log(p(x))\n>= ELBO(q(z), p(x,z)) ! kl_nonnegative\n")
    derivs, errors = toy.load_paths([tmp_path])
    assert len(derivs) == 1 and len(errors) == 1
    assert "the reader failed (ValueError: unexpected '{' in field name)" in str(errors[0])
    assert str(errors[0]).startswith(str(tmp_path / "a.bad"))
