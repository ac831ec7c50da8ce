r"""Bivariate Gaussian: two correlated latents with a Gaussian posterior (PRML §10.1.2).

Model (params keys in brackets)::

    (z1, z2) ~ N(m0, S0),  S0 = [[s01², r0 s01 s02], [r0 s01 s02, s02²]]   [m0, S0 = (s01, s02, r0)]
    x_i | z ~ N(a_i · z, σ²),  i = 1..n (n = 1..3)                        [A = (a_1..a_n), sigma, x]
    q(z1, z2) = N((m1, m2), [[s1², ρ s1 s2], [ρ s1 s2, s2²]])             [q = (m1, s1, m2, s2, ρ)]
    r(z1, z2) likewise                                                    [r]

(x, z1, z2) is jointly Gaussian, so every marginal and conditional over a subset of
{x, z1, z2} is a Gaussian in closed form: ``p(x,z1)``, ``p(z1|z2,x)``, ``p(x|z2)``, ``p(x)``…
The posterior p(z1, z2 | x) is Gaussian with precision ``Λ = S0⁻¹ + AᵀA/σ²`` and mean
``μ = Λ⁻¹(S0⁻¹ m0 + Aᵀx/σ²)`` (PRML's target ``N(z | μ, Λ⁻¹)``).

Special points: q = the mean-field CAVI fixed point (PRML (10.12)–(10.15): ``m_j = μ_j``, precision
``Λ_jj``, ρ = 0), q = the exact marginals (variances ``Σ_jj``, ρ = 0), q = the exact posterior
(correlated), q = prior, a very narrow and a very wide q.  Draws: m0 ∈ [-2, 2]², s0j ∈ [0.3, 3],
r0 ∈ [-0.8, 0.8], σ ∈ [0.3, 2], a_i ∈ [-2, 2]², x_i ∈ [-4, 4], m ∈ [-4, 4]², s ∈ [0.05, 5],
ρ = 0 or ∈ [-0.8, 0.8]; ``qb`` is the alternative factor a ``const(q(z1))`` is tested against.
"""
from __future__ import annotations

import math

import mpmath
import numpy as np
from hypothesis import strategies as st

from .multi import DATA_NAME, MultiFamily, bump, num, subsets

__all__ = ["BivariateGaussian", "gaussian_blocks", "scale"]

LAT = ("z1", "z2")


def scale(lo, hi):
    """Log-uniform floats in [lo, hi]."""
    a, b = math.log(lo), math.log(hi)
    return st.floats(a, b, allow_nan=False, allow_infinity=False).map(
        lambda t: float(min(max(math.exp(t), lo), hi)))


def _cov2(s1, s2, rho):
    c = rho * s1 * s2
    return [[s1 * s1, c], [c, s2 * s2]]


def gaussian_blocks(labels, mean, cov, fixed, exact=True):
    """For a Gaussian over coordinates labelled ``labels`` (a latent name, or 'x' for each
    data coordinate) with ``mean`` and ``cov``, and the data values ``fixed`` (in order):
    for every subset S of the variables, the log-density over S as
    ``const + Σ lin_j d_j + Σ quad_jk d_j d_k`` with ``d_j = z_j − mean_j``.  ``exact``:
    in mpmath at the working precision (for the extended-precision evaluation), else numpy
    float64."""
    names = tuple(dict.fromkeys(labels))
    if exact:
        log, pi = mpmath.log, mpmath.pi
    else:
        log, pi = math.log, math.pi
        mean, cov, fixed = np.asarray(mean, float), np.asarray(cov, float), list(map(float, fixed))
    out = {}
    for S in subsets(names):
        if not S:
            continue
        idx = [i for i, lab in enumerate(labels) if lab in S]
        if exact:
            C = mpmath.matrix([[cov[i][j] for j in idx] for i in idx])
            Ci, logdet = C ** -1, mpmath.log(mpmath.det(C))
        else:
            C = cov[np.ix_(idx, idx)]
            Ci, logdet = np.linalg.inv(C), np.linalg.slogdet(C)[1]
        xi = [k for k, i in enumerate(idx) if labels[i] == DATA_NAME]
        zi = [(k, labels[i]) for k, i in enumerate(idx) if labels[i] != DATA_NAME]
        dx = {k: fixed[n] - mean[idx[k]] for n, k in enumerate(xi)}
        const = -(len(idx) * log(2 * pi) + logdet) / 2
        const -= sum(dx[a] * Ci[a, b] * dx[b] for a in xi for b in xi) / 2
        lin = {name: -sum(Ci[k, a] * dx[a] for a in xi) for k, name in zi}
        quad = {(n1, n2): -Ci[k1, k2] / 2 for k1, n1 in zi for k2, n2 in zi}
        means = {name: mean[idx[k]] for k, name in zi}
        out[S] = (const, lin, quad, means)
    return out


