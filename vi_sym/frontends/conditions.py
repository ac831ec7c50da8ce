"""The conditions a closed form is stated under, as tables write them beside it.

"$\\mathbb{E}[X] = \\frac{\\alpha m}{\\alpha - 1}$ for $\\alpha > 1$", "with $\\nu > 2$,
$\\mathrm{Var}(T) = \\frac{\\nu}{\\nu - 2}$": an inline formula that bounds one parameter by a
number -- ``\\alpha > 1``, ``\\nu \\geq 2``, ``0 < p < 1/2`` -- is the condition of the claims of
its paragraph, and of the display right after it when the paragraph runs on into it (it ends
with ``,`` or ``:``, not a full stop).  Those claims are read as under an ``assume:`` line of
that bound (:mod:`.assumptions`): a mean that is finite only for α > 1 is PROVED there, where
without the condition it is FAILED at α ≤ 1.  The condition narrows nothing elsewhere; one that
cannot be used (a name that is no declared parameter) is skipped with its reason.
"""
from __future__ import annotations

import dataclasses
import functools
import re

from ..tokens import ParseError
from .assumptions import read_assumptions
from .latex_functions import latex_name

__all__ = ["conditions_in", "conditions_at", "with_conditions", "text_conditions", "chain_conditions", "line_offset"]

_NAME = r"(?:\\[a-zA-Z]+|[A-Za-z])(?:_\{?[A-Za-z0-9]+\}?)?"
_NUMBER = r"[+-]?\d+(?:\.\d+)?(?:/\d+)?"
_REL = r"(?:>|<|\\geq?(?![a-zA-Z])|\\leq?(?![a-zA-Z])|\\ge(?![a-zA-Z])|\\le(?![a-zA-Z])|\\geqslant|\\leqslant|≥|≤|>=|<=)"
#: an inline formula that is one bound: $\alpha > 1$, $2 < \nu$, $0 < p < 1/2$
_BOUND = re.compile(rf"(?<![$\\])\$\s*(?P<body>(?:{_NUMBER}\s*{_REL}\s*)?{_NAME}\s*{_REL}\s*{_NUMBER}|"
                    rf"{_NUMBER}\s*{_REL}\s*{_NAME})\s*\$(?!\$)")
#: ... and one between two parameters, $t < \lambda$: not read, and said so beside the claims
_PAIR = re.compile(rf"(?<![$\\])\$\s*(?P<body>{_NAME}\s*{_REL}\s*{_NAME})\s*\$(?!\$)")
_ASCII = {"\\geq": ">=", "\\ge": ">=", "\\geqslant": ">=", "\\leq": "<=", "\\le": "<=", "\\leqslant": "<="}
_PARAGRAPH = re.compile(r"\n[ \t]*\n")


@functools.lru_cache(maxsize=8)
def _paragraph_ends(text: str) -> tuple:
    """Where each paragraph of ``text`` ends (a blank line, or the end): once per note, not per row."""
    return tuple(m.start() for m in _PARAGRAPH.finditer(text)) + (len(text),)


@functools.lru_cache(maxsize=8)
def _line_starts(text: str) -> tuple:
    return (0,) + tuple(m.end() for m in re.finditer("\n", text))


def line_offset(text: str, line: int) -> int:
    """The offset in ``text`` where its (1-based) ``line`` starts."""
    starts = _line_starts(text)
    return starts[min(line, len(starts)) - 1]


def _as_assume(body: str) -> str:
    """``\\nu \\geq 2`` as an ``assume:`` line writes it: ``ν >= 2``."""
    body = re.sub(r"\\[a-zA-Z]+", lambda m: _ASCII.get(m.group(), m.group()), body)
    return re.sub(_NAME, lambda m: latex_name(m.group()) if not re.fullmatch(r"\d+", m.group()) else m.group(), body)


