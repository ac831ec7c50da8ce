"""Gamma(z, shape, rate): shape a > 0, rate b > 0, on (0, ∞)."""
from sympy import digamma, exp, gamma, log, loggamma, oo, polygamma

from .base import Spec, register
from .stats import exp_linear, is_log, power, side_condition, real_power, rising


def lemma(z, params, h):
    a, b = params
    k = power(h, z)
    if k:
        return rising(a, k) / b ** k, f"E[{'z' if k == 1 else f'z^{k}'}] = a(a+1)…/b^{k} of Gamma(a, b)"
    if is_log(h, z):
        return digamma(a) - log(b), "E[log z] = ψ(a) - log b of Gamma(a, b)"
    if h == log(z) ** 2:
        return polygamma(1, a) + (digamma(a) - log(b)) ** 2, "E[(log z)²] = ψ'(a) + (ψ(a) - log b)² of Gamma(a, b)"
    rp = real_power(h, z)
    if rp and (a + rp[1]).is_positive:          # finite only for s > -a, which must be provable
        c, s = rp
        return c * gamma(a + s) / (gamma(a) * b ** s), "E[z^s] = Γ(a+s)/(Γ(a) b^s) of Gamma(a, b), s > -a"
    el = exp_linear(h, z)
    if el and side_condition(b - el[0]):    # finite only for α < b, which must be provable
        alpha, beta = el
        return exp(beta) * (b / (b - alpha)) ** a, "E[exp(αz + β)] = exp(β) (b/(b - α))^a of Gamma(a, b), α < b"
    return None


SPEC = register(Spec(
    "Gamma", ("shape", "rate"), ("positive", "positive"),
    lambda z, a, b: a * log(b) - loggamma(a) + (a - 1) * log(z) - b * z,
    lambda z, a, b: b ** a * z ** (a - 1) * exp(-b * z) / gamma(a),
    lambda a, b: ("interval", 0, oo), lemma, hint=lambda a, b: (1 / b, ())))
