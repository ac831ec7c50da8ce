"""Blei, Kucukelbir & McAuliffe (2017) §3: CAVI for a mixture of K = 2 unit-variance Gaussians,

    μ_k ~ N(0, σ²),   c_i ~ Categorical(½, ½),   x_i | c_i, μ ~ N(μ_{c_i}, 1),

with two data points (as in ``derivations/blei_gmm.vi``) and the mean-field family
q(c_1) q(c_2) q(μ1) q(μ2): q(c_i = component 1) = φ_i, q(μ_k) = N(m_k, s_k²).

The updates are read from the catalogue's conclusions: the assignment factor from
``blei_gmm_assignment`` (log q*(c) = body(c) + const(c) on c ∈ {0, 1}, so φ_i is the logistic
function of body(1) − body(0) at x = x_i: :func:`~vi_sym.cavi.readoff.bernoulli_read_off`), the
component factor q(μ1) from ``blei_gmm_component`` (a Gaussian read off); q(μ2) is q(μ1)'s update
with the components exchanged (φ_i → 1 − φ_i: the model is symmetric in them).

The ELBO is computed from its definition, E_q[log p(x, c, μ) − log q(c, μ)]: a sum over the four
assignments c ∈ {0, 1}² and, for each, the expectation over (μ1, μ2) by a tensor Gauss–Hermite
rule with 8 nodes per latent (exact for polynomials of degree ≤ 15; the integrand is a quadratic
in μ), the log densities written out -- never from the update formulas or moment lemmas.
log p(x) is the sum over assignments of the conjugate evidence: given c, the points of one
component are jointly N(0, I + σ² 11ᵀ).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import product

import numpy as np
import sympy
from numpy.polynomial.hermite_e import hermegauss
from scipy.special import expit, logsumexp
from scipy.stats import multivariate_normal

from .readoff import (CATALOGUE, ReadOffError, bernoulli_read_off, conclusion_of, gaussian_read_off,
                      numeric, same_symbol)

__all__ = ["GaussianMixture"]

_NODES, _WEIGHTS = hermegauss(8)
_WEIGHTS = _WEIGHTS / math.sqrt(2 * math.pi)          # E_{N(0,1)}[f] = Σ w f(node)
_W2 = _WEIGHTS[:, None] * _WEIGHTS[None, :]


def _log_normal(v, mean, sd):
    """log N(v | mean, sd²), the density written out."""
    return -0.5 * np.log(2 * np.pi * sd * sd) - (v - mean) ** 2 / (2 * sd * sd)


@dataclass
class GaussianMixture:
    """Blei et al. §3 with K = 2, N = 2.  State: {'phi1', 'phi2', 'm1', 's1', 'm2', 's2'}
    (phi_i = q(c_i = component 1))."""

    x: tuple
    sigma: float
    updates: dict = field(default_factory=dict)
    factors = (("phi1",), ("phi2",), ("m1", "s1"), ("m2", "s2"))

    @classmethod
    def from_catalogue(cls, x, sigma, q_c=None, q_mu=None, path=None):
        """The model with the updates read from ``blei_gmm.vi``'s conclusions (or from the
        given right sides ``q_c``, ``q_mu``: how a test plants a wrong one)."""
        where = path or CATALOGUE / "blei_gmm.vi"
        if len(tuple(x)) != 2:
            raise ReadOffError("the catalogue's component update is derived for two data points")
        if q_c is None:
            q_c = conclusion_of("blei_gmm_assignment", where).rhs
        if q_mu is None:
            q_mu = conclusion_of("blei_gmm_component", where).rhs
        return cls(tuple(float(v) for v in x), float(sigma), _mixture_updates(q_c, q_mu))

    def update(self, s, k):
        if k < 2:          # the assignment factor of point k+1
            logit = self.updates["logit"](x=self.x[k], m1=s["m1"], m2=s["m2"], s1=s["s1"], s2=s["s2"])
            return {**s, f"phi{k + 1}": float(expit(logit))}
        # q(μ1) as derived; q(μ2) with the components exchanged (φ_i -> 1 - φ_i)
        phis = (s["phi1"], s["phi2"]) if k == 2 else (1 - s["phi1"], 1 - s["phi2"])
        env = {"x1": self.x[0], "x2": self.x[1], "σ": self.sigma, "φ1": phis[0], "φ2": phis[1]}
        lam = self.updates["λ"](**env)
        if not lam > 0:
            raise ReadOffError(f"the update gives q(μ{k - 1}) the precision {lam:.6g}, not a positive number")
        j = k - 1
        return {**s, f"m{j}": self.updates["m"](**env), f"s{j}": 1 / math.sqrt(lam)}

    def elbo(self, s):
        """E_q[log p(x, c, μ)] − E_q[log q(c)] − E_q[log q(μ)], from the definition."""
        phis = [s["phi1"], s["phi2"]]
        m1, s1, m2, s2 = s["m1"], s["s1"], s["m2"], s["s2"]
        if min(s1, s2) <= 0 or not all(0 <= p <= 1 for p in phis):
            return -math.inf
        mu1 = (m1 + s1 * _NODES)[:, None]
        mu2 = (m2 + s2 * _NODES)[None, :]
        log_q_mu = _log_normal(mu1, m1, s1) + _log_normal(mu2, m2, s2)
        log_prior = _log_normal(mu1, 0, self.sigma) + _log_normal(mu2, 0, self.sigma)
        total = 0.0
        for c in product((1, 0), repeat=len(self.x)):
            q_c = math.prod(p if ci else 1 - p for p, ci in zip(phis, c))
            if q_c == 0:
                continue
            log_q_c = sum(math.log(p) if ci else math.log1p(-p) for p, ci in zip(phis, c))
            log_lik = sum(math.log(0.5) + _log_normal(xi, mu1 if ci else mu2, 1.0)
                          for xi, ci in zip(self.x, c))
            total += q_c * float(np.sum(_W2 * (log_prior + log_lik - log_q_mu - log_q_c)))
        return total

    def log_evidence(self):
        """log p(x) = log Σ_c p(c) Π_k N(x_{c=k} | 0, I + σ² 11ᵀ)."""
        terms = []
        for c in product((1, 0), repeat=len(self.x)):
            lp = len(self.x) * math.log(0.5)
            for k in (1, 0):
                pts = [xi for xi, ci in zip(self.x, c) if ci == k]
                if pts:
                    cov = np.eye(len(pts)) + self.sigma ** 2 * np.ones((len(pts), len(pts)))
                    lp += float(multivariate_normal(np.zeros(len(pts)), cov).logpdf(pts))
            terms.append(lp)
        return float(logsumexp(terms))


@lru_cache(maxsize=32)
def _mixture_updates(q_c, q_mu) -> dict:
    """The assignment's log-odds, q(μ1)'s precision and mean, read off and compiled."""
    logit = bernoulli_read_off(q_c, same_symbol(q_c, sympy.Symbol("c")))
    lam, m = gaussian_read_off(q_mu, same_symbol(q_mu, sympy.Symbol("μ1")))
    return {"logit": numeric(logit, ("x", "m1", "m2", "s1", "s2")),
            "λ": numeric(lam, ("x1", "x2", "σ", "φ1", "φ2")),
            "m": numeric(m, ("x1", "x2", "σ", "φ1", "φ2"))}
