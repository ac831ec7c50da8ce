"""What the LaTeX reader (:mod:`vi_sym.frontends.latex`) says when a formula does not parse:
the unexpected text and what was expected, in words."""
from __future__ import annotations

import re

from ..special import unknown_call_hint

__all__ = ["what_is_at", "expected_words"]


#: distributions a formula cannot write: their parameters (or variables) lie on a simplex
_SIMPLEX = re.compile(r"\\(?:mathrm|text|operatorname|textrm|mathsf|rm)\s*\{\s*(Cat|Categorical|Dir|Dirichlet|Mult|"
                      r"Multinomial)\s*\}")


def _simplex_hint(text: str) -> str:
    simplex = _SIMPLEX.search(text)
    return "; " + unknown_call_hint(simplex.group(1)).lstrip(": ") if simplex else ""


def _what(text: str, pos: int) -> str:
    if text.startswith("\\", pos):
        word = text[pos:pos + 1 + len(text[pos + 1:]) - len(text[pos + 1:].lstrip("abcdefghijklmnopqrstuvwxyz"
                                                                                    "ABCDEFGHIJKLMNOPQRSTUVWXYZ"))]
        return f"macro '{word}' (not one vi_sym reads)"
    return f"'{text[pos]}'" if pos < len(text) else "end of formula"


_NAMES = {"REL": "'=', '\\geq' or '\\leq'", "NAME": "a variable", "DNAME": "a density p(…) or q(…)",
          "NUMBER": "a number", "DIFF": "a differential such as '\\,dz'", "RPAR": "')'", "RSQB": "']'",
          "RBRACE": "'}'", "LPAR": "'('", "LBRACE": "'{'", "LSQB": "'['", "SEP": "'\\|'",
          "UNDERSCORE": "'_' and the subscript (\\arg\\max_q, \\arg\\min_\\theta)"}


#: matrix notation: a trace, a determinant, a transpose, an inverse of a bold or capital Greek matrix
_MATRIX = re.compile(r"\\(?:operatorname|mathrm|text|rm)\s*\{\s*(?:tr|Tr|diag|det)\s*\}|\\det(?![a-zA-Z])|\\top(?![a-zA-Z])|"
                     r"\\intercal(?![a-zA-Z])|\^\s*\{?\s*T\s*\}?(?![a-zA-Z])|\\(?:Sigma|Lambda)\s*(?:_\s*\{?\w+\}?\s*)?\^\s*\{\s*-\s*1\s*\}")
MATRIX_HINT = ("; matrices (tr, det, a transpose ᵀ, Σ⁻¹) are not read: vi_sym reads scalars, and a vector "
               "written per coordinate -- a diagonal Gaussian's KL as a sum over its coordinates, "
               "\\sum_{j=1}^{d} (…) in μ_j, σ_j (see derivations/vae.vi)")


def _expected(err, text: str = "") -> str:
    """What the parser expected, in words (and, for a formula in matrix notation, what vi_sym reads
    instead)."""
    exp = sorted(getattr(err, "expected", None) or getattr(err, "allowed", None) or ())
    words = sorted({_NAMES.get(e, None) for e in exp} - {None})
    return (", ".join(words[:5]) or "something else") + (MATRIX_HINT if _MATRIX.search(text) else "") + \
        _simplex_hint(text)


what_is_at, expected_words = _what, _expected
