"""Derivation files: what parses, and every kind of bad input giving a clear error."""
import pytest

from vi_sym.core import Status
from vi_sym.loader import load_file, load_text

GOOD = """
derivation d
title: a tiny chain
latent: z
observed: x

    KL(q(z) || p(z|x))                              @ 39
  = integrate(q(z)*log(q(z)/p(z|x)), z)   by kl_definition   @ 40
  = integrate(q(z)*log(q(z)*p(x)/(p(x|z)*p(z))),
              z)
        by bayes_rule   @ 41
conclude: KL(q(z)||p(z|x)) = integrate(q(z)*log(q(z)*p(x)/(p(x|z)*p(z))), z)
"""


def test_good_file_reads_into_a_chain():
    ds, errs = load_text(GOOD, "good.vi")
    assert errs == []
    (d,) = ds
    assert [s.name for s in d.steps] == ["1", "2"]
    assert d.steps[0].by == ("kl_definition",) and d.steps[1].by == ("bayes_rule",)
    assert d.steps[1].lhs == d.steps[0].rhs           # calc chain: continues from the previous rhs
    assert d.steps[1].source.line == 9 and d.steps[1].source.note_line == 41
    assert d.conclusion is not None and d.relation == "="


def _one_error(text, file="bad.vi"):
    ds, errs = load_text(text, file)
    assert errs, "expected an error"
    return ds, errs


HEAD = "derivation d\nlatent: z\nobserved: x\n"


@pytest.mark.parametrize("body,line,step,fragment", [
    ("    log(p(x))\n  = log(p(x) by kl_definition\n", 5, "1", "')'"),                  # syntax error
    ("    log(p(x))\n  = log(p(x))  by bayse_rule\n", 5, "1", "bayes_rule"),            # unknown rule, suggestion
    ("    log(p(x))\n  = log(p(w))\n", 5, "1", "'w'"),                                  # undeclared variable
    ("    log(p(x))\n    log(p(x))\n", 5, "1", "must start with"),                      # relation missing
    ("    log(p(x))\n  = KL(q(z) || p(x|z))\n", 5, "1", "same variables"),              # ill-typed KL
    ("    log(p(x))\n  = log(p(x)) < 2\n", 5, "1", "strict"),                           # strict inequality
    ("    log(p(x))\n  = log(p(x))  @ line\n", 5, "1", "line number"),                  # bad note ref
])
def test_bad_step_names_file_line_and_step(body, line, step, fragment):
    ds, errs = _one_error(HEAD + body)
    err = errs[0]
    assert (err.file, err.line, err.derivation, err.step) == ("bad.vi", line, "d", step)
    assert fragment in str(err)
    assert str(err).startswith(f"bad.vi:{line}: derivation 'd' step {step}:")


def test_missing_latent_is_an_error():
    _, errs = _one_error("derivation d\nobserved: x\n    log(p(x))\n  = log(p(x))\n")
    assert "latent" in errs[0].message


def test_empty_derivation_is_an_error():
    _, errs = _one_error("derivation d\nlatent: z\n")
    assert "no steps" in errs[0].message


def test_text_before_any_derivation_is_an_error():
    _, errs = _one_error("  = log(p(x))\n")
    assert errs[0].line == 1


def test_unclosed_bracket_at_end_of_file():
    _, errs = _one_error(HEAD + "    log(p(x)\n")
    assert "unclosed" in errs[0].message


def test_duplicate_names():
    text = HEAD + "    p(x)\n  = p(x)\n" + HEAD + "    p(x)\n  = p(x)\n"
    _, errs = _one_error(text)
    assert "already at line 1" in errs[0].message and errs[0].line == 6


def test_a_bad_step_does_not_hide_the_others():
    text = HEAD + "    log(p(x))\n  = log(p(x)  by kl_definition\n  = log(p(x))\n" + \
        "derivation e\nlatent: z\nobserved: x\n    log(p(x))\n  = log(integrate(p(x,z), z)) by marginalisation\n"
    ds, errs = load_text(text, "mixed.vi")
    assert len(errs) == 2                       # the broken step and the step that follows from it
    assert [d.name for d in ds] == ["d", "e"]
    assert ds[0].steps[0].error and ds[0].steps[1].error
    assert not ds[1].steps[0].error


def test_empty_file(tmp_path):
    f = tmp_path / "empty.vi"
    f.write_text("")
    ds, errs = load_file(f)
    assert ds == [] and "no derivation" in str(errs[0]) and str(f) in str(errs[0])


def test_non_utf8_file(tmp_path):
    f = tmp_path / "latin.vi"
    f.write_bytes(HEAD.encode() + "    log(p(x)) # caf\xe9\n".encode("latin-1"))
    ds, errs = load_file(f)
    assert ds == [] and "UTF-8" in str(errs[0]) and errs[0].line == 4


def test_missing_file(tmp_path):
    ds, errs = load_file(tmp_path / "nope.vi")
    assert ds == [] and "cannot read" in str(errs[0])


def test_xfail_annotation():
    ds, errs = load_text(HEAD + "    log(p(x))\n  = log(p(z))  xfail: wrong density\n")
    assert errs == []
    s = ds[0].steps[0]
    assert s.expect == "fails" and s.expect_reason == "wrong density"


def test_text_is_parsed_never_evaluated(tmp_path):
    marker = tmp_path / "pwned"
    text = HEAD + f"    log(p(x))\n  = __import__('os').system('touch {marker}')\n"
    ds, errs = load_text(text)
    assert errs and not marker.exists()
