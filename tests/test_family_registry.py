"""A new model family is one class plus one ``register_family`` call: a toy family whose
densities are written once in sympy (compiled by the numeric walker) is picked up by
``applicable_families``, the numeric evaluator and the spot-checker."""
import mpmath
import pytest
import sympy
from hypothesis import strategies as st
from sympy import log

from vi_sym.families import (FAMILIES, Family, applicable_families, get_family, register_family,
                             unregister_family)
from vi_sym.numeric import compile_plain, evaluate
from vi_sym.spotcheck import spot_check
from vi_sym.vocabulary import ELBO, KL, Density

x, z = sympy.symbols("x z")
q, prior, lik = Density("q", [z]), Density("p", [z]), Density("p", [x], [z])
joint, evid, post = Density("p", [x, z]), Density("p", [x]), Density("p", [z], [x])

zs, pi_, t_, a_, b_ = sympy.symbols("z pi t a b")
#: log-densities of a coin latent z in {0, 1}, observed x = 1 with P(x=1|z) = a (z=0) or b (z=1)
LOG_PRIOR = zs * log(pi_) + (1 - zs) * log(1 - pi_)
LOG_LIK = zs * log(b_) + (1 - zs) * log(a_)
LOG_Q = zs * log(t_) + (1 - zs) * log(1 - t_)
LOG = {k: compile_plain(e) for k, e in (("prior", LOG_PRIOR), ("lik", LOG_LIK), ("q", LOG_Q))}


class Coin(Family):
    """Toy: a binary latent with a Bernoulli prior and q; one observation."""

    name = "toy-coin"
    discrete = True
    description = "binary latent, Bernoulli prior and q, one binary observation"


    def _prepare(self, params):
        env = {k: mpmath.mpf(params[k]) for k in ("pi", "t", "a", "b")}
        ev = mpmath.fsum(mpmath.exp(LOG["prior"]({**env, "z": k}) + LOG["lik"]({**env, "z": k}))
                         for k in (0, 1))
        return env, mpmath.log(ev)

    def support_of(self, params):
        return [0, 1]

    def in_support(self, params, zval):
        return zval in (0, 1)

    def _log_lik(self, P, z):
        return LOG["lik"]({**P[0], "z": z})

    def _log_prior(self, P, z):
        return LOG["prior"]({**P[0], "z": z})

    def _log_q(self, P, z):
        return LOG["q"]({**P[0], "z": z})

    def _log_post(self, P, z):
        return self._log_lik(P, z) + self._log_prior(P, z) - P[1]

    def _log_evidence(self, P):
        return P[1]

    def strategy(self):
        unit = st.floats(0.05, 0.95)
        return st.fixed_dictionaries({"pi": unit, "t": unit, "a": unit, "b": unit})

    def special_points(self):
        return [{"pi": 0.3, "t": 0.3, "a": 0.2, "b": 0.9, "_label": "q = prior"}]

    def latent_strategy(self, params):
        return st.sampled_from([0, 1])


@pytest.fixture
def coin():
    fam = register_family(Coin())
    yield fam
    unregister_family(fam.name)


def test_registered_family_is_used_everywhere(coin):
    assert get_family("toy-coin") is coin and "toy-coin" in FAMILIES
    assert "toy-coin" in applicable_families([KL(q, post)])
    assert "toy-coin" not in applicable_families([Density("p", [x], [sympy.Symbol("w")])])
    p = {"pi": 0.3, "t": 0.6, "a": 0.2, "b": 0.9}
    # log p(x) = ELBO + KL(q || p(z|x)), evaluated by name through the numeric layer
    lhs = evaluate(log(evid), "toy-coin", p)
    rhs = evaluate(ELBO(q, joint) + KL(q, post), "toy-coin", p)
    assert abs(lhs.value - rhs.value) < 1e-15
    ok = spot_check(log(evid), ">=", ELBO(q, joint), "toy-coin", samples=10)
    assert ok.status == "SPOT-CHECKED" and ok.n_checked > 0
    bad = spot_check(log(evid), "<=", ELBO(q, joint), "toy-coin", samples=10)
    assert bad.status == "FAILED"


def test_registration_is_checked(coin):
    with pytest.raises(ValueError):
        register_family(Coin())
    with pytest.raises(TypeError):
        register_family(object())
    unregister_family("toy-coin")
    assert "toy-coin" not in applicable_families([KL(q, post)])
    with pytest.raises(KeyError):
        get_family("toy-coin")
