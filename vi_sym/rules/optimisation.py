"""Optimisation statements: ``argmax``/``argmin`` over a density or a parameter.

``argmax_v f`` is the set of maximisers of ``f`` as ``v`` varies (``v`` a declared parameter θ, a
density q(z1) with every other factor fixed, or a density name q).  Two rules:

* ``argmin_definition``: argmin_v f = argmax_v (−f) (a definition: it unfolds freely);
* ``argmax_of_shifted``: argmax_v f = argmax_v (a·f + c) when c does not depend on v and a > 0
  is a number -- adding a term free of the variable, or scaling by a positive number, moves
  the value of the objective at every v alike, so it moves no maximiser.

The normal form of ``argmax_v f`` keeps only the terms of ``f``'s normal form that depend on v,
divided by their positive rational content.  So ``argmin_q KL(q(z) || p(z|x)) = argmax_q
ELBO(q(z), p(x,z))`` is proved from ``KL = log p(x) − ELBO`` (log p(x) is free of q): both
sides become ``argmax_q (∫ q log p(x|z) + ∫ q log p(z) − ∫ q log q)``.

"Depends on v" is read off the expression: a parameter that occurs free (not as an integration
variable); a density target q(z1) when a density of its name over one of its variables occurs
(q(z2) is another factor); a name target q when any density of that name occurs.  An
``E_{-j}`` counts as depending on every target (its factors are q's).  A term is dropped only
when it provably does not depend on v, so a wrong statement keeps a term and is not proved.
"""
from __future__ import annotations

from sympy import Add, Mul, Symbol
from sympy.core.symbol import Str

from ..operators import ArgMax, ArgMin, ArgOpt, ExpectationExcept
from ..vocabulary import Const, Density, joint_vars
from .base import Rule, bound_free_variables, rewrite_everywhere


def _density_matches(d: Density, target) -> bool:
    if isinstance(target, Str):
        return d.name == target.name
    names = {f.name for f in Mul.make_args(target) if isinstance(f, Density)}
    return d.name in names and bool(set(d.vars + d.given) & set(joint_vars(target)))


def depends_on(term, target) -> bool:
    """Might ``term`` change as ``target`` varies?  (False only when it provably cannot.)"""
    if term.has(ExpectationExcept) or term.has(Const):
        return True
    if isinstance(target, Symbol):
        return target in bound_free_variables(term)
    return any(_density_matches(d, target) for d in term.atoms(Density))


def _negate(f):
    return Add(*[-t for t in Add.make_args(f)])


def _normal_argmax(e: ArgOpt):
    """``argmax_v`` of the v-dependent terms of ``f``, without positive rational content."""
    f = e.f if isinstance(e, ArgMax) else _negate(e.f)
    kept = Add(*[t for t in Add.make_args(f) if depends_on(t, e.target)])
    if isinstance(kept, Add):
        content, rest = kept.primitive()
        if content.is_positive:
            kept = rest
    else:
        coeff, rest = kept.as_coeff_Mul()
        if coeff.is_Rational and coeff.is_positive:
            kept = rest
    new = ArgMax(kept, e.target)
    return None if new == e else new


def argmin_definition_rewrite(expr, ctx):
    """argmin_v f = argmax_v (−f)."""
    return rewrite_everywhere(expr, lambda e: isinstance(e, ArgMin),
                              lambda e: ArgMax(_negate(e.f), e.target))


def argmax_of_shifted_rewrite(expr, ctx):
    """argmax_v (a·f + c) = argmax_v f for c free of v and a > 0 a number."""
    return rewrite_everywhere(expr, lambda e: isinstance(e, ArgMax), _normal_argmax)


argmin_definition = Rule(
    "argmin_definition", "equality", "argmin_v f = argmax_v (−f)",
    ("the same set of candidates v on both sides",),
    argmin_definition_rewrite,
    doc="A minimiser of f is a maximiser of −f.", definition=True,
    example="argmin_q KL(q(z) || p(z)) = argmax_q -KL(q(z) || p(z))",
    action="read a minimisation as the maximisation of the negated objective")

argmax_of_shifted = Rule(
    "argmax_of_shifted", "equality", "argmax_v (a·f + c) = argmax_v f",
    ("c does not depend on v (a parameter not occurring in c; a density whose name and variables "
     "do not occur in c) and is finite", "a > 0 is a number", "the same set of candidates v"),
    argmax_of_shifted_rewrite,
    doc="Adding a term free of the variable, or scaling by a positive number, moves no maximiser: "
        "argmin_q KL(q || p(z|x)) = argmax_q ELBO(q) because KL = log p(x) − ELBO.",
    example="argmax_q (E_q(z)[log(p(x|z))] + log(p(x))) = argmax_q E_q(z)[log(p(x|z))]",
    action="drop from the objective a term that does not depend on what is optimised")
