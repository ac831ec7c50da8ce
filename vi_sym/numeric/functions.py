"""The special functions the numeric back-ends evaluate: one table per back-end.

``MP_FUNCTIONS`` (mpmath, scalars) and ``NP_FUNCTIONS`` (numpy / scipy.special,
float64 arrays) map a sympy function class to a callable of the same arity.  ``log``
and ``exp`` are not here: the walker treats them itself (log space).  A function in
neither table is "cannot evaluate"; a function only in ``MP_FUNCTIONS`` makes the
fast path hand the expression to the precise one.

Float64 versions return NaN where the real function is undefined or complex
(``loggamma`` of a non-positive argument, ``polygamma`` of a non-integer order); the
fast path never trusts a NaN.  Constants (``pi``, ``E``, ``EulerGamma``, ``Catalan``, …)
are numbers to both back-ends (``sympy.Float`` of them).
"""
from __future__ import annotations

import math

import mpmath
import numpy as np
import sympy

__all__ = ["MP_FUNCTIONS", "NP_FUNCTIONS", "arity_ok"]


def _mp_polygamma(n, x):
    if n != int(n) or n < 0:
        raise ValueError("polygamma needs a nonnegative integer order")
    return mpmath.polygamma(int(n), x)


MP_FUNCTIONS = {
    sympy.Abs: abs,
    sympy.gamma: mpmath.gamma,
    sympy.loggamma: mpmath.loggamma,
    sympy.digamma: mpmath.digamma,
    sympy.polygamma: _mp_polygamma,
    sympy.beta: mpmath.beta,
    sympy.binomial: mpmath.binomial,
    sympy.erf: mpmath.erf,
    sympy.erfc: mpmath.erfc,
    sympy.sin: mpmath.sin,
    sympy.cos: mpmath.cos,
    sympy.tan: mpmath.tan,
    sympy.sinh: mpmath.sinh,
    sympy.cosh: mpmath.cosh,
    sympy.tanh: mpmath.tanh,
    sympy.atan: mpmath.atan,
    sympy.asinh: mpmath.asinh,
    sympy.besseli: mpmath.besseli,
    # the window of an integral over explicit limits (vi_sym.claims.structure): a jump, at which
    # the quadrature splits its interval; its value there (½) has measure zero
    sympy.Heaviside: lambda x, at: mpmath.mpf(1) if x > 0 else mpmath.mpf(0) if x < 0 else mpmath.mpf(at),
    # the triangular density's two sides (vi_sym.distributions.triangular): a kink, split at
    sympy.Min: min,
}

_ARITY = {sympy.polygamma: 2, sympy.beta: 2, sympy.binomial: 2, sympy.besseli: 2, sympy.Heaviside: 2, sympy.Min: 2}


def arity_ok(e) -> bool:
    """Does the function application ``e`` have the arity its table entry takes?"""
    return len(e.args) == _ARITY.get(type(e), 1)


def _special(name):
    """A scipy.special function, imported on first use (scipy.special costs ~0.2 s of
    start-up time that a run without special functions need not pay)."""
    def call(*args):
        import scipy.special  # start-up time: see the docstring
        with np.errstate(all="ignore"):
            return getattr(scipy.special, name)(*args)
    call.__name__ = name
    return call


_polygamma = _special("polygamma")


def _elementwise(fn):
    """A float -> float function of the math module on arrays (NaN where it raises)."""
    def scalar(v):
        try:
            return fn(v)
        except (ValueError, OverflowError):
            return math.nan

    vec = np.vectorize(scalar, otypes=[float])

    def call(x):
        return vec(x) if np.ndim(x) else scalar(float(x))
    call.__name__ = fn.__name__
    return call


def _positive_only(fn):
    def call(x):
        x = np.asarray(x, dtype=float)
        return np.where(x > 0, fn(np.where(x > 0, x, 1.0)), np.nan)
    return call


# loggamma, gamma, erf and erfc (in the defined densities' log-densities) come from the
# math module: the common case never pays scipy.special's import
_np_lgamma_small = _elementwise(math.lgamma)
_gammaln = _special("gammaln")
#: arrays up to this size take math.lgamma (~0.3 µs a value: a count sum of a few thousand
#: terms costs about a millisecond), larger ones scipy's gammaln -- whose import costs a
#: worker ~0.2 s.  A rule on the size alone, so a value never depends on what ran before.
LGAMMA_MATH_MAX = 4096


def _lgamma(x):
    """math.lgamma elementwise; scipy's gammaln on large arrays (count sums of 10^6 terms)."""
    return _gammaln(x) if np.ndim(x) and np.size(x) > LGAMMA_MATH_MAX else _np_lgamma_small(x)


_np_loggamma = _positive_only(_lgamma)


def _np_polygamma(n, x):
    n = np.asarray(n, dtype=float)
    ok = (n == np.round(n)) & (n >= 0)
    return np.where(ok, _polygamma(np.where(ok, n, 0).astype(int), x), np.nan)


NP_FUNCTIONS = {
    sympy.Abs: np.abs,
    sympy.gamma: _elementwise(math.gamma),
    sympy.loggamma: _np_loggamma,
    sympy.digamma: _special("digamma"),
    sympy.polygamma: _np_polygamma,
    sympy.beta: _special("beta"),
    sympy.binomial: _special("binom"),
    sympy.erf: _elementwise(math.erf),
    sympy.erfc: _elementwise(math.erfc),
    sympy.sin: np.sin,
    sympy.cos: np.cos,
    sympy.tan: np.tan,
    sympy.sinh: np.sinh,
    sympy.cosh: np.cosh,
    sympy.tanh: np.tanh,
    sympy.atan: np.arctan,
    sympy.asinh: np.arcsinh,
    sympy.besseli: _special("iv"),
    sympy.Heaviside: np.heaviside,
    sympy.Min: np.minimum,
}
