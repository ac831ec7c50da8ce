"""What the LaTeX reader (:mod:`vi_sym.frontends.latex`) says when a formula does not parse:
the unexpected text and what was expected, in words."""
from __future__ import annotations

__all__ = ["what_is_at", "expected_words"]


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


def _expected(err) -> str:
    exp = sorted(getattr(err, "expected", None) or getattr(err, "allowed", None) or ())
    words = sorted({_NAMES.get(e, None) for e in exp} - {None})
    return ", ".join(words[:5]) or "something else"


what_is_at, expected_words = _what, _expected
