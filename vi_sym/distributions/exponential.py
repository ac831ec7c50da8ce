"""Exponential(z, rate): rate > 0, on (0, ∞)."""
from sympy import EulerGamma, Max, exp, factorial, gamma, log, oo

from .base import Spec, register
from .stats import abs_centre, exp_linear, is_log, power, side_condition, real_power


def lemma(z, params, h):
    (lam,) = params
    k = power(h, z)
    if k:
        return factorial(k) / lam ** k, f"E[{'z' if k == 1 else f'z^{k}'}] = {k}!/λ^{k} of Exponential(λ)"
    if is_log(h, z):
        return -EulerGamma - log(lam), "E[log z] = -γ - log λ of Exponential(λ)"
    rp = real_power(h, z)
    if rp and (rp[1] + 1).is_positive:
        c, a = rp
        return c * gamma(a + 1) / lam ** a, "E[z^a] = Γ(a+1)/λ^a of Exponential(λ)"
    el = exp_linear(h, z)
    if el and side_condition(lam - el[0]):       # finite only for α < λ, which must be provable
        alpha, beta = el
        return exp(beta) * lam / (lam - alpha), "E[exp(αz + β)] = exp(β) λ/(λ - α) of Exponential(λ), α < λ"
    c = abs_centre(h, z)
    if c is not None:     # c⁺ = max(c, 0): 1/λ - c below the support, c - 1/λ + 2 exp(-λc)/λ inside it
        cp = Max(c, 0)
        return 1 / lam - c + 2 * (cp - (1 - exp(-lam * cp)) / lam), \
            "E|z - c| = 1/λ - c + 2(c⁺ - (1 - exp(-λc⁺))/λ), c⁺ = max(c, 0), of Exponential(λ)"
    return None


SPEC = register(Spec(
    "Exponential", ("rate",), ("positive",),
    lambda z, l: log(l) - l * z, lambda z, l: l * exp(-l * z),
    lambda l: ("interval", 0, oo), lemma, hint=lambda l: (1 / l, ()), fast=True))
