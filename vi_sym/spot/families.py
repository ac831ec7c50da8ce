"""Spot-checks in the concrete model families (:mod:`vi_sym.families`).

``spot_check(lhs, rel, rhs, family, samples=50, seed=0, tol=1e-6) -> SpotResult``

1. Every density of the step must have a meaning in the family; otherwise the result is
   NOT-APPLICABLE.  A step that can never be evaluated (unknown function, free symbol other
   than the data ``x`` and the latent ``z``, ...) is UNKNOWN with the reason.
2. Both sides are evaluated at the family's ``special_points()`` (q = prior, q = exact
   posterior, very narrow and very wide q, ...) and at ``samples`` points drawn by hypothesis
   from ``family.strategy()`` (a step with ``z`` free outside any integral also gets ``z``
   drawn from ``family.latent_strategy(params)``, reported as ``params['z']``).
3. The search is :func:`vi_sym.spot.driver.search`: the float64 fast path
   (:func:`vi_sym.numeric.evaluate_fast`, one vectorised batch per draw set, shared by every
   step) settles only clear "holds"; everything else is decided by the precise mpmath path
   (:func:`vi_sym.numeric.evaluate`).  A violation is shrunk by hypothesis and confirmed by
   the precise path; points that cannot be evaluated are skipped with their reason.
"""
from __future__ import annotations

from fractions import Fraction

import mpmath
import sympy

from ..claims.structure import is_concrete
from ..indexed import is_indexed_step
from ..memo import Memo
from ..coordinates import coordinate_names
from ..core import family_coordinates
from ..families import FAMILIES, Family, applicable_families, get_family
from ..families.base import LATENT, UnsupportedDensity, freeze
from ..numeric import (NOT_EVALUABLE, FastUnsupported, NotEvaluable, compile_expr, compile_fast,
                       evaluate, evaluate_fast, free_names)
from ..upto import spot_form_one
from ..vocabulary import Density, unfold_definitions
from .base import SpotResult
from .multi import MultiFamilyChecker
from .names import in_note_names
from .driver import Fast, Property, compare, draws as _draws, fast_decision, search

__all__ = ["FamilyChecker", "family_checkers", "spot_check", "draws", "family_coordinates",
           "SHRINK_BUDGET"]

#: evaluations hypothesis may spend shrinking a counterexample
SHRINK_BUDGET = 150
_RELS = {"=": "=", "==": "=", ">=": ">=", "≥": ">=", "<=": "<=", "≤": "<="}
_BATCHES: dict = {}
_SPECIALS: dict = {}
_CACHE_MAX = 64


def _plain(v):
    """A params value as plain JSON-friendly data (Fractions as 'a/b' strings)."""
    if isinstance(v, Fraction):
        return str(v)
    if isinstance(v, (list, tuple)):
        return [_plain(u) for u in v]
    if isinstance(v, mpmath.mpf):
        return float(v)
    return v


def _strategy(fam, needs_z):
    strat = fam.strategy()
    if needs_z:
        return strat.flatmap(lambda p: fam.latent_strategy(p).map(lambda zv: (p, zv)))
    return strat.map(lambda p: (p, None))


def draws(fam, samples, seed, needs_z=False) -> list:
    """The examples ``(params, z or None)`` hypothesis generates for a spot-check with these
    settings, in order (the search of :func:`spot_check` replays exactly these)."""
    return _draws(_strategy(fam, needs_z), samples, seed, ("family", fam.name, bool(needs_z)))


def _special_draws(fam, needs_z) -> list:
    key = (fam.name, bool(needs_z))
    out = _SPECIALS.get(key)
    if out is None:
        out = _SPECIALS[key] = [(sp, fam.latent_special(sp) if needs_z else None)
                                for sp in fam.special_points()]
    return out


