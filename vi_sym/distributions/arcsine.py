"""Arcsine(z, lo, hi): lo < hi, on (lo, hi); (z - lo)/(hi - lo) is Beta(1/2, 1/2).

``log q(z) = -log π - log(z - lo)/2 - log(hi - z)/2``.  Lemmas: ``E[z^k] = Σ_j C(k, j) lo^(k-j)
(hi - lo)^j C(2j, j)/4^j``; for c <= lo and d >= hi (any positive factor s),
``E[log(z - c)] = 2 log((√(lo - c) + √(hi - c))/2)`` and ``E[log(d - z)] = 2 log((√(d - hi) +
√(d - lo))/2)`` -- at c = lo, d = hi both are log((hi - lo)/4).
"""
from sympy import Rational, binomial, log, pi, simplify, sqrt

from .base import Spec, register
from .stats import log_affine, power, side_condition


def _at_or_below(c, end) -> bool:
    """c <= end, shown: equal, or end - c > 0 from the declared domains."""
    return simplify(end - c) == 0 or side_condition(end - c)


def lemma(z, params, h):
    lo, hi = params
    k = power(h, z)
    if k:
        return sum(binomial(k, j) * lo ** (k - j) * (hi - lo) ** j * binomial(2 * j, j) / Rational(4) ** j
                   for j in range(k + 1)), f"E[{'z' if k == 1 else f'z^{k}'}] of Arcsine(a, b)"
    found = log_affine(h, z)
    if not found:
        return None
    s, t = found
    if side_condition(s) and _at_or_below(-t / s, lo):          # log(s (z - c)), c = -t/s
        c = -t / s
        return log(s) + 2 * log((sqrt(lo - c) + sqrt(hi - c)) / 2), \
            "E[log(z - c)] = 2 log((√(a - c) + √(b - c))/2), c <= a, of Arcsine(a, b)"
    if side_condition(-s) and _at_or_below(hi, -t / s):         # log(-s (d - z)), d = -t/s
        d = -t / s
        return log(-s) + 2 * log((sqrt(d - hi) + sqrt(d - lo)) / 2), \
            "E[log(d - z)] = 2 log((√(d - b) + √(d - a))/2), d >= b, of Arcsine(a, b)"
    return None


SPEC = register(Spec(
    "Arcsine", ("lower end", "upper end"), ("real", "real"),
    lambda z, a, b: -log(pi) - log(z - a) / 2 - log(b - z) / 2,
    lambda z, a, b: 1 / (pi * sqrt((z - a) * (b - z))),
    lambda a, b: ("interval", a, b), lemma, hint=lambda a, b: (b - a, ((a + b) / 2,)),
    constraints=lambda a, b: [(b - a, "the upper end must exceed the lower end; write it as "
                                      "lower + w with w declared under positive:")]))
