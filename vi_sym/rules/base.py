"""What a rule is: a named, documented rewrite (or inequality) with its side conditions.

Equality rules are *oriented* rewrites towards a normal form in which every
density is written with the latent on the right of the bar (likelihood, prior,
evidence, variational density), every log is split, every integral is split
into integrals of single terms with the latent-free factors outside, and every
definition (KL, E, ELBO) is unfolded.  Each rewrite function is pure: it takes
an expression and a :class:`Context` and returns the rewritten expression
(the same object when the rule does not apply anywhere).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import FunctionType
from typing import Callable, Optional

import sympy
from sympy import Dummy, Integral, Symbol

from ..operators import ArgOpt, ExpectationExcept
from ..vocabulary import ELBO, KL, Density, Entropy, Expectation


@dataclass(frozen=True)
class Context:
    """What the rules need to know about a derivation: which variables are latent
    and which density names denote the model joint (Bayes/product/marginal rules
    only apply within one joint)."""

    latent: tuple = (Symbol("z"),)
    models: frozenset = frozenset({"p"})
    #: parameter domains of a claim about concrete densities: ((name, 'real'|'positive'|'unit'), ...)
    domains: tuple = ()
    #: the declared mean-field factors of q (``factorised: q(z1)*q(z2)``), for ``E_{-j}``
    factors: tuple = ()
    #: groups of variables declared copies of one another (``copies: z1 z2``): one domain and
    #: base measure, and a density name means one function of either (q(z1), q(z2) are one q)
    copies: tuple = ()
    #: i.i.d. data sets (``iid: X = x[1..N]``): ((X, x, N), ...)
    iid: tuple = ()
    #: vectors of an unspecified length (``latent: z[1..d]``, ``positive: s[1..d]``): ((z, 1, d), ...)
    indexed: tuple = ()
    #: the observed variables the derivation declares or (in a note) its chain names: with the
    #: latents, what the model's joint p(x, z) is over
    observed: tuple = ()
    #: priors the derivation writes free of the model's parameters (p(z) beside p(x|z, θ); see
    #: :mod:`vi_sym.rules.parameters`)
    fixed: tuple = ()

    def is_latent(self, v) -> bool:
        return v in self.latent

    @property
    def parameters(self) -> frozenset:
        """Names of the declared non-random parameters (``parameters:``, ``positive:``,
        ``unit:``): they index a model (``p(x|z, θ)``) and never stand left of a bar."""
        return frozenset(name for name, _ in self.domains)

    def is_parameter(self, v) -> bool:
        return getattr(v, "name", None) in self.parameters and not self.is_latent(v)

    def is_observed(self, v) -> bool:
        """A random variable that is not latent (data)."""
        return not self.is_latent(v) and not self.is_parameter(v)


@dataclass(frozen=True)
class Rule:
    """A justification a step may cite.

    ``statement``   the math, as a learner would write it;
    ``assumptions`` the side conditions under which the rewrite is valid;
    ``rewrite``     for equality rules, ``(expr, ctx) -> expr`` applied everywhere;
    ``kind``        ``"equality"`` or ``"inequality"``;
    ``definition``  a definition (KL, E, ELBO, H): it unfolds freely, as in Lean unfolding a
                    definition needs no lemma, so citing it is good style but never required.
    """

    name: str
    kind: str
    statement: str
    assumptions: tuple
    rewrite: Optional[Callable] = field(default=None, compare=False)
    doc: str = ""
    definition: bool = False
    #: a step in the .vi notation proved by this rule alone (header lines first, when it needs
    #: its own: ``"copies: z u\nintegrate(f(z), z) = integrate(f(u), u)"``), and what the rule
    #: does, as a verb phrase -- for ``vi_sym explain``
    example: str = ""
    action: str = ""


def whole_domain_variable(integral: Integral) -> Optional[Symbol]:
    """The variable of an integral over the latent's whole domain (``∫ f dz``),
    or None for definite/multiple integrals, to which no rule applies."""
    lims = integral.limits
    if len(lims) == 1 and len(lims[0]) == 1:
        return lims[0][0]
    return None


def bound_free_variables(expr) -> set:
    """The variables ``expr`` depends on, reading ``∫ f dz`` as an integral over z's whole domain,
    which binds z (sympy reads an indefinite integral as an antiderivative, a function of z); a
    density depends on every variable it names."""
    if isinstance(expr, Symbol):
        return {expr}
    if isinstance(expr, Density):
        return set(expr.vars + expr.given)
    if isinstance(expr, Integral):
        out = bound_free_variables(expr.function)
        for lim in expr.limits:
            out.discard(lim[0])
            for bound in lim[1:]:
                out |= bound_free_variables(bound)
        return out
    out = set()
    for a in expr.args:
        out |= bound_free_variables(a)
    return out


def depends_on_variable(expr, v) -> bool:
    """Might ``expr`` change with ``v``?  sympy's free symbols, less the variables a whole-domain
    integral binds (``log ∫ exp(f) dz``, a normaliser, is a number, free of z)."""
    return v in expr.free_symbols and v in bound_free_variables(expr)


def innermost(apply: Callable) -> Callable:
    """Lift ``apply`` (a rewrite of single-variable integrals ``∫ f dz`` over the whole domain)
    to the innermost integral of an iterated one: sympy's ``Integral(f, z1, z2)`` *is*
    ``∫ (∫ f dz1) dz2``, so rewriting its inner ``∫ f dz1`` (a function of z2) is rewriting a
    subterm.  Integrals with a bounded limit are left alone."""
    def lifted(e):
        if not isinstance(e, Integral) or any(len(lim) != 1 for lim in e.limits):
            return None
        if len(e.limits) == 1:
            return apply(e)
        new = apply(Integral(e.function, e.limits[0][0]))
        if new is None:
            return None
        return Integral(new, *[lim[0] for lim in e.limits[1:]])
    return lifted


def is_whole_domain_integral(e) -> bool:
    """An integral (possibly iterated) every limit of which is a whole domain."""
    return isinstance(e, Integral) and all(len(lim) == 1 for lim in e.limits)


def is_normalised_in(d, v) -> bool:
    """A density whose only argument is ``v`` (``q(z)``, ``p(z)``, ``p(z|x)``)
    integrates to 1 over ``v``; ``p(x|z)`` does not."""
    return isinstance(d, Density) and d.vars == (v,)


def var_key(v):
    """The canonical order of variables inside a density: by name."""
    return str(v)


def canonical_density(name, vars, given=()) -> Density:
    """``name(vars | given)`` with both lists in the canonical order (a joint density does not
    depend on the order its arguments are written in)."""
    return Density(name, sorted(vars, key=var_key), sorted(given, key=var_key))


_VALUE_TYPES = (sympy.Basic, Context, Rule, str, int, float, bool, type(None), type)


def _fn_key(f):
    """What determines the results of ``f``, a rule's match or apply function: its code,
    defaults and the values its closure holds (the context; functions among them by the same
    key).  TypeError when it holds anything else (a list or a dict may change between calls)."""
    if isinstance(f, FunctionType):
        held = tuple(_fn_key(c.cell_contents) for c in (f.__closure__ or ()))
        return (f.__code__, _fn_key(f.__defaults__), _fn_key(f.__kwdefaults__), held)
    if isinstance(f, (tuple, frozenset)):
        return tuple(_fn_key(x) for x in f) if isinstance(f, tuple) else frozenset(map(_fn_key, f))
    if isinstance(f, _VALUE_TYPES):
        return f
    raise TypeError(f"a rewrite holding a {type(f).__name__} is not memoised")


#: subexpressions already rewritten in this process, per (match, apply) key: a rule's walk over
#: an expression made of known parts (a sum of two atoms, the next step's side) redoes only the
#: new nodes.  Emptied when it holds more than _WALKED_MAX results.
_WALKED: dict = {}
_WALKED_MAX = 50000
_UNCHANGED = object()


def _table(match, apply):
    try:
        key = (_fn_key(match), _fn_key(apply))
        hash(key)
    except TypeError:
        return None
    if sum(len(t) for t in _WALKED.values()) > _WALKED_MAX:
        _WALKED.clear()
    return _WALKED.setdefault(key, {})


def rewrite_everywhere(expr, match: Callable, apply: Callable):
    """Bottom-up rewrite of every subexpression for which ``match`` holds.
    ``apply`` may return None to decline.  ``match`` and ``apply`` are pure: a subexpression
    met again (in this process, by functions with the same code and closure) is not walked
    again, unless a rewrite on the way brought in a fresh Dummy (then nothing that contains it
    is kept: two rewrites must not come to share a name they would not have shared)."""
    table = _table(match, apply)
    fresh = []

    def walk(e):
        hit = table.get(e) if table is not None else None
        if hit is not None:
            return e if hit is _UNCHANGED else hit
        out = _walk_node(e, walk, match, apply, fresh)
        if table is not None and not fresh:
            table[e] = _UNCHANGED if out is e else out
        return out
    return walk(sympy.sympify(expr, strict=True))


def _walk_node(e, walk, match, apply, fresh: list):
    """One node of :func:`rewrite_everywhere`: its arguments walked, then ``apply`` if it matches."""
    orig = e
    if isinstance(e, (KL, ELBO, Entropy)):
        pass  # their arguments are densities, not expressions: only the definitions open them
    elif isinstance(e, (ArgOpt, ExpectationExcept)):
        f = walk(e.f)      # the objective / the body; the target, the left-out factor stay
        if f != e.f:
            e = e.func(e.args[0], f) if isinstance(e, ExpectationExcept) else e.func(f, e.target)
    elif isinstance(e, Expectation):
        f = walk(e.f)
        if f != e.f:
            e = Expectation(e.q, f)
    elif e.args and not isinstance(e, Density):
        new_args = tuple(walk(a) for a in e.args)
        if new_args != e.args:
            e = e.func(*new_args)
    if match(e):
        out = apply(e)
        if out is not None:
            if isinstance(out, sympy.Basic) and not out.atoms(Dummy) <= orig.atoms(Dummy):
                fresh.append(out)
            return out
    return e
