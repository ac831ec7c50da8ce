"""A step's sides as a model family reads them: its latent renamed ``z``, its observed variable
``x``, its arbitrary density names renamed ``q`` (and ``r``), its declared parameters held at
the family's model where that is one instance of the step -- and the sentences that say so.
"""
from __future__ import annotations

import sympy
from sympy import Symbol

from .vocabulary import Density, is_optimum_name

__all__ = ["untested_names", "variational_names", "naming_note", "with_naming_note", "rename_densities",
           "without_parameters", "family_coordinates"]


def untested_names(lhs, rhs, context, slots) -> str:
    """Why a model family cannot stand in for the step's density names, or ""."""
    dens = lhs.atoms(Density) | rhs.atoms(Density)
    names = sorted({d.name for d in dens if type(d) is Density} - set(context.models))
    starred = [n for n in names if is_optimum_name(n)]
    if starred:
        return (f"{starred[0]} is an optimum (q*) that the step does not define, so no model family can "
                f"stand in for it; write the density it is instead")
    if variational_names(lhs, rhs, context, slots) is None:
        return (f"it names {len(names)} arbitrary densities ({', '.join(names)}); the model families "
                f"have {len(slots)} ({', '.join(slots)})")
    return ""


def variational_names(lhs, rhs, context, slots=("q",)) -> dict:
    """Density names of a step that are not the model's (``q1``, ``q_j``, ``r``: arbitrary
    densities over the latents) mapped onto a model family's variational names ``slots``
    (``q``, and ``r`` where the family has a second one): a name already among the slots keeps
    it, the others take the free slots in alphabetical order.  A step about every density is
    refuted by one instance, so naming ``q1`` the family's ``q`` loses nothing; two names never
    share a slot.  ``{}`` when nothing needs renaming; None when there are more names than slots."""
    dens = lhs.atoms(Density) | rhs.atoms(Density)
    if any(type(d) is not Density for d in dens):    # a defined (concrete) density: not arbitrary
        return {}
    names = sorted({d.name for d in dens} - set(context.models))
    if any(is_optimum_name(n) for n in names):     # q*: one density, not any density
        return None
    if set(names) <= set(slots):
        return {}
    free = [s for s in slots if s not in names]
    others = [n for n in names if n not in slots]
    if len(others) > len(free):
        return None
    return dict(zip(others, free))


def naming_note(step) -> str:
    """The sentence saying which of the step's density names a model family's counterexample
    took as its ``q`` (and ``r``), or "" when the step names them so itself."""
    slots = ("q",) if len(step.context.latent) < 2 else ("q", "r")
    lhs, rhs, held = step.lhs, step.rhs, ""
    if len(step.context.latent) == 1:
        plain = without_parameters(lhs, rhs, step.context)
        if plain is not None and plain != (lhs, rhs):
            params = sorted({str(g) for d in lhs.atoms(Density) | rhs.atoms(Density) for g in d.given
                             if step.context.is_parameter(g)})
            held = (f" The parameters {', '.join(params)} are held at the family's own model and q "
                    f"(a step about every value holds at each).")
            lhs, rhs = plain
    names = variational_names(lhs, rhs, step.context, slots)
    said = " and ".join(f"{a} is the family's {b}" for a, b in sorted((names or {}).items()))
    return (f" Here the step's {said}." if said else "") + held


def with_naming_note(explanation: str, step) -> str:
    """``explanation`` as a sentence, followed by :func:`naming_note`."""
    note = naming_note(step)
    if note and explanation and not explanation.rstrip().endswith("."):
        explanation = explanation.rstrip() + "."
    return explanation + note


def rename_densities(expr, names: dict):
    """``expr`` with every density ``a(…)`` renamed ``names[a](…)`` (one pass: no collision)."""
    if not names:
        return expr
    return expr.xreplace({d: Density(names[d.name], d.vars, d.given)
                          for d in expr.atoms(Density) if d.name in names})


