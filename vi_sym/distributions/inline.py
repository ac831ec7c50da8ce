"""A distribution written where a density goes: ``KL(N(μ1, σ1²) ‖ N(μ2, σ2²))``, ``H(Gamma(a, b))``,
``E_{z~Beta(a, b)}[log z]``.

It is a :class:`~.base.ConcreteDensity` (the rules, the moment lemmas and the spot-checks treat
it as a ``define``-d density) whose name is a ``.vi`` identifier (``Normal1``, for the ``define``
line ``python -m vi_sym import`` writes) and which prints, for the learner, as the note wrote it:
``N(μ1, σ1²)``, ``\\mathcal{N}(\\mu_{1}, \\sigma_{1}^{2})``.
"""
from __future__ import annotations

from sympy import Expr, Tuple
from sympy.core.symbol import Str

from ..vocabulary import VocabularyError, _as_symbols
from .base import ConcreteDensity

__all__ = ["InlineDensity"]


class InlineDensity(ConcreteDensity):
    """``InlineDensity(name, vars, given, definition, shown, shown_latex)``: ``shown`` and
    ``shown_latex`` are the distribution as written (unicode and LaTeX), for printing only."""

    def __new__(cls, name, vars, given, definition, shown="", shown_latex=""):
        if isinstance(name, str):
            name = Str(name)
        vs = _as_symbols(vars, "density arguments")
        if tuple(given):
            raise VocabularyError(f"a distribution written inline ({shown}) cannot be conditional")
        return Expr.__new__(cls, name, Tuple(*vs), Tuple(), definition, Str(str(shown)), Str(str(shown_latex)))

    @property
    def shown(self) -> str:
        return self.args[4].name or self.name

    @property
    def shown_latex(self) -> str:
        return self.args[5].name or self.shown

    def _vi_sym_unicode(self, printer):
        return self.shown

    def _sympystr(self, printer):
        """In a message (``str``) too: ``N(0, 1)``, never the ``.vi`` name ``Normal1(z)``."""
        return self.shown

    def _vi_sym_latex(self, printer):
        return self.shown_latex

    def _vi_sym_mathml(self, printer):
        return printer._el("mi", self.shown, mathvariant="normal")
