"""The optimal mean-field factor (PRML (10.9), Blei et al. (18)): CAVI's update.

With q(z) = ∏_i q_i(z_i) the declared factorisation, the factor q_j that maximises the ELBO
while every other factor is held fixed is

    q_j*(z_j) = exp(E_{-j}[log p(x, z)]) / ∫ exp(E_{-j}[log p(x, z)]) dz_j,

so ``log q_j*(z_j) = E_{-j}[log p(x, z)] + const(z_j)``: the ELBO as a functional of q_j is
−KL(q_j ‖ q̃_j) plus a term free of q_j, where q̃_j is the normalised right-hand side, and the
KL is zero exactly at q_j = q̃_j.

The starred density of a note (``q1*(z1)``, LaTeX ``q_1^*(z_1)``: the name ``q1_star``) over one
latent z_j is rewritten to that quotient when the note declares its mean-field factorisation
(``factorised:``, ``mean-field:``) and a factor over z_j alone is among them; the others are the
factors held fixed.  The model's joint p(x, z) is the model density over every latent and every
observed variable (those the derivation declares; in a note, those its chain names), with the
declared parameters the model densities name right of the bar (p(x, z | θ)).  Without a declared factorisation the optimum depends on factors the note does not name,
and the density stays as written (a step that needs it is not proved).  A starred density with
one latent and no factorisation (q*(z)) is left alone too: its value depends on the family Q
the note optimises over (p(z|x) only when Q is unrestricted).
"""
from __future__ import annotations

from sympy import Integral, Tuple, exp, log

from ..operators import ExpectationExcept
from ..vocabulary import Density, is_optimum_name, unfold_definitions
from .base import Rule, canonical_density, rewrite_everywhere


def model_joint(expr, ctx):
    """The model's joint density over every latent and the observed variables (those the
    derivation declares, else those ``expr``'s model densities name), conditioned on the
    declared parameters the model densities name; None when the model's name is ambiguous or
    nothing says what is observed."""
    models = [d for d in expr.atoms(Density) if d.name in ctx.models]
    names = {d.name for d in models} or set(ctx.models)
    if len(names) != 1:
        return None
    named = {v for d in models for v in d.vars + d.given}
    observed = list(ctx.observed) or [v for v in named if ctx.is_observed(v)]
    if not observed:
        return None
    params = [v for v in named if ctx.is_parameter(v)]
    return canonical_density(names.pop(), list(ctx.latent) + observed, params)


def _factor_over(ctx, v):
    """The declared factors other than the one over ``v`` alone, or None when none is over it."""
    factors = list(ctx.factors)
    own = [f for f in factors if f.vars == (v,)]
    if len(own) != 1 or {u for f in factors for u in f.vars} != set(ctx.latent):
        return None
    return [f for f in factors if f is not own[0]]


def optimal_factor_rewrite(expr, ctx):
    """q_j*(z_j) = exp(E_{-j}[log p(x,z)]) / ∫ exp(E_{-j}[log p(x,z)]) dz_j."""
    if not ctx.factors or len(ctx.latent) < 2:
        return expr
    return _unfold(expr, ctx, model_joint(expr, ctx))


def unfold_optimal_factors(lhs, rhs, ctx):
    """A step's two sides with every optimal factor q_j* written as its update (one model joint
    for both, read from both), or None when there is none to unfold -- what a model family
    evaluates in place of q_j*, for which it has no meaning of its own."""
    joint = model_joint(Tuple(lhs, rhs), ctx)
    new = (_unfold(lhs, ctx, joint), _unfold(rhs, ctx, joint))
    return None if new == (lhs, rhs) else new


def _unfold(expr, ctx, joint):
    if not ctx.factors or len(ctx.latent) < 2 or joint is None:
        return expr

    def starred(e):
        return isinstance(e, Density) and is_optimum_name(e.name) and len(e.vars) == 1 \
            and not e.given and ctx.is_latent(e.vars[0]) and _factor_over(ctx, e.vars[0]) is not None

    def parts(d):
        """(E_{-j}[log p(x, z)], its normaliser ∫ exp(E_{-j}[log p(x, z)]) dz_j) for q_j*."""
        body = ExpectationExcept(d.vars[0], log(joint)).unfold(ctx.factors)
        return body, Integral(exp(body), d.vars[0])

    def log_of(e):      # log q_j* = E_{-j}[log p] − log Z: a real number minus the log of a positive one
        body, norm = parts(e.args[0])
        return body - log(norm)

    def quotient(d):
        body, norm = parts(d)
        return exp(body) / norm
    if any(starred(d) for d in expr.atoms(Density)):     # KL(q(z1) || q1*(z1)): its integral first
        expr = unfold_definitions(expr)
    expr = rewrite_everywhere(expr, lambda e: isinstance(e, log) and starred(e.args[0]), log_of)
    return rewrite_everywhere(expr, starred, quotient)


optimal_factor = Rule(
    "optimal_factor", "equality",
    "q_j*(z_j) = exp(E_{-j}[log p(x,z)]) / ∫ exp(E_{-j}[log p(x,z)]) dz_j",
    ("q = ∏_i q_i(z_i) is the declared mean-field factorisation (header 'factorised:'); "
     "q_j* maximises the ELBO over q_j with the other factors fixed",
     "the normaliser ∫ exp(E_{-j}[log p(x,z)]) dz_j is finite (the optimum exists)",
     "p(x,z) is the model's joint over every latent and the observed variables (declared, or in a note "
     "those its chain names)"),
    optimal_factor_rewrite,
    doc="CAVI's coordinate update: the optimal factor is the normalised exponentiated expected log joint.",
    example="latent: z1 z2\nobserved: x\nfactorised: q(z1)*q(z2)\ndensities: p q q1_star\n"
            "log(q1_star(z1)) = E_q(z2)[log(p(x,z1,z2))] + const(z1)",
    action="write the optimal factor q_j* as the normalised exp E_{-j}[log p(x, z)]")

__all__ = ["optimal_factor", "model_joint", "unfold_optimal_factors"]
