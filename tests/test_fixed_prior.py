"""A prior the derivation writes free of the model's parameters: ``KL(q(z|x) ‖ p(z))`` beside
``p(x|z, θ)`` (the VAE's fixed prior) makes the model p(x, z|θ) = p(x|z, θ) p(z), so the VAE's
bounds are PROVED; the prior is fixed only where the derivation says so, the rewrite never touches
another density, and the family whose prior moves with θ does not stand in for such a model."""
from __future__ import annotations

import pytest
from sympy import Integral, Symbol, log

from vi_sym.core import Status
from vi_sym.frontends import load_text
from vi_sym.frontends.markdown import read_markdown
from vi_sym.prover import prove_step
from vi_sym.rules import Context, get_rule
from vi_sym.rules.parameters import with_fixed_priors
from vi_sym.spot.base import applicable_checkers
from vi_sym.vocabulary import KL, Density

x, z, u = Symbol("x"), Symbol("z"), Symbol("u")
theta = Symbol("θ", real=True)
CTX = Context((z,), domains=(("θ", "real"),))
PRIOR, PRIOR_T = Density("p", [z]), Density("p", [z], [theta])
LIK_T, POST_T = Density("p", [x], [z, theta]), Density("p", [z], [x, theta])
Q = Density("q", [z], [x])


@pytest.mark.parametrize("exprs, fixed", [
    ([LIK_T, KL(Q, PRIOR)], (PRIOR,)),                   # p(z) beside p(x|z, θ)
    ([LIK_T, KL(Q, PRIOR), KL(Q, POST_T)], (PRIOR,)),    # a posterior given x is no prior at θ
    ([KL(Q, PRIOR), Density("p", [x], [z])], ()),        # no parameter anywhere: nothing to fix
    ([LIK_T, PRIOR, PRIOR_T], ()),                       # p(z|θ) written too: the note tells them apart
    ([LIK_T, Density("p", [x])], ()),                    # an evidence is no prior
])
def test_the_prior_is_fixed_only_where_the_derivation_writes_it_so(exprs, fixed):
    assert with_fixed_priors(CTX, exprs).fixed == fixed


def _proves(lhs, rhs, ctx):
    return prove_step(lhs, "=", rhs, [get_rule("prior_free_of_parameters")], ctx).proved


FIXED = Context((z,), domains=(("θ", "real"),), fixed=(PRIOR,))


@pytest.mark.parametrize("lhs, rhs, ctx", [
    (log(PRIOR_T), log(PRIOR), CTX),                            # no prior fixed: p(z|θ) is not p(z)
    (log(POST_T), log(PRIOR), FIXED),                           # a posterior is never the prior
    (log(Density("p", [x], [theta])), log(Density("p", [x])), FIXED),   # nor is an evidence
    (log(Density("p", [u], [theta])), log(Density("p", [u])), FIXED),   # another variable's density
    (log(Density("p", [z], [x])), log(PRIOR), FIXED),           # a condition that is no parameter
])
def test_the_rewrite_is_not_misused(lhs, rhs, ctx):
    assert not _proves(lhs, rhs, ctx)


VAE = r"""
$$
\log p_\theta(x) \geq \mathbb{E}_{q_\phi(z \mid x)}[\log p_\theta(x \mid z)] - D_{KL}(q_\phi(z \mid x) \| p(z))
$$

$$
\mathcal{L}(\theta, \phi; x) = \mathbb{E}_{q_\phi(z \mid x)}[\log p_\theta(x \mid z)] - D_{KL}(q_\phi(z \mid x) \| p(z))
$$

$$
\log p_\theta(x) \geq \mathbb{E}_{q_\phi(z \mid x)}[\log p_\theta(x \mid z)] + D_{KL}(q_\phi(z \mid x) \| p(z))
$$
"""