def _to_dtype(blocks, dtype):
    return {S: (num(dtype, c), {k: num(dtype, v) for k, v in lin.items()},
                {k: num(dtype, v) for k, v in quad.items()}, {k: num(dtype, v) for k, v in m.items()})
            for S, (c, lin, quad, m) in blocks.items()}


def eval_block(block, env):
    """The log-density of one block of :func:`gaussian_blocks` at the latents of ``env``."""
    const, lin, quad, means = block
    d = {k: env[k] - m for k, m in means.items()}
    out = const
    for k, c in lin.items():
        out = out + c * d[k]
    for (a, b), c in quad.items():
        out = out + c * d[a] * d[b]
    return out


class _P:
    __slots__ = ("model", "var", "bumps", "grids")


def posterior(params):
    """(μ, Λ, Σ) of p(z1, z2 | x), numpy floats."""
    m0 = np.array(params["m0"], dtype=float)
    S0 = np.array(_cov2(*params["S0"]), dtype=float)
    A = np.array(params["A"], dtype=float).reshape(-1, 2)
    x = np.array(params["x"], dtype=float)
    s2 = float(params["sigma"]) ** 2
    S0i = np.linalg.inv(S0)
    Lam = S0i + A.T @ A / s2
    Sig = np.linalg.inv(Lam)
    mu = Sig @ (S0i @ m0 + A.T @ x / s2)
    return mu, Lam, Sig


