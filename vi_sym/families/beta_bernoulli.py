r"""Beta–Bernoulli: success probability z ∈ (0, 1) with a Beta prior, 0/1 observations.

Model (params keys in brackets)::

    z ~ Beta(a0, b0)                                  [a0, b0]
    x_i | z ~ Bernoulli(z),  i = 1..n (iid)           [x = (x_1..x_n), x_i ∈ {0, 1}]
    q(z) = Beta(a, b)                                 [a, b]

With ``k = Σ x_i`` and ``B`` the Beta function (computed as log-gammas):

* ``log p(x|z) = k log z + (n-k) log(1-z)``
* ``log Beta(z; a, b) = (a-1) log z + (b-1) log(1-z) - log B(a, b)``
* posterior ``p(z|x) = Beta(a0 + k, b0 + n - k)``
* evidence ``log p(x) = log B(a0 + k, b0 + n - k) - log B(a0, b0)``.

Random draws: a0, b0 ∈ [0.5, 10]; n ∈ 1..8 observations; a, b ∈ [0.7, 40].
Integrals over (0, 1) use tanh–sinh on the pieces touching 0 and 1 (integrable
log/power singularities there) and Gauss–Legendre inside.
Fast path: integrals in the logit coordinate ``u`` (``z = σ(u)``, ``dz = z(1-z) du``), where
``log z = -softplus(-u)`` and ``log(1-z) = -softplus(u)`` are exact and a Beta(α, β) weight is
the smooth bump ``α log σ(u) + β log σ(-u)`` (exponential tails of rates α and β).
Special points add q = prior, q = exact posterior, a very narrow q
(a + b = 2·10⁴) and a very wide q (Beta(1, 1) and Beta(0.6, 0.6)).
"""
from __future__ import annotations

import math

import mpmath
import numpy as np
from hypothesis import strategies as st
from mpmath import mpf

from .base import (EPS, Family, LastValueCache, Latent, drop_breakpoints, gauss_points, softplus,
                   to_mpf)
from .densities import log_beta_density, log_beta_fn




def _log1m(z):
    """log(1 - z), with 1 - z formed exactly (quadrature nodes near 1 carry extra bits)."""
    return mpmath.log(mpmath.fsub(1, z, exact=True))


_logz = LastValueCache(mpmath.log)
log1m = LastValueCache(_log1m)


def log_beta_pdf(z, a, b, logB):
    return log_beta_density(_logz(z), log1m(z), a, b, logB)


def beta_mean_sd(a, b):
    t = a + b
    return a / t, mpmath.sqrt(a * b / (t * t * (t + 1)))


class _P:
    __slots__ = ("a0", "b0", "n", "k", "a", "b", "an", "bn", "lB0", "lBq", "lBn", "logev")


