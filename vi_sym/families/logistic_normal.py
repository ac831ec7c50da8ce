r"""Logistic–Normal: a scalar logistic-regression weight z with a Gaussian prior (non-conjugate).

Model (params keys in brackets)::

    z ~ N(m0, s0^2)                                          [m0, s0]
    y_i | z ~ Bernoulli(σ(z t_i)),  i = 1..n (independent)   [t = (t_1..t_n) features,
                                                               y = (y_1..y_n) ∈ {0, 1} labels]
    q(z) = N(m, s^2)                                         [m, s]

The data set x is the labelled set {(t_i, y_i)}.  With ``σ(u) = 1/(1+e^-u)``:

* ``log p(x|z) = Σ_i log σ((2y_i - 1) t_i z)``, each term computed stably as
  ``-log(1+e^-u)`` (u ≥ 0) or ``u - log(1+e^u)`` (u < 0)
* ``log p(z) = log N(z; m0, s0²)``
* evidence ``p(x) = ∫ p(x|z) p(z) dz`` has no closed form: it is computed by
  adaptive Gauss–Legendre quadrature over ``m0 ± 12 s0`` (since ``p(x|z) ≤ 1``
  the posterior's tails are below the prior's divided by ``p(x)``) with relative
  error ≲ 1e-12; that estimate, plus 1e-14 for the double-precision integrand,
  is kept as the error of ``log p(x)``; the posterior mean and sd come from the
  same quadrature (they place the posterior's integration window);
* posterior ``log p(z|x) = log p(x|z) + log p(z) - log p(x)`` (same error).
Normalisers and posterior moments are cached per params.

Fast path (float64, vectorised): the same quadrature on fixed composite Gauss–Legendre
grids at two resolutions, summed in log space; their difference (+1e-14) is the error
of ``log p(x)`` there.

The exact posterior is not Gaussian, so "q = exact posterior" is replaced among the
special points by the Gaussian with the posterior's mean and variance.

Random draws: m0 ∈ [-2, 2], s0 ∈ [0.3, 3]; n ∈ 1..6 points with t_i ∈ [-3, 3], y_i ∈ {0,1};
m ∈ [-4, 4], s ∈ [0.05, 4].  Special points add q = prior, the moment-matched q,
s = 1e-3 and s = 30.
"""
from __future__ import annotations

import math

import mpmath
import numpy as np
from hypothesis import strategies as st
from mpmath import mpf

from ..numeric import integrate
from .base import (EPS, Family, freeze, gauss_breakpoints, gauss_points, log_normal, log_normal_f64,
                   normal_const, softplus, to_mpf)

#: breakpoints (in units of 1/max|u_i|) resolving the bend of every log σ(u_i z) at z = 0,
#: geometric so that no panel reaches close to the poles at z = ±iπ/u_i
_KINKS = np.array([-300.0, -125.0, -50.0, -20.0, -8.0, -3.0, -1.0, 0.0,
                   1.0, 3.0, 8.0, 20.0, 50.0, 125.0, 300.0])


def log_sigmoid(u):
    """log σ(u) without overflow; absolute error ~ machine epsilon (the +1 may absorb e^-|u|)."""
    if u >= 0:
        return -mpmath.log(1 + mpmath.exp(-u))
    return u - mpmath.log(1 + mpmath.exp(u))


class _P:
    __slots__ = ("m0", "s0", "u", "m", "s", "logev", "ev_err", "pmean", "psd", "c0", "cq")


def _scale(lo, hi):
    a, b = math.log(lo), math.log(hi)
    return st.floats(a, b, allow_nan=False).map(lambda t: float(min(max(math.exp(t), lo), hi)))


