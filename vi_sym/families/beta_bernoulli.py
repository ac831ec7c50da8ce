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
Special points add q = prior, q = exact posterior, a very narrow q
(a + b = 2·10⁴) and a very wide q (Beta(1, 1) and Beta(0.6, 0.6)).
"""
from __future__ import annotations

import mpmath
from hypothesis import strategies as st
from mpmath import mpf

from .base import Family, LastValueCache, gauss_points, to_mpf


def log_beta_fn(a, b):
    return mpmath.loggamma(a) + mpmath.loggamma(b) - mpmath.loggamma(a + b)


def _log1m(z):
    """log(1 - z), with 1 - z formed exactly (quadrature nodes near 1 carry extra bits)."""
    return mpmath.log(mpmath.fsub(1, z, exact=True))


_logz = LastValueCache(mpmath.log)
log1m = LastValueCache(_log1m)


def log_beta_pdf(z, a, b, logB):
    return (a - 1) * _logz(z) + (b - 1) * log1m(z) - logB


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
