"""Fubini–Tonelli for integrals over several latents (product domains).

sympy's ``Integral(f, z1, z2)`` is the iterated integral ``∫ (∫ f dz1) dz2``, and a definition
over several latents (``KL(q(z1)q(z2) || p(z1,z2|x))``, ``E_{q(z1,z2)}[f]``) unfolds into the
integral over the product domain written as that iterated integral (Fubini–Tonelli, under the
definitions' integrability assumption).  The one rule here, ``integral_integral_swap``, changes
the order of an iterated integral.  The normal form integrates the latents innermost-first in
the order they are declared (``latent: z1 z2``: z1 inside); a factor of the outer integrand
that is free of the inner variables moves inside first
(``∫ a(z2) ∫ g dz1 dz2`` is already in order; ``∫ a(z1) ∫ g dz2 dz1 = ∫∫ a(z1) g dz1 dz2``).

Every limit must be a whole domain (``∫ · dz``): an inner domain that depends on the outer
variable (a triangle, ``∫_0^{z2} · dz1``) is not a product and the rule leaves it alone.
"""
from __future__ import annotations

from sympy import Integral, Mul

from .base import Rule, is_whole_domain_integral, rewrite_everywhere


def _rank(v, ctx):
    """Position of ``v`` in the declared latents (others after them, by name)."""
    return (ctx.latent.index(v), "") if v in ctx.latent else (len(ctx.latent), str(v))


def _swap(e, ctx):
    """``e`` with its integration variables in the declared order, or None if they are."""
    if not is_whole_domain_integral(e):
        return None
    outer = [lim[0] for lim in e.limits]
    factors = Mul.make_args(e.function)
    inner = [f for f in factors if is_whole_domain_integral(f)]
    if len(inner) == 1 and len(factors) > 1:
        inner = inner[0]
        inner_vars = [lim[0] for lim in inner.limits]
        rest = [f for f in factors if f is not inner]
        # an inner variable free outside the inner integral would be captured by moving inside
        if any(v in f.free_symbols for f in rest for v in inner_vars):
            return None
        order = inner_vars + outer
        body = Mul(*rest) * inner.function
    else:
        order, body = outer, e.function
    if len(set(order)) != len(order):
        return None
    wanted = sorted(order, key=lambda v: _rank(v, ctx))
    if wanted == order:
        return None
    return Integral(body, *wanted)


def integral_integral_swap_rewrite(expr, ctx):
    """∫ (∫ f dz2) dz1 = ∫ (∫ f dz1) dz2 (into the declared order: z1 innermost)."""
    return rewrite_everywhere(expr, is_whole_domain_integral, lambda e: _swap(e, ctx))


integral_integral_swap = Rule(
    "integral_integral_swap", "equality", "∫ (∫ f dz2) dz1 = ∫ (∫ f dz1) dz2",
    ("f is integrable on the product space (Fubini) or nonnegative (Tonelli)",
     "both integrals run over whole domains (the inner domain does not depend on the outer "
     "variable)"),
    integral_integral_swap_rewrite,
    doc="Fubini–Tonelli: the order of an iterated integral over a product domain may be swapped.")
