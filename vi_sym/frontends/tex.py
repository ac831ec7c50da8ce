"""The LaTeX reader (``.tex``): a LaTeX document's math, read as the Markdown reader reads it.

A note written in LaTeX holds its derivations in the same display math a Markdown note does
(``\\[ … \\]``, ``$$ … $$``, ``equation``, ``align``, ``aligned``, …) and its claims in inline
``$…$`` or ``\\( … \\)``.  :func:`as_markdown` turns the document into text the Markdown reader
(:mod:`.markdown`) reads, of the same length and lines (so every line and column reported is the
document's):

* ``%`` comments are blanked, except inside display math, where ``% by bayes_rule`` after a row
  cites rules as in Markdown; a comment ``% vi_sym: latent: z_1 z_2`` declares, as
  ``<!-- vi_sym: … -->`` does in Markdown;
* ``\\( … \\)`` is inline math (read as ``$ … $``);
* ``verbatim``, ``lstlisting``, ``minted`` and ``comment`` environments, ``\\iffalse … \\fi`` and
  everything after ``\\end{document}`` are blanked: they are not the note's math;
* macros the document defines (``\\newcommand``, ``\\DeclareMathOperator``, ``\\def``; in the
  preamble or anywhere before their use) are expanded (:mod:`.latex_macros`).

Prose between formulas is kept: "Let $q(z) = p(z \\mid x)$. Then …" is a premise, as in Markdown.
"""
from __future__ import annotations

import re
from bisect import bisect_right

from .markdown import math_note
from .markdown_math import COMMENT, display

__all__ = ["as_markdown", "read_tex"]

_DECLARATION = re.compile(r"%(\s*vi_sym\s*:)")
_IGNORED_ENVS = re.compile(r"\\begin\{(verbatim\*?|lstlisting|minted|comment|Verbatim)\}.*?\\end\{\1\}"
                           r"|\\iffalse(?![a-zA-Z]).*?\\fi(?![a-zA-Z])", re.S)
_END = re.compile(r"\\end\{document\}")
_INLINE_OPEN = re.compile(r"(?<!\\)\\\(")
_INLINE_CLOSE = re.compile(r"(?<!\\)\\\)")


def _blank(chars: list, start: int, end: int) -> None:
    """Blank ``chars[start:end]``, keeping its line breaks (lines and columns stay the document's)."""
    for k in range(start, end):
        if chars[k] != "\n":
            chars[k] = " "


def as_markdown(text: str) -> str:
    """The document as the Markdown reader reads it: the same length and lines (see the module)."""
    chars = list(text)
    end = _END.search(text)
    if end is not None:
        _blank(chars, end.start(), len(chars))
    for m in _IGNORED_ENVS.finditer(text):
        _blank(chars, m.start(), m.end())
    comments = list(COMMENT.finditer(text))
    for m in comments:
        _blank(chars, m.start(), m.end())
    masked = "".join(chars)
    inside = sorted((a, b) for a, b, _, _ in display(masked)[0])
    starts = [a for a, _ in inside]
    for m in comments:
        if end is not None and m.start() >= end.start():
            continue
        k = bisect_right(starts, m.start()) - 1          # the last block starting before it
        if k >= 0 and m.start() < inside[k][1]:
            chars[m.start():m.end()] = m.group()              # a justification, as in Markdown
        elif _DECLARATION.match(m.group()):
            chars[m.start():m.end()] = " " + m.group()[1:]    # % vi_sym: latent: z
    masked = "".join(chars)
    masked = _INLINE_OPEN.sub(" $", masked)
    return _INLINE_CLOSE.sub("$ ", masked)


def read_tex(text: str, file: str, options=None):
    """A LaTeX document -> (derivation records, errors); unreadable blocks are skipped."""
    return math_note(as_markdown(text), file, options, source=text)
