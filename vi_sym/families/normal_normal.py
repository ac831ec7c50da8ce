r"""Normal–Normal: unknown mean z with a Gaussian prior, Gaussian observations of known scale.

Model (params keys in brackets)::

    z ~ N(m0, s0^2)                                   [m0, s0]
    x_i | z ~ N(z, sigma^2),  i = 1..n (iid)          [sigma, x = (x_1..x_n)]
    q(z) = N(m, s^2)                                  [m, s]

Densities (log space):

* ``log p(x|z) = -n/2 log(2π σ²) - (Σ(x_i - x̄)² + n (z - x̄)²) / (2σ²)``
* ``log p(z)   = log N(z; m0, s0²)``
* posterior ``p(z|x) = N(μ_n, s_n²)`` with ``1/s_n² = 1/s0² + n/σ²`` and
  ``μ_n = s_n² (m0/s0² + Σx_i/σ²)``
* evidence: ``x ~ N(m0·1, σ² I + s0² 1 1ᵀ)``; with ``d_i = x_i - m0`` and
  Sherman–Morrison,
  ``log p(x) = -n/2 log(2π) - n/2 log σ² - ½ log(1 + n s0²/σ²)
  - (Σd_i² - s0² (Σd_i)² / (σ² + n s0²)) / (2σ²)``
  (an independent closed form, *not* computed as joint/posterior).

Random draws: m0 ∈ [-3, 3], s0 ∈ [0.3, 3], σ ∈ [0.3, 3] (scales log-uniform-ish),
n ∈ 1..5 observations x_i ∈ [-5, 5], m ∈ [-4, 4], s ∈ [0.05, 5].
Special points add q = prior, q = exact posterior, s = 1e-3 and s = 50.
"""
from __future__ import annotations

import math

import mpmath
from hypothesis import strategies as st

from .base import (EPS, Family, gauss_breakpoints, gauss_points, log_normal, log_normal_f64,
                   normal_const, to_mpf)



class _P:
    __slots__ = ("m0", "s0", "sigma", "n", "xbar", "ssc", "m", "s", "mun", "sn", "logev",
                 "lik_const", "lik_sd", "c0", "cq", "cn", "h2s2")


def _scale(lo, hi):
    """Log-uniform-ish floats in [lo, hi] (shrinks towards 1 when 1 is inside)."""
    a, b = math.log(lo), math.log(hi)
    return st.floats(a, b, allow_nan=False, allow_infinity=False).map(
        lambda t: float(min(max(math.exp(t), lo), hi)))