class LogisticNormal(Family):
    __doc__ = __doc__
    name = "logistic-normal"
    discrete = False
    description = ("Bernoulli-logistic likelihood, Gaussian prior on a scalar weight z, q = N(m, s^2); "
                   "evidence and posterior by quadrature")
    support = (-mpmath.inf, mpmath.inf)
    #: the params keys of the i.i.d. data points (one entry per point), for `iid:` steps
    data_points = ("t", "y")

    def _prepare(self, params):
        P = _P()
        P.m0, P.s0 = to_mpf(params["m0"]), to_mpf(params["s0"])
        P.m, P.s = to_mpf(params["m"]), to_mpf(params["s"])
        ts, ys = list(params["t"]), [int(v) for v in params["y"]]
        if not ts or len(ts) != len(ys) or any(v not in (0, 1) for v in ys) or min(P.s0, P.s) <= 0:
            raise ValueError("logistic-normal: need n >= 1 (t_i, y_i) pairs, y_i in {0,1}, positive scales")
        P.u = [to_mpf(t) * (2 * y - 1) for t, y in zip(ts, ys)]
        P.c0, P.cq = normal_const(P.s0), normal_const(P.s)
        self._normalise(P)
        return P

    def _loglik(self, P, z):
        return mpmath.fsum(log_sigmoid(u * z) for u in P.u)

    def _normalise(self, P):
        """log p(x), its error, and the posterior mean / sd, by quadrature.

        The integrand ``p(x|z) p(z) / max`` lies in [0, 1]; it is evaluated in double
        precision (relative accuracy ~1e-15, far below any spot-check tolerance, and
        ~50x faster than mpmath), the quadrature sums in mpmath.
        """
        us = [float(u) for u in P.u]
        m0, s0 = float(P.m0), float(P.s0)
        c0 = normal_const(s0, math.log, math.pi)

        def h(z):
            acc = log_normal(z, m0, s0, c0)
            for u in us:
                v = u * z
                acc += -math.log1p(math.exp(-v)) if v >= 0 else v - math.log1p(math.exp(v))
            return acc

        grid = [m0 + k * s0 / 4 for k in range(-48, 49)]
        hs = [h(z) for z in grid]
        shift = max(hs)
        # Riemann-sum estimate of Z (only used to scale the quadrature target)
        Z0 = mpf(math.fsum(math.exp(v - shift) for v in hs) * s0 / 4)
        memo = {}

        def dens(z):
            v = memo.get(z)
            if v is None:
                v = memo[z] = math.exp(h(float(z)) - shift)
            return v

        pts = gauss_points(P.m0, P.s0)
        Z, eZ, _ = integrate(lambda z: (dens(z), 0), pts, eps=Z0 * mpf("1e-12"), gl_maxdegree=6)
        M1, _, _ = integrate(lambda z: (z * dens(z), 0), pts, eps=Z0 * P.s0 * mpf("1e-9"))
        M2, _, _ = integrate(lambda z: (z * z * dens(z), 0), pts,
                             eps=Z0 * (P.s0 ** 2 + P.m0 ** 2) * mpf("1e-9"))
        mean = M1 / Z
        P.logev = mpmath.log(Z) + shift
        P.ev_err = eZ / Z + mpf("1e-14")
        P.pmean, P.psd = mean, mpmath.sqrt(max(M2 / Z - mean * mean, mpf(0)))

    def _log_lik(self, P, z):
        return self._loglik(P, z)

    def _log_prior(self, P, z):
        return log_normal(z, P.m0, P.s0, P.c0)

    def _log_q(self, P, z):
        return log_normal(z, P.m, P.s, P.cq)

    def _log_post(self, P, z):
        return self._loglik(P, z) + log_normal(z, P.m0, P.s0, P.c0) - P.logev

    def _log_evidence(self, P):
        return P.logev

    def _log_error(self, P, role):
        return P.ev_err if role in ("evidence", "posterior") else mpf(0)

    def _windows(self, P, role):
        if role == "q":
            return gauss_points(P.m, P.s)
        pts = gauss_points(P.m0, P.s0)
        if role in ("joint", "posterior"):
            pts += gauss_points(P.pmean, P.psd)
        return pts

    def _extra_points(self, P, roles):
        # every log σ(u_i z) bends at z = 0 over a width 1/|u_i|: resolve the bend
        # when a window is much wider than it
        um = max(abs(u) for u in P.u)
        sds = {"q": P.s, "prior": P.s0, "likelihood": P.s0}
        widest = max(sds.get(r, max(P.s0, P.psd)) for r in roles)
        if um == 0 or widest * um < 3:
            return ()
        return [k / um for k in (-8, -3, -1, 0, 1, 3, 8)]

    # ----- fast path ------------------------------------------------------------------
    fast = True

    def _fast_point(self, params):
        m0, s0, m, s = (float(params[k]) for k in ("m0", "s0", "m", "s"))
        ts, ys = [float(t) for t in params["t"]], [int(v) for v in params["y"]]
        if not ts or len(ts) != len(ys) or any(v not in (0, 1) for v in ys) or not min(s0, s) > 0 \
                or not all(map(math.isfinite, ts + [m0, s0, m, s])):
            raise ValueError("need n >= 1 (t_i, y_i) pairs, y_i in {0,1}, positive scales")
        u = tuple(t * (2 * y - 1) for t, y in zip(ts, ys))
        return {"m0": m0, "s0": s0, "m": m, "s": s, "u": u, "umax": max(abs(v) for v in u),
                "c0": normal_const(s0, math.log, math.pi), "cq": normal_const(s, math.log, math.pi)}

    @staticmethod
    def _fast_loglik(B, z):
        v = -softplus(-(z[:, :, None] * B.u[:, None, :]))
        v = np.where(B.u_mask[:, None, :], v, 0.0)
        ll = v.sum(axis=2)
        return ll, 4 * EPS * (abs(v).sum(axis=2) + 1) * B.u.shape[1]

    @staticmethod
    def _fast_normal(z, mu, s, c):
        return log_normal_f64(z, mu, s, c, EPS)

    def _fast_finish(self, B):
        """log p(x), its error and the posterior's mean and sd, by quadrature over the prior's
        window (with the kinks of the log σ terms as breakpoints), in log space."""
        G = self.fast_grid(B, ("prior",))
        z = G.L.z[:, :G.M]
        h = self._fast_loglik(B, z)[0] + self._fast_normal(z, B.m0, B.s0, B.c0)[0]
        h = h.reshape(B.n, G.P, G.n1 + G.n2)
        with np.errstate(all="ignore"):
            l1 = (h[:, :, :G.n1] + np.log(G.W1)).reshape(B.n, -1)
            l2 = (h[:, :, G.n1:] + np.log(G.W2)).reshape(B.n, -1)
            shift = np.max(l2, axis=1, keepdims=True)
            Z1 = np.exp(l1 - shift).sum(axis=1, keepdims=True)
            w = np.exp(l2 - shift)
            Z2 = w.sum(axis=1, keepdims=True)
            logev = shift + np.log(Z2)
            B.logev = logev
            B.ev_err = abs(np.log(Z2) - np.log(Z1)) + 1e-14 + 16 * EPS * (1 + abs(logev))
            zz = z.reshape(B.n, G.P, G.n1 + G.n2)[:, :, G.n1:].reshape(B.n, -1)
            p = w / Z2
            mean = (p * zz).sum(axis=1, keepdims=True)
            B.pmean = mean
            B.psd = np.sqrt(np.maximum((p * (zz - mean) ** 2).sum(axis=1, keepdims=True), 0.0))
        B.ev_err = np.where(np.isfinite(B.ev_err), B.ev_err, np.inf)

    def fast_log(self, B, role, L):
        if role == "evidence":
            return B.logev, B.ev_err
        z = L.z
        if role == "prior":
            return self._fast_normal(z, B.m0, B.s0, B.c0)
        if role == "q":
            return self._fast_normal(z, B.m, B.s, B.cq)
        ll, le = self._fast_loglik(B, z)
        if role == "likelihood":
            return ll, le
        lp, lpe = self._fast_normal(z, B.m0, B.s0, B.c0)
        if role == "joint":
            return ll + lp, le + lpe
        return ll + lp - B.logev, le + lpe + B.ev_err    # posterior

    def _fast_breakpoints(self, B, role):
        if role == "q":
            return gauss_breakpoints(B.m, B.s)
        pts = gauss_breakpoints(B.m0, B.s0)
        if role in ("joint", "posterior"):
            pts = np.concatenate([pts, gauss_breakpoints(B.pmean, B.psd)], axis=1)
        return pts

    def _fast_extra_breakpoints(self, B, roles):
        with np.errstate(all="ignore"):
            return np.where(B.umax > 0, _KINKS / B.umax, 0.0)

    def _fast_moments(self, params):
        """(mean, sd) of the exact posterior in float64 (fast quadrature), cached."""
        key = ("fast-moments", freeze(params))
        r = self._cache.get(key)
        if r is None:
            B = self.fast_batch([params])
            if B.invalid:
                raise ValueError(B.invalid[0])
            r = (float(B.pmean[0, 0]), float(B.psd[0, 0]))
            if len(self._cache) >= self._CACHE_MAX:
                self._cache.clear()
            self._cache[key] = r
        return r

    # ----- search space -------------------------------------------------------------
    def posterior_moments(self, params):
        """(mean, sd) of the exact (non-Gaussian) posterior, as floats."""
        return self._fast_moments(params)

    def strategy(self):
        return st.integers(1, 6).flatmap(lambda n: st.fixed_dictionaries({
            "m0": st.floats(-2, 2, allow_nan=False),
            "s0": _scale(0.3, 3.0),
            "t": st.lists(st.floats(-3, 3, allow_nan=False), min_size=n, max_size=n).map(tuple),
            "y": st.lists(st.integers(0, 1), min_size=n, max_size=n).map(tuple),
            "m": st.floats(-4, 4, allow_nan=False),
            "s": _scale(0.05, 4.0),
        }))

    def special_points(self):
        bases = [
            {"m0": 0.21, "s0": 1.4, "t": (1.3, -0.7, 2.2, 0.4), "y": (1, 0, 1, 0)},
            {"m0": -0.8, "s0": 2.6, "t": (2.9, 2.1, -1.7), "y": (1, 1, 0)},
        ]
        out = []
        for base in bases:
            mu, sd = self.posterior_moments({**base, "m": 0.0, "s": 1.0})
            out += [
                {**base, "m": base["m0"], "s": base["s0"], "_label": "q = prior"},
                {**base, "m": mu, "s": sd,
                 "_label": "q = Gaussian with the exact posterior's mean and variance"},
                {**base, "m": mu + 0.1, "s": 1e-3, "_label": "very narrow q"},
                {**base, "m": mu - 1.0, "s": 30.0, "_label": "very wide q"},
                {**base, "m": -2.7, "s": 0.41, "_label": "generic q"},
            ]
        return out

    def latent_strategy(self, params):
        pm, ps = self._fast_moments(params)
        centres = [(float(params["m0"]), float(params["s0"])), (pm, ps),
                   (float(params["m"]), float(params["s"]))]
        return st.tuples(st.sampled_from(centres), st.floats(-4, 4, allow_nan=False)).map(
            lambda t: t[0][0] + t[1] * t[0][1])

    def latent_special(self, params):
        pm, ps = self._fast_moments(params)
        return pm + 0.29 * ps
