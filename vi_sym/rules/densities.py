"""Rules about the model's densities: Bayes, the product rule, marginalisation, normalisation.

A density name in ``ctx.models`` (``p``) denotes ONE joint distribution over every variable it
is ever written with; ``p(A|B)`` is a conditional of that joint.  Any other name (``q``) is
read the same way only over latent variables alone (``q(z1, z2)``, ``q(z2|z1)``): the joint of
a variational family.  ``q(z|x)`` (an amortised density) is not a conditional of anything.

Declared parameters (``parameters:``, ``positive:``, ``unit:``) are not random: ``p(x|z, θ)``
is the likelihood of the model indexed by θ.  θ always stays right of the bar (every rule
keeps it in the conditioning, unchanged) and a density with a parameter left of the bar is
left alone by every rule.

The normal form every density is rewritten to: a latent joint ``p(L | Θ)`` (the prior) or an
observed part given latents ``p(O | L, Θ)`` (likelihood, evidence).
"""
from __future__ import annotations

from itertools import permutations

from sympy import Mul

from ..vocabulary import Density
from .base import (Rule, canonical_density, innermost, is_normalised_in, is_whole_domain_integral,
                   rewrite_everywhere, whole_domain_variable)


def _parts(d, ctx):
    """(latent args, observed args, random conditioning, parameters) of ``d``, or None when
    a parameter stands left of the bar."""
    if any(ctx.is_parameter(v) for v in d.vars):
        return None
    lat = tuple(v for v in d.vars if ctx.is_latent(v))
    obs = tuple(v for v in d.vars if not ctx.is_latent(v))
    theta = tuple(v for v in d.given if ctx.is_parameter(v))
    cond = tuple(v for v in d.given if not ctx.is_parameter(v))
    return lat, obs, cond, theta


def _is_joint_density(d, ctx) -> bool:
    """Is ``d`` a conditional/marginal of one joint?  Model densities always; other names
    only over latent variables (plus parameters)."""
    if type(d) is not Density:
        return False
    if d.name in ctx.models:
        return True
    return all(ctx.is_latent(v) or ctx.is_parameter(v) for v in d.vars + d.given)


def joint_in_normal_form(name, every, theta, ctx):
    """``p(every | θ)`` as ``p(O | L, θ) p(L | θ)`` (observed given latent, times latent)."""
    lat = [v for v in every if ctx.is_latent(v)]
    obs = [v for v in every if not ctx.is_latent(v)]
    if lat and obs:
        return canonical_density(name, obs, lat + list(theta)) * canonical_density(name, lat, theta)
    return canonical_density(name, every, theta)


def _is_posterior(d, ctx):
    """``p(A|B)`` with a latent among A and a random variable among B (``p(z|x)``,
    ``p(z1|z2, x)``, ``q(z2|z1)``)."""
    if not _is_joint_density(d, ctx):
        return False
    parts = _parts(d, ctx)
    return parts is not None and bool(parts[0]) and bool(parts[2])


def bayes_rule_rewrite(expr, ctx):
    """p(A|B) = p(A, B) / p(B) with both joints written as likelihood × prior:
    p(z|x) = p(x|z) p(z) / p(x); p(z1|z2,x) = p(x|z1,z2) p(z1,z2) / (p(x|z2) p(z2))."""
    def apply(d):
        lat, obs, cond, theta = _parts(d, ctx)
        num = joint_in_normal_form(d.name, lat + obs + cond, theta, ctx)
        return num / joint_in_normal_form(d.name, cond, theta, ctx)
    return rewrite_everywhere(expr, lambda e: _is_posterior(e, ctx), apply)


def product_rule_rewrite(expr, ctx):
    """p(O, L | G) = p(O | L, G) p(L | G) for observed O and latent L."""
    def match(d):
        if not (type(d) is Density and d.name in ctx.models):
            return False
        parts = _parts(d, ctx)
        return parts is not None and bool(parts[0]) and bool(parts[1])

    def apply(d):
        lat, obs, _, _ = _parts(d, ctx)
        return canonical_density(d.name, obs, lat + d.given) * canonical_density(d.name, lat, d.given)
    return rewrite_everywhere(expr, match, apply)


