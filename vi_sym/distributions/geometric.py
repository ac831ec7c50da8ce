"""Geometric(z, p): failures before the first success, P(z = k) = p (1-p)^k, 0 < p < 1,
on {0, 1, 2, ...}."""
from sympy import exp, log

from .base import Spec, register
from .stats import exp_linear, power, side_condition


def lemma(z, params, h):
    (p,) = params
    k = power(h, z)
    if k == 1:
        return (1 - p) / p, "E[z] = (1-p)/p of Geometric(p)"
    if k == 2:
        return (1 - p) * (2 - p) / p ** 2, "E[z^2] = (1-p)(2-p)/p² of Geometric(p)"
    lin = exp_linear(h, z)
    if lin and side_condition(1 - (1 - p) * exp(lin[0])):     # finite only for (1-p) e^a < 1
        a, b = lin
        return exp(b) * p / (1 - (1 - p) * exp(a)), \
            "E[exp(a z + b)] = e^b p/(1 - (1-p) e^a) of Geometric(p), (1-p) e^a < 1"
    return None


SPEC = register(Spec(
    "Geometric", ("success probability",), ("unit",),
    lambda z, p: log(p) + z * log(1 - p), lambda z, p: p * (1 - p) ** z,
    lambda p: ("count",), lemma, breaks=lambda p: ((1 - p) / p,),
    tail_ratio=lambda K, p: 1 - p))
