"""Every rule: a use that proves, and misuses that must not prove.

The prover may only say PROVED when lhs - rhs reduces to 0 by valid rewrites, so
each misuse below is a step that is false in general; if any of them proves,
a rule (or the normal form) is unsound.
"""
import pytest
import sympy
from sympy import Integral, Symbol, log

from vi_sym.prover import prove_step
from vi_sym.describe import example_step
from vi_sym.operators import ArgMax, ArgMin, ExpectationExcept
from vi_sym.rules import RULES, Context, UnknownRule, get_rule
from vi_sym.vocabulary import ELBO, KL, Density, Entropy, Expectation

from conftest import CTX, evidence, joint, likelihood, posterior, prior, q, x, z

w = Symbol("w")           # a real quantity of unknown sign
y = Symbol("y", positive=True)
f_z = sympy.Function("f")(z)  # a function of the latent of unknown sign
v = Symbol("v", real=True)    # a declared real parameter
u = Symbol("u")
MEAN_FIELD = Context((z, u), factors=(q, Density("q", [u])))
COPIES = Context((z, u), copies=((z, u),))
_PHI = Symbol("φ", real=True)
_Q_PHI = Density("q", [z], [_PHI])
_THETA = Symbol("θ", real=True)
_FIXED_PRIOR = Context((z,), domains=(("θ", "real"),), fixed=(Density("p", [z]),))
_E_U = Expectation(Density("q", [u]), log(Density("p", [u, x, z])))   # E_q(u)[log p(x, z, u)]


def proves(lhs, rel, rhs, *rules):
    return prove_step(lhs, rel, rhs, [get_rule(r) for r in rules], CTX).proved


def proves_cited_only(lhs, rel, rhs, *rules, ctx=CTX):
    """Proved without needing any rule the step did not cite."""
    pf = prove_step(lhs, rel, rhs, [get_rule(r) for r in rules], ctx)
    return pf.proved and not pf.uncited


