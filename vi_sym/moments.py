"""Expectations of statistics under concrete distributions: the lemmas behind closed-form claims.

A claim such as ``KL(N(m1, s1²) || N(m2, s2²)) = log(s2/s1) + ...`` unfolds into
``E_q[log q(z) - log r(z)]``; with both log-densities written out, the integrand is a
sum ``Σ c_i · h_i(z)`` of z-free coefficients times *statistics* ``h_i``.  Linearity of
the expectation (each ``E_q[h_i]`` finite) turns the integral into ``Σ c_i · E_q[h_i]``,
and each ``E_q[h_i]`` is a textbook lemma:

===========  ==========================  =========================================
kind         statistic                   expectation
===========  ==========================  =========================================
Normal       z^k                         Σ_{j even} C(k,j) m^(k-j) s^j (j-1)!!
Exponential  z^k, log z                  k!/λ^k, -γ - log λ
Gamma        z^k, log z                  a(a+1)…(a+k-1)/b^k, ψ(a) - log b
Beta         z^k, log z, log(1-z)        Π_{i<k} (a+i)/(a+b+i), ψ(a) - ψ(a+b), ψ(b) - ψ(a+b)
Poisson      z, z^2                      λ, λ² + λ
Laplace      z, z^2, |z - c|             m, m² + 2b², |m - c| + b·exp(-|m - c|/b)
Uniform      z^k                         (b^(k+1) - a^(k+1)) / ((k+1)(b - a))
any          1                           1 (normalisation)
===========  ==========================  =========================================

A finite support (Bernoulli, Categorical) is summed exactly instead.  A statistic
with no lemma (``log z!`` under a Poisson, say) stays an opaque :class:`Moment`:
two sides whose opaque moments cancel are still proved (the same finite number on
both sides), otherwise the step is left to the numeric check.  Every lemma is
checked against sympy's integral and mpmath quadrature in ``tests/test_moments.py``.
"""
from __future__ import annotations

import sympy
from sympy import Abs, Expr, Integer, binomial, digamma, exp, factorial, factorial2, log

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


def _power(h, z):
    """k when h is z**k (k a positive integer), else None."""
    if h == z:
        return 1
    if h.is_Pow and h.base == z and h.exp.is_Integer and h.exp > 0:
        return int(h.exp)
    return None


def _normal_moment(k, m, s):
    return sum(binomial(k, j) * m ** (k - j) * s ** j * factorial2(j - 1) for j in range(0, k + 1, 2))


def _rising(a, k):
    out = Integer(1)
    for i in range(k):
        out *= a + i
    return out


def _abs_centre(h, z):
    """c when h is |z - c| (or |c - z|) with c free of z, else None."""
    if not isinstance(h, Abs):
        return None
    arg = sympy.expand(h.args[0])
    a = arg.coeff(z, 1)
    rest = sympy.expand(arg - a * z)
    if a in (1, -1) and not rest.has(z):
        return -rest / a
    return None


def lemma(dist, h):
    """(E_dist[h], lemma name) for a statistic with a known expectation, else None."""
    z, kind, p = dist.var, dist.kind, dist.params
    k = _power(h, z)
    zk = "z" if k == 1 else f"z^{k}"
    if kind == "Normal" and k:
        return _normal_moment(k, *p), f"E[{zk}] of Normal(m, s)"
    if kind == "Exponential":
        (lam,) = p
        if k:
            return factorial(k) / lam ** k, f"E[{zk}] = {k}!/λ^{k} of Exponential(λ)"
        if h == log(z):
            return -sympy.EulerGamma - log(lam), "E[log z] = -γ - log λ of Exponential(λ)"
    if kind == "Gamma":
        a, b = p
        if k:
            return _rising(a, k) / b ** k, f"E[{zk}] = a(a+1)…/b^{k} of Gamma(a, b)"
        if h == log(z):
            return digamma(a) - log(b), "E[log z] = ψ(a) - log b of Gamma(a, b)"
    if kind == "Beta":
        a, b = p
        if k:
            return _rising(a, k) / _rising(a + b, k), f"E[{zk}] of Beta(a, b)"
        if h == log(z):
            return digamma(a) - digamma(a + b), "E[log z] = ψ(a) - ψ(a+b) of Beta(a, b)"
        if h == log(1 - z):
            return digamma(b) - digamma(a + b), "E[log(1-z)] = ψ(b) - ψ(a+b) of Beta(a, b)"
    if kind == "Poisson":
        (lam,) = p
        if k == 1:
            return lam, "E[z] = λ of Poisson(λ)"
        if k == 2:
            return lam ** 2 + lam, "E[z^2] = λ² + λ of Poisson(λ)"
    if kind == "Laplace":
        m, b = p
        if k == 1:
            return m, "E[z] = m of Laplace(m, b)"
        if k == 2:
            return m ** 2 + 2 * b ** 2, "E[z^2] = m² + 2b² of Laplace(m, b)"
        c = _abs_centre(h, z)
        if c is not None:
            d = Abs(m - c)
            return d + b * exp(-d / b), "E|z - c| = |m - c| + b exp(-|m - c|/b) of Laplace(m, b)"
    if kind == "Uniform" and k:
        lo, hi = p
        return (hi ** (k + 1) - lo ** (k + 1)) / ((k + 1) * (hi - lo)), f"E[{zk}] of Uniform(a, b)"
    return None


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
        if h == 1:
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
