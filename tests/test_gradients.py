"""Gradients in a parameter -- black-box VI's score function (Ranganath et al. 2014) and the
VAE's gradients: ``∇_φ f`` (plain text ``∇_φ``/``grad_φ``, LaTeX ``\\nabla_\\phi``, .vi
``grad_φ``) is the derivative in a declared parameter.  The identities are PROVED by
``derivative_under_integral`` (Leibniz) and ``integral_of_derivative_of_density`` (the score has
mean zero); the slips -- the derivative moved inside onto log p alone, a gradient of something
written free of φ set to zero, a Uniform(0, b) differentiated under the integral -- are never
PROVED, and a gradient in a latent is an input error at its column."""
import pytest
from sympy import Derivative, Integral, Symbol, log

from vi_sym.core import Status
from vi_sym.notation import to_latex, to_unicode, to_vi
from vi_sym.prover import prove_step
from vi_sym.rules import Context, get_rule
from vi_sym.settings import Settings
from vi_sym.vocabulary import Density, Expectation
from conftest import load_as, reasons, statuses_as

SETTINGS = Settings(families=("all",), samples=8, jobs=1, fixes=False)
HEAD = "latent: z\nobserved: x\nparameters: φ\n\n"

RIGHT = [
    "∇_φ E_q(z|φ)[log p(x,z)] = E_q(z|φ)[log(p(x,z)) * ∇_φ log(q(z|φ))]",      # the score function
    "E_q(z|φ)[∇_φ log q(z|φ)] = 0",                                               # its mean is zero
    "grad_φ ELBO(q(z|φ)) = E_q(z|φ)[(log p(x,z) - log q(z|φ)) * grad_φ log q(z|φ)]",   # BBVI's gradient
    "∇_{φ} log q(z|φ) = ∇_φ q(z|φ) / q(z|φ)",                                     # the log-derivative trick
]

WRONG = [
    "∇_φ E_q(z|φ)[log p(x,z)] = E_q(z|φ)[∇_φ log p(x,z)]",         # the derivative of q dropped
    "∇_φ E_q(z|x)[log p(x,z)] = 0",                                 # q written free of φ: not proved zero
    "E_q(z|φ)[∇_φ log q(z|φ)] = 1",
    "grad_φ ELBO(q(z|φ)) = E_q(z|φ)[log p(x,z) * grad_φ log q(z|φ)]",   # the entropy's term dropped
    "∇_φ E_q(z|φ)[log p(x,z)] = ∇_φ log E_q(z|φ)[p(x,z)]",
]


@pytest.mark.parametrize("row", RIGHT)
def test_the_score_function_identities_are_proved(row):
    assert statuses_as(HEAD + row + "\n", SETTINGS, "n.txt") == [Status.PROVED]


@pytest.mark.parametrize("row", WRONG)
def test_a_wrong_gradient_is_never_proved(row):
    statuses = statuses_as(HEAD + row + "\n", SETTINGS, "n.txt")     # with a second reading, both
    assert statuses and all(s in (Status.UNKNOWN, Status.FAILED) for s in statuses)


def test_latex_gradients_read_as_text_ones_do():
    text = ("<!-- vi_sym: parameters: \\phi -->\n\n"
            "$$ \\nabla_\\phi \\mathbb{E}_{q_\\phi(z)}[\\log p(x, z)] = "
            "\\mathbb{E}_{q_\\phi(z)}[\\log p(x, z)\\, \\nabla_\\phi \\log q_\\phi(z)] $$\n\n"
            "$$ \\mathbb{E}_{q_\\phi(z)}[\\nabla_{\\phi} \\log q_\\phi(z)] = 0 $$\n")
    assert statuses_as(text, SETTINGS) == [Status.PROVED, Status.PROVED]


@pytest.mark.parametrize("text, name, col", [
    (HEAD + "∇_z log p(x,z) = 0\n", "n.txt", None),
    ("$$ \\nabla_z \\log p(x, z) = 0 $$\n", "n.md", 11),
])
def test_a_gradient_in_a_random_variable_is_an_error_at_its_column(text, name, col):
    ds, errors = load_as(text, name)
    said = " ".join(reasons(ds, errors))
    assert "'z' is a random variable" in said and not [s for d in ds for s in d.steps]
    if col is not None:
        assert f"column {col}" in said


