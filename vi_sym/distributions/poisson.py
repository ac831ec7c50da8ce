"""Poisson(z, rate): rate > 0, on {0, 1, 2, ...}."""
from sympy import exp, factorial, log, loggamma

from .base import Spec, register
from .stats import exp_linear, power


def lemma(z, params, h):
    (lam,) = params
    k = power(h, z)
    if k == 1:
        return lam, "E[z] = λ of Poisson(λ)"
    if k == 2:
        return lam ** 2 + lam, "E[z^2] = λ² + λ of Poisson(λ)"
    lin = exp_linear(h, z)
    if lin:           # the moment generating function, finite for every real a
        a, b = lin
        return exp(b + lam * (exp(a) - 1)), "E[exp(a z + b)] = exp(b + λ(e^a - 1)) of Poisson(λ)"
    return None


SPEC = register(Spec(
    "Poisson", ("rate",), ("positive",),
    lambda z, l: z * log(l) - l - loggamma(z + 1),
    lambda z, l: l ** z * exp(-l) / factorial(z),
    lambda l: ("count",), lemma, breaks=lambda l: (l,),
    tail_ratio=lambda K, l: l / (K + 1)))
