"""Spot-checks of steps about arbitrary functions (``functions: f``) by a library of test functions.

A step over a declared function f (``E_q(z)[f(z)] = E_r(e)[f(m + s*e)]``) claims its relation for
*every* real function f for which both sides exist.  One concrete f with a certified difference
therefore refutes it; agreement for the functions tried is evidence, never a proof (a correct
step stays PROVED by the rules and is SPOT-CHECKED "for the test functions tried").

Each declared function is replaced by each function of :data:`LIBRARY` in turn -- a small,
fixed, deterministic list of smooth functions integrable under every density with finite
moments (``t``, ``t²``, ``t³``, ``exp(−t²)``, a sigmoid, ``cos t``) -- and the substituted
step, now free of f, is handed to the spot-checkers that apply to it (for a claim about
``define``d densities: the check against its defining integrals, :mod:`vi_sym.spot.claims`).
A function of several arguments gets ``h(t1 + t2/2 + t3/3 + …)``; two declared functions get
two different library functions at each round.  The first certified counterexample is reported
with the function that refutes: ``with f(t) = t²: …``.  A point where a substituted side is not
integrable (t³ under a Cauchy density) is skipped by the underlying checker, never counted.
"""
from __future__ import annotations

import dataclasses

import sympy
from sympy.core.function import AppliedUndef

from ..notation import to_unicode
from .base import SpotResult, applicable_checkers

__all__ = ["TestFunctionChecker", "LIBRARY", "declared_functions", "substitute_functions",
           "NAME", "has_test_function"]

NAME = "test-functions"
_T = sympy.Symbol("t", real=True)
#: the test functions, in the order they are tried (each a function of t)
LIBRARY = (_T, _T ** 2, _T ** 3, sympy.exp(-_T ** 2), 1 / (1 + sympy.exp(-_T)), sympy.cos(_T))
#: points tried per test function at least (the draws are split between the functions)
MIN_SAMPLES = 10


def declared_functions(step) -> list:
    """The declared functions a step applies (``f``, ``g``), sorted by name."""
    funcs = set()
    for side in (step.lhs, step.rhs):
        funcs |= {a.func for a in side.atoms(AppliedUndef)}
    return sorted(funcs, key=lambda f: f.__name__)


def has_test_function(step) -> bool:
    return not getattr(step, "error", "") and bool(declared_functions(step))


def _applied(h, args):
    """``h`` (a function of t) at ``args``: one argument as it is, several as t1 + t2/2 + …"""
    arg = args[0] if len(args) == 1 else sympy.Add(*[a / (i + 1) for i, a in enumerate(args)])
    return h.xreplace({_T: arg})


def substitute_functions(expr, choice: dict):
    """``expr`` with each applied function ``f(a, …)`` replaced by ``choice[f]`` at its arguments."""
    return expr.replace(lambda a: isinstance(a, AppliedUndef) and a.func in choice,
                        lambda a: _applied(choice[a.func], a.args))


def _label(choice: dict) -> str:
    return ", ".join(f"{f.__name__}(t) = {to_unicode(h)}" for f, h in choice.items())


def _rounds(funcs):
    """One assignment {f: h} per library function: the i-th round gives the k-th declared
    function the (i + k)-th library function."""
    n = len(LIBRARY)
    return [{f: LIBRARY[(i + k) % n] for k, f in enumerate(funcs)} for i in range(n)]


