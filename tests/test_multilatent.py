"""Several latents, mean field, declared parameters and ``const``: uses that prove, and
misuses that must not (each misuse is false in general; proving it would be a lie)."""
import pytest
import sympy
from sympy import Integral, Symbol, exp, log, oo

from vi_sym.prover import prove_step
from vi_sym.rules import Context, get_rule
from vi_sym.upto import free_of
from vi_sym.vocabulary import ELBO, KL, Const, Density, Entropy, Expectation, VocabularyError

x, z1, z2 = sympy.symbols("x z1 z2")
th, th0 = Symbol("θ", real=True), Symbol("θ0", real=True)
CTX = Context((z1, z2), domains=(("θ", "real"), ("θ0", "real")))


def p(vars, given=()):
    return Density("p", vars, given)


q1, q2, q12 = Density("q", [z1]), Density("q", [z2]), Density("q", [z1, z2])
r1, r2 = Density("r", [z1]), Density("r", [z2])
joint = p([x, z1, z2])
E = Expectation


def proves(lhs, rel, rhs, *rules):
    return prove_step(lhs, rel, rhs, [get_rule(r) for r in rules], CTX).proved


USES = [
    ("entropy split", Entropy(q1 * q2), "=", Entropy(q1) + Entropy(q2)),
    ("kl split", KL(q1 * q2, r1 * r2), "=", KL(q1, r1) + KL(q2, r2)),
    ("evidence bound, two latents", log(p([x])), ">=", ELBO(q1 * q2, joint)),
    ("evidence decomposition", log(p([x])), "=", ELBO(q1 * q2, joint) + KL(q1 * q2, p([z1, z2], [x]))),
    ("conditional posterior", log(p([z1], [z2, x])), "=",
     log(p([x], [z1, z2])) + log(p([z1, z2])) - log(p([x], [z2])) - log(p([z2]))),
    ("marginalise one latent", Integral(joint, z2), "=", p([x, z1])),
    ("chain of conditionals", Integral(p([x], [z1, z2]) * p([z2], [z1]), z2), "=", p([x], [z1])),
    ("tower rule", E(q12, log(p([x], [z1, z2]))), "=",
     E(q1, E(Density("q", [z2], [z1]), log(p([x], [z1, z2]))))),
    ("order swap", Integral(q1 * q2 * log(p([x], [z1, z2])), z2, z1), "=",
     Integral(q1 * q2 * log(p([x], [z1, z2])), z1, z2)),
    ("argument order", p([z2, z1], [x]), "=", p([z1, z2], [x])),
    ("EM decomposition", log(p([x], [th])), "=",
     ELBO(Density("q", [z1]), p([x, z1], [th])) + KL(Density("q", [z1]), p([z1], [x, th]))),
    ("E-step is tight", ELBO(p([z1], [x, th0]), p([x, z1], [th0])), "=", log(p([x], [th0]))),
    ("up to a const in z1", log(p([z1], [z2, x])), "=", log(joint) + Const(z1)),
    ("up to a const in q(z1)", ELBO(q1 * q2, joint), "=",
     -E(q1, log(q1 / exp(E(q2, log(joint))))) + Const(q1)),
    ("proportional in z1", p([z1], [z2, x]), "=", joint * Const(z1)),
]


@pytest.mark.parametrize("name,lhs,rel,rhs", USES, ids=[u[0] for u in USES])
def test_use_proves(name, lhs, rel, rhs):
    assert proves(lhs, rel, rhs)


