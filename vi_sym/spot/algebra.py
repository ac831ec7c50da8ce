"""Spot-checks of algebraic steps: both sides are expressions in declared parameters alone.

A step such as ``-τ/2·((x1 − μ)² + λ0 (μ − μ0)²) = -(1 + λ0) τ/2 · (μ − μN)² + const(μ)``
(completing the square in a CAVI update) mentions no density and no integral: every symbol
is declared in the header (``parameters:``, ``positive:``, ``unit:``).  No model family gives
it a meaning, but its own symbols do: the parameters are drawn from their declared domains
(the same regimes as claims about defined densities, :func:`vi_sym.spot.claims.point_strategy`)
and both sides evaluated with mpmath.

* ``lhs = rhs`` (``>=``, ``<=``): compared at each point;
* ``lhs = rhs + const(t)`` (``· const(t)``): ``D = lhs − rhs`` (``log lhs − log rhs``) must not
  depend on t, so ``D`` at the point is compared with ``D`` at the same point with t moved to
  a second value ``t′`` drawn from t's domain.  A point where they differ shows the
  dependence: it is the counterexample.

Each value is computed at two precisions (``dps`` and ``dps + 20`` digits); their difference
is the value's error estimate, so rounding in a cancellation never reads as a violation.
"""
from __future__ import annotations

import mpmath
import sympy
from hypothesis import strategies as st

from ..numeric import NotEvaluable, compile_plain
from ..upto import UpTo, split_up_to
from ..vocabulary import Const, Density
from .base import SpotResult
from .claims import _domain, _slots, point_strategy, special_points
from .driver import MARGIN, Fast, Property, compare, search

__all__ = ["AlgebraChecker", "spot_algebra", "FAMILY", "is_algebraic"]

FAMILY = "algebra"
#: digits of the fast path; the precise path takes twice as many
DPS = 20
#: the second value of a const's target is named after it with this mark
MOVED = "′"


def _sides(step):
    return sympy.sympify(step.lhs, strict=True), sympy.sympify(step.rhs, strict=True)


def is_algebraic(step) -> bool:
    """No density, no integral, every symbol a declared parameter (consts' targets too)."""
    if step.error:
        return False
    lhs, rhs = _sides(step)
    declared = {name for name, _ in step.context.domains}
    for side in (lhs, rhs):
        if side.atoms(Density) or side.has(sympy.Integral):
            return False
        body = side.replace(lambda e: isinstance(e, Const), lambda e: sympy.S.Zero) \
            if side.has(Const) else side
        if any(s.name not in declared for s in body.free_symbols):
            return False
        for c in side.atoms(Const):
            if not isinstance(c.target, sympy.Symbol) or c.target.name not in declared:
                return False
    return bool(lhs.free_symbols | rhs.free_symbols)


class _AlgebraProperty(Property):
    shrink_budget = 60

    def __init__(self, left, right, rel, tol, moved=()):
        self.left, self.right, self.rel, self.tol = left, right, rel, tol
        self.moved = moved      # the const targets: D at t is compared with D at t′
        self.names = {}         # the parameters' names by slot (the draws are made under slots)

    def _value(self, f, env, dps):
        with mpmath.workdps(dps):
            v = f(env)
        with mpmath.workdps(dps + 20):
            w = f(env)
        if not mpmath.isfinite(w) or isinstance(w, mpmath.mpc):
            raise NotEvaluable("a side is not a finite real number here")
        return w, abs(w - v)

    def evaluate(self, point, dps):
        env = {self.names.get(k, k): mpmath.mpf(v) for k, v in point.items()}
        other = dict(env)
        for t in self.moved:
            other[t] = env[t + MOVED]
        try:
            lv, le = self._value(self.left, env, dps)
            rv, re_ = self._value(self.right, other if self.moved else env, dps)
            with mpmath.workdps(dps + 20):
                return compare(self.rel, self.tol, lv, le, rv, re_)
        except NotEvaluable as ex:
            return ex.reason
        except (ValueError, ZeroDivisionError, OverflowError, TypeError) as ex:
            return f"numeric failure: {type(ex).__name__}: {ex}"

    def fast(self, examples, batch_key=None):
        out = []
        for ex in examples:
            p = self.evaluate(ex, DPS)
            if isinstance(p, str):
                out.append(Fast("skip", reason=p))
            elif p.violation <= MARGIN * p.threshold:
                out.append(Fast("holds", p))
            else:
                out.append(Fast("uncertain", p, f"to be confirmed at {2 * DPS} digits"))
        return out

    def precise(self, example):
        return self.evaluate(example, 2 * DPS)


def _property(step, tol):
    """The property to search and the const targets it moves (names)."""
    lhs, rhs = _sides(step)
    if not (lhs.has(Const) or rhs.has(Const)):
        return _AlgebraProperty(compile_plain(lhs), compile_plain(rhs), step.rel, tol), ()
    claim = split_up_to(lhs, step.rel, rhs)
    if not isinstance(claim, UpTo):
        raise NotEvaluable(claim)
    d = compile_plain(claim.lhs - claim.rhs)
    moved = tuple(t.name for t in claim.targets)
    return _AlgebraProperty(d, d, "=", tol, moved), moved


#: the second value of a const's target at a special point: another special value of its domain
_APART = {"real": (0.5, 0.0, 1.0), "positive": (1.0, 1e-3, 2.0), "unit": (0.5, 1e-3, 0.25)}