# ------------------------------------------------------------------ uses that prove
USES = {
    "bayes_rule": (Integral(q * log(q / posterior), z), "=",
                   Integral(q * log(q * evidence / (likelihood * prior)), z)),
    "product_rule": (joint, "=", likelihood * prior),
    "marginalisation": (Integral(joint, z), "=", evidence),
    "normalisation": (Integral(q, z), "=", 1),
    "constant_out": (Integral(q * log(evidence), z), "=", log(evidence) * Integral(q, z)),
    "linearity": (Integral(q * log(prior) + q * log(likelihood), z), "=",
                  Integral(q * log(prior), z) + Integral(q * log(likelihood), z)),
    "log_of_product": (log(likelihood * prior), "=", log(likelihood) + log(prior)),
    "log_of_quotient": (log(q / prior), "=", log(q) - log(prior)),
    "log_of_power": (log(prior ** 3), "=", 3 * log(prior)),
    "kl_definition": (KL(q, posterior), "=", Integral(q * log(q / posterior), z)),
    "expectation_definition": (Expectation(q, log(likelihood)), "=", Integral(q * log(likelihood), z)),
    "elbo_definition": (ELBO(q, joint), "=", Expectation(q, log(joint / q))),
    "entropy_definition": (Entropy(q), "=", -Integral(q * log(q), z)),
    "jensen": (log(Expectation(q, likelihood * prior / q)), ">=", Expectation(q, log(likelihood * prior / q))),
    "kl_nonnegative": (KL(q, posterior), ">=", 0),
    "integral_integral_swap": (Integral(q * Density("r", [w]) * log(Density("p", [x], [z, w])), w, z), "=",
                               Integral(q * Density("r", [w]) * log(Density("p", [x], [z, w])), z, w)),
    "density_argument_order": (Density("p", [z, x]), "=", joint),
    "log_of_exp": (log(sympy.exp(Integral(q * log(prior), z))), "=", Integral(q * log(prior), z)),
    "nonnegative_quotient": (y + v ** 2 / y, ">=", y),
    # rules whose statement needs a header (a 4th entry: the context)
    "argmin_definition": (ArgMin(Integral(q * log(q / prior), z), "q"), "=",
                          ArgMax(-Integral(q * log(q / prior), z), "q")),
    "argmax_of_shifted": (ArgMax(Integral(q * log(prior), z) + log(evidence), "q"), "=",
                          ArgMax(Integral(q * log(prior), z), "q")),
    "log_of_mean_ge_mean_of_logs": (log((likelihood + prior) / 2), ">=",
                                    (log(likelihood) + log(prior)) / 2),
    "expectation_except_definition": (ExpectationExcept(z, log(Density("p", [x, z, u]))), "=",
                                      Expectation(Density("q", [u]), log(Density("p", [x, z, u]))),
                                      MEAN_FIELD),
    # the score function: ∇_φ E_q(z|φ)[log p(x,z)] = E_q(z|φ)[log p(x,z) ∇_φ log q(z|φ)]
    "derivative_under_integral": (sympy.Derivative(Integral(_Q_PHI * log(joint), z), _PHI), "=",
                                  Integral(_Q_PHI * log(joint) * sympy.Derivative(log(_Q_PHI), _PHI), z),
                                  Context((z,), domains=(("φ", "real"),))),
    "integral_of_derivative_of_density": (Integral(sympy.Derivative(_Q_PHI, _PHI), z), "=", 0,
                                          Context((z,), domains=(("φ", "real"),))),
    # log q*(z) for the factor over z, the factor over u held fixed (PRML (10.9)), exactly
    "optimal_factor": (log(Density("q_star", [z])), "=",
                       _E_U - log(Integral(sympy.exp(_E_U), z)),
                       Context((z, u), factors=(q, Density("q", [u])), observed=(x,))),
    # the VAE's prior N(0, I), written p(z) beside p(x|z, θ): the model's prior at θ is it
    "prior_free_of_parameters": (Integral(q * log(Density("p", [z], [_THETA])), z), "=",
                                 Integral(q * log(prior), z), _FIXED_PRIOR),
    "rename_bound_variable": (Integral(q * log(q), z), "=",
                              Integral(Density("q", [u]) * log(Density("q", [u])), u), COPIES),
    # on densities bound by define: the rule's own example, read by the .vi grammar
    "change_of_variables": (lambda st: (st.lhs, "=", st.rhs, st.context))(
        example_step("change_of_variables")),
    "iid_factorisation": (lambda st: (st.lhs, "=", st.rhs, st.context))(example_step("iid_factorisation")),
    "sum_integral_swap": (lambda st: (st.lhs, "=", st.rhs, st.context))(example_step("sum_integral_swap")),
    "kl_of_product": (lambda st: (st.lhs, "=", st.rhs, st.context))(example_step("kl_of_product")),
    "entropy_of_product": (lambda st: (st.lhs, "=", st.rhs, st.context))(example_step("entropy_of_product")),
    "expectation_of_sum_over_product": (lambda st: (st.lhs, "=", st.rhs, st.context))(
        example_step("expectation_of_sum_over_product")),
}


def test_every_rule_has_a_use():
    assert set(USES) == set(RULES)


@pytest.mark.parametrize("name", sorted(USES))
def test_rule_proves_its_own_statement_citing_only_itself(name):
    lhs, rel, rhs, *ctx = USES[name]
    assert proves_cited_only(lhs, rel, rhs, name, ctx=ctx[0] if ctx else CTX)


@pytest.mark.parametrize("name", sorted(n for n in USES if RULES[n].kind == "equality"
                                        and not RULES[n].definition))
def test_equality_rule_is_needed(name):
    """Without the rule (and without fallback) its statement is not provable:
    the rule is what proves it, not background algebra."""
    from vi_sym.prover import prove_equal
    from vi_sym.rules import EQUALITY_RULES
    lhs, _, rhs, *ctx = USES[name]
    # log(a/b) is also log(a) + log(b^-1) = log(a) - log(b) by the product and power rules
    overlap = {"log_of_quotient": {"log_of_product", "log_of_power"}}.get(name, set())
    others = [r for r in EQUALITY_RULES if r.name != name and r.name not in overlap]
    assert not prove_equal(lhs, rhs, others, ctx[0] if ctx else CTX).proved


