"""Spot-checks of steps about vectors of an unspecified length (``latent: z[1..d]``).

A statement for every size d is checked at the concrete sizes d = 1, 2, 3: each is written out
(:func:`vi_sym.indexed.instantiate`: sums and products expanded, ``z[2]`` the variable ``z_2``,
``prod(Normal(z[j], m[j], s[j]), (j, 1, d))`` the product of d Normal densities) and checked
like any claim about defined densities (:func:`vi_sym.spot.claims.spot_claim`: drawn
parameters, certified integrals).  A certified counterexample at one size refutes the
statement for every d; agreement at every size tried is a spot-check, never a proof.
"""
from __future__ import annotations

from dataclasses import replace

from sympy import Indexed, Integer, Symbol

from ..indexed import instantiate, is_indexed, plain_name
from ..vocabulary import Density
from .base import SpotResult
from .claims import spot_claim

__all__ = ["IndexedChecker", "spot_indexed", "SIZES", "FAMILY"]

FAMILY = "concrete-d"
#: the sizes every symbolic size is given in turn (the drawn points are shared out among them)
SIZES = (1, 2, 3)


def applies(step) -> bool:
    """A step about declared vectors whose densities are all defined ones."""
    if step.error:
        return False
    vectors = step.context.indexed
    if not vectors or not (is_indexed(step.lhs, vectors) or is_indexed(step.rhs, vectors)):
        return False
    return all(getattr(d, "definition", None) is not None
               for side in (step.lhs, step.rhs) for d in side.atoms(Density))


def _sizes(ctx) -> list:
    return sorted({hi for _, _, hi in ctx.indexed if isinstance(hi, Symbol)}, key=str)


def _context_at(ctx, size: int):
    """The context with each vector written out at ``size`` coordinates."""
    latent, domains = [], list(ctx.domains)
    dom = dict(ctx.domains)
    for v in ctx.latent:
        vec = next((t for t in ctx.indexed if t[0] == v), None)
        if vec is None:
            latent.append(v)
            continue
        hi = vec[2] if vec[2].is_Integer else Integer(size)
        latent.extend(Symbol(plain_name(Indexed(v, i)), **v.assumptions0) for i in range(1, int(hi) + 1))
    for base, _, hi in ctx.indexed:
        n = int(hi) if hi.is_Integer else size
        if base.name in dom:
            domains += [(plain_name(Indexed(base, i)), dom[base.name]) for i in range(1, n + 1)]
    return replace(ctx, latent=tuple(latent), domains=tuple(domains), indexed=())


def instantiate_step(step, size: int):
    """``step`` at ``size`` coordinates (every symbolic size set to it): a plain claim."""
    sizes = {s: size for s in _sizes(step.context)}
    return replace(step, lhs=instantiate(step.lhs, sizes), rhs=instantiate(step.rhs, sizes),
                   context=_context_at(step.context, size))


def _relabel(cex: dict, size: int, sizes) -> dict:
    """The counterexample's parameters named as written (``m_2`` -> ``m[2]``), labelled with
    the size."""
    params = {str(s): size for s in sizes}
    for name, value in cex["params"].items():
        base, _, i = name.rpartition("_")
        params[f"{base}[{i}]" if base and i.isdigit() else name] = value
    label = ", ".join(f"{s} = {size}" for s in sizes)
    return {**cex, "params": params, **({"label": label} if label else {})}


def spot_indexed(step, samples=50, seed=0, tol=1e-6) -> SpotResult:
    """The step checked at each size of :data:`SIZES` (see the module docstring)."""
    sizes = _sizes(step.context)
    checked, total, worst, reasons = 0, 0, 0.0, []
    for size in SIZES if sizes else (None,):
        try:
            inst = instantiate_step(step, size) if size else instantiate_step(step, 1)
        except (ValueError, TypeError) as exc:
            return SpotResult(FAMILY, "UNKNOWN", 0, 0, 0.0, None, f"cannot write it out at d = {size}: {exc}")
        share = max(1, samples // len(SIZES)) if samples and sizes else samples
        out = spot_claim(inst, samples=share, seed=seed, tol=tol)
        at = ", ".join(f"{s} = {size}" for s in sizes) or "its size"
        if out.status == "FAILED":
            return SpotResult(FAMILY, "FAILED", checked + out.n_checked, total + out.n_total,
                              max(worst, out.max_error), _relabel(out.counterexample, size, sizes),
                              f"at {at}: {out.reason}")
        if out.status != "SPOT-CHECKED":
            reasons.append(f"at {at}: {out.reason}")
            continue
        checked, total, worst = checked + out.n_checked, total + out.n_total, max(worst, out.max_error)
    if reasons:
        return SpotResult(FAMILY, "UNKNOWN", checked, total, worst, None, "; ".join(reasons))
    where = ", ".join(map(str, SIZES)) if sizes else ""
    return SpotResult(FAMILY, "SPOT-CHECKED", checked, total, worst, None,
                      f"{checked} points at {', '.join(map(str, sizes))} = {where} against the defining "
                      "integrals" if sizes else f"{checked} points against the defining integrals")


class IndexedChecker:
    """Steps about declared vectors as a :class:`~vi_sym.spot.base.SpotChecker`: always
    selected when spot-checking is on."""
    name = FAMILY
    always = True
    batch = None

    def __repr__(self):
        return "IndexedChecker()"

    def applies(self, step) -> bool:
        return applies(step)

    def check(self, step, samples=50, seed=0, tol=1e-6) -> SpotResult:
        return spot_indexed(step, samples=samples, seed=seed, tol=tol)
