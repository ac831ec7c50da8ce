"""Spot-checks of ``copies:`` and ``iid:`` steps in one-latent families lifted to them.

A step whose latents are declared copies of one another (``copies: z1 z2``: the importance-
weighted bound) or whose data set is declared i.i.d. points (``iid: X = x[1..N]``) has no
meaning in a family with one latent and one data set.  Each registered one-latent family
that :func:`vi_sym.families.lifted.liftable` accepts gets two checkers here:

* ``<family>-copies``: the step's group of copies z1, z2, … becomes independent copies of the
  family's latent (:class:`~vi_sym.families.lifted.LiftedFamily`), its one observed variable
  the family's data set;
* ``<family>-points``: the data set X is the family's data, ``x[n]`` its n-th point, N the
  number of points drawn (the draws have 1 to 5–8 points: a statement for every N is refuted
  by one N); the step's one latent (or group of copies) the family's latent(s).

Both sides are evaluated on tensor grids and a violation is confirmed in extended precision
on two further layouts, exactly as in the two-latent families (:mod:`vi_sym.spot.multi`):
a counterexample is always certified.
"""
from __future__ import annotations

import sympy
from sympy import Indexed

from ..claims.structure import is_concrete
from ..families import FAMILIES
from ..families.lifted import LiftedFamily, liftable
from ..families.multi import DATA_NAME
from ..families.roles import UnsupportedDensity
from ..vocabulary import Density, unfold_definitions
from .base import SpotResult
from .multi import spot_check_multi

__all__ = ["LiftedChecker", "lifted_checkers", "lifted_coordinates", "MAX_COPIES"]

#: the most copies a lifted family has
MAX_COPIES = 4
_FAMILIES: dict = {}


def _lifted(base, latents, points=False) -> LiftedFamily:
    key = (base.name, id(base), latents, points)
    fam = _FAMILIES.get(key)
    if fam is None:
        fam = _FAMILIES[key] = LiftedFamily(base, latents, points)
    return fam


def _used_latents(step):
    ctx = step.context
    dens = step.lhs.atoms(Density) | step.rhs.atoms(Density)
    used = {v for d in dens for v in tuple(d.vars) + tuple(d.given) if ctx.is_latent(v)}
    used |= {v for v in step.lhs.free_symbols | step.rhs.free_symbols if ctx.is_latent(v)}
    return used


def _latent_map(step):
    """{step latent: lifted name}: the group of copies that holds every latent used -> z1..zk,
    or the one latent used -> z; None when neither."""
    used = _used_latents(step)
    for group in step.context.copies:
        if used <= set(group) and len(group) <= MAX_COPIES:
            return {v: sympy.Symbol(f"z{i + 1}") for i, v in enumerate(group)}
    if len(used) <= 1:          # one latent, or none (a statement about the data alone)
        return {v: sympy.Symbol("z") for v in used}
    return None


def _data_map(step):
    """{step symbol: lifted symbol} for the data: the i.i.d. data set X -> x, its points'
    name -> x (x[n] stays x[n]), N -> N; else the one observed variable -> x."""
    ctx = step.context
    dens = step.lhs.atoms(Density) | step.rhs.atoms(Density)
    every = {v for d in dens for v in tuple(d.vars) + tuple(d.given)}
    if ctx.iid:
        if len(ctx.iid) != 1:
            return None
        data, point, size = ctx.iid[0]
        out = {data: sympy.Symbol(DATA_NAME), point: sympy.Symbol(DATA_NAME), size: sympy.Symbol("N")}
        points = {v for v in every if isinstance(v, Indexed)}
        if any(v.base.label != point for v in points):
            return None
        others = {v for v in every if not isinstance(v, Indexed) and not ctx.is_latent(v)} - {data}
        return None if others else out
    observed = [v for v in every if ctx.is_observed(v)]
    if len(observed) > 1:
        return None
    return {observed[0]: sympy.Symbol(DATA_NAME)} if observed else {}


def lifted_coordinates(step):
    """``(lhs, rhs, latents)`` of the step in a lifted family's coordinates, or None when
    the step does not fit (no group of copies or one latent; two data sets; a parameter)."""
    if step.error or is_concrete(step):
        return None
    zmap, dmap = _latent_map(step), _data_map(step)
    if zmap is None or dmap is None:
        return None
    ctx = step.context
    free = step.lhs.free_symbols | step.rhs.free_symbols
    allowed = set(zmap) | set(dmap)
    if any(ctx.is_parameter(v) and v not in allowed for v in free):
        return None
    mapping = {**zmap, **dmap}
    tmp = {k: sympy.Dummy(k.name) for k in mapping}
    back = {tmp[k]: v for k, v in mapping.items()}

    def move(e):
        return e.xreplace(tmp).xreplace(back)
    latents = tuple(sorted({v.name for v in zmap.values()})) or ("z",)
    return move(step.lhs), move(step.rhs), latents


class LiftedChecker:
    """A one-latent family lifted to ``copies:`` (mode "copies") or ``iid:`` (mode "points")
    steps, as a :class:`~vi_sym.spot.base.SpotChecker`."""
    always = False

    def __init__(self, base, mode):
        self.base, self.mode = base, mode
        self.name = self.batch = f"{base.name}-{mode}"
        self.base_family = base.name          # selected with it (--family normal-normal)

    def _fits(self, step) -> bool:
        ctx = step.context
        return bool(ctx.iid) if self.mode == "points" else bool(ctx.copies) and not ctx.iid

    def _family(self, latents):
        return _lifted(self.base, latents, self.mode == "points")

    def applies(self, step) -> bool:
        if step.error or not self._fits(step):
            return False
        try:
            out = lifted_coordinates(step)
            if out is None:
                return False
            fam = self._family(out[2])
            for side in out[:2]:
                for d in unfold_definitions(side).atoms(Density):
                    fam.role(d)
        except (UnsupportedDensity, Exception):  # noqa: BLE001 -- cannot tell: does not apply
            return False
        return True

    def check(self, step, samples=50, seed=0, tol=1e-6) -> SpotResult:
        lhs, rhs, latents = lifted_coordinates(step)
        fam = self._family(latents)
        r = spot_check_multi(lhs, step.rel, rhs, fam, fam.latents, samples=samples, seed=seed, tol=tol)
        r.family = self.name
        return r

    def __eq__(self, other):
        return isinstance(other, LiftedChecker) and other.name == self.name and other.base is self.base

    def __hash__(self):
        return hash(self.name)

    def __repr__(self):
        return f"LiftedChecker({self.base.name!r}, {self.mode!r})"


_CHECKERS: dict = {}


def lifted_checkers() -> list:
    """Two checkers per registered one-latent family that can be lifted (the provider the
    registry reads: a new family needs no second registration)."""
    out = []
    for fam in FAMILIES.values():
        for mode in ("copies", "points"):
            if liftable(fam, iid=mode == "points"):
                key = (fam.name, id(fam), mode)
                if key not in _CHECKERS:
                    _CHECKERS[key] = LiftedChecker(fam, mode)
                out.append(_CHECKERS[key])
    return out

