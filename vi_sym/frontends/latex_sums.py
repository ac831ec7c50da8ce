"""Sums with limits and letter-indexed names in the LaTeX reader (:mod:`vi_sym.frontends.latex`).

``\\sum_{j=1}^{J} f`` is the ``.vi`` file's ``sum(f, (j, 1, J))`` (a sympy ``Sum`` built by
:func:`vi_sym.bounds.bounded_sum`); its body is the product written after it
(``\\sum_{k=1}^{K} w_k x_k + c`` is (Σ_k w_k x_k) + c).  ``\\sigma_j``, ``\\mu_{j}``, ``w_k``,
``x_n`` are coordinates ``σ[j]``, ``μ[j]``, ``w[k]``, ``x[n]`` as in ``.vi`` (built by
:func:`vi_sym.indexed.coordinate`), of a vector declared ``<!-- vi_sym: positive: \\sigma[1..J] J -->``
or of the points of a data set ``<!-- vi_sym: iid: X = x[1..N] -->``.  The index is bound by
its sum: it needs no declaration and may not be a declared name (a latent z, a parameter), and
an indexed name outside a sum over its index is an error at its column.
"""
from __future__ import annotations

import re

import sympy
from lark import Token, Tree, v_args

from ..bounds import bounded_product, bounded_sum
from ..indexed import coordinate
from ..parse import ParseError
from .latex_functions import at, latex_name

__all__ = ["SumsMixin", "check_sums", "check_indices", "split_indexed"]

#: the grammar's rules and terminals for sums and indexed names (added to latex.GRAMMAR)
SUM_RULES = r"""
bigsum: SUM "_" "{" NAME REL expr "}" "^" script product
      | PROD "_" "{" NAME REL expr "}" "^" script product      -> bigprod
      | SUM "_" "{" sum_var "}" product                       -> sum_over
      | SUM "_" sum_var product                               -> sum_over
!sum_var: NAME | NAME_SUB | GREEK | BOLD
SUM.5: /\\sum(?![a-zA-Z])/
PROD.5: /\\prod(?![a-zA-Z])/
NAME_IDX.3: /[a-zA-Z]_(\{\s*[a-zA-Z]\s*\}|[a-zA-Z])(?![a-zA-Z])/
GREEK_IDX.4: /\\(GREEKS)(?![a-zA-Z])_(\{\s*[a-zA-Z]\s*\}|[a-zA-Z])(?![a-zA-Z])/
%extend farg: bigsum
%extend atom_simple: NAME_POW_IDX -> var_pow_idx
    | GREEK_POW_IDX -> var_pow_idx
NAME_POW_IDX.4: /[a-zA-Z]\s*\^\s*(\{\s*[0-9]+\s*\}|[0-9])\s*_\s*(\{\s*[a-zA-Z]\s*\}|[a-zA-Z])(?![a-zA-Z])/
GREEK_POW_IDX.5: /\\(GREEKS)(?![a-zA-Z])\s*\^\s*(\{\s*[0-9]+\s*\}|[0-9])\s*_\s*(\{\s*[a-zA-Z]\s*\}|[a-zA-Z])(?![a-zA-Z])/
"""

_SUM = re.compile(r"\\(sum|prod)(?![a-zA-Z])")
_LOWER = re.compile(r"\s*(?:\\limits\s*)?_\s*\{\s*([a-zA-Z])\s*=\s*[^{}]+\}")
_OVER = re.compile(r"\s*(?:\\limits\s*)?_\s*(?:\{\s*([^{}=]+?|\\[a-z]+\s*\{\s*[a-zA-Z]\s*\})\s*\}|"
                   r"([a-zA-Z]|\\[a-zA-Z]+))")
_UPPER = re.compile(r"\s*\^\s*(\{(?:[^{}]|\{[^{}]*\})+\}|[a-zA-Z0-9]|\\[a-zA-Z]+)")   # ^{N}, ^{10^{2}}, ^N


