"""Rules about logarithms of positive quantities."""
from __future__ import annotations

from sympy import Add, Integral, Mul, Pow, Product, Sum, Symbol, exp, fraction, log, together

from .base import Rule, rewrite_everywhere


def is_real(e) -> bool:
    """Known real: sympy says so, or a sum/product/integral of known-real parts (an integral of
    a real integrand over the latent's domain is real under the integrability assumptions).
    A variable (latent, observed or parameter) is a real number in vi_sym's reading, and so is
    an integer power of a real quantity ((x - z)^2 in a Gaussian likelihood)."""
    if e.is_extended_real is True and e.is_finite is not False:
        return True
    if isinstance(e, Symbol):
        return e.is_extended_real is not False
    if isinstance(e, Pow):
        return e.exp.is_integer is True and is_real(e.base)
    if isinstance(e, Integral):
        return all(len(lim) == 1 for lim in e.limits) and is_real(e.function)
    if isinstance(e, (Add, Mul)):
        return all(is_real(a) for a in e.args)
    return False


def is_positive(e) -> bool:
    """Known positive: sympy says so, or an exponential of a known-real quantity (or a product
    of such factors), or an integral over a whole domain of a positive integrand (the normaliser
    ∫ exp(E_q(z2)[log p(x, z1, z2)]) dz1 of an optimal factor; finite by the integrability
    assumptions)."""
    if isinstance(e, Mul):
        return all(is_positive(a) for a in e.args)
    if isinstance(e, Integral):
        return all(len(lim) == 1 for lim in e.limits) and is_positive(e.function)
    if isinstance(e, exp):
        return is_real(e.args[0])
    if isinstance(e, Pow) and isinstance(e.base, (exp, Integral)):      # exp(a)^n, 1/∫ f
        return is_positive(e.base) and e.exp.is_real is True
    return e.is_positive is True


def log_of_product_rewrite(expr, ctx):
    """log(a b) = log a + log b for a, b > 0 (every factor must be known positive); over an
    index, log ∏_{k=a}^{b} f_k = Σ_{k=a}^{b} log f_k for every f_k > 0 (a finite product: the
    parser refuses infinite bounds; sympy's conventions for a reversed range agree, as
    log(1/P) = -log P)."""
    def match(e):
        if not isinstance(e, log):
            return False
        arg = e.args[0]
        if isinstance(arg, Product):
            return all(lim[1].is_finite is not False and lim[2].is_finite is not False for lim in arg.limits) \
                and is_positive(arg.function)
        return isinstance(arg, Mul) and all(is_positive(f) for f in arg.args)

    def apply(e):
        arg = e.args[0]
        if isinstance(arg, Product):
            return Sum(log(arg.function), *arg.limits)
        return Add(*[log(f) for f in arg.args])
    return rewrite_everywhere(expr, match, apply)


def _num_den(arg):
    """``arg`` as a numerator and a denominator: a sum over one denominator first (a/2 + b/2 is
    (a + b)/2: the average of an importance-weighted bound), by ``together`` -- an identity."""
    return fraction(together(arg) if isinstance(arg, Add) else arg)


def log_of_quotient_rewrite(expr, ctx):
    """log(a / b) = log a - log b for a, b > 0; in particular log(1/b) = -log b."""
    def match(e):
        if not isinstance(e, log):
            return False
        num, den = _num_den(e.args[0])
        return den != 1 and is_positive(num) and is_positive(den)

    def apply(e):
        num, den = _num_den(e.args[0])
        return log(num) - log(den)
    return rewrite_everywhere(expr, match, apply)


def log_of_power_rewrite(expr, ctx):
    """log(b^n) = n log b for b > 0 and real n."""
    def match(e):
        return (isinstance(e, log) and isinstance(e.args[0], Pow)
                and is_positive(e.args[0].base) and e.args[0].exp.is_real is True)

    def apply(e):
        b, n = e.args[0].as_base_exp()
        return n * log(b)
    return rewrite_everywhere(expr, match, apply)


def log_of_exp_rewrite(expr, ctx):
    """log(exp(a)) = a for real a."""
    def match(e):
        return isinstance(e, log) and isinstance(e.args[0], exp) and is_real(e.args[0].args[0])
    return rewrite_everywhere(expr, match, lambda e: e.args[0].args[0])


log_of_exp = Rule(
    "log_of_exp", "equality", "log(exp(a)) = a",
    ("a real",), log_of_exp_rewrite,
    doc="The log undoes the exponential of a real quantity (e.g. exp E_q(z2)[log p(x,z1,z2)]).")

log_of_product = Rule(
    "log_of_product", "equality", "log(a b) = log a + log b",
    ("a > 0", "b > 0"), log_of_product_rewrite,
    doc="Splits the log of a product of positive factors, and of a finite product over an index "
        "(log ∏_n p(x_n|z) = Σ_n log p(x_n|z)). log(a + b) is never split.")

log_of_quotient = Rule(
    "log_of_quotient", "equality", "log(a / b) = log a - log b",
    ("a > 0", "b > 0"), log_of_quotient_rewrite,
    doc="Splits the log of a quotient of positive quantities (a sum is first put over one denominator: "
        "log(a/2 + b/2) = log(a + b) - log 2).")

log_of_power = Rule(
    "log_of_power", "equality", "log(b^n) = n log b",
    ("b > 0", "n real"), log_of_power_rewrite,
    doc="Brings a real exponent of a positive base out of the log.")
