"""Plain-text notation read by the note reader into the steps a ``.vi`` file would give:
``E_{z~q}[…]``, ``E_{q(z)}[…]``, ``N(z; m, s^2)`` (s² the variance), ``2πe``/``2 pi e``, and
``mean-field: q(z1,z2) = q(z1)q(z2)``.  Each gets the ``.vi`` step's verdict, and a wrong step
written in it is FAILED (or at least never PROVED); what cannot be read says where and why."""
from __future__ import annotations

import pytest
from sympy import E, Symbol, log, pi

from vi_sym.checker import Settings, check_derivations
from vi_sym.core import Status
from vi_sym.frontends import load_text
from vi_sym.vocabulary import Density
from conftest import note, steps

SETTINGS = Settings(families=("all",), samples=10, jobs=1, fixes=False)


def verdicts(ds):
    return [r.status for r in check_derivations(ds, SETTINGS).results]


def note_verdicts(text):
    ds, errs = note(text)
    assert errs == [], errs
    return verdicts(ds)


def vi(text):
    ds, errs = load_text(text, "d.vi")
    assert errs == [], errs
    return ds


def skipped(text):
    ds, errs = note(text)
    return {n.line: n.message for n in ds[0].skipped} if ds else {e.line: e.message for e in errs}


def pair(s):
    return s.lhs, s.rel, s.rhs


def defined(expr) -> set:
    """The distributions the densities of ``expr`` are defined as (``Normal(z, m, s)``)."""
    return {str(d.definition) for d in expr.atoms(Density) if hasattr(d, "definition")}


# ---------------------------------------------------------------------------- E_{z~q}

@pytest.mark.parametrize("written", ["E_{z~q}", "E_{z ~ q}", "E_{z∼q}", "E_{z~q(z)}", "E_{ z ~ q(z) }",
                                     "E_{q(z)}", "E_q(z)"])
def test_the_expectation_over_z_drawn_from_q_is_e_q(written):
    (s,) = steps(f"{written}[log p(x,z)] - E_q[log q(z)] = ELBO\n")
    assert str(s.lhs) == "E_q(z)[log(p(x,z))] - E_q(z)[log(q(z))]"


def test_the_drawn_spelling_checks_as_the_vi_step_and_a_wrong_one_is_not_proved():
    right = "E_{z~q}[log p(x,z)] - E_{z ~ q(z)}[log q(z)] = ELBO\n"
    wrong = "E_{z~q}[log p(x,z)] + E_{z ~ q(z)}[log q(z)] = ELBO\n"
    (r,), (w,) = steps(right), steps(wrong)
    (v,) = vi("derivation d\nlatent: z\nobserved: x\n\n    E_q(z)[log(p(x,z))] - E_q(z)[log(q(z))]\n"
              "  = ELBO(q(z), p(x,z))\n")[0].steps
    assert pair(r) == pair(v)
    assert note_verdicts(right) == [Status.PROVED]
    assert Status.PROVED not in note_verdicts(wrong) and str(w.lhs).startswith("E_q(z)")


def test_a_factor_drawn_from_its_own_density():
    (s,) = steps("latent: z1 z2\nE_{z2~q2}[log p(x,z1,z2)] = E_q2(z2)[log p(x,z1,z2)]\n")
    assert s.lhs == s.rhs and str(s.lhs) == "E_q2(z2)[log(p(x,z1,z2))]"


def test_a_variable_not_drawn_from_the_density_written_is_an_error_at_its_column():
    msg = skipped("log p(x) = log p(x)\nELBO = E_{z~q(x)}[log p(x,z)]\n")[2]
    assert "z is drawn from q(x), which is not a density of z at column 8" in msg


# ---------------------------------------------------------------------------- 2πe, 2 pi e

@pytest.mark.parametrize("written", ["2πe σ^2", "2 pi e σ^2", "2 π e σ^2", "2*pi*e*σ^2", "2eπ σ^2"])
def test_pi_and_eulers_number_side_by_side_inside_a_log(written):
    (s,) = steps(f"parameters: σ\nH(q) = log({written})/2\n")
    σ = Symbol("σ", real=True)
    from sympy import log
    assert s.rhs == log(2 * pi * E * σ ** 2) / 2


def test_a_declared_e_is_the_variable_not_eulers_number():
    (s,) = steps("latent: e\nE_q[e] = E_q[e]\n")
    assert s.lhs.has(Symbol("e")) and not s.lhs.has(E)


