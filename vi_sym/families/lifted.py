"""A one-latent model family lifted to several latents or to its data points one by one.

:class:`LiftedFamily` wraps any registered one-latent family (:mod:`vi_sym.families.base`: its
log-densities ``log_fn(params, role)`` for the likelihood, prior, joint, evidence, posterior
and q, each with its own error bound) and gives the vocabulary of two headers a meaning:

* ``copies: z1 z2`` -- the latents ``z1, z2, …`` are independent copies of the family's ``z``:
  the same prior, the same q, the same data x.  ``p(x|z2)``, ``p(x,z1)``, ``p(z2|x)``,
  ``q(z1)`` are the family's densities at that copy; ``q(z1,z2)`` (and ``q(z1|z2)``) is the
  product of q over the copies (i.i.d. draws).  A model density over two copies at once
  (``p(x,z1,z2)``) has no meaning for copies and is not supported.
* ``iid: X = x[1..N]`` -- the family's data set is N i.i.d. points (the family lists the
  parameter keys of its points in ``data_points``, e.g. ``("x",)``): ``p(X|z)``, ``p(X)``,
  ``p(z|X)`` are the family's densities at the whole data set and ``p(x[n]|z)``, ``p(x[n])``,
  ``p(z|x[n])`` the same densities at the one-point data set of point n (the evidence of one
  point is the family's evidence of a data set of one, certified as the family certifies its
  own).  N is the number of points drawn; the parameter ``N`` is that number.

Values are numpy arrays over tensor grids (:mod:`vi_sym.numeric.tensor`): each log-density is
the family's mpmath function evaluated once per distinct node (17 digits for float64, 25 for
longdouble, nodes converted exactly) and memoised per point.  Breakpoints come from the
family's own quadrature plans, in the coordinate u of the latent (``z = e^u`` on (0, ∞),
``z = 1/(1 + e^-u)`` on (0, 1)), each end extended outwards until the weighting densities have
dropped by e^-45 from their peak.
"""
from __future__ import annotations

import re

import mpmath
import numpy as np

from ..numeric.common import NotEvaluable
from ..vocabulary import Density
from .grid import Latent
from .multi import DATA_NAME, MultiFamily, merge_bumps, num
from .roles import UnsupportedDensity

__all__ = ["LiftedFamily", "liftable", "POINT", "point_name", "DROP"]

#: how far (in log-density) past the peak each end of a grid is extended
DROP = 45.0
_POINT = re.compile(r"^x\[(\w+)\]$")
POINT = "x"
#: the densities whose mass a grid covers (the likelihood's lies under the posterior's)
_ROLES = ("prior", "posterior", "q")


def _wide(dtype, v):
    """An mpmath number as ``dtype``: float64 rounded, longdouble from two float64 parts
    (106 bits, more than longdouble's 64: no digit lost)."""
    hi = float(v)
    if dtype == np.float64 or not np.isfinite(hi):
        return hi
    return dtype(hi) + dtype(float(v - hi))


def point_name(k) -> str:
    """The name of data point ``k`` in a lifted family's coordinates: ``x[k]``."""
    return f"{POINT}[{k}]"


def _kind(base):
    if getattr(base, "discrete", False):
        return "discrete"
    lo, hi = (mpmath.mpf(v) for v in base.support)
    if lo == -mpmath.inf and hi == mpmath.inf:
        return "real"
    if lo == 0 and hi == mpmath.inf:
        return "positive"
    if lo == 0 and hi == 1:
        return "unit"
    return None


def liftable(base, iid=False) -> bool:
    """Can ``base`` (a one-latent family) be lifted (to its data points too, with ``iid``)?"""
    if getattr(base, "multi", False) or _kind(base) is None:
        return False
    return not iid or bool(getattr(base, "data_points", ()))


class _Point:
    """A prepared point: the base params, its one-point data sets, memoised node values."""
    __slots__ = ("params", "dtype", "n", "memo", "grids", "plans")

    def __init__(self, params, dtype, n):
        self.params, self.dtype, self.n = params, dtype, n
        self.memo, self.grids, self.plans = {}, {}, {}