class BetaBernoulli(Family):
    __doc__ = __doc__
    name = "beta-bernoulli"
    discrete = False
    description = "Beta prior on a success probability z, n Bernoulli observations, q = Beta(a, b)"
    support = (mpf(0), mpf(1))
    #: the params keys of the i.i.d. data points (one entry per point), for `iid:` steps
    data_points = ("x",)

    def _prepare(self, params):
        P = _P()
        P.a0, P.b0 = to_mpf(params["a0"]), to_mpf(params["b0"])
        P.a, P.b = to_mpf(params["a"]), to_mpf(params["b"])
        xs = [int(v) for v in params["x"]]
        if not xs or any(v not in (0, 1) for v in xs) or min(P.a0, P.b0, P.a, P.b) <= 0:
            raise ValueError("beta-bernoulli: need >= 1 observation in {0,1} and positive parameters")
        P.n, P.k = len(xs), sum(xs)
        P.an, P.bn = P.a0 + P.k, P.b0 + P.n - P.k
        P.lB0 = log_beta_fn(P.a0, P.b0)
        P.lBq = log_beta_fn(P.a, P.b)
        P.lBn = log_beta_fn(P.an, P.bn)
        P.logev = P.lBn - P.lB0
        return P

    def _log_lik(self, P, z):
        return P.k * _logz(z) + (P.n - P.k) * log1m(z)

    def _log_prior(self, P, z):
        return log_beta_pdf(z, P.a0, P.b0, P.lB0)

    def _log_q(self, P, z):
        return log_beta_pdf(z, P.a, P.b, P.lBq)

    def _log_post(self, P, z):
        return log_beta_pdf(z, P.an, P.bn, P.lBn)

    def _log_evidence(self, P):
        return P.logev

    def _windows(self, P, role):
        a, b = {"prior": (P.a0, P.b0), "q": (P.a, P.b),
                "likelihood": (P.k + 1, P.n - P.k + 1)}.get(role, (P.an, P.bn))
        c, s = beta_mean_sd(a, b)
        return [mpf(0), mpf(1)] + gauss_points(c, s)

    # ----- fast path ------------------------------------------------------------------
    fast = True

    def _fast_point(self, params):
        a0, b0, a, b = (float(params[k]) for k in ("a0", "b0", "a", "b"))
        xs = [int(v) for v in params["x"]]
        if not xs or any(v not in (0, 1) for v in xs) or not min(a0, b0, a, b) > 0 \
                or not all(map(math.isfinite, (a0, b0, a, b))):
            raise ValueError("need >= 1 observation in {0,1} and positive parameters")
        n, k = len(xs), sum(xs)
        an, bn = a0 + k, b0 + n - k
        lB0, lBn = log_beta_fn(a0, b0, math.lgamma), log_beta_fn(an, bn, math.lgamma)
        return {"a0": a0, "b0": b0, "a": a, "b": b, "k": k, "nk": n - k, "an": an, "bn": bn,
                "lB0": lB0, "lBq": log_beta_fn(a, b, math.lgamma), "lBn": lBn, "logev": lBn - lB0}

    def _fast_zvalue(self, v):
        return float(v)

    def _fast_bound_latent(self, B, z):
        with np.errstate(all="ignore"):
            return Latent(z, np.log(z), np.log1p(-z))

    def _fast_from_u(self, u):
        lz, l1 = -softplus(-u), -softplus(u)
        return Latent(np.exp(lz), lz, l1), np.exp(lz + l1)

    @staticmethod
    def _fast_beta(L, a, b, lB):
        t1, t2 = (a - 1) * L.logz, (b - 1) * L.log1mz
        return log_beta_density(L.logz, L.log1mz, a, b, lB), 4 * EPS * (abs(t1) + abs(t2) + abs(lB) + 1)

    def fast_log(self, B, role, L):
        if role == "evidence":
            return B.logev, 8 * EPS * (1 + abs(B.lB0) + abs(B.lBn))
        if role == "prior":
            return self._fast_beta(L, B.a0, B.b0, B.lB0)
        if role == "q":
            return self._fast_beta(L, B.a, B.b, B.lBq)
        if role == "posterior":
            return self._fast_beta(L, B.an, B.bn, B.lBn)
        t1, t2 = B.k * L.logz, B.nk * L.log1mz
        ll, le = t1 + t2, 4 * EPS * (abs(t1) + abs(t2) + 1)
        if role == "likelihood":
            return ll, le
        lp, lpe = self._fast_beta(L, B.a0, B.b0, B.lB0)   # joint
        return ll + lp, le + lpe

    def _fast_breakpoints(self, B, role):
        al, be = {"prior": (B.a0, B.b0), "q": (B.a, B.b),
                  "likelihood": (B.k + 1, B.nk + 1)}.get(role, (B.an, B.bn))
        mode = np.log(al / be)
        top = -al * softplus(-mode) - be * softplus(mode)

        def drop(t):
            u = mode + t
            return top + al * softplus(-u) + be * softplus(u)
        return drop_breakpoints(mode, drop, np.sqrt(1 / al + 1 / be))

    # ----- search space -------------------------------------------------------------
    def posterior_params(self, params):
        P = self.prepared(params)
        return float(P.an), float(P.bn)

    def strategy(self):
        return st.fixed_dictionaries({
            "a0": st.floats(0.5, 10, allow_nan=False),
            "b0": st.floats(0.5, 10, allow_nan=False),
            "x": st.lists(st.integers(0, 1), min_size=1, max_size=8).map(tuple),
            "a": st.floats(0.7, 40, allow_nan=False),
            "b": st.floats(0.7, 40, allow_nan=False),
        })

    def special_points(self):
        bases = [
            {"a0": 2.3, "b0": 1.7, "x": (1, 0, 1, 1, 0, 1)},
            {"a0": 0.6, "b0": 4.1, "x": (0, 0, 1)},
        ]
        out = []
        for base in bases:
            an, bn = self.posterior_params({**base, "a": 1.0, "b": 1.0})
            c = an / (an + bn)
            out += [
                {**base, "a": base["a0"], "b": base["b0"], "_label": "q = prior"},
                {**base, "a": an, "b": bn, "_label": "q = exact posterior"},
                {**base, "a": 2e4 * c, "b": 2e4 * (1 - c), "_label": "very narrow q"},
                {**base, "a": 1.0, "b": 1.0, "_label": "very wide q (uniform)"},
                {**base, "a": 0.6, "b": 0.6, "_label": "very wide q (U-shaped)"},
                {**base, "a": 7.3, "b": 2.2, "_label": "generic q"},
            ]
        return out

    def latent_strategy(self, params):
        return st.floats(0.001, 0.999, allow_nan=False)

    def latent_special(self, params):
        P = self.prepared(params)
        return float(P.an / (P.an + P.bn))
