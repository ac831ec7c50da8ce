r"""Normal–Gamma: unknown mean z1 = μ and precision z2 = τ of Gaussian data (PRML §10.1.3).

Model (params keys in brackets)::

    τ ~ Gam(a0, b0)                       (shape, rate)      [a0, b0]
    μ | τ ~ N(μ0, (λ0 τ)⁻¹)                                  [mu0, lam0]
    x_i | μ, τ ~ N(μ, τ⁻¹),  i = 1..n (n = 1..5)              [x]
    q(μ, τ) = N(μ | m, s²) Gam(τ | a, b)   (mean field)      [q = (m, s, a, b)]
    r(μ, τ) likewise                                          [r]

Every marginal over a subset of {x, μ, τ} is closed form: ``p(μ)`` is a Student-t
(``2a0`` degrees of freedom, scale² ``b0/(a0 λ0)``); ``p(x, τ) = Gam(τ) N(x | μ0 1, τ⁻¹(I +
11ᵀ/λ0))``; ``p(x, μ) = ∫ p(x, μ, τ) dτ = (2π)^{-(n+1)/2} λ0^{1/2} b0^{a0} Γ(a0 + (n+1)/2) /
(Γ(a0) (b0 + Q/2)^{a0+(n+1)/2})`` with ``Q = Σ(x_i − μ)² + λ0 (μ − μ0)²``; and the evidence
``p(x) = (2π)^{-n/2} (λ0/λn)^{1/2} Γ(an) b0^{a0} / (Γ(a0) bn^{an})`` with ``λn = λ0 + n``,
``an = a0 + n/2``, ``bn = b0 + (Σ(x_i − x̄)² + λ0 n (x̄ − μ0)²/λn)/2`` -- an independent closed
form, not computed as joint/posterior.  τ is integrated in u = log τ.

Special points: q = the CAVI fixed point of PRML (10.26)–(10.30) (the coupled updates iterated
to convergence), q(τ) = the exact marginal Gam(an, bn) with q(μ) matching the posterior's
mean and variance, q = prior-like, a very narrow and a very wide q.  Draws: μ0 ∈ [-2, 2],
λ0 ∈ [0.2, 5], a0 ∈ [0.6, 10], b0 ∈ [0.2, 5], x_i ∈ [-4, 4], m ∈ [-4, 4], s ∈ [0.05, 5],
a ∈ [0.6, 20], b ∈ [0.1, 10]; ``qb`` is the other factor a ``const(q(z1))`` is tested against.
"""
from __future__ import annotations

import math

import mpmath
import numpy as np
from hypothesis import strategies as st

from .bivariate_gaussian import scale
from .multi import DATA_NAME, MultiFamily, bump, heavy_bump, num

__all__ = ["NormalGamma", "gamma_bump", "cavi_fixed_point"]

LAT = ("z1", "z2")
_DROPS = (2.0, 12.5, 40.5)


def gamma_bump(a, b):
    """Breakpoints in u = log τ of Gam(a, b): its log-density in u, a·u − b·e^u, falls by
    a(e^t − 1 − t) at t from its mode log(a/b); the points where it has fallen by 2, 12.5, 40.5."""
    a, b = float(a), float(b)
    mode = math.log(a / b)
    out = [mode]
    for side in (-1.0, 1.0):
        for D in _DROPS:
            lo, hi = 0.0, 1.0
            while a * (math.expm1(side * hi) - side * hi) < D:
                hi *= 2
            for _ in range(60):
                mid = (lo + hi) / 2
                if a * (math.expm1(side * mid) - side * mid) < D:
                    lo = mid
                else:
                    hi = mid
            out.append(mode + side * hi)
    return sorted(out)


def _posterior(params):
    mu0, lam0, a0, b0 = (float(params[k]) for k in ("mu0", "lam0", "a0", "b0"))
    x = [float(v) for v in params["x"]]
    n = len(x)
    xbar = math.fsum(x) / n
    ssc = math.fsum((v - xbar) ** 2 for v in x)
    lamn = lam0 + n
    mun = (lam0 * mu0 + n * xbar) / lamn
    an = a0 + n / 2
    bn = b0 + (ssc + lam0 * n * (xbar - mu0) ** 2 / lamn) / 2
    return mun, lamn, an, bn


def cavi_fixed_point(params, iterations=200):
    """(m, s, a, b) of the mean-field CAVI fixed point, PRML (10.26)–(10.30)."""
    mu0, lam0, a0, b0 = (float(params[k]) for k in ("mu0", "lam0", "a0", "b0"))
    x = [float(v) for v in params["x"]]
    n = len(x)
    xbar = math.fsum(x) / n
    m = (lam0 * mu0 + n * xbar) / (lam0 + n)
    a = a0 + (n + 1) / 2
    e_tau = a0 / b0
    b = b0
    for _ in range(iterations):
        var = 1 / ((lam0 + n) * e_tau)
        b = b0 + (math.fsum((v - m) ** 2 for v in x) + n * var + lam0 * ((m - mu0) ** 2 + var)) / 2
        e_tau = a / b
    return m, math.sqrt(1 / ((lam0 + n) * e_tau)), a, b


