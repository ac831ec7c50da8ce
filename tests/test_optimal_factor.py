"""The optimal mean-field factor q_j* (PRML (10.9), Blei et al. (18)): with the factorisation
declared, ``log q1*(z1) = E_q(z2)[log p(x, z1, z2)] + const`` is PROVED by the rule
``optimal_factor`` (q1* is the normalised exp E_q(z2)[log p(x, z1, z2)]) and SPOT-CHECKED in the
two-latent families, which evaluate q1* as that quotient; the slips a learner makes writing it
are FAILED there, and without a declared factorisation (or with one latent, where q* depends on
the family Q optimised over) nothing is proved."""
import pytest
from sympy import Integral, Symbol, exp, log

from vi_sym.core import Status
from vi_sym.notation import to_unicode
from vi_sym.rules import Context, get_rule
from vi_sym.rules.optimal_factor import model_joint, unfold_optimal_factors
from vi_sym.settings import Settings
from vi_sym.vocabulary import Density, Expectation
from conftest import load_as, reasons, statuses_as

SETTINGS = Settings(families=("all",), samples=8, jobs=1, fixes=False)
NO_FAMILIES = Settings(families=(), jobs=1, fixes=False)

TEXT_HEAD = "latent: z1 z2\nobserved: x\nmean-field assumption: q(z1,z2) = q1(z1) q2(z2)\n\n"
MD_HEAD = "<!-- vi_sym: latent: z_1 z_2 -->\n<!-- vi_sym: factorised: q_1(z_1) q_2(z_2) -->\n\n"

RIGHT_TEXT = [
    "log q1*(z1) = E_q2[log p(x,z1,z2)] + const",
    "log q1*(z1) = E_q2[log p(z1|z2,x)] + const",
    "q1*(z1) ∝ exp(E_q2[log p(x,z1,z2)])",
    "log q2*(z2) = E_q1[log p(x,z1,z2)] + const",
]

WRONG_TEXT = [
    # the expectation under the factor being optimised
    "log q1*(z1) = E_q1[log p(x,z1,z2)] + const",
    # the likelihood alone: log p(z1, z2) depends on z1
    "log q1*(z1) = E_q2[log p(x|z1,z2)] + const",
    # the normaliser dropped: an exact equality
    "log q1*(z1) = E_q2[log p(x,z1,z2)]",
    # the other factor's optimum
    "log q2*(z2) = E_q2[log p(x,z1,z2)] + const",
    # proportional to the wrong factor's average (the normaliser, an integral, is positive)
    "q1*(z1) ∝ exp(E_q1[log p(x,z1,z2)])",
]


def _text(rows):
    return TEXT_HEAD + "\n".join(rows) + "\n"


@pytest.mark.parametrize("row", RIGHT_TEXT)
def test_the_update_is_proved_in_a_text_note(row):
    assert statuses_as(_text([row]), NO_FAMILIES, "n.txt") == [Status.PROVED]


@pytest.mark.parametrize("row", RIGHT_TEXT[:3])
def test_the_families_evaluate_q_star_as_its_update_and_agree(row):
    from vi_sym.checker import check_derivations
    from conftest import read_as
    [res] = check_derivations(read_as(_text([row]), "n.txt"), SETTINGS).results
    assert res.status == Status.PROVED
    checked = [f["family"] for f in res.families if f["status"] == "SPOT-CHECKED"]
    assert len(checked) >= 2, res.families
    assert not [f for f in res.families if f["status"] == "FAILED"]


@pytest.mark.parametrize("row", WRONG_TEXT)
def test_a_wrong_update_is_failed_never_proved(row):
    assert statuses_as(_text([row]), SETTINGS, "n.txt") == [Status.FAILED]


def test_latex_factor_subscripts_are_read_and_proved():
    text = MD_HEAD + ("$$ \\log q_1^*(z_1) = \\mathbb{E}_{q_2}[\\log p(x, z_1, z_2)] + \\text{const} $$\n\n"
                      "$$ \\log q_1^*(z_1) = \\mathbb{E}_{q_1}[\\log p(x, z_1, z_2)] + \\text{const} $$\n")
    ds, errors = load_as(text)
    assert not errors
    sides = [to_unicode(s.rhs) for d in ds for s in d.steps]
    assert "E_q2(z2)" in sides[0] and "E_q1(z1)" in sides[1]
    assert statuses_as(text, SETTINGS) == [Status.PROVED, Status.FAILED]


def test_a_factor_subscript_with_no_latent_of_its_number_is_an_error():
    text = MD_HEAD + "$$ \\log q_1^*(z_1) = \\mathbb{E}_{q_3}[\\log p(x, z_1, z_2)] + \\text{const} $$\n"
    ds, errors = load_as(text)
    said = " ".join(reasons(ds, errors))
    assert "q3" in said and not [s for d in ds for s in d.steps]


def test_without_a_declared_factorisation_nothing_is_proved():
    text = "latent: z1 z2\nobserved: x\n\nlog q1*(z1) = E_q2[log p(x,z1,z2)] + const\n"
    assert statuses_as(text, NO_FAMILIES, "n.txt") == [Status.UNKNOWN]


def test_with_one_latent_the_optimum_is_not_the_posterior_by_any_rule():
    # q* over a restricted family Q is not p(z|x): no rule names it
    text = "latent: z\nobserved: x\n\nlog q*(z) = log p(z|x)\nq*(z) = p(z|x)\n"
    assert statuses_as(text, NO_FAMILIES, "n.txt") == [Status.UNKNOWN, Status.UNKNOWN]


# --------------------------------------------------------------------------- the rule itself
z1, z2, x, th = Symbol("z1"), Symbol("z2"), Symbol("x"), Symbol("θ", real=True)
q1, q2 = Density("q", [z1]), Density("q", [z2])
CTX = Context((z1, z2), factors=(q1, q2), observed=(x,))