def check_sums(text: str, latent=()) -> None:
    """A ParseError at the column of a ``\\sum`` or ``\\prod`` written without its index and both
    limits (``\\sum_j``, ``\\prod_{n=1}``, ``\\sum``): what is missing and what is expected.  A
    ``\\sum`` over one of the ``latent`` names (``\\sum_{\\mathbf{Z}}``, ``\\sum_z``) is the sum over
    its values (see :meth:`SumsMixin.sum_over`)."""
    for m in _SUM.finditer(text):
        op = m.group(1)
        over = _OVER.match(text, m.end())
        name = latex_name(over.group(1) or over.group(2)) if over is not None else ""
        if op == "sum" and name in latent:
            continue
        if op == "sum" and re.fullmatch(r"[^\W\d_]\w*", name):
            raise ParseError(f"\\sum_{{{name}}}: a sum without limits is read over the values of a latent only "
                             f"(\\sum_{{z}} q(z) f, the integral over z); '{name}' is not a latent, and a sum over "
                             "an index needs its limits, e.g. \\sum_{j=1}^{J}", m.start() + 1, text)
        write = f"write the index and both limits, e.g. \\{op}_{{j=1}}^{{J}}"
        low = _LOWER.match(text, m.end())
        if low is None:
            rest = text[m.end():].lstrip()
            got = "no limits" if not rest.startswith("_") else "a subscript that is not 'index = lower limit'"
            what = "sum" if op == "sum" else "product"
            raise ParseError(f"\\{op} with {got}: a {what} over an unspecified range is not read; {write}",
                             m.start() + 1, text)
        if _UPPER.match(text, low.end()) is None:
            raise ParseError(f"\\{op}_{{{low.group(1)}=…}} has no upper limit: {write}",
                             m.start() + 1, text)


def split_indexed(tok) -> tuple:
    """``\\sigma_j`` -> (``\\sigma``, ``j``), ``w_{k}`` -> (``w``, ``k``); ``\\sigma^2_j`` (the
    square of σ_j, as ``\\sigma_j^2``) -> (``\\sigma``, ``j``) too (its exponent: :func:`index_power`)."""
    base, sub = str(tok).split("_", 1)
    return base.split("^", 1)[0].strip(), sub.strip("{} ")


def index_power(tok) -> int:
    """The exponent of ``\\sigma^2_j`` / ``x^{3}_n``: 2, 3."""
    return int(str(tok).split("^", 1)[1].split("_", 1)[0].strip("{} "))


def check_indices(tree, declared: dict, indexable, name_of):
    """The parse tree, walked from the top: every indexed name's index is the index of an
    enclosing ``\\sum``, its base a declared vector or data-set point (``indexable``: names), and
    no index is a declared name or the index of an enclosing sum; a ParseError at the column
    otherwise.  The index written alone in its sum's body (``\\sum_{k=1}^{K} k``) becomes a
    ``bound_index`` node.  ``name_of``: a token's ``.vi`` name."""
    return _check(tree, (), declared, set(indexable), name_of)


def _check(t, bound, declared, indexable, name_of):
    if not isinstance(t, Tree):
        if getattr(t, "type", "") in _INDEXED:
            _check_name(t, bound, indexable, name_of)
        return t
    if t.data == "var" and str(t.children[0]) in bound:
        return Tree("bound_index", t.children, t.meta)
    if t.data == "var_idx" and _plain_name(t.children[0], bound, indexable, name_of):
        tok = t.children[0]      # \mu_q, x_m outside any sum over q, m: the names μq, xm
        return Tree("var", [Token("NAME_SUB", str(tok), tok.start_pos, tok.line, tok.column)], t.meta)
    if t.data not in ("bigsum", "bigprod"):
        return Tree(t.data, [_check(c, bound, declared, indexable, name_of) for c in t.children], t.meta)
    _, index, rel, lo, hi, body = t.children
    j = str(index)
    if str(rel).strip() != "=":
        raise ParseError(f"the subscript of \\{t.data[3:]} is 'index = lower limit' (\\{t.data[3:]}_{{{j}=1}}), "
                         f"not '{rel}'",
                         rel.start_pos + 1)
    if j in declared:
        raise ParseError(f"'{j}' is the index of this sum, so it is bound here; it is also a declared "
                         f"variable of the note: choose another letter for the index", index.start_pos + 1)
    if j in bound:
        raise ParseError(f"'{j}' is already the index of an enclosing sum: choose another letter", index.start_pos + 1)
    lo, hi = (_check(part, bound, declared, indexable, name_of) for part in (lo, hi))
    body = _check(body, (*bound, j), declared, indexable, name_of)
    return Tree(t.data, [*t.children[:3], lo, hi, body], t.meta)


