"""Categorical(z, w0, w1, ..., w_{K-1}): P(z = k) = w_k / Σ w, positive weights, K >= 2 outcomes
on {0, ..., K-1} (summed exactly)."""
from sympy import log

from .base import Spec, register
from .stats import lagrange


def _probs(w):
    total = sum(w)
    return [wk / total for wk in w]


SPEC = register(Spec(
    "Categorical", ("weight",), ("positive",),
    lambda z, *w: lagrange(z, [log(p) for p in _probs(w)]),
    lambda z, *w: lagrange(z, _probs(w)),
    lambda *w: ("finite", tuple(range(len(w)))), fast=True, variadic=True))
