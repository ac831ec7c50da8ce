"""``\\text{const}`` in a LaTeX note: an additive (or multiplicative) term free of what it names.

``\\text{const}`` alone (its target settled later, see :mod:`.latex_meaning`),
``\\text{const}(z_1)`` / ``\\text{const}_{z_1}`` free of a variable, ``\\text{const}(q_1(z_1))``
free of a density, ``\\text{const}(q_1)`` free of the factor q_1 (its latent found as in
``\\mathbb{E}_{q_1}``), ``\\text{const}(q)`` free of the variational density q.
"""
from __future__ import annotations

from lark import v_args

from ..parse import ParseError
from ..vocabulary import Const
from .latex_functions import at, latex_name
from .latex_meaning import UNNAMED_CONST

__all__ = ["ConstsMixin"]


class ConstsMixin:
    """The transformer methods of the grammar's ``const`` rules (mixed into the LaTeX builder,
    which provides ``_name``, ``_factor``, ``bare_q``, ``density`` and ``density_idx``)."""

    @v_args(inline=True)
    def const(self, _, target):
        return Const(target)

    @v_args(inline=True)
    def const_bare(self, tok):
        return Const(UNNAMED_CONST)

    def const_density(self, items):
        return self.density_idx(items) if items[0].type == "DNAME_IDX" else self.density(items)

    const_target = v_args(inline=True)(lambda self, t: t)

    @v_args(inline=True)
    def const_factor(self, tok):
        """``\\text{const}(q_1)``: free of the factor q_1 -- the density q1 over its latent
        (:meth:`_factor`), or a variable the note declared under that name."""
        found = self._factor(tok)
        if found is None and latex_name(tok) not in self.v:
            raise ParseError(f"const({latex_name(tok)}): which latent is {tok} a density of? "
                             f"write it with its variable, \\text{{const}}({tok}(z_1))", at(tok))
        return found if found is not None else self._name(tok)

    @v_args(inline=True)
    def const_bare_density(self, tok):
        """``\\text{const}(q)``: free of the variational density q over the note's latents."""
        if str(tok) != "q":
            raise ParseError(f"const({tok}): say which density, e.g. \\text{{const}}({tok}(z))", at(tok))
        return self.bare_q()

    @v_args(inline=True)
    def const_sub(self, _, tok):
        return Const(self._name(tok))