_INDEXED = ("NAME_IDX", "GREEK_IDX", "NAME_POW_IDX", "GREEK_POW_IDX")
#: a mean-field block z_j for a general j (PRML's ln q_j*(Z_j)): what vi_sym reads instead
_BLOCK_HINT = ("; a mean-field factor for a general j is not read: write the update for one factor, "
               "e.g. \\ln q_1^*(z_1) = \\mathbb{E}_{q_2}[\\ln p(x, z_1, z_2)] + \\text{const}")


def _plain_name(tok, bound, indexable, name_of) -> bool:
    """Is the indexed token ``tok`` (``\\mu_q``, ``x_m``, ``\\sigma_p``) a name of its own, as closed
    forms write parameters -- its index bound by no enclosing sum, its base no declared vector and
    no latent's block (``z_j`` outside a sum stays an error that says what is read instead)?"""
    if getattr(tok, "type", "") not in ("NAME_IDX", "GREEK_IDX"):
        return False
    base, j = split_indexed(tok)
    name = name_of(base)
    return j not in bound and name not in indexable and name not in ("z", "Z")


def _check_name(tok, bound, indexable, name_of) -> None:
    base, j = split_indexed(tok)
    name = name_of(base)
    if j not in bound:
        raise ParseError(f"'{tok}': '{j}' is not the index of an enclosing sum; {name}[{j}] is a "
                         f"coordinate only inside \\sum_{{{j}=1}}^{{…}} (or \\prod){_BLOCK_HINT * (name in ('z', 'Z'))}",
                         tok.start_pos + 1)
    if name not in indexable:
        raise ParseError(f"'{tok}' is a coordinate of {name}, which is not declared as a vector: declare "
                         f"it, e.g. <!-- vi_sym: parameters: {base}[1..N] --> (or iid: X = x[1..N] for "
                         "data points)", tok.start_pos + 1)


class SumsMixin:
    """The LaTeX builder's methods for sums and indexed names (``self._name``: a declared name's
    symbol)."""

    @v_args(inline=True)
    def bigsum(self, _, index, rel, lo, hi, body):
        return bounded_sum(body, sympy.Symbol(str(index), integer=True), lo, hi)

    @v_args(inline=True)
    def bigprod(self, _, index, rel, lo, hi, body):
        return bounded_product(body, sympy.Symbol(str(index), integer=True), lo, hi)

    bound_index = v_args(inline=True)(lambda self, tok: sympy.Symbol(str(tok), integer=True))

    @v_args(inline=True)
    def sum_over(self, _, var, body):
        """``\\sum_{\\mathbf{Z}} Q(\\mathbf{Z}) f`` (Wikipedia's, Bishop's for a discrete latent): the sum
        over the latent's values, the integral against its counting measure -- read as the integral over
        it, which every rule treats for any base measure (a sum is one; ∫ q = 1, Jensen, Bayes)."""
        z = self._name(var.children[0])
        if z not in self.latent:
            raise ParseError(f"\\sum_{{{var.children[0]}}}: a sum over a variable's values is read over a latent "
                             f"only; '{z}' is not a latent (a sum over an index needs its limits, "
                             "\\sum_{j=1}^{J})", at(var.children[0]))
        return sympy.Integral(body, z)

    @v_args(inline=True)
    def var_idx(self, tok):
        base, j = split_indexed(tok)
        return coordinate(self._name(Token("NAME", base, column=tok.start_pos + 1)),
                          sympy.Symbol(j, integer=True))

    @v_args(inline=True)
    def var_pow_idx(self, tok):
        """``\\sigma^2_j`` is (σ[j])², as ``\\sigma_j^2`` is."""
        return self.var_idx(tok) ** index_power(tok)
