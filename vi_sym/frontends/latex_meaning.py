"""What a row of LaTeX means in its note, beyond its own symbols: a bare ``q`` is the q density
the chain names (:func:`named_q`), ``\\mathcal{L}(q)`` is the bound of the model the chain
conditions on its parameters (:func:`condition_model_joint`), and a ``\\text{const}`` without a
target is constant in the latent the chain starts from (:func:`name_unnamed_const`)."""
from __future__ import annotations

import sympy

from ..operators import ExpectationExcept
from ..parse import ParseError
from ..upto import free_variables
from ..vocabulary import ELBO, Const, Density, unfold_definitions

UNNAMED_CONST = sympy.Symbol("_unnamed_const_target")
BARE_Q = "q__bare"          # a bare q (E_q, KL(q ‖ p), \mathcal{L}(q)) until :func:`named_q` says which q
BARE_P = "p__bare"          # a bare p (KL(q ‖ p)): the posterior, until :func:`named_p` says given what
BARE_OVER = "q__over"       # q over one latent of several (\mathbb{E}_{z_1}[f]) until :func:`named_q` says which


def conditioned_q(items: list) -> set:
    """The q densities a row names with a condition: ``q_\\lambda(z \\mid x)``, ``q_\\phi(z|x)``."""
    return {d for d in named_qs(items) if d.name == "q" and d.given}


def named_qs(items: list) -> set:
    """The q densities a row names: q(z), q_\\phi(z|x), the factors q_1(z_1), q(z_2) (not an optimum q^*)."""
    return {d for _, e, *_ in items for d in e.atoms(Density) if _is_q(d)}


def _is_q(d) -> bool:
    return d.name[0] == "q" and d.name not in (BARE_Q, BARE_OVER) and not d.name.endswith("_star")


def named_densities(items: list) -> set:
    """Every density a row names (see :func:`named_q`, :func:`named_p`)."""
    return {d for _, e, *_ in items for d in e.atoms(Density) if d.name not in (BARE_Q, BARE_OVER, BARE_P)}


def named_q(items: list, named=()) -> list:
    """``items`` (as :func:`parse_row` gives them) with every bare ``q`` (``\\mathbb{E}_q``,
    ``\\mathrm{KL}(q \\| p)``, ``\\mathcal{L}(q)``) the one q density over the same variables that
    the row or its chain before it (``named``) names with a condition -- a VAE note's
    ``\\mathbb{E}_q`` is under its ``q_\\phi(z \\mid x)`` -- and q(z) when there is none or several.
    A q over one latent of several (``\\mathbb{E}_{z_1}[f]``) is likewise the one conditioned q over
    it, else the one factor over it the row or chain names (``q_1(z_1)``), else q(z_1)."""
    bare = {d for _, e, *_ in items for d in e.atoms(Density) if d.name in (BARE_Q, BARE_OVER)}
    if not bare:
        return items
    every = named_qs(items) | {c for c in named if _is_q(c)}
    found = {c for c in every if c.name == "q" and c.given}
    out = {}
    for d in bare:         # a bare q with a given parameter, ELBO(λ), is a q conditioned on it
        same = [c for c in found if c.vars == d.vars and set(d.given) <= set(c.given)]
        if not same and d.name == BARE_OVER:
            same = [c for c in every if c.vars == d.vars and not c.given]
        out[d] = same[0] if len(same) == 1 else Density("q", d.vars, d.given)
    return [(rel, e.xreplace(out), *rest) for rel, e, *rest in items]


def model_parameters(exprs) -> list:
    """The declared parameters the model densities among ``exprs`` are conditioned on (p(X|θ): θ)."""
    return sorted({g for e in exprs for d in e.atoms(Density) if d.name == "p"
                   for g in d.given if g.is_real is True}, key=str)


def named_p(items: list, named=()) -> list:
    """``items`` with every bare ``p`` (PRML's ``\\mathrm{KL}(q \\| p)``) the posterior p(z|x), conditioned
    on the parameters the row or its chain before it (``named``: their densities) conditions its model
    on: in ``\\ln p(X|\\theta) = \\mathcal{L}(q, \\theta) + \\mathrm{KL}(q \\| p)`` it is p(Z|X, θ)."""
    bare = {d for _, e, *_ in items for d in e.atoms(Density) if d.name == BARE_P}
    if not bare:
        return items
    params = model_parameters([e for _, e, *_ in items] + list(named))
    every = {d for _, e, *_ in items for d in e.atoms(Density)} | set(named)
    out = {d: Density("p", d.vars) if only_marginal(d, every) else
           Density("p", d.vars, [*d.given, *(g for g in params if g not in d.given)]) for d in bare}
    return [(rel, e.xreplace(out), *rest) for rel, e, *rest in items]


