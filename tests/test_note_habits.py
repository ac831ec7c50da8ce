"""Plain-text notes as different learners type them: numbered equations, bullets, English
connectives, ``‖``, ``E_q[…]``, ``log ∫ … dz``, several latents; errors say where in the line."""
import pytest
from sympy import Symbol

from vi_sym.checker import Settings, check_derivations
from vi_sym.core import Status
from vi_sym.frontends.textnote import strip_markup
from conftest import note, steps


def statuses(text):
    ds, errs = note(text)
    assert errs == []
    return [r.status for r in check_derivations(ds, Settings(families=(), jobs=1, fixes=False)).results]


def skipped(text):
    ds, errs = note(text)
    return {n.line: n.message for n in ds[0].skipped} if ds else {e.line: e.message for e in errs}


@pytest.mark.parametrize("text,expected", [
    # an equation number in front is not a factor: (2) log p(z|x) was 2·log p(z|x)
    ("(2) log p(z|x) = log p(x,z) - log p(x)", "log(p(z|x)) = -log(p(x)) + log(p(x,z))"),
    ("1. log p(z|x) = log p(x,z) - log p(x)", "log(p(z|x)) = -log(p(x)) + log(p(x,z))"),
    ("log p(z|x) = log p(x,z) - log p(x)   (3.1)", "log(p(z|x)) = -log(p(x)) + log(p(x,z))"),
    # a bullet is not a minus sign
    ("- ELBO = E_q[log p(x,z)] - E_q[log q(z)]",
     "ELBO(q(z)) = E_q(z)[log(p(x,z))] - E_q(z)[log(q(z))]"),
    ("• log p(x) >= ELBO", "log(p(x)) >= ELBO(q(z))"),
    ("therefore log p(x) = ELBO + D_KL(q‖p)", "log(p(x)) = ELBO(q(z)) + KL(q(z)||p(z|x))"),
    ("So, log p(x) = ELBO + KL(q ∥ p)", "log(p(x)) = ELBO(q(z)) + KL(q(z)||p(z|x))"),
    ("ln p(x) = ln ∫ p(x,z) dz", "log(p(x)) = log(Integral(p(x,z), z))"),
    ("log p(x) >= E_p[log p(x,z)]", "log(p(x)) >= E_p(z|x)[log(p(x,z))]"),
])
def test_what_surrounds_an_equation_is_not_part_of_it(text, expected):
    (s,) = steps(text)
    assert f"{s.lhs} {s.rel} {s.rhs}" == expected


def test_only_markup_is_blanked_and_columns_stay():
    assert strip_markup("(2) a = b") == "    a = b"
    assert strip_markup("a = b (3)") == "a = b    "
    for kept in ("-ELBO = x", "log p(x) - (2)", "x = p(2)", "sometimes a = b", "(1 - a) = b"):
        assert strip_markup(kept) == kept


def test_a_minus_sign_without_a_space_is_still_a_minus_sign():
    (s,) = steps("-ELBO = E_q[log q(z)] - E_q[log p(x,z)]")
    assert str(s.lhs) == "-ELBO(q(z))"


def test_the_new_notation_never_makes_a_wrong_step_proved():
    wrong = ["(1) log p(x) = ELBO - KL(q‖p)",
             "- ELBO = E_q[log p(x|z)] + KL(q||p(z))",
             "therefore log p(x) <= ELBO",
             "ln p(x) = ln ∫ q(z) p(x,z) dz",
             "E_q[log p(x,z)] - E_q[log q(z)] >= log p(x)",
             "ELBO := E[log p(x,z)] + E[log q(z)]",
             "KL[q||p] = E_q[log p(z|x) - log q(z)]",
             "KL <= 0",
             "log p(x) = ELBO => log p(x) <= ELBO - KL"]
    assert all(s is not Status.PROVED for s in statuses("\n\n".join(wrong) + "\n"))
    right = ["(1) log p(x) = ELBO + KL(q‖p)",
             "- ELBO = E_q[log p(x|z)] - KL(q||p(z))",
             "therefore log p(x) >= ELBO",
             "ln p(x) = ln ∫ q(z) p(x,z)/q(z) dz",
             "E_q[log p(x,z)] - E_q[log q(z)] <= log p(x)"]
    assert statuses("\n\n".join(right) + "\n") == [Status.PROVED] * 5


