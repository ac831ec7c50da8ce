"""Common machinery of the concrete model families used to spot-check derivations.

A *family* is a concrete probabilistic model with observed data ``x`` (one symbol
standing for the whole data set) and a scalar latent ``z``, together with a
parametric variational family for ``q(z)``.  It gives a numeric meaning to every
abstract density a VI derivation talks about:

=============  ===============================  ==========================
role           abstract density                 meaning
=============  ===============================  ==========================
``likelihood`` ``p(x|z)``                       product over observations
``prior``      ``p(z)``
``joint``      ``p(x,z)`` (or ``p(z,x)``)       ``p(x|z) p(z)``
``evidence``   ``p(x)``                         ``∫ p(x|z) p(z) dz`` (z-free)
``posterior``  ``p(z|x)``                       ``p(x,z) / p(x)``
``q``          ``q(z)`` (or ``q(z|x)``)         the variational density
=============  ===============================  ==========================

Densities are recognised *structurally*: by their name (``p`` for the model,
``q`` for the variational density) and by their argument / conditioning
variables, matched by the names ``x`` and ``z``.  ``q(z|x)`` (an amortised
variational density) is the same density as ``q(z)`` because the data set is
fixed.  Every other density (``p(x|w)``, ``r(z)``, ``p(z|y)``, ...) raises
:class:`UnsupportedDensity`, which the spot-checker reports as NOT-APPLICABLE.

Parameters are plain dicts (the *params*): model hyper-parameters, the observed
data and the variational parameters of ``q``.  Keys starting with ``_`` (such as
``_label`` on the special points) are annotations and are ignored.

All log-densities are computed in log space with mpmath (no float overflow).

**Fast path.**  Each family also evaluates its log-densities *vectorised* in float64
(numpy) for a whole batch of parameter points at once (:meth:`Family.fast_batch`,
:meth:`Family.fast_log`), still in log space, and lays out fixed composite
Gauss–Legendre grids over the latent (:meth:`Family.fast_grid`) for
:func:`vi_sym.numeric.evaluate_fast`.  Continuous latents are integrated in an
unbounded coordinate ``u`` (``z = u``; ``z = σ(u)`` on (0, 1); ``z = e^u`` on
(0, ∞)), where endpoint singularities become smooth exponential tails and ``log z``,
``log(1 - z)`` stay exact; breakpoints sit where each decaying density has dropped by
e^-1.1 ... e^-72 from its mode (a Gaussian's ±1.5 ... ±12 sd).
"""
from __future__ import annotations

from abc import ABC, abstractmethod

import mpmath
import numpy as np
from mpmath import mpf

from ..numeric.common import DATA, LATENT, ROLES, Z_ROLES, NotEvaluable
from .densities import GAUSS_KS, gauss_points, log_normal, log_normal_f64, normal_const
from .modes import fast_product_bump, product_bump, role_groups
from .grid import (EPS, FAST_DROPS, FAST_NODES, FastBatch, FastGrid, Latent, drop_breakpoints,
                   gauss_breakpoints, gauss_legendre, softplus)
from .roles import UnsupportedDensity, density_role, freeze, to_mpf

__all__ = [
    "DATA", "LATENT", "ROLES", "Z_ROLES", "Family", "UnsupportedDensity",
    "density_role", "freeze", "QuadPlan", "FastBatch", "FastGrid", "Latent",
    # helpers re-exported for the family modules
    "EPS", "FAST_DROPS", "FAST_NODES", "GAUSS_KS", "LastValueCache", "NotEvaluable", "drop_breakpoints",
    "gauss_breakpoints", "gauss_legendre", "gauss_points", "log_normal", "log_normal_f64",
    "normal_const", "softplus",
    "to_mpf",
]


class LastValueCache:
    """``f(z)`` remembered for the last ``z`` object (the densities of one integrand share
    ``log z`` / ``log(1-z)`` at a quadrature node; mpf values are immutable)."""

    __slots__ = ("f", "z", "prec", "v")

    def __init__(self, f):
        self.f = f
        self.z = None
        self.prec = None
        self.v = None

    def __call__(self, z):
        prec = mpmath.mp.prec
        if z is not self.z or prec != self.prec:
            self.v = self.f(z)
            self.z = z
            self.prec = prec
        return self.v


