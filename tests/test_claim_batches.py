"""Claims whose draws are shared run in one batch: a worker draws each set of draws once.

The scheduler batches a spot-checker's tasks by ``batch_of(step)`` when the checker has it
(claims: their parameters' domains, the key their draws are made under), else by its
``batch`` attribute (model families)."""
from __future__ import annotations

from vi_sym.loader import load_text
from vi_sym.scheduler import _batch_key, spot_task
from vi_sym.settings import Settings
from vi_sym.spot.claims import ClaimChecker

CLAIMS = """derivation kl_a
latent: z
parameters: m1 m2
positive: s1 s2
define q(z) = Normal(z, m1, s1)
define r(z) = Normal(z, m2, s2)

    KL(q(z) || r(z))
  = log(s2/s1) + (s1^2 + (m1 - m2)^2)/(2*s2^2) - 1/2   by kl_definition

derivation kl_b
latent: z
parameters: a b
positive: u v
define q(z) = Normal(z, a, u)
define r(z) = Normal(z, b, v)

    KL(q(z) || r(z))
  = log(v/u) + (u^2 + (a - b)^2)/(2*v^2) - 1/2   by kl_definition

derivation h_c
latent: z
positive: l
define q(z) = Exponential(z, l)

    H(q(z))
  = 1 - log(l)   by entropy_definition
"""


def _keys():
    derivs, errs = load_text(CLAIMS, "t.vi")
    assert not errs, errs
    s = Settings(families=("all",))
    return {d.name: _batch_key(spot_task, (d.steps[0], ClaimChecker(), s)) for d in derivs}


def test_claims_with_the_same_domains_share_a_batch_and_others_do_not():
    keys = _keys()
    assert keys["kl_a"] == keys["kl_b"] == ("claim", ("real", "real", "positive", "positive"))
    assert keys["h_c"] == ("claim", ("positive",))


def test_the_batch_is_the_key_the_claim_draws_under(monkeypatch):
    """The batch key is the claim's draw key: the batch is what lets one worker draw once."""
    import vi_sym.spot.claims as claims
    seen = []
    real = claims.search

    def spy(*args, **kw):
        seen.append(kw["draw_key"])
        return real(*args, **kw)
    monkeypatch.setattr(claims, "search", spy)
    derivs, _ = load_text(CLAIMS, "t.vi")
    keys = _keys()
    for d in derivs:
        claims.spot_claim(d.steps[0], samples=3)
    assert seen == [keys[d.name] for d in derivs]
