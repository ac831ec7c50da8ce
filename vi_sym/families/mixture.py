r"""A two-component Gaussian mixture with a discrete assignment (Blei et al. 2017 §3, K = 2).

Model (params keys in brackets)::

    z1 = μ ~ N(0, σ0²)                                 the components' means are +μ and −μ  [s0]
    z2 = c ∈ {1, 2},  P(c = 1) = π                      the assignment of the data point     [pi]
    x | μ, c ~ N(s_c μ, 1),  s_1 = +1, s_2 = −1                                              [x]
    q(μ, c) = N(μ | m, s²) · Cat(c | φ, 1 − φ)          (mean field)                        [q = (m, s, φ)]
    r(μ, c) likewise                                                                        [r]

Sums over c are exact (two terms); every marginal is closed form: ``p(x, c) = π_c N(x | 0,
1 + σ0²)`` (s_c μ has the law of μ), ``p(x) = N(x | 0, 1 + σ0²)``, ``p(x, μ) = p(μ) Σ_c π_c
N(x | s_c μ, 1)``; the posterior p(μ | x, c) is N(s_c x σ0²/(1 + σ0²), σ0²/(1 + σ0²)).

Special points: q = the exact marginals' moments (q(c) = p(c | x) exactly, q(μ) the mean and
variance of p(μ | x)), q = prior, a very narrow q and a sure assignment (φ = 1 − 1e-9).
Draws: σ0 ∈ [0.3, 3], π ∈ [0.05, 0.95], x ∈ [-4, 4], m ∈ [-4, 4], s ∈ [0.05, 5], φ ∈ [0.02, 0.98].
"""
from __future__ import annotations

import math

import mpmath
import numpy as np
from hypothesis import strategies as st

from .bivariate_gaussian import scale
from .multi import DATA_NAME, MultiFamily, bump, num

__all__ = ["GaussianMixture"]


def _post(params):
    """(p(c=1|x), posterior mean of μ given c=1, its sd) as floats."""
    s0, pi, x = float(params["s0"]), float(params["pi"]), float(params["x"])
    v = s0 * s0 / (1 + s0 * s0)
    # p(c | x) ∝ π_c N(x | 0, 1 + σ0²): the same for both c, so p(c | x) = π_c
    return pi, x * v, math.sqrt(v)


class _P:
    __slots__ = ("c", "var", "bumps", "grids")


