"""Spot-checks of claims about ``define``d densities against their defining integrals.

The parameters are drawn from their declared domains, over the regimes where textbook
statements break as well as the middle (hypothesis, seeded; see :func:`value_strategy`):

* ``positive:`` log-uniform over 1e-3 … 1e3, the ends 1e-3 and 1e3 themselves, and [0.3, 4];
* ``unit:`` [0.05, 0.95], near 0 (1e-3 … 0.1, log-uniform), near 1 (1 - 1e-3 … 0.9), and the
  ends 1e-3 and 1 - 1e-3;
* ``parameters:`` (real) [-3, 3], 0, and ± log-uniform magnitudes 1e-3 … 1e3;
* each parameter is sometimes set equal to an earlier one of the same domain (equal scales,
  equal means), and the special points put them all in the middle (1, 0.5, 0.5), all small,
  all large, and alternately small and large (very different parameters).

Both sides are evaluated with :mod:`vi_sym.claims.compile` (float64 tanh–sinh where it can
vouch for the value, else mpmath quadrature; exact finite sums; truncated count sums with a
tail bound) through the one search driver :func:`vi_sym.spot.driver.search`: the 15-digit
evaluation settles only a clear "holds", everything else is decided at 30 digits by
``mpmath.quad``.  A point is evaluable only when every weighting density's mass is captured
(:func:`vi_sym.numeric.plain.integrate_1d` certifies that its quadrature integrates to 1);
a violation refutes only when the two evaluations agree.
"""
from __future__ import annotations

import mpmath
import sympy
from hypothesis import strategies as st

from ..claims.compile import DPS, _Compiled
from ..claims.divergence import Infinite
from ..claims.exact import exact_sides, exact_value
from ..claims.structure import FAMILY, NotEvaluable, _unfold, is_concrete
from ..conditional import AmortisedDensity
from ..distributions import ConcreteDensity
from ..distributions.intervals import as_image, image
from ..indexed import is_indexed_step
from ..numeric.plain import fallback_budget, remembered
from .base import SpotResult
from .driver import MARGIN, Fast, InfinitePoint, Property, compare, draws, search

__all__ = ["ClaimChecker", "spot_claim", "value_strategy", "special_points", "in_domain", "DOMAINS",
           "FAMILY"]

SHRINK_BUDGET = 40
#: a side larger than this is not evaluated (exp(10^6) cannot be checked to 1e-6 by quadrature)
HUGE = mpmath.mpf(10) ** 100
#: integrals per spot-check that may fall back from float64 to mpmath at 15 digits
FALLBACK_BUDGET = 24
#: compiled sides and their values, memoised per process: a wrong variant shares its left
#: side with the right one (the same points are drawn for both), and the candidate edits of
#: a likely-fix search share all but the edited side -- each side is integrated once per point
_COMPILED: dict = {}
_VALUES: dict = {}
_CACHE_MAX = 4096
#: the regimes drawn per declared domain (documentation; see :func:`value_strategy`)
DOMAINS = {"real": "[-3, 3], 0, ±1e-3…1e3 (log-uniform)",
           "positive": "1e-3…1e3 (log-uniform), 1e-3, 1e3, [0.3, 4]",
           "unit": "[0.05, 0.95], 1e-3…0.1, 0.9…1-1e-3, 1e-3, 1-1e-3",
           "nonnegative": "0 and the positive draws"}
#: the special points: value per domain
_SPECIAL = {"middle": {"real": 0.5, "positive": 1.0, "unit": 0.5, "nonnegative": 1.0},
            "small": {"real": 0.0, "positive": 1e-3, "unit": 1e-3, "nonnegative": 0.0},
            "large": {"real": 1e3, "positive": 1e3, "unit": 1 - 1e-3, "nonnegative": 1e3}}


def _log_uniform(lo_exp, hi_exp):
    return st.floats(lo_exp, hi_exp, allow_nan=False, allow_infinity=False).map(lambda u: 10.0 ** u)


