"""StudentT(z, nu, m, s) and Cauchy(z, m, s) (= StudentT with nu = 1), on the real line.

The lemma behind their entropies (and the Cauchy KL): for z ~ StudentT(ν, m, s),
E[log(1 + (z-m)²/(ν s²))] = ψ((ν+1)/2) - ψ(ν/2); for z ~ Cauchy(m, s) and any a, b > 0,
E[log((z-a)² + b²)] = log((m-a)² + (s+b)²).  The mean m (ν > 1) and the second moment
m² + s²ν/(ν - 2) (ν > 2) only where they are finite, which the declared domains must show
(``assume: nu > 2``)."""
from sympy import digamma, exp, log, loggamma, pi, simplify, sqrt

from .base import Spec, register
from .stats import log_quadratic


def _t_lemma(z, params, h):
    nu, m, s = params
    if h == z and (nu - 1).is_positive:          # finite only for ν > 1, which must be provable
        return m, "E[z] = m of StudentT(ν, m, s), ν > 1"
    if h == z ** 2 and (nu - 2).is_positive:     # finite only for ν > 2
        return m ** 2 + s ** 2 * nu / (nu - 2), "E[z²] = m² + s² ν/(ν - 2) of StudentT(ν, m, s), ν > 2"
    found = log_quadratic(h, z)
    if not found:
        return None
    alpha, centre, width2 = found
    if alpha.is_positive and simplify(centre - m) == 0 and simplify(width2 - nu * s ** 2) == 0:
        return log(alpha * nu * s ** 2) + digamma((nu + 1) / 2) - digamma(nu / 2), \
            "E[log(1 + (z-m)²/(ν s²))] = ψ((ν+1)/2) - ψ(ν/2) of StudentT(ν, m, s)"
    return None


def _cauchy_lemma(z, params, h):
    m, s = params
    found = log_quadratic(h, z)
    if not found:
        return None
    alpha, centre, width2 = found
    if alpha.is_positive and width2.is_positive:
        return log(alpha) + log((m - centre) ** 2 + (s + sqrt(width2)) ** 2), \
            "E[log((z-a)² + b²)] = log((m-a)² + (s+b)²) of Cauchy(m, s)"
    return None


def _t_logpdf(z, nu, m, s):
    return (loggamma((nu + 1) / 2) - loggamma(nu / 2) - log(nu * pi) / 2 - log(s)
            - (nu + 1) / 2 * log(1 + (z - m) ** 2 / (nu * s ** 2)))


def _cauchy_logpdf(z, m, s):
    return -log(pi * s) - log(1 + (z - m) ** 2 / s ** 2)


STUDENT_T = register(Spec(
    "StudentT", ("degrees of freedom", "location", "scale"), ("positive", "real", "positive"),
    _t_logpdf, lambda z, nu, m, s: exp(_t_logpdf(z, nu, m, s)),
    lambda nu, m, s: ("real",), _t_lemma, breaks=lambda nu, m, s: (m,),
    hint=lambda nu, m, s: (s, (m - s, m + s))))

CAUCHY = register(Spec(
    "Cauchy", ("location", "scale"), ("real", "positive"),
    _cauchy_logpdf, lambda z, m, s: exp(_cauchy_logpdf(z, m, s)),
    lambda m, s: ("real",), _cauchy_lemma, breaks=lambda m, s: (m,),
    hint=lambda m, s: (s, (m - s, m + s))))