@pytest.mark.parametrize("text, words", [
    ("H(q) = log(2πe^2)/2", "'πe^…': is the power on e alone or on πe? write π e^… or (πe)^… at column 13"),
    ("H(q) = log(2πek^2)/2", "unknown name 'πek'"),
    ("H(q) = log(2πek^2)/2", "written together, πek is one name: write its letters apart, e.g. 2πe σ^2"),
])
def test_a_run_of_constants_that_could_be_read_two_ways_is_an_error(text, words):
    assert words in skipped("log p(x) = log p(x)\n" + text + "\n")[2]


def test_pi_e_and_greek_letters_side_by_side_are_one_name_each():
    """2πeσ² as typed: π, e and σ (a Greek letter is one name): the Gaussian's entropy reads."""
    (s,) = steps("positive: σ\nH(q) = log(2πeσ^2)/2\n")
    assert s.rhs == log(2 * pi * E * Symbol("σ", positive=True) ** 2) / 2


# ---------------------------------------------------------------------------- N(z; m, s^2)

NORMAL_VI = """
derivation d
latent: z
parameters: m
positive: s
define q(z) = Normal(z, m, s)

    {lhs}
  = {rhs}
"""


@pytest.mark.parametrize("define", ["q(z) = N(z; m, s^2)", "q(z) = N(z | m, s^2)", "q(z) = N(m, s^2)",
                                    "q(z) = 𝒩(z; m, s^2)", "q(z) = N(z, m, s^2)", "q(z) = Normal(z, m, s)",
                                    "positive: s\nq(z) = N(z; m, s^2)"])
def test_a_normal_with_its_variance_is_vi_syms_normal_with_the_standard_deviation(define):
    ds, errs = note(f"{define}\nE_q[(z - m)^2] = s^2\n")
    assert errs == []
    (v,) = vi(NORMAL_VI.format(lhs="E_q(z)[(z - m)^2]", rhs="s^2"))
    assert pair(ds[0].steps[0]) == pair(v.steps[0]) and defined(ds[0].steps[0].lhs) == {"Normal(z, m, s)"}
    assert ds[0].context.domains == (("m", "real"), ("s", "positive")) or "positive: s" in define


@pytest.mark.parametrize("lhs, right, wrong", [
    ("E_q[(z - m)^2]", "s^2", "s"),                          # the variance is s², not s
    ("E_q[z^2]", "m^2 + s^2", "m^2 + s^4"),                  # s² read as the scale would give s⁴
    ("H(q)", "log(2πe s^2)/2", "log(2πe s)/2"),              # the Gaussian's entropy
    ("H(q)", "1/2 log(2 pi e s^2)", "1/2 log(2 pi e s^4)"),
])
def test_a_wrong_variance_is_failed_and_the_right_one_proved_as_in_vi(lhs, right, wrong):
    got = note_verdicts(f"q(z) = N(z; m, s^2)\n{lhs} = {right}\n\n{lhs} = {wrong}\n")
    assert got[0] is Status.PROVED and got[-1] is Status.FAILED
    (v,) = vi(NORMAL_VI.format(lhs="E_q(z)[(z - m)^2]", rhs="s"))
    assert verdicts([v]) == [Status.FAILED]


def test_a_variance_named_by_one_letter_is_the_square_of_the_standard_deviation():
    ds, errs = note("q(z) = N(z; μ, v)\nE_q[(z - μ)^2] = v\n\nE_q[(z - μ)^2] = v^2\n")
    assert errs == [] and defined(ds[0].steps[0].lhs) == {"Normal(z, μ, sqrt(v))"}
    assert ds[0].context.domains == (("μ", "real"), ("v", "positive"))
    assert verdicts(ds) == [Status.PROVED, Status.FAILED]


@pytest.mark.parametrize("text, words", [
    ("parameters: s\nq(z) = N(m, s^2)", "the variance s² must be positive and its square root, |s|, the "
                                        "standard deviation; declare the names in it on a line 'positive: …' at column 10"),
    ("q(w) = N(w; m, s^2)", "w is not a latent variable (a line 'latent: w' declares it) at column 3"),
    ("q(z) = N(w; m, s^2)", "N(w; …) is a density of w, not of z at column 10"),
    ("q(z) = N(z; m, s^2, 1)", "N(…) takes a mean and a variance at column 10"),
    ("q(z) = N(z; m, foo(s))", "unknown function 'foo' at column 16"),
    ("q(z) = Normal(m, s)", "expected Normal(z, mean, standard deviation) at column 15"),
    ("p(x) = N(x; 0, 1)", "x is not a latent variable (a line 'latent: x' declares it)"),
    ("q(z) = N(z; m, -s^2)", "the variance -s² must be positive"),
])
def test_a_normal_that_cannot_be_read_says_what_and_where(text, words):
    msgs = skipped("log p(x) = log p(x)\n" + text + "\n")
    assert words in msgs[max(msgs)]


