"""The plain-text note reader: the learner's note as written, and every way a line can be odd."""
from collections import defaultdict
from pathlib import Path

import pytest

from vi_sym.checker import Settings, check_derivations
from vi_sym.core import Status
from vi_sym.families import FAMILIES
from vi_sym.frontends import load_file, load_text
from vi_sym.frontends.note import read_note
from vi_sym.frontends.notes import input_notes, reading_lines
from vi_sym.frontends.transcribe import transcribe
from vi_sym.cli import main
from vi_sym.frontends.textnote import balance, cited_rules, formula_segments, split_chain, split_remark
from conftest import note, steps

HERE = Path(__file__).parent
NOTE = HERE / "fixtures" / "seed_note.txt"
SEED = HERE.parent.parent / "shared" / "seed" / "000_80f03a9c5de600e5.txt"
AS_WRITTEN = HERE.parent / "derivations" / "note_as_written.vi"


def verdicts_by_line(results):
    out = defaultdict(list)
    for r in results:
        if r.step != "conclusion" and not r.step.endswith("'"):
            out[r.note_line].append(r.status.value)
    return dict(out)


@pytest.mark.skipif(not SEED.exists(), reason="the shared seed note is not beside this checkout")
def test_the_fixture_is_the_seed_note_byte_for_byte():
    assert NOTE.read_bytes() == SEED.read_bytes()


def test_the_note_checks_as_written_with_the_verdicts_of_its_transcription():
    ours, errs = load_file(NOTE)
    theirs, errs2 = load_file(AS_WRITTEN)
    assert errs == [] and errs2 == []
    report = check_derivations(ours + theirs, Settings(families=tuple(sorted(FAMILIES)), samples=5, jobs=2))
    mine = [r for r in report.results if r.derivation.startswith("seed_note")]
    transcribed = [r for r in report.results if not r.derivation.startswith("seed_note")]
    assert verdicts_by_line(mine) == verdicts_by_line(transcribed)
    assert sum(v == ["FAILED"] for v in verdicts_by_line(mine).values()) >= 8
    readings = reading_lines(ours, report.results)
    assert any(":41: " in r and "as typed: FAILED; if p(x|z)p(z) is the denominator: PROVED" in r
               for r in readings)
    assert any(":82: " in r and "as typed: FAILED; if the argument of log is p(Z)/q(Z): PROVED" in r
               for r in readings)
    # 'python -m vi_sym import' writes a .vi file that checks the same, every step as expected
    vi, errs3 = load_text(transcribe(ours, report.results), "seed.vi")
    assert errs3 == []
    again = check_derivations(vi, Settings(families=tuple(sorted(FAMILIES)), samples=5, jobs=2))
    assert verdicts_by_line(again.results) == verdicts_by_line(mine)
    assert all(r.as_expected for r in again.results)


def test_import_of_a_file_no_reader_knows_is_exit_2(tmp_path, capsys):
    f = tmp_path / "a.xyz"
    f.write_text("log p(x) = 1")
    assert main(["import", str(f)]) == 2 and "no reader" in capsys.readouterr().err


def test_the_note_lists_what_it_skipped_and_why():
    ds, _ = load_file(NOTE)
    skipped = {n.line: n.message for n in ds[0].skipped}
    assert skipped[5] == "a web address" and "argmin" in skipped[36]
    assert "a definition the note sets" in skipped[73] and "'∩'" in skipped[115]
    lines = input_notes(ds)
    assert any(":70: '(' opened at column 6 is never closed" in x for x in lines)
    assert any(x.startswith("skipped:") and ":36:" in x for x in lines)
    assert "-v lists them" in input_notes(ds, verbose=False)[-1]


@pytest.mark.parametrize("text,expected", [
    ("log p(x) >= L(q)", "log(p(x)) >= ELBO(q(z))"),
    ("log p(X) = ELBO + KL(q||p)", "log(p(X)) = ELBO(q(Z)) + KL(q(Z)||p(Z|X))"),
    ("D_KL(q(z)||p(z|x)) = sympy.integrate(q(z) * log( q(z)/p(z|x) ), z)",
     "KL(q(z)||p(z|x)) = Integral(log(q(z)/p(z|x))*q(z), z)"),
    ("E_q(Z)[log p(X|Z)] = integrate(q(Z)*log(p(X|Z)), Z)",
     "E_q(Z)[log(p(X|Z))] = Integral(log(p(X|Z))*q(Z), Z)"),
    ("이는 즉 log p(X) >= L(q)", "log(p(X)) >= ELBO(q(Z))"),
])
def test_the_notation_of_the_note_is_read(text, expected):
    (s,) = steps(text)
    assert f"{s.lhs} {s.rel} {s.rhs}" == expected


