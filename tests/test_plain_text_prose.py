"""English around the formulas of a plain-text note: a justification in brackets at the end of a
row, ``(Jensen)``, ``(by Bayes' rule)``, is a remark whose rules are cited (it was read as a name);
"A, we get B" / "A, so B" / "A; hence B" are two statements, each checked; a leading clause,
"For the VAE, …", is not part of the formula.  Formulas in brackets are never taken for prose."""
import pytest

from vi_sym.checker import check_derivations
from vi_sym.core import Status
from vi_sym.frontends.textnote import paren_remark
from vi_sym.notation import to_unicode
from vi_sym.settings import Settings
from conftest import load_as, read_as, reasons, statuses_as

SETTINGS = Settings(families=("all",), samples=8, jobs=1, fixes=False)


def _read(text):
    return read_as(text, "n.txt")


def _steps(text):
    return [(to_unicode(s.lhs) + f" {s.rel} " + to_unicode(s.rhs), s.by) for d in _read(text) for s in d.steps]


def _statuses(text):
    return statuses_as(text, SETTINGS, "n.txt")


JENSEN = ("log p(x) = log ∫ q(z) p(x,z)/q(z) dz\n"
          "         >= ∫ q(z) log(p(x,z)/q(z)) dz      (Jensen)\n")


def test_a_bracketed_justification_is_a_cited_remark():
    [start, step] = [s for d in _read(JENSEN) for s in d.steps]
    assert step.by == ("jensen",)
    assert _statuses(JENSEN) == [Status.PROVED, Status.PROVED]


@pytest.mark.parametrize("code, remark", [
    ("a = b (Jensen)", "Jensen"), ("a = b   (by Bayes' rule).", "by Bayes' rule"),
    ("a = b (linearity of expectation)", "linearity of expectation"),
    ("a = log (z)", ""), ("a = 2 (log p)", ""), ("a = b (KL)", ""), ("a = f(x y)", ""),
])
def test_only_words_in_brackets_are_a_remark(code, remark):
    out, said = paren_remark(code)
    assert said == remark
    assert len(out) == len(code)
    if not remark:
        assert out == code


@pytest.mark.parametrize("line", [
    "Since KL(q||p) >= 0, we get log p(x) >= ELBO(q).",
    "KL(q||p) >= 0, so log p(x) >= ELBO(q)",
    "KL(q||p) >= 0; hence log p(x) >= ELBO(q)",
])
def test_a_statement_and_its_consequence_are_both_checked(line):
    steps = _steps(line + "\n")
    assert [s for s, _ in steps] == ["KL(q(z) ‖ p(z|x)) >= 0", "log p(x) >= ELBO(q(z), p(x,z))"]
    assert _statuses(line + "\n") == [Status.PROVED, Status.PROVED]


def test_a_wrong_consequence_is_failed():
    assert _statuses("KL(q||p) >= 0, so log p(x) <= ELBO(q)\n") == [Status.PROVED, Status.FAILED]


def test_a_leading_clause_is_not_part_of_the_formula():
    text = "For the Gaussian case, H(q) = -E_q[log q(z)]\n"
    assert [s for s, _ in _steps(text)] == ["H(q(z)) = -E_q(z)[log q(z)]"]


def test_a_remark_may_say_a():
    assert paren_remark("H(q1 q2) = H(q1) + H(q2)   (entropy of a product)")[1] == "entropy of a product"


MEAN_FIELD = "latent: z1 z2\n{label}: q(z1, z2) = q1(z1) q2(z2)\n\n"


@pytest.mark.parametrize("label", ["mean-field", "Mean field assumption", "mean-field approximation", "평균장 가정",
                                   "평균장"])
def test_a_labelled_mean_field_line_declares_the_factorisation(label):
    ds, errors = load_as(MEAN_FIELD.format(label=label) + "H(q1(z1) q2(z2)) = H(q1(z1)) + H(q2(z2))\n", "n.txt")
    [d] = ds
    assert any("factorised: q1(z1) q2(z2) declared" in n.message for n in d.skipped), d.skipped
    assert len(d.steps) == 1


def test_proportional_is_equal_up_to_a_factor_free_of_the_latent():
    text = MEAN_FIELD.format(label="mean-field") + "exp(E_q2[log p(x, z1, z2)]) ∝ exp(E_q2[log p(z1 | z2, x)])\n"
    [d] = _read(text)
    [step] = d.steps
    assert step.rel == "=" and "const(z1)" in to_unicode(step.rhs)
    assert _statuses(text) == [Status.PROVED]


def test_a_wrong_proportionality_is_not_proved():
    text = MEAN_FIELD.format(label="mean-field") + "exp(E_q2[log p(x, z1, z2)]) ∝ exp(E_q2[log p(z2 | z1, x)])\n"
    assert _statuses(text) != [Status.PROVED]


def test_the_elbo_of_a_product_and_of_no_density():
    text = MEAN_FIELD.format(label="mean-field") + (
        "ELBO(q1(z1) q2(z2)) = E_{q1(z1) q2(z2)}[log p(x, z1, z2)] + H(q1(z1)) + H(q2(z2))\n\n"
        "ELBO(q1(z1) + q2(z2)) = 0\n")
    ds, errors = load_as(text, "n.txt")
    assert [to_unicode(s.lhs) for d in ds for s in d.steps] == ["ELBO(q1(z1) q2(z2), p(x,z1,z2))"]
    assert any("must be a density q(z) or a product" in n.message for d in ds for n in d.skipped)
    assert [r.status for r in check_derivations(ds, SETTINGS).results] == [Status.PROVED]


CONTINUED = ("log p(x) = E_q[log p(x|z)] - KL(q(z)||p(z))\n"
             "           + KL(q(z)||p(z|x))\n"
             "         = ELBO(q) + KL(q(z)||p(z|x))\n")


def test_a_line_continuing_the_right_side_is_joined_to_it():
    # it was a chain of its own: the first line alone came out FAILED, a false alarm
    [d] = _read(CONTINUED)
    assert [to_unicode(s.rhs) for s in d.steps] == ["E_q(z)[log p(x|z)] - KL(q(z) ‖ p(z)) + KL(q(z) ‖ p(z|x))",
                                                   "ELBO(q(z), p(x,z)) + KL(q(z) ‖ p(z|x))"]
    assert _statuses(CONTINUED) == [Status.PROVED, Status.PROVED]


def test_an_indented_minus_continues_and_a_slip_in_it_is_failed():
    text = CONTINUED.replace("           + KL", "           - KL")
    assert _statuses(text) == [Status.FAILED, Status.FAILED]


def test_a_bullet_is_not_a_continuation():
    # "- " at the start of a line is a bullet: the line is a statement of its own
    text = "log p(x) = log p(x)\n- KL(q||p) >= 0\n"
    assert [s for s, _ in _steps(text)] == ["log p(x) = log p(x)", "KL(q(z) ‖ p(z|x)) >= 0"]


def test_a_continuation_that_cannot_be_read_says_so():
    ds, errors = load_as("log p(x) = E_q[log p(x|z)]\n     + KL(q(z)||p(z|x)) + )\n", "n.txt")
    messages = reasons(ds, errors)
    assert any("cannot read the continued right side" in m for m in messages), messages
