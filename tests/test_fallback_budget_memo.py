"""A check's budget of mpmath integrals does not depend on what the process remembers.

Values computed once (a density's mass, a claim's side at a point) are remembered for the
rest of the process; a value reused is charged the fallbacks its computation took, so a
claim checked after another one that computed the same values first -- in the same batch,
in the same worker -- skips the same points and reports the same counts as one checked in a
fresh process: the report depends on the inputs and the seed alone."""
from __future__ import annotations

import pytest

import vi_sym.spot.claims as claims
from vi_sym.loader import load_text
from vi_sym.numeric import plain

CLAIM = """derivation kl_gamma
latent: z
positive: a1 b1 a2 b2
define q(z) = Gamma(z, a1, b1)
define r(z) = Gamma(z, a2, b2)

    KL(q(z) || r(z))
  = (a1 - a2)*digamma(a1) - loggamma(a1) + loggamma(a2) + a2*(log(b1) - log(b2)) + a1*(b2 - b1)/b1   by kl_definition
"""


def _step():
    (d,), errs = load_text(CLAIM, "t.vi")
    assert not errs, errs
    return d.steps[0]


def _forget():
    claims._VALUES.clear()
    plain._MASS.clear()


@pytest.mark.parametrize("budget", [1, 3])
def test_a_claim_reports_the_same_counts_with_values_remembered_or_not(monkeypatch, budget):
    monkeypatch.setattr(claims, "FALLBACK_BUDGET", budget)
    step = _step()
    _forget()
    fresh = claims.spot_claim(step, samples=30)
    assert fresh.n_checked < fresh.n_total        # points skipped: the budget can bind here
    again = claims.spot_claim(step, samples=30)                      # every value remembered
    assert (again.status, again.n_checked, again.n_total, again.reason) == \
        (fresh.status, fresh.n_checked, fresh.n_total, fresh.reason)


def test_a_remembered_mass_is_charged_the_fallbacks_its_quadrature_took():
    """Beta(1e-3, 1): float64 cannot vouch for its mass, mpmath is tried (one fallback) and
    the mass is not captured.  Reused with the budget spent, the remembered failure is
    skipped for the budget -- as integrating again would be -- not answered for free."""
    import sympy

    from vi_sym.distributions import Dist
    from vi_sym.numeric import NotEvaluable
    a, b, z = sympy.symbols("a b z")
    comp = plain.component(Dist("Beta", z, a, b))
    env = {"a": plain.mpmath.mpf("1e-3"), "b": plain.mpmath.mpf(1)}
    _forget()
    with plain.fallback_budget(1):
        with pytest.raises(NotEvaluable, match="mass not captured"):
            plain.integrate_1d(comp, None, env)        # the one fallback allowed
        with pytest.raises(NotEvaluable, match="budget of mpmath integrals is spent"):
            plain.integrate_1d(comp, None, env)        # remembered, but charged again
    with plain.fallback_budget(1):
        with pytest.raises(NotEvaluable, match="mass not captured"):
            plain.integrate_1d(comp, None, env)        # a fresh budget pays for it
