"""Expectations of statistics under concrete distributions: the lemmas behind closed-form claims.

A claim such as ``KL(N(m1, s1²) || N(m2, s2²)) = log(s2/s1) + ...`` unfolds into
``E_q[log q(z) - log r(z)]``; with both log-densities written out, the integrand is a
sum ``Σ c_i · h_i(z)`` of z-free coefficients times *statistics* ``h_i``.  Linearity of
the expectation (each ``E_q[h_i]`` finite) turns the integral into ``Σ c_i · E_q[h_i]``,
and each ``E_q[h_i]`` is a textbook lemma:

================  ==============================  =====================================
kind              statistic                       expectation
================  ==============================  =====================================
Normal            z^k, exp(az + b)                Σ_{j even} C(k,j) m^(k-j) s^j (j-1)!!, exp(b + am + a²s²/2)
                  exp(Az² + Bz + C) (A < 1/(2s²)) exp(C + Am² + Bm + (2Ams + Bs)²/(2w))/√w, w = 1 - 2As²
Exponential       z^k, log z, z^a (a > -1)        k!/λ^k, -γ - log λ, Γ(a+1)/λ^a
                  exp(αz + β) (α < λ), |z - c|    exp(β) λ/(λ - α), 1/λ - c + 2(c⁺ - (1 - exp(-λc⁺))/λ)
Gamma             z^k, log z, (log z)^2           a(a+1)…(a+k-1)/b^k, ψ(a) - log b, ψ'(a) + (ψ(a) - log b)²
                  exp(αz + β) (α < b)             exp(β) (b/(b - α))^a
                  z^s (s > -a)                    Γ(a+s)/(Γ(a) b^s)
Beta              z^k, log z, log(1-z)            Π_{i<k} (a+i)/(a+b+i), ψ(a) - ψ(a+b), ψ(b) - ψ(a+b)
                  (log z)², (log(1-z))²,          ψ'(a) - ψ'(a+b) + (ψ(a) - ψ(a+b))², likewise in b,
                  log z log(1-z)                  (ψ(a) - ψ(a+b))(ψ(b) - ψ(a+b)) - ψ'(a+b)
Poisson           z, z^2                          λ, λ² + λ
Laplace           z, z^2, |z - c|                 m, m² + 2b², |m - c| + b·exp(-|m - c|/b)
Uniform           z^k, log z (a >= 0)             (b^(k+1) - a^(k+1)) / ((k+1)(b - a)), (b log b - a log a)/(b - a) - 1
Geometric         z, z^2                          (1-p)/p, (1-p)(2-p)/p²
NegativeBinomial  z, z^2                          r(1-p)/p, r(1-p)/p² + (r(1-p)/p)²
Binomial          z, z^2                          np, np(1-p) + (np)²
Pareto            log z, z^a (a < α)              log xm + 1/α, α xm^a/(α - a)
Gumbel            z, z^2, exp(az + c) (ab < 1)    m + γb, (m + γb)² + π²b²/6, exp(c + am) Γ(1 - ab)
LogNormal         log z, (log z)^2, z^a           m, m² + s², exp(am + a²s²/2)
HalfNormal        z^k, log z                      s^k 2^(k/2) Γ((k+1)/2)/√π, log s - (γ + log 2)/2
Weibull           log z, z^a (a > -k)             log λ - γ/k, λ^a Γ(1 + a/k)
InverseGamma      log z, z^-k                     log b - ψ(a), a(a+1)…(a+k-1)/b^k
                  z^s (s < a)                     b^s Γ(a-s)/Γ(a)
ChiSquared        z^n, log z                      2^n (k/2)(k/2+1)…, ψ(k/2) + log 2
StudentT          log(1 + (z-m)²/(νs²))           ψ((ν+1)/2) - ψ(ν/2)
                  z (ν > 1), z² (ν > 2)           m, m² + s²ν/(ν - 2)
Cauchy            log((z-a)² + b²)                log((m-a)² + (s+b)²)
HalfCauchy        log(z² + b²), log z, z^a        2 log(s + b), log s, s^a/cos(πa/2) (|a| < 1)
Levy              1/(z-m), (z-m)^a, log(z-m)      1/c, (c/2)^a Γ(1/2 - a)/√π (a < 1/2), log c + γ + log 2
Lomax             log(1 + z/l), log z, z^n        1/a, log l - γ - ψ(a), l^n Γ(1+n) Γ(a-n)/Γ(a) (-1 < n < a)
LogLogistic       log z, log(1 + (z/a)^b), z^n    log a, 1, a^n (πn/b)/sin(πn/b) (|n| < b)
Arcsine           z^k, log(z - c) (c <= a),       Σ_j C(k,j) a^(k-j) (b-a)^j C(2j,j)/4^j,
                  log(d - z) (d >= b)             2 log((√(a-c) + √(b-c))/2), 2 log((√(d-b) + √(d-a))/2)
GeneralizedGamma  log z, z^r (r > -d)             log a + ψ(d/p)/p, a^r Γ((d+r)/p)/Γ(d/p)
HalfLogistic      z, z^2, log(1 + exp(∓z/s))      2 s log 2, π²s²/3, 1 ∓ log 2
HyperbolicSecant  z, z^2, log cosh(π(z-m)/(2s))   m, m² + s², log 2
Semicircle        z, z^2, log(R² - (z-m)²)        m, m² + R²/4, 2 log(R/2) + 1
                  log(R ∓ (z - m))                log(R/2) + 1/2
any               1                               1 (normalisation)
================  ==============================  =====================================

A lemma with a side condition (s > -a, ν > 2) applies only when the condition is provable
from the parameters' declared domains, bounds included (``assume: nu > 2``; a unit parameter α
makes α l1 + (1 - α) l2 > 0 provable: :func:`vi_sym.distributions.stats.side_condition`).

A finite support (Bernoulli, Binomial, Categorical) is summed exactly instead.  A statistic
with no lemma (``log z!`` under a Poisson, say) stays an opaque :class:`Moment`:
two sides whose opaque moments cancel are still proved (the same finite number on
both sides), otherwise the step is left to the numeric check.  Every lemma is
checked against sympy's integral and mpmath quadrature in ``tests/test_moments.py``.
"""
from __future__ import annotations