MISUSES = [
    # a const that depends on z1 / a dropped const / the wrong target
    ("const depends on z1", log(p([z1], [z2, x])), "=", log(p([x], [z1, z2])) + Const(z1)),
    ("const in the wrong latent", log(p([z1], [z2, x])), "=", log(joint) + Const(z2)),
    ("dropped const", log(p([z1], [z2, x])), "=", log(joint)),
    ("const vanishes along the chain", log(p([z1], [z2, x])) + Const(z1), "=", log(joint)),
    ("const changes target along the chain", log(p([z1], [z2, x])) + Const(z1), "=", log(joint) + Const(z2)),
    ("const inside a log", log(p([z1], [z2, x])), "=", log(joint * (1 + Const(z1)))),
    ("const times a term", log(p([z1], [z2, x])), "=", log(joint) + Const(z1) * log(q1)),
    ("const in an inequality", log(p([x])), ">=", ELBO(q1 * q2, joint) + Const(z1)),
    ("entropy dropped from the functional", ELBO(q1 * q2, joint), "=", E(q1, E(q2, log(joint))) + Const(q1)),
    ("the rest depends on the other factor", ELBO(q1 * q2, joint), "=",
     -E(q1, log(q1 / exp(E(q2, log(joint))))) + Const(q2)),
    ("proportional to the wrong factor", p([z1], [z2, x]), "=", p([x], [z1, z2]) * Const(z2)),
    # Fubini on a non-product domain (a triangle) and a product of integrals
    ("fubini on a triangle", Integral(q1 * q2, (z1, 0, z2), (z2, 0, oo)), "=",
     Integral(q1 * q2, (z2, z1, oo), (z1, 0, oo))),
    ("double integral is not a product", Integral(q1 * p([z2], [z1]), z1, z2), "=",
     Integral(q1, z1) * Integral(p([z2], [z1]), z2) * Integral(p([z2], [z1]), z1)),
    ("swap captures a variable", Integral(p([z2], [z1]) * Integral(q1 * q2, z2), z1), "=",
     Integral(p([z2], [z1]) * q1 * q2, z1, z2)),
    # Bayes on a parameter
    ("bayes treats θ as random", p([z1], [x, th]), "=", p([x, th], [z1]) * p([z1]) / p([x, th])),
    ("posterior of a parameter", p([x], [z1, th]), "=", p([z1, th], [x]) * p([x]) / p([z1, th])),
    ("θ dropped from the prior", p([z1], [x, th]), "=", p([x], [z1, th]) * p([z1]) / p([x], [th])),
    ("old and new θ confused", ELBO(p([z1], [x, th0]), p([x, z1], [th])), "=", log(p([x], [th]))),
    # swapped factors, reversed KL, mean field is not the joint
    ("swapped factor", KL(q1 * q2, r1 * r2), "=", KL(q1, r1) + KL(q2, Density("r", [z2], [z1]))),
    ("reversed KL", KL(q1 * q2, r1 * r2), "=", KL(r1, q1) + KL(q2, r2)),
    ("entropy sign", Entropy(q1 * q2), "=", Entropy(q1) - Entropy(q2)),
    ("mean field is not the joint", q12, "=", q1 * q2),
    ("prior does not factorise", p([z1, z2]), "=", p([z1]) * p([z2])),
    ("marginal KL is not the bound", log(p([x])), ">=", ELBO(q1 * q2, joint) + KL(q1, p([z1], [x]))),
    ("tower with the wrong conditional", E(q12, log(p([x], [z1, z2]))), "=",
     E(q1, E(q2, log(p([x], [z1, z2]))))),
]


@pytest.mark.parametrize("name,lhs,rel,rhs", MISUSES, ids=[m[0] for m in MISUSES])
def test_misuse_does_not_prove(name, lhs, rel, rhs):
    assert not proves(lhs, rel, rhs)


def test_products_that_are_not_densities_are_refused():
    with pytest.raises(VocabularyError):
        KL(q1 * q1, r1 * r2)
    with pytest.raises(VocabularyError):
        Entropy(Density("q", [z1], [z2]) * Density("q", [z2], [z1]))
    with pytest.raises(VocabularyError):
        KL(q1 * q2, r1)
    with pytest.raises(VocabularyError):
        Const(2 * x)


def test_free_of_sees_bound_and_free_variables():
    assert free_of(Integral(q1 * log(p([x], [z1])), z1), [z1])
    assert not free_of(q1 * Integral(q2, z2), [z1])
    assert not free_of(Integral(q1 * log(p([x], [z1, z2])), z1), [z2])
    assert not free_of(Integral(Density("q", [z2], [z1]), z2), [q1])
    assert free_of(Integral(q2 * log(q2), z2), [q1])