def test_a_gradient_has_no_model_family_and_the_summary_says_so():
    from vi_sym.checker import check_derivations
    from conftest import read_as
    [res] = check_derivations(read_as(HEAD + RIGHT[0] + "\n", "n.txt"), SETTINGS).results
    assert res.families == [] and "gradient" in res.untested


# --------------------------------------------------------------------------- defined densities
def test_a_defined_density_is_differentiated_after_its_moment():
    vi = ("derivation d\nlatent: z\nparameters: m\npositive: s\ndefine q(z) = Normal(z, m, s)\n\n"
          "    grad_m E_q(z)[z^2]\n  = 2*m\n")
    assert statuses_as(vi, SETTINGS, "d.vi") == [Status.PROVED]


@pytest.mark.parametrize("value, proved", [("1/2", True), ("-1/2", False), ("0", False)])
def test_a_support_that_moves_with_the_parameter_is_not_differentiated_under_the_integral(value, proved):
    # d/db E_Uniform(0,b)[z] = d/db (b/2) = 1/2; under the integral (the boundary term lost) it is -1/2
    vi = ("derivation d\nlatent: z\npositive: b\ndefine q(z) = Uniform(z, 0, b)\n\n"
          f"    grad_b E_q(z)[z]\n  = {value}\n")
    assert (statuses_as(vi, SETTINGS, "d.vi") == [Status.PROVED]) is proved


# --------------------------------------------------------------------------- the rules and the printers
z, x, phi, th = Symbol("z"), Symbol("x"), Symbol("φ", real=True), Symbol("θ", real=True)
CTX = Context((z,), domains=(("φ", "real"), ("θ", "real")), observed=(x,))
Q = Density("q", [z], [phi])


def test_a_density_depends_on_the_parameters_it_names():
    rule = get_rule("derivative_under_integral")
    lik = Density("p", [x], [z, th])
    assert rule.rewrite(Derivative(log(Q) + log(lik), phi), CTX) == Derivative(Q, phi) / Q
    # an operand in which no density names φ is left alone (a q_φ written q(z|x))
    implicit = Derivative(Integral(Density("q", [z], [x]) * log(Density("p", [x, z])), z), phi)
    assert rule.rewrite(implicit, CTX) == implicit
    # a latent is not a parameter
    assert rule.rewrite(Derivative(log(Q), z), CTX) == Derivative(log(Q), z)


def test_the_integral_of_the_derivative_of_a_normalised_density_is_zero_and_of_p_x_given_z_not():
    rule = get_rule("integral_of_derivative_of_density")
    assert rule.rewrite(Integral(Derivative(Q, phi), z), CTX) == 0
    lik = Density("p", [x], [z, phi])
    assert rule.rewrite(Integral(Derivative(lik, phi), z), CTX) != 0


def test_score_mean_needs_the_rule():
    lhs = Expectation(Q, Derivative(log(Q), phi))
    assert prove_step(lhs, "=", 0, [get_rule("derivative_under_integral"),
                                     get_rule("integral_of_derivative_of_density")], CTX).proved
    assert not prove_step(lhs, "=", 0, [get_rule("derivative_under_integral")], CTX).proved or \
        prove_step(lhs, "=", 0, [get_rule("derivative_under_integral")], CTX).uncited


def test_gradients_print_in_each_notation_and_the_vi_form_reads_back():
    e = Derivative(Expectation(Q, log(Density("p", [x, z]))), phi)
    assert to_unicode(e) == "∇_φ E_q(z|φ)[log p(x,z)]"
    assert to_latex(e).startswith(r"\nabla_{φ}") or to_latex(e).startswith(r"\nabla_{\phi}")
    vi = to_vi(e)
    text = f"derivation d\nlatent: z\nobserved: x\nparameters: φ\n\n    {vi}\n  = {vi}\n"
    ds, errors = load_as(text, "d.vi")
    assert not errors and ds[0].steps[0].lhs == e


