"""A const in the variational density of one latent, ``+ const(q(z))``: "a term that does not
depend on the choice of q".  The one-latent families test it by comparing lhs − rhs with the
same difference where q is replaced by the posterior p(z|x), so a wrong one is FAILED with a
counterexample (it was UNKNOWN: no family could evaluate a const in q)."""
from sympy import Symbol

from vi_sym.core import Status
from vi_sym.frontends import load_text
from vi_sym.frontends.note import read_note
from vi_sym.scheduler import check_derivations
from vi_sym.settings import Settings
from vi_sym.upto import spot_form_one
from vi_sym.vocabulary import KL, Const, Density, Expectation

z, x = Symbol("z"), Symbol("x")
q, post, prior = Density("q", [z]), Density("p", [z], [x]), Density("p", [z])

TEXT = """
derivation right
latent: z
observed: x

    ELBO(q(z), p(x,z))
  = -KL(q(z) || p(z|x)) + const(q(z))     by elbo_definition, kl_definition, bayes_rule, product_rule, log_of_quotient, log_of_product, linearity, constant_out, normalisation

derivation entropy_dropped
latent: z
observed: x

    ELBO(q(z), p(x,z))
  = E_q(z)[log(p(x,z))] + const(q(z))     by elbo_definition, log_of_quotient, linearity

derivation kl_sign
latent: z
observed: x

    ELBO(q(z), p(x,z))
  = KL(q(z) || p(z|x)) + const(q(z))     by elbo_definition, kl_definition, bayes_rule, log_of_quotient, linearity, normalisation

derivation amortised
latent: z
observed: x

    ELBO(q(z|x), p(x,z))
  = -KL(q(z|x) || p(z|x)) + const(q(z|x))   by elbo_definition, kl_definition, bayes_rule, product_rule, log_of_quotient, log_of_product, linearity, constant_out, normalisation

derivation amortised_prior
latent: z
observed: x

    ELBO(q(z|x), p(x,z))
  = -KL(q(z|x) || p(z)) + const(q(z|x))     by elbo_definition, kl_definition, log_of_quotient, linearity
"""


def _check(families=("normal-normal", "beta-bernoulli")):
    derivs, errors = load_text(TEXT, "c.vi")
    assert not errors
    report = check_derivations(derivs, Settings(families=families, samples=10, jobs=1, fixes=False))
    return {r.step_id.split("::")[0]: r for r in report.results}


def test_a_true_const_in_q_is_proved_and_spot_checked_not_left_untested():
    res = _check()
    for name in ("right", "amortised"):
        assert res[name].status == Status.PROVED
        assert [f["status"] for f in res[name].families] == ["SPOT-CHECKED", "SPOT-CHECKED"]


def test_a_term_that_depends_on_q_hidden_in_a_const_is_failed_with_the_dependence_shown():
    res = _check()
    for name in ("entropy_dropped", "kl_sign", "amortised_prior"):
        r = res[name]
        assert r.status == Status.FAILED, name
        assert {f["status"] for f in r.families} == {"FAILED"}
        meaning = r.families[0]["counterexample"]["meaning"]
        assert "replaced by the posterior p(z|x)" in meaning and "not a const(q(z" in meaning


def test_the_form_compares_the_difference_with_q_replaced_by_the_posterior():
    form = spot_form_one(Expectation(q, Symbol("y")) + KL(q, post), x, "=")   # no const: plain
    assert form.kind == "plain"
    lhs, rhs = -KL(q, post) + Const(q), -KL(q, prior)
    form = spot_form_one(rhs, lhs, "=")
    assert form.kind == "factor" and form.target == q
    assert form.lhs == -KL(q, prior) + KL(q, post)
    assert not form.rhs.has(q) and form.rhs == -KL(post, prior) + KL(post, post)


def test_a_const_in_another_density_stays_unevaluated():
    form = spot_form_one(-KL(q, prior), -KL(q, post) + Const(prior), "=")
    assert form.kind == "plain" and form.rhs.has(Const)


def test_a_note_that_drops_a_term_depending_on_q_into_its_const_is_failed():
    derivs, errors = load_text("ELBO(q) = -KL(q || p(z|x)) + const\nELBO(q) = -KL(q || p(z)) + const\n",
                               "e.txt", read_note)
    assert not errors
    report = check_derivations(derivs, Settings(families=("normal-normal",), samples=10, jobs=1,
                                                fixes=False))
    assert [r.status for r in report.results] == [Status.PROVED, Status.FAILED]


def test_a_const_in_the_latent_says_it_compared_the_difference_with_its_average():
    derivs, errors = load_text("latent: z\nlog p(z | x) = log p(x | z) + const(z)\n", "c.txt", read_note)
    assert not errors
    report = check_derivations(derivs, Settings(families=("normal-normal",), samples=10, jobs=1,
                                                fixes=False))
    [r] = report.results
    assert r.status == Status.FAILED        # the prior log p(z) is no constant in z
    assert "its average over q(z)" in r.families[0]["counterexample"]["meaning"]
