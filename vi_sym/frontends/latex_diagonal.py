"""A diagonal Gaussian of any dimension d, as VAE notes write it: ``\\mathcal{N}(\\mu,
\\mathrm{diag}(\\sigma^2))``, ``\\mathcal{N}(0, I)``, ``\\mathcal{N}(\\mu, \\sigma^2 I)`` (Kingma &
Welling's encoder and prior).

Its closed forms are written per coordinate, as a sum over j = 1..d: ``\\mathrm{KL}(\\mathcal{N}(\\mu,
\\mathrm{diag}(\\sigma^2)) \\| \\mathcal{N}(0, I)) = \\frac{1}{2}\\sum_{j=1}^{d}(\\mu_j^2 + \\sigma_j^2 - 1 -
\\log\\sigma_j^2)``.  Such a formula is read as ``derivations/vae.vi`` writes it: ``latent: z[1..d]``,
``parameters: μ[1..d]``, ``positive: σ[1..d] d`` and the Normal as ``prod(Normal(z[j], μ[j], σ[j]),
(j, 1, d))`` -- each coordinate independent, its mean the j-th of μ (or the number written), its
variance the j-th of what diag(…) holds (or the number before I).

* :func:`diagonal_declarations` -- the vectors a formula with a diagonal Gaussian and a sum over
  its coordinates declares, for its chain only (said in a warning);
* ``DIAG_RULES`` and :class:`DiagonalMixin` -- ``\\mathrm{diag}(v)`` and ``I`` as a Normal's
  covariance, and that Normal as an :class:`~vi_sym.indexed.IndexedDensity` printed as written.
"""
from __future__ import annotations

import contextlib
import re

import sympy
from lark import Tree
from sympy.core.symbol import Str

from ..distributions import distribution_functions
from ..indexed import IndexedDensity, coordinate, indexed_constructor
from ..notation import to_latex, to_unicode
from ..parse import ParseError
from .latex_functions import at, latex_name

__all__ = ["DIAG_RULES", "DiagCov", "DiagonalMixin", "WrittenIndexedDensity", "diagonal_declarations", "declared_for",
           "diagonal_said",            "CONTINUES"]

#: a row that continues the chain before it (it starts with its relation)
CONTINUES = re.compile(r"\s*&?\s*(?:=|\\[lg]eq?(?![a-zA-Z])|\\propto|<|>)")

DIAG_RULES = r"""
%extend atom_np: DIAG "(" expr ")"                  -> diag_cov
DIAG.6: /\\(mathrm|operatorname|text|textrm)\s*\{\s*diag\s*\}/
"""

_DIAG = re.compile(r"\\(?:mathrm|operatorname|text|textrm)\s*\{\s*diag\s*\}\s*(?:\\left\s*)?\((?P<inside>[^()]*)"
                   r"|(?P<iso>[^,(]*?)\bI\s*(?:\\right\s*)?\)")
_NORMAL = re.compile(r"\\mathcal\s*\{?\s*N\s*\}?\s*(?:\\left\s*)?\(")
_SUM = re.compile(r"\\sum\s*_\s*\{\s*(?P<j>[a-zA-Z])\s*=\s*1\s*\}\s*\^\s*(?:\{\s*(?P<n>\\?[a-zA-Z]+|\d+)\s*\}|(?P<m>[a-zA-Z]|\d))")
_COORDINATE = r"(\\[a-zA-Z]+|[a-zA-Z])\s*_\s*(?:\{\s*INDEX\s*\}|INDEX(?![a-zA-Z]))"


class DiagCov(sympy.Function):
    """``\\mathrm{diag}(v)`` (``I``: diag(1)) as a Normal's covariance: the variances v_j."""
    nargs = 1


class WrittenIndexedDensity(IndexedDensity):
    """A diagonal Gaussian written in a formula: an :class:`IndexedDensity` printed as written."""

    def __new__(cls, name, vars, given, definition, shown="", shown_latex=""):
        base = IndexedDensity.__new__(IndexedDensity, name, vars, given, definition)     # its checks
        return sympy.Expr.__new__(cls, *base.args, Str(str(shown)), Str(str(shown_latex)))   # kept by pickle, xreplace

    def _vi_sym_unicode(self, printer):
        return self.args[4].name

    def _sympystr(self, printer):
        return self.args[4].name

    def _vi_sym_latex(self, printer):
        return self.args[5].name


def diagonal_declarations(row: str, latent: str, known) -> dict:
    """{key: [names]} the ``.vi`` header lines a row with a diagonal Gaussian and a sum over its
    coordinates stands for (``latent``: the note's latent, ``known()``: the names it declares
    already, asked only for such a row), with ``"vectors"``: {name: size}; {} when the row has no
    such pair."""
    if not _NORMAL.search(row) or not _DIAG.search(row):
        return {}
    m = _SUM.search(row)
    if m is None:
        return {}
    j, size = m.group("j"), latex_name(m.group("n") or m.group("m"))
    declared = known()
    spreads = {latex_name(c) for d in _DIAG.finditer(row)
               for c in re.findall(r"\\?[a-zA-Z]+", d.group("inside") or d.group("iso") or "")}
    names = dict.fromkeys(latex_name(n) for n in re.findall(_COORDINATE.replace("INDEX", j), row))
    out = {"parameters": [], "positive": [] if size.isdigit() or size in declared else [size],
           "vectors": {latent: (size, "latent")}, "index": (j, size)}
    for n in names:
        if n != latent:
            key = "positive" if n in spreads or n in ("σ", "s") else "parameters"
            out[key] += [n] if n not in declared else []
            out["vectors"][n] = (size, key)
    return out


