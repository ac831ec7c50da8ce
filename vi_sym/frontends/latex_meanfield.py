"""A mean-field note's latents and factorisation as LaTeX notes write them, without headers.

* ``z_1``, ``z_{2}``, ``Z_1`` in a note that declares no latent are the blocks of the latent z
  (Bishop's Z_j, Blei's z_j): latent variables z1, z2, announced in a warning.
* ``\\mathcal{L}(q_1)``, Blei et al.'s ``ELBO(q_j)``, in a note with that factorisation is the ELBO of
  the whole q = q_1 q_2 seen as a function of q_1 (the other factors held), not the bound of q_1
  alone over a marginal model p(x, z_1);
* ``q(z_1, z_2) = q_1(z_1) q_2(z_2)`` on a row of its own is the mean-field assumption -- the
  variational family, not a step -- read as ``factorised: q1(z1) q2(z2)`` would be: the joint q of
  two or more latents, then a product of two or more unconditioned factors that name each of
  them once.
"""
from __future__ import annotations

import re

from sympy import Mul

from ..vocabulary import ELBO, Density
from .latex_functions import latex_name

__all__ = ["latent_blocks", "factorisation_of", "assumption_said", "vi_names", "elbo_of_factor", "widen_factor_bounds",
           "section_latents"]

#: a variable as a LaTeX note names it in a declaration: z_1, z_{1}, \theta_0
_LATEX_NAME = re.compile(r"\\?[A-Za-z]+(?:_\{?\w+\}?)?")


def vi_names(key: str, text: str) -> str:
    """A ``factorised:``/``copies:`` declaration with its variables named as the note's math
    reads them (``q(z_1)*q(z_2)`` is ``q(z1)*q(z2)``, as ``latent: z_1 z_2`` declares z1, z2)."""
    if key not in ("factorised", "factorized", "copies"):
        return text
    return _LATEX_NAME.sub(lambda m: latex_name(m.group()), text)

#: z_1, z_{12}, Z_3, \mathbf{z}_1 (not x_1: data points are not latents)
_BLOCK = re.compile(r"(?<![\\A-Za-z])(?:\\mathbf\{|\\boldsymbol\{|\\bm\{)?([zZ])\}?_(?:\{(\d+)\}|(\d))")


def latent_blocks(row: str, latent: list, known) -> list:
    """The names ``z1``, ``z2`` of the blocks of the default latent that ``row`` writes
    (``z_1``) and nothing declares (``known``: every declared name), when the note's latents are
    the default ones (z, Z); [] otherwise."""
    if latent[:2] != ["z", "Z"]:
        return []
    names = [m.group(1) + (m.group(2) or m.group(3)) for m in _BLOCK.finditer(row)]
    return [n for n in dict.fromkeys(names) if n not in latent and n not in known]


def factorisation_of(items: list, latents) -> str | None:
    """The ``factorised:`` value a row ``q(z1, z2) = q1(z1) q2(z2)`` declares (``items`` as
    :func:`~vi_sym.frontends.latex.parse_row` gives them; ``latents``: the note's latent names),
    or None when the row is no such assumption."""
    if len(items) != 2 or items[0][0] is not None or items[1][0] != "=":
        return None
    joint, product = items[0][1], items[1][1]
    if type(joint) is not Density or joint.name[0] != "q" or joint.given or len(joint.vars) < 2 \
            or not set(map(str, joint.vars)) <= set(latents):
        return None
    factors = Mul.make_args(product)
    if len(factors) < 2 or any(type(f) is not Density or f.given for f in factors):
        return None
    covered = [v for f in factors for v in f.vars]
    if sorted(covered, key=str) != sorted(joint.vars, key=str):
        return None
    return "*".join(f"{f.name}({','.join(map(str, f.vars))})" for f in factors)


def assumption_said(product: str, said: list) -> str:
    """What the reader says of a mean-field assumption row (``said``: what else it read there)."""
    return f"read as the mean-field assumption, not a step: factorised: {product} declared" + \
        (f" ({'; '.join(said)})" if said else "")


def elbo_of_factor(expr, factors):
    """``expr`` with the bound of one declared mean-field factor, ``ELBO(q1(z1), p(x, z1))`` as the
    readers build ``\\mathcal{L}(q_1)``, read as the ELBO of the whole ``q1(z1) q2(z2)`` over the
    model's joint ``p(x, z1, z2)``: a function of q1 with the other factors held (Blei et al. §2.4,
    PRML (10.6)).  Only when ``factors`` (the declared factorisation) has two or more and the
    bound's joint is a model density over that factor's latents alone (a joint written over more
    stays as written)."""
    factors = tuple(factors)
    if len(factors) < 2 or not expr.has(ELBO):
        return expr
    every = [v for f in factors for v in f.vars]

    def widen(e):
        q, p = e.q, e.joint
        if q not in factors or type(p) is not Density or p.name != "p" or \
                {v for v in p.vars if v in every} != set(q.vars):
            return e
        return ELBO(Mul(*factors), Density("p", [*(v for v in p.vars if v not in every), *every], p.given))
    return expr.replace(lambda a: isinstance(a, ELBO), widen)


def widen_factor_bounds(records, factors) -> None:
    """:func:`elbo_of_factor` on every expression of a chain's records, in place."""
    for r in records:
        r.lhs, r.rhs = (None if e is None else elbo_of_factor(e, factors) for e in (r.lhs, r.rhs))


#: a density over the bare latent: p(z | x), q(\mathbf{z}), p(x, z)
_OVER_BARE_Z = re.compile(r"(?<![\\A-Za-z])[pqPQ](?:_\{?[^{}()]*\}?)?\s*(?:\\left\s*)?\((?:[^()]*?[,|]\s*)?"
                          r"(?:\\mathbf\{z\}|\\boldsymbol\{z\}|[zZ])\s*(?:[,|)]|\\mid|\\right)")


def section_latents(reader, row: str) -> None:
    """After a heading, the first row that writes a density of the latent decides what z is there:
    over the bare z alone (an EM section after a mean-field one), the blocks z_1, z_2 that an
    assumption row read (``reader.assumed``) and its factorisation are over; over the blocks,
    they hold on."""
    if not getattr(reader, "section_new", False) or not (_OVER_BARE_Z.search(row) or _BLOCK.search(row)):
        return
    reader.section_new = False
    if _BLOCK.search(row) or not reader.assumed:
        return
    reader.close()
    reader.structure.pop("factorised", None)
    reader.latent = [n for n in reader.latent if n not in reader.assumed]
    reader.blocks, reader.assumed = (), ()
