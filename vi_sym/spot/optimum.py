"""Certified refutation of optimisation statements: ``argmin_q F = argmin_q G`` and kin.

An argmax/argmin is a *set*; a number at one point says nothing about set equality.  This
checker refutes a wrong statement only through a member of one set that is certified:

1. **A certified optimum of one side.**  For each candidate v* -- a density of the statement
   over the target's variables that conditions on no latent (``p(z|x)`` for ``argmin_q
   KL(q(z) ‖ p(z|x))``), or for a parameter target θ another declared parameter (θ0) -- the
   prover is asked for ``F(v) >= F(v*)`` for every v (argmin; ``<=`` for argmax), e.g.
   ``KL(q(z) ‖ p(z|x)) >= KL(p(z|x) ‖ p(z|x))`` by ``kl_nonnegative``.  Only a symbolic proof
   makes v* a certified member of that side's set; numbers never do.
2. **A certified counterexample on the other side.**  ``G(v) >= G(v*)`` (argmin; ``<=`` for
   argmax) is then spot-checked in every model family that gives it a meaning (their q, θ as
   drawn, v* substituted); a certified counterexample v1 with ``G(v1) < G(v*)`` shows that v*
   is not in the other side's set, so the sets differ: FAILED, with a sentence saying so.

When every certified candidate also holds on the other side at every point tried, the step is
SPOT-CHECKED ("the certified minimiser p(z|x) of the left side is also a minimiser of the
right side at every point tried"); when no candidate is certified, it stays UNKNOWN with that
reason (EM's ``argmax_θ E_p(z|x,θ0)[log p(x,z|θ)]`` has no optimum the rules can name).
"""
from __future__ import annotations

import dataclasses

import sympy
from sympy.core.symbol import Str

from ..notation import to_unicode
from ..operators import ArgMax, ArgOpt, target_label
from ..prover import prove_step
from ..rules import EQUALITY_RULES
from ..vocabulary import Density, unfold_definitions
from .base import SpotResult, applicable_checkers

__all__ = ["OptimumChecker", "candidates", "certified_optima", "substitute_target", "NAME"]

NAME = "optimum"
_PROOFS: dict = {}      # (F, rel, F at v*, context) -> proved: a side shared by two steps is proved once


def _targets(expr, target):
    """The densities of ``expr`` that the target varies (a name: every density of it)."""
    dens = unfold_definitions(expr).atoms(Density) | expr.atoms(Density)
    if isinstance(target, Str):
        return {d for d in dens if d.name == target.name}
    if isinstance(target, Density):
        return {d for d in dens if d == target}
    return set()


def substitute_target(expr, target, value):
    """``expr`` at target = ``value`` (a density for a density target, a symbol for θ); None
    when the target's densities are not all over the candidate's variables."""
    if isinstance(target, sympy.Symbol):
        return expr.xreplace({target: value})
    hit = _targets(expr, target)
    if any(set(d.vars) != set(value.vars) for d in hit):
        return None
    return expr.xreplace({d: value for d in hit})


def candidates(step, side) -> list:
    """Possible optima of ``side`` (an ArgOpt of the step): densities over the target's
    variables conditioned on no latent, or the other declared parameters."""
    target, ctx = side.target, step.context
    exprs = (step.lhs.f, step.rhs.f)
    if isinstance(target, sympy.Symbol):
        free = set().union(*(e.free_symbols for e in exprs))
        dens = set().union(*(e.atoms(Density) for e in exprs))
        free |= {v for d in dens for v in tuple(d.vars) + tuple(d.given)}
        return sorted((v for v in free if v != target and ctx.is_parameter(v)), key=str)
    own = set().union(*(_targets(e, target) for e in exprs))
    if not own:
        return []
    vars_ = tuple(next(iter(own)).vars)
    every = set().union(*(unfold_definitions(e).atoms(Density) | e.atoms(Density) for e in exprs))
    every |= _model_densities(every, vars_, ctx)
    name = target.name if isinstance(target, Str) else target.name
    return sorted((d for d in every if set(d.vars) == set(vars_) and d.name != name
                   and not any(ctx.is_latent(g) for g in d.given)), key=str)


def _model_densities(dens, vars_, ctx) -> set:
    """The model's posterior and prior of ``vars_`` (``p(z|x)``, ``p(z)``) given the data and
    parameters its densities in the statement condition on: candidates that need not be
    written out (``argmin_q (log p(x) − ELBO)`` is minimised at p(z|x))."""
    out = set()
    for model in sorted(ctx.models):
        mine = [d for d in dens if d.name == model]
        if not mine or not all(ctx.is_latent(v) for v in vars_):
            continue
        given = {v for d in mine for v in tuple(d.vars) + tuple(d.given)
                 if not ctx.is_latent(v) and v not in vars_}
        out.add(Density(model, list(vars_), sorted(given, key=str)))
        out.add(Density(model, list(vars_), sorted((g for g in given if ctx.is_parameter(g)), key=str)))
    return out


