"""A prior free of the model's parameters: ``p(z|θ) = p(z)``.

A VAE or EM note conditions its likelihood on parameters (``p(x|z, θ)``, ``p_θ(x|z)``) and
writes the prior without them, ``KL(q(z|x) ‖ p(z))``: its model is p(x, z|θ) = p(x|z, θ) p(z),
the prior fixed (N(0, I) in the VAE).  The derivation says so by writing ``p(z)`` (a density of
latent variables alone, without a parameter) beside the parameters' densities, and never
``p(z|θ)`` itself; :func:`vi_sym.assemble.assemble` then records that prior in
``Context.fixed``, and this rule rewrites the model's prior at the parameters, ``p(z|θ)`` (what
the product rule makes of ``p(x, z|θ)``), to it.  A model family whose prior moves with its
parameters cannot stand for such a model and does not apply to its steps.
"""
from __future__ import annotations

from dataclasses import replace

from ..vocabulary import Density
from .base import Rule, rewrite_everywhere

__all__ = ["prior_free_of_parameters", "with_fixed_priors"]


def prior_free_of_parameters_rewrite(expr, ctx):
    """p(z|θ) -> p(z) for a prior ``p(z)`` in ``ctx.fixed``, every conditioning variable a parameter."""
    fixed = set(getattr(ctx, "fixed", ()))
    if not fixed:
        return expr

    def match(e):
        return (type(e) is Density and e.given and all(ctx.is_parameter(g) for g in e.given)
                and Density(e.name, e.vars) in fixed)

    def apply(e):
        return Density(e.name, e.vars)
    return rewrite_everywhere(expr, match, apply)


prior_free_of_parameters = Rule(
    "prior_free_of_parameters", "equality", "p(z | θ) = p(z)",
    ("the derivation writes the prior p(z) without the parameters θ its other model densities are "
     "conditioned on (and never p(z | θ)): the model's prior is free of them",),
    prior_free_of_parameters_rewrite,
    doc="The model's prior at the parameters is the prior the derivation writes without them "
        "(VAE: p(x, z | θ) = p(x | z, θ) p(z)).",
    example="parameters: θ\nprior: p(z)\nKL(q(z) || p(z|θ)) = KL(q(z) || p(z))",
    action="take the model's prior at θ for the prior it writes free of θ, p(z)")


def with_fixed_priors(ctx, exprs):
    """``ctx`` with ``fixed``: the priors ``exprs`` (a derivation's expressions) write free of the
    model's parameters -- a model density of latent variables alone and without a bar, ``p(z)``,
    where other model densities are conditioned on parameters (``p(x|z, θ)``) and ``p(z|θ)``
    itself is never written.  ``ctx`` unchanged when there is none, or when a header declared its
    priors (``prior: p(z)`` in a .vi file)."""
    if getattr(ctx, "fixed", ()):
        return ctx
    dens = {d for e in exprs if e is not None for d in e.atoms(Density) if type(d) is Density}
    models = [d for d in dens if d.name in ctx.models]
    if not any(ctx.is_parameter(g) for d in models for g in d.given):
        return ctx
    written = {(d.name, d.vars) for d in models if d.given and all(ctx.is_parameter(g) for g in d.given)}
    fixed = tuple(sorted((d for d in models if not d.given and d.vars and all(ctx.is_latent(v) for v in d.vars)
                          and (d.name, d.vars) not in written), key=str))
    return replace(ctx, fixed=fixed) if fixed else ctx