def value_strategy(domain: str):
    """The hypothesis strategy of one parameter value in a declared domain (a bounded one,
    ``assume: a > 1``, is its base domain's draws mapped into it: 1 + the positive draws)."""
    base = as_image(domain)[0]
    if base != domain:
        return value_strategy(base).map(lambda v: image(domain, v))
    if domain == "positive":
        return st.one_of(_log_uniform(-3, 3), st.sampled_from([1e-3, 1e3]),
                         st.floats(0.3, 4.0, allow_nan=False, allow_infinity=False))
    if domain == "nonnegative":
        return st.one_of(st.just(0.0), value_strategy("positive"))
    if domain == "unit":
        return st.one_of(st.floats(0.05, 0.95, allow_nan=False, allow_infinity=False),
                         _log_uniform(-3, -1), _log_uniform(-3, -1).map(lambda v: 1.0 - v),
                         st.sampled_from([1e-3, 1 - 1e-3]))
    return st.one_of(st.floats(-3.0, 3.0, allow_nan=False, allow_infinity=False),
                     st.just(0.0),
                     st.tuples(st.sampled_from([1.0, -1.0]), _log_uniform(-3, 3)).map(
                         lambda t: t[0] * t[1]))


def _domain(sym, domains) -> str:
    if sym.name in domains:
        return domains[sym.name]
    return "positive" if sym.is_positive else "real"


def _param_names(step):
    """The symbols a claim's value depends on (drawn for its spot-check): an observed x that only
    labels an amortised q(z|x), its definition free of x, is none of them."""
    names = set()
    latent = set(step.context.latent)
    for side in (step.lhs, step.rhs):
        side = sympy.sympify(side, strict=True)
        for d in side.atoms(ConcreteDensity):
            names |= {s for s in d.definition.free_symbols if s not in latent}
        unbarred = {d: ConcreteDensity(d.name, d.vars, (), d.definition) for d in side.atoms(AmortisedDensity)}
        names |= {s for s in _unfold(side.xreplace(unbarred)).free_symbols if s not in latent}
    return sorted(names, key=lambda s: s.name)


def point_strategy(names, kinds):
    """Points ``{name: value}``: each value from its domain, and now and then equal to the
    first earlier parameter of the same domain."""
    values = st.tuples(*[value_strategy(k) for k in kinds])
    ties = st.tuples(*[st.sampled_from([False, False, False, True]) for _ in kinds])

    def build(vt):
        vals, tie = vt
        out, first = {}, {}
        for n, k, v, t in zip(names, kinds, vals, tie):
            out[n] = first[k] if (t and k in first) else v
            first.setdefault(k, out[n])
        return out
    return st.tuples(values, ties).map(build)


def in_domain(kind: str, table: dict):
    """``table``'s value (or values) for the base domain of ``kind``, mapped into ``kind``
    (the same as ``table[kind]`` for a base domain; see :mod:`vi_sym.distributions.intervals`)."""
    base = as_image(kind)[0]
    v = table[base]
    if base == kind:
        return v
    return [image(kind, x) for x in v] if isinstance(v, (list, tuple)) else image(kind, v)


def special_points(names, kinds) -> list:
    """Middle, all small, all large, and alternately small and large."""
    out = [{n: in_domain(k, _SPECIAL[label]) for n, k in zip(names, kinds)} for label in _SPECIAL]
    seen = {}
    apart = {}
    for n, k in zip(names, kinds):
        i = seen[k] = seen.get(k, -1) + 1
        apart[n] = in_domain(k, _SPECIAL["small" if i % 2 == 0 else "large"])
    out.append(apart)
    unique = []
    for p in out:
        if p not in unique:
            unique.append(p)
    return unique


