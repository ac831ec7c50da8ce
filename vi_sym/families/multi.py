"""Model families with several latents (``latent: z1 z2``), in which multi-latent steps are
spot-checked.

A :class:`MultiFamily` gives a numeric meaning to every density over any subset of its
variables: the model's ``p(A|B)`` for disjoint subsets A (non-empty), B of
``{x, z1, z2}`` -- ``p(x,z1,z2)``, ``p(z1|z2,x)``, ``p(x|z1)``, ``p(z2)``, ``p(x)``, ... --
is ``log p(A ∪ B) − log p(B)`` from the log-marginals of the joint, each in closed form
(:meth:`MultiFamily.log_marginal`); a variational density ``q`` (and a second one, ``r``) is
a joint over the latents alone, ``q(A|B) = q(A ∪ B) / q(B)`` from its marginals
(``q(z1|x)``: the data are fixed, so it is ``q(z1)``).  The product ``q(z1)*q(z2)`` is the
product of q's marginals, which is q's joint only where q factorises (a special point).

Latent values are numpy arrays (the tensor grids of :mod:`vi_sym.numeric.tensor`, in
float64 or longdouble): every log-density is written once for both types.  A step's latents
are mapped onto the family's in the order its header declares them (``latent: z1 z2``).
"""
from __future__ import annotations

import itertools

import mpmath
import numpy as np
from hypothesis import strategies as st

from ..numeric.common import NotEvaluable
from ..vocabulary import Density
from .base import Family
from .roles import UnsupportedDensity, freeze

__all__ = ["MultiFamily", "DATA_NAME", "VARIATIONAL", "BUMP_KS", "HEAVY_KS", "bump", "heavy_bump", "merge_bumps", "num", "subsets"]

DATA_NAME = "x"
#: density names that stand for a variational joint over the latents
VARIATIONAL = ("q", "r")


def num(dtype, v):
    """An mpmath / Python number as a scalar of ``dtype`` (longdouble keeps its digits)."""
    if dtype == np.float64:
        return np.float64(float(v))
    return dtype(mpmath.nstr(mpmath.mpf(v), 25, strip_zeros=False))


def subsets(names):
    """Every subset of ``names`` as a frozenset (the empty one included)."""
    names = tuple(names)
    return [frozenset(c) for k in range(len(names) + 1) for c in itertools.combinations(names, k)]


#: offsets (in scales) of a Gaussian-like bump's breakpoints: its log-density drops by 2, 12.5
#: and 40.5 there (the mass beyond ±9 scales is below 1e-18)
BUMP_KS = (-9.0, -5.0, -2.0, 0.0, 2.0, 5.0, 9.0)


def bump(c, s):
    """Breakpoints of a Gaussian-like bump of centre ``c`` and scale ``s``."""
    return [float(c) + k * float(s) for k in BUMP_KS]


#: a heavy-tailed (Student-t) bump also gets breakpoints far out, in a geometric progression
HEAVY_KS = (20.0, 60.0, 200.0, 700.0, 2500.0)


def heavy_bump(c, s):
    """Breakpoints of a Student-t-like bump: :func:`bump` and ±HEAVY_KS scales (a power-law
    tail is smooth over each factor-of-3 panel, and what lies beyond shows in the error
    estimate of the widened layout)."""
    far = [float(c) + side * k * float(s) for k in HEAVY_KS for side in (-1.0, 1.0)]
    return bump(c, s) + far


def merge_bumps(bumps):
    """The breakpoints of several bumps as one sorted array, a point of a wider bump left out
    when a narrower bump already has one within a third of the wider one's panel width (the
    merged panels stay as fine as each bump needs, without the overlapping bumps' clutter)."""
    bumps = [np.sort(np.asarray(b, dtype=float)) for b in bumps]
    scales = [float(np.min(np.diff(b))) if len(b) > 1 else 0.0 for b in bumps]
    kept = np.array([], dtype=float)
    for s, b in sorted(zip(scales, bumps), key=lambda t: t[0]):
        for t in b:
            if kept.size == 0 or np.min(np.abs(kept - t)) > s / 3:
                kept = np.append(kept, t)
    return [np.sort(kept)]


