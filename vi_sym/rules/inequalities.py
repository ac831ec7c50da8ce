"""Inequality rules.  Each offers *nonnegative atoms*: expressions it proves to be >= 0.

A step ``lhs >= rhs`` is proved by an inequality rule when ``lhs - rhs`` equals
(by the equality rules) one of the atoms the cited rule offers for that step,
so the direction of the inequality is always checked: ``log E[Y] <= E[log Y]``
never matches Jensen's atom ``log E[Y] - E[log Y]``.
"""
from __future__ import annotations

from itertools import permutations

from sympy import Integral, log, preorder_traversal

from ..notation import to_unicode as u
from ..vocabulary import ELBO, KL, Density, Entropy, Expectation, joint_vars, unfold_definitions
from .base import Rule, canonical_density, is_normalised_in, whole_domain_variable


def _model_latent_densities(d, ctx):
    """The prior p(z) and posterior p(z|x) of the joint that a model density
    (likelihood p(x|z), joint p(x,z), ...) belongs to; over every latent of ``d``
    (p(z1,z2), p(z1,z2|x)), with declared parameters kept right of the bar."""
    if any(ctx.is_parameter(v) for v in d.vars):
        return set()
    every = d.vars + d.given
    lat = tuple(v for v in every if ctx.is_latent(v))
    obs = tuple(v for v in every if ctx.is_observed(v))
    theta = tuple(v for v in every if ctx.is_parameter(v))
    if not lat:
        return set()
    out = {canonical_density(d.name, lat, theta)}
    if obs:
        out.add(canonical_density(d.name, lat, obs + theta))
    return out


def _over_latents(d, ctx) -> bool:
    vs = joint_vars(d)
    return vs is not None and all(ctx.is_latent(v) for v in vs)


def _latent_densities(exprs, ctx):
    """Densities over latent variables that occur in the step (a mean-field product
    q(z1)*q(z2) standing as a density too), plus the prior and posterior of any model whose
    likelihood p(x|z) occurs."""
    found = set()
    for e in exprs:
        for sub in preorder_traversal(e):
            if isinstance(sub, (KL, ELBO, Expectation, Entropy)):
                found.update(a for a in sub.args[:2] if _over_latents(a, ctx))
        for sub in preorder_traversal(unfold_definitions(e)):
            if isinstance(sub, Density):
                if _over_latents(sub, ctx):
                    found.add(sub)
                if sub.name in ctx.models:
                    found.update(_model_latent_densities(sub, ctx))
    return sorted(found, key=str)


def kl_nonnegative_atoms(lhs, rhs, ctx):
    """KL(a||b) >= 0 for every pair of latent densities a, b of the step (Gibbs' inequality)."""
    atoms = {}
    for e in (lhs, rhs):
        for sub in preorder_traversal(e):
            if isinstance(sub, KL):
                atoms[sub] = f"{u(sub)} ≥ 0"
    dens = _latent_densities((lhs, rhs), ctx)
    for a, b in permutations(dens, 2):
        if set(joint_vars(a)) == set(joint_vars(b)):
            k = KL(a, b)
            atoms.setdefault(k, f"{u(k)} ≥ 0")
    return list(atoms.items())


def jensen_atoms(lhs, rhs, ctx):
    """log E_q[Y] - E_q[log Y] >= 0 for Y > 0 and q a normalised density (log is concave).

    Offered for every ``log(E_q[Y])`` of the step, and for every ``log(∫ f dz)``
    with f > 0 read as ``log E_q[f/q]`` for each normalised latent density q of the step.
    """
    atoms = {}
    dens = _latent_densities((lhs, rhs), ctx)
    for e in (lhs, rhs):
        for sub in preorder_traversal(e):
            if not isinstance(sub, log):
                continue
            inner = sub.args[0]
            if isinstance(inner, Expectation) and inner.f.is_positive:
                atom = sub - Expectation(inner.q, log(inner.f))
                atoms.setdefault(atom, f"log E_{u(inner.q)}[{u(inner.f)}] ≥ E_{u(inner.q)}[log({u(inner.f)})]")
            if isinstance(inner, Integral):
                v = whole_domain_variable(inner)
                if v is None or inner.function.is_positive is not True:
                    continue
                for q in dens:
                    if is_normalised_in(q, v):
                        y = inner.function / q
                        atom = sub - Integral(q * log(y), v)
                        atoms.setdefault(atom, f"log E_{u(q)}[{u(y)}] ≥ E_{u(q)}[log({u(y)})]")
    return list(atoms.items())


jensen = Rule(
    "jensen", "inequality", "log E_q[Y] >= E_q[log Y]",
    ("Y > 0", "q is a normalised density", "log is concave", "Y and log Y are q-integrable"),
    jensen_atoms,
    doc="Jensen's inequality for the concave log; the gap is KL(q || p(z|x)) when Y = p(x,z)/q(z).")

kl_nonnegative = Rule(
    "kl_nonnegative", "inequality", "KL(q||p) >= 0",
    ("q and p are normalised densities over the same variable",),
    kl_nonnegative_atoms,
    doc="Gibbs' inequality: the KL divergence between two densities is never negative.")
