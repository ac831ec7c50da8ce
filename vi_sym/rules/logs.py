"""Rules about logarithms of positive quantities."""
from __future__ import annotations

from sympy import Add, Mul, Pow, fraction, log

from .base import Rule, rewrite_everywhere


def _positive(e) -> bool:
    return e.is_positive is True


def log_of_product_rewrite(expr, ctx):
    """log(a b) = log a + log b for a, b > 0 (every factor must be known positive)."""
    def match(e):
        return (isinstance(e, log) and isinstance(e.args[0], Mul)
                and all(_positive(f) for f in e.args[0].args))

    def apply(e):
        return Add(*[log(f) for f in e.args[0].args])
    return rewrite_everywhere(expr, match, apply)


def log_of_quotient_rewrite(expr, ctx):
    """log(a / b) = log a - log b for a, b > 0; in particular log(1/b) = -log b."""
    def match(e):
        if not isinstance(e, log):
            return False
        num, den = fraction(e.args[0])
        return den != 1 and _positive(num) and _positive(den)

    def apply(e):
        num, den = fraction(e.args[0])
        return log(num) - log(den)
    return rewrite_everywhere(expr, match, apply)


def log_of_power_rewrite(expr, ctx):
    """log(b^n) = n log b for b > 0 and real n."""
    def match(e):
        return (isinstance(e, log) and isinstance(e.args[0], Pow)
                and _positive(e.args[0].base) and e.args[0].exp.is_real is True)

    def apply(e):
        b, n = e.args[0].as_base_exp()
        return n * log(b)
    return rewrite_everywhere(expr, match, apply)


log_of_product = Rule(
    "log_of_product", "equality", "log(a b) = log a + log b",
    ("a > 0", "b > 0"), log_of_product_rewrite,
    doc="Splits the log of a product of positive factors. log(a + b) is never split.")

log_of_quotient = Rule(
    "log_of_quotient", "equality", "log(a / b) = log a - log b",
    ("a > 0", "b > 0"), log_of_quotient_rewrite,
    doc="Splits the log of a quotient of positive quantities.")

log_of_power = Rule(
    "log_of_power", "equality", "log(b^n) = n log b",
    ("b > 0", "n real"), log_of_power_rewrite,
    doc="Brings a real exponent of a positive base out of the log.")
