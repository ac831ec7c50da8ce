"""Spot-checks of algebraic steps: both sides are expressions in declared parameters alone.

A step such as ``-τ/2·((x1 − μ)² + λ0 (μ − μ0)²) = -(1 + λ0) τ/2 · (μ − μN)² + const(μ)``
(completing the square in a CAVI update) mentions no density and no integral: every symbol
is declared in the header (``parameters:``, ``positive:``, ``unit:``).  No model family gives
it a meaning, but its own symbols do: the parameters are drawn from their declared domains
(the same regimes as claims about defined densities, :func:`vi_sym.spot.claims.point_strategy`)
and both sides evaluated with mpmath.

* ``lhs = rhs`` (``>=``, ``<=``): compared at each point; a point where one side is a real
  number and the other certainly is not (``2·log(m)`` at m < 0, with m declared real) is a
  counterexample too: the step does not hold over the declared domain (``log(m²) = 2·log(m)``
  needs m > 0); a point where neither side is real is skipped;
* ``lhs = rhs + const(t)`` (``· const(t)``): ``D = lhs − rhs`` (``log lhs − log rhs``) must not
  depend on t, so ``D`` at the point is compared with ``D`` at the same point with t moved to
  a second value ``t′`` drawn from t's domain.  A point where they differ shows the
  dependence: it is the counterexample.

Each value is computed at two precisions (``dps`` and ``dps + 20`` digits); their difference
is the value's error estimate, so rounding in a cancellation never reads as a violation.
"""
from __future__ import annotations

from dataclasses import dataclass

import mpmath
import sympy
from hypothesis import strategies as st

from ..notation import to_unicode
from ..numeric import NotEvaluable, compile_plain
from ..upto import UpTo, split_up_to
from ..vocabulary import Const, Density
from .base import SpotResult
from .claims import _domain, _slots, in_domain, point_strategy, special_points
from .driver import MARGIN, Fast, Point, Property, compare, search

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


class _NotReal(Exception):
    """A side's value is certainly not a real number (its imaginary part exceeds its error)."""

    def __init__(self, value, part):
        super().__init__("not real")
        self.value, self.part = value, part


@dataclass(frozen=True)
class NonRealPoint(Point):
    """A point where one side (``side``: "lhs" or "rhs") is real and the other is not: its
    part ``part`` is the complex number ``value`` (the point's ``lhs``/``rhs`` field of that
    side holds the imaginary part)."""
    side: str = "rhs"
    part: object = None
    value: object = 0


def _non_real_point(side, real_value, real_error, nr):
    """The point at which ``side``'s part ``nr.part`` is the non-real ``nr.value``."""
    im = nr.value.imag
    lhs, le, rhs, re_ = ((im, 0, real_value, real_error) if side == "lhs"
                         else (real_value, real_error, im, 0))
    return NonRealPoint(True, lhs, rhs, le, re_, lhs - rhs, abs(im), 0 * abs(im),
                        side=side, part=nr.part, value=nr.value)


class _AlgebraProperty(Property):
    shrink_budget = 60

    def __init__(self, left, right, rel, tol, moved=()):
        self.left, self.right, self.rel, self.tol = left, right, rel, tol
        self.moved = moved      # the const targets: D at t is compared with D at t′
        self.names = {}         # the parameters' names by slot (the draws are made under slots)
        self.exprs = (None, None)   # the sides' expressions, evaluated in complex numbers where
        #                             the real walker stops (see :meth:`_complex`)
        self._lambdified = {}

    def _value(self, f, env, dps):
        with mpmath.workdps(dps):
            v = f(env)
        with mpmath.workdps(dps + 20):
            w = f(env)
        if not mpmath.isfinite(w) or isinstance(w, mpmath.mpc):
            raise NotEvaluable("a side is not a finite real number here")
        return w, abs(w - v)

    def _complex(self, expr, env, dps):
        """Raise :class:`_NotReal` with the innermost part of ``expr`` that is, at both
        precisions, a finite complex number whose imaginary part exceeds its error (``log m``
        at m < 0: the real walker stops there, complex arithmetic names it); else return."""
        for part in sympy.postorder_traversal(expr):
            if not part.args or not part.free_symbols:
                continue
            w = self._complex_value(part, env, dps)
            if w is not None:
                raise _NotReal(w, part)

    def _complex_value(self, part, env, dps):
        """``part``'s value in complex arithmetic when certainly not real, else None."""
        names = sorted(part.free_symbols, key=lambda s: s.name)
        try:
            f = self._lambdified.get(part)
            if f is None:
                f = self._lambdified[part] = sympy.lambdify(names, part, "mpmath")
            args = [mpmath.mpc(env[s.name]) for s in names]
            with mpmath.workdps(dps):
                v = mpmath.mpc(f(*args))
            with mpmath.workdps(dps + 20):
                w = mpmath.mpc(f(*args))
        except Exception:      # noqa: BLE001 -- any failure: the point stays unevaluated
            return None
        if mpmath.isfinite(w) and abs(w.imag) > 10 * abs(w - v) + self.tol * (1 + abs(w)):
            return w
        return None

    def _side(self, f, expr, env, dps):
        """``(value, error)``, or the :class:`_NotReal` a side certainly is (only when it is
        compared with the other side: lhs − rhs of a const step is compared with itself)."""
        try:
            return self._value(f, env, dps)
        except NotEvaluable:
            if self.moved:
                raise
            try:
                self._complex(expr, env, dps)
            except _NotReal as nr:
                return nr
            raise

    def evaluate(self, point, dps):
        env = {self.names.get(k, k): mpmath.mpf(v) for k, v in point.items()}
        other = dict(env)
        for t in self.moved:
            other[t] = env[t + MOVED]
        try:
            left = self._side(self.left, self.exprs[0], env, dps)
            right = self._side(self.right, self.exprs[1], other if self.moved else env, dps)
            if isinstance(left, _NotReal) and isinstance(right, _NotReal):
                raise NotEvaluable("neither side is a real number here")
            if isinstance(left, _NotReal):
                return _non_real_point("lhs", *right, left)
            if isinstance(right, _NotReal):
                return _non_real_point("rhs", *left, right)
            (lv, le), (rv, re_) = left, right
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
        prop = _AlgebraProperty(compile_plain(lhs), compile_plain(rhs), step.rel, tol)
        prop.exprs = (lhs, rhs)
        return prop, ()
    claim = split_up_to(lhs, step.rel, rhs)
    if not isinstance(claim, UpTo):
        raise NotEvaluable(claim)
    d = compile_plain(claim.lhs - claim.rhs)
    moved = tuple(t.name for t in claim.targets)
    return _AlgebraProperty(d, d, "=", tol, moved), moved


