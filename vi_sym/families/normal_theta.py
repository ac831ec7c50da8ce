r"""Normal–Normal with a non-random parameter θ: the log of the prior's scale (EM for a prior
scale, "empirical Bayes"; EM's ``p(x, z | θ)``, PRML §9.4).

Model (params keys in brackets)::

    z | θ ~ N(m0, e^{2θ})                             θ a parameter, not a random variable  [m0]
    x_i | z ~ N(z, σ²),  i = 1..n (n = 1..4)          [sigma, x]
    q(z) = N(m, s²)                                   [q = (m, s)]

θ moves both the mean and the variance of the posterior p(z | x, θ), so a KL between the
posteriors at two values of θ is not symmetric (with θ a prior *mean*, it would be).

A step's declared parameters (``parameters: θ θ0``) are mapped, in header order, onto the
family's two parameter values ``theta = (θ1, θ2)``: ``p(x, z | θ)``, ``p(z | x, θ0)``,
``p(x | θ)`` are the model at that value, in closed form ((x, z) is jointly Gaussian:
``p(x | θ) = N(x; m0 1, σ² I + e^{2θ} 1 1ᵀ)``, ``p(z | x, θ) = N(μ_n(θ), s_n(θ)²)``).  A density of
``p`` without a parameter has no meaning here (which θ?).

Special points: θ1 = θ2 (EM's E-step: ``q = p(z | x, θ_old)`` makes the bound tight), θ1 ≠ θ2,
with q = the exact posterior at θ1 or at θ2, q = prior, a very narrow and a very wide q.
Draws: θ ∈ [-1.5, 1.5]², m0 ∈ [-2, 2], σ ∈ [0.3, 3], x_i ∈ [-4, 4], m ∈ [-4, 4], s ∈ [0.05, 5].
"""
from __future__ import annotations

import math

import mpmath
import numpy as np
from hypothesis import strategies as st

from .bivariate_gaussian import _to_dtype, eval_block, gaussian_blocks, scale
from .multi import DATA_NAME, MultiFamily, bump, num

__all__ = ["NormalTheta"]

SLOTS = ("θ1", "θ2")


def _posterior(params, theta):
    s0, sigma, m0 = math.exp(theta), float(params["sigma"]), float(params["m0"])
    x = [float(v) for v in params["x"]]
    prec = 1 / s0 ** 2 + len(x) / sigma ** 2
    return (m0 / s0 ** 2 + math.fsum(x) / sigma ** 2) / prec, 1 / math.sqrt(prec)


class _P:
    __slots__ = ("model", "var", "bumps", "grids", "theta")


class NormalTheta(MultiFamily):
    __doc__ = __doc__
    name = "normal-normal-theta"
    description = ("Gaussian prior N(m0, e^(2θ)) on the mean z with a non-random parameter θ, n "
                   "Gaussian observations; q = N(m, s²) (EM's p(x, z | θ))")
    latents = ("z",)
    parameters = SLOTS
    #: θ is the prior's: the family cannot stand for a model whose prior is free of its parameters
    #: (a derivation that writes p(z) beside p(x|z, θ), ``Context.fixed``)
    prior_moves_with_parameters = True
    latent_kind = {"z": "real"}
    latent_meaning = {"z": "the mean"}

    def _prepare_point(self, params, dtype):
        exact = dtype != np.float64
        P = _P()
        with mpmath.workdps(30):
            m0, sigma = mpmath.mpf(params["m0"]), mpmath.mpf(params["sigma"])
            x = [mpmath.mpf(v) for v in params["x"]]
            if not x or sigma <= 0:
                raise ValueError("need >= 1 observation and a positive sigma")
            n = len(x)
            P.model = {}
            for slot, t in zip(SLOTS, params["theta"]):
                v0 = mpmath.exp(2 * mpmath.mpf(t))
                cov = [[sigma ** 2 * (i == j) + v0 for j in range(n)] + [v0] for i in range(n)]
                cov.append([v0] * (n + 1))
                blocks = gaussian_blocks([DATA_NAME] * n + ["z"], [m0] * (n + 1), cov, x, exact)
                P.model[slot] = _to_dtype(blocks, dtype)
            m, s = (mpmath.mpf(v) for v in params["q"])
            if s <= 0:
                raise ValueError("q: positive s")
            P.var = {"q": _to_dtype(gaussian_blocks(["z"], [m], [[s * s]], [], exact), dtype)}
            P.theta = tuple(num(dtype, t) for t in params["theta"])
        P.bumps = self._bump_table(params)
        P.grids = {}
        return P

    def _bump_table(self, params):
        model = []
        for t in params["theta"]:
            mun, sn = _posterior(params, float(t))
            model += [bump(params["m0"], math.exp(float(t))), bump(mun, sn)]
        m, s = params["q"]
        return {"z": {"p": model, "q": [bump(m, s)]}}

    def _bumps(self, P, latent):
        return P.bumps[latent]

    def log_marginal(self, P, names, env, theta=None):
        return eval_block(P.model[theta][names], env)

    def log_variational(self, P, name, names, env):
        if name not in P.var:
            raise ValueError(f"no parameters for {name}")
        return eval_block(P.var[name][names], env)

    def parameter_value(self, P, slot):
        return P.theta[SLOTS.index(slot)]

    # ----- search space -------------------------------------------------------------------
    def strategy(self):
        return st.fixed_dictionaries({
            "theta": st.tuples(st.floats(-1.5, 1.5), st.floats(-1.5, 1.5)),
            "m0": st.floats(-2, 2), "sigma": scale(0.3, 3.0),
            "x": st.lists(st.floats(-4, 4), min_size=1, max_size=4).map(tuple),
            "q": st.tuples(st.floats(-4, 4), scale(0.05, 5.0))})

    def special_points(self):
        bases = [({"m0": 0.37, "sigma": 0.8, "x": (0.93, -0.41, 2.17)}, 0.26),
                 ({"m0": -1.7, "sigma": 2.3, "x": (3.1,)}, -0.8),
                 ({"m0": 0.5, "sigma": 0.1, "x": (0.45,)}, -2.3)]    # p(x | θ) > 1: log p(x | θ) > 0
        out = []
        for b, t in bases:
            for theta in ((t, t), (t, t + 1.2)):
                posts = [_posterior(b, t) for t in theta]
                for label, q in [("q = the exact posterior at θ1", posts[0]),
                                 ("q = the exact posterior at θ2", posts[1]),
                                 ("q = prior at θ1", (b["m0"], math.exp(theta[0]))),
                                 ("very narrow q", (posts[0][0] + 0.2, 1e-3)),
                                 ("very wide q", (posts[0][0] - 1.0, 40.0))]:
                    same = "θ1 = θ2" if theta[0] == theta[1] else "θ1 ≠ θ2"
                    out.append({**b, "theta": theta, "q": q, "_label": f"{label}, {same}"})
        return out

    def latent_value(self, params, latent, pick, t):
        mun, sn = _posterior(params, float(params["theta"][0]))
        m, s = params["q"]
        c, w = [(mun, sn), (float(m), float(s)),
                (float(params["m0"]), math.exp(float(params["theta"][0])))][pick % 3]
        return c + t * w

    def latent_special(self, params, latent=None):
        mun, sn = _posterior(params, float(params["theta"][0]))
        return mun + 0.31 * sn

    def vary_factor(self, params, name, latent):
        return None
