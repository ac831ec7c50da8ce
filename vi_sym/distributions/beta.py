"""Beta(z, a, b): a > 0, b > 0, on (0, 1)."""
from sympy import beta, digamma, log, loggamma

from .base import Spec, register
from .stats import is_log, power, rising


def lemma(z, params, h):
    a, b = params
    k = power(h, z)
    if k:
        return rising(a, k) / rising(a + b, k), f"E[{'z' if k == 1 else f'z^{k}'}] of Beta(a, b)"
    if is_log(h, z):
        return digamma(a) - digamma(a + b), "E[log z] = ψ(a) - ψ(a+b) of Beta(a, b)"
    if h == log(1 - z):
        return digamma(b) - digamma(a + b), "E[log(1-z)] = ψ(b) - ψ(a+b) of Beta(a, b)"
    return None


SPEC = register(Spec(
    "Beta", ("a", "b"), ("positive", "positive"),
    lambda z, a, b: (a - 1) * log(z) + (b - 1) * log(1 - z) - (loggamma(a) + loggamma(b) - loggamma(a + b)),
    lambda z, a, b: z ** (a - 1) * (1 - z) ** (b - 1) / beta(a, b),
    lambda a, b: ("interval", 0, 1), lemma))
