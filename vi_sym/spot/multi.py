"""Spot-checks in the model families with several latents (:mod:`vi_sym.families.multi`).

A step of a derivation with ``latent: z1 z2`` is evaluated in such a family with its latents
mapped onto the family's in header order and its one observed variable onto ``x``.  Both
sides are evaluated on tensor-product quadrature grids (:mod:`vi_sym.numeric.tensor`):

* the fast path (float64) evaluates each point on two layouts (8 Gauss–Legendre nodes per panel
  around the weights' mass; 10 nodes on that window widened by a quarter on each side) and
  settles only a clear *holds*;
* the precise path (numpy longdouble, 64-bit mantissa) evaluates on a 16-node layout and on
  one covering every density's mass, widened by a quarter on each side; their difference is
  the quadrature error estimate, added to the propagated rounding bound.  A violation refutes
  only when it exceeds the threshold plus both error estimates, and the float64 values agree
  with it (the driver's certification); otherwise the point is skipped with its reason.

``+ const(z1)`` is tested as "lhs − rhs equals its average under q(z1)", ``+ const(q(z1))``
as "lhs − rhs does not change when the factor q(z1) is replaced by another" (the draw carries
the other factor); a latent free outside every integral is drawn (``latent_strategy``).
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import sympy
from hypothesis import strategies as st

from ..claims.structure import is_concrete
from ..coordinates import coordinate_names
from ..core import rename_densities, variational_names
from .names import in_note_names
from ..families.multi import DATA_NAME, VARIATIONAL
from ..families.roles import UnsupportedDensity, freeze
from ..numeric import NotEvaluable, free_names
from ..numeric.budget import remembered
from ..numeric.plain import DPS
from ..numeric.tensor import GridSpec, compile_grid, evaluate_certified
from ..rules.meanfield import expectation_except_rewrite
from ..rules.optimal_factor import unfold_optimal_factors
from ..upto import spot_form_latents
from ..vocabulary import Density, unfold_definitions
from .base import SpotResult
from .driver import Fast, Property, compare, fast_decision, search

__all__ = ["MultiFamilyChecker", "multi_coordinates", "spot_check_multi", "side_value", "FAST_SPECS",
           "PRECISE_SPECS"]

#: the float64 screening: the weights' windows at 8 nodes per panel, and widened by a quarter
#: on each side at 10 nodes per panel (the difference shows a truncated tail too)
FAST_SPECS = (GridSpec("A8", 8, 0.0, False), GridSpec("A10", 10, 0.25, False))
#: the longdouble confirmation: 16 nodes on the weights' windows, and 12 nodes on every
#: density's window widened by a quarter on each side
PRECISE_SPECS = (GridSpec("A16", 16, 0.0, False), GridSpec("B", 12, 0.25, True))
#: the most side values :func:`side_value` keeps
SIDES_MAX = 8192
_SIDES: dict = {}
_RELS = {"=": "=", "==": "=", ">=": ">=", "≥": ">=", "<=": "<=", "≤": "<="}


def multi_coordinates(step, family):
    """The step's sides (``E_{-j}`` unfolded against the declared factorisation) with its
    latents renamed onto ``family.latents`` (header order) and its one observed variable onto
    ``x``; None when the step does not fit the family (more latents than the family has, fewer
    than two, latents declared ``copies:`` of one another, a parameter or a second observed
    variable)."""
    ctx = step.context
    latents = tuple(ctx.latent)
    slots = tuple(getattr(family, "parameters", ()))
    used = {str(v) for v in step.lhs.free_symbols | step.rhs.free_symbols}
    declared = [n for n, _ in getattr(ctx, "domains", ()) if n in used]    # the step's, in declared order
    if getattr(ctx, "copies", ()):    # z1, z2 declared i.i.d. copies: not two latents of one model
        return None
    if slots:    # a family with parameters: exactly its latents, its parameters used
        if len(latents) != len(family.latents) or not 1 <= len(declared) <= len(slots):
            return None
    elif not 2 <= len(latents) <= len(family.latents):
        return None
    lhs, rhs = (expectation_except_rewrite(side, ctx) for side in (step.lhs, step.rhs))
    lhs, rhs = unfold_optimal_factors(lhs, rhs, ctx) or (lhs, rhs)    # q_j*: CAVI's update
    dens = lhs.atoms(Density) | rhs.atoms(Density)
    every = {v for d in dens for v in tuple(d.vars) + tuple(d.given)}
    params = [v for v in every if ctx.is_parameter(v)]
    if params and not slots:
        return None
    observed = sorted((v for v in every if not ctx.is_latent(v) and not ctx.is_parameter(v)), key=str)
    if len(observed) > 1:
        return None
    mapping = {v: sympy.Symbol(n) for v, n in zip(latents, family.latents)}
    free = (lhs.free_symbols | rhs.free_symbols) | set(params)
    for v in free:
        if v.name in declared:
            mapping[v] = sympy.Symbol(slots[declared.index(v.name)])
    if observed:
        mapping[observed[0]] = sympy.Symbol(DATA_NAME)
    names = variational_names(lhs, rhs, ctx, VARIATIONAL)
    if names is None:      # more arbitrary densities than the family's q and r
        return None
    lhs, rhs = rename_densities(lhs, names), rename_densities(rhs, names)
    if all(k == v for k, v in mapping.items()):
        return lhs, rhs
    # two passes: z2 -> z1 -> ... must not collide
    tmp = {k: sympy.Dummy(k.name) for k in mapping}
    back = {tmp[k]: v for k, v in mapping.items()}
    return (lhs.xreplace(tmp).xreplace(back), rhs.xreplace(tmp).xreplace(back))


def _plain(v):
    if isinstance(v, Fraction):
        return str(v)
    if isinstance(v, (list, tuple)):
        return [_plain(u) for u in v]
    if isinstance(v, np.generic):
        return float(v)
    return v


class _MultiProperty(Property):
    """``lhs rel rhs`` (or, for a const in a factor, D unchanged by the factor) at a point
    ``(params, values of the free latents)``."""
    shrink_budget = 40

    def __init__(self, form, rel, fam, tol, free):
        self.form, self.rel, self.fam, self.tol, self.free = form, rel, fam, tol, free

    def _sides(self, example, dtype, specs):
        params, zs = example
        binding = {z: v for z, v in zip(self.fam.latents, zs) if z in self.free}
        f = self.form
        L = side_value(f.lhs, self.fam, params, binding, dtype, specs)
        if f.kind == "factor":
            other = self.fam.vary_factor(params, f.target.name, f.target.vars[0].name)
            if other is None:
                raise NotEvaluable(f"{self.fam.name} has no other {f.target} to compare with")
            R = side_value(f.lhs, self.fam, other, binding, dtype, specs)
        else:
            R = side_value(f.rhs, self.fam, params, binding, dtype, specs)
        return L, R

    def fast(self, examples, batch_key=None):
        out = []
        for ex in examples:
            try:
                (L, eL), (R, eR) = self._sides(ex, np.float64, FAST_SPECS)
            except NotEvaluable as e:
                out.append(Fast("skip", reason=e.reason))
                continue
            out.append(fast_decision(self.rel, self.tol, float(L), float(eL), float(R), float(eR)))
        return out

    def precise(self, example):
        try:
            (L, eL), (R, eR) = self._sides(example, np.longdouble, PRECISE_SPECS)
        except NotEvaluable as e:
            return e.reason
        return compare(self.rel, self.tol, L, eL, R, eR)


def side_value(expr, fam, params, binding, dtype, specs):
    """``evaluate_certified(expr, fam, params, binding, dtype, specs)``, memoised: a chain's
    steps share their sides (the right side of one step is the left side of the next), so
    each distinct side is evaluated once per point and layout (a NotEvaluable is kept and
    raised again; no mpmath fallback is taken, so none is charged)."""
    key = (expr, fam.name, freeze(params), tuple(sorted(binding.items())), np.dtype(dtype).name,
           tuple((s.name, s.nodes, s.widen, s.all_bumps) for s in specs))
    return remembered(_SIDES, key, lambda: evaluate_certified(expr, fam, params, binding, dtype, specs),
                      DPS, cap=SIDES_MAX)


def _free_latents(form, fam):
    names = set()
    for side in (form.lhs, form.rhs):
        if side is not None:
            names |= free_names(side)
    return tuple(sorted(names & set(fam.latents)))


def _strategy(fam):
    """Parameter points with a value of every latent (a step uses those it has free): one
    draw set per family, shared by every step."""
    picks = st.tuples(*[st.tuples(st.integers(0, 2), st.floats(-3, 3))] * len(fam.latents))
    return st.tuples(fam.strategy(), picks).map(lambda t: (t[0], tuple(
        fam.latent_value(t[0], z, *pick) for z, pick in zip(fam.latents, t[1]))))


def spot_check_multi(lhs, rel, rhs, family, latents, samples=50, seed=0, tol=1e-6) -> SpotResult:
    """Spot-check ``lhs rel rhs`` (already in the family's coordinates) in ``family``."""
    fam = family
    rel = _RELS[rel]
    form = spot_form_latents(lhs, rhs, rel, tuple(sympy.Symbol(n) for n in latents))
    if form.kind == "unknown":
        return SpotResult(fam.name, "UNKNOWN", 0, 0, 0.0, None, form.reason)
    if form.kind == "factor":
        rel = "="
    bad = _structural(form, fam)
    if bad is not None:
        return SpotResult(fam.name, bad[0], 0, 0, 0.0, None, bad[1])
    free = _free_latents(form, fam)
    prop = _MultiProperty(form, rel, fam, tol, free)
    specials = _specials(fam)
    out = search(prop, _strategy(fam), samples, seed, specials=specials,
                 draw_key=("multi", fam.name), batch_key=None,
                 key_of=lambda e: (freeze(e[0]), tuple(v for z, v in zip(fam.latents, e[1]) if z in free)))
    return _result(fam, form, out, free)


_SPECIALS: dict = {}


def _specials(fam) -> list:
    out = _SPECIALS.get(fam.name)
    if out is None:
        out = _SPECIALS[fam.name] = [(sp, tuple(fam.latent_special(sp, z) for z in fam.latents))
                                     for sp in fam.special_points()]
    return out


def _structural(form, fam):
    """(kind, reason) when the form can never be evaluated in ``fam``, else None."""
    for side in (form.lhs, form.rhs):
        if side is None:
            continue
        try:
            for d in unfold_definitions(side).atoms(Density):
                fam.role(d)
        except UnsupportedDensity as ex:
            return "NOT-APPLICABLE", ex.reason
        other = sorted(n for n in free_names(side) - set(fam.latents) - set(fam.parameters)
                       if not fam.is_data(n))
        if other:
            return "UNKNOWN", f"free symbol(s) {', '.join(other)} have no value in a model family"
        try:
            compile_grid(side, fam)
        except NotEvaluable as ex:
            return "UNKNOWN", ex.reason
    return None


def _result(fam, form, out, free) -> SpotResult:
    if out.status == "UNKNOWN":
        return SpotResult(fam.name, "UNKNOWN", 0, out.total, 0.0, None, out.unknown_reason())
    if out.status == "SPOT-CHECKED" and form.refute_only:
        return SpotResult(fam.name, "UNKNOWN", out.checked, out.total, out.max_error, None,
                          f"{form.reason} (lhs − rhs was free of {form.target} at the {out.checked} "
                          f"points tried, so no counterexample either)")
    if out.status == "SPOT-CHECKED":
        return SpotResult(fam.name, "SPOT-CHECKED", out.checked, out.total, out.max_error, None,
                          out.summary().replace("re-evaluated with mpmath",
                                                "re-evaluated in extended precision"))
    params, zs = out.example
    p = out.point
    cex = {"params": {k: _plain(v) for k, v in params.items() if not k.startswith("_")},
           "lhs": float(p.lhs), "rhs": float(p.rhs), "difference": float(p.difference),
           "threshold": float(p.threshold), "lhs_error": float(p.lhs_error),
           "rhs_error": float(p.rhs_error), "found_by": out.found_by}
    for z, v in zip(fam.latents, zs):
        if z in free:
            cex["params"][z] = float(v)
    if "_label" in params:
        cex["label"] = params["_label"]
    if form.refute_only:
        cex["meaning"] = _dropped_meaning(form, cex)
        reason = cex["meaning"]
    elif form.kind == "factor":
        reason = (f"lhs − rhs depends on {form.target}: {cex['lhs']:.10g} with q as drawn, "
                  f"{cex['rhs']:.10g} with {form.target} replaced by the factor qb")
        cex["meaning"] = (f"lhs − rhs is {cex['lhs']:.4g} with {form.target} as given and "
                          f"{cex['rhs']:.4g} with {form.target} replaced by the factor in qb: it "
                          f"changes by {abs(cex['difference']):.4g}, so it is not a const({form.target})")
    elif form.kind == "latent":
        reason = (f"lhs − rhs is {cex['lhs']:.10g} here but {cex['rhs']:.10g} on average over "
                  f"q({form.target}): it depends on {form.target}")
        cex["meaning"] = (f"lhs − rhs is {cex['lhs']:.4g}, but its average over q({form.target}) is "
                          f"{cex['rhs']:.4g}: it depends on {form.target}, so it is not a "
                          f"const({form.target})")
    elif out.found_by == "special point":
        reason = (f"violated at special point '{params.get('_label', '?')}': "
                  f"lhs={cex['lhs']:.10g}, rhs={cex['rhs']:.10g}")
    else:
        reason = (f"counterexample: lhs={cex['lhs']:.10g}, rhs={cex['rhs']:.10g}, "
                  f"difference={cex['difference']:.3g} > threshold {cex['threshold']:.3g}")
    return SpotResult(fam.name, "FAILED", out.checked, out.total, out.max_error, cex, reason)


def _dropped_meaning(form, cex) -> str:
    """Why a step that drops its left side's const is refuted."""
    if form.kind == "factor":
        how = (f"lhs − rhs is {cex['lhs']:.4g} with {form.target} as given and {cex['rhs']:.4g} "
               f"with {form.target} replaced by the factor in qb")
    else:
        how = f"lhs − rhs is {cex['lhs']:.4g}, but its average over q({form.target}) is {cex['rhs']:.4g}"
    return (f"the right side drops the left side's const({form.target}), but {how}: the two sides "
            f"differ by a term that depends on {form.target}, so no const({form.target}) on the "
            f"left can make them equal")


class MultiFamilyChecker:
    """A model family with several latents as a :class:`~vi_sym.spot.base.SpotChecker`."""
    always = False

    def __init__(self, family):
        self.family = family
        self.name = self.batch = family.name

    def applies(self, step) -> bool:
        if step.error or is_concrete(step):
            return False
        if getattr(step.context, "fixed", ()) and getattr(self.family, "prior_moves_with_parameters", False):
            return False        # the step's model has a prior free of θ; this family's prior moves with θ
        sides = multi_coordinates(step, self.family)
        if sides is None:
            return False
        try:
            for side in sides:
                for d in unfold_definitions(side).atoms(Density):
                    self.family.role(d)
        except (UnsupportedDensity, Exception):  # noqa: BLE001 -- cannot tell: does not apply
            return False
        return True

    def check(self, step, samples=50, seed=0, tol=1e-6) -> SpotResult:
        lhs, rhs = multi_coordinates(step, self.family)
        res = spot_check_multi(lhs, step.rel, rhs, self.family, self.family.latents,
                               samples=samples, seed=seed, tol=tol)
        observed = {DATA_NAME: n for k, n in coordinate_names(step).items() if k == "x"}
        return in_note_names(res, {**dict(zip(self.family.latents, map(str, step.context.latent))), **observed})

    def __eq__(self, other):
        return isinstance(other, MultiFamilyChecker) and other.family is self.family

    def __hash__(self):
        return hash(self.name)

    def __repr__(self):
        return f"MultiFamilyChecker({self.name!r})"
