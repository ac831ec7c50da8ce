"""``python -m vi_sym import FILE``: write the ``.vi`` transcription of a note, Markdown file or
notebook — its chains, the rules each step needed (as proved), the source lines — so it can be
refined by hand and kept under CI.  Steps that are not proved are kept, marked ``xfail`` (refuted,
with the counterexample's sentence) or with a comment (undecided); another reading of a step is
written as a comment.
"""
from __future__ import annotations

import re

import sympy
from sympy.printing.str import StrPrinter

from ..core import Status
from ..distributions import ConcreteDensity
from ..distributions.inline import InlineDensity
from .latex_diagonal import WrittenIndexedDensity
from ..tokens import NAME_RE
from ..vocabulary import ELBO, Density


def vi_name(name: str) -> str:
    """A name a ``.vi`` file can declare: a note's ``(b − a)`` (an end read above another, see
    ``WrittenDistributions.order``) is ``b_minus_a``."""
    if NAME_RE.match(name):
        return name
    return re.sub(r"\W+", "_", name.replace("−", " minus ")).strip("_") or "v"


class _ViPrinter(StrPrinter):
    """Expressions in the ``.vi`` syntax (the parser reads back exactly this)."""

    def _print(self, expr, **kwargs):
        if isinstance(expr, ELBO):      # its own printer omits the joint
            return f"ELBO({self._print(expr.q)}, {self._print(expr.joint)})"
        if isinstance(expr, (InlineDensity, WrittenIndexedDensity)):     # its .vi name, defined in the header
            return f"{expr.name}({', '.join(self._print(v) for v in expr.vars)})"
        return super()._print(expr, **kwargs)

    def _print_Symbol(self, e):
        return vi_name(super()._print_Symbol(e))

    def _print_Sum(self, e):
        (var, lo, hi), = e.limits
        return f"sum({self._print(e.function)}, ({self._print(var)}, {self._print(lo)}, {self._print(hi)}))"

    def _print_Product(self, e):
        (var, lo, hi), = e.limits
        return f"prod({self._print(e.function)}, ({self._print(var)}, {self._print(lo)}, {self._print(hi)}))"

    def _print_Integral(self, e):
        out = self._print(e.function)
        for var, *ends in e.limits:     # sympy merges nested integrals into one with two limits
            bounds = f"({self._print(var)}, {', '.join(self._print(b) for b in ends)})" if ends else self._print(var)
            out = f"integrate({out}, {bounds})"      # P(T > t): integrate(D, (T, t, oo)), its limits kept
        return out


def to_vi(expr) -> str:
    return _ViPrinter().doprint(expr)


def _names(d):
    latent = [str(v) for v in d.context.latent]
    free = set()
    for s in d.steps:
        for e in (s.lhs, s.rhs):
            if e is not None:
                free |= {str(v) for v in e.free_symbols if isinstance(v, sympy.Symbol)}
    return latent, sorted(free - set(latent))


def _declarations(d, observed: list) -> list:
    """The header lines of the parameters (with their domains and vectors), data sets, the
    factorisation and the defined densities of ``d``, as a ``.vi`` file declares them."""
    ctx, out = d.context, []
    iid = [t for t in ctx.iid if {str(t[0]), str(t[1])} & set(observed)]     # the data sets it uses
    used = set(observed) | {str(v) for t in iid for v in t}
    vectors = {str(s): hi for s, _, hi in ctx.indexed}
    kinds: dict = {}
    for name, domain in ctx.domains:
        if name not in used:
            continue
        kinds.setdefault("parameters" if domain == "real" else domain, []).append(
            f"{name}[1..{vectors[name]}]" if name in vectors else vi_name(name))
    declared = {name for name, _ in ctx.domains}
    kept = sorted(used - declared, key=lambda v: (v not in observed, observed.index(v) if v in observed else 0, v))
    if kept:
        out.append(f"observed: {' '.join(kept)}")
    out += [f"{key}: {' '.join(names)}" for key, names in kinds.items()]
    if iid:
        out.append("iid: " + "; ".join(f"{X} = {x}[1..{N}]" for X, x, N in iid))
    if ctx.factors:
        out.append("factorised: " + "*".join(to_vi(f) for f in ctx.factors))
    defined = {}
    for s in d.steps:
        for e in (s.lhs, s.rhs):
            if e is not None:
                defined.update({c.name: c for c in e.atoms(ConcreteDensity)})
    out += [f"define {c.name}({', '.join(map(str, c.vars))}{_bar(c)}) = {to_vi(c.definition)}"
            for _, c in sorted(defined.items())]
    return out


def _bar(c) -> str:
    """``|x`` of a defined q(z|x) (or lik(x|z)); empty for q(z)."""
    return f"|{', '.join(map(str, c.given))}" if c.given else ""


def _density_names(d) -> list:
    """The density names a derivation uses, for its ``densities:`` header (``p q`` at least)."""
    names = {"p", "q"}
    for s in d.steps:
        for e in (s.lhs, s.rhs):
            if e is not None:
                names |= {x.name for x in e.atoms(Density) if type(x) is Density}
    return sorted(names)


def transcribe(derivations, results=()) -> str:
    """The ``.vi`` text of ``derivations``; ``results`` (StepResults) add the rules each proved
    step needed and mark refuted steps ``xfail``."""
    by_id = {r.step_id: r for r in results}
    readings = {}
    for d in derivations:
        readings.update(d.readings)
    out = []
    for d in derivations:
        latent, observed = _names(d)
        vectors = {str(v): hi for v, _, hi in d.context.indexed}       # z[1..d]: a diagonal Gaussian's
        latent = [f"{n}[1..{vectors[n]}]" if n in vectors else n for n in latent]
        out += [f"derivation {d.name}", f"title: {d.title}" if d.title else "", f"latent: {' '.join(latent)}"]
        out += _declarations(d, observed)
        names = _density_names(d)
        if names != ["p", "q"]:
            out.append(f"densities: {' '.join(names)}")
        out.append("")
        first = True
        for s in d.steps:
            if s.error:
                out.append(f"    # {s.source.line}: not read ({s.error})")
                continue
            if s.id in readings:
                main, description = readings[s.id]
                r = by_id.get(s.id)
                verdict = f": {r.status.value}" if r else ""
                out.append(f"    # other reading of step {main.split('::')[-1]} ({description}){verdict}:")
                out.append(f"    #   {s.rel} {to_vi(s.rhs)}")
                continue
            if first:
                out.append(f"    {to_vi(s.lhs)}")
                first = False
            out += _step_lines(s, by_id.get(s.id))
        out.append("")
    return "\n".join(x for i, x in enumerate(out) if x or (i and out[i - 1])) + "\n"


def _step_lines(s, r) -> list:
    rules = list(s.by)
    tail = []
    if r is not None and r.status is Status.PROVED:
        rules += [u for u in r.uncited if u not in rules]
    elif r is not None and r.status is Status.FAILED:
        tail.append(f"        xfail: {' '.join((r.explanation or r.reason or 'refuted').split())}")
    elif r is not None:
        tail.append(f"        # {r.status.value}: {' '.join((r.reason or '').split())}")
    note = f"   @ {s.source.note_line}" if s.source.note_line is not None else ""
    by = f"\n        by {', '.join(rules)}" if rules else ""
    return [f"  {s.rel} {to_vi(s.rhs)}{by}{note}"] + tail