class BivariateGaussian(MultiFamily):
    __doc__ = __doc__
    name = "bivariate-gaussian"
    description = ("two correlated Gaussian latents z1, z2, linear-Gaussian observations x; "
                   "q, r bivariate Gaussians (mean field where ρ = 0)")
    latents = LAT
    latent_kind = {"z1": "real", "z2": "real"}
    latent_meaning = {"z1": "the first coordinate", "z2": "the second coordinate"}

    def _prepare_point(self, params, dtype):
        exact = dtype != np.float64
        with mpmath.workdps(30):
            m0 = [mpmath.mpf(v) for v in params["m0"]]
            s01, s02, r0 = (mpmath.mpf(v) for v in params["S0"])
            sigma = mpmath.mpf(params["sigma"])
            A = [[mpmath.mpf(a) for a in row] for row in params["A"]]
            x = [mpmath.mpf(v) for v in params["x"]]
            if len(A) != len(x) or not x or min(s01, s02, sigma) <= 0 or abs(r0) >= 1:
                raise ValueError("need one design row per observation, positive scales, |r0| < 1")
            S0 = _cov2(s01, s02, r0)
            n = len(x)
            AS = [[A[i][0] * S0[0][k] + A[i][1] * S0[1][k] for k in range(2)] for i in range(n)]
            cov = [[AS[i][0] * A[j][0] + AS[i][1] * A[j][1] + (sigma ** 2 if i == j else 0)
                    for j in range(n)] + [AS[i][0], AS[i][1]] for i in range(n)]
            cov += [[AS[j][k] for j in range(n)] + [S0[k][0], S0[k][1]] for k in range(2)]
            mean = [A[i][0] * m0[0] + A[i][1] * m0[1] for i in range(n)] + m0
            P = _P()
            P.model = _to_dtype(gaussian_blocks([DATA_NAME] * n + list(LAT), mean, cov, x, exact), dtype)
            P.var = {}
            for name in ("q", "r"):
                if name not in params:
                    continue
                m1, s1, m2, s2, rho = (mpmath.mpf(v) for v in params[name])
                if min(s1, s2) <= 0 or abs(rho) >= 1:
                    raise ValueError(f"{name}: positive scales and |rho| < 1")
                P.var[name] = _to_dtype(gaussian_blocks(list(LAT), [m1, m2], _cov2(s1, s2, rho), [], exact),
                                        dtype)
        P.bumps = self._bump_table(params)
        P.grids = {}
        return P

    def _bump_table(self, params):
        mu, Lam, Sig = posterior(params)
        s01, s02, _ = params["S0"]
        out = {}
        for j, lat in enumerate(LAT):
            model = [bump(float(params["m0"][j]), float((s01, s02)[j])),
                     bump(mu[j], math.sqrt(Sig[j, j])),
                     bump(mu[j], 1 / math.sqrt(Lam[j, j]))]
            out[lat] = {"p": model}
            for name in ("q", "r"):
                if name in params:
                    v = params[name]
                    out[lat][name] = [bump(float(v[2 * j]), float(v[2 * j + 1]))]
        return out

    def log_marginal(self, P, names, env):
        return eval_block(P.model[names], env)

    def log_variational(self, P, name, names, env):
        if name not in P.var:
            raise ValueError(f"no parameters for {name}")
        return eval_block(P.var[name][names], env)

    def _bumps(self, P, latent):
        return P.bumps[latent]

    # ----- search space -------------------------------------------------------------------
    def strategy(self):
        pair = st.tuples(st.floats(-4, 4), scale(0.05, 5.0))
        rho = st.one_of(st.just(0.0), st.floats(-0.8, 0.8))
        row = st.tuples(st.floats(-2, 2), st.floats(-2, 2))
        return st.fixed_dictionaries({
            "m0": st.tuples(st.floats(-2, 2), st.floats(-2, 2)),
            "S0": st.tuples(scale(0.3, 3.0), scale(0.3, 3.0), st.floats(-0.8, 0.8)),
            "sigma": scale(0.3, 2.0),
            "A": st.tuples(row, row, row),
            "x": st.lists(st.floats(-4, 4), min_size=1, max_size=3).map(tuple),
            "q": st.tuples(pair, pair, rho).map(lambda t: (*t[0], *t[1], t[2])),
            "qb": st.tuples(pair, pair).map(lambda t: (*t[0], *t[1])),
            "r": st.tuples(pair, pair).map(lambda t: (*t[0], *t[1], 0.0)),
        }).map(lambda p: {**p, "A": p["A"][:len(p["x"])]})   # one design row per observation

    def special_points(self):
        bases = [
            {"m0": (0.4, -0.3), "S0": (1.3, 0.8, 0.5), "sigma": 0.7,
             "A": ((1.0, 0.6), (-0.4, 1.1)), "x": (0.9, -0.6)},
            {"m0": (-1.0, 1.5), "S0": (0.5, 2.0, -0.7), "sigma": 1.6, "A": ((0.3, 1.7),), "x": (2.5,)},
            # precise prior and data: p(x) > 1, so log p(x) > 0
            {"m0": (0.2, 0.1), "S0": (0.1, 0.12, 0.3), "sigma": 0.1, "A": ((1.0, 0.5),), "x": (0.3,)},
        ]
        out = []
        for b in bases:
            mu, Lam, Sig = posterior(b)
            m1, m2 = float(mu[0]), float(mu[1])
            rho_post = float(Sig[0, 1] / math.sqrt(Sig[0, 0] * Sig[1, 1]))
            cavi = (m1, 1 / math.sqrt(Lam[0, 0]), m2, 1 / math.sqrt(Lam[1, 1]), 0.0)
            extra = {"qb": (m1 + 0.7, 0.4, m2 - 0.3, 1.9), "r": (0.3, 1.1, -0.5, 0.6, 0.0)}
            exact = (m1, math.sqrt(Sig[0, 0]), m2, math.sqrt(Sig[1, 1]))
            s01, s02, _ = b["S0"]
            for label, q in [("q = the mean-field CAVI fixed point", cavi),
                             ("q = the exact marginals", (*exact, 0.0)),
                             ("q = the exact posterior", (*exact, rho_post)),
                             ("q = prior", (b["m0"][0], s01, b["m0"][1], s02, b["S0"][2])),
                             ("very narrow q", (m1 + 0.2, 1e-3, m2 - 0.1, 2e-3, 0.0)),
                             ("very wide q", (m1 - 1.0, 40.0, m2, 30.0, 0.0))]:
                out.append({**b, **extra, "q": q, "_label": label})
        return out

    def latent_value(self, params, latent, pick, t):
        mu, Lam, Sig = posterior(params)
        j = LAT.index(latent)
        q = params["q"]
        centres = [(float(mu[j]), math.sqrt(Sig[j, j])), (float(q[2 * j]), float(q[2 * j + 1])),
                   (float(params["m0"][j]), float(params["S0"][j]))]
        c, s = centres[pick % len(centres)]
        return c + t * s

    def latent_special(self, params, latent=None):
        mu, _, Sig = posterior(params)
        j = LAT.index(latent or "z1")
        return float(mu[j]) + (0.31 if j == 0 else -0.47) * math.sqrt(Sig[j, j])

    def vary_factor(self, params, name, latent):
        if name != "q" or "qb" not in params:
            return None
        j = LAT.index(latent)
        q = list(params["q"])
        q[2 * j], q[2 * j + 1] = params["qb"][2 * j], params["qb"][2 * j + 1]
        return {**params, "q": tuple(q)}