# ------------------------------------------------------------------ misuses
MISUSES = [
    # signs: a square minus a number, an odd power of a real parameter, a density
    ("a square is not above a positive number", v ** 2, ">=", y),
    ("an odd power of a real parameter has no sign", v ** 3 / y, ">=", 0),
    ("a density times a square is not above the density", prior * v ** 2, ">=", prior),
    # wrong conditioning
    ("bayes: evidence and prior swapped", posterior, "=", likelihood * evidence / prior),
    ("bayes: prior missing", posterior, "=", likelihood / evidence),
    ("bayes: posterior for likelihood", likelihood, "=", posterior * prior / evidence),
    ("product rule with the posterior and the prior", joint, "=", posterior * prior),
    ("product rule with the likelihood and the evidence", joint, "=", likelihood * evidence),
    ("KL against the prior is not KL against the posterior", KL(q, prior), "=", KL(q, posterior)),
    # marginalisation / normalisation
    ("likelihood integrated over z is not the evidence", Integral(likelihood, z), "=", evidence),
    ("the joint integrated over z is not the prior", Integral(joint, z), "=", prior),
    ("likelihood is not normalised in z", Integral(likelihood, z), "=", 1),
    ("the joint is not normalised in z", Integral(joint, z), "=", 1),
    ("q over a sub-range", Integral(q, (z, 0, 1)), "=", 1),
    ("q integrated over the wrong variable", Integral(q, x), "=", 1),
    # constant out
    ("a factor that depends on z pulled out", Integral(q * likelihood, z), "=", likelihood),
    ("log q pulled out of its own integral", Integral(q * log(q), z), "=", log(q)),
    # logs
    ("log of a sum split as a sum of logs", log(likelihood + prior), "=", log(likelihood) + log(prior)),
    ("log of a product as a product of logs", log(likelihood * prior), "=", log(likelihood) * log(prior)),
    ("log of a quotient with the wrong sign", log(q / prior), "=", log(prior) - log(q)),
    ("misplaced parenthesis log(a)/b", log(posterior) / q, "=", log(posterior / q)),
    ("log split without positivity", log(w * y), "=", log(w) + log(y)),
    ("power out of a log of unknown sign", log(w ** 2), "=", 2 * log(w)),
    # integrals
    ("integral of a product as a product of integrals", Integral(q * log(prior), z), "=",
     Integral(q, z) * Integral(log(prior), z)),
    ("dropped term", Integral(q * log(prior) + q * log(likelihood), z), "=", Integral(q * log(prior), z)),
    # definitions
    ("KL arguments swapped", KL(q, posterior), "=", Integral(posterior * log(posterior / q), z)),
    ("KL with the wrong sign", KL(q, posterior), "=", Integral(q * log(posterior / q), z)),
    ("KL arguments swapped (objects)", KL(q, posterior), "=", KL(posterior, q)),
    ("entropy with the wrong sign", Entropy(q), "=", Integral(q * log(q), z)),
    ("entropy without the density", Entropy(q), "=", -Integral(log(q), z)),
    ("entropy of q is not the cross-entropy with the prior", Entropy(q), "=", -Integral(q * log(prior), z)),
    ("KL is not the negative entropy", KL(q, prior), "=", -Entropy(q)),
    ("expectation without the density", Expectation(q, log(likelihood)), "=", Integral(log(likelihood), z)),
    ("expectation moved through the log", Expectation(q, log(likelihood)), "=", log(Expectation(q, likelihood))),
    ("ELBO with the prior instead of the joint", ELBO(q, joint), "=", Expectation(q, log(prior / q))),
    ("factor 2", KL(q, posterior), "=", 2 * Integral(q * log(q / posterior), z)),
    ("missing 1/2", log(prior ** 2) / 2, "=", log(prior ** 2)),
    # evidence decomposition mutants
    ("evidence decomposition with KL to the prior", log(evidence), "=", ELBO(q, joint) + KL(q, prior)),
    ("evidence decomposition with the wrong sign", log(evidence), "=", ELBO(q, joint) - KL(q, posterior)),
]