def test_a_normal_is_defined_for_the_lines_below_only():
    ds, errs = note("positive: s\nparameters: m\nE_q[(z - m)^2] = s^2\n\nq(z) = N(z; m, s^2)\n"
                    "E_q[(z - m)^2] = s^2\n")
    (v,) = vi(NORMAL_VI.format(lhs="E_q(z)[(z - m)^2]", rhs="s^2"))
    assert errs == [] and not defined(ds[0].steps[0].lhs) and pair(ds[-1].steps[0]) == pair(v.steps[0])


# ---------------------------------------------------------------------------- mean field

CAVI_VI = """
derivation d
latent: z1 z2
observed: x
factorised: q(z1)*q(z2)

    E_{{-z1}}[log(p(x,z1,z2))]
  = {rhs}
"""


@pytest.mark.parametrize("declared", ["mean-field: q(z1,z2) = q(z1)q(z2)", "mean field: q(z1)*q(z2)",
                                      "Mean-field assumption: q(z1, z2) = q(z1) q(z2)",
                                      "latent: z1 z2\nmean-field: q(z1,z2) = q(z1)q(z2)"])
def test_a_mean_field_line_is_the_factorisation_of_the_vi_header(declared):
    ds, errs = note(f"{declared}\nE_{{-z1}}[log p(x,z1,z2)] = E_q(z2)[log p(x,z1,z2)]\n")
    assert errs == []
    (v,) = vi(CAVI_VI.format(rhs="E_q(z2)[log(p(x,z1,z2))]"))
    assert ds[0].context.factors == v.context.factors != () and pair(ds[0].steps[0]) == pair(v.steps[0])
    assert ds[0].context.latent == v.context.latent


def test_the_wrong_factor_left_out_is_failed_as_in_vi():
    text = ("mean-field: q(z1,z2) = q(z1)q(z2)\nE_{-z1}[log p(x,z1,z2)] = E_q(z2)[log p(x,z1,z2)]\n\n"
            "E_{-z1}[log p(x,z1,z2)] = E_q(z1)[log p(x,z1,z2)]\n")
    (v,) = vi(CAVI_VI.format(rhs="E_q(z1)[log(p(x,z1,z2))]"))
    assert note_verdicts(text) == [Status.PROVED, verdicts([v])[0]] == [Status.PROVED, Status.FAILED]


@pytest.mark.parametrize("text, words", [
    ("mean-field: q(z1,z2) = q(z1)q(z3)", "q(z1, z2) is over z1, z2, but the factors cover z1, z3"),
    ("latent: w\nmean-field: q(z1,z2) = q(z1)q(z2)", "z1, z2 is not a declared latent variable"),
    ("mean-field: yes", "expected a product of densities"),
])
def test_a_mean_field_line_that_cannot_be_read_says_why(text, words):
    msgs = skipped("log p(x) = log p(x)\n" + text + "\n")
    assert words in msgs[max(msgs)]


# ---------------------------------------------------------------------------- Σ_n, sum_n

IID_NOTE = "positive: N\niid: X = x[1..N]\n"
IID_VI = """
derivation d
latent: z
observed: X x
positive: N
iid: X = x[1..N]

    {lhs}
  = {rhs}
"""


@pytest.mark.parametrize("written", ["Σ_{n=1}^{N} log p(x_n|z)", "Σ_{n=1}^N log p(x_n|z)", "sum_{n=1}^{N} log p(x[n]|z)",
                                     "Σ_n log p(x_n|z)", "sum_n log p(x_n|z)", "∑_n log p(x_n|z)",
                                     "Σ_{n} log p(x_n|z)", "sum(log p(x[n]|z), (n, 1, N))"])
