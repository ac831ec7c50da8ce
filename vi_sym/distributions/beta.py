"""Beta(z, a, b): a > 0, b > 0, on (0, 1).

Lemmas: the moments, E[log z] = ψ(a) − ψ(a+b), E[log(1−z)] = ψ(b) − ψ(a+b), and the second moments
of (log z, log(1−z)) -- log z = log G_a − log(G_a + G_b) for independent Gammas, so Cov(log z,
log(1−z)) = −ψ'(a+b) and Var(log z) = ψ'(a) − ψ'(a+b) (the Beta's sufficient statistics have the
Hessian of log B(a, b) as their covariance).
"""
from sympy import beta, digamma, log, loggamma, polygamma

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
    ma, mb, t = digamma(a) - digamma(a + b), digamma(b) - digamma(a + b), polygamma(1, a + b)
    if h == log(z) ** 2:
        return polygamma(1, a) - t + ma ** 2, "E[(log z)²] = ψ'(a) - ψ'(a+b) + (ψ(a) - ψ(a+b))² of Beta(a, b)"
    if h == log(1 - z) ** 2:
        return polygamma(1, b) - t + mb ** 2, "E[(log(1-z))²] = ψ'(b) - ψ'(a+b) + (ψ(b) - ψ(a+b))² of Beta(a, b)"
    if h == log(z) * log(1 - z):
        return ma * mb - t, "E[log z log(1-z)] = (ψ(a) - ψ(a+b))(ψ(b) - ψ(a+b)) - ψ'(a+b) of Beta(a, b)"
    return None


SPEC = register(Spec(
    "Beta", ("a", "b"), ("positive", "positive"),
    lambda z, a, b: (a - 1) * log(z) + (b - 1) * log(1 - z) - (loggamma(a) + loggamma(b) - loggamma(a + b)),
    lambda z, a, b: z ** (a - 1) * (1 - z) ** (b - 1) / beta(a, b),
    lambda a, b: ("interval", 0, 1), lemma))