def test_a_vae_note_with_a_fixed_prior_is_proved_and_its_slip_is_not():
    derivs, errors = load_text(VAE, "vae.md", read_markdown)
    assert not errors
    results = [r for d in derivs for r in d.check(samples=5, seed=0, jobs=1, fixes=False)]
    assert [r.status for r in results[:2]] == [Status.PROVED, Status.PROVED]
    assert any("prior_free_of_parameters" in str(row) for row in results[0].trace)
    assert results[2].status is not Status.PROVED       # the KL added, not subtracted
    assert all(d.steps[0].context.fixed == (PRIOR,) for d in derivs)


def test_the_family_whose_prior_moves_with_theta_does_not_stand_in():
    from vi_sym.core import Step
    from vi_sym.vocabulary import Expectation
    lhs, rhs = log(Density("p", [x], [theta])), Expectation(Density("q", [z]), log(LIK_T))
    names = {ctx: [c.name for c in applicable_checkers(Step(lhs, ">=", rhs, context=ctx), ("all",))]
             for ctx in (Context((z,), domains=(("θ", "real"),), observed=(x,)),
                         Context((z,), domains=(("θ", "real"),), observed=(x,), fixed=(PRIOR,)))}
    plain, fixed = names.values()
    assert "normal-normal-theta" in plain and "normal-normal-theta" not in fixed
    # the VAE's step without a fixed prior (p_θ(z) written) is proved all the same
    text = VAE.replace(r"\| p(z))", r"\| p_\theta(z))")
    derivs, _ = load_text(text, "vae.md", read_markdown)
    assert derivs[0].steps[0].context.fixed == ()
    assert derivs[0].check(samples=5, seed=0, jobs=1, fixes=False)[0].status is Status.PROVED


HEADER = "derivation d\nlatent: z\nobserved: x\nparameters: θ\n{prior}\n\n    {lhs}\n  = {rhs}   by prior_free_of_parameters\n"


def test_a_vi_header_declares_the_prior_free_of_the_parameters():
    text = HEADER.format(prior="prior: p(z)", lhs="KL(q(z) || p(z|θ))", rhs="KL(q(z) || p(z))")
    (d,), errors = load_text(text, "d.vi")
    assert not errors and d.steps[0].context.fixed == (PRIOR,)
    assert d.check(samples=5, seed=0, jobs=1, fixes=False)[0].status is Status.PROVED
    # without the header the two are told apart (p(z|θ) is written): not proved
    (d,), _ = load_text(HEADER.format(prior="", lhs="KL(q(z) || p(z|θ))", rhs="KL(q(z) || p(z))"), "d.vi")
    assert d.steps[0].context.fixed == ()
    assert d.check(samples=5, seed=0, jobs=1, fixes=False)[0].status is not Status.PROVED


@pytest.mark.parametrize("prior, words", [
    ("prior: p(x)", "a density of latent variables alone"),
    ("prior: p(z|x)", "without a bar"),
    ("prior: q(z)", "the model's prior"),
    ("prior: p(z", "prior:"),
])
def test_a_bad_prior_header_says_what_is_wrong(prior, words):
    _, errors = load_text(HEADER.format(prior=prior, lhs="log(p(x|θ))", rhs="log(p(x|θ))"), "d.vi")
    assert errors and words in errors[0].message


def test_a_prior_header_needs_parameters():
    text = HEADER.format(prior="prior: p(z)", lhs="log(p(x))", rhs="log(p(x))").replace("parameters: θ\n", "")
    _, errors = load_text(text, "d.vi")
    assert errors and "declare them ('parameters: θ')" in errors[0].message


def test_a_declared_parameter_is_never_a_familys_data():
    """p(z|θ) beside p(z), θ a parameter: no family reads θ as its data x (p(z|θ) would become the
    posterior p(z|x) and the step -- true where the prior is free of θ -- would be refuted)."""
    from vi_sym.core import family_coordinates
    text = HEADER.format(prior="", lhs="KL(q(z) || p(z|θ))", rhs="KL(q(z) || p(z))")
    (d,), _ = load_text(text.replace("   by prior_free_of_parameters", ""), "d.vi")
    lhs, rhs = family_coordinates(d.steps[0])
    assert Density("p", [z], [x]) not in lhs.atoms(Density)
    assert d.check(samples=5, seed=0, jobs=1, fixes=False)[0].status is Status.UNKNOWN
