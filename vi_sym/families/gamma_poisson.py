r"""Gamma–Poisson: a Poisson rate z > 0 with a Gamma prior, Poisson counts.

Model (params keys in brackets; Gamma in the shape/rate parametrisation)::

    z ~ Gamma(a0, b0)                                 [a0, b0]
    x_i | z ~ Poisson(z),  i = 1..n (iid)             [x = (x_1..x_n), x_i ∈ {0, 1, ...}]
    q(z) = Gamma(a, b)                                [a, b]

With ``S = Σ x_i``:

* ``log p(x|z) = S log z - n z - Σ log(x_i!)``
* ``log Gamma(z; a, b) = a log b - log Γ(a) + (a-1) log z - b z``
* posterior ``p(z|x) = Gamma(a0 + S, b0 + n)``
* evidence ``log p(x) = a0 log b0 - log Γ(a0) + log Γ(a0 + S) - (a0 + S) log(b0 + n) - Σ log(x_i!)``.

Random draws: a0 ∈ [0.5, 10], b0 ∈ [0.2, 5]; n ∈ 1..6 counts in 0..15; a ∈ [0.7, 50], b ∈ [0.1, 20].
Quadrature over ``(0, U]`` where the upper cut ``U = max (a + 12√a + 75)/b`` over the
relevant Gamma densities puts at least e^-75 of their mass beyond (Chernoff bound);
the piece touching 0 uses tanh–sinh.
Fast path: integrals in ``u = log z`` (``dz = z du``), where a Gamma(α, β) weight is the
smooth bump ``α u - β e^u`` (an exponential left tail, a doubly exponential right one).
Special points add q = prior, q = exact posterior, a narrow q (shape 2·10⁴) and a
wide q (shape 0.8, mean 16).
"""
from __future__ import annotations

import math

import mpmath
import numpy as np
from hypothesis import strategies as st
from mpmath import mpf

from .base import EPS, Family, LastValueCache, Latent, drop_breakpoints, gauss_points, to_mpf
from .densities import gamma_const, log_gamma_density


_logz = LastValueCache(mpmath.log)


def log_gamma_pdf(z, a, b, c):
    """c = a log b - log Γ(a)."""
    return log_gamma_density(z, _logz(z), a, b, c)


def gamma_points(a, b):
    c, s = a / b, mpmath.sqrt(a) / b
    pts = [mpf(0)] + [p for p in gauss_points(c, s) if p > 0]
    pts.append((a + 12 * mpmath.sqrt(a) + 75) / b)
    return pts


class _P:
    __slots__ = ("a0", "b0", "n", "S", "a", "b", "an", "bn", "c0", "cq", "cn", "lfact", "logev")


