r"""Categorical: a finite latent z ∈ {0, ..., K-1}, evaluated with exact rationals.

Model (params keys in brackets; all entries are exact ``Fraction``s, or strings
``'a/b'`` which are converted)::

    p(z = k)      = π_k          [prior = (π_0..π_{K-1}), positive, summing to 1]
    p(x | z = k)  = L_k          [lik = (L_0..L_{K-1}), L_k ∈ (0, 1]: the likelihood of
                                  the observed data set x under each value of z]
    q(z = k)      = w_k          [q = (w_0..w_{K-1}), positive, summing to 1]

Closed forms, computed exactly in rational arithmetic:

* evidence ``p(x) = Σ_k π_k L_k``
* posterior ``p(z = k | x) = π_k L_k / p(x)``
* joint ``p(x, z = k) = π_k L_k``.

Integrals ``∫ f dz`` are sums over the K values (the counting measure), so
every number fed to the logarithms is an exact rational; the only rounding is
in the final high-precision logs and sums (reported as a ~1e-17 error bound).
:meth:`Categorical.exact_density` gives the exact sympy ``Rational`` itself.

Random draws: K ∈ 2..5; prior and q weights are integers 1..1000 normalised
(generic rationals, not just round ones); L_k = j/1000, j ∈ 1..1000.
Special points add q = prior, q = exact posterior, uniform q and a nearly
degenerate q (weight 10⁶ : 1).
"""
from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np
import sympy
from hypothesis import strategies as st
from mpmath import mpf

from ..numeric import NotEvaluable
from .base import EPS, Family, FastGrid, Latent


def _frac(v) -> Fraction:
    if isinstance(v, Fraction):
        return v
    if isinstance(v, sympy.Rational):
        return Fraction(int(v.p), int(v.q))
    if isinstance(v, float):
        return Fraction(v)
    return Fraction(v)


def _log(fr: Fraction):
    return mpmath.log(mpf(fr.numerator) / fr.denominator)


def _flog(fr: Fraction) -> float:
    """log of a positive rational in float64 (the rational rounded once, then the log)."""
    v = float(fr)
    if v > 1e-300:
        return math.log(v)
    return math.log(fr.numerator) - math.log(fr.denominator)


class _P:
    __slots__ = ("K", "prior", "lik", "q", "evidence", "post",
                 "lprior", "llik", "lq", "lpost", "logev")


