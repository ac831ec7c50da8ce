"""Renaming a bound variable (alpha-equivalence): ``∫ f(z) dz = ∫ f(u) du``.

Valid when z and u range over one domain with one base measure and every density written in z
means the same function when written in u.  vi_sym's densities are marginals of one joint
(``q(z1)`` and ``q(z2)`` are in general two different functions), so the rule applies only to
variables declared copies of one another (``copies: z u``: one domain, and a density name is
one function of either -- i.i.d. draws of one q).  Never capturing: the new name may not occur
anywhere in the integrand (free or bound), and a variable bound again inside is left alone.

Normal form: of the capture-free renamings within the copy groups, the one that reads first
(with the limits in the declared order), so ``∫ q(z2) log q(z2) dz2 = ∫ q(z1) log q(z1) dz1`` and the
double integral ``∫∫ f(u, z) du dz = ∫∫ f(z, u) dz du``.  The same holds for E, KL, ELBO, H
once unfolded.
"""
from __future__ import annotations

from itertools import permutations

from sympy import Integral, Symbol

from ..operators import ExpectationExcept
from ..vocabulary import Const
from .base import Rule, is_whole_domain_integral, rewrite_everywhere


def _group(v, ctx):
    """``v``'s copy group in the order of the declared latents (the order the Fubini rule puts
    iterated integrals in, so the two normal forms agree)."""
    g = next((g for g in ctx.copies if v in g), None)
    rank = lambda u: (ctx.latent.index(u), "") if u in ctx.latent else (len(ctx.latent), str(u))  # noqa: E731
    return None if g is None else sorted(g, key=rank)


def _bound_inside(f) -> set:
    return {lim[0] for sub in f.atoms(Integral) for lim in sub.limits}


MAX_CHOICES = 120   # name assignments tried for one integral


def _assignments(bound, busy, ctx):
    """Every capture-free renaming of the bound variables within their copy groups."""
    per_group = {}
    for v in bound:
        g = _group(v, ctx)
        if g is not None:
            per_group.setdefault(tuple(g), []).append(v)
    options = [[{}]]
    for g, vs in per_group.items():
        names = [u for u in g if u not in busy]
        options.append([dict(zip(vs, perm)) for perm in permutations(names, len(vs))])
    choices = [{} for _ in range(1)]
    for opts in options:
        choices = [{**c, **o} for c in choices for o in opts]
        if len(choices) > MAX_CHOICES:
            return []
    return choices


def _rename(e, ctx):
    """The renaming of ``e``'s bound variables whose result, with its limits in the declared
    order (as the Fubini rule writes it), reads first; None if that is ``e`` itself."""
    if not is_whole_domain_integral(e):
        return None
    bound = [lim[0] for lim in e.limits]
    f = e.function
    if f.has(ExpectationExcept, Const):
        return None
    if len(set(bound)) != len(bound) or set(bound) & _bound_inside(f):
        return None
    busy = (f.atoms(Symbol) - set(bound)) | _bound_inside(f)   # names in use: never captured
    rank = lambda u: (ctx.latent.index(u), "") if u in ctx.latent else (len(ctx.latent), str(u))  # noqa: E731
    best, best_key = None, None
    for choice in _assignments(bound, busy, ctx):
        mapping = {v: choice.get(v, v) for v in bound}
        if len(set(mapping.values())) != len(bound):
            continue
        body = f.xreplace(mapping)
        key = str(Integral(body, *sorted(mapping.values(), key=rank)))
        if best_key is None or key < best_key or (key == best_key and mapping == {v: v for v in bound}):
            best, best_key = (body, [mapping[v] for v in bound]), key
    if best is None:
        return None
    new = Integral(best[0], *best[1])
    return None if new == e else new


def rename_bound_variable_rewrite(expr, ctx):
    """∫ f(z) dz = ∫ f(u) du for copies z, u, u not occurring in f."""
    if not ctx.copies:
        return expr
    return rewrite_everywhere(expr, is_whole_domain_integral, lambda e: _rename(e, ctx))


rename_bound_variable = Rule(
    "rename_bound_variable", "equality", "∫ f(z) dz = ∫ f(u) du",
    ("z and u are declared copies (header 'copies: z u'): one domain, one base measure, and each "
     "density name is one function of either", "u does not occur in f (no capture)"),
    rename_bound_variable_rewrite,
    doc="Alpha-equivalence: the name of an integration variable does not matter.",
    example="latent: z u\ncopies: z u\nintegrate(q(z)*log(q(z)), z) = integrate(q(u)*log(q(u)), u)",
    action="rename an integration variable (to a declared copy not in use)")
