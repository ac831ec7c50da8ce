"""Defined conditional densities: ``define lik(x|z) = Normal(x, z, s)``.

A density of an observed variable x given latents z, written as a distribution of x whose
parameters may depend on z (and on declared parameters): the likelihood of a model written
out.  In a claim it stands inside a log under an expectation over the latents, e.g.

    E_q(z)[log(lik(x|z))] = -log(s) - log(2*pi)/2 - ((x - m)^2 + t^2)/(2*s^2)

for ``q(z) = Normal(z, m, t)``: its log-density is a function of z, and the expectation is
taken by the moment lemmas of q like any other statistic (``vi_sym.claims``).

The other direction is an amortised variational density, ``define q(z|x) = Normal(z, m, s)``:
a density of latent z for each observed x (its parameters may depend on x, an encoder's
output written as a formula, or only name it).  It is a :class:`ConcreteDensity` of z whose
``given`` is x (:class:`AmortisedDensity`): every integral over z treats x as the fixed number it is.

* :class:`ConditionalDensity` -- the defined likelihood, a :class:`ConcreteDensity` with a bar;
* :func:`conditional_definition_error` -- what is wrong with such a definition (or None);
* :class:`AmortisedDensity` -- the defined amortised density;
* :func:`is_amortised` -- is ``define name(vs|given)`` a density of latents given observed ones?
"""
from __future__ import annotations

from sympy import Expr, Tuple
from sympy.core.symbol import Str

from .distributions import ConcreteDensity, Dist, check_domains
from .vocabulary import VocabularyError, _as_symbols

__all__ = ["AMORTISED", "AmortisedDensity", "ConditionalDensity", "amortised_definition_error",
           "conditional_definition_error", "is_amortised"]

#: the mark a reader puts after ``given`` in a definition ``(vars, definition, given, AMORTISED)``
AMORTISED = "amortised"


class ConditionalDensity(ConcreteDensity):
    """``lik(x|z)`` bound by ``define lik(x|z) = Normal(x, z, s)``: a density of x for each z."""

    #: what must stand right of the bar (the message when nothing does)
    conditioned_on = "a defined conditional density ({}) is conditioned on a latent"

    def __new__(cls, name, vars, given, definition):
        if isinstance(name, str):
            name = Str(name)
        vs = _as_symbols(vars, "density arguments")
        gs = _as_symbols(given, "conditioning variables")
        if not gs:
            raise VocabularyError(cls.conditioned_on.format(name))
        return Expr.__new__(cls, name, Tuple(*vs), Tuple(*gs), definition)


class AmortisedDensity(ConditionalDensity):
    """``q(z|x)`` bound by ``define q(z|x) = Normal(z, m, s)``: a density of the latent z for
    each observed x (x a fixed number wherever z is integrated out)."""

    conditioned_on = "an amortised density ({}) is conditioned on an observed variable"


def is_amortised(vs, given, ctx_latent, observed) -> bool:
    """``define q(z|x)``: latents left of the bar, observed variables right of it."""
    return bool(vs) and bool(given) and all(v in ctx_latent for v in vs) and all(g in observed for g in given)


def amortised_definition_error(label: str, vs, given, definition, ctx_latent, domains):
    """What is wrong with ``define q(z|x) = definition`` (see :func:`conditional_definition_error`)."""
    if len(vs) != 1 or not isinstance(definition, Dist) or definition.var != vs[0]:
        return f"{label} must be one distribution of {vs[0]}, e.g. Normal({vs[0]}, m, s)", None
    stray = definition.free_symbols & set(ctx_latent) - set(vs)
    if stray:
        return (f"{label}: its parameters depend on the latent {sorted(map(str, stray))[0]}; an amortised "
                "density's parameters depend only on what is right of the bar and on parameters"), None
    stray = set().union(*(p.free_symbols for p in definition.params)) & set(vs)
    if stray:
        return f"{label}: a parameter of {definition} depends on {vs[0]} itself", None
    return _domains_error(label, given, definition, domains, "observed")


def _domains_error(label: str, given, definition, domains, what_given: str):
    """A parameter that must be positive (or in a range) written in a variable right of the bar,
    which takes every real value; or a parameter outside its domain (None: neither)."""
    for p, dom, what in zip(definition.params, definition.spec.domains, definition.spec.params):
        hit = sorted(p.free_symbols & set(given), key=str)
        if hit and dom not in ("real", "any"):
            return (f"{label}: the {what} {p} of {definition} depends on the {what_given} {hit[0]}, which "
                    f"takes every real value, but must be {dom}"), None
    problems = check_domains(definition, domains)
    return (f"{label}: {problems[0]}", None) if problems else None


def conditional_definition_error(name: str, vs, given, definition, ctx_latent, observed, domains):
    """(why, the variable at fault or None) when ``define name(vs|given) = definition`` is not a
    density of observed ``vs`` given latents ``given``, else None.  ``observed``: the declared
    observed variables; ``domains``: {parameter name: domain}."""
    label = f"{name}({', '.join(map(str, vs))}|{', '.join(map(str, given))})"
    if is_amortised(vs, given, ctx_latent, observed):
        return amortised_definition_error(label, vs, given, definition, ctx_latent, domains)
    for g in given:
        if g not in ctx_latent:
            return (f"{label}: '{g}' right of the bar is not a latent variable (a defined likelihood "
                    "is conditioned on latents, declared in 'latent:'; an amortised q(z|x) has latents left "
                    "of the bar and observed variables right of it)"), g
    for v in vs:
        if v not in observed:
            return (f"{label}: '{v}' left of the bar is not an observed variable (declare it in "
                    "'observed:')"), v
    if len(vs) != 1 or not isinstance(definition, Dist) or definition.var != vs[0]:
        return f"{label} must be one distribution of {vs[0]}, e.g. Normal({vs[0]}, {given[0]}, s)", None
    stray = definition.free_symbols & set(ctx_latent) - set(given)
    if stray:
        return (f"{label}: its parameters depend on the latent {sorted(map(str, stray))[0]}, which is "
                "not right of the bar"), None
    return _domains_error(label, given, definition, domains, "latent")