class _ClaimProperty(Property):
    shrink_budget = SHRINK_BUDGET

    def __init__(self, L, R, rel, tol, sides=(None, None), names=None):
        self.L, self.R, self.rel, self.tol = L, R, rel, tol
        self.sides = sides        # the sides' expressions: the keys of their memoised values
        self.names = names or {}  # the parameters' names by slot (see :func:`_slots`)

    def evaluate(self, point, dps):
        point = {self.names.get(k, k): v for k, v in point.items()}
        env = {k: mpmath.mpf(v) for k, v in point.items()}
        at = (tuple(sorted(point.items())), dps)
        try:
            with mpmath.workdps(dps):
                lv, le = _finite_or_infinite(self.L, self.sides[0], at, env)
                rv, re_ = _finite_or_infinite(self.R, self.sides[1], at, env)
                if isinstance(lv, Infinite) or isinstance(rv, Infinite):
                    return infinite_point(self.rel, lv, rv, re_ if isinstance(lv, Infinite) else le)
                for v in (lv, rv, le, re_):
                    if not mpmath.isfinite(v) or isinstance(v, mpmath.mpc):
                        raise NotEvaluable("a side is not a finite real number here")
                if max(abs(lv), abs(rv)) > HUGE:
                    raise NotEvaluable(f"a side exceeds {mpmath.nstr(HUGE, 1)} here: the quadrature's "
                                       "error estimates are not trusted at such magnitudes")
                if le > 1e-4 * (1 + abs(lv)) or re_ > 1e-4 * (1 + abs(rv)):
                    raise NotEvaluable("quadrature did not converge (error estimate too large)")
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
            elif p.violation > p.threshold / MARGIN:
                out.append(Fast("violated", p, f"violation at {DPS} digits"))
            else:
                out.append(Fast("uncertain", p, f"value too close to the threshold at {DPS} digits"))
        return out

    def precise(self, example):
        # twice the digits: mpmath.quad (no float64 shortcut), error estimates re-made
        return self.evaluate(example, 2 * DPS)


def _compiled(expr) -> _Compiled:
    """``_Compiled(expr)``, memoised (see ``_COMPILED``)."""
    hit = _COMPILED.get(expr)
    if hit is None:
        if len(_COMPILED) >= _CACHE_MAX:
            _COMPILED.clear()
        hit = _COMPILED[expr] = _Compiled(expr)
    return hit


def _side_value(C, expr, at, env):
    """``C.value(env)`` (or the exception it raises), memoised under (``expr``, point, digits)
    with the fallbacks it took, charged again when reused (:func:`remembered`): a claim
    spends the same budget whether another claim in the process computed the side first."""
    if expr is None:
        return C.value(env)
    return remembered(_VALUES, (expr, at), lambda: C.value(env), DPS,
                      errors=(NotEvaluable, ValueError, ZeroDivisionError, OverflowError, TypeError),
                      cap=_CACHE_MAX)


def _finite_or_infinite(C, expr, at, env):
    """The side's (value, error), or (its :class:`Infinite` certificate, None)."""
    try:
        return _side_value(C, expr, at, env)
    except Infinite as ex:
        return ex, None


def infinite_point(rel, lv, rv, err):
    """The comparison at a point where a side is certified infinite (see
    :mod:`vi_sym.claims.divergence`) and the other is a finite number: ``=`` is violated,
    ``>=`` / ``<=`` by the infinity on the wrong side.  Both infinite: not evaluable."""
    inf, other = (lv, rv) if isinstance(lv, Infinite) else (rv, lv)
    if isinstance(other, Infinite):
        raise NotEvaluable(f"both sides are infinite here ({lv.reason}; {rv.reason})")
    if not mpmath.isfinite(other) or isinstance(other, mpmath.mpc) or not mpmath.isfinite(err):
        raise NotEvaluable(f"{inf.reason}, and the other side is not a finite real number here")
    side = "lhs" if inf is lv else "rhs"
    value = mpmath.inf * inf.sign
    lhs, rhs = (value, other) if side == "lhs" else (other, value)
    bigger = inf.sign > 0 if side == "lhs" else inf.sign < 0      # is lhs > rhs?
    violated = rel == "=" or (rel == ">=" and not bigger) or (rel == "<=" and bigger)
    return InfinitePoint(violated, lhs, rhs, mpmath.mpf(0) if side == "lhs" else err,
                         err if side == "lhs" else mpmath.mpf(0), lhs - rhs,
                         mpmath.inf if violated else mpmath.mpf(0), mpmath.mpf(0),
                         side=side, reason=inf.reason)


def _kinds(step, params) -> tuple:
    """The domains of a claim's parameters, in order: what its draws depend on."""
    domains = dict(step.context.domains)
    return tuple(_domain(p, domains) for p in params)


def _slots(names) -> list:
    """Positional names ``_0, _1, ...`` the draws are made under: the draws depend on the
    parameters' domains alone, so two claims whose parameters have the same domains in the
    same order share one set of draws (made once per process), each reading it under its
    own names."""
    return [f"_{i}" for i in range(len(names))]