class NormalNormal(Family):
    __doc__ = __doc__
    name = "normal-normal"
    discrete = False
    description = "Gaussian prior on the mean z, n Gaussian observations with known sigma, q = N(m, s^2)"
    support = (-mpmath.inf, mpmath.inf)
    #: the params keys of the i.i.d. data points (one entry per point), for `iid:` steps
    data_points = ("x",)

    def _prepare(self, params):
        P = _P()
        P.m0, P.s0, P.sigma = to_mpf(params["m0"]), to_mpf(params["s0"]), to_mpf(params["sigma"])
        P.m, P.s = to_mpf(params["m"]), to_mpf(params["s"])
        xs = [to_mpf(v) for v in params["x"]]
        if not xs or min(P.s0, P.sigma, P.s) <= 0:
            raise ValueError("normal-normal: need >= 1 observation and positive scales")
        n = P.n = len(xs)
        P.xbar = mpmath.fsum(xs) / n
        P.ssc = mpmath.fsum((v - P.xbar) ** 2 for v in xs)
        s2 = P.sigma ** 2
        prec = 1 / P.s0 ** 2 + n / s2
        P.sn = 1 / mpmath.sqrt(prec)
        P.mun = (P.m0 / P.s0 ** 2 + n * P.xbar / s2) / prec
        P.lik_const = -n * mpmath.log(2 * mpmath.pi * s2) / 2
        P.lik_sd = P.sigma / mpmath.sqrt(n)
        P.c0, P.cq, P.cn = normal_const(P.s0), normal_const(P.s), normal_const(P.sn)
        P.h2s2 = 1 / (2 * s2)
        t0 = P.s0 ** 2
        # Σd² - t0 (Σd)² / (σ² + n t0) = ssc + n (x̄ - m0)² σ² / (σ² + n t0): no cancellation
        P.logev = (-n * mpmath.log(2 * mpmath.pi) / 2 - n * mpmath.log(s2) / 2
                   - mpmath.log1p(n * t0 / s2) / 2
                   - P.ssc / (2 * s2) - n * (P.xbar - P.m0) ** 2 / (2 * (s2 + n * t0)))
        return P

    def _log_lik(self, P, z):
        d = z - P.xbar
        return P.lik_const - (P.ssc + P.n * d * d) * P.h2s2

    def _log_prior(self, P, z):
        return log_normal(z, P.m0, P.s0, P.c0)

    def _log_q(self, P, z):
        return log_normal(z, P.m, P.s, P.cq)

    def _log_post(self, P, z):
        return log_normal(z, P.mun, P.sn, P.cn)

    def _log_evidence(self, P):
        return P.logev

    def _windows(self, P, role):
        if role == "prior":
            return gauss_points(P.m0, P.s0)
        if role == "q":
            return gauss_points(P.m, P.s)
        if role == "likelihood":
            return gauss_points(P.xbar, P.lik_sd)
        return gauss_points(P.mun, P.sn)  # joint, posterior

    # ----- fast path ------------------------------------------------------------------
    fast = True

    def _fast_point(self, params):
        m0, s0, sigma = float(params["m0"]), float(params["s0"]), float(params["sigma"])
        m, s = float(params["m"]), float(params["s"])
        xs = [float(v) for v in params["x"]]
        if not xs or min(s0, sigma, s) <= 0 or not all(map(math.isfinite, xs + [m0, s0, sigma, m, s])):
            raise ValueError("need >= 1 observation and positive scales")
        n = len(xs)
        xbar = math.fsum(xs) / n
        ssc = math.fsum((v - xbar) ** 2 for v in xs)
        s2 = sigma * sigma
        prec = 1 / s0 ** 2 + n / s2
        sn = 1 / math.sqrt(prec)
        t0 = s0 * s0
        logev = (n * normal_const(sigma, math.log, math.pi) - math.log1p(n * t0 / s2) / 2
                 - ssc / (2 * s2) - n * (xbar - m0) ** 2 / (2 * (s2 + n * t0)))
        return {"m0": m0, "s0": s0, "m": m, "s": s, "nobs": n, "xbar": xbar, "ssc": ssc,
                "h2s2": 1 / (2 * s2), "lik_const": n * normal_const(sigma, math.log, math.pi),
                "lik_sd": sigma / math.sqrt(n),
                "mun": (m0 / t0 + n * xbar / s2) / prec, "sn": sn,
                "c0": normal_const(s0, math.log, math.pi), "cq": normal_const(s, math.log, math.pi),
                "cn": normal_const(sn, math.log, math.pi), "logev": logev}

    @staticmethod
    def _fast_normal(z, mu, s, c):
        return log_normal_f64(z, mu, s, c, EPS)

    def fast_log(self, B, role, L):
        if role == "evidence":
            return B.logev, 8 * EPS * (1 + abs(B.logev))
        z = L.z
        if role == "prior":
            return self._fast_normal(z, B.m0, B.s0, B.c0)
        if role == "q":
            return self._fast_normal(z, B.m, B.s, B.cq)
        if role == "posterior":
            return self._fast_normal(z, B.mun, B.sn, B.cn)
        d = z - B.xbar
        h = (B.ssc + B.nobs * d * d) * B.h2s2
        ll, le = B.lik_const - h, 4 * EPS * (abs(B.lik_const) + h + 1)
        if role == "likelihood":
            return ll, le
        lp, lpe = self._fast_normal(z, B.m0, B.s0, B.c0)   # joint
        return ll + lp, le + lpe

    def _fast_breakpoints(self, B, role):
        c, s = {"prior": (B.m0, B.s0), "q": (B.m, B.s),
                "likelihood": (B.xbar, B.lik_sd)}.get(role, (B.mun, B.sn))
        return gauss_breakpoints(c, s)

    # ----- search space -------------------------------------------------------------
    def posterior_params(self, params):
        """(μ_n, s_n) of the exact posterior, as floats."""
        P = self.prepared(params)
        return float(P.mun), float(P.sn)

    def strategy(self):
        return st.fixed_dictionaries({
            "m0": st.floats(-3, 3, allow_nan=False),
            "s0": _scale(0.3, 3.0),
            "sigma": _scale(0.3, 3.0),
            "x": st.lists(st.floats(-5, 5, allow_nan=False), min_size=1, max_size=5).map(tuple),
            "m": st.floats(-4, 4, allow_nan=False),
            "s": _scale(0.05, 5.0),
        })

    def special_points(self):
        bases = [
            {"m0": 0.37, "s0": 1.3, "sigma": 0.8, "x": (0.93, -0.41, 2.17)},
            {"m0": -1.7, "s0": 0.45, "sigma": 2.3, "x": (3.1,)},
            # a precise prior and observation: p(x) > 1 and p(x|z) > 1 near x, so log p(x) and
            # E_q[log p(x|z)] are positive (a step true only while they are negative fails here)
            {"m0": 0.5, "s0": 0.1, "sigma": 0.1, "x": (0.45,)},
        ]
        out = []
        for b in bases:
            mun, sn = self.posterior_params({**b, "m": 0.0, "s": 1.0})
            out += [
                {**b, "m": b["m0"], "s": b["s0"], "_label": "q = prior"},
                {**b, "m": mun, "s": sn, "_label": "q = exact posterior"},
                {**b, "m": mun + 0.2, "s": 1e-3, "_label": "very narrow q"},
                {**b, "m": mun - 1.0, "s": 50.0, "_label": "very wide q"},
                {**b, "m": 2.9, "s": 0.37, "_label": "generic q"},
            ]
        return out

    def latent_strategy(self, params):
        P = self.prepared(params)
        centres = [(float(P.m0), float(P.s0)), (float(P.mun), float(P.sn)), (float(P.m), float(P.s))]
        return st.tuples(st.sampled_from(centres), st.floats(-4, 4, allow_nan=False)).map(
            lambda t: t[0][0] + t[1] * t[0][1])

    def latent_special(self, params):
        P = self.prepared(params)
        return float(P.mun) + 0.31 * float(P.sn)