def conditions_in(text: str) -> list:
    """``(start, end, paragraph end, runs on, bound)`` of every condition of the note: where it
    is, where its paragraph ends, whether that paragraph runs on into the next (no full stop at
    its end), and the bound as ``assume:`` writes it."""
    ends = _paragraph_ends(text)
    out = []
    for pattern, mark in ((_BOUND, ""), (_PAIR, "?")):
        for m in pattern.finditer(text):
            end = next(e for e in ends if e >= m.end())
            tail = text[:end].rstrip()
            out.append((m.start(), m.end(), end, not tail.endswith((".", "!", "?", "$$")),
                        mark + _as_assume(m.group("body"))))
    return sorted(out)


def conditions_at(found: list, text: str, offset: int) -> list:
    """The bounds in force for a claim at ``offset``: those of its paragraph, and those of the
    paragraph before when that one runs on into it."""
    ends = _paragraph_ends(text)
    mine = next(e for e in ends if e >= offset)
    before = max([e for e in ends if e < offset], default=-1)
    return [bound for start, _, end, runs_on, bound in found
            if end == mine or (runs_on and end == before)]


_TEXT_NAME = r"[^\W\d_][\w]*"
_TEXT_REL = r"(?:>=|<=|≥|≤|>|<)"
_TEXT_BOUND = rf"(?:{_NUMBER}\s*{_TEXT_REL}\s*)?{_TEXT_NAME}\s*{_TEXT_REL}\s*{_NUMBER}|{_NUMBER}\s*{_TEXT_REL}\s*{_TEXT_NAME}"
_WORD = r"(?:for|when|if|where|with|provided|assuming)"
#: plain text: "…, for a > 1." at the end of a line, "For ν > 2, …" or a bare "s > 0: …" at its start
#: (what is left of "For Y ~ Exp(λ) and s > 0: …" once the sampling statement is read)
_TEXT_TAIL = re.compile(rf"(?:,\s*)?\b{_WORD}\s+(?P<body>{_TEXT_BOUND})\s*[.;]?\s*$", re.I)
_TEXT_LEAD = re.compile(rf"^\s*(?:{_WORD}\s+)?(?P<body>{_TEXT_BOUND})\s*[,:]\s*", re.I)     # "and t >= 0: …" too


def text_conditions(note, no: int, code: str) -> str:
    """A plain-text line's condition, stated before or after its formula ("E[X] = a m/(a - 1) for
    a > 1"): recorded for the line's claims (``note.line_bounds``) and blanked (same columns)."""
    for pattern in (_TEXT_TAIL, _TEXT_LEAD):
        m = pattern.search(code)
        if m and re.search(r"=", code[:m.start()] + code[m.end():]):
            note.line_bounds.setdefault(no, []).append(m.group("body").replace("≥", ">=").replace("≤", "<="))
            code = code[:m.start()] + " " * (m.end() - m.start()) + code[m.end():]
    return code


def chain_conditions(note, ctx):
    """``ctx`` of the plain-text chain being closed, under the conditions its lines state."""
    lines = {r.line for r in note.chain.records}
    bounds = [b for no in sorted(lines) for b in note.line_bounds.get(no, [])]
    return with_conditions(ctx, bounds, set(note.vectors), note.skip, note.chain.line)


def with_conditions(ctx, bounds: list, vectors, skip, line: int):
    """``ctx`` with ``bounds`` narrowing its parameters' domains (one that cannot be used is
    skipped at ``line`` with the reason)."""
    if not bounds:
        return ctx

    def bad(message):
        raise ParseError(message)
    domains = list(ctx.domains)
    for bound in dict.fromkeys(bounds):
        if bound.startswith("?"):
            skip(line, f"the condition {bound[1:]} compares two names: not read (a condition bounds one parameter "
                       "by a number), so the claims beside it are checked without it")
            continue
        try:
            domains = read_assumptions(bound, domains, vectors, bad)
        except ParseError as err:
            skip(line, f"the condition {bound} is not used: {getattr(err, 'message', err)}")
    return dataclasses.replace(ctx, domains=tuple(domains))