#: generic values per domain (no two equal, none 0 or 1): a point where no coincidence hides
#: a slip (the special points put equal values in equal domains, where m2 − μ2 = 0)
_GENERIC = {"real": (0.37, -1.21, 2.03, -0.58, 1.49, -2.47, 0.83, -0.19, 2.61, -1.73),
            "positive": (1.31, 0.62, 2.27, 0.44, 1.83, 0.29, 3.11, 0.77, 1.07, 2.59),
            "unit": (0.31, 0.72, 0.45, 0.18, 0.63, 0.86, 0.24, 0.57, 0.39, 0.91)}


def _generic_points(names, kinds):
    """Two points with distinct generic values: the i-th parameter of a domain takes the
    domain's i-th (and, for the second point, (i+5)-th) generic value."""
    out = []
    for shift in (0, 5):
        seen: dict = {}
        point = {}
        for n, k in zip(names, kinds):
            i = seen[k] = seen.get(k, -1) + 1
            values = _GENERIC[k]
            point[n] = values[(i + shift) % len(values)]
        out.append(point)
    return out


def _moved_apart(point, moved, kinds):
    """A special point with each const target's second value t′ different from t."""
    out = dict(point)
    for t in moved:
        out[t + MOVED] = next(v for v in _APART[kinds[t]] if v != out[t])
    return out


def spot_algebra(step, samples=50, seed=0, tol=1e-6) -> SpotResult:
    """Numeric spot-check of an algebraic step over its declared parameters."""
    def result(status, n_checked=0, n_total=0, max_error=0.0, cex=None, reason=""):
        return SpotResult(FAMILY, status, n_checked, n_total, float(max_error), cex, reason)

    try:
        prop, moved = _property(step, tol)
    except NotEvaluable as ex:
        return result("UNKNOWN", reason=ex.reason)
    lhs, rhs = _sides(step)
    symbols = sorted(lhs.free_symbols | rhs.free_symbols, key=lambda s: s.name)   # consts' targets too
    domains = dict(step.context.domains)
    names = [s.name for s in symbols]
    kinds = [_domain(s, domains) for s in symbols]
    for t in moved:
        names.append(t + MOVED)
        kinds.append(kinds[names.index(t)])
    specials = _generic_points(names, kinds) + [
        _moved_apart(p, moved, dict(zip(names, kinds))) for p in special_points(names, kinds)]
    # drawn under positional slots, as claims are: the draws depend on the domains alone (the
    # same values as drawn under the names), so steps and claims whose parameters have the
    # same domains in the same order share one set of draws, each reading it under its names
    slots = _slots(names)
    prop.names = dict(zip(slots, names))
    by_slot = dict(zip(names, slots))
    out = search(prop, point_strategy(slots, kinds), samples, seed,
                 specials=[{by_slot[n]: v for n, v in p.items()} for p in specials],
                 draw_key=("claim", tuple(kinds)), key_of=lambda e: tuple(sorted(e.items())))
    if out.status == "UNKNOWN":
        return result("UNKNOWN", 0, out.total, 0.0, None, out.unknown_reason())
    if out.status == "SPOT-CHECKED":
        return result("SPOT-CHECKED", out.checked, out.total, out.max_error, None,
                      out.summary("points") + " of the declared parameters")
    p = out.point
    cex = {"params": {prop.names[k]: v for k, v in out.example.items()}, "lhs": float(p.lhs), "rhs": float(p.rhs),
           "difference": float(p.difference), "threshold": float(p.threshold),
           "lhs_error": float(p.lhs_error), "rhs_error": float(p.rhs_error),
           "found_by": out.found_by}
    if moved:
        cex["meaning"] = _dependence(cex, moved)
        return result("FAILED", out.checked, out.total, out.max_error, cex, f"counterexample: {cex['meaning']}")
    return result("FAILED", out.checked, out.total, out.max_error, cex,
                  f"counterexample: lhs={cex['lhs']:.10g}, rhs={cex['rhs']:.10g}, "
                  f"difference={cex['difference']:.3g} > threshold {cex['threshold']:.3g}")


def _dependence(cex: dict, moved) -> str:
    """What a counterexample to ``lhs = rhs + const(t)`` shows: lhs − rhs at t and at t′ (both
    sides of the comparison are lhs − rhs, the second with t moved)."""
    p = cex["params"]
    at = lambda key: " and ".join(f"{t} = {p[t + key]:.6g}" for t in moved)  # noqa: E731
    targets = ", ".join(moved)
    return (f"lhs − rhs is {cex['lhs']:.6g} at {at('')} but {cex['rhs']:.6g} at {at(MOVED)}: the "
            f"difference depends on {targets}, so it is not a const({targets})")


class AlgebraChecker:
    """Algebraic steps as a :class:`~vi_sym.spot.base.SpotChecker`: always selected when
    spot-checking is on, applies to steps over declared parameters alone."""
    name = FAMILY
    always = True
    batch = None

    def __repr__(self):
        return "AlgebraChecker()"

    def applies(self, step) -> bool:
        return is_algebraic(step)

    def check(self, step, samples=50, seed=0, tol=1e-6) -> SpotResult:
        return spot_algebra(step, samples=samples, seed=seed, tol=tol)
