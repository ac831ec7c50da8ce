"""Densities subscripted by a parameter, as plain-text notes write the VAE (see :mod:`vi_sym.parse`)::

    primary := DENSITY '_' PARAM '(' names ['|' names] ')'        p_θ(x|z), q_φ(z|x)
             | 'E_' DENSITY '_' PARAM '(' … ')' '[' expr ']'     E_q_φ(z|x)[log p_θ(x|z)]

``p_θ(x|z)`` is ``p(x|z,θ)`` -- Kingma & Welling's notation, as the LaTeX reader reads
``p_\\theta(x \\mid z)`` -- when θ is a declared parameter (``parameters: θ φ``).  A subscript
that is not one is an error saying to declare it; a name the note declares as a density of its own
(``densities: p_1``) keeps that meaning.
"""
from __future__ import annotations

from .tokens import Token

__all__ = ["parse_subscripted"]


def _split(env, w: str):
    """(density, parameter name) of ``p_θ``; None when ``w`` is not a density with a subscript."""
    base, sep, sub = w.partition("_")
    if not sep or base not in env.densities or w in env.densities or w in env.variables \
            or w in env.functions or not sub:
        return None
    return base, sub


def parse_subscripted(p, t: Token):
    """``p_θ(x|z)`` or ``E_q_φ(z|x)[f]`` at ``t`` (the '(' next); None when ``t`` is neither."""
    w = t.value
    under = w[2:] if w.startswith("E_") else None
    found = _split(p.env, under) if under else _split(p.env, w)
    if found is None or not p.at("(") or p.peek().start != t.end:
        return None
    base, sub = found
    var = p.env.variables.get(sub)
    if var is None or var.is_real is not True:
        raise p.error(f"{base}_{sub}(…): '{sub}' is not a declared parameter; to read {base}_{sub}(x|z) as "
                      f"{base}(x|z,{sub}) (Kingma & Welling's notation), declare it: parameters: {sub}", t)
    start = t.start + (2 if under else 0)
    d = p.density(Token("id", base, base, start, start + len(base)), p.next())
    if var not in d.given:
        d = p.apply(t, type(d), d.name, list(d.vars), [*d.given, var])
    return p.expectation_body(t, d) if under else d