def test_the_expectation_under_a_factor_by_its_name():
    ss = steps("latent: z1, z2\nE_q2[log p(x,z1,z2)] = E_q2(z2)[log p(x,z1,z2)]\n"
               "E_q1(z1)[log q1(z1)] = ∫ q1(z1) log q1(z1) dz1\n")
    assert str(ss[0].lhs) == str(ss[0].rhs) == "E_q2(z2)[log(p(x,z1,z2))]"
    assert str(ss[1].lhs) == "E_q1(z1)[log(q1(z1))]"


def test_with_several_latents_q_p_and_the_elbo_are_over_all_of_them():
    ss = steps("latent: z1 z2\nlog p(x) = ELBO + KL(q||p)\nL(q) = E_q[log p(x,z1,z2)] - E_q[log q(z1,z2)]\n")
    assert str(ss[0].rhs) == "ELBO(q(z1,z2)) + KL(q(z1,z2)||p(z1,z2|x))"
    assert str(ss[1].lhs) == "ELBO(q(z1,z2))"
    assert statuses("latent: z1 z2\nlog p(x) = ELBO + KL(q||p)\n\nlog p(x) = ELBO - KL(q||p)\n")[0] is Status.PROVED
    assert statuses("latent: z1 z2\nlog p(x) = ELBO - KL(q||p)\n")[0] is not Status.PROVED
    # one latent declared: as before
    (s,) = steps("latent: w\nlog p(x) = ELBO + KL(q||p)\n")
    assert str(s.rhs) == "ELBO(q(w)) + KL(q(w)||p(w|x))"


def test_a_line_that_cannot_be_read_says_the_column_in_the_line():
    msgs = skipped("log p(x) = log p(x)\n따라서 log p(x) = foo(x)\nlog p(x) = ELBO + bar\n따라서 a -> b = c\n")
    assert "'foo' at column 16" in msgs[2]
    assert "'bar': declare it as a variable or parameter at column 19" in msgs[3]
    assert "'->' at column 7" in msgs[4]


def test_a_definition_that_cannot_be_read_is_an_error_with_its_line_when_nothing_else_is_read():
    ds, errs = note("F(q) = log p(x) + foo\n")
    assert ds == [] and [(e.line, "column 19" in e.message) for e in errs] == [(1, True)]


@pytest.mark.parametrize("text,expected", [
    ("ELBO := E[log p(x,z)] - E[log q(z)]", "ELBO(q(z)) = E_q(z)[log(p(x,z))] - E_q(z)[log(q(z))]"),
    ("L(q) ≡ E_q[log p(x,z) - log q(z)]", "ELBO(q(z)) = E_q(z)[log(p(x,z)) - log(q(z))]"),
    ("KL[q||p] = E_q[log q(z) - log p(z|x)]", "KL(q(z)||p(z|x)) = E_q(z)[-log(p(z|x)) + log(q(z))]"),
    ("D_KL[q(z) ‖ p(z)] >= 0", "KL(q(z)||p(z)) >= 0"),
    ("KL ≥ 0 이므로", "KL(q(z)||p(z|x)) >= 0"),
])
def test_definitions_brackets_and_a_bare_kl(text, expected):
    (s,) = steps(text)
    assert f"{s.lhs} {s.rel} {s.rhs}" == expected