class LiftedFamily(MultiFamily):
    """``base`` lifted to the latents ``latents`` (see the module docstring)."""

    parameters = ("N",)

    def __init__(self, base, latents=("z1", "z2"), points=False):
        super().__init__()
        self.points = bool(points)    # the data points one by one: their posteriors' mass too
        if not liftable(base):
            raise ValueError(f"family {base.name} cannot be lifted")
        self.base, self.latents = base, tuple(latents)
        self.kind = _kind(base)
        self.name = f"{base.name}[{','.join(self.latents)}{'; points' if points else ''}]"
        self.latent_kind = {z: self.kind for z in self.latents}
        self.description = f"{base.name}, latents {', '.join(self.latents)} independent copies of z"
        self._coords = {}

    # ----- densities -------------------------------------------------------------------
    def is_data(self, name) -> bool:
        return name == DATA_NAME or bool(_POINT.match(name))

    def _item(self, v):
        """The data item of a density variable: None (the whole data set), an int (point k)
        or a str (point x[n], n a sum's index); not data: False."""
        name = getattr(v, "name", str(v))
        if name == DATA_NAME:
            return None
        m = _POINT.match(name)
        if not m:
            return False
        if not getattr(self.base, "data_points", ()):
            raise UnsupportedDensity(f"family {self.base.name} does not list its data points")
        idx = m.group(1)
        return int(idx) if idx.isdigit() else idx

    def role(self, d):
        if not isinstance(d, Density):
            raise UnsupportedDensity(f"{d} is not a density")
        vs, gv = [self._item(v) for v in d.vars], [self._item(v) for v in d.given]
        zs = [str(v) for v in d.vars if str(v) in self.latents]
        zg = [str(v) for v in d.given if str(v) in self.latents]
        data_v = [i for i, v in zip(vs, d.vars) if i is not False]
        data_g = [i for i, v in zip(gv, d.given) if i is not False]
        if len(zs) + len(data_v) != len(d.vars) or len(zg) + len(data_g) != len(d.given):
            raise UnsupportedDensity(f"family {self.name}: density {d} is not over the data and "
                                     f"the latents {', '.join(self.latents)}")
        if d.name == "q":
            if data_v or not zs:
                raise UnsupportedDensity(f"family {self.name}: q is a density of the latents only")
            return ("q", tuple(zs), None, None)     # i.i.d. copies: q(z1|z2) = q(z1)
        if d.name != "p":
            raise UnsupportedDensity(f"family {self.name}: no density called {d.name}")
        if len(zs) + len(zg) > 1 or len(data_v) + len(data_g) > 1:
            raise UnsupportedDensity(f"family {self.name}: {d} involves two copies or two data "
                                     "sets; each of p's densities is over one copy and one data set")
        item = (data_v + data_g + [None])[0]
        if data_v and zg:
            return ("likelihood", None, item, zg[0])
        if data_v and zs:
            return ("joint", None, item, zs[0])
        if data_v:
            return ("evidence", None, item, None)
        if zs and data_g:
            return ("posterior", None, item, zs[0])
        if zs:
            return ("prior", None, None, zs[0])
        raise UnsupportedDensity(f"family {self.name}: {d} is not a density of the model")

    def _params_of(self, P, item, env):
        if item is None:
            return P.params
        k = env.get(item) if isinstance(item, str) else item
        if not isinstance(k, int) or not 1 <= k <= P.n:
            raise NotEvaluable(f"the data point x[{k}] is not one of x[1..{P.n}]")
        return {**P.params, **{key: (P.params[key][k - 1],) for key in self.base.data_points}}

    def log_density(self, P, key, env):
        role, zs, item, z = key
        if role == "q":
            return sum(self._at_nodes(P, "q", None, self._latent_array(env, zj)) for zj in zs)
        params = self._params_of(P, item, env)
        if role == "evidence":
            return self._scalar(P, params)
        return self._at_nodes(P, role, params, self._latent_array(env, z))

    def log_error(self, P, key):
        """The family's error bound of a log-density from quadrature (evidence, posterior)."""
        role, _, item, _ = key
        if role not in ("evidence", "posterior", "joint", "likelihood"):
            return 0
        hit = P.memo.get(("error", key))
        if hit is None:
            items = range(1, P.n + 1) if isinstance(item, str) else [item]
            hit = P.memo[("error", key)] = max(self._error(P, self._params_of(P, k, {}), role)
                                               for k in items)
        return hit

    def _error(self, P, params, role):
        """The family's bound on its log p(x) (and so log p(z|x)): its fast path's for the
        float64 screening, its mpmath one for the extended-precision confirmation."""
        if P.dtype == np.float64 and getattr(self.base, "fast", False) and self.kind != "discrete":
            err = self.base.fast_log(self._batch(P, params), "evidence", None)[1]
            return float(np.max(err)) * (1 if role in ("evidence", "posterior") else 0)
        with mpmath.workdps(15):
            return float(self.base.log_fn(params, role)[1])

    @staticmethod
    def _latent_array(env, z):
        if z not in env:
            raise NotEvaluable(f"the latent {z} is free and not bound", structural=True)
        return env[z]

    def _dps(self, P):
        return 15 if P.dtype == np.float64 else 25

    def _scalar(self, P, params):
        key = ("evidence", tuple(params.get(k) for k in getattr(self.base, "data_points", ())))
        hit = P.memo.get(key)
        if hit is None:
            with mpmath.workdps(self._dps(P)):
                hit = P.memo[key] = num(P.dtype, self.base.log_fn(params, "evidence")[0]())
        return hit

    def _at_nodes(self, P, role, params, z):
        params = P.params if params is None else params
        z = np.asarray(z)
        key = (role, tuple(params.get(k) for k in getattr(self.base, "data_points", ())),
               z.shape, z.tobytes())
        hit = P.memo.get(key)
        if hit is None:
            if P.dtype == np.float64 and self.kind != "discrete" and getattr(self.base, "fast", False):
                hit = self._fast(P, role, params, z)
            else:
                u = self._coords.get((z.dtype.str, z.tobytes()))
                nodes = z.ravel() if u is None else u.ravel()
                with mpmath.workdps(self._dps(P)):
                    f = self.base.log_fn(params, role)[0]
                    out = [self._node_value(P, f, v, u is not None) for v in nodes]
                hit = np.asarray(out, dtype=P.dtype).reshape(z.shape)
            P.memo[key] = hit
        return hit

    def _fast(self, P, role, params, z):
        """The family's own vectorised float64 log-density at the nodes ``z`` (the screening
        path: a violation is always confirmed by the mpmath values in extended precision)."""
        B = self._batch(P, params)
        lz, l1mz = self._logs(z)
        flat = z.reshape(1, -1).astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            L = Latent(flat, lz.reshape(1, -1), None if l1mz is None else l1mz.reshape(1, -1))
            lv, _ = self.base.fast_log(B, role, L)
        return np.broadcast_to(np.asarray(lv, dtype=float), flat.shape).reshape(z.shape)

    def _node_value(self, P, f, v, from_u):
        """``f`` at one node; on (0, 1) far out in u (z within e^-u of 1) with the digits
        that keep 1 − z from rounding to 0."""
        if from_u and self.kind == "unit" and abs(float(v)) > 30:
            with mpmath.workdps(self._dps(P) + int(abs(float(v)) / 2.3) + 5):
                return _wide(P.dtype, f(self._mp(v, True)))
        return _wide(P.dtype, f(self._mp(v, from_u)))

    def _mp(self, v, from_u=False):
        """A node as an exact mpmath number (from its coordinate u when ``from_u``)."""
        if self.kind == "discrete":
            return int(v)
        hi = float(v)                      # exact: a longdouble is the sum of two float64s
        v = mpmath.mpf(hi) + mpmath.mpf(float(v - hi)) if v.dtype != np.float64 else mpmath.mpf(hi)
        if not from_u:
            return v
        return mpmath.exp(v) if self.kind == "positive" else 1 / (1 + mpmath.exp(-v))

    # ----- points ----------------------------------------------------------------------
    def _prepare_point(self, params, dtype):
        keys = getattr(self.base, "data_points", ())
        n = len(params[keys[0]]) if keys else 1
        return _Point(params, dtype, n)

    def parameter_value(self, P, slot):
        return P.dtype(P.n)

    def n_points(self, params) -> int:
        keys = getattr(self.base, "data_points", ())
        return len(params[keys[0]]) if keys else 1

    # ----- grids -----------------------------------------------------------------------
    def discrete_support(self, P, latent):
        if self.kind != "discrete":
            return None
        return list(self.base.support_of(P.params))

    def from_coordinate(self, latent, u):
        if self.kind == "positive":
            z = np.exp(u)
        elif self.kind == "unit":
            z = 1 / (1 + np.exp(-u))
        else:
            return u, np.ones_like(u)
        if len(self._coords) > 4096:
            self._coords.clear()
        self._coords[(z.dtype.str, z.tobytes())] = u     # the densities read log z from u exactly
        return z, (z if self.kind == "positive" else z * (1 - z))

    def _logs(self, z):
        """(log z, log(1 - z)) at nodes ``z`` made by :meth:`from_coordinate` (from u exactly),
        or from z itself (a bound value)."""
        u = self._coords.get((z.dtype.str, z.tobytes()))
        with np.errstate(divide="ignore", invalid="ignore"):
            if u is None:
                return np.log(z), (np.log1p(-z) if self.kind == "unit" else None)
            if self.kind == "positive":
                return u, None
            return -np.logaddexp(0, -u), -np.logaddexp(0, u)

    def _to_u(self, z):
        if self.kind == "positive":
            return mpmath.log(z) if z > 0 else None
        if self.kind == "unit":
            return mpmath.log(z / (1 - z)) if 0 < z < 1 else None
        return z if mpmath.isfinite(z) else None

    def _batch(self, P, params):
        """The family's float64 batch of one point (its fast path), memoised."""
        key = ("batch", tuple(params.get(k) for k in getattr(self.base, "data_points", ())))
        B = P.memo.get(key)
        if B is None:
            B = P.memo[key] = self.base.fast_batch([params])
            if B.invalid:
                raise NotEvaluable(next(iter(B.invalid.values())))
        return B

    def _bump(self, P, params, role):
        """Breakpoints (in u) around the mass of ``role``'s density: the family's own."""
        if getattr(self.base, "fast", False):
            try:
                bp = np.asarray(self.base._fast_breakpoints(self._batch(P, params), role), dtype=float)
                return sorted(float(u) for u in bp.ravel() if np.isfinite(u))
            except (NotImplementedError, AttributeError):
                pass
        with mpmath.workdps(15):
            plan = self.base.quad_plan(params, (role,))
            return sorted({float(u) for u in map(self._to_u, plan.points) if u is not None})

    def breakpoints(self, P, latent, names=None):
        roles = ("q",) if names is not None and set(names) <= {"q"} else _ROLES
        key = ("bp", roles)
        hit = P.plans.get(key)
        if hit is None:
            hit = P.plans[key] = [self._breakpoints(P, roles)]
        return hit

    def _breakpoints(self, P, roles):
        """One bump per density (role and data item), merged
        (:func:`~vi_sym.families.multi.merge_bumps`), then extended at both ends."""
        items = [P.params] + ([self._params_of(P, k, {}) for k in range(1, P.n + 1)]
                              if self.points and roles != ("q",) and P.n > 1 else [])
        bumps = [b for params in items
                 for role in (roles if params is P.params else ("posterior",))
                 for b in [self._bump(P, params, role)] if b]
        us = sorted(float(u) for u in merge_bumps(bumps)[0]) if bumps else []
        if len(us) < 2:       # a wide density integrated to the support's ends: its centre
            c = us[0] if us else 0.0
            us = [c - 1.0, c + 1.0]
        return np.asarray(self._extend(P, roles, us), dtype=float)

    def _log_weight(self, P, roles, u):
        """The largest log-density of ``roles`` at the coordinates ``u`` (an array), the
        Jacobian included (the family's fast path, or its mpmath densities)."""
        u = np.asarray(u, dtype=float)
        with np.errstate(over="ignore"):
            z, jac = self.from_coordinate(None, u)
        with np.errstate(divide="ignore", invalid="ignore"):
            lj = np.log(jac)
            if getattr(self.base, "fast", False):
                B = self._batch(P, P.params)
                lz, l1mz = self._logs(z)
                L = Latent(z.reshape(1, -1), lz.reshape(1, -1), None if l1mz is None else l1mz.reshape(1, -1))
                lv = [np.broadcast_to(self.base.fast_log(B, r, L)[0], L.z.shape).ravel() for r in roles]
            else:
                with mpmath.workdps(15):
                    fs = [self.base.log_fn(P.params, r)[0] for r in roles]
                    lv = [np.asarray([float(f(self._mp(v, True))) for v in u]) for f in fs]
        best = np.max(np.vstack(lv), axis=0)
        return np.where(np.isfinite(best), best + lj, -np.inf)

    def _extend(self, P, roles, us):
        """``us`` with points outside each end until the weights have dropped by DROP."""
        width = max(us[-1] - us[0], 1e-6)
        steps = width * (2.0 ** np.arange(1, 40) - 1) / 8
        peak = float(np.max(self._log_weight(P, roles, us)))
        out = list(us)
        for side, end in ((-1, us[0]), (1, us[-1])):
            cand = end + side * steps
            with np.errstate(over="ignore"):
                z = self.from_coordinate(None, cand)[0]
            ok = np.isfinite(z) & ((z > 0) if self.kind != "real" else True) & \
                ((z < 1) if self.kind == "unit" else True)
            cand = cand[np.cumprod(ok).astype(bool)]
            if cand.size == 0:
                continue
            low = np.nonzero(self._log_weight(P, roles, cand) < peak - DROP)[0]
            out.extend(cand[: (low[0] + 1) if low.size else cand.size].tolist())
        return sorted(out)

    # ----- search space ----------------------------------------------------------------
    def strategy(self):
        return self.base.strategy()

    def special_points(self):
        return self.base.special_points()

    def latent_value(self, params, latent, pick, t):
        P = self.prepare_point(params)
        if self.kind == "discrete":
            support = self.discrete_support(P, latent)
            return support[int(abs(t) * 7) % len(support)]
        pts = self._bump(P, params, ("posterior", "q", "prior")[pick])
        if len(pts) < 2:       # a wide density planned to the support's ends
            centre, scale = (float(pts[0]) if pts else 0.0), 0.5
        else:
            centre, scale = float(pts[len(pts) // 2]), float(pts[-1] - pts[0]) / 24
        return float(self.from_coordinate(None, np.asarray([centre + t * scale]))[0][0])

    def latent_special(self, params, latent=None):
        return self.latent_value(params, latent, 0, 0.31)

    def vary_factor(self, params, name, latent):
        return None

