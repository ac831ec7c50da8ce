"""Typesetting in a LaTeX block that carries no mathematics, blanked before its rows are read.

* ``\\\\[4pt]``: a row break's extra space (LaTeX reads a ``[`` after ``\\\\`` as its optional
  argument, so the next row does not start with a bracket);
* ``\\label{…}``, ``\\tag{…}``, ``\\nonumber``, ``\\notag``: equation numbers (so a sentence's full
  stop before them, ``… p(z)). \\label{eq:elbo}``, ends the row as any full stop does), and the
  spacing ``\\hspace{…}``, ``\\phantom{…}``;
* a row that continues the one before it -- ``&\\quad + \\mathrm{KL}(q \\| p)``, ``& - \\mathbb{E}_q[…]``: after
  its ``&`` and any spacing, an operator -- is joined to it (the ``\\\\`` and the ``&`` blanked: one long
  right side set over two lines, not a new expression), and so is every row of a ``multline``;
  an empty group ``{}`` (``= {} & …``, a spacing trick) is blanked;
* an implication between two statements, ``\\mathrm{KL}(q \\| p) \\geq 0 \\Rightarrow \\log p(x) \\geq
  \\mathcal{L}(q)`` (``\\implies``, ``\\iff``, ``\\therefore``, …), becomes a row break: two statements, each
  checked (outside ``\\text{…}``);
* ``\\underbrace{A}_{\\text{ELBO}}`` and ``\\overbrace{A}^{\\text{reconstruction}}``: A, its label a remark
  (a tutorial's ``\\underbrace{\\mathrm{KL}(q \\| p)}_{\\geq 0}`` says what the term is; the step is the
  equation without it).

Every blank is as long as what it replaces: the columns of the text are the note's.
"""
from __future__ import annotations

import re

__all__ = ["blank_layout"]

_SPACING = re.compile(r"(?<=\\\\)\s*\[\s*-?\d*\.?\d+\s*(?:pt|em|ex|mm|cm|in|bp|mu|pc|dd|sp)\s*\]")
_NUMBERING = re.compile(r"\\(?:label|tag\*?|hspace|vspace|phantom|hphantom|vphantom)\*?\s*\{[^{}]*\}"
                        r"|\\(?:nonumber|notag)(?![a-zA-Z])")
_SPACE = r"(?:\\q?quad|\\[,;:! ]|\\(?:hspace|phantom|hphantom)\*?\s*\{[^{}]*\}|\{\s*\})"
_CONTINUED = re.compile(r"\\\\(\s*&)(?=(?:\s*" + _SPACE + r")*\s*(?:[+\-]|\\(?:cdot|times|pm)(?![a-zA-Z])))")
_EMPTY_GROUP = re.compile(r"(?<!\\)(?<![\^_])\{\s*\}")
_MULTLINE = re.compile(r"\\begin\{multline\*?\}.*?\\end\{multline\*?\}", re.S)
_IMPLIES = re.compile(r"\\(?:Rightarrow|Longrightarrow|implies|iff|Leftrightarrow|Longleftrightarrow|therefore)"
                      r"(?![a-zA-Z])")
_TEXT = re.compile(r"\\(?:text|textrm|mbox|mathrm)\s*\{[^{}]*\}")
_BRACE = re.compile(r"\\(underbrace|overbrace)(?![a-zA-Z])\s*(?=\{)")


def _group_end(text: str, i: int) -> int:
    """The index after the brace group opening at ``text[i] == '{'`` (len(text) when it never closes)."""
    depth = 0
    for j in range(i, len(text)):
        c = text[j]
        if c == "\\":
            continue
        if c == "{" and (j == 0 or text[j - 1] != "\\"):
            depth += 1
        elif c == "}" and (j == 0 or text[j - 1] != "\\"):
            depth -= 1
            if depth == 0:
                return j + 1
    return len(text)


def _label_end(text: str, i: int, mark: str) -> int:
    """The index after ``_{…}`` / ``^{…}`` (or ``_x``) at ``i`` (spaces first), or ``i`` when there is none."""
    m = re.compile(r"\s*" + re.escape(mark) + r"\s*").match(text, i)
    if m is None:
        return i
    j = m.end()
    if j < len(text) and text[j] == "{":
        return _group_end(text, j)
    tok = re.compile(r"\\[a-zA-Z]+|\S").match(text, j)
    return tok.end() if tok else i


def blank_layout(text: str) -> str:
    """``text`` with the typesetting above blanked (see the module docstring)."""
    blank = lambda m: " " * len(m.group())   # noqa: E731
    text = _NUMBERING.sub(blank, _SPACING.sub(blank, text))
    text = _MULTLINE.sub(lambda m: re.sub(r"\\\\", "  ", m.group()), text)
    joined = lambda m: "  " + m.group(1).replace("&", " ")    # noqa: E731 -- the line breaks stay
    text = _EMPTY_GROUP.sub(blank, _CONTINUED.sub(joined, text))
    return _braces(_implications(text))


def _implications(text: str) -> str:
    """Each implication outside ``\\text{…}`` a row break ``\\\\`` (padded to its length)."""
    prose = [m.span() for m in _TEXT.finditer(text)]
    out, pos = [], 0
    for m in _IMPLIES.finditer(text):
        if any(a <= m.start() < b for a, b in prose):
            continue
        out += [text[pos:m.start()], "\\\\" + " " * (len(m.group()) - 2)]
        pos = m.end()
    return "".join(out) + text[pos:]


def _braces(text: str) -> str:
    out, pos = [], 0
    for m in _BRACE.finditer(text):
        if m.start() < pos:            # inside a body or label already read
            continue
        body_end = _group_end(text, m.end())
        label_end = _label_end(text, body_end, "_" if m.group(1) == "underbrace" else "^")
        out += [text[pos:m.start()], " " * (m.end() - m.start()), _braces(text[m.end():body_end]),
                " " * (label_end - body_end)]
        pos = label_end
    out.append(text[pos:])
    return "".join(out)
