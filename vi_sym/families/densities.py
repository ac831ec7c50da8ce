"""Density helpers shared by the families, written once for both arithmetics: the
functions below take mpmath numbers or float64 numpy arrays alike (the caller passes
the matching ``log``), so the mpmath and the fast path of a family read the same formula."""
from __future__ import annotations

import mpmath

__all__ = ["GAUSS_KS", "normal_const", "log_normal", "log_normal_f64", "gauss_points", "log_beta_fn",
           "log_beta_density", "gamma_const", "log_gamma_density"]

#: multiples of a scale used as quadrature breakpoints around a centre
GAUSS_KS = (-12, -5, -2, 2, 5, 12)


def normal_const(s, log=mpmath.log, pi=mpmath.pi):
    """-log(2π)/2 - log s: the log-normaliser of N(·; mu, s^2) (floats: pass ``math.log``
    or ``np.log`` and ``math.pi``)."""
    return -log(2 * pi) / 2 - log(s)


def log_normal(z, mu, s, c=None):
    """log N(z; mu, s^2) = -log(2π)/2 - log s - (z-mu)^2 / (2 s^2) (``c``: precomputed normaliser)."""
    d = (z - mu) / s
    return (normal_const(s) if c is None else c) - d * d / 2


def log_normal_f64(z, mu, s, c, eps):
    """:func:`log_normal` on float64 arrays with its rounding bound: ``(value, abs error)``.
    The bound includes the rounding of ``z - mu`` relative to ``s`` (nodes near a mean far
    larger than the scale carry only a few digits of ``(z - mu)/s``)."""
    d = (z - mu) / s
    h = d * d / 2
    return c - h, 4 * eps * (abs(c) + h + 1 + abs(d) * (abs(z) + abs(mu)) / s)


def gauss_points(c, s, ks=GAUSS_KS):
    """Breakpoints ``c + k s`` for the quadrature of a Gaussian-like bump."""
    return [c + k * s for k in ks]



def log_beta_fn(a, b, loggamma=mpmath.loggamma):
    """log B(a, b) (floats: pass ``math.lgamma``)."""
    return loggamma(a) + loggamma(b) - loggamma(a + b)


def log_beta_density(logz, log1mz, a, b, logB):
    """log Beta(z; a, b) from log z and log(1 - z) (exact near both ends)."""
    return (a - 1) * logz + (b - 1) * log1mz - logB


def gamma_const(a, b, log=mpmath.log, loggamma=mpmath.loggamma):
    """a log b - log Γ(a): the log-normaliser of Gamma(shape a, rate b)."""
    return a * log(b) - loggamma(a)


def log_gamma_density(z, logz, a, b, c):
    """log Gamma(z; a, b) with ``c = gamma_const(a, b)``."""
    return c + (a - 1) * logz - b * z