class QuadPlan:
    """How to integrate over the latent for given params and weight roles.

    ``points``: sorted breakpoints (first and last are the window ends);
    ``truncated_lo`` / ``truncated_hi``: the window end is *inside* the support
    (an infinite or far tail was cut off and must be checked to be negligible);
    ``singular_lo`` / ``singular_hi``: the window end is a finite support
    boundary where integrands may be singular (tanh-sinh is used there).
    """

    __slots__ = ("points", "truncated_lo", "truncated_hi", "singular_lo", "singular_hi")

    def __init__(self, points, truncated_lo, truncated_hi, singular_lo, singular_hi):
        self.points = points
        self.truncated_lo = truncated_lo
        self.truncated_hi = truncated_hi
        self.singular_lo = singular_lo
        self.singular_hi = singular_hi

    def __repr__(self):
        return (f"QuadPlan([{mpmath.nstr(self.points[0], 6)}, {mpmath.nstr(self.points[-1], 6)}], "
                f"{len(self.points) - 1} pieces, truncated=({self.truncated_lo}, {self.truncated_hi}))")




class Family(ABC):
    """A concrete model family (see the module docstring for the density roles).

    Subclasses implement :meth:`_prepare` (per-params precomputation, cached),
    the five log-density methods, :meth:`_windows` (quadrature breakpoints per
    role) for continuous latents, :meth:`strategy`, :meth:`special_points` and
    :meth:`latent_strategy`.
    """

    name: str = ""
    discrete: bool = False
    description: str = ""
    #: continuous latent: (lo, hi) endpoints, possibly ±inf; discrete: see support_of
    support: tuple | list = ()

    _CACHE_MAX = 4096

    def __init__(self):
        self._cache = {}

    def __repr__(self):
        return f"<Family {self.name}>"

    # ----- densities -------------------------------------------------------------
    def role(self, d) -> str:
        """The role of an abstract density in this family, or raise UnsupportedDensity."""
        try:
            return density_role(d)
        except UnsupportedDensity as ex:
            raise UnsupportedDensity(f"family {self.name}: {ex.reason}") from None

    def prepared(self, params):
        """Per-params precomputation (normalisers, posterior parameters), cached by value."""
        key = (freeze(params), mpmath.mp.prec)
        P = self._cache.get(key)
        if P is None:
            if len(self._cache) >= self._CACHE_MAX:
                self._cache.clear()
            P = self._prepare(params)
            self._cache[key] = P
        return P

    def log_fn(self, params, role):
        """``(f, err)``: ``f(z)`` is the log-density of ``role`` (z ignored for the evidence);
        ``err`` is an absolute error bound on that log value (nonzero only where a
        normaliser comes from quadrature)."""
        P = self.prepared(params)
        if role == "likelihood":
            return (lambda z: self._log_lik(P, z)), self._log_error(P, role)
        if role == "prior":
            return (lambda z: self._log_prior(P, z)), self._log_error(P, role)
        if role == "joint":
            return (lambda z: self._log_lik(P, z) + self._log_prior(P, z)), self._log_error(P, role)
        if role == "evidence":
            le = self._log_evidence(P)
            return (lambda z=None: le), self._log_error(P, role)
        if role == "posterior":
            return (lambda z: self._log_post(P, z)), self._log_error(P, role)
        if role == "q":
            return (lambda z: self._log_q(P, z)), self._log_error(P, role)
        raise UnsupportedDensity(f"family {self.name}: unknown role {role}")

    def log_density(self, params, d, zval=None) -> mpf:
        """log of the concrete density for the abstract density ``d`` at latent value ``zval``."""
        role = self.role(d)
        if role != "evidence" and zval is None:
            raise NotEvaluable(f"{d} needs a value of the latent z")
        f, _ = self.log_fn(params, role)
        return f(None if zval is None else self._latent_value(zval))

    def log_density_error(self, params, d) -> mpf:
        """Absolute error bound of :meth:`log_density` for ``d`` (0 for closed forms)."""
        return self._log_error(self.prepared(params), self.role(d))

    def log_evidence(self, params) -> mpf:
        return self._log_evidence(self.prepared(params))

    def _latent_value(self, zval):
        v = to_mpf(zval)
        if not self.in_support(None, v):
            raise NotEvaluable(f"latent value z = {zval} is outside the support of {self.name}")
        return v

    def in_support(self, params, zval) -> bool:
        """Is ``zval`` a value of the latent (open interval for a continuous latent)?"""
        lo, hi = self.support
        return bool(lo < zval < hi)

    def _log_error(self, P, role):
        return mpf(0)

    @abstractmethod
    def _prepare(self, params): ...

    @abstractmethod
    def _log_lik(self, P, z): ...

    @abstractmethod
    def _log_prior(self, P, z): ...

    @abstractmethod
    def _log_q(self, P, z): ...

    @abstractmethod
    def _log_post(self, P, z): ...

    @abstractmethod
    def _log_evidence(self, P): ...

    # ----- the latent domain ----------------------------------------------------------
    def support_of(self, params):
        """Latent values (discrete) or the ``(lo, hi)`` interval (continuous)."""
        return self.support

    def _windows(self, P, role):
        """Breakpoints covering the mass of the density of ``role`` (continuous families)."""
        raise NotImplementedError

    def _extra_points(self, P, roles):
        """Breakpoints at features of the densities (kinks), added inside the window."""
        return ()

    def quad_plan(self, params, roles) -> QuadPlan:
        """The integration window for an integrand whose decaying factors have these roles."""
        roles = tuple(sorted(set(roles) & set(Z_ROLES))) or Z_ROLES
        key = ("plan", freeze(params), roles, mpmath.mp.prec)
        plan = self._cache.get(key)
        if plan is None:
            P = self.prepared(params)
            lo, hi = (mpf(self.support[0]), mpf(self.support[1]))
            pts = []
            for r in roles:
                pts.extend(self._windows(P, r))
            pts = [p for p in pts if mpmath.isfinite(p)]
            a, b = max(min(pts), lo), min(max(pts), hi)
            pts += list(self._extra_points(P, roles))
            pts += self._product_points(params, roles, a, b)
            inner = sorted(set(p for p in pts if a < p < b))
            pts = [a] + inner + [b]
            span = b - a
            kept = [pts[0]]
            for p in pts[1:-1]:
                if p - kept[-1] > span * mpf("1e-9"):
                    kept.append(p)
            if pts[-1] - kept[-1] <= span * mpf("1e-9") and len(kept) > 1:
                kept.pop()
            kept.append(pts[-1])
            plan = QuadPlan(kept, a > lo, b < hi,
                            a == lo and mpmath.isfinite(lo), b == hi and mpmath.isfinite(hi))
            if len(self._cache) >= self._CACHE_MAX:
                self._cache.clear()
            self._cache[key] = plan
        return plan


    def _product_points(self, params, roles, a, b):
        """Breakpoints around the mode of each product of two or more decaying factors
        (see :mod:`vi_sym.families.modes`): their mass may lie between the factors' windows."""
        pts = []
        for group in role_groups(roles if roles != Z_ROLES else ()):
            pts += product_bump([self.log_fn(params, r)[0] for r in group], a, b)
        return pts

    # ----- fast path (float64, vectorised over parameter points) ---------------------
    #: does the family implement the fast path?
    fast = False

    def fast_batch(self, params, zvals=None) -> FastBatch:
        """The float64 batch of ``params`` (a list of params dicts); ``zvals`` (optional)
        the bound latent value of each point.  Invalid points are listed in ``invalid``."""
        B = FastBatch(self, params, zvals)
        rows = []
        good = None
        for i, p in enumerate(B.params):
            try:
                r = self._fast_point(p)
            except (ValueError, KeyError, TypeError, ZeroDivisionError, OverflowError) as ex:
                B.invalid[i] = f"invalid parameters for {self.name}: {ex}"
                r = None
            rows.append(r)
            if r is not None and good is None:
                good = r
        if good is None:  # nothing valid: any placeholder keeps the arrays well formed
            good = self._fast_point(self.special_points()[0])
        rows = [good if r is None else r for r in rows]
        for k, v in good.items():
            if isinstance(v, (tuple, list)):
                width = max(len(r[k]) for r in rows)
                arr = np.zeros((B.n, width))
                mask = np.zeros((B.n, width), dtype=bool)
                for i, r in enumerate(rows):
                    arr[i, :len(r[k])] = r[k]
                    mask[i, :len(r[k])] = True
                setattr(B, k, arr)
                setattr(B, k + "_mask", mask)
            else:
                setattr(B, k, np.array([float(r[k]) for r in rows]).reshape(B.n, 1))
        self._fast_finish(B)
        if zvals is not None:
            B.zlat = self._fast_bound_latent(B, np.array(
                [self._fast_zvalue(v) for v in B.zvals], dtype=float).reshape(B.n, 1))
        return B

    def _fast_point(self, params) -> dict:
        """Per-point float parameters (scalars, or tuples padded into (n, width) arrays)."""
        raise NotImplementedError

    def _fast_finish(self, B):
        """Vectorised set-up after the per-point parameters (e.g. quadrature normalisers)."""

    def _fast_zvalue(self, v):
        return float(v)

    def fast_log(self, B, role, L):
        """``(l, le)``: the log-density of ``role`` at the latent values ``L`` (None for the
        evidence) and an absolute error bound of ``l`` (rounding, quadrature normalisers)."""
        raise NotImplementedError

    def _fast_bound_latent(self, B, z) -> Latent:
        """The Latent for given values ``z`` ((n, 1)) inside the support."""
        return Latent(z)

    # continuous latents: the coordinate u and the bumps of the decaying densities
    def _fast_from_u(self, u) -> tuple:
        """``(Latent, jac)`` at coordinates ``u`` (identity: ``z = u``, ``dz/du = 1``)."""
        return Latent(u), None

    def _fast_breakpoints(self, B, role):
        """(n, k) breakpoints in u around the mass of the density of ``role``."""
        raise NotImplementedError

    def _fast_extra_breakpoints(self, B, roles):
        """(n, k) breakpoints in u at features of the densities (kinks), or None."""
        return None

    def fast_grid(self, B, roles) -> FastGrid:
        """The quadrature grid (memoised in the batch) for an integrand whose decaying
        factors have these roles (all z-dependent roles when none)."""
        roles = tuple(sorted(set(roles) & set(Z_ROLES))) or Z_ROLES
        key = ("grid", roles)
        G = B.cache.get(key)
        if G is None:
            G = B.cache[key] = self._fast_make_grid(B, roles)
        return G

    def _fast_make_grid(self, B, roles):
        G = FastGrid()
        G.discrete = False
        bps = np.concatenate([self._fast_breakpoints(B, r) for r in roles], axis=1)
        lo, hi = bps.min(axis=1, keepdims=True), bps.max(axis=1, keepdims=True)
        extra = self._fast_extra_breakpoints(B, roles)
        if extra is not None:
            bps = np.concatenate([bps, np.clip(extra, lo, hi)], axis=1)
        for group in role_groups(roles if roles != Z_ROLES else ()):
            bps = np.concatenate([bps, fast_product_bump(self._fast_log_sum(B, group), lo, hi)],
                                 axis=1)
        bps = np.sort(bps, axis=1)
        a, b = bps[:, :-1], bps[:, 1:]
        half, mid = ((b - a) / 2)[:, :, None], ((a + b) / 2)[:, :, None]
        n1, n2 = FAST_NODES
        t1, w1 = gauss_legendre(n1)
        t2, w2 = gauss_legendre(n2)
        t = np.concatenate([t1, t2])
        n, P = B.n, a.shape[1]
        u = (mid + half * t).reshape(n, P * (n1 + n2))
        width = hi - lo
        probes = np.concatenate([lo, lo - width / 2, hi, hi + width / 2], axis=1)
        G.L, G.jac = self._fast_from_u(np.concatenate([u, probes], axis=1))
        G.P, G.n1, G.n2, G.M = P, n1, n2, P * (n1 + n2)
        G.W1, G.W2 = half * w1, half * w2
        G.lo, G.hi, G.width = lo[:, 0], hi[:, 0], width[:, 0]
        zl, _ = self._fast_from_u(np.concatenate([lo, hi], axis=1))
        G.zlo, G.zhi = zl.z[:, 0], zl.z[:, 1]
        return G

    def _fast_log_sum(self, B, group):
        """``g(u)``: the log of the product of the densities of ``group`` in the coordinate u
        (the Jacobian dz/du included), vectorised over the batch."""
        def g(u):
            L, jac = self._fast_from_u(u)
            total = sum(self.fast_log(B, r, L)[0] for r in group)
            return total if jac is None else total + np.log(jac)
        return g

    # ----- parameter search space ------------------------------------------------------
    @abstractmethod
    def strategy(self):
        """A hypothesis strategy of params dicts (generic values; see the family docstring)."""

    @abstractmethod
    def special_points(self) -> list:
        """Params dicts always tried: q = prior, q = exact posterior, narrow and wide q."""

    @abstractmethod
    def latent_strategy(self, params):
        """A hypothesis strategy of latent values z (plain numbers) typical under the model."""

    def latent_special(self, params):
        """A latent value used with the special points when a step has a free z."""
        return None