def test_a_chain_of_lines_and_a_chain_on_one_line():
    ss = steps("KL(q(z)||p(z|x))\n= integrate(q(z)*log(q(z)/p(z|x)), z)\n>= 0 = 0\n\nlog p(x) = log p(x) = 0\n")
    assert [(s.derivation.split("_")[-1], s.rel, s.source.line) for s in ss] == \
        [("line1", "=", 2), ("line1", ">=", 3), ("line1", "=", 3), ("line5", "=", 5), ("line5", "=", 5)]
    assert ss[1].lhs == ss[0].rhs and ss[4].lhs == ss[3].rhs


def test_a_remark_is_a_comment_and_may_cite_a_rule():
    (s,) = steps("p(z|x) = p(x|z)p(z)/p(x) ※ 베이즈 정리\n")
    assert s.by == ("bayes_rule",)
    assert cited_rules("Jensen 부등식") == ("jensen",) and cited_rules("그냥 정리") == ()
    assert split_remark("a = b ※※ why") == ("a = b ", "why")


def test_a_cited_rule_never_makes_a_wrong_step_proved():
    (s,) = steps("p(z|x) = p(x|z)p(z)*p(x) ※ Bayes\n")
    r = check_derivations(note("p(z|x) = p(x|z)p(z)*p(x) ※ Bayes\n")[0],
                          Settings(families=(), jobs=1, fixes=False)).results[0]
    assert s.by == ("bayes_rule",) and r.status is not Status.PROVED


def test_an_uncited_step_is_proved_from_the_full_rule_set_and_says_what_it_needed():
    (r,) = check_derivations(note("log p(x) >= L(q)\n")[0], Settings(families=(), jobs=1)).results
    assert r.status is Status.PROVED and "kl_nonnegative" in r.uncited


def test_open_brackets_are_closed_where_the_warning_says():
    assert balance("log(a") == ("log(a)", ["'(' opened at column 4 is never closed: read as closed at "
                                           "the end of the line"])
    fixed, (w,) = balance("E[log(a]")
    assert fixed == "E[log(a)]" and "column 8, before ']'" in w
    assert balance("a)") == ("a)", [])          # an unmatched closer is the parser's to report


def test_precedence_as_typed_and_the_other_reading():
    ds, _ = note("KL(q(z)||p(z|x))\n= integrate(q(z)*log(q(z)p(x)/p(x|z)p(z)), z)\n")
    (d,) = ds
    assert [s.name for s in d.steps] == ["1", "1'"]
    assert str(d.steps[0].rhs) == "Integral(log(p(x)*p(z)*q(z)/p(x|z))*q(z), z)"
    assert str(d.steps[1].rhs) == "Integral(log(p(x)*q(z)/(p(x|z)*p(z)))*q(z), z)"
    assert d.steps[1].lhs == d.steps[0].lhs
    assert d.readings == {f"{d.name}::1'": (f"{d.name}::1", "if p(x|z)p(z) is the denominator")}
    # a product after '/' that means the same either way is not reported
    ds, _ = note("log(E_q(Z)[p(X|Z)p(Z)/q(Z)]) = log(E_q(Z)[p(X,Z)/q(Z)])\n")
    assert [s.name for s in ds[0].steps] == ["1"]


def test_a_name_defined_in_the_note_keeps_its_meaning():
    ds, _ = note("F(q) = integrate(q(z)*log(p(x,z)/q(z)), z)\nlog p(x) >= F(q)\n")
    (d,) = ds
    assert str(d.steps[0].rhs) == "Integral(log(p(x,z)/q(z))*q(z), z)"
    assert "defines F(q)" in ds[0].skipped[0].message
    ds, _ = note("F(q) = integrate(q(z)*log(p(x,z)/q(z)), z)\nlog p(x) >= F(p)\nlog p(x) = log p(x)\n")
    assert "defined in the note as F(q(z)) only" in {n.line: n.message for n in ds[0].skipped}[2]