def chained_joint(factors, ctx):
    """If the densities ``factors`` (one name) multiply to a joint by the chain rule --
    p(A1|G) p(A2|A1,G) p(A3|A1,A2,G) ... exactly -- return (name, A1∪A2∪..., G), else None."""
    if not factors or not all(_is_joint_density(f, ctx) for f in factors):
        return None
    if len({f.name for f in factors}) != 1 or any(_parts(f, ctx) is None for f in factors):
        return None
    for order in permutations(factors):
        given, covered, ok = set(order[0].given), set(), True
        for f in order:
            if set(f.given) != given | covered or set(f.vars) & (given | covered):
                ok = False
                break
            covered |= set(f.vars)
        if ok:
            return order[0].name, covered, given
    return None


def _marginal_of(integrand, v, ctx):
    """If ``integrand`` is the joint p(S | G) (one density or a chain-rule product) with v in
    S and more than v in S, return p(S - v | G) in normal form."""
    factors = list(Mul.make_args(integrand))
    if len(factors) > 4 or not all(type(f) is Density for f in factors):
        return None
    found = chained_joint(factors, ctx)
    if found is None:
        return None
    name, every, given = found
    if v not in every or len(every) < 2:
        return None
    rest = [u for u in every if u != v]
    random = [u for u in given if not ctx.is_parameter(u)]
    theta = [u for u in given if ctx.is_parameter(u)]
    if random:
        return canonical_density(name, rest, given)
    return joint_in_normal_form(name, rest, theta, ctx)


def marginalisation_rewrite(expr, ctx):
    """∫ p(O, z | G) dz = p(O | G), ∫ p(O | z, G) p(z | G) dz = p(O | G) (any chain of
    conditionals of one joint that multiplies to it)."""
    def apply(e):
        return _marginal_of(e.function, whole_domain_variable(e), ctx)
    return rewrite_everywhere(expr, is_whole_domain_integral, innermost(apply))


def normalisation_rewrite(expr, ctx):
    """∫ q(z) dz = 1 for any density whose only argument is the integration variable."""
    def apply(e):
        v = whole_domain_variable(e)
        if v is not None and is_normalised_in(e.function, v):
            return 1
        return None
    # single integrals only: the inner ∫ q(z1) dz1 of ∫∫ q(z1) dz1 dz2 would leave ∫ 1 dz2
    return rewrite_everywhere(expr, is_whole_domain_integral, apply)


def density_argument_order_rewrite(expr, ctx):
    """p(z2, z1 | x) = p(z1, z2 | x): arguments (and conditioning) in the canonical order."""
    def match(d):
        return type(d) is Density and canonical_density(d.name, d.vars, d.given) != d

    def apply(d):
        return canonical_density(d.name, d.vars, d.given)
    return rewrite_everywhere(expr, match, apply)


bayes_rule = Rule(
    "bayes_rule", "equality", "p(z|x) = p(x|z) p(z) / p(x);  p(a|b) = p(a, b) / p(b) in general",
    ("p(x) > 0 (p(b) > 0)", "p(x|z), p(z) are the likelihood and prior of the same joint p(x,z)",
     "applies to the model's densities, and to any density over latent variables alone",
     "declared parameters stay right of the bar: p(z|x,θ) = p(x|z,θ) p(z|θ) / p(x|θ)"),
    bayes_rule_rewrite,
    doc="Rewrites a posterior or conditional (latent left of the bar, a random variable right "
        "of it) as likelihood times prior over evidence.")

product_rule = Rule(
    "product_rule", "equality", "p(x,z) = p(x|z) p(z)",
    ("p(z) > 0 wherever p(x|z) is defined", "declared parameters stay right of the bar"),
    product_rule_rewrite,
    doc="Factorises a joint over observed and latent variables as likelihood times prior.")

marginalisation = Rule(
    "marginalisation", "equality", "∫ p(x,z) dz = p(x) = ∫ p(x|z) p(z) dz",
    ("the integral runs over the whole domain of z", "p(x,z) is integrable in z",
     "the factors are conditionals of one joint that multiply to it by the chain rule"),
    marginalisation_rewrite,
    doc="Integrating one variable out of a joint gives the joint of the others "
        "(the evidence, or the marginal p(x, z1) = ∫ p(x, z1, z2) dz2).")

normalisation = Rule(
    "normalisation", "equality", "∫ q(z) dz = 1",
    ("q is a probability density (or mass function) in z",
     "the integral runs over the whole domain of z"),
    normalisation_rewrite,
    doc="A density in z integrates to one over z; p(x|z) is not a density in z and is left alone.")

density_argument_order = Rule(
    "density_argument_order", "equality", "p(z2, z1 | x) = p(z1, z2 | x)",
    ("a joint density names its variables; the order they are written in is notation",),
    density_argument_order_rewrite, definition=True,
    doc="Writes the arguments of every density in one order (notation, applied freely).")
