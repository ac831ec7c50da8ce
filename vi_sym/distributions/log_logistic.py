"""LogLogistic(z, a, b): scale a > 0, shape b > 0, on (0, ∞) (the Fisk distribution); log z is
Logistic(log a, 1/b) and u = (z/a)^b has density 1/(1 + u)².

``log q(z) = log b - b log a + (b - 1) log z - 2 log(1 + (z/a)^b)``.  Lemmas: ``E[log z] = log a``,
``E[log(1 + (z/a)^b)] = 1`` (only that exponent and that scale), ``E[z^n] = a^n (πn/b)/sin(πn/b)``
for -b < n < b, n ≠ 0.
"""
from sympy import log, oo, pi, simplify, sin

from .base import Spec, register
from .stats import is_log, real_power, side_condition


def _softplus_of_own_power(h, z, a, b) -> bool:
    """h = log(1 + k z^b) with k a^b = 1: the statistic log(1 + (z/a)^b), however sympy wrote it."""
    if not isinstance(h, log):
        return False
    rest = h.args[0] - 1
    rp = real_power(rest, z) if rest.is_Pow else None
    if rest.is_Mul:
        k = rest.subs(z, 1)
        found = real_power(rest / k, z) if k != 0 and not k.has(z) else None
        rp = (k * found[0], found[1]) if found else None
    return bool(rp) and simplify(rp[1] - b) == 0 and simplify(rp[0] * a ** b - 1) == 0


def lemma(z, params, h):
    a, b = params
    if is_log(h, z):
        return log(a), "E[log z] = log a of LogLogistic(a, b)"
    if _softplus_of_own_power(h, z, a, b):
        return 1, "E[log(1 + (z/a)^b)] = 1 of LogLogistic(a, b)"
    rp = real_power(h, z)
    if rp and rp[1] != 0 and side_condition(b - rp[1]) and side_condition(b + rp[1]):
        c, n = rp
        return c * a ** n * (pi * n / b) / sin(pi * n / b), \
            "E[z^n] = a^n (πn/b)/sin(πn/b), -b < n < b, of LogLogistic(a, b)"
    return None


def _logpdf(z, a, b):
    return log(b) - b * log(a) + (b - 1) * log(z) - 2 * log(1 + (z / a) ** b)


SPEC = register(Spec(
    "LogLogistic", ("scale", "shape"), ("positive", "positive"),
    _logpdf, lambda z, a, b: (b / a) * (z / a) ** (b - 1) / (1 + (z / a) ** b) ** 2,
    lambda a, b: ("interval", 0, oo), lemma, hint=lambda a, b: (a, (a, 10 * a))))