def test_the_rule_writes_q_star_as_the_normalised_exponentiated_expected_log_joint():
    star = Density("q1_star", [z1])
    rule = get_rule("optimal_factor")
    body = Expectation(q2, log(Density("p", [x, z1, z2])))
    assert rule.rewrite(star, CTX) == exp(body) / Integral(exp(body), z1)
    assert rule.rewrite(log(star), CTX) == body - log(Integral(exp(body), z1))


def test_the_model_joint_keeps_declared_parameters_right_of_the_bar():
    ctx = Context((z1, z2), factors=(q1, q2), observed=(x,), domains=(("θ", "real"),))
    joint = model_joint(Density("p", [x], [z1, z2, th]), ctx)
    assert joint == Density("p", [x, z1, z2], [th])


@pytest.mark.parametrize("ctx", [
    Context((z1, z2), observed=(x,)),                                   # no factorisation
    Context((z1,), factors=(q1,), observed=(x,)),                       # one latent
    Context((z1, z2), factors=(Density("q", [z1, z2]),), observed=(x,)),  # no factor over z1 alone
    Context((z1, z2), factors=(q1, q2)),                                # nothing says what is observed
])
def test_the_rule_declines_when_the_optimum_is_not_determined(ctx):
    star = Density("q1_star", [z1])
    assert get_rule("optimal_factor").rewrite(star, ctx) == star
    assert unfold_optimal_factors(star, star, ctx) is None


def test_a_conditioned_or_non_optimum_density_is_left_alone():
    for d in (Density("q1_star", [z1], [x]), Density("q1", [z1]), Density("q1_star", [x])):
        assert get_rule("optimal_factor").rewrite(d, CTX) == d


# --------------------------------------------------------------------------- a mean-field note without headers
CAVI_MD = ("$$ q(z_1, z_2) = q_1(z_1)\\, q_2(z_2) $$\n\n"
           "$$\n\\begin{aligned}\n"
           "\\ln q_1^\\star(z_1) &= \\mathbb{E}_{q_2(z_2)}[\\ln p(x, z_1, z_2)] + \\mathrm{const} \\\\\n"
           "q_1^\\star(z_1) &\\propto \\exp\\{\\mathbb{E}_{-1}[\\ln p(x, z_1, z_2)]\\}\n"
           "\\end{aligned}\n$$\n\n"
           "$$ \\ln q_2^\\star(z_2) = \\mathbb{E}_{q_2}[\\ln p(x, z_1, z_2)] + \\text{const} $$\n")


def test_a_latex_note_without_headers_reads_the_blocks_and_the_assumption():
    ds, errors = load_as(CAVI_MD)
    assert not errors
    said = " ".join(reasons(ds, errors)) + " ".join(w for d in ds for _, w in d.warnings)
    assert "read z1, z2 as latent variables" in said
    assert "mean-field assumption, not a step" in said
    assert statuses_as(CAVI_MD, SETTINGS) == [Status.PROVED, Status.PROVED, Status.FAILED]


@pytest.mark.parametrize("row", [
    "q(z_1, z_2) = q_1(z_1 \\mid z_2)\\, q_2(z_2)",     # a conditioned factor: the product rule, a step
    "q(z_1, z_2) = q_1(z_1)\\, q_1(z_1)",               # z_2 in no factor
    "q(z_1, z_2) = q_1(z_1)",
])
def test_a_row_that_is_not_a_mean_field_product_stays_a_step(row):
    ds, _ = load_as(f"$$ {row} $$\n")
    assert [s for d in ds for s in d.steps]
    assert "mean-field assumption" not in " ".join(reasons(ds, []))


def test_declared_latents_are_not_extended_by_blocks():
    text = "<!-- vi_sym: latent: w -->\n\n$$ \\log p(x, z_1) = \\log p(x \\mid z_1) + \\log p(z_1) $$\n"
    ds, errors = load_as(text)
    assert not [s for d in ds for s in d.steps]
    assert "unknown variable 'z1'" in " ".join(reasons(ds, errors))


@pytest.mark.parametrize("line, declared", [
    ("q(z1,z2) = q1(z1) q2(z2)", True),
    ("q(z1,z2) = q1(z1)*q2(z2)   (mean-field)", True),
    ("q(z1,z2) = q(z1|z2) q(z2)", False),
    ("q(z1,z2) = q1(z1) q1(z1)", False),
])
def test_a_text_note_reads_the_mean_field_equation_as_the_assumption(line, declared):
    ds, errors = load_as(f"{line}\nlog q1*(z1) = E_q2[log p(x,z1,z2)] + const\n", "n.txt")
    said = " ".join(reasons(ds, errors))
    assert ("mean-field assumption, not a step" in said) is declared
    if declared:
        assert statuses_as(f"{line}\nlog q1*(z1) = E_q2[log p(x,z1,z2)] + const\n", NO_FAMILIES,
                           "n.txt") == [Status.PROVED]


@pytest.mark.parametrize("text, name", [
    ("$$ \\ln q_j^\\star(\\mathbf{Z}_j) = \\mathbb{E}_{i \\neq j}[\\ln p(\\mathbf{X}, \\mathbf{Z})] + \\text{const} $$\n", "n.md"),
    ("log q_j*(z_j) = E_{i≠j}[log p(x,z)] + const\n", "n.txt"),
])
def test_a_general_factor_j_is_an_error_that_shows_the_update_for_one_factor(text, name):
    ds, errors = load_as(text, name)
    said = " ".join(reasons(ds, errors))
    assert "a mean-field factor for a general j is not read" in said
    assert ("q_1^*(z_1)" if name == "n.md" else "q1*(z1)") in said
