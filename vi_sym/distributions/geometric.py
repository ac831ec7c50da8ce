"""Geometric(z, p): failures before the first success, P(z = k) = p (1-p)^k, 0 < p < 1,
on {0, 1, 2, ...}."""
from sympy import log

from .base import Spec, register
from .stats import power


def lemma(z, params, h):
    (p,) = params
    k = power(h, z)
    if k == 1:
        return (1 - p) / p, "E[z] = (1-p)/p of Geometric(p)"
    if k == 2:
        return (1 - p) * (2 - p) / p ** 2, "E[z^2] = (1-p)(2-p)/p² of Geometric(p)"
    return None


SPEC = register(Spec(
    "Geometric", ("success probability",), ("unit",),
    lambda z, p: log(p) + z * log(1 - p), lambda z, p: p * (1 - p) ** z,
    lambda p: ("count",), lemma, breaks=lambda p: ((1 - p) / p,)))