class Categorical(Family):
    __doc__ = __doc__
    name = "categorical"
    discrete = True
    description = "finite latent z in {0..K-1}: categorical prior, likelihood table p(x|z=k), categorical q"
    support = ()

    def _prepare(self, params):
        P = _P()
        P.prior = tuple(_frac(v) for v in params["prior"])
        P.lik = tuple(_frac(v) for v in params["lik"])
        P.q = tuple(_frac(v) for v in params["q"])
        P.K = len(P.prior)
        if P.K < 1 or len(P.lik) != P.K or len(P.q) != P.K:
            raise ValueError("categorical: prior, lik and q must have the same length K >= 1")
        if min(P.prior + P.lik + P.q) <= 0 or sum(P.prior) != 1 or sum(P.q) != 1:
            raise ValueError("categorical: prior and q must be positive and sum to 1, lik positive")
        P.evidence = sum(p * l for p, l in zip(P.prior, P.lik))
        P.post = tuple(p * l / P.evidence for p, l in zip(P.prior, P.lik))
        P.lprior = [_log(v) for v in P.prior]
        P.llik = [_log(v) for v in P.lik]
        P.lq = [_log(v) for v in P.q]
        P.lpost = [_log(v) for v in P.post]
        P.logev = _log(P.evidence)
        return P

    def support_of(self, params):
        return list(range(len(params["prior"])))

    def _latent_value(self, zval):
        return zval

    def in_support(self, params, zval) -> bool:
        K = len(params["prior"]) if params is not None else None
        try:
            k = int(zval)
        except (TypeError, ValueError):
            return False
        return k == zval and k >= 0 and (K is None or k < K)

    def _index(self, P, z):
        k = int(z)
        if k != z or not 0 <= k < P.K:
            raise NotEvaluable(f"categorical: latent value {z} is not in {{0..{P.K - 1}}}")
        return k

    def _log_lik(self, P, z):
        return P.llik[self._index(P, z)]

    def _log_prior(self, P, z):
        return P.lprior[self._index(P, z)]

    def _log_q(self, P, z):
        return P.lq[self._index(P, z)]

    def _log_post(self, P, z):
        return P.lpost[self._index(P, z)]

    def _log_evidence(self, P):
        return P.logev

    # ----- fast path ------------------------------------------------------------------
    fast = True

    def _fast_point(self, params):
        prior = tuple(_frac(v) for v in params["prior"])
        lik = tuple(_frac(v) for v in params["lik"])
        q = tuple(_frac(v) for v in params["q"])
        K = len(prior)
        if K < 1 or len(lik) != K or len(q) != K:
            raise ValueError("prior, lik and q must have the same length K >= 1")
        if min(prior + lik + q) <= 0 or sum(prior) != 1 or sum(q) != 1:
            raise ValueError("prior and q must be positive and sum to 1, lik positive")
        ev = sum(p * l for p, l in zip(prior, lik))
        lp, ll = tuple(map(_flog, prior)), tuple(map(_flog, lik))
        return {"K": K, "lprior": lp, "llik": ll, "lq": tuple(map(_flog, q)),
                "lpost": tuple(_flog(p * l / ev) for p, l in zip(prior, lik)),
                "ljoint": tuple(_flog(p * l) for p, l in zip(prior, lik)), "logev": _flog(ev)}

    def _fast_zvalue(self, v):
        return float(v)

    def _fast_bound_latent(self, B, z):
        idx = np.rint(z).astype(int)
        valid = (idx == z) & (idx >= 0) & (idx < B.K)
        return Latent(z, idx=np.clip(idx, 0, B.lq.shape[1] - 1), valid=valid)

    def fast_log(self, B, role, L):
        if role == "evidence":
            return B.logev, 2 * EPS * (1 + abs(B.logev))
        table = {"prior": B.lprior, "likelihood": B.llik, "q": B.lq, "posterior": B.lpost,
                 "joint": B.ljoint}[role]
        if L.idx.shape[1] != table.shape[1]:
            table = np.take_along_axis(table, L.idx, axis=1)
        return table, 2 * EPS * (1 + abs(table))

    def _fast_make_grid(self, B, roles):
        G = FastGrid()
        G.discrete = True
        Kmax = B.lq.shape[1]
        idx = np.broadcast_to(np.arange(Kmax), (B.n, Kmax))
        G.L = Latent(idx.astype(float), idx=idx, valid=B.lq_mask)
        G.jac = None
        return G

    def exact_density(self, params, role, k=None) -> sympy.Rational:
        """The exact density value (a sympy Rational) of ``role`` at ``z = k``."""
        P = self.prepared(params)
        if role == "evidence":
            v = P.evidence
        else:
            i = self._index(P, k)
            v = {"prior": P.prior[i], "likelihood": P.lik[i], "q": P.q[i],
                 "posterior": P.post[i], "joint": P.prior[i] * P.lik[i]}[role]
        return sympy.Rational(v.numerator, v.denominator)

    # ----- search space -------------------------------------------------------------
    def posterior_params(self, params):
        return self.prepared(params).post

    def strategy(self):
        def build(K):
            w = st.lists(st.integers(1, 1000), min_size=K, max_size=K)
            norm = lambda ws: tuple(Fraction(v, sum(ws)) for v in ws)  # noqa: E731
            return st.fixed_dictionaries({
                "prior": w.map(norm),
                "lik": st.lists(st.integers(1, 1000), min_size=K, max_size=K).map(
                    lambda js: tuple(Fraction(j, 1000) for j in js)),
                "q": w.map(norm),
            })
        return st.integers(2, 5).flatmap(build)

    def special_points(self):
        F = Fraction
        bases = [
            {"prior": (F(3, 10), F(1, 2), F(1, 5)), "lik": (F(1, 4), F(7, 8), F(1, 3))},
            {"prior": (F(1, 7), F(2, 7), F(3, 7), F(1, 7)),
             "lik": (F(9, 10), F(1, 20), F(13, 100), F(2, 3))},
        ]
        out = []
        for base in bases:
            K = len(base["prior"])
            post = self.posterior_params({**base, "q": base["prior"]})
            big = [F(1, 10 ** 6 + K - 1)] * K
            big[K - 1] = F(10 ** 6, 10 ** 6 + K - 1)
            gen = [F(k + 2, sum(j + 2 for j in range(K))) for k in range(K)]
            out += [
                {**base, "q": base["prior"], "_label": "q = prior"},
                {**base, "q": post, "_label": "q = exact posterior"},
                {**base, "q": tuple(big), "_label": "very narrow (nearly degenerate) q"},
                {**base, "q": tuple(F(1, K) for _ in range(K)), "_label": "very wide (uniform) q"},
                {**base, "q": tuple(gen), "_label": "generic q"},
            ]
        return out

    def latent_strategy(self, params):
        return st.integers(0, len(params["prior"]) - 1)

    def latent_special(self, params):
        return 1