class TestFunctionChecker:
    """Steps over declared functions as a :class:`~vi_sym.spot.base.SpotChecker`: always
    selected when spot-checking is on; applies when a substituted step has a checker."""
    name = NAME
    always = True
    batch = None
    takes_functions = True
    __test__ = False        # not a pytest test class, whatever its name

    def __repr__(self):
        return "TestFunctionChecker()"

    def _inner(self, step, choice):
        sub = dataclasses.replace(step, lhs=substitute_functions(step.lhs, choice),
                                  rhs=substitute_functions(step.rhs, choice))
        return sub, [c for c in applicable_checkers(sub) if c is not self and c.name != NAME]

    def applies(self, step) -> bool:
        funcs = declared_functions(step) if not step.error else []
        if not funcs:
            return False
        try:
            return bool(self._inner(step, _rounds(funcs)[0])[1])
        except Exception:  # noqa: BLE001 -- a step that cannot be substituted does not apply
            return False

    def check(self, step, samples=50, seed=0, tol=1e-6) -> SpotResult:
        funcs = declared_functions(step)
        rounds = _rounds(funcs)
        each = max(MIN_SAMPLES, -(-int(samples) // len(rounds)))
        checked = total = 0
        max_error, tried, unknown = 0.0, [], []
        for choice in rounds:
            sub, inner = self._inner(step, choice)
            for c in inner:
                r = c.check(sub, samples=each, seed=seed, tol=tol)
                total += r.n_total
                if r.status == "FAILED":
                    r = _simplest(sub, c, r, tol)
                    return _failed(r, choice, c.name, checked + r.n_checked, total, funcs)
                if r.status == "SPOT-CHECKED":
                    checked += r.n_checked
                    max_error = max(max_error, r.max_error)
                    if _label(choice) not in tried:
                        tried.append(_label(choice))
                elif r.status == "UNKNOWN":
                    unknown.append(f"with {_label(choice)}: {c.name}: {r.reason}")
        if tried:
            return SpotResult(NAME, "SPOT-CHECKED", checked, total, max_error, None,
                              f"{checked} of {total} points agree for the test functions "
                              f"{'; '.join(tried)}" + (f" ({len(unknown)} not evaluable)" if unknown else ""))
        return SpotResult(NAME, "UNKNOWN", 0, total, 0.0, None,
                          unknown[0] if unknown else "no test function could be evaluated")


#: the simplest values of each domain, tried in this order when a refuting point is shrunk
SIMPLE = {"real": (0, 1, -1, 2), "positive": (1, 2, sympy.Rational(1, 2)),
          "nonnegative": (0, 1, 2), "unit": (sympy.Rational(1, 2),)}


def _simplest(sub, checker, r, tol) -> SpotResult:
    """The refutation ``r`` at the simplest point: each declared parameter of the
    counterexample in turn is set to the first value of :data:`SIMPLE` at which ``checker``
    still refutes the step with every parameter fixed (one certified evaluation each); the
    others keep their values.  A point drawn at the edge of the domain (m = 1000, s = 1000)
    becomes m = 0, s = 2 when that refutes too."""
    domains = dict(sub.context.domains)
    symbols = {v.name: v for v in sub.lhs.free_symbols | sub.rhs.free_symbols}
    point = {n: v for n, v in (r.counterexample or {}).get("params", {}).items()
             if n in symbols and n in domains and isinstance(v, float)}
    if not point or len(point) != len([n for n in symbols if n in domains]):
        return r
    best, current = r, {n: sympy.Float(v) for n, v in point.items()}
    for name in point:
        for value in SIMPLE.get(domains[name], ()):
            trial = {**current, name: sympy.Integer(value) if isinstance(value, int) else value}
            fixed = {symbols[n]: v for n, v in trial.items()}
            at = dataclasses.replace(sub, lhs=sub.lhs.xreplace(fixed), rhs=sub.rhs.xreplace(fixed))
            try:
                got = checker.check(at, samples=1, seed=0, tol=tol)
            except Exception:  # noqa: BLE001 -- a point that cannot be checked is not taken
                continue
            if got.status == "FAILED" and got.counterexample:
                current = trial
                cex = dict(got.counterexample, found_by="shrunk to the simplest refuting values")
                cex["params"] = {n: float(v) for n, v in current.items()}
                best = dataclasses.replace(r, counterexample=cex, reason=got.reason)
                break
    return best


def _failed(r, choice, inner_name, checked, total, funcs) -> SpotResult:
    """The inner checker's counterexample, with the test function that refutes in front."""
    cex = dict(r.counterexample or {})
    params = {f"{f.__name__}(t)": to_unicode(h) for f, h in choice.items()}
    params.update(cex.get("params") or {})
    cex.update(params=params, checker=inner_name)
    lhs, rhs = cex.get("lhs"), cex.get("rhs")
    if isinstance(lhs, float) and isinstance(rhs, float):
        every = " and every ".join(f.__name__ for f in funcs)
        cex["meaning"] = (f"the left side is {lhs:.6g} and the right side is {rhs:.6g} (difference "
                          f"{lhs - rhs:.3g}): the step does not hold for every {every}")
    return SpotResult(NAME, "FAILED", checked, total, r.max_error, cex, f"with {_label(choice)}: {r.reason}")