def test_a_sum_over_the_data_points_is_the_vi_sum(written):
    ds, errs = note(f"{IID_NOTE}log p(X|z) = {written}\n")
    (v,) = vi(IID_VI.format(lhs="log(p(X|z))", rhs="sum(log(p(x[n]|z)), (n, 1, N))"))
    assert errs == [] and pair(ds[0].steps[0]) == pair(v.steps[0])
    assert ds[0].context.iid == v.context.iid != ()


def test_a_sum_checks_as_the_vi_step_and_wrong_ones_are_failed():
    text = (IID_NOTE + "log p(X|z) = Σ_n log p(x_n|z)\n\nE_q[log p(X|z)] = Σ_{n=1}^{N} E_q[log p(x_n|z)]\n\n"
            "log p(X) = Σ_n log p(x_n)\n\nlog p(X|z) = Σ_n log p(x_n|z) + 1\n")
    (v,) = vi(IID_VI.format(lhs="log(p(X))", rhs="sum(log(p(x[n])), (n, 1, N))"))
    assert note_verdicts(text) == [Status.PROVED, Status.PROVED, verdicts([v])[0], Status.FAILED]
    assert verdicts([v]) == [Status.FAILED]


def test_the_body_of_a_sum_is_the_product_after_it():
    (s,) = steps(IID_NOTE + "log p(X|z) + 1 = Σ_n 2 log p(x_n|z) + 1\n")
    assert str(s.rhs) == "Sum(2*log(p(x[n]|z)), (n, 1, N)) + 1"


@pytest.mark.parametrize("text, words", [
    ("log p(X|z) = Σ_k 1", "Σ_k: the range of k is not known (its body takes no declared data point or "
                           "vector at it); write its limits, Σ_{k=1}^{N} at column 14"),
    ("log p(X|z) = Σ_z log p(x_z|z)", "'z' is the index of this sum, so it is bound here"),
    ("log p(X|z) = Σ_{n=1} log p(x_n|z)", "Σ_{n=…} has no upper limit: write Σ_{n=1}^{N} at column 14"),
    ("log p(X|z) = x_n", "x_n stands only inside a sum over n"),
    ("log p(X|z) = Σ log p(x_n|z)", "Σ without its index: write Σ_{n=1}^{N} … or Σ_n … (n over a declared data set or vector) at column 14"),
    ("log p(X|z) = Σ_n log p(y_n|z)", "unknown variable 'y_n' in density p(...)"),
])
def test_a_sum_that_cannot_be_read_says_what_and_where(text, words):
    msgs = skipped(IID_NOTE + "log p(x) = log p(x)\n" + text + "\n")
    assert words in msgs[max(msgs)]


def test_sigma_and_sum_are_still_names_where_declared_or_in_vi_files():
    (s,) = steps("parameters: Σ_k\nΣ_k = Σ_k\n")
    assert s.lhs == Symbol("Σ_k", real=True)
    ds, errs = load_text("derivation d\nlatent: z\nobserved: X x\npositive: N\n\n    log(p(X|z))\n"
                         "  = Σ_n log(p(x[n]|z))\n", "d.vi")
    assert errs and "Σ_n" in errs[0].message


def test_two_normals_by_their_variances_give_the_kl_of_the_vi_file():
    text = ("q(z) = N(z; m, s^2)\nr(z) = N(z; 0, 1)\nKL(q(z)||r(z)) = (s^2 + m^2 - 1 - log(s^2))/2\n\n"
            "KL(q(z)||r(z)) = (s^2 + m^2 - 1 - log(s))/2\n")
    ds, errs = note(text)
    (v,) = vi("derivation d\nlatent: z\nparameters: m\npositive: s\ndefine q(z) = Normal(z, m, s)\n"
              "define r(z) = Normal(z, 0, 1)\n\n    KL(q(z) || r(z))\n  = (s^2 + m^2 - 1 - log(s^2))/2\n")
    assert errs == [] and pair(ds[0].steps[0]) == pair(v.steps[0])
    assert verdicts(ds) == [Status.PROVED, Status.FAILED]


# ---------------------------------------------------------------------------- Σ_j over a vector

KW_VI = """
derivation kw
latent: z
parameters: μ[1..J]
positive: σ[1..J] J

    sum(σ[j]^2 + μ[j]^2 - 1 - log(σ[j]^2), (j, 1, J))/2
  = -sum({body}, (j, 1, J))/2
"""
VECTORS = "parameters: μ[1..J]\npositive: σ[1..J]\n"


