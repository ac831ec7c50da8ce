"""Dirichlet(w1, ..., wK, a1, ..., aK): K variables on the simplex (w_k > 0, Σ w_k = 1), then K
positive concentrations; a0 = Σ a_k.

The density is one factor over the K variables; vi_sym keeps it as K *marginal* components
``DirichletMarginal(w_k; a_k, a0, K, group)``, each with

* as a weighting density, the marginal Beta(a_k, a0 - a_k) of w_k: an expectation of a sum of
  terms each in one w_k is the sum of the marginals' expectations (linearity; a term coupling
  two variables, w1·w2, is refused, never computed from the marginals' product);
  E[log w_k] = ψ(a_k) - ψ(a0), E[log(1 - w_k)] = ψ(a0 - a_k) - ψ(a0), E[w_k^n] = a_k^(n)/a0^(n);
* as a log-density, its share of log Dir(w; a) = Σ_k (a_k - 1) log w_k - Σ_k log Γ(a_k) + log Γ(a0):
  (a_k - 1) log w_k - log Γ(a_k) + log Γ(a0)/K (the shares add up to the joint log-density);
* the support ``('simplex', 0, 1, group)``: its own base measure (Lebesgue measure on the
  simplex), so a KL between a Dirichlet and a density on the cube (a product of Betas) or on
  another simplex is +∞: never proved or spot-checked.
"""
from __future__ import annotations

import sympy
from sympy import Integer, digamma, log, loggamma
from sympy.core.symbol import Str

from .base import DefinitionError, Dist, Spec, register
from .stats import is_log, power, rising

__all__ = ["dirichlet", "MARGINAL"]

MARGINAL = "DirichletMarginal"


def _lemma(z, params, h):
    a, a0 = params[0], params[1]
    k = power(h, z)
    if k:
        return rising(a, k) / rising(a0, k), f"E[w_k^{k}] = a_k^({k})/a0^({k}) of Dirichlet(a)"
    if is_log(h, z):
        return digamma(a) - digamma(a0), "E[log w_k] = ψ(a_k) - ψ(a0) of Dirichlet(a)"
    if h == log(1 - z):
        return digamma(a0 - a) - digamma(a0), "E[log(1 - w_k)] = ψ(a0 - a_k) - ψ(a0) of Dirichlet(a)"
    return None


def _weight(z, a, a0, K, group):
    """The marginal Beta(a, a0 - a) log-density: the weight of expectations over w_k."""
    return (a - 1) * log(z) + (a0 - a - 1) * log(1 - z) - (loggamma(a) + loggamma(a0 - a) - loggamma(a0))


def _beta_pdf(z, a, a0, K, group):
    return z ** (a - 1) * (1 - z) ** (a0 - a - 1) / sympy.beta(a, a0 - a)


SPEC = register(Spec(
    MARGINAL, ("concentration", "total concentration", "K", "group"), ("positive", "positive", "any", "any"),
    lambda z, a, a0, K, group: (a - 1) * log(z) - loggamma(a) + loggamma(a0) / K,
    _beta_pdf,
    lambda a, a0, K, group: ("simplex", Integer(0), Integer(1), group.name),
    _lemma, weight_logpdf=_weight, written=True,
    doc="one coordinate of a Dirichlet (see distributions/dirichlet.py)"))


def dirichlet(*args):
    """``Dirichlet(w1, ..., wK, a1, ..., aK)`` -> the product of its K marginal components."""
    if len(args) < 4 or len(args) % 2:
        raise DefinitionError("Dirichlet(w1, ..., wK, a1, ..., aK) takes K >= 2 variables, then their "
                              f"K concentrations; got {len(args)} arguments")
    K = len(args) // 2
    ws, alphas = args[:K], [sympy.sympify(a, strict=True) for a in args[K:]]
    if not all(isinstance(w, sympy.Symbol) for w in ws) or len(set(ws)) != K:
        raise DefinitionError(f"the first {K} arguments of Dirichlet(...) must be {K} distinct variables")
    for a in alphas:
        if a.free_symbols & set(ws):
            raise DefinitionError("a concentration of Dirichlet(...) depends on one of its variables")
    a0 = sympy.Add(*alphas)
    group = Str(",".join(map(str, ws)))
    return sympy.Mul(*[Dist(MARGINAL, w, a, a0, Integer(K), group) for w, a in zip(ws, alphas)])
