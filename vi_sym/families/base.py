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
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from fractions import Fraction

import mpmath
from mpmath import mpf

from ..numeric import NotEvaluable
from ..vocabulary import Density

__all__ = [
    "DATA", "LATENT", "ROLES", "Z_ROLES", "Family", "UnsupportedDensity",
    "density_role", "freeze", "QuadPlan",
]

DATA = "x"
LATENT = "z"
ROLES = ("likelihood", "prior", "joint", "evidence", "posterior", "q")
#: roles whose density depends on the latent z
Z_ROLES = ("likelihood", "prior", "joint", "posterior", "q")

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