def test_an_implication_is_two_statements_each_checked():
    ds, errs = note("log p(x) = ELBO + KL(q||p)  =>  log p(x) >= ELBO\nKL = 0 ⇒ log p(x) <= ELBO\n")
    assert errs == [] and [d.name for d in ds] == ["n_line1", "n_line1b", "n_line2", "n_line2b"]
    # two relations in one sentence are two chains, each under its own name
    ds, errs = note("log p(x) = log p(x) 이고 ELBO = L(q)\n")
    assert errs == [] and [d.name for d in ds] == ["n_line1", "n_line1b"]
    statuses_ = [r.status for r in check_derivations(note("KL ≥ 0 이므로 log p(x) ≥ ELBO\n")[0],
                                                      Settings(families=(), jobs=1, fixes=False)).results]
    assert statuses_ == [Status.PROVED, Status.PROVED]


def test_a_relation_vi_sym_does_not_check_is_named_in_the_reason():
    msgs = skipped("log p(x) = log p(x)\nlog p(x) ≈ ELBO\nq(z) ∼ N(0, 1)\n")
    assert "'≈' at column 10: only =, >= and <= are relations" in msgs[2]
    assert "'∼' at column 6" in msgs[3]      # (∝ is read: = … · const, tests/test_plain_text_prose.py)
    assert "'!=' at column 10: only =, >= and <= are relations" in skipped("log p(x) = log p(x)\nKL(q||p) != KL(p||q)\n")[2]


def test_a_starred_density_is_the_optimum_not_a_product():
    # q*(z) was read as q(z)·z
    ss = steps("log q*(z) = E[log p(x,z)] + const\nlatent: z1 z2\nlog q1*(z1) = E_q2[log p(x,z1,z2)] + const\n")
    assert str(ss[0].lhs) == "log(q_star(z))" and str(ss[1].lhs) == "log(q1_star(z1))"
    (s,) = steps("q * (z) = q(z)*z\n")          # written apart: a product, as typed
    assert s.lhs == s.rhs
    # an optimum the step does not define: nothing is proved about it from its name alone
    assert all(r is not Status.PROVED for r in statuses("q*(z) = p(z|x)\n\nlog q*(z) = log p(x,z) + const\n"))


@pytest.mark.parametrize("text,expected", [
    ("ELBO = E_q[log p(x,z)] + H[q]", "ELBO(q(z)) = H(q(z)) + E_q(z)[log(p(x,z))]"),
    ("* therefore KL(q||p) = log p(x) - ELBO", "KL(q(z)||p(z|x)) = log(p(x)) - ELBO(q(z))"),
    ("latent: z1 z2\nE_q1[log q1(z1)] = -H(q1)", "E_q1(z1)[log(q1(z1))] = -H(q1(z1))"),
])
def test_entropy_in_brackets_a_bullet_before_a_connective_and_a_bare_factor(text, expected):
    (s,) = steps(text)
    assert f"{s.lhs} {s.rel} {s.rhs}" == expected


def test_parameters_declared_in_the_note_condition_the_model():
    text = "parameters: θ\nlog p(x|θ) = L(q, θ) + KL(q||p)\nL(q, θ) = E_q[log p(x,z|θ)] - E_q[log q(z)]\n"
    ss = steps(text)
    assert str(ss[0].rhs) == "ELBO(q(z)) + KL(q(z)||p(z|x,θ))" and ss[0].rhs.atoms(Symbol) >= {Symbol("θ", real=True)}
    ds, _ = note(text)
    assert ds[0].context.domains == (("θ", "real"),) and "parameters set to θ" in ds[0].skipped[0].message
    assert statuses(text) == [Status.PROVED, Status.PROVED]
    assert statuses("parameters: θ\nlog p(x|θ) = L(q, θ) - KL(q||p)\n")[0] is not Status.PROVED
    # a parameters: line is not a latent: line (q stays q(z))
    assert str(steps("parameters: θ\nlog p(x|θ) >= L(q, θ)\n")[0].rhs) == "ELBO(q(z))"