def _symbols_outside_densities(expr) -> set:
    if isinstance(expr, Density):
        return set()
    if isinstance(expr, Symbol):
        return {expr}
    return set().union(*(_symbols_outside_densities(a) for a in expr.args)) if expr.args else set()


def without_parameters(lhs, rhs, context):
    """The sides with each density's declared parameters dropped (``p(x|z,θ)`` -> ``p(x|z)``,
    ``q(z|x,φ)`` -> ``q(z|x)``) when that is one instance of the step: every density name carries
    one parameter tuple throughout -- or none where the note writes a density of the model
    without it: the VAE's ``p(z)`` beside ``p_θ(x|z)``, a prior that does not depend on θ -- and
    no parameter stands outside a density.  A step about every θ then holds for the family's
    model in particular.  None when it is not one instance (EM's ``p(·|θ)`` beside
    ``p(·|θ0)``: two values of one model's parameter; ``p(x)`` beside ``p(x|θ)``: one density
    with and without it)."""
    dens = [d for d in lhs.atoms(Density) | rhs.atoms(Density) if type(d) is Density]
    tuples: dict = {}
    signatures: dict = {}
    for d in dens:
        held = tuple(g for g in d.given if context.is_parameter(g))
        tuples.setdefault(d.name, set()).add(held)
        plain_given = tuple(g for g in d.given if not context.is_parameter(g))
        signatures.setdefault((d.name, d.vars, plain_given), set()).add(held)
    if not any(any(t) for t in tuples.values()):
        return lhs, rhs
    if any(len(t - {()}) > 1 for t in tuples.values()) or any(len(t) > 1 for t in signatures.values()):
        return None
    if any(context.is_parameter(v) for v in _symbols_outside_densities(lhs) | _symbols_outside_densities(rhs)):
        return None
    plain = {d: Density(d.name, d.vars, [g for g in d.given if not context.is_parameter(g)]) for d in dens}
    return lhs.xreplace(plain), rhs.xreplace(plain)


def _latent_and_observed(lhs, rhs, ctx) -> tuple:
    """The latent and the observed variables of the densities of ``lhs`` and ``rhs`` (a declared
    parameter is never the family's data x: p(z|θ) is no posterior p(z|x))."""
    every = {v for d in lhs.atoms(Density) | rhs.atoms(Density) for v in tuple(d.vars) + tuple(d.given)}
    latent = [v for v in every if ctx.is_latent(v)]
    return latent, [v for v in every if not ctx.is_latent(v) and not ctx.is_parameter(v)]


def coordinate_names(step) -> dict:
    """{family name: the note's name} of the renaming :func:`family_coordinates` makes: ``z`` for
    the step's one latent, ``x`` for its one observed variable (to write a counterexample back)."""
    latent, observed = _latent_and_observed(step.lhs, step.rhs, step.context)
    return {**({"z": str(latent[0])} if len(latent) == 1 else {}),
            **({"x": str(observed[0])} if len(observed) == 1 else {})}


def family_coordinates(step):
    """The step's sides with its latent renamed ``z`` and its one observed variable ``x``,
    the names the model families use (the note writes X, Z in places), a density name
    other than the model's renamed ``q`` (:func:`variational_names`), and declared parameters
    dropped where that is one instance of the step (:func:`without_parameters`)."""
    lhs, rhs = step.lhs, step.rhs
    if len(step.context.latent) == 1:     # one latent: a model at fixed parameters
        lhs, rhs = without_parameters(lhs, rhs, step.context) or (lhs, rhs)
    names = variational_names(lhs, rhs, step.context)
    if names:
        lhs, rhs = rename_densities(lhs, names), rename_densities(rhs, names)
    latent, observed = _latent_and_observed(lhs, rhs, step.context)
    mapping = {}
    if len(latent) == 1:
        mapping[latent[0]] = sympy.Symbol("z")
    if len(observed) == 1:
        mapping[observed[0]] = sympy.Symbol("x")
    if not mapping or all(k == v for k, v in mapping.items()):
        return lhs, rhs
    return lhs.xreplace(mapping), rhs.xreplace(mapping)
