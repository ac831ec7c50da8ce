"""The two CAVI examples of PRML §10.1: the Normal–Gamma model (§10.1.3) and the mean-field
approximation of a bivariate Gaussian (§10.1.2)."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import sympy
from scipy.special import digamma, gammaln

from .readoff import CATALOGUE, conclusion_of, gamma_read_off, gaussian_read_off, numeric, same_symbol

__all__ = ["NormalGamma", "BivariateGaussian"]


@dataclass
class NormalGamma:
    """PRML §10.1.3 with N = 2 points (as in the derivation): x_n ~ N(μ, τ⁻¹),
    μ ~ N(μ0, (λ0 τ)⁻¹), τ ~ Gam(a0, b0); q(μ) = N(mN, sN²), q(τ) = Gam(aN, bN).
    State: {'mN', 'sN', 'aN', 'bN'}."""

    x: tuple
    mu0: float
    lam0: float
    a0: float
    b0: float
    updates: dict = field(default_factory=dict)
    factors = (("mN", "sN"), ("aN", "bN"))

    @classmethod
    def from_catalogue(cls, x, mu0, lam0, a0, b0, q_mu=None, q_tau=None, path=None):
        """The model with the updates read from the catalogue's conclusions (or from the
        given conclusions' right sides ``q_mu``, ``q_tau``: how a test plants a wrong one)."""
        if q_mu is None:
            q_mu = conclusion_of("prml_10_1_3_q_mu", path or CATALOGUE / "prml_10_1_3.vi").rhs
        if q_tau is None:
            q_tau = conclusion_of("prml_10_1_3_q_tau", path or CATALOGUE / "prml_10_1_3.vi").rhs
        return cls(tuple(x), mu0, lam0, a0, b0, _normal_gamma_updates(q_mu, q_tau))

    def _env(self, s):
        return {"x1": self.x[0], "x2": self.x[1], "μ0": self.mu0, "λ0": self.lam0, "a0": self.a0,
                "b0": self.b0, **s}

    def update(self, s, k):
        env = self._env(s)
        if k == 0:
            lam = self.updates["λ"](**env)
            return {**s, "mN": self.updates["m"](**env), "sN": 1 / math.sqrt(lam)}
        return {**s, "aN": self.updates["a"](**env), "bN": self.updates["b"](**env)}

    def elbo(self, s):
        """E_q[log p(x, μ, τ)] + H(q(μ)) + H(q(τ)), PRML (10.21)–(10.23) in closed form."""
        m, v, a, b = s["mN"], s["sN"] ** 2, s["aN"], s["bN"]
        if min(v, a, b) <= 0:
            return -math.inf
        n = len(self.x)
        elog, e = digamma(a) - math.log(b), a / b
        sq = sum((xn - m) ** 2 + v for xn in self.x)
        logp = ((n + 1) / 2 + self.a0 - 1) * elog - (n + 1) / 2 * math.log(2 * math.pi) \
            - e * sq / 2 + math.log(self.lam0) / 2 - self.lam0 * e * ((m - self.mu0) ** 2 + v) / 2 \
            + self.a0 * math.log(self.b0) - gammaln(self.a0) - self.b0 * e
        h_mu = math.log(2 * math.pi * math.e * v) / 2
        h_tau = a - math.log(b) + gammaln(a) + (1 - a) * digamma(a)
        return float(logp + h_mu + h_tau)

    def log_evidence(self):
        """log p(x) in closed form (the Normal–Gamma prior is conjugate)."""
        n, xs = len(self.x), self.x
        xbar = sum(xs) / n
        lam = self.lam0 + n
        a = self.a0 + n / 2
        b = self.b0 + sum((xn - xbar) ** 2 for xn in xs) / 2 \
            + self.lam0 * n * (xbar - self.mu0) ** 2 / (2 * lam)
        return float(gammaln(a) - gammaln(self.a0) + self.a0 * math.log(self.b0) - a * math.log(b)
                     + math.log(self.lam0 / lam) / 2 - n / 2 * math.log(2 * math.pi))


@dataclass
class BivariateGaussian:
    """PRML §10.1.2: p(z) = N(z | μ, Λ⁻¹), q(z1) = N(m1, s1²), q(z2) = N(m2, s2²).
    State: {'m1', 's1', 'm2', 's2'}.  The z2 update is the z1 update with the indices
    exchanged (the derivation is symmetric in them)."""

    mu: tuple
    L11: float
    L12: float
    L22: float
    updates: dict = field(default_factory=dict)
    factors = (("m1", "s1"), ("m2", "s2"))

    @classmethod
    def from_catalogue(cls, mu, L11, L12, L22, q_z1=None, path=None):
        if q_z1 is None:
            q_z1 = conclusion_of("prml_10_1_2_q_z1", path or CATALOGUE / "prml_10_1_2.vi").rhs
        return cls(tuple(mu), L11, L12, L22, _bivariate_updates(q_z1))

    def update(self, s, k):
        mine, other = (1, 2) if k == 0 else (2, 1)
        mu = {1: self.mu[0], 2: self.mu[1]}
        diag = {1: self.L11, 2: self.L22}
        env = {"μ1": mu[mine], "μ2": mu[other], "L11": diag[mine], "L12": self.L12,
               "L22": diag[other], "m2": s[f"m{other}"], "s2": s[f"s{other}"]}
        lam = self.updates["λ"](**env)
        return {**s, f"m{mine}": self.updates["m"](**env), f"s{mine}": 1 / math.sqrt(lam)}

    def elbo(self, s):
        """E_q[log N(z | μ, Λ⁻¹)] + H(q(z1)) + H(q(z2)) in closed form."""
        v1, v2 = s["s1"] ** 2, s["s2"] ** 2
        if min(v1, v2) <= 0:
            return -math.inf
        d1, d2 = s["m1"] - self.mu[0], s["m2"] - self.mu[1]
        det = self.L11 * self.L22 - self.L12 ** 2
        quad = self.L11 * (d1 ** 2 + v1) + 2 * self.L12 * d1 * d2 + self.L22 * (d2 ** 2 + v2)
        logp = -math.log(2 * math.pi) + math.log(det) / 2 - quad / 2
        return logp + math.log(2 * math.pi * math.e * v1) / 2 + math.log(2 * math.pi * math.e * v2) / 2

    def log_evidence(self):
        """The target is a normalised density: log ∫ p(z) dz = 0."""
        return 0.0


@lru_cache(maxsize=32)
def _normal_gamma_updates(q_mu, q_tau) -> dict:
    """q(μ)'s precision and mean, q(τ)'s shape and rate, read off and compiled (once per
    pair of conclusions)."""
    lam, m = gaussian_read_off(q_mu, same_symbol(q_mu, sympy.Symbol("μ")))
    a, b = gamma_read_off(q_tau, same_symbol(q_tau, sympy.Symbol("τ")))
    names = ("x1", "x2", "μ0", "λ0", "a0", "b0", "mN", "sN", "aN", "bN")
    return {"λ": numeric(lam, names), "m": numeric(m, names),
            "a": numeric(a, names), "b": numeric(b, names)}


@lru_cache(maxsize=32)
def _bivariate_updates(q_z1) -> dict:
    lam, m = gaussian_read_off(q_z1, same_symbol(q_z1, sympy.Symbol("z1")))
    names = ("μ1", "μ2", "L11", "L12", "L22", "m2", "s2")
    return {"λ": numeric(lam, names), "m": numeric(m, names)}