def holds_at(lhs, rhs, rel, point, tol=1e-6) -> bool:
    """Do the defining integrals of ``lhs`` and ``rhs`` satisfy ``rel`` at ``point`` ({name:
    float}), clearly (15 digits, within MARGIN of the threshold)?  False when they violate
    it, come too close to call, or cannot be evaluated there.  Only a screen that discards
    candidate edits (likely fixes) uses it: True never accepts a candidate by itself."""
    try:
        prop = _ClaimProperty(_compiled(lhs), _compiled(rhs), rel, tol, (lhs, rhs))
    except Exception:  # noqa: BLE001 -- a side that cannot be compiled does not hold
        return False
    with fallback_budget(FALLBACK_BUDGET):
        p = prop.evaluate(point, DPS)
    return not isinstance(p, str) and p.violation <= MARGIN * p.threshold


def side_value(expr, point):
    """(value, error estimate) of ``expr`` at ``point`` ({name: float}) at 15 digits, as
    :func:`holds_at` evaluates it (memoised with its values); raises when it has none there."""
    env = {k: mpmath.mpf(v) for k, v in point.items()}
    with mpmath.workdps(DPS), fallback_budget(FALLBACK_BUDGET):
        return _side_value(_compiled(expr), expr, (tuple(sorted(point.items())), DPS), env)


def spot_claim(step, samples=50, seed=0, tol=1e-6) -> SpotResult:
    """Numeric spot-check of a concrete step against its defining integrals."""
    def result(status, n_checked=0, n_total=0, max_error=0.0, cex=None, reason=""):
        return SpotResult(FAMILY, status, n_checked, n_total, float(max_error), cex, reason)

    try:
        L, R = _compiled(step.lhs), _compiled(step.rhs)
        params = _param_names(step)
    except NotEvaluable as ex:
        return result("UNKNOWN", reason=ex.reason)
    except Exception as ex:  # noqa: BLE001 -- a claim that cannot be compiled is not checked
        return result("UNKNOWN", reason=f"cannot compile the claim: {type(ex).__name__}: {ex}")
    bad = [p.name for p in params if p in step.context.latent]
    if bad:
        return result("UNKNOWN", reason=f"latent {bad[0]} is free outside any integral")
    names = [p.name for p in params]
    kinds = _kinds(step, params)
    slots = _slots(names)
    with fallback_budget(FALLBACK_BUDGET):
        out = search(_ClaimProperty(L, R, step.rel, tol, (step.lhs, step.rhs), dict(zip(slots, names))),
                     point_strategy(slots, kinds), samples, seed, specials=special_points(slots, kinds),
                     draw_key=("claim", kinds), key_of=lambda e: tuple(sorted(e.items())))
    if out.status == "UNKNOWN":
        found = _exact_refutation(step, params, kinds, slots, tol, samples, seed)
        if found is not None:
            cex, text = found
            return result("FAILED", 1, out.total + 1, cex["difference"], cex,
                          f"{text} (no point of the defining integrals could be evaluated: "
                          f"{out.unknown_reason()})")
        return result("UNKNOWN", 0, out.total, 0.0, None, out.unknown_reason())
    if out.status == "SPOT-CHECKED":
        return result("SPOT-CHECKED", out.checked, out.total, out.max_error, None,
                      out.summary("points") + " against the defining integrals")
    p = out.point
    cex = {"params": {names[int(k[1:])]: v for k, v in out.example.items()}, "lhs": float(p.lhs), "rhs": float(p.rhs),
           "difference": float(p.difference), "threshold": float(p.threshold),
           "lhs_error": float(p.lhs_error), "rhs_error": float(p.rhs_error),
           "found_by": out.found_by}
    if isinstance(p, InfinitePoint):
        cex["meaning"] = _infinite_meaning(p, step.rel)
        return result("FAILED", out.checked, out.total, out.max_error, cex,
                      f"counterexample: {p.reason}, the other side is finite")
    return result("FAILED", out.checked, out.total, out.max_error, cex,
                  f"counterexample: lhs={cex['lhs']:.10g}, rhs={cex['rhs']:.10g}, "
                  f"difference={cex['difference']:.3g} > threshold {cex['threshold']:.3g}")


