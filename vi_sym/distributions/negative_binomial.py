"""NegativeBinomial(z, r, p): failures before the r-th success, success probability p,
P(z = k) = Γ(k+r)/(Γ(r) k!) p^r (1-p)^k; r > 0, 0 < p < 1, on {0, 1, 2, ...}."""
from sympy import exp, log, loggamma

from .base import Spec, register
from .stats import exp_linear, power, side_condition


def _logpmf(z, r, p):
    return loggamma(z + r) - loggamma(r) - loggamma(z + 1) + r * log(p) + z * log(1 - p)


def lemma(z, params, h):
    r, p = params
    k = power(h, z)
    if k == 1:
        return r * (1 - p) / p, "E[z] = r(1-p)/p of NegativeBinomial(r, p)"
    if k == 2:
        return r * (1 - p) / p ** 2 + (r * (1 - p) / p) ** 2, \
            "E[z^2] = r(1-p)/p² + (r(1-p)/p)² of NegativeBinomial(r, p)"
    lin = exp_linear(h, z)
    if lin and side_condition(1 - (1 - p) * exp(lin[0])):     # finite only for (1-p) e^a < 1
        a, b = lin
        return exp(b) * (p / (1 - (1 - p) * exp(a))) ** r, \
            "E[exp(a z + b)] = e^b (p/(1 - (1-p) e^a))^r of NegativeBinomial(r, p), (1-p) e^a < 1"
    return None


SPEC = register(Spec(
    "NegativeBinomial", ("number of successes", "success probability"), ("positive", "unit"),
    _logpmf, lambda z, r, p: exp(_logpmf(z, r, p)),
    lambda r, p: ("count",), lemma, breaks=lambda r, p: (r * (1 - p) / p,),
    tail_ratio=lambda K, r, p: (1 - p) * max(1.0, (K + r) / (K + 1))))