class _P:
    __slots__ = ("c", "var", "bumps", "grids")


class NormalGamma(MultiFamily):
    __doc__ = __doc__
    name = "normal-gamma"
    description = ("unknown mean z1 = μ and precision z2 = τ of Gaussian data, Normal–Gamma prior; "
                   "q(μ, τ) = N(m, s²) Gam(a, b)")
    latents = LAT
    latent_kind = {"z1": "real", "z2": "positive"}
    latent_meaning = {"z1": "the mean μ", "z2": "the precision τ"}

    def _prepare_point(self, params, dtype):
        with mpmath.workdps(30):
            mu0, lam0, a0, b0 = (mpmath.mpf(params[k]) for k in ("mu0", "lam0", "a0", "b0"))
            x = [mpmath.mpf(v) for v in params["x"]]
            if not x or min(lam0, a0, b0) <= 0:
                raise ValueError("need >= 1 observation and positive lam0, a0, b0")
            n = len(x)
            xbar = mpmath.fsum(x) / n
            ssc = mpmath.fsum((v - xbar) ** 2 for v in x)
            lamn, an = lam0 + n, a0 + mpmath.mpf(n) / 2
            bn = b0 + (ssc + lam0 * n * (xbar - mu0) ** 2 / lamn) / 2
            l2pi, lg0 = mpmath.log(2 * mpmath.pi), a0 * mpmath.log(b0) - mpmath.loggamma(a0)
            d = [v - mu0 for v in x]
            c = {"mu0": mu0, "lam0": lam0, "a0": a0, "b0": b0, "n": n, "xbar": xbar, "ssc": ssc,
                 "half_n": mpmath.mpf(n) / 2,
                 "gam0": lg0, "prior_mu": (mpmath.log(lam0) - l2pi) / 2,
                 "t_const": lg0 + (mpmath.log(lam0) - l2pi) / 2 + mpmath.loggamma(a0 + mpmath.mpf(1) / 2),
                 "xt_const": -n * l2pi / 2 - mpmath.log1p(n / lam0) / 2,
                 "xt_quad": (mpmath.fsum(v * v for v in d) - mpmath.fsum(d) ** 2 / lamn) / 2,
                 "xm_const": -(n + 1) * l2pi / 2 + mpmath.log(lam0) / 2 + lg0
                 + mpmath.loggamma(a0 + mpmath.mpf(n + 1) / 2),
                 "xm_pow": a0 + mpmath.mpf(n + 1) / 2,
                 "logev": -n * l2pi / 2 + mpmath.log(lam0 / lamn) / 2 + lg0 - an * mpmath.log(bn)
                 + mpmath.loggamma(an), "l2pi": l2pi}
            P = _P()
            P.c = {k: (v if k == "n" else num(dtype, v)) for k, v in c.items()}
            P.var = {}
            for name in ("q", "r"):
                if name not in params:
                    continue
                m, s, a, b = (mpmath.mpf(v) for v in params[name])
                if min(s, a, b) <= 0:
                    raise ValueError(f"{name}: positive s, a, b")
                P.var[name] = {k: num(dtype, v) for k, v in {
                    "m": m, "s": s, "a": a, "b": b, "nc": -l2pi / 2 - mpmath.log(s),
                    "gc": a * mpmath.log(b) - mpmath.loggamma(a)}.items()}
        P.bumps = self._bump_table(params)
        P.grids = {}
        return P

    def _bump_table(self, params):
        mun, lamn, an, bn = _posterior(params)
        mu0, lam0, a0, b0 = (float(params[k]) for k in ("mu0", "lam0", "a0", "b0"))
        out = {"z1": {"p": [heavy_bump(mu0, math.sqrt(b0 / (a0 * lam0))),      # Student-t marginals
                            heavy_bump(mun, math.sqrt(bn / (an * lamn)))]},
               "z2": {"p": [gamma_bump(a0, b0), gamma_bump(an, bn)]}}
        for name in ("q", "r"):
            if name in params:
                m, s, a, b = params[name]
                out["z1"][name] = [bump(m, s)]
                out["z2"][name] = [gamma_bump(a, b)]
        return out

    def _bumps(self, P, latent):
        return P.bumps[latent]

    def log_marginal(self, P, names, env):
        c = P.c
        mu, tau = env.get("z1"), env.get("z2")
        has_x, has_mu, has_tau = DATA_NAME in names, "z1" in names, "z2" in names
        if has_tau:
            logtau = np.log(tau)
            out = c["gam0"] + (c["a0"] - 1) * logtau - c["b0"] * tau
            if has_mu:
                dm = mu - c["mu0"]
                out = out + c["prior_mu"] + logtau / 2 - c["lam0"] * tau * dm * dm / 2
                if has_x:
                    dx = mu - c["xbar"]
                    out = out + c["half_n"] * (logtau - c["l2pi"]) - tau * (c["ssc"] + c["n"] * dx * dx) / 2
                return out
            if has_x:
                out = out + c["xt_const"] + c["half_n"] * logtau - tau * c["xt_quad"]
            return out
        if has_mu:
            dm = mu - c["mu0"]
            if has_x:
                dx = mu - c["xbar"]
                Q = c["ssc"] + c["n"] * dx * dx + c["lam0"] * dm * dm
                return c["xm_const"] - c["xm_pow"] * np.log(c["b0"] + Q / 2)
            return c["t_const"] - (c["a0"] + 0.5) * np.log(c["b0"] + c["lam0"] * dm * dm / 2)
        return c["logev"]

    def log_variational(self, P, name, names, env):
        if name not in P.var:
            raise ValueError(f"no parameters for {name}")
        v = P.var[name]
        out = 0
        if "z1" in names:
            d = (env["z1"] - v["m"]) / v["s"]
            out = out + v["nc"] - d * d / 2
        if "z2" in names:
            tau = env["z2"]
            out = out + v["gc"] + (v["a"] - 1) * np.log(tau) - v["b"] * tau
        return out

    # ----- search space -------------------------------------------------------------------
    def strategy(self):
        fac = st.tuples(st.floats(-4, 4), scale(0.05, 5.0), scale(0.6, 20.0), scale(0.1, 10.0))
        return st.fixed_dictionaries({
            "mu0": st.floats(-2, 2), "lam0": scale(0.2, 5.0), "a0": scale(0.6, 10.0),
            "b0": scale(0.2, 5.0), "x": st.lists(st.floats(-4, 4), min_size=1, max_size=5).map(tuple),
            "q": fac, "qb": fac, "r": fac})

    def special_points(self):
        bases = [{"mu0": 0.3, "lam0": 1.2, "a0": 2.0, "b0": 1.5, "x": (0.9, -0.4, 1.7, 0.2)},
                 {"mu0": -1.0, "lam0": 0.4, "a0": 0.8, "b0": 3.0, "x": (2.6,)},
                 # precise data: p(x) > 1, so log p(x) > 0
                 {"mu0": 0.5, "lam0": 2.0, "a0": 9.0, "b0": 0.2, "x": (0.51, 0.49, 0.5)}]
        out = []
        for b in bases:
            mun, lamn, an, bn = _posterior(b)
            extra = {"qb": (mun + 0.8, 0.3, 2.5, 1.1), "r": (0.2, 1.3, 1.5, 0.7)}
            sd_mu = math.sqrt(bn / (lamn * (an - 1))) if an > 1 else 1.0
            for label, q in [("q = the mean-field CAVI fixed point", cavi_fixed_point(b)),
                             ("q(τ) = the exact marginal, q(μ) its mean and variance", (mun, sd_mu, an, bn)),
                             ("q = prior-like", (b["mu0"], math.sqrt(b["b0"] / (b["a0"] * b["lam0"])),
                                                  b["a0"], b["b0"])),
                             ("very narrow q", (mun + 0.1, 1e-3, 4000.0, 4000.0 * bn / an)),
                             ("very wide q", (mun - 1.0, 40.0, 0.7, 0.05))]:
                out.append({**b, **extra, "q": tuple(q), "_label": label})
        return out

    def latent_value(self, params, latent, pick, t):
        mun, lamn, an, bn = _posterior(params)
        m, s, a, b = params["q"]
        if latent == "z1":
            c, w = [(mun, math.sqrt(bn / (an * lamn))), (float(m), float(s))][pick % 2]
            return c + t * w
        c, w = [(math.log(an / bn), 1 / math.sqrt(an)), (math.log(a / b), 1 / math.sqrt(a))][pick % 2]
        return math.exp(c + t * w)

    def latent_special(self, params, latent=None):
        mun, lamn, an, bn = _posterior(params)
        if (latent or "z1") == "z1":
            return mun + 0.31 * math.sqrt(bn / (an * lamn))
        return an / bn * 1.17

    def vary_factor(self, params, name, latent):
        if name != "q" or "qb" not in params:
            return None
        q, qb = list(params["q"]), params["qb"]
        if latent == "z1":
            q[0], q[1] = qb[0], qb[1]
        else:
            q[2], q[3] = qb[2], qb[3]
        return {**params, "q": tuple(q)}
