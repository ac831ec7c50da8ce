"""KL, entropy and expectation of a product of independent factors over indexed coordinates.

For ``q(z) = ∏_{j=lo}^{hi} q_j(z[j])`` and ``r(z) = ∏_{j=lo}^{hi} r_j(z[j])`` (densities
``define``d as ``prod(D(z[j], ...), (j, lo, hi))``, see :mod:`vi_sym.indexed`), with a finite
number of coordinates:

* ``kl_of_product``: KL(q ‖ r) = Σ_{j=lo}^{hi} KL(q_j ‖ r_j) -- log(q/r) = Σ_j log(q_j/r_j),
  and each term integrates against q_j alone (the other factors integrate to 1);
* ``entropy_of_product``: H(q) = Σ_j H(q_j) (each H(q_j) finite);
* ``expectation_of_sum_over_product``: E_q[Σ_j f_j(z[j])] = Σ_j E_{q_j}[f_j(z[j])] when the
  j-th term depends on the vector z through z[j] alone.

These are the mean-field splits (``H(q1 q2) = H(q1) + H(q2)``) for a product of an unspecified
length.  The rewrite is duck-typed on the density (``.limits``, ``.coordinate(k)``), so this
module does not depend on the distributions.
"""
from __future__ import annotations

from sympy import Dummy, Indexed, Sum, Symbol, oo

from ..vocabulary import KL, Entropy, Expectation
from .base import Rule, rewrite_everywhere

#: the index the split writes its sums with (when the name is free)
INDEX = Symbol("j", integer=True)


def _product(d):
    """(j, lo, hi) when ``d`` is a product density over finitely many coordinates, else None."""
    if not callable(getattr(d, "coordinate", None)):
        return None
    j, lo, hi = d.limits
    if oo in (hi, -hi, lo, -lo):
        return None
    return j, lo, hi


def _index(*exprs):
    free = set().union(*(e.free_symbols for e in exprs))
    return INDEX if INDEX not in free else Dummy("j", integer=True)


def _split_kl(e):
    P, Q = _product(e.P), _product(e.Q)
    if P is None or Q is None or P[1:] != Q[1:] or e.P.vars != e.Q.vars:
        return None
    k = _index(e)
    return Sum(KL(e.P.coordinate(k), e.Q.coordinate(k)), (k, P[1], P[2]))


def _split_entropy(e):
    P = _product(e.q)
    if P is None:
        return None
    k = _index(e)
    return Sum(Entropy(e.q.coordinate(k)), (k, P[1], P[2]))


def _split_expectation(e):
    P = _product(e.q)
    if P is None or not isinstance(e.f, Sum) or len(e.f.limits) != 1:
        return None
    i, lo, hi = e.f.limits[0]
    if (lo, hi) != tuple(P[1:]):
        return None
    z = e.q.vars[0]
    own = Indexed(e.q.coordinate(i).vars[0].base, i)
    u = Dummy("u")
    if e.f.function.xreplace({own: u}).has(z):
        return None                 # the j-th term depends on other coordinates too
    return Sum(Expectation(e.q.coordinate(i), e.f.function), (i, lo, hi))


def kl_of_product_rewrite(expr, ctx):
    """KL(∏_j q_j ‖ ∏_j r_j) = Σ_j KL(q_j ‖ r_j)."""
    return rewrite_everywhere(expr, lambda e: isinstance(e, KL), _split_kl)


def entropy_of_product_rewrite(expr, ctx):
    """H(∏_j q_j) = Σ_j H(q_j)."""
    return rewrite_everywhere(expr, lambda e: isinstance(e, Entropy), _split_entropy)


def expectation_of_sum_rewrite(expr, ctx):
    """E_{∏_j q_j}[Σ_j f_j(z[j])] = Σ_j E_{q_j}[f_j(z[j])]."""
    return rewrite_everywhere(expr, lambda e: isinstance(e, Expectation), _split_expectation)


_EXAMPLE = ("latent: z[1..d]\nparameters: m[1..d]\npositive: s[1..d] d\n"
            "define q(z) = prod(Normal(z[j], m[j], s[j]), (j, 1, d))\n"
            "define r(z) = prod(Normal(z[j], 0, 1), (j, 1, d))\n")
_INDEPENDENT = ("q = ∏_j q_j(z[j]) and r = ∏_j r_j(z[j]) are defined products over the same "
                "coordinates z[lo..hi] (independent coordinates)", "finitely many coordinates")

kl_of_product = Rule(
    "kl_of_product", "equality", "KL(∏_j q_j ‖ ∏_j r_j) = Σ_j KL(q_j ‖ r_j)",
    _INDEPENDENT + ("each q_j normalised (KL(q_j ‖ r_j) may be +∞: then both sides are)",),
    kl_of_product_rewrite,
    doc="The KL divergence between two products of independent factors is the sum of the "
        "factors' KL divergences.",
    example=_EXAMPLE + "KL(q(z) || r(z)) = sum(KL(q(z[j]) || r(z[j])), (j, 1, d))",
    action="split the KL divergence of independent products into a sum over the coordinates")

entropy_of_product = Rule(
    "entropy_of_product", "equality", "H(∏_j q_j) = Σ_j H(q_j)",
    (_INDEPENDENT[0].replace(" and r = ∏_j r_j(z[j]) are defined products", " is a defined product"),
     _INDEPENDENT[1], "each H(q_j) finite"),
    entropy_of_product_rewrite,
    doc="The entropy of a product of independent factors is the sum of their entropies.",
    example=_EXAMPLE + "H(q(z)) = sum(H(q(z[j])), (j, 1, d))",
    action="split the entropy of an independent product into a sum over the coordinates")

expectation_of_sum_over_product = Rule(
    "expectation_of_sum_over_product", "equality", "E_{∏_j q_j}[Σ_j f_j(z[j])] = Σ_j E_{q_j}[f_j(z[j])]",
    ("q = ∏_j q_j(z[j]) is a defined product (independent coordinates)", "finitely many coordinates",
     "the j-th term depends on z through z[j] alone", "each E_{q_j}[f_j] finite"),
    expectation_of_sum_rewrite,
    doc="Linearity of the expectation, and the marginal of coordinate j of an independent "
        "product is its j-th factor.",
    example=_EXAMPLE + "E_q(z)[sum(z[j]^2, (j, 1, d))] = sum(E_q(z[j])[z[j]^2], (j, 1, d))",
    action="take the expectation of a sum over coordinates term by term, each under its own factor")
