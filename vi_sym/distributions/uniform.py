"""Uniform(z, lo, hi): lo < hi, on (lo, hi)."""
from sympy import log

from .base import Spec, register
from .stats import is_log, power


def lemma(z, params, h):
    lo, hi = params
    k = power(h, z)
    if k:
        return (hi ** (k + 1) - lo ** (k + 1)) / ((k + 1) * (hi - lo)), \
            f"E[{'z' if k == 1 else f'z^{k}'}] of Uniform(a, b)"
    if is_log(h, z) and lo.is_nonnegative:       # log z is integrable on (a, b) only for a >= 0
        top = hi * log(hi) - (0 if lo == 0 else lo * log(lo))
        return top / (hi - lo) - 1, "E[log z] = (b log b - a log a)/(b - a) - 1 of Uniform(a, b), a >= 0"
    return None


SPEC = register(Spec(
    "Uniform", ("lower end", "upper end"), ("real", "real"),
    lambda z, a, b: -log(b - a), lambda z, a, b: 1 / (b - a),
    lambda a, b: ("interval", a, b), lemma,
    constraints=lambda a, b: [(b - a, "the upper end must exceed the lower end; write it as "
                                      "lower + w with w declared under positive:")], fast=True))