def only_marginal(bare, every) -> bool:
    """Does the chain name p only as ``p(z)`` over the bare p's variables, with no density of its
    observed x anywhere?  Then its ``KL(q \\| p)`` compares q with that p(z) (Gibbs' inequality,
    ``-KL(q \\| p) = E_q[log p(z)/q(z)] ≤ …``), not with the posterior p(z|x) of a model it never names."""
    ps = [d for d in every if d.name == "p"]
    seen = {v for d in every if d.name != BARE_P for v in (*d.vars, *d.given)}
    return bool(ps) and all(tuple(d.vars) == tuple(bare.vars) and not d.given for d in ps) \
        and not seen & set(bare.given)


def condition_model_joint(exprs: list) -> list:
    """``\\mathcal{L}(q)`` in a chain whose model densities are conditioned on declared
    parameters (``p_\\theta(x|z)``, Kingma & Welling; ``p(X|\\theta)``, PRML) is the bound of that
    model: its joint p(x,z) is conditioned on them too (p(x,z|θ))."""
    params = model_parameters(exprs)
    if not params:
        return exprs
    def joint(e):   # noqa: E306
        p = e.joint
        if isinstance(p, Density) and p.name == "p" and not p.given and not set(params) & set(p.vars):
            return ELBO(e.q, Density("p", p.vars, params))
        return e
    return [e.replace(lambda a: isinstance(a, ELBO), joint) for e in exprs]


def _except_unfolded(expr, latents):
    """``E_{-z1}[f]`` as far as its variables go: every latent but z1 is integrated out
    (``E_{-2}[f]``, by position, is left as written: which latent it keeps is the factorisation's)."""
    def keep_only(e):   # noqa: E306
        return e.f.xreplace({v: sympy.Dummy() for v in free_variables(e.f) if str(v) in latents and v != e.j})
    return expr.replace(lambda e: isinstance(e, ExpectationExcept) and isinstance(e.j, sympy.Symbol), keep_only)


def name_unnamed_const(start, expr, latents, text: bool = False):
    """``expr`` with a ``\\text{const}`` (or the constant of ``\\propto``) written without a
    target given one: the latent variable the chain's first expression depends on
    (``\\ln q^*(z_1) = … + \\text{const}`` is "const in z_1", as in PRML (10.9)); when it depends on
    none and is the bound of one density of one latent, that density (``\\mathcal{L}(q_1) = … +
    \\text{const}``, Blei et al.'s ELBO(q_j): "free of q_1"); when it depends on several and is one
    conditional density with one latent before its bar, that latent (``\\log p(z_1 \\mid z_2, x) = …
    + \\text{const}``: "const in z_1").  A ParseError
    when that expression depends on no latent or on several: the note must say which (``text``: in
    a plain-text note's spelling, const(z1))."""
    unnamed = Const(UNNAMED_CONST)
    if not expr.has(unnamed):
        return expr
    free = sorted((v for v in free_variables(unfold_definitions(_except_unfolded(start, latents)))
                   if str(v) in latents), key=str)
    # ELBO(q_1) = … + const: free of q_1 (a q of several latents is left to the note: under mean
    # field, PRML (10.6)'s L(q) = … + const is "free of q_j", which the chain must say)
    bounds = {e.q for e in start.atoms(ELBO)} if not free else set()
    if len(bounds) == 1 and type(next(iter(bounds))) is Density and len(next(iter(bounds)).vars) == 1:
        return expr.xreplace({unnamed: Const(bounds.pop())})
    # log p(z1 | z2, x) = log p(x, z1, z2) + const: in z1, the one latent before the bar of the one
    # density the chain starts from (Blei et al. (17): a complete conditional as a function of z_j)
    dens = start.atoms(Density)
    heads = [v for d in dens for v in d.vars if d.given and str(v) in latents]
    if len(free) > 1 and len(dens) == 1 and len(heads) == 1:
        return expr.xreplace({unnamed: Const(heads[0])})
    if len(free) != 1:
        which = "no latent variable" if not free else "several (" + ", ".join(map(str, free)) + ")"
        spelled = "const(z1) or const(q1(z1))" if text else "\\text{const}_{z_1} or \\text{const}(q(z_1))"
        raise ParseError(f"say what the constant does not depend on, e.g. {spelled}: the chain's first expression "
                         f"depends on {which}")
    return expr.xreplace({unnamed: Const(free[0])})


def resolve_bare_q(expr, named=()):
    """A plain-text note's expression with every bare ``q`` (``ELBO``, ``KL(q||p)``, ``E_q[f]``) the
    one q the row or its chain (``named``: their densities) conditions on a parameter --
    ``q_φ(z|x)``, as :func:`named_q` does for LaTeX -- and each bound's model no longer conditioned
    on the parameters of its q (φ is q's, not p's)."""
    [(_, out)] = named_q([(None, expr)], named)

    def own(e):   # noqa: E306
        mine = {g for d in e.q.atoms(Density) for g in d.given}
        p = e.joint
        if isinstance(p, Density) and mine & set(p.given):
            return ELBO(e.q, Density(p.name, p.vars, [g for g in p.given if g not in mine]))
        return e
    return out.replace(lambda a: isinstance(a, ELBO), own) if out.has(ELBO) else out
