"""The grids of :mod:`vi_sym.numeric.tensor`: how a latent's axis is laid out (composite
Gauss–Legendre panels on the family's breakpoints, :class:`GridSpec`, the two layouts
compared as the quadrature error estimate, :data:`RESOLUTIONS`) and the context of one
evaluation (:class:`_Ctx`: the family's point, the dtype, each latent's axis and grid)."""
from __future__ import annotations

import numpy as np

__all__ = ["GridSpec", "RESOLUTIONS"]


class GridSpec:
    """How to lay out a grid: Gauss–Legendre ``nodes`` per panel, the window widened by
    ``widen`` × its width on each side (one more panel per side), and whether every model
    density's mass is covered (``all_bumps``) or only the weights'."""

    __slots__ = ("nodes", "widen", "all_bumps", "name")

    def __init__(self, name, nodes, widen, all_bumps):
        self.name, self.nodes, self.widen, self.all_bumps = name, nodes, widen, all_bumps


#: the two layouts compared by :func:`evaluate_certified` (their difference is the
#: quadrature error estimate): the weights' windows at 12 nodes per panel, and every
#: density's window, widened by a quarter on each side, at 20 nodes per panel
RESOLUTIONS = (GridSpec("A", 12, 0.0, False), GridSpec("B", 20, 0.25, True))

_GL: dict = {}


def _gauss_legendre(n, dtype):
    key = (n, np.dtype(dtype).name)
    r = _GL.get(key)
    if r is None:
        t, w = np.polynomial.legendre.leggauss(n)
        if np.dtype(dtype) != np.float64:    # refine the nodes by Newton steps in the wider type
            t = t.astype(dtype)
            for _ in range(3):
                p0, p1 = np.ones_like(t), t
                for k in range(2, n + 1):
                    p0, p1 = p1, ((2 * k - 1) * t * p1 - (k - 1) * p0) / k
                dp = n * (t * p1 - p0) / (t * t - 1)
                t = t - p1 / dp
            w = 2 / ((1 - t * t) * dp * dp)
        r = _GL[key] = (np.asarray(t, dtype=dtype), np.asarray(w, dtype=dtype))
    return r


class _Ctx:
    __slots__ = ("family", "P", "dtype", "eps", "spec", "env", "axes", "grids")

    def __init__(self, family, P, dtype, spec, binding):
        self.family, self.P, self.dtype, self.spec = family, P, dtype, spec
        self.eps = np.finfo(dtype).eps
        self.axes = {name: i for i, name in enumerate(family.latents)}
        self.env = {}
        for name, v in (binding or {}).items():
            self.env[name] = self.along(name, np.asarray([v], dtype=dtype))
        self.grids = {}

    def along(self, name, arr):
        shape = [1] * len(self.axes)
        shape[self.axes[name]] = arr.shape[0]
        return arr.reshape(shape)

    def grid(self, name, weight_names):
        """(nodes z, weights) along the axis of latent ``name`` for these weight densities."""
        spec = self.spec
        key = (name, weight_names, spec.nodes, spec.widen, spec.all_bumps)
        cache = getattr(self.P, "grids", None)      # a family's point may keep its grids
        if cache is None:
            cache = self.grids
        g = cache.get(key)
        if g is None:
            g = cache[key] = self._make_grid(name, weight_names)
        return g

    def _make_grid(self, name, weight_names):
        fam, spec, dt = self.family, self.spec, self.dtype
        support = fam.discrete_support(self.P, name)
        if support is not None:
            z = np.asarray(support, dtype=dt)
            return self.along(name, z), self.along(name, np.ones_like(z))
        names = None if spec.all_bumps else weight_names
        bps = np.unique(np.concatenate([np.asarray(b, dtype=dt)
                                        for b in fam.breakpoints(self.P, name, names)]))
        if spec.widen:
            width = bps[-1] - bps[0]
            bps = np.concatenate([[bps[0] - spec.widen * width], bps, [bps[-1] + spec.widen * width]])
        a, b = bps[:-1], bps[1:]
        keep = (b - a) > (bps[-1] - bps[0]) * 1e-12
        a, b = a[keep], b[keep]
        t, w = _gauss_legendre(spec.nodes, dt)
        half, mid = ((b - a) / 2)[:, None], ((a + b) / 2)[:, None]
        u = (mid + half * t).ravel()
        wu = (half * w).ravel()
        z, jac = fam.from_coordinate(name, u)
        return self.along(name, z), self.along(name, wu * jac)
