"""Binomial(z, n, p): successes in n trials (n a positive integer literal), 0 < p < 1, on
{0, ..., n} (summed exactly)."""
from sympy import binomial, log, loggamma

from .base import Spec, register
from .stats import power


def lemma(z, params, h):
    n, p = params
    k = power(h, z)
    if k == 1:
        return n * p, "E[z] = n p of Binomial(n, p)"
    if k == 2:
        return n * p * (1 - p) + (n * p) ** 2, "E[z^2] = n p (1-p) + (n p)² of Binomial(n, p)"
    return None


SPEC = register(Spec(
    "Binomial", ("number of trials", "success probability"), ("posint", "unit"),
    lambda z, n, p: loggamma(n + 1) - loggamma(z + 1) - loggamma(n - z + 1) + z * log(p) + (n - z) * log(1 - p),
    lambda z, n, p: binomial(n, z) * p ** z * (1 - p) ** (n - z),
    lambda n, p: ("finite", tuple(range(int(n) + 1))), lemma))