class GaussianMixture(MultiFamily):
    __doc__ = __doc__
    name = "gaussian-mixture"
    description = ("two Gaussian components with means +μ and −μ, one data point with a discrete "
                   "assignment c ∈ {1, 2}; q(μ, c) = N(m, s²) Cat(φ)")
    latents = ("z1", "z2")
    latent_kind = {"z1": "real", "z2": "discrete"}
    latent_meaning = {"z1": "the components' mean μ", "z2": "the assignment c"}

    def _prepare_point(self, params, dtype):
        with mpmath.workdps(30):
            s0, pi, x = (mpmath.mpf(params[k]) for k in ("s0", "pi", "x"))
            if s0 <= 0 or not 0 < pi < 1:
                raise ValueError("need s0 > 0 and 0 < pi < 1")
            l2pi = mpmath.log(2 * mpmath.pi)
            c = {"s0": s0, "ls0": mpmath.log(s0), "l2pi": l2pi, "x": x,
                 "lpi1": mpmath.log(pi), "lpi2": mpmath.log1p(-pi),
                 "lev": -(l2pi + mpmath.log1p(s0 * s0)) / 2 - x * x / (2 * (1 + s0 * s0))}
            P = _P()
            P.c = {k: num(dtype, v) for k, v in c.items()}
            P.var = {}
            for name in ("q", "r"):
                if name in params:
                    m, s, phi = (mpmath.mpf(v) for v in params[name])
                    if s <= 0 or not 0 < phi < 1:
                        raise ValueError(f"{name}: s > 0 and 0 < phi < 1")
                    P.var[name] = {k: num(dtype, v) for k, v in {
                        "m": m, "s": s, "nc": -l2pi / 2 - mpmath.log(s),
                        "l1": mpmath.log(phi), "l2": mpmath.log1p(-phi)}.items()}
        P.bumps = self._bump_table(params)
        P.grids = {}
        return P

    def _bump_table(self, params):
        _, mu, sd = _post(params)
        out = {"p": [bump(0.0, params["s0"]), bump(mu, sd), bump(-mu, sd)]}
        for name in ("q", "r"):
            if name in params:
                out[name] = [bump(params[name][0], params[name][1])]
        return {"z1": out}

    def _bumps(self, P, latent):
        return P.bumps[latent]

    def discrete_support(self, P, latent):
        return (1, 2) if latent == "z2" else None

    def in_domain(self, latent, v) -> bool:
        return v in (1, 2) if latent == "z2" else bool(np.isfinite(v))

    @staticmethod
    def _sign_and_logpi(c, cval):
        first = cval == 1
        return np.where(first, 1, -1), np.where(first, c["lpi1"], c["lpi2"])

    def log_marginal(self, P, names, env):
        c = P.c
        has_x, has_mu, has_c = DATA_NAME in names, "z1" in names, "z2" in names
        out = 0
        if has_mu:
            mu = env["z1"]
            out = out - c["l2pi"] / 2 - c["ls0"] - mu * mu / (2 * c["s0"] ** 2)
        if has_c:
            sign, lpi = self._sign_and_logpi(c, env["z2"])
            out = out + lpi
        if not has_x:
            return out
        if has_mu and has_c:
            d = c["x"] - sign * mu
            return out - c["l2pi"] / 2 - d * d / 2
        if has_mu:                 # Σ_c π_c N(x | s_c μ, 1), in log space
            a = c["lpi1"] - (c["x"] - mu) ** 2 / 2
            b = c["lpi2"] - (c["x"] + mu) ** 2 / 2
            return out - c["l2pi"] / 2 + np.logaddexp(a, b)
        return out + c["lev"]      # p(x, c) = π_c p(x); p(x)

    def log_variational(self, P, name, names, env):
        if name not in P.var:
            raise ValueError(f"no parameters for {name}")
        v = P.var[name]
        out = 0
        if "z1" in names:
            d = (env["z1"] - v["m"]) / v["s"]
            out = out + v["nc"] - d * d / 2
        if "z2" in names:
            out = out + np.where(env["z2"] == 1, v["l1"], v["l2"])
        return out

    # ----- search space -------------------------------------------------------------------
    def strategy(self):
        fac = st.tuples(st.floats(-4, 4), scale(0.05, 5.0), st.floats(0.02, 0.98))
        return st.fixed_dictionaries({
            "s0": scale(0.3, 3.0), "pi": st.floats(0.05, 0.95), "x": st.floats(-4, 4),
            "q": fac, "qb": fac, "r": fac})

    def special_points(self):
        out = []
        for b in ({"s0": 1.3, "pi": 0.3, "x": 1.7}, {"s0": 0.4, "pi": 0.8, "x": -2.2}):
            pc, mu, sd = _post(b)
            mean = (2 * pc - 1) * mu                            # E[μ | x]
            var = sd * sd + mu * mu - mean * mean
            extra = {"qb": (mean + 0.9, 0.5, 0.15), "r": (0.4, 1.2, 0.6)}
            for label, q in [("q = the posterior's moments, q(c) = p(c | x)", (mean, math.sqrt(var), pc)),
                             ("q = prior", (0.0, b["s0"], b["pi"])),
                             ("very narrow q", (mu, 1e-3, 0.5)),
                             ("a sure assignment", (mu, sd, 1 - 1e-9))]:
                out.append({**b, **extra, "q": q, "_label": label})
        return out

    def latent_value(self, params, latent, pick, t):
        if latent == "z2":
            return 1 + (pick % 2)
        _, mu, sd = _post(params)
        m, s, _ = params["q"]
        c, w = [(mu, sd), (float(m), float(s)), (-mu, sd)][pick % 3]
        return c + t * w

    def latent_special(self, params, latent=None):
        if latent == "z2":
            return 1
        _, mu, sd = _post(params)
        return mu + 0.31 * sd

    def vary_factor(self, params, name, latent):
        if name != "q" or "qb" not in params:
            return None
        q, qb = list(params["q"]), params["qb"]
        if latent == "z1":
            q[0], q[1] = qb[0], qb[1]
        else:
            q[2] = qb[2]
        return {**params, "q": tuple(q)}