def test_latent_and_observed_can_be_overridden():
    ds, _ = note("latent: w\nobserved: y\nlog p(y) >= ELBO(q(w), p(y,w))\n")
    (d,) = ds
    assert [str(v) for v in d.context.latent] == ["w"]


@pytest.mark.parametrize("text,reason", [
    ("https://example.org/vi", "a web address"),
    ("q_star(x) = argmin(q∈Q)D_KL(q(z)||p(z|x))", "argmin"),
    ("E_q(z)[u(z)] = v(x)", "unknown function"),
    ("= log p(x)", "no expression before it"),
    ("log p(x) < 0", "strict"),
    ("p(x) = \x07\x01 junk", "unexpected character"),
    ("log(p(x)) = ", "nothing after"),
])
def test_what_cannot_be_read_is_skipped_with_a_reason(text, reason):
    ds, errs = load_text(text + "\nlog p(x) = log p(x)\n", "n.txt", read_note)
    assert errs == []
    (_, line, why), = [s for s in ds[0].skipped if s.line == 1]
    assert reason in why


def test_a_step_after_an_unreadable_line_is_skipped_not_misread():
    ds, errs = note("log p(x)\n= log(p(x) ⊗ 2)\n= log p(x)\n")
    # nothing is read, and since nothing is, the unreadable line is an error that says why
    assert ds == [] and [(e.line, "'⊗'" in e.message) for e in errs] == [(2, True)]


def test_helpers():
    assert formula_segments("즉 log p(X) >= L(q)") == [(3, "log p(X) >= L(q)")]
    assert split_chain("a = b >= (c = d)") == [(None, "a", 1), ("=", "b", 5), (">=", "(c = d)", 10)]
    with pytest.raises(ValueError):
        split_chain("a -> b")


def test_junk_and_huge_files_are_clear_errors_or_skipped_lines(tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("log p(x) = log p(x)\n" * 600_000)
    derivs, (err,) = load_file(big)
    assert derivs == [] and "too large" in str(err)
    long_line = tmp_path / "long.txt"
    long_line.write_text("log p(x) = " + "+ log p(x) " * 2000 + "\nlog p(x) = log p(x)\n")
    derivs, errs = load_file(long_line)
    assert errs == [] and "too long" in {n.line: n.message for n in derivs[0].skipped}[1]
    junk = tmp_path / "junk.txt"
    junk.write_bytes(bytes(range(256)) * 10)
    derivs, (err,) = load_file(junk)
    assert derivs == [] and ("binary" in str(err) or "UTF-8" in str(err))


def test_a_directory_scan_reads_only_derivation_files_but_a_named_note_is_read(tmp_path):
    import vi_sym.frontends as fe
    (tmp_path / "a.txt").write_text("log p(x) = log p(x)\n")
    assert fe.discover([tmp_path]) == [] and fe.discover([tmp_path / "a.txt"]) == [tmp_path / "a.txt"]
    assert fe.reader_for(tmp_path / "a.txt") is read_note


MEAN_FIELD_NOTE = """평균장 근사
latent: z1 z2
H(q1(z1) q2(z2)) = H(q1(z1)) + H(q2(z2))
E_q(z2)[log p(z1|z2,x)] = E_q(z2)[log p(x,z1,z2)] + const
H(q1(z1) q2(z2)) = H(q1(z1)) - H(q2(z2))
"""


def test_factors_named_q1_q2_and_a_bare_const_are_read_and_decided():
    from vi_sym.core import Status
    from vi_sym.vocabulary import Const
    from sympy import Symbol
    ds, errs = note(MEAN_FIELD_NOTE)
    assert errs == [] and len(ds) == 3
    assert ds[1].steps[0].rhs.has(Const(Symbol("z1")))      # const in the chain start's latent
    verdicts = [d.check(samples=10, seed=0, jobs=1)[0].status for d in ds]
    assert verdicts == [Status.PROVED, Status.PROVED, Status.FAILED]


def test_a_bare_const_with_no_latent_to_be_free_of_is_skipped_with_the_reason():
    ds, errs = note("latent: z1 z2\nlog p(x) = log p(x) + const\nlog p(x) = log p(x)\n")
    reasons = [n.message for d in ds for n in d.skipped]
    assert any("say what the constant does not depend on" in r for r in reasons), reasons