def test_a_bare_elbo_is_the_model_at_theta_only_in_a_chain_that_names_theta():
    """A note whose EM section uses θ: its earlier sections, which never name θ, are about the
    model without it (they were read as p(x,z|θ) beside the p(x,z) they write: UNKNOWN)."""
    text = ("ELBO(q) = E_q[log p(x,z)] - E_q[log q(z)]\n"
            "        = E_q[log p(x|z)] - KL(q(z) || p(z))\n\n"
            "ELBO(q) = E_q[log p(x,z)] + H(q)\n\n"
            "log p(x|θ) = ELBO(q) + KL(q || p)\n"
            "           = ELBO(q) + KL(q(z) || p(z|x,θ))\n")
    ss = steps(text)
    assert str(ss[0].lhs) == str(ss[2].lhs) == "ELBO(q(z))"
    assert "θ" not in str(ss[0].lhs.args[1]) and "θ" not in str(ss[2].lhs.args[1])
    assert "θ" in str(ss[3].rhs) and ss[3].rhs == ss[4].lhs       # a continuation keeps its chain's θ
    assert statuses(text) == [Status.PROVED] * 5


def test_an_unknown_name_says_which_line_declares_it():
    # (θ is random here, p(θ): not read as a parameter from its use)
    msgs = skipped("log p(x) = log p(x)\nlog p(x|θ) >= L(q) + log p(θ)\n")
    assert "'parameters: θ' declares a parameter, 'latent: θ' or 'observed: θ' a variable" in msgs[2]
    # a word that is no single name (2πek read as 2·πek) gets no such advice
    assert "declares" not in skipped("log p(x) = log p(x)\nH(q) = 1/2 log(2πek^2)\n")[2]


@pytest.mark.parametrize("text,expected", [
    ("Hence log p(x) = ELBO + KL(q||p).", "log(p(x)) = ELBO(q(z)) + KL(q(z)||p(z|x))"),
    ("We get ELBO = log p(x) - KL(q||p), which is the bound.", "ELBO(q(z)) = log(p(x)) - KL(q(z)||p(z|x))"),
    ("log p(x) ≥ ELBO。", "log(p(x)) >= ELBO(q(z))"),
    ("log p(x) = ELBO + KL(q||p) (4);", "log(p(x)) = ELBO(q(z)) + KL(q(z)||p(z|x))"),
])
def test_the_end_of_a_sentence_is_not_part_of_the_equation(text, expected):
    (s,) = steps(text)
    assert f"{s.lhs} {s.rel} {s.rhs}" == expected


@pytest.mark.parametrize("text,expected", [
    ("L(q) ≜ E_q[log p(x,z)] + H(q)", "ELBO(q(z)) = H(q(z)) + E_q(z)[log(p(x,z))]"),
    ("ELBO ≔ E_q[log p(x,z) − log q(z)]", "ELBO(q(z)) = E_q(z)[log(p(x,z)) - log(q(z))]"),
    ("ELBO = 𝔼_q[log p(x,z)] + ℍ[q]", "ELBO(q(z)) = H(q(z)) + E_q(z)[log(p(x,z))]"),
])
def test_typeset_definitions_and_double_struck_letters_are_read_as_typed(text, expected):
    (s,) = steps(text)
    assert f"{s.lhs} {s.rel} {s.rhs}" == expected


def test_a_definition_typed_wrong_is_checked_not_trusted():
    ds, errs = note("H(q) ≜ E_q[log q(z)]")            # the entropy without its minus sign
    assert errs == []
    report = check_derivations(ds, Settings(families=("all",), samples=5, jobs=1, fixes=False))
    assert [r.status for r in report.results] == [Status.FAILED]


@pytest.mark.parametrize("text,expected", [
    ("ELBO = E_q[logp(x,z)] - E_q[logq(z)]", "ELBO(q(z)) = E_q(z)[log(p(x,z))] - E_q(z)[log(q(z))]"),
    ("logp(x) = ELBO + KL(q||p)", "log(p(x)) = ELBO(q(z)) + KL(q(z)||p(z|x))"),
    ("lnp(x) >= ELBO", "log(p(x)) >= ELBO(q(z))"),
])
def test_a_log_glued_to_its_density_is_the_log_of_it_not_a_definition(text, expected):
    (s,) = steps(text)
    assert f"{s.lhs} {s.rel} {s.rhs}" == expected