@pytest.mark.parametrize("label,lhs,rel,rhs", MISUSES, ids=[m[0] for m in MISUSES])
def test_misuse_never_proves_even_with_every_rule(label, lhs, rel, rhs):
    assert not proves(lhs, rel, rhs)                       # all rules
    assert not proves(lhs, rel, rhs, *sorted(RULES))       # citing everything


INEQUALITY_MISUSES = [
    ("Jensen in the wrong direction", log(Expectation(q, likelihood * prior / q)), "<=",
     Expectation(q, log(likelihood * prior / q))),
    ("Jensen with sides swapped", Expectation(q, log(likelihood * prior / q)), ">=",
     log(Expectation(q, likelihood * prior / q))),
    ("Jensen for Y of unknown sign", log(Expectation(q, f_z)), ">=", Expectation(q, log(f_z))),
    ("KL <= 0", KL(q, posterior), "<=", 0),
    ("minus KL >= 0", -KL(q, posterior), ">=", 0),
    ("ELBO above the evidence", ELBO(q, joint), ">=", log(evidence)),
    ("evidence below the ELBO", log(evidence), "<=", ELBO(q, joint)),
    ("the note's line 48 as written", log(evidence), ">=",
     Expectation(q, log(likelihood)) - KL(q, posterior)),
    ("an equality claimed from Jensen", log(Expectation(q, likelihood * prior / q)), "=",
     Expectation(q, log(likelihood * prior / q))),
    ("twice the KL below the evidence gap", log(evidence) - ELBO(q, joint), ">=", 2 * KL(q, posterior)),
]


@pytest.mark.parametrize("label,lhs,rel,rhs", INEQUALITY_MISUSES, ids=[m[0] for m in INEQUALITY_MISUSES])
def test_inequality_misuse_never_proves(label, lhs, rel, rhs):
    assert not proves(lhs, rel, rhs, "jensen", "kl_nonnegative")
    assert not proves(lhs, rel, rhs)


def test_evidence_bound_follows_from_kl_nonnegative():
    assert proves(log(evidence), ">=", ELBO(q, joint), "kl_nonnegative")
    assert proves(ELBO(q, joint), "<=", log(evidence), "kl_nonnegative")


def test_jensen_on_the_integral_of_the_joint():
    """log ∫ p(x,z) dz >= E_q[log(p(x,z)/q)]: Jensen read with q inserted."""
    assert proves(log(Integral(joint, z)), ">=", Expectation(q, log(joint / q)), "jensen")


def test_uncited_rules_are_reported():
    pf = prove_step(KL(q, posterior), "=", Integral(q * log(q * evidence / (likelihood * prior)), z),
                    [get_rule("kl_definition")], CTX)
    assert pf.proved and pf.uncited == ("bayes_rule",)


def test_bayes_applies_only_to_model_densities():
    """q(z|x) is a variational density, not a conditional of the model joint."""
    qzx = Density("q", [z], [x])
    lhs = qzx
    rhs = Density("q", [x], [z]) * Density("q", [z]) / Density("q", [x])
    assert not proves(lhs, "=", rhs, "bayes_rule")


def test_unknown_rule_suggests_a_name():
    with pytest.raises(UnknownRule) as err:
        get_rule("bayse_rule")
    assert "bayes_rule" in str(err.value)


def test_aliases_resolve():
    assert get_rule("gibbs_inequality").name == "kl_nonnegative"
    assert get_rule("jensen_log").name == "jensen"


def test_a_sum_of_two_nonnegative_atoms_is_nonnegative_but_a_difference_is_not():
    assert proves(KL(q, posterior) + KL(q, prior), ">=", 0, "kl_nonnegative")
    assert proves(2 * KL(q, posterior), ">=", 0, "kl_nonnegative")
    assert not proves(KL(q, posterior) - KL(q, prior), ">=", 0, "kl_nonnegative")
    assert not proves(KL(q, posterior) + KL(q, prior), "<=", 0, "kl_nonnegative")
    assert not proves(log(evidence), ">=", log(evidence) + KL(q, posterior) + KL(q, prior), "kl_nonnegative")