def certified_optima(step, side) -> list:
    """``[(v*, F(v*))]``: the candidates the prover shows optimal for ``side`` for every value
    of the target (F(v) >= F(v*) for argmin, <= for argmax)."""
    out = []
    rules = list(EQUALITY_RULES)      # the inequality rules come in as single atoms (no pairs: cheap)
    rel = "<=" if isinstance(side, ArgMax) else ">="
    for v in candidates(step, side):
        at = substitute_target(side.f, side.target, v)
        if at is None or at == side.f:
            continue
        key = (side.f, rel, at, step.context)
        proved = _PROOFS.get(key)
        if proved is None:
            try:
                proved = prove_step(side.f, rel, at, rules, step.context).proved
            except Exception:  # noqa: BLE001 -- a candidate the prover cannot handle is no certificate
                proved = False
            if len(_PROOFS) > 1024:
                _PROOFS.clear()
            _PROOFS[key] = proved
        if proved:
            out.append((v, at))
    return out


class OptimumChecker:
    """Optimisation statements as a :class:`~vi_sym.spot.base.SpotChecker` (see the module
    docstring): always selected when spot-checking is on."""
    name = NAME
    always = True
    batch = None
    takes_optimisation = True

    def __repr__(self):
        return "OptimumChecker()"

    def applies(self, step) -> bool:
        return (not step.error and step.rel == "=" and isinstance(step.lhs, ArgOpt)
                and isinstance(step.rhs, ArgOpt) and step.lhs.target == step.rhs.target)

    def check(self, step, samples=50, seed=0, tol=1e-6) -> SpotResult:
        checked = total = 0
        max_error, agree, certified = 0.0, [], []
        for here, there, where in ((step.lhs, step.rhs, "left"), (step.rhs, step.lhs, "right")):
            for v, _ in certified_optima(step, here):
                certified.append(f"{to_unicode(v)} {_words(here)[0]} the {where} side")
                g_at = substitute_target(there.f, there.target, v)
                if g_at is None:
                    continue
                rel = "<=" if isinstance(there, ArgMax) else ">="
                sub = dataclasses.replace(step, lhs=there.f, rel=rel, rhs=g_at)
                for c in applicable_checkers(sub):
                    r = c.check(sub, samples=samples, seed=seed, tol=tol)
                    total += r.n_total
                    if r.status == "FAILED":
                        return _failed(step, here, there, where, v, r, c.name, checked, total)
                    if r.status == "SPOT-CHECKED":
                        checked += r.n_checked
                        max_error = max(max_error, r.max_error)
                        agree.append(f"{to_unicode(v)} ({c.name})")
        if agree:
            return SpotResult(NAME, "SPOT-CHECKED", checked, total, max_error, None,
                              f"the certified optimum {', '.join(dict.fromkeys(agree))} of one side is an "
                              f"optimum of the other at every point tried ({checked} of {total})")
        if certified:
            return SpotResult(NAME, "UNKNOWN", 0, total, 0.0, None,
                              f"{'; '.join(certified)} (proved), but no model family evaluates the other side there")
        return SpotResult(NAME, "UNKNOWN", 0, 0, 0.0, None,
                          f"no optimum of either side over {target_label(step.lhs.target)} is "
                          "certified by the rules (a set of optima is refuted only through a "
                          "member proved to be in one set)")


_WORDS = {"max": ("maximises", "maximum", "maximise", ">", "greater than"),
          "min": ("minimises", "minimum", "minimise", "<", "less than")}


def _words(side):
    return _WORDS["max" if isinstance(side, ArgMax) else "min"]


def _failed(step, here, there, where, v, r, inner, checked, total) -> SpotResult:
    other = "right" if where == "left" else "left"
    t = target_label(there.target)
    cex = dict(r.counterexample or {})
    g1, g0 = cex.get("lhs"), cex.get("rhs")
    f_text, g_text, vs = to_unicode(here.f), to_unicode(there.f), to_unicode(v)
    h_word, h_opt, _, rel_here, _ = _words(here)
    _, _, g_verb, _, g_cmp = _words(there)
    cex.update(checker=inner, optimum=vs)
    if isinstance(g1, float) and isinstance(g0, float):
        params = ", ".join(f"{k}={_short(x)}" for k, x in (cex.get("params") or {}).items())
        label = f" with {cex['label']}" if cex.get("label") else ""
        cex["sentence"] = (
            f"{t} = {vs} {h_word} {f_text} (proved: {f_text} {'≥' if rel_here == '<' else '≤'} its "
            f"value at {t} = {vs} for every {t}), so it is in the {where} side's set; but in the "
            f"{inner} model{label} ({params}), {g_text} is {g1:.6g}, {g_cmp} {g0:.6g}, its value "
            f"at {t} = {vs}: {vs} does not {g_verb} {g_text}, so it is not in the {other} side's "
            f"set and the two sets differ.")
        cex["meaning"] = cex["sentence"]
        # what the two numbers are: the other side's objective where the draw puts the
        # subscript, and at the certified optimum (not a step's two sides)
        cex["sides"] = (f"{g_text} as drawn", f"{g_text} at {t} = {vs}")
    return SpotResult(NAME, "FAILED", checked + r.n_checked, total, r.max_error, cex,
                      f"{vs} {h_word} the {where} side (proved) but not the {other} side: "
                      f"{inner}: {r.reason}")


def _short(x) -> str:
    if isinstance(x, float):
        return f"{x:.4g}"
    if isinstance(x, (list, tuple)):
        return "[" + ", ".join(_short(u) for u in x) + "]"
    return str(x)