class MultiFamily(Family):
    """A model family over several latents (see the module docstring).

    Subclasses give :attr:`latents`, :meth:`_prepare_point` (parameters as scalars of a
    dtype), :meth:`log_marginal` (log p over a set of variables), :meth:`log_variational`
    (log q / log r over a set of latents), :meth:`_bumps` (breakpoints around each
    density's mass, per latent), the parameter strategy and special points."""

    #: the latents' names, in the order a step's header latents are mapped onto them
    latents: tuple = ("z1", "z2")
    #: names of the non-random parameter values the family knows (a step's declared
    #: parameters are mapped onto them in header order); () for none
    parameters: tuple = ()
    #: what each latent is, for reports ("the mean μ")
    latent_meaning: dict = {}
    #: latent name -> "real" | "positive" | "discrete"
    latent_kind: dict = {}
    multi = True

    def __init__(self):
        super().__init__()
        self._points = {}
        self._by_id = {}

    # ----- densities -----------------------------------------------------------------
    def is_data(self, name) -> bool:
        """Does ``name`` (free in a step) stand for observed data of this family?"""
        return name == DATA_NAME

    def role(self, d):
        """``(name, vars, given, parameter)`` of a density this family knows (``parameter``:
        the parameter value right of the bar, or None), or UnsupportedDensity."""
        if not isinstance(d, Density):
            raise UnsupportedDensity(f"{d} is not a density")
        vs = frozenset(v.name for v in d.vars)
        gv = frozenset(g.name for g in d.given)
        slots = gv & set(self.parameters)
        gv = gv - slots
        every = set(self.latents) | {DATA_NAME}
        if not vs or vs & gv or not (vs | gv) <= every or len(vs) != len(d.vars):
            raise UnsupportedDensity(f"family {self.name}: density {d} is not over "
                                     f"{', '.join(sorted(every))}")
        if d.name in VARIATIONAL:
            if DATA_NAME in vs or slots:
                raise UnsupportedDensity(f"family {self.name}: {d.name} is a density of the "
                                         "latents only")
            return (d.name, vs, gv - {DATA_NAME}, None)
        if d.name != "p":
            raise UnsupportedDensity(f"family {self.name}: no density called {d.name}")
        if len(slots) != (1 if self.parameters else 0):
            raise UnsupportedDensity(f"family {self.name}: {d} must be conditioned on "
                                     + ("one parameter" if self.parameters else "no parameter"))
        return ("p", vs, gv, next(iter(slots), None))

    def log_density(self, P, key, env):
        """The log-density of ``key`` (from :meth:`role`) at the latent values of ``env``."""
        name, vs, gv, slot = key
        for v in (vs | gv) - {DATA_NAME}:
            if v not in env:
                raise NotEvaluable(f"the latent {v} is free and not bound", structural=True)
        if name == "p":
            def f(P, names, env):
                return self.log_marginal(P, names, env) if slot is None else \
                    self.log_marginal(P, names, env, theta=slot)
            top = f(P, vs | gv, env)
            return top - f(P, gv, env) if gv else top
        top = self.log_variational(P, name, vs | gv, env)
        return top - self.log_variational(P, name, gv, env) if gv else top

    def prepare_point(self, params, dtype=np.float64):
        """The per-point constants of ``params`` as scalars of ``dtype`` (cached)."""
        hit = self._by_id.get((id(params), dtype))
        if hit is not None and hit[0] is params:        # the same dict again: no freezing
            return hit[1]
        key = (freeze(params), np.dtype(dtype).name)
        P = self._points.get(key)
        if P is None:
            if len(self._points) >= self._CACHE_MAX:
                self._points.clear()
            P = self._points[key] = self._prepare_point(params, dtype)
        if len(self._by_id) >= self._CACHE_MAX:
            self._by_id.clear()
        self._by_id[(id(params), dtype)] = (params, P)    # holds params: its id stays unique
        return P

    def log_marginal(self, P, names, env):
        """log p over the variables ``names`` (a frozenset of 'x' and latent names)."""
        raise NotImplementedError

    def log_variational(self, P, name, names, env):
        """log of the variational density ``name`` over the latents ``names``."""
        raise NotImplementedError

    def parameter_value(self, P, slot):
        """The value of the parameter ``slot`` at the prepared point ``P``."""
        raise NotImplementedError

    def _prepare_point(self, params, dtype):
        raise NotImplementedError

    # ----- the latents' domains -----------------------------------------------------------
    def discrete_support(self, P, latent):
        """The values of a discrete latent, or None for a continuous one."""
        return None

    def from_coordinate(self, latent, u):
        """``(z, dz/du)``: the latent at quadrature coordinates ``u`` (``z = e^u`` on (0, ∞))."""
        if self.latent_kind.get(latent) == "positive":
            z = np.exp(u)
            return z, z
        return u, np.ones_like(u)

    def breakpoints(self, P, latent, names=None):
        """Breakpoint arrays (in the coordinate u) around the mass along ``latent`` of the
        densities called ``names`` ('p': every model density), or of every density (None)."""
        bumps = self._bumps(P, latent)
        every = [b for bs in bumps.values() for b in bs]
        if names is None:
            return merge_bumps(every)
        out = []
        for n in names:
            out.extend(bumps.get(n if n in VARIATIONAL else "p", ()))
        return merge_bumps(out or every)

    def _bumps(self, P, latent) -> dict:
        """density name ('p', 'q', 'r') -> list of breakpoint arrays along ``latent``."""
        raise NotImplementedError

    def in_domain(self, latent, v) -> bool:
        kind = self.latent_kind.get(latent, "real")
        return bool(np.isfinite(v)) and (v > 0 if kind == "positive" else True)

    # ----- search space --------------------------------------------------------------------
    def latent_value(self, params, latent, pick, t):
        """A typical value of ``latent`` (free in a step): ``t`` scales from the centre of the
        ``pick``-th of the family's bumps along it (posterior, q, prior)."""
        raise NotImplementedError

    def latent_strategy(self, params, latent=None):
        """A hypothesis strategy of typical values of ``latent``."""
        return st.tuples(st.integers(0, 2), st.floats(-3, 3)).map(
            lambda t: self.latent_value(params, latent or self.latents[0], *t))

    def latent_special(self, params, latent=None):
        """The value of ``latent`` used with the special points."""
        raise NotImplementedError

    def vary_factor(self, params, name, latent):
        """``params`` with the factor ``name(latent)`` (e.g. q(z1)) replaced by the
        alternative the draw carries (to test a ``const(q(z1))``: free of that factor)."""
        raise NotImplementedError

    # ----- the one-latent interface does not apply ------------------------------------------
    def _unsupported(self, *a, **k):
        raise UnsupportedDensity(f"family {self.name} has latents {', '.join(self.latents)}")

    _prepare = _log_lik = _log_prior = _log_q = _log_post = _log_evidence = _unsupported