REPARAM = ("derivation d\nlatent: z ε\nparameters: m\npositive: s\nfunctions: f\n"
           "define q(z) = Normal(z, m, s)\ndefine r(ε) = Normal(ε, 0, 1)\n\n"
           "    grad_m E_q(z)[f(z)]\n  = grad_m E_r(ε)[f(m + s*ε)]     by change_of_variables\n"
           "  = E_r(ε)[{rhs}]     by derivative_under_integral\n")


@pytest.mark.parametrize("rhs, proved", [
    ("grad_m f(m + s*ε)", True),         # the VAE's reparameterisation gradient
    ("grad_m f(m + ε)", False),
    ("s * grad_m f(m + s*ε)", False),
])
def test_the_reparameterisation_gradient_is_proved_and_its_slips_are_not(rhs, proved):
    statuses = statuses_as(REPARAM.format(rhs=rhs), SETTINGS, "d.vi")
    assert statuses[0] == Status.PROVED
    assert (statuses[1] == Status.PROVED) is proved


def test_a_uniform_whose_support_moves_is_not_differentiated_under_its_integral():
    # ∇_b E_Uniform(0,b)[f] = f(b)/b − E[f]/b: under the integral the boundary term f(b)/b is lost
    vi = ("derivation d\nlatent: z\npositive: b\nfunctions: f\ndefine q(z) = Uniform(z, 0, b)\n\n"
          "    grad_b E_q(z)[f(z)]\n  = -E_q(z)[f(z)]/b\n")
    assert statuses_as(vi, SETTINGS, "d.vi") != [Status.PROVED]


@pytest.mark.parametrize("edge", ["Piecewise", "limit"])
def test_the_rule_declines_where_a_support_or_a_limit_moves(edge):
    from sympy import Piecewise
    b = Symbol("b", positive=True)
    ctx = Context((z,), domains=(("b", "positive"),))
    body = Integral(Piecewise((1 / b, z < b), (0, True)) * z, z) if edge == "Piecewise" else Integral(z / b, (z, 0, b))
    e = Derivative(body, b)
    assert get_rule("derivative_under_integral").rewrite(e, ctx) == e


# --------------------------------------------------------------------------- a VAE note in plain text
VAE_TXT = ("latent: z\nobserved: x\nparameters: θ φ\n\n"
           "log p_θ(x) = ELBO + KL(q_φ(z|x) || p_θ(z|x))\n"
           "∇_φ E_q_φ(z|x)[log p_θ(x|z)] = E_q_φ(z|x)[log(p_θ(x|z)) * ∇_φ log(q_φ(z|x))]\n")


def test_a_plain_text_vae_note_reads_subscripted_densities_and_the_bare_bound():
    from conftest import read_as
    steps = [s for d in read_as(VAE_TXT, "n.txt") for s in d.steps]
    first = to_unicode(steps[0].lhs) + " = " + to_unicode(steps[0].rhs)
    assert first.startswith("log p(x|θ) = ELBO(q(z|x,φ), p(x,z|θ))"), first
    assert statuses_as(VAE_TXT, SETTINGS, "n.txt")[:2] == [Status.PROVED, Status.PROVED]


@pytest.mark.parametrize("row, said", [
    ("log p_β(x) = log p_β(x)", "'β' is not a declared parameter"),    # not declared
])
def test_a_subscript_that_is_no_parameter_is_an_error_that_says_what_to_declare(row, said):
    ds, errors = load_as("latent: z\nobserved: x\nparameters: θ\n\n" + row + "\n", "n.txt")
    assert said in " ".join(reasons(ds, errors)) and not [s for d in ds for s in d.steps]


def test_the_bound_of_the_wrong_q_is_not_proved():
    text = ("latent: z\nobserved: x\nparameters: θ φ\n\n"
            "log p_θ(x) = ELBO + KL(q_φ(z|x) || p_θ(z))\n")
    assert statuses_as(text, SETTINGS, "n.txt") != [Status.PROVED]