def diagonal_said(decl) -> str:
    """The warning of what a diagonal Gaussian's formula declares (:func:`diagonal_declarations`)."""
    j, size = decl["index"]
    vectors = ", ".join(f"{n}[1..{size}]" for n in decl["vectors"])
    return (f"read {vectors} as vectors of dimension {size}: a diagonal Gaussian's coordinates, "
            f"independent, under the sum over {j} = 1..{size} (<!-- vi_sym: latent: …[1..{size}] --> says otherwise)")


@contextlib.contextmanager
def declared_for(reader, decl):
    """Within the block, ``reader`` (the LaTeX note reader) declares what ``decl``
    (:func:`diagonal_declarations`) holds; as before after it."""
    if not decl:
        yield
        return
    saved = {k: list(getattr(reader, k)) for k in ("parameters", "positive")}, dict(reader.vectors), \
        getattr(reader.written, "diagonal", None)
    for key in ("parameters", "positive"):
        setattr(reader, key, [*getattr(reader, key), *(n for n in decl[key] if n not in getattr(reader, key))])
    reader.vectors.update(decl["vectors"])
    reader.written.diagonal = decl["index"]
    try:
        yield
    finally:
        lists, reader.vectors, reader.written.diagonal = saved
        for key, names in lists.items():
            setattr(reader, key, names)


class DiagonalMixin:
    """The LaTeX builder's methods for a diagonal Gaussian (``self.diagonal``: (index, size) of the
    sum over its coordinates, set by the reader; ``self.vectors``: the names of the vectors)."""

    def diag_cov(self, tokens):
        return DiagCov(tokens[-1])

    def identity(self, tok):
        """A bare ``I`` that names no variable: the identity covariance, diag(1)."""
        return DiagCov(sympy.Integer(1)) if str(tok) == "I" and "I" not in self.v else None

    def transform(self, tree: Tree):
        out = super().transform(tree)
        if isinstance(out, sympy.Basic) and out.has(DiagCov):
            raise ParseError("a covariance \\mathrm{diag}(…) or I stands only as the second argument of a "
                             "Normal, \\mathcal{N}(\\mu, \\mathrm{diag}(\\sigma^2))")
        return out

    def diagonal_normal(self, head, var, args: list):
        """``\\mathcal{N}(\\mu, \\mathrm{diag}(\\sigma^2))`` over ``var`` (a vector of the note's chain):
        the product over its coordinates of Normal(var[j], μ[j], σ[j])."""
        found = getattr(self, "diagonal", None)
        if found is None or str(var) not in self.vectors or len(args) != 2:
            raise ParseError(f"{head}(…) with a diagonal covariance is read with a sum over its coordinates in "
                             "the same formula, \\sum_{j=1}^{d}, that names its dimension", at(head))
        j, size = sympy.Symbol(found[0], integer=True), self.v.get(found[1]) or sympy.Integer(found[1])
        mean, cov = (a.xreplace({s: coordinate(s, j) for s in a.free_symbols if str(s) in self.vectors})
                     for a in args)
        variances = [c.args[0] * cov / c for c in cov.atoms(DiagCov)]
        if len(variances) != 1 or variances[0].has(DiagCov) or mean.has(DiagCov):
            raise ParseError(f"{head}(μ, Σ): Σ is read as \\mathrm{{diag}}(v), I or a number times I", at(head))
        normal = indexed_constructor(distribution_functions()["Normal"])
        factor = normal(coordinate(var, j), mean, sympy.sqrt(variances[0]))
        definition, names = sympy.Product(factor, (j, 1, size)), self.written.names   # one .vi name each
        key = sympy.srepr(definition)
        names.setdefault(key, f"NormalDiag{sum(1 for n in names.values() if n.startswith('NormalDiag')) + 1}")
        shown = f"N({to_unicode(args[0])}, {_shown_cov(args[1])})"
        latex_cov = _shown_cov(args[1], to_latex, r"\operatorname{{diag}}\left({}\right)")
        return WrittenIndexedDensity(names[key], (var,), (), definition, shown,
                                     rf"\mathcal{{N}}\left({to_latex(args[0])}, {latex_cov}\right)")


def _shown_cov(cov, show=to_unicode, diag="diag({})") -> str:
    """A covariance as written: I, σ² I, diag(σ²) (``show``: the printer, ``diag`` its spelling)."""
    inner = [c.args[0] for c in cov.atoms(DiagCov)]
    rest = cov / DiagCov(*inner) if inner else cov
    return ("I" if rest == 1 else f"{show(rest)} I") if inner == [1] else diag.format(show(inner[0]))
