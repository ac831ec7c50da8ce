"""The float64 fast path's data: batches of parameter points, latent values on grids,
quadrature grids and their breakpoints (see :meth:`vi_sym.families.base.Family.fast_grid`)."""
from __future__ import annotations

import numpy as np

__all__ = ["EPS", "FAST_DROPS", "FAST_NODES", "FastBatch", "Latent", "FastGrid", "gauss_legendre",
           "gauss_breakpoints", "drop_breakpoints", "softplus"]

EPS = float(np.finfo(float).eps)
#: drops of a bump's log-density from its mode where breakpoints are placed
#: (a Gaussian's ±1.5, ±3, ±5, ±8, ±12 standard deviations)
FAST_DROPS = (1.125, 4.5, 12.5, 32.0, 72.0)
#: Gauss–Legendre nodes per panel at the two resolutions (their difference is the error estimate)
FAST_NODES = (16, 32)


class FastBatch:
    """Float64 parameters of ``n`` parameter points of one family, as ``(n, 1)`` arrays
    (attributes set by the family), plus a memo for grids and integrals.

    ``invalid`` maps a point's index to the reason its parameters are not valid
    (such a point is never evaluated)."""

    def __init__(self, family, params, zvals=None):
        self.family = family
        self.params = list(params)
        self.n = len(self.params)
        self.zvals = None if zvals is None else list(zvals)
        self.invalid = {}
        self.cache = {}
        self.zlat = None       # the bound latent (n, 1), when zvals are given


class Latent:
    """Latent values on an ``(n, K)`` grid: ``z``, and where a family needs them exactly,
    ``logz`` (log z) and ``log1mz`` (log(1 - z)); ``idx`` (discrete: the value's index);
    ``valid`` (discrete: which entries are values of the latent, else None)."""

    __slots__ = ("z", "logz", "log1mz", "idx", "valid")

    def __init__(self, z, logz=None, log1mz=None, idx=None, valid=None):
        self.z = z
        self.logz = logz
        self.log1mz = log1mz
        self.idx = idx
        self.valid = valid


class FastGrid:
    """Quadrature layout for one batch and one set of weight roles.

    Continuous: ``L`` holds ``M = P·(n1 + n2)`` nodes (panel-major; per panel the ``n1``
    nodes of the low and then the ``n2`` nodes of the high resolution) followed by four
    tail probes (``lo``, ``lo - w/2``, ``hi``, ``hi + w/2`` in the coordinate u, w the
    window width); ``W1``, ``W2`` ``(n, P, n1|n2)`` the weights in u; ``jac`` ``dz/du`` at
    every column.  Discrete: ``L`` is the support (``valid`` marks the values)."""

    __slots__ = ("L", "discrete", "P", "n1", "n2", "W1", "W2", "jac", "lo", "hi", "width",
                 "zlo", "zhi", "M")


_GL = {}


def gauss_legendre(n):
    """Nodes and weights of the n-point Gauss–Legendre rule on [-1, 1] (cached)."""
    r = _GL.get(n)
    if r is None:
        r = _GL[n] = np.polynomial.legendre.leggauss(n)
    return r


def gauss_breakpoints(c, s):
    """Breakpoints of a Gaussian bump N(c, s²): the mode and the FAST_DROPS on each side."""
    ks = np.sqrt(2 * np.asarray(FAST_DROPS))
    k = np.concatenate([-ks[::-1], [0.0], ks])
    return c + s * k


def drop_breakpoints(mode, drop, scale):
    """Breakpoints of a log-concave bump with maximum at ``mode`` ((n, 1) arrays):
    ``drop(t)`` (vectorised, t the offset from the mode) is the fall of the log-density,
    increasing in |t|; ``scale`` a rough width.  Solved by bracketing and bisection, both
    sides of the mode in one array (the columns left of the mode, then those right of it:
    each element's steps are those it would take alone)."""
    D = np.asarray(FAST_DROPS)[None, :]
    shape = np.broadcast_shapes(np.shape(mode), D.shape)
    k = shape[1]
    DD = np.concatenate([np.broadcast_to(D, shape)] * 2, axis=1)
    side = np.concatenate([np.full(shape, -1.0), np.full(shape, 1.0)], axis=1)
    lo = np.zeros(DD.shape)
    hi = np.concatenate([np.broadcast_to(scale * np.sqrt(2 * D), shape)] * 2, axis=1)
    with np.errstate(all="ignore"):
        for _ in range(80):
            short = ~(drop(side * hi) >= DD)
            if not short.any():
                break
            lo = np.where(short, hi, lo)
            hi = np.where(short, hi * 2, hi)
        for _ in range(56):
            mid = (lo + hi) / 2
            below = drop(side * mid) < DD
            lo = np.where(below, mid, lo)
            hi = np.where(below, hi, mid)
    t = mode + side * (lo + hi) / 2
    return np.concatenate([t[:, :k][:, ::-1], np.broadcast_to(mode, (shape[0], 1)), t[:, k:]], axis=1)


def softplus(u):
    """log(1 + e^u) without overflow."""
    return np.logaddexp(0.0, u)

