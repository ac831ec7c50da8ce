"""Arbitrary densities named as the writer likes (q1, q_j, g, r) are spot-checked in the model
families under the family's own names: a wrong step over them is FAILED, not UNKNOWN, and a
step that holds only when two of them coincide is never confirmed."""
from __future__ import annotations

import pytest

from vi_sym.core import Status, variational_names
from vi_sym.loader import load_text
from vi_sym.rules import Context
from vi_sym.vocabulary import Density, Entropy
from sympy import Symbol


def _check(text):
    derivs, errors = load_text(text, "names.vi")
    assert not errors, errors
    report = derivs[0].check(samples=10, seed=0, jobs=1)
    return report[0]


def test_two_factors_named_q1_q2_sign_slip_is_failed():
    r = _check("""derivation bad
latent: z1 z2
densities: q1 q2

    H(q1(z1)*q2(z2))
  = H(q1(z1)) - H(q2(z2))
""")
    assert r.status is Status.FAILED, r.reason
    assert "q1 is the family's q and q2 is the family's r" in r.explanation
    assert r.fixes and "H(q2(z2)) instead of -H(q2(z2))" in r.fixes[0]["description"]


def test_one_latent_density_named_g_sign_slip_is_failed():
    r = _check("""derivation bad
latent: z
observed: x
densities: p g

    log(p(x))
  = ELBO(g(z), p(x,z)) - KL(g(z) || p(z|x))
""")
    assert r.status is Status.FAILED, r.reason
    assert "g is the family's q" in r.explanation


@pytest.mark.parametrize("text", [
    # equal only when g and h are one density
    """derivation same
latent: z1 z2
densities: g h

    H(g(z1))
  = H(h(z1))
""",
    """derivation same
latent: z1 z2
densities: g h

    KL(g(z1)*g(z2) || h(z1)*h(z2))
  = 0
""",
])
def test_two_names_are_never_one_density(text):
    r = _check(text)
    assert r.status not in (Status.PROVED, Status.SPOT_CHECKED), r.status


def test_names_keep_their_slots_and_never_share_one():
    z1, z2 = Symbol("z1"), Symbol("z2")
    ctx = Context(latent=(z1, z2))
    q, r, g, h = (Density(n, [z1]) for n in "qrgh")
    assert variational_names(q, r, ctx, ("q", "r")) == {}
    assert variational_names(g, r, ctx, ("q", "r")) == {"g": "q"}
    assert variational_names(g, h, ctx, ("q", "r")) == {"g": "q", "h": "r"}
    assert variational_names(Entropy(g) + Entropy(h), q, ctx, ("q", "r")) is None
    assert variational_names(g, h, ctx, ("q",)) is None


VAE_WRONG = """derivation vae_sign
latent: z
observed: x
parameters: θ φ

    E_q(z|x,φ)[log(p(x,z|θ)/q(z|x,φ))]
  = E_q(z|x,φ)[log(p(x|z,θ))] + KL(q(z|x,φ) || p(z|θ))
"""


def test_parameters_of_p_theta_and_q_phi_are_held_at_the_family_values():
    r = _check(VAE_WRONG)
    assert r.status is Status.FAILED, r.reason
    assert "θ, φ are held at the family's own model" in r.explanation


@pytest.mark.parametrize("text", [
    # two values of one model's parameter: never one instance, so never taken as equal
    """derivation two_values
latent: z
observed: x
parameters: θ θ0

    log(p(x|θ))
  = log(p(x|θ0))
""",
    # one density written with and without the parameter: p(x) beside p(x|θ)
    """derivation with_and_without
latent: z
observed: x
parameters: θ

    log(p(x|θ))
  = log(p(x)) + 1
""",
    # a parameter outside every density
    """derivation outside
latent: z
observed: x
parameters: θ

    log(p(x|θ)) + θ
  = log(p(x|θ))
""",
])
def test_parameters_are_never_dropped_where_that_would_equate_two_things(text):
    from vi_sym.core import without_parameters
    derivs, errors = load_text(text, "p.vi")
    assert not errors
    step = derivs[0].steps[0]
    assert without_parameters(step.lhs, step.rhs, step.context) is None
    r = derivs[0].check(samples=10, seed=0, jobs=1)[0]
    assert r.status not in (Status.PROVED, Status.SPOT_CHECKED), r.status


VAE_PRIOR_FREE = """derivation vae_prior_free
latent: z
observed: x
parameters: θ φ

    E_q(z|x,φ)[log(p(x,z|θ)/q(z|x,φ))]
  = E_q(z|x,φ)[log(p(x|z,θ))] %s KL(q(z|x,φ) || p(z))
"""


def test_a_prior_written_without_the_parameter_is_the_family_prior():
    """The VAE's p(z) beside p_θ(x|z): the note's model has a prior free of θ, which the family's
    model is an instance of -- the sign slip is FAILED (it was UNKNOWN), the right step holds."""
    from vi_sym.core import without_parameters
    derivs, errors = load_text(VAE_PRIOR_FREE % "+", "v.vi")
    assert not errors
    step = derivs[0].steps[0]
    plain = without_parameters(step.lhs, step.rhs, step.context)
    assert plain is not None and "θ" not in str(plain) and "φ" not in str(plain)
    assert _check(VAE_PRIOR_FREE % "+").status is Status.FAILED
    assert _check(VAE_PRIOR_FREE % "-").status is Status.PROVED