class GammaPoisson(Family):
    __doc__ = __doc__
    name = "gamma-poisson"
    discrete = False
    description = "Gamma prior on a Poisson rate z, n Poisson counts, q = Gamma(a, b)"
    support = (mpf(0), mpmath.inf)
    #: the params keys of the i.i.d. data points (one entry per point), for `iid:` steps
    data_points = ("x",)

    def _prepare(self, params):
        P = _P()
        P.a0, P.b0 = to_mpf(params["a0"]), to_mpf(params["b0"])
        P.a, P.b = to_mpf(params["a"]), to_mpf(params["b"])
        xs = [int(v) for v in params["x"]]
        if not xs or min(xs) < 0 or min(P.a0, P.b0, P.a, P.b) <= 0:
            raise ValueError("gamma-poisson: need >= 1 count >= 0 and positive parameters")
        P.n, P.S = len(xs), sum(xs)
        P.an, P.bn = P.a0 + P.S, P.b0 + P.n
        P.c0, P.cq, P.cn = gamma_const(P.a0, P.b0), gamma_const(P.a, P.b), gamma_const(P.an, P.bn)
        P.lfact = mpmath.fsum(mpmath.loggamma(v + 1) for v in xs)
        P.logev = P.c0 - P.cn - P.lfact
        return P

    def _log_lik(self, P, z):
        return P.S * _logz(z) - P.n * z - P.lfact

    def _log_prior(self, P, z):
        return log_gamma_pdf(z, P.a0, P.b0, P.c0)

    def _log_q(self, P, z):
        return log_gamma_pdf(z, P.a, P.b, P.cq)

    def _log_post(self, P, z):
        return log_gamma_pdf(z, P.an, P.bn, P.cn)

    def _log_evidence(self, P):
        return P.logev

    def _windows(self, P, role):
        a, b = {"prior": (P.a0, P.b0), "q": (P.a, P.b),
                "likelihood": (P.S + 1, mpf(P.n))}.get(role, (P.an, P.bn))
        return gamma_points(a, b)

    # ----- fast path ------------------------------------------------------------------
    fast = True

    def _fast_point(self, params):
        a0, b0, a, b = (float(params[k]) for k in ("a0", "b0", "a", "b"))
        xs = [int(v) for v in params["x"]]
        if not xs or min(xs) < 0 or not min(a0, b0, a, b) > 0 \
                or not all(map(math.isfinite, (a0, b0, a, b))):
            raise ValueError("need >= 1 count >= 0 and positive parameters")
        n, S = len(xs), sum(xs)
        an, bn = a0 + S, b0 + n
        lfact = math.fsum(math.lgamma(v + 1) for v in xs)
        c0 = gamma_const(a0, b0, math.log, math.lgamma)
        cn = gamma_const(an, bn, math.log, math.lgamma)
        return {"a0": a0, "b0": b0, "a": a, "b": b, "nobs": n, "S": S, "an": an, "bn": bn,
                "c0": c0, "cq": gamma_const(a, b, math.log, math.lgamma), "cn": cn, "lfact": lfact,
                "logev": c0 - cn - lfact,
                "logev_scale": abs(a0 * math.log(b0)) + abs(math.lgamma(a0)) + abs(an * math.log(bn))
                + abs(math.lgamma(an)) + lfact}

    def _fast_bound_latent(self, B, z):
        with np.errstate(all="ignore"):
            return Latent(z, np.log(z))

    def _fast_from_u(self, u):
        z = np.exp(u)
        return Latent(z, u), z

    @staticmethod
    def _fast_gamma(L, a, b, c):
        t1, t2 = (a - 1) * L.logz, b * L.z
        return log_gamma_density(L.z, L.logz, a, b, c), 4 * EPS * (abs(c) + abs(t1) + t2 + 1)

    def fast_log(self, B, role, L):
        if role == "evidence":
            return B.logev, 8 * EPS * (1 + B.logev_scale)
        if role == "prior":
            return self._fast_gamma(L, B.a0, B.b0, B.c0)
        if role == "q":
            return self._fast_gamma(L, B.a, B.b, B.cq)
        if role == "posterior":
            return self._fast_gamma(L, B.an, B.bn, B.cn)
        t1, t2 = B.S * L.logz, B.nobs * L.z
        ll, le = t1 - t2 - B.lfact, 4 * EPS * (abs(t1) + t2 + B.lfact + 1)
        if role == "likelihood":
            return ll, le
        lp, lpe = self._fast_gamma(L, B.a0, B.b0, B.c0)   # joint
        return ll + lp, le + lpe

    def _fast_breakpoints(self, B, role):
        al, be = {"prior": (B.a0, B.b0), "q": (B.a, B.b),
                  "likelihood": (B.S + 1, B.nobs)}.get(role, (B.an, B.bn))
        mode = np.log(al / be)

        def drop(t):
            return al * np.expm1(t) - al * t
        return drop_breakpoints(mode, drop, 1 / np.sqrt(al))

    # ----- search space -------------------------------------------------------------
    def posterior_params(self, params):
        P = self.prepared(params)
        return float(P.an), float(P.bn)

    def strategy(self):
        return st.fixed_dictionaries({
            "a0": st.floats(0.5, 10, allow_nan=False),
            "b0": st.floats(0.2, 5, allow_nan=False),
            "x": st.lists(st.integers(0, 15), min_size=1, max_size=6).map(tuple),
            "a": st.floats(0.7, 50, allow_nan=False),
            "b": st.floats(0.1, 20, allow_nan=False),
        })

    def special_points(self):
        bases = [
            {"a0": 2.7, "b0": 0.9, "x": (3, 0, 5, 2)},
            {"a0": 0.6, "b0": 3.3, "x": (11,)},
        ]
        out = []
        for base in bases:
            an, bn = self.posterior_params({**base, "a": 1.0, "b": 1.0})
            out += [
                {**base, "a": base["a0"], "b": base["b0"], "_label": "q = prior"},
                {**base, "a": an, "b": bn, "_label": "q = exact posterior"},
                {**base, "a": 2e4, "b": 2e4 * bn / an, "_label": "very narrow q"},
                {**base, "a": 0.8, "b": 0.05, "_label": "very wide q"},
                {**base, "a": 5.3, "b": 1.7, "_label": "generic q"},
            ]
        return out

    def latent_strategy(self, params):
        P = self.prepared(params)
        hi = float(max(P.an / P.bn, P.a0 / P.b0, P.a / P.b)) * 3 + 1
        return st.floats(0.001, hi, allow_nan=False)

    def latent_special(self, params):
        P = self.prepared(params)
        return float(P.an / P.bn)