class _FamilyProperty(Property):
    """``lhs rel rhs`` at a family's parameter point ``(params, z or None)``."""
    shrink_budget = SHRINK_BUDGET

    def __init__(self, lhs, rel, rhs, fam, tol, needs_z, use_fast):
        self.lhs, self.rel, self.rhs, self.fam = lhs, rel, rhs, fam
        self.tol, self.needs_z, self.use_fast = tol, needs_z, use_fast

    def _batch(self, examples, key):
        fam = self.fam
        zs = [zv for _, zv in examples] if self.needs_z else None
        if key is None:
            return fam.fast_batch([p for p, _ in examples], zs)
        key = (fam.name, self.needs_z, key)
        B = _BATCHES.get(key)
        if B is None:   # memoised: the draws' integrals are shared by the steps
            B = fam.fast_batch([p for p, _ in examples], zs)
            if len(_BATCHES) >= _CACHE_MAX:
                _BATCHES.clear()
            _BATCHES[key] = B
        return B

    def fast(self, examples, batch_key=None):
        if not self.use_fast:
            return None
        try:
            B = self._batch(examples, batch_key)
            FL = evaluate_fast(self.lhs, self.fam, B, self.tol)
            FR = evaluate_fast(self.rhs, self.fam, B, self.tol)
        except (FastUnsupported, NotEvaluable):
            self.use_fast = False
            return None
        return [self._decide(FL, FR, i) for i in range(len(examples))]

    def _decide(self, FL, FR, i) -> Fast:
        for F in (FL, FR):
            if F.status[i] == NOT_EVALUABLE:
                return Fast("skip", reason=F.reason(i))
        for F in (FL, FR):
            if F.status[i]:
                return Fast("uncertain", reason=F.reason(i))
        return fast_decision(self.rel, self.tol, float(FL.value[i]), float(FL.error[i]),
                             float(FR.value[i]), float(FR.error[i]))

    def precise(self, example):
        params, zval = example
        binding = {LATENT: zval} if self.needs_z else None
        try:
            L = evaluate(self.lhs, self.fam, params, tol=self.tol, binding=binding)
            R = evaluate(self.rhs, self.fam, params, tol=self.tol, binding=binding)
        except NotEvaluable as ex:
            return ex.reason
        with mpmath.workdps(20):
            return compare(self.rel, self.tol, L.value, L.error, R.value, R.error)


def _applicability(lhs, rhs, fam):
    """(None, needs_z) when the step can be evaluated in ``fam``, else (SpotResult kind, reason)."""
    try:
        ul, ur = unfold_definitions(lhs), unfold_definitions(rhs)
    except Exception as ex:  # noqa: BLE001 -- a malformed definition: nothing to evaluate
        return ("UNKNOWN", f"cannot unfold the definitions: {ex}"), False
    for d in sorted(ul.atoms(Density) | ur.atoms(Density), key=str):
        try:
            fam.role(d)
        except UnsupportedDensity as ex:
            return ("NOT-APPLICABLE", ex.reason), False
    free = (free_names(ul) | free_names(ur)) - {"x"}
    other = sorted(free - {LATENT})
    if other:
        return ("UNKNOWN", f"free symbol(s) {', '.join(other)} have no value in a model family"), False
    try:
        compile_expr(lhs, fam)
        compile_expr(rhs, fam)
    except NotEvaluable as ex:
        return ("UNKNOWN", ex.reason), False
    return None, LATENT in free


def _fast_ok(lhs, rhs, fam) -> bool:
    try:
        compile_fast(lhs, fam)
        compile_fast(rhs, fam)
        return True
    except (FastUnsupported, NotEvaluable):
        return False


def spot_check(lhs, rel, rhs, family, samples=50, seed=0, tol=1e-6,
               special_points=True) -> SpotResult:
    """Numerically spot-check ``lhs rel rhs`` (rel '=', '>=' or '<=') in ``family``.

    ``special_points=False`` skips the family's special points (random search only).
    """
    fam = get_family(family) if isinstance(family, str) else family
    if not isinstance(fam, Family):
        raise TypeError(f"family must be a Family or a family name, got {family!r}")
    try:
        rel = _RELS[rel]
    except KeyError:
        raise ValueError(f"rel must be '=', '>=' or '<=', got {rel!r}") from None
    lhs, rhs = sympy.sympify(lhs, strict=True), sympy.sympify(rhs, strict=True)
    bad, needs_z = _applicability(lhs, rhs, fam)
    if bad is not None:
        return SpotResult(fam.name, bad[0], 0, 0, 0.0, None, bad[1])
    prop = _FamilyProperty(lhs, rel, rhs, fam, tol, needs_z, _fast_ok(lhs, rhs, fam))
    specials = _special_draws(fam, needs_z) if special_points else []
    out = search(prop, _strategy(fam, needs_z), samples, seed, specials=specials,
                 draw_key=("family", fam.name, bool(needs_z)), batch_key=("family",),
                 key_of=lambda e: (freeze(e[0]), e[1]))
    return _result(fam, out, needs_z)