def _exact_refutation(step, params, kinds, slots, tol, samples, seed):
    """(counterexample, reason) at the first special point or draw where the exact closed forms
    of the two sides (:mod:`vi_sym.claims.exact`) differ by more than the tolerance, each side
    evaluated to 2·DPS correct digits; None when they have no closed forms or agree everywhere
    tried.  For a claim no quadrature can evaluate anywhere: a nonzero residual of the moment
    lemmas is then a certified counterexample, not a hint."""
    sides = exact_sides(step)
    if sides is None:
        return None
    points = special_points(slots, kinds) + (draws(point_strategy(slots, kinds), samples, seed,
                                                   ("claim", kinds)) if samples else [])
    for example in points:
        at = {p: example[s] for p, s in zip(params, slots)}
        lv, rv = (exact_value(side, at, 2 * DPS) for side in sides)
        if lv is None or rv is None:
            continue
        with mpmath.workdps(2 * DPS):
            p = compare(step.rel, tol, lv, mpmath.mpf(0), rv, mpmath.mpf(0))
        if not p.violated:
            continue
        cex = {"params": {q.name: float(example[s]) for q, s in zip(params, slots)},
               "lhs": float(lv), "rhs": float(rv), "difference": float(p.difference),
               "threshold": float(p.threshold), "lhs_error": 0.0, "rhs_error": 0.0,
               "found_by": "exact values of both sides"}
        return cex, (f"counterexample: the exact values of the two sides (by the moment lemmas) are "
                     f"lhs={cex['lhs']:.10g}, rhs={cex['rhs']:.10g}, difference={cex['difference']:.3g} "
                     f"> threshold {cex['threshold']:.3g}")
    return None


def _infinite_meaning(p, rel) -> str:
    """The explanation of a counterexample where one side is certified infinite."""
    name, other = ("left", "right") if p.side == "lhs" else ("right", "left")
    value = p.lhs if p.side == "lhs" else p.rhs
    finite = p.rhs if p.side == "lhs" else p.lhs
    verdict = "the two sides are not equal" if rel == "=" else f"'{rel}' does not hold"
    advice = ("A KL(q ‖ r) is finite only where r is positive wherever q is: check the order of the "
              "two densities, or the ends of their supports." if p.reason.startswith("KL is +∞") else
              "The integral written does not converge here (with parameters, the claim can hold only under "
              "a bound on them: 'assume: …')." if p.reason.startswith("integrate(") else
              "The claim can hold only where the expectation is finite: state that bound on the parameters "
              "in the header ('assume: …').")
    return (f"the {name} side is {'+' if value > 0 else '-'}∞ ({p.reason}) while the {other} side is "
            f"{mpmath.nstr(finite, 6)}, so {verdict}. {advice}")


class ClaimChecker:
    """Claims about defined densities as a :class:`~vi_sym.spot.base.SpotChecker`: always
    selected when spot-checking is on, applies to concrete steps only."""
    name = FAMILY
    always = True
    batch = None

    def __repr__(self):
        return "ClaimChecker()"

    def applies(self, step) -> bool:       # a statement for every size d: vi_sym.spot.indexed
        return is_concrete(step) and not is_indexed_step(step)

    def check(self, step, samples=50, seed=0, tol=1e-6) -> SpotResult:
        return spot_claim(step, samples=samples, seed=seed, tol=tol)

    def batch_of(self, step):
        """The batch the check of ``step`` runs in: claims drawing from one set of draws
        (their parameters' domains) run in one worker, which draws them once; None when the
        claim's parameters cannot be read (the check itself says why)."""
        try:
            params = _param_names(step)
        except Exception:  # noqa: BLE001 -- the check itself reports whatever this hits
            return None
        return ("claim", _kinds(step, params))

    def prefetch(self, step, samples=50, seed=0) -> None:
        """Make the claim's draws and compile its sides now (memoised per process: workers
        forked afterwards share them)."""
        _compiled(step.lhs), _compiled(step.rhs)
        params = _param_names(step)
        kinds = _kinds(step, params)
        if samples:
            draws(point_strategy(_slots(params), kinds), samples, seed, ("claim", kinds))