@pytest.mark.parametrize("declared", [VECTORS, "positive: σ[1..J] J\nparameters: μ[1..J]\n",
                                      "positive: J\nparameters: μ[1..J]\npositive: σ[1..J]\n"])
def test_kingma_wellings_kl_over_a_vector_reads_as_the_vi_step(declared):
    text = declared + ("1/2 Σ_j (σ_j^2 + μ_j^2 - 1 - log σ_j^2) = "
                       "-1/2 Σ_{j=1}^{J} (1 + log σ_j^2 - μ[j]^2 - σ_j^2)\n")
    ds, errs = note(text)
    (v,) = vi(KW_VI.format(body="1 + log(σ[j]^2) - μ[j]^2 - σ[j]^2"))
    assert errs == [] and pair(ds[0].steps[0]) == pair(v.steps[0])
    assert set(ds[0].context.indexed) == set(v.context.indexed) != set()
    assert verdicts(ds)[0] is verdicts([v])[0] is Status.PROVED


def test_a_wrong_sign_inside_the_sum_over_a_vector_is_failed_as_in_vi():
    text = VECTORS + "1/2 Σ_j (σ_j^2 + μ_j^2 - 1 - log σ_j^2) = -1/2 Σ_j (1 - log σ_j^2 - μ_j^2 - σ_j^2)\n"
    (v,) = vi(KW_VI.format(body="1 - log(σ[j]^2) - μ[j]^2 - σ[j]^2"))
    ds, errs = note(text)
    assert errs == [] and pair(ds[0].steps[0]) == pair(v.steps[0])
    assert verdicts(ds)[0] is verdicts([v])[0] is Status.FAILED


@pytest.mark.parametrize("text, words", [
    ("latent: z[1..J]", "a note declares vectors of parameters only"),
    ("parameters: m\npositive: s[1..m]", "the length m of the vector s[1..m] must be a whole number or a count"),
    ("μ_j = 1", "μ_j stands only inside a sum over j"),
    ("positive: s[1..]", "a vector is declared as s[1..d]"),
])
def test_a_vector_that_cannot_be_read_says_why(text, words):
    msgs = skipped("log p(x) = log p(x)\n" + text + "\n")
    assert words in msgs[max(msgs)]


# ---------------------------------------------------------------------------- scope and import

def test_a_normal_definition_ends_when_its_variable_is_no_longer_latent():
    text = ("q(z) = N(z; m, s^2)\nE_q[(z - m)^2] = s^2\n\nmean-field: q(z1,z2) = q(z1)q(z2)\n"
            "E_{-z1}[log p(x,z1,z2)] = E_q(z2)[log p(x,z1,z2)]\n")
    ds, errs = note(text)
    assert errs == [] and "the definition of q ends here" in skipped(text)[4]
    assert verdicts(ds) == [Status.PROVED, Status.PROVED]


IMPORTED = """q(z) = N(z; m, s^2)
E_q[(z-m)^2] = s^2

E_q[(z-m)^2] = s

positive: N
iid: X = x[1..N]
log p(X|z) = Σ_n log p(x_n|z)

log p(X) = Σ_n log p(x_n)

parameters: μ[1..J]
positive: σ[1..J]
Σ_j (σ_j^2 + μ_j^2 - 1 - log σ_j^2) = -Σ_{j=1}^{J} (1 + log σ_j^2 - μ_j^2 - σ_j^2)

mean-field: q(z1,z2) = q(z1)q(z2)
E_{-z1}[log p(x,z1,z2)] = E_q(z1)[log p(x,z1,z2)]
"""


def test_the_vi_transcription_of_the_new_notation_checks_the_same():
    from vi_sym.checker import check_derivations as run
    from vi_sym.frontends.transcribe import transcribe
    ds, errs = note(IMPORTED)
    assert errs == []
    results = run(ds, SETTINGS).results
    text = transcribe(ds, results)
    assert "define q(z) = Normal(z, m, s)" in text and "positive: J σ[1..J]" in text
    assert "iid: X = x[1..N]" in text and "factorised: q(z1)*q(z2)" in text
    back = vi(text)
    assert [pair(s) for d in back for s in d.steps] == [pair(s) for d in ds for s in d.steps]
    assert verdicts(back) == [r.status for r in results] == [Status.PROVED, Status.FAILED, Status.PROVED,
                                                             Status.FAILED, Status.PROVED, Status.FAILED]