def test_up_to_const_step_reports_why():
    pf = prove_step(log(p([z1], [z2, x])), "=", log(joint) + Const(z1), [get_rule("bayes_rule")], CTX)
    assert pf.proved and "free of z1" in pf.atom
    bad = prove_step(log(joint) + Const(z1), "=", log(joint), [], CTX)
    assert not bad.proved and "must keep a const" in str(bad.residual)



def test_a_const_in_a_variable_no_side_depends_on_is_flagged():
    """``E_q(z2)[f] = E_q(z2)[f] + 5 + const(z2)`` is true for any f (z2 is integrated out on both
    sides, so every difference is "free of z2"): the proof says so and names the latent the
    sides do depend on; a const in that latent, or in a density, is not flagged."""
    f = E(q2, log(joint))
    pf = prove_step(f, "=", f + 5 + Const(z2), [get_rule("linearity")], CTX)
    assert pf.proved and "neither side depends on z2" in pf.atom and "const(z1)?" in pf.atom
    live = prove_step(f, "=", f + 5 + Const(z1), [get_rule("linearity")], CTX)
    assert live.proved and "neither side" not in live.atom
    elbo = ELBO(q1 * q2, joint)
    dens = prove_step(elbo, "=", elbo + 1 + Const(q1), [get_rule("linearity")], CTX)
    assert dens.proved and "neither side" not in dens.atom


# ------------------------------------------------------------------ const in a model family
CONST_TEXT = """
derivation c
latent: z
observed: x

    log(p(z|x))
  = log(p(x,z)) + const(z)        by bayes_rule
  = log(p(x|z)) + const(z)        by product_rule
"""


def test_a_const_that_depends_on_the_latent_is_refuted_in_a_family():
    """log p(x,z) - log p(x|z) = log p(z) depends on z: a family point shows it."""
    from vi_sym.checker import Settings, check_derivations
    from vi_sym.core import Status
    from vi_sym.loader import load_text
    ds, errors = load_text(CONST_TEXT, "c.vi")
    assert not errors
    report = check_derivations(ds, Settings(families=("normal-normal",), samples=10, jobs=1))
    first, second = report.results[0], report.results[1]
    assert first.status == Status.PROVED
    assert second.status == Status.FAILED
    assert [f["status"] for f in second.families] == ["FAILED"]


def test_spot_form_leaves_unprobeable_consts_unevaluable():
    from vi_sym.upto import spot_form
    z = Symbol("z")
    lhs, rhs = log(Density("p", [z], [x])), log(Density("p", [x, z])) + Const(Density("p", [z]))
    assert spot_form(lhs, rhs, "=") == (lhs, rhs)          # a density target other than q: left alone
    d, other = spot_form(lhs, log(Density("p", [x, z])) + Const(Density("q", [z])), "=")
    assert d == other == lhs - log(Density("p", [x, z]))   # q's: compared with q replaced (none here)
    plain = (log(Density("p", [x, z])), log(Density("p", [x], [z])))
    assert spot_form(*plain, "=") == plain                  # no const: unchanged
    d, avg = spot_form(lhs, log(Density("p", [x, z])) + Const(z), "=")
    assert isinstance(avg, Expectation) and avg.f == d


def test_argmax_of_the_elbo_is_argmin_of_the_kl():
    """ELBO(q) and -KL(q || p(z|x)) differ by log p(x), free of q: same maximiser over q.
    Dropping the evidence's independence (const in z, not in q) or flipping the KL fails."""
    z = Symbol("z")
    ctx = Context((z,))
    q, post, jnt = Density("q", [z]), Density("p", [z], [x]), Density("p", [x, z])
    rules = [get_rule("bayes_rule")]
    assert prove_step(ELBO(q, jnt), "=", -KL(q, post) + Const(q), rules, ctx).proved
    assert not prove_step(ELBO(q, jnt), "=", KL(q, post) + Const(q), rules, ctx).proved
    assert not prove_step(ELBO(q, jnt), "=", -KL(post, q) + Const(q), rules, ctx).proved