def test_an_equality_citing_only_an_inequality_rule_names_the_rules_it_needed():
    """``log p(x,z) = log p(x|z) + log p(z)  by jensen``: jensen cannot justify an
    equality, so the proof must list the equality rules it used instead."""
    pf = prove_step(log(joint), "=", log(likelihood) + log(prior), [get_rule("jensen")], CTX)
    assert pf.proved and set(pf.uncited) == {"product_rule", "log_of_product"}
    bare = prove_step(log(joint), "=", log(likelihood) + log(prior), [], CTX)
    assert bare.proved and set(bare.uncited) == {"product_rule", "log_of_product"}


def test_every_definition_is_flagged_and_unfolds_without_citation():
    """Definitions (KL, E, ELBO, H) unfold freely; nothing else does."""
    flagged = {r.name for r in RULES.values() if r.definition}
    assert flagged == {"kl_definition", "expectation_definition", "elbo_definition",
                       "entropy_definition", "density_argument_order", "argmin_definition",
                       "expectation_except_definition"}
    pf = prove_step(Entropy(q), "=", -Integral(q * log(q), z), [], CTX)
    assert pf.proved and pf.uncited == ()


def test_the_integral_of_zero_is_zero():
    """KL(q || q) = 0: the residual ∫ 0 dz must reduce (ring algebra), not stay open."""
    assert proves(KL(q, q), "=", 0, "kl_definition")
    assert not proves(KL(q, prior), "=", 0, "kl_definition")


def test_a_new_rule_is_one_rule_plus_one_registration():
    """A toy rule -- log(exp(a)) = a written as a user's lemma -- registered, cited and
    used by the prover; without the registration it is unknown, after removal too."""
    from vi_sym.rules import Rule, register_rule, unregister_rule
    from vi_sym.rules.base import rewrite_everywhere

    def twice_rewrite(expr, ctx):
        """toy: 2*log(a) -> log(a^2) (folds a doubled log)"""
        return rewrite_everywhere(
            expr, lambda e: e.is_Mul and e.args[0] == 2 and isinstance(e.args[1], sympy.log),
            lambda e: sympy.log(e.args[1].args[0] ** 2, evaluate=False))

    toy = Rule("toy_double_log", "equality", "2 log a = log a²", ("a > 0",), twice_rewrite)
    with pytest.raises(UnknownRule):
        get_rule("toy_double_log")
    register_rule(toy, aliases=("toy_alias",))
    try:
        assert get_rule("toy_alias") is toy and RULES["toy_double_log"] is toy
        pf = prove_step(2 * log(q), "=", log(q ** 2, evaluate=False),
                        [get_rule("toy_double_log")], CTX)
        assert pf.proved and "toy_double_log" in pf.rules_used
        with pytest.raises(ValueError):
            register_rule(toy)
    finally:
        unregister_rule("toy_double_log")
    with pytest.raises(UnknownRule):
        get_rule("toy_alias")


def test_the_log_of_a_sum_over_a_common_denominator_splits_off_the_denominator():
    """log(a/2 + b/2) = log(a + b) − log 2 (the average of an importance-weighted bound): the sum
    is put over one denominator first; the sum itself is never split, and the denominator must be
    the one the sum has."""
    b = Symbol("b", positive=True)
    assert proves(log(y / 2 + b / 2), "=", log(y + b) - log(2), "log_of_quotient")
    assert proves(log(y / 3 + b / 6), "=", log(2 * y + b) - log(6), "log_of_quotient")
    assert not proves(log(y / 2 + b / 2), "=", log(y + b) - log(3))
    assert not proves(log(y / 2 + b / 2), "=", (log(y) + log(b)) / 2)
    assert not proves(log(y / 2 + b / 2), "=", log(y) + log(b) - log(2))
    assert not proves(log(w / 2 + b / 2), "=", log(w + b) - log(2), "log_of_quotient")   # w + b of unknown sign
