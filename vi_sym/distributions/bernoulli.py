"""Bernoulli(z, p): P(z = 1) = p, 0 < p < 1, on {0, 1} (summed exactly)."""
from sympy import log

from .base import Spec, register
from .stats import lagrange

SPEC = register(Spec(
    "Bernoulli", ("probability",), ("unit",),
    lambda z, p: z * log(p) + (1 - z) * log(1 - p),
    lambda z, p: lagrange(z, [1 - p, p]),
    lambda p: ("finite", (0, 1)), fast=True))
