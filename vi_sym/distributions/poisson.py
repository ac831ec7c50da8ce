"""Poisson(z, rate): rate > 0, on {0, 1, 2, ...}."""
from sympy import exp, factorial, log, loggamma

from .base import Spec, register
from .stats import power


def lemma(z, params, h):
    (lam,) = params
    k = power(h, z)
    if k == 1:
        return lam, "E[z] = λ of Poisson(λ)"
    if k == 2:
        return lam ** 2 + lam, "E[z^2] = λ² + λ of Poisson(λ)"
    return None


SPEC = register(Spec(
    "Poisson", ("rate",), ("positive",),
    lambda z, l: z * log(l) - l - loggamma(z + 1),
    lambda z, l: l ** z * exp(-l) / factorial(z),
    lambda l: ("count",), lemma, breaks=lambda l: (l,)))
