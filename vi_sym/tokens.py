"""The tokenizer shared by vi_sym's text parsers, and the error every parser raises."""
from __future__ import annotations

import re
from typing import NamedTuple

__all__ = ["ParseError", "Token", "tokenize", "RELATIONS", "STRICT", "STRICT_MSG", "CLOSE", "NAME_RE",
           "NAME_PATTERN", "normal_name"]

MAX_DEPTH = 100            # nesting of brackets / operators / calls
MAX_NUMBER_BITS = 10_000   # largest exact power we let sympy evaluate
MAX_LITERAL_DIGITS = 1000  # longest number literal (mantissa or exponent)
MAX_SPECIAL_ARG = 1000     # gamma(n) etc. evaluate to huge exact numbers


def too_large(a) -> str:
    """The message for a numeric argument of a special function above MAX_SPECIAL_ARG, the
    number shown in a few digits (a 400-digit literal is not repeated in full)."""
    text = str(a)
    if len(text) > 20:
        text = f"{float(a):.3g}" if abs(a) < 1e300 else f"about 10^{len(str(abs(int(a)))) - 1}"
    return f"numeric argument {text} is too large (at most {MAX_SPECIAL_ARG} is evaluated)"


class ParseError(ValueError):
    """Bad input text; ``column`` is 1-based into the text, or None."""

    def __init__(self, message: str, column: int | None = None, text: str | None = None):
        super().__init__(message)
        self.message, self.column, self.text = message, column, text

    def __str__(self) -> str:
        s = self.message
        if self.column is not None:
            s += f" at column {self.column}"
            if self.text:
                i = self.column - 1
                lo, hi = max(0, i - 15), min(len(self.text), i + 15)
                snippet = ("…" if lo else "") + self.text[lo:hi] + ("…" if hi < len(self.text) else "")
                s += ', near "' + " ".join(snippet.split()) + '"'
        return s


class Token(NamedTuple):
    kind: str    # 'num', 'id', 'op' or 'eof'
    value: str   # normalised text ('**' -> '^', '≥' -> '>=', ...)
    text: str    # as written
    start: int   # 0-based offsets into the text
    end: int

    @property
    def col(self) -> int:
        return self.start + 1

    def describe(self) -> str:
        return "end of input" if self.kind == "eof" else f"'{self.text}'"


_GREEK = "Α-Ωα-ωϑϕϖϵµ"
#: as typed in plain text: σ² is σ^2, λ⁻¹ is λ^(-1), μ₁ is the name μ1
_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_SUBSCRIPT = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")
#: as typed in plain text: ½ is (1/2), √x is sqrt x (a bare call where the reader allows one: √ν)
_FRACTIONS = dict(zip("½⅓⅔¼¾⅕⅖⅗⅘⅙⅚⅛⅜⅝⅞", ["1/2", "1/3", "2/3", "1/4", "3/4", "1/5", "2/5", "3/5", "4/5",
                                           "1/6", "5/6", "1/8", "3/8", "5/8", "7/8"]))
_TOKEN_RE = re.compile(rf"""
    (?P<ws>\s+) | (?P<comment>\#.*)
  | (?P<num>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)
  | (?P<sup>[⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)
  | (?P<frac>[½⅓⅔¼¾⅕⅖⅗⅘⅙⅚⅛⅜⅝⅞])
  | (?P<root>√)
  | (?P<id>(?:∇_|[A-Za-z{_GREEK}])[A-Za-z0-9_{_GREEK}₀-₉ʹ]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
  | (?P<op>\*\*|\|\||[‖∥]|==|>=|<=|[-+*/^()\[\]{{}},;|=<>≥≤≠∫∞−·×])
""", re.VERBOSE | re.DOTALL)
#: a name in a regular expression over raw text: word characters but superscripts (σ² is σ^2)
NAME_PATTERN = r"[^\W\d_⁰¹²³⁴⁵⁶⁷⁸⁹₀₁₂₃₄₅₆₇₈₉][^\W⁰¹²³⁴⁵⁶⁷⁸⁹]*"
#: a name as the parser reads it (also in headers: ``latent: θ``)
NAME_RE = re.compile(rf"^[A-Za-z{_GREEK}][A-Za-z0-9_{_GREEK}₀-₉ʹ]*$")
_NORMAL = {"‖": "||", "∥": "||", "**": "^", "==": "=", "≥": ">=", "≤": "<=", "−": "-", "·": "*", "×": "*"}
_RELATIONS = {"=", ">=", "<="}
#: π written against e and single Greek letters, as the Gaussian's normaliser is typed (2πeσ², 2πσ²):
#: one name per letter (no note names a variable πeσ)
_PI_RUN = re.compile(r"(?=.*π)[πeα-ωΑ-Ω]{2,}")
#: a log glued to a density, as notes type it: logp(x), lnq(z), logq1(z1)
GLUED_LOG = re.compile(r"^(log|ln)([pq][0-9]*)$")
_STRICT = {"<", ">"}
_STRICT_MSG = "strict inequalities are not supported; use <= or >="
_CLOSE = {"(": ")", "[": "]", "{": "}"}


def normal_name(name: str) -> str:
    """A name as the tokenizer normalises it (the micro sign µ is the Greek μ, μ₁ is μ1)."""
    return name.replace("µ", "μ").translate(_SUBSCRIPT)


def tokenize(text: str) -> list[Token]:
    if not isinstance(text, str):
        raise ParseError(f"expected a string, got {type(text).__name__}")
    toks, pos = [], 0
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        if not m:
            raise ParseError(f"unexpected character {text[pos]!r}", pos + 1, text)
        kind, raw = m.lastgroup, m.group()
        if kind == "sup":           # σ²: '^' and the exponent, all at the superscript's columns
            digits = raw.lstrip("⁻⁺").translate(_SUPERSCRIPT)
            inner = [Token("num", digits, digits, pos, m.end())]
            if raw[0] == "⁻":
                inner = [Token("op", "(", raw, pos, m.end()), Token("op", "-", raw, pos, m.end()), *inner,
                         Token("op", ")", raw, pos, m.end())]
            toks += [Token("op", "^", raw, pos, m.end()), *inner]
        if kind == "frac":          # ½: '(' 1 '/' 2 ')', all at the character's column
            n, d = _FRACTIONS[raw].split("/")
            toks += [Token(k, v, v, pos, m.end()) for k, v in
                     (("op", "("), ("num", n), ("op", "/"), ("num", d), ("op", ")"))]
        if kind == "root":
            toks.append(Token("id", "sqrt", raw, pos, m.end()))
        glued = GLUED_LOG.match(raw) if kind == "id" and text.startswith("(", m.end()) else None
        if glued:                   # logp(x), logq(z) as typed: log p(x), log q(z)
            cut = pos + len(glued.group(1))
            toks += [Token("id", "log", glued.group(1), pos, cut), Token("id", glued.group(2), glued.group(2), cut, m.end())]
        elif kind == "id" and _PI_RUN.fullmatch(raw):   # 2πeσ², 2πσ²: π, e and Greek letters side by side
            toks += [Token("id", c, c, pos + k, pos + k + 1) for k, c in enumerate(raw)]
        elif kind in ("num", "id", "op"):
            value = normal_name(raw) if kind == "id" else _NORMAL.get(raw, raw)
            toks.append(Token(kind, value, raw, pos, m.end()))
        pos = m.end()
    toks.append(Token("eof", "", "", len(text), len(text)))
    return toks




RELATIONS, STRICT, STRICT_MSG, CLOSE = _RELATIONS, _STRICT, _STRICT_MSG, _CLOSE
