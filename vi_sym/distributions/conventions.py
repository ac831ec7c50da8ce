"""Other readings of a written distribution's parameters, as other tables write them.

A distribution written in a note is read in one convention, said in a warning (``Gamma(a, b)``:
shape and rate; ``Exp(λ)``: a rate; ``N(μ, σ^2)``: a variance; ``Weibull(k, λ)``: shape first).
A closed form copied from a table with another convention -- Wikipedia's shape-scale
``Gamma(k, θ)``, ``Weibull(λ, k)`` with the scale first, ``N(μ, σ)`` with the standard deviation,
``Exp(β)`` with the mean -- is then FAILED, rightly for the reading said, and the likely-fix search
(:mod:`vi_sym.claim_fixes`) tries each other reading here: the one under which the step is PROVED
is offered as "Gamma(k, θ) read with θ as the scale (rate 1/θ)".  A reading is never chosen for
the step: it is a fix, judged as any fix is.

:data:`READINGS`: kind -> ((words, new parameters from the read ones), ...); the words name the
written arguments ``{0}``, ``{1}``, …; a reading that is no change of parameters (the geometric
counting trials, on 1, 2, …) gives, instead of the parameters, the density of a variable.
"""
from __future__ import annotations

import sympy

from .base import Dist
from .inline import InlineDensity
from .written import written

__all__ = ["READINGS", "other_readings"]


def _swap(a, b):
    return b, a


#: kind -> the other readings of its parameters (as the kind's own parameters, from the read ones)
READINGS = {
    "Gamma": (("{1} as the scale (rate 1/{1})", lambda a, b: (a, 1 / b)),),
    "InverseGamma": (("{1} as a rate (scale 1/{1})", lambda a, b: (a, 1 / b)),),
    "Exponential": (("{0} as the mean (rate 1/{0})", lambda r: (1 / r,)),),
    "Weibull": (("{0} as the scale and {1} as the shape", _swap),),
    "Frechet": (("{0} as the scale and {1} as the shape", _swap),),
    "LogLogistic": (("{0} as the shape and {1} as the scale", _swap),),
    "Lomax": (("{0} as the scale and {1} as the shape", _swap),),
    "Pareto": (("{0} as the shape and {1} as the minimum", _swap),),
    "NegativeBinomial": (("{1} as the failure probability", lambda r, p: (r, 1 - p)),),
    # the textbooks' other geometric: the number of trials up to and including the first
    # success, on {1, 2, …} (mean 1/p) -- not a change of parameter but of variable
    "Geometric": (("the trials up to the first success counted (on 1, 2, …)",
                   lambda p: lambda z: written(z, p * (1 - p) ** (z - 1), 1, sympy.oo, True)),),
    # N(μ, v) is read with the variance v (the parameter is √v): the other reading takes v as the
    # standard deviation; Normal(z, m, s) with the standard deviation s: s as the variance
    "Normal": (("{1} as the standard deviation", lambda m, s: (m, s ** 2)),
               ("{1} as the variance", lambda m, s: (m, sympy.sqrt(s)))),
}


def _written(shown: str) -> list:
    """The arguments of a distribution as written (``Gamma(k, θ)`` -> ``['k', 'θ']``), after a
    variable written first (``N(z; 0, 1)``)."""
    inner = shown[shown.find("(") + 1:shown.rfind(")")]
    parts, depth, start = [], 0, 0
    for i, c in enumerate(inner):
        depth += (c in "([{") - (c in ")]}")
        if depth == 0 and c in ",;|":
            parts.append(inner[start:i].strip())
            start = i + 1
            if c in ";|":
                parts = []
    parts.append(inner[start:].strip())
    return parts


def other_readings(expr) -> list:
    """[(words, {written density: the density read otherwise})] for the written distributions of
    ``expr`` (:class:`~.inline.InlineDensity`) of a kind with other readings: every one of that
    kind read the other way at once (a note keeps one convention)."""
    written = sorted((d for d in expr.atoms(InlineDensity) if isinstance(d.definition, Dist)), key=str)
    kinds = sorted({d.definition.kind for d in written} & set(READINGS))
    out = []
    for kind in kinds:
        mine = [d for d in written if d.definition.kind == kind]
        for words, reading in READINGS[kind]:
            sub, said = {}, []
            for d in mine:
                params = d.definition.params
                args = _written(d.shown)
                if len(args) != len(params):
                    break
                made = reading(*params)      # new parameters, or the density itself (a shifted support)
                new = made(d.definition.var) if callable(made) else Dist(kind, d.definition.var, *made)
                sub[d] = InlineDensity(d.name + "_read", d.vars, (), new, d.shown, d.shown_latex)
                said.append(f"{d.shown} read with {words.format(*args)}")
            else:
                if sub:
                    out.append(("; ".join(dict.fromkeys(said)), sub))
    return out