import sympy
from sympy import Expr, Integer

__all__ = ["Moment", "expectation", "NoLemma"]


class NoLemma(Exception):
    """The integrand is not a sum of coefficients times statistics of the variable."""


class Moment(Expr):
    """``E_P[h]`` for a statistic without a closed-form lemma; inert, finite by assumption."""

    is_commutative = True

    def __new__(cls, dist, statistic):
        return Expr.__new__(cls, dist, statistic)

    def _sympystr(self, printer):
        return f"E_{printer._print(self.args[0])}[{printer._print(self.args[1])}]"


def lemma(dist, h):
    """(E_dist[h], lemma name) for a statistic with a known expectation, else None.

    The lemmas live with their kind (``vi_sym/distributions/<kind>.py``, ``lemma``)."""
    return dist.lemma(h)


def _split(term, z):
    """term = coefficient (free of z) * statistic."""
    coeff, stat = [], []
    for f in sympy.Mul.make_args(term):
        (stat if f.has(z) else coeff).append(f)
    return sympy.Mul(*coeff), sympy.Mul(*stat)


def expectation(dist, g):
    """(E_dist[g], [lemma names]) for g a sum of z-free coefficients times statistics.

    A finite support is summed exactly; otherwise each statistic takes its lemma, or
    stays an opaque :class:`Moment`.
    """
    z = dist.var
    sup = dist.support()
    if sup[0] == "finite":
        return sympy.Add(*[(dist.pdf() * g).subs(z, pt) for pt in sup[1]]), \
            [f"exact sum over the support {set(sup[1])} of {dist.kind}"]
    g = sympy.expand(g, log=False, power_exp=False, power_base=False)
    total, used = Integer(0), []
    for term in sympy.Add.make_args(g):
        coeff, h = _split(term, z)
        if h == 1 and getattr(dist, "kind", "") != "Written":   # a written density proves its own mass
            total += coeff
            if "normalisation: E[1] = 1" not in used:
                used.append("normalisation: E[1] = 1")
            continue
        found = lemma(dist, h)
        if found is None:
            total += coeff * Moment(dist, h)
            continue
        value, name = found
        total += coeff * value
        if name not in used:
            used.append(name)
    return total, used