#: the second value of a const's target at a special point: another special value of its domain
_APART = {"real": (0.5, 0.0, 1.0), "positive": (1.0, 1e-3, 2.0), "unit": (0.5, 1e-3, 0.25),
          "nonnegative": (1.0, 0.0, 2.0)}


#: generic values per domain (no two equal, none 0 or 1): a point where no coincidence hides
#: a slip (the special points put equal values in equal domains, where m2 − μ2 = 0)
_GENERIC = {"real": (0.37, -1.21, 2.03, -0.58, 1.49, -2.47, 0.83, -0.19, 2.61, -1.73),
            "positive": (1.31, 0.62, 2.27, 0.44, 1.83, 0.29, 3.11, 0.77, 1.07, 2.59),
            "unit": (0.31, 0.72, 0.45, 0.18, 0.63, 0.86, 0.24, 0.57, 0.39, 0.91),
            "nonnegative": (1.31, 0.62, 2.27, 0.44, 1.83, 0.29, 3.11, 0.77, 1.07, 2.59)}


def _generic_points(names, kinds):
    """Two points with distinct generic values: the i-th parameter of a domain takes the
    domain's i-th (and, for the second point, (i+5)-th) generic value."""
    out = []
    for shift in (0, 5):
        seen: dict = {}
        point = {}
        for n, k in zip(names, kinds):
            i = seen[k] = seen.get(k, -1) + 1
            values = in_domain(k, _GENERIC)    # a bounded domain (assume: x > 1): moved into it
            point[n] = values[(i + shift) % len(values)]
        out.append(point)
    return out


def _moved_apart(point, moved, kinds):
    """A special point with each const target's second value t′ different from t."""
    out = dict(point)
    for t in moved:
        out[t + MOVED] = next(v for v in in_domain(kinds[t], _APART) if v != out[t])
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
    if isinstance(p, NonRealPoint):
        im = f"Im {to_unicode(p.part)}"
        cex["sides"] = ("lhs", im) if p.side == "rhs" else (im, "rhs")
        cex["meaning"] = _not_real(step, p, cex)
        return result("FAILED", out.checked, out.total, out.max_error, cex, f"counterexample: {cex['meaning']}")
    if moved:
        cex["meaning"] = _dependence(cex, moved)
        return result("FAILED", out.checked, out.total, out.max_error, cex, f"counterexample: {cex['meaning']}")
    return result("FAILED", out.checked, out.total, out.max_error, cex,
                  f"counterexample: lhs={cex['lhs']:.10g}, rhs={cex['rhs']:.10g}, "
                  f"difference={cex['difference']:.3g} > threshold {cex['threshold']:.3g}")


def _not_real(step, p, cex: dict) -> str:
    """What a point where one side is not a real number shows."""
    real, other = ("left", "right") if p.side == "rhs" else ("right", "left")
    value = cex["lhs"] if p.side == "rhs" else cex["rhs"]
    domains = dict(step.context.domains)
    reals = sorted(s.name for s in p.part.free_symbols if _domain(s, domains) == "real")
    hint = (f"; if {', '.join(reals)} {'is' if len(reals) == 1 else 'are'} meant to be positive, "
            f"declare {'it' if len(reals) == 1 else 'them'} under positive:") if reals else ""
    z = p.value
    return (f"the {real} side is {value:.6g} but the {other} side is not a real number here: "
            f"{to_unicode(p.part)} is {float(z.real):.4g} {'-' if z.imag < 0 else '+'} "
            f"{abs(float(z.imag)):.4g}i (a log, a root or a power of a negative number), so the "
            f"step does not hold over the declared domain{hint}")


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
