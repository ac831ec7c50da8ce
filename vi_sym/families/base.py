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
from fractions import Fraction

import math

import mpmath
import numpy as np
from mpmath import mpf

from ..numeric.common import DATA, LATENT, ROLES, Z_ROLES, NotEvaluable
from ..vocabulary import Density

__all__ = [
    "DATA", "LATENT", "ROLES", "Z_ROLES", "Family", "UnsupportedDensity",
    "density_role", "freeze", "QuadPlan", "FastBatch", "FastGrid", "Latent",
]

_ROLE_TABLE = {
    ("p", ("x",), ("z",)): "likelihood",
    ("p", ("z",), ()): "prior",
    ("p", ("x", "z"), ()): "joint",
    ("p", ("z", "x"), ()): "joint",
    ("p", ("x",), ()): "evidence",
    ("p", ("z",), ("x",)): "posterior",
    ("q", ("z",), ()): "q",
    ("q", ("z",), ("x",)): "q",
}

#: multiples of a scale used as quadrature breakpoints around a centre
GAUSS_KS = (-12, -5, -2, 2, 5, 12)


class UnsupportedDensity(NotEvaluable):
    """The family gives no meaning to this density (e.g. ``p(x|w)``)."""

    def __init__(self, reason):
        super().__init__(reason, structural=True)


def density_role(d) -> str:
    """The role (see the module table) of an abstract density, or raise UnsupportedDensity."""
    if not isinstance(d, Density):
        raise UnsupportedDensity(f"{d} is not a density")
    key = (d.name, tuple(v.name for v in d.vars), tuple(g.name for g in d.given))
    role = _ROLE_TABLE.get(key)
    if role is None:
        raise UnsupportedDensity(
            f"density {d} is not one of p(x|z), p(z), p(x,z), p(x), p(z|x), q(z)")
    return role


def _freeze_value(v):
    if isinstance(v, (list, tuple)):
        return tuple(_freeze_value(u) for u in v)
    if isinstance(v, dict):
        return tuple(sorted((k, _freeze_value(u)) for k, u in v.items()))
    if isinstance(v, mpmath.mpf):
        return ("mpf", repr(v))
    return v


def freeze(params: dict):
    """A hashable key for a params dict (annotation keys ``_...`` and the latent ``z`` ignored)."""
    return tuple(sorted((k, _freeze_value(v)) for k, v in params.items()
                        if not k.startswith("_") and k != LATENT))


def to_mpf(v) -> mpf:
    """A params value (int, float, Fraction, 'a/b' string, mpf) as an mpf at working precision."""
    if isinstance(v, mpmath.mpf):
        return +v
    if isinstance(v, Fraction):
        return mpf(v.numerator) / v.denominator
    if isinstance(v, str):
        f = Fraction(v)
        return mpf(f.numerator) / f.denominator
    return mpf(v)


def normal_const(s):
    """-log(2π)/2 - log s: the log-normaliser of N(·; mu, s^2)."""
    return -mpmath.log(2 * mpmath.pi) / 2 - mpmath.log(s)


def log_normal(z, mu, s, c=None):
    """log N(z; mu, s^2) = -log(2π)/2 - log s - (z-mu)^2 / (2 s^2) (``c``: precomputed normaliser)."""
    d = (z - mu) / s
    return (normal_const(s) if c is None else c) - d * d / 2


def gauss_points(c, s, ks=GAUSS_KS):
    """Breakpoints ``c + k s`` for the quadrature of a Gaussian-like bump."""
    return [c + k * s for k in ks]


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



# ------------------------------------------------------------------------------------
# Fast (float64, vectorised) evaluation: batches, latent values, grids
# ------------------------------------------------------------------------------------
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
    increasing in |t|; ``scale`` a rough width.  Solved by bracketing and bisection."""
    D = np.asarray(FAST_DROPS)[None, :]
    out = [mode]
    for side in (-1.0, 1.0):
        lo = np.zeros(np.broadcast_shapes(np.shape(mode), D.shape))
        hi = np.broadcast_to(scale * np.sqrt(2 * D), lo.shape).copy()
        with np.errstate(all="ignore"):
            for _ in range(80):
                short = ~(drop(side * hi) >= D)
                if not short.any():
                    break
                lo = np.where(short, hi, lo)
                hi = np.where(short, hi * 2, hi)
            for _ in range(56):
                mid = (lo + hi) / 2
                below = drop(side * mid) < D
                lo = np.where(below, mid, lo)
                hi = np.where(below, hi, mid)
        t = side * (lo + hi) / 2
        out.append(mode + t)
    lo_side = out[1][:, ::-1]
    return np.concatenate([lo_side, out[0], out[2]], axis=1)


def softplus(u):
    """log(1 + e^u) without overflow."""
    return np.logaddexp(0.0, u)


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