def _result(fam, out, needs_z) -> SpotResult:
    if out.status == "UNKNOWN":
        return SpotResult(fam.name, "UNKNOWN", 0, out.total, 0.0, None, out.unknown_reason())
    if out.status == "SPOT-CHECKED":
        return SpotResult(fam.name, "SPOT-CHECKED", out.checked, out.total, out.max_error, None,
                          out.summary())
    params, zval = out.example
    p = out.point
    cex = {"params": {k: _plain(v) for k, v in params.items() if not k.startswith("_")},
           "lhs": float(p.lhs), "rhs": float(p.rhs), "difference": float(p.difference),
           "threshold": float(p.threshold), "lhs_error": float(p.lhs_error),
           "rhs_error": float(p.rhs_error), "found_by": out.found_by}
    if needs_z:
        cex["params"][LATENT] = _plain(zval)
    if "_label" in params:
        cex["label"] = params["_label"]
    if out.found_by == "special point":
        reason = (f"violated at special point '{params.get('_label', '?')}': "
                  f"lhs={cex['lhs']:.10g}, rhs={cex['rhs']:.10g}")
    else:
        reason = (f"counterexample: lhs={cex['lhs']:.10g}, rhs={cex['rhs']:.10g}, "
                  f"difference={cex['difference']:.3g} > threshold {cex['threshold']:.3g}")
    return SpotResult(fam.name, "FAILED", out.checked, out.total, out.max_error, cex, reason)


_PER_STEP = Memo(8192)


def _per_step(what, step, compute):
    """``compute(step)``, worked out once per step (not once per family) and kept with the
    step, so that its id stays its own."""
    key = (what, id(step))
    hit = _PER_STEP.get(key)
    if hit is None or hit[0] is not step:
        hit = _PER_STEP.put(key, (step, compute(step)))
    return hit[1]


def _applicable_names(step) -> frozenset:
    """The names of the families that give a meaning to every density of ``step`` (none for
    a claim on defined densities or a step about indexed latents)."""
    return _per_step("applicable", step, lambda s: frozenset() if is_concrete(s) or is_indexed_step(s)
                     else frozenset(applicable_families(family_coordinates(s), ["all"])))


def _form(step):
    """What a family evaluates for ``step`` (see :func:`~vi_sym.upto.spot_form_one`)."""
    return _per_step("sides", step, lambda s: spot_form_one(*family_coordinates(s), s.rel))


def _sides(step):
    """The two sides a family evaluates (see :func:`~vi_sym.upto.spot_form_one`)."""
    form = _form(step)
    return form.lhs, form.rhs


def _const_meaning(form, res: SpotResult) -> SpotResult:
    """A FAILED result of a step with a const says what was compared: the two sides' difference
    at the point against its average over q(z), or against the same difference with q
    replaced by the posterior (the sides themselves were never compared)."""
    cex = res.counterexample
    if res.status != "FAILED" or cex is None or form.kind == "plain":
        return res
    t, d, o = form.target, cex["lhs"], cex["rhs"]
    if form.kind == "latent":
        cex["meaning"] = (f"lhs − rhs is {d:.4g} at this {t}, but its average over q({t}) is "
                          f"{o:.4g}: it depends on {t}, so it is not a const({t})")
    else:
        cex["meaning"] = (f"lhs − rhs is {d:.4g} with {t} as drawn and {o:.4g} with {t} replaced "
                          f"by the posterior p({t.vars[0]}|x): it changes by {abs(d - o):.4g} "
                          f"when q does, so it is not a const({t})")
    return SpotResult(res.family, res.status, res.n_checked, res.n_total, res.max_error, cex,
                      f"{res.reason}; {cex['meaning']}")


class FamilyChecker:
    """A model family as a :class:`~vi_sym.spot.base.SpotChecker`."""
    always = False

    def __init__(self, family):
        self.family = get_family(family) if isinstance(family, str) else family
        self.name = self.batch = self.family.name   # checks of one family share draws: one batch

    def applies(self, step) -> bool:
        return self.name in _applicable_names(step)

    def check(self, step, samples=50, seed=0, tol=1e-6) -> SpotResult:
        form = _form(step)   # const(z), const(q(z)): lhs - rhs free of it?
        res = spot_check(form.lhs, step.rel, form.rhs, self.family, samples=samples, seed=seed, tol=tol)
        return in_note_names(_const_meaning(form, res), coordinate_names(step))

    def prefetch(self, step, samples=50, seed=0) -> None:
        """Make this family's draws for ``step`` now (memoised per process: workers forked
        afterwards share them instead of drawing again)."""
        lhs, rhs = _sides(step)
        bad, needs_z = _applicability(sympy.sympify(lhs, strict=True), sympy.sympify(rhs, strict=True),
                                      self.family)
        if bad is None and samples:
            _draws(_strategy(self.family, needs_z), samples, seed, ("family", self.family.name, bool(needs_z)))

    def __eq__(self, other):
        return isinstance(other, FamilyChecker) and other.family is self.family

    def __hash__(self):
        return hash(self.name)

    def __repr__(self):
        return f"FamilyChecker({self.name!r})"


def family_checkers() -> list:
    """One :class:`FamilyChecker` per registered model family (the provider the registry
    reads, so a new family needs no second registration)."""
    return [MultiFamilyChecker(f) if getattr(f, "multi", False) else FamilyChecker(f)
            for f in FAMILIES.values()]
