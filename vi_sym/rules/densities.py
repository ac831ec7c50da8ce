"""Rules about the model's densities: Bayes, the product rule, marginalisation, normalisation."""
from __future__ import annotations

from sympy import Integral, Mul

from ..vocabulary import Density
from .base import Rule, is_normalised_in, rewrite_everywhere, whole_domain_variable


def _is_posterior(d, ctx):
    """``p(A|B)`` with a latent among A and no latent among B (e.g. ``p(z|x)``)."""
    return (isinstance(d, Density) and d.name in ctx.models and d.given
            and any(ctx.is_latent(v) for v in d.vars)
            and not any(ctx.is_latent(v) for v in d.given))


def bayes_rule_rewrite(expr, ctx):
    """p(A|B) = p(B|A) p(A) / p(B), for A containing the latent."""
    def apply(d):
        A, B = d.vars, d.given
        return Density(d.name, B, A) * Density(d.name, A) / Density(d.name, B)
    return rewrite_everywhere(expr, lambda e: _is_posterior(e, ctx), apply)


def _split_joint(d, ctx):
    lat = tuple(v for v in d.vars if ctx.is_latent(v))
    obs = tuple(v for v in d.vars if not ctx.is_latent(v))
    return obs, lat


def product_rule_rewrite(expr, ctx):
    """p(O, L | G) = p(O | L, G) p(L | G) for observed O and latent L."""
    def match(d):
        if not (isinstance(d, Density) and d.name in ctx.models):
            return False
        obs, lat = _split_joint(d, ctx)
        return bool(obs) and bool(lat)

    def apply(d):
        obs, lat = _split_joint(d, ctx)
        return Density(d.name, obs, lat + d.given) * Density(d.name, lat, d.given)
    return rewrite_everywhere(expr, match, apply)


def _marginal_of(integrand, v, ctx):
    """If ``integrand`` is ``p(O, v | G)`` or ``p(O | v, G) p(v | G)``, return ``p(O | G)``."""
    if isinstance(integrand, Density) and integrand.name in ctx.models and v in integrand.vars:
        rest = tuple(u for u in integrand.vars if u != v)
        if rest:
            return Density(integrand.name, rest, integrand.given)
        return None
    if isinstance(integrand, Mul) and len(integrand.args) == 2:
        a, b = integrand.args
        for cond, marg in ((a, b), (b, a)):
            if (isinstance(cond, Density) and isinstance(marg, Density)
                    and cond.name == marg.name and cond.name in ctx.models
                    and marg.vars == (v,) and v in cond.given
                    and tuple(u for u in cond.given if u != v) == marg.given):
                return Density(cond.name, cond.vars, marg.given)
    return None


def marginalisation_rewrite(expr, ctx):
    """∫ p(O, z | G) dz = p(O | G) and ∫ p(O | z, G) p(z | G) dz = p(O | G)."""
    def match(e):
        return isinstance(e, Integral) and whole_domain_variable(e) is not None

    def apply(e):
        return _marginal_of(e.function, whole_domain_variable(e), ctx)
    return rewrite_everywhere(expr, match, apply)


def normalisation_rewrite(expr, ctx):
    """∫ q(z) dz = 1 for any density whose only argument is the integration variable."""
    def match(e):
        return isinstance(e, Integral) and whole_domain_variable(e) is not None

    def apply(e):
        if is_normalised_in(e.function, whole_domain_variable(e)):
            return 1
        return None
    return rewrite_everywhere(expr, match, apply)


bayes_rule = Rule(
    "bayes_rule", "equality", "p(z|x) = p(x|z) p(z) / p(x)",
    ("p(x) > 0", "p(x|z), p(z) are the likelihood and prior of the same joint p(x,z)"),
    bayes_rule_rewrite,
    doc="Rewrites a posterior (latent left of the bar) as likelihood times prior over evidence.")

product_rule = Rule(
    "product_rule", "equality", "p(x,z) = p(x|z) p(z)",
    ("p(z) > 0 wherever p(x|z) is defined",),
    product_rule_rewrite,
    doc="Factorises a joint over observed and latent variables as likelihood times prior.")

marginalisation = Rule(
    "marginalisation", "equality", "∫ p(x,z) dz = p(x) = ∫ p(x|z) p(z) dz",
    ("the integral runs over the whole domain of z", "p(x,z) is integrable in z"),
    marginalisation_rewrite,
    doc="Integrating the latent out of the joint gives the evidence.")

normalisation = Rule(
    "normalisation", "equality", "∫ q(z) dz = 1",
    ("q is a probability density (or mass function) in z",
     "the integral runs over the whole domain of z"),
    normalisation_rewrite,
    doc="A density in z integrates to one over z; p(x|z) is not a density in z and is left alone.")
