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

import sympy

from ..tokens import ParseError
from .assumptions import read_assumptions
from .latex_functions import latex_name

__all__ = ["conditions_in", "conditions_at", "display_conditions", "with_conditions", "text_conditions", "chain_conditions", "line_offset"]

_NAME = r"(?:\\[a-zA-Z]+|[A-Za-z])(?:_\{?[A-Za-z0-9]+\}?)?"
_NUMBER = r"[+-]?\d+(?:\.\d+)?(?:/\d+)?"
_REL = r"(?:>|<|\\geq?(?![a-zA-Z])|\\leq?(?![a-zA-Z])|\\ge(?![a-zA-Z])|\\le(?![a-zA-Z])|\\geqslant|\\leqslant|≥|≤|>=|<=)"
#: an inline formula that is one bound: $\alpha > 1$, $2 < \nu$, $0 < p < 1/2$
_OPEN_MATH, _CLOSE_MATH = r"(?:(?<![$\\])\$|\\\()", r"(?:\$(?!\$)|\\\))"     # $…$ or \(…\)
_BOUND = re.compile(rf"{_OPEN_MATH}\s*(?P<body>(?:{_NUMBER}\s*{_REL}\s*)?{_NAME}\s*{_REL}\s*{_NUMBER}|"
                    rf"{_NUMBER}\s*{_REL}\s*{_NAME})\s*{_CLOSE_MATH}")
#: ... and one between two parameters, $t < \lambda$: not read, and said so beside the claims
_PAIR = re.compile(rf"{_OPEN_MATH}\s*(?P<body>{_NAME}\s*{_REL}\s*{_NAME})\s*{_CLOSE_MATH}")
#: a condition written inside a display, after its formula: ", \\quad \\alpha > 1", "\\quad (n > -k)",
#: "\\text{ for } t < \\lambda", "(a, b > 0)" -- led by a comma, a quad, a word or a bracket
_SPACING = r"(?:\s|\\[,;:! ]|\\q?quad(?![a-zA-Z])|~)"
_TEXT_WORD = r"\\(?:text|textrm|mathrm|mbox)\s*\{\s*(?:for|if|when|where|with|provided|assuming)?\s*\}"
_IN_DISPLAY = re.compile(
    rf"(?P<lead>(?:,|\\q?quad(?![a-zA-Z])|{_TEXT_WORD})(?:{_SPACING}|,|{_TEXT_WORD})*|{_SPACING}*(?=\(|\\left))"
    rf"(?P<open>(?<![\w}}\])])(?:\\left\s*\(|\())?\s*(?P<body>(?:{_NUMBER}\s*{_REL}\s*)?{_NAME}(?:\s*,\s*{_NAME})*\s*{_REL}\s*{_NUMBER}|"
    rf"{_NUMBER}\s*{_REL}\s*{_NAME}|{_NAME}\s*{_REL}\s*-?{_NAME})\s*(?P<close>(?:\\right\s*)?\))?"
    rf"(?={_SPACING}*[.,;]?{_SPACING}*(?:\\\\|&|$|\\(?:end|label|tag|nonumber|notag)(?![a-zA-Z])))")
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


def display_conditions(body: str) -> tuple:
    """(``body`` with the conditions written after its formulas blanked, same columns; their bounds
    as ``assume:`` writes them, ``?`` marking one between two names): "$$\\mathbb{E}[X] =
    \\frac{\\alpha m}{\\alpha - 1}, \\quad \\alpha > 1$$" states the claim's condition beside it."""
    bounds, out = [], body
    for m in _IN_DISPLAY.finditer(body):
        if bool(m.group("open")) != bool(m.group("close")) or not re.search(r"[=<>]|\\[lg]eq?", body[:m.start()]):
            continue
        text = m.group("body")
        head = re.match(rf"({_NAME}(?:\s*,\s*{_NAME})+)\s*({_REL}\s*{_NUMBER})$", text)     # a, b > 0
        parts = [f"{n.strip()} {head.group(2)}" for n in head.group(1).split(",")] if head else [text]
        pair = re.fullmatch(rf"{_NAME}\s*{_REL}\s*-?{_NAME}", text) is not None
        bounds += [("?" if pair else "") + _as_assume(b) for b in parts]
        out = out[:m.start()] + " " * (m.end() - m.start()) + out[m.end():]
    return out, bounds


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
#: plain text: "…, for a > 1." or "… (a > 1)" at the end of a line, "For ν > 2, …" or a bare "s > 0: …"
#: at its start
#: (what is left of "For Y ~ Exp(λ) and s > 0: …" once the sampling statement is read)
_TEXT_PAIR = rf"{_TEXT_NAME}\s*{_TEXT_REL}\s*{_TEXT_NAME}"
_TEXT_TAIL = re.compile(rf"(?:,\s*)?(?:\b{_WORD}\s+(?:(?P<body>{_TEXT_BOUND})|(?P<pair>{_TEXT_PAIR}))|"
                        rf"\(\s*(?:{_WORD}\s+)?(?:(?P<pbody>{_TEXT_BOUND})|(?P<ppair>{_TEXT_PAIR}))\s*\))\s*[.;]?\s*$", re.I)
_TEXT_LEAD = re.compile(rf"^\s*(?:{_WORD}\s+)?(?P<body>{_TEXT_BOUND})\s*[,:]\s*", re.I)     # "and t >= 0: …" too


def text_conditions(note, no: int, code: str) -> str:
    """A plain-text line's condition, stated before or after its formula ("E[X] = a m/(a - 1) for
    a > 1"): recorded for the line's claims (``note.line_bounds``) and blanked (same columns)."""
    for pattern in (_TEXT_TAIL, _TEXT_LEAD):
        m = pattern.search(code)
        if m and re.search(r"=", code[:m.start()] + code[m.end():]):
            body = m.groupdict().get("body") or m.groupdict().get("pbody") or \
                "?" + (m.groupdict().get("pair") or m.group("ppair"))      # "for t < λ": between two names
            note.line_bounds.setdefault(no, []).append(body.replace("≥", ">=").replace("≤", "<="))
            code = code[:m.start()] + " " * (m.end() - m.start()) + code[m.end():]
    return code


def chain_conditions(note, ctx):
    """``ctx`` of the plain-text chain being closed, under the conditions its lines state."""
    lines = {r.line for r in note.chain.records}
    bounds = [b for no in sorted(lines) for b in note.line_bounds.get(no, [])]
    return with_conditions(ctx, bounds, set(note.vectors), note.skip, note.chain.line, note.chain.records,
                           lambda at, words: note.warnings.append((at, words)))


_PAIR_BOUND = re.compile(r"\s*(\S+?)\s*(<=|>=|<|>)\s*(\S+?)\s*")
_FLIPPED = {">": "<", ">=": "<="}


def _ordered(bound: str, domains: dict):
    """For a condition between two parameters, ``a < b`` (``a <= b``; ``>`` read the other way):
    (the name read anew, the name it is read from, the sign, the gap's name, the gap's domain) --
    b read as a + (b − a) when b is real or both are positive, else a as b − (b − a) when a is
    real; None when neither keeps its domain so (a condition on a name that is no parameter)."""
    m = _PAIR_BOUND.fullmatch(bound)
    if m is None:
        return None
    a, rel, b = m.groups()
    if rel in _FLIPPED:
        a, rel, b = b, _FLIPPED[rel], a
    da, db = _domain(a, domains), _domain(b, domains)
    gap = f"({b} + {a[1:]})" if a.startswith("-") else f"({b} − {a})"
    kind = "positive" if rel == "<" else "nonnegative"
    if db == "real" or (da == db == "positive"):
        return b, a, 1, gap, kind
    if da == "real":
        return a, b, -1, gap, kind
    return None


def _domain(side: str, domains: dict):
    """The domain of a side of a condition: a name's, or for ``-k`` (``n > -k``) the negated
    name's read as real (its sign fixes nothing a gap needs)."""
    return domains.get(side) if not side.startswith("-") else ("real" if side[1:] in domains else None)


def _read_ordered(bound: str, domains: list, records, say, line: int) -> list | None:
    """``records`` with the condition ``bound`` between two parameters read as a substitution (see
    :func:`_ordered`), said at ``line``; the domains with the name read anew replaced by the gap;
    None when it cannot be read so."""
    found = _ordered(bound, dict(domains))
    if found is None or records is None:
        return None
    new, base, sign, gap, kind = found
    symbols = {str(s): s for r in records for e in (r.lhs, r.rhs) if e is not None for s in e.free_symbols}
    if new not in symbols or base.startswith("-") and base[1:] not in symbols:
        return None
    g = sympy.Symbol(gap, **({"positive": True} if kind == "positive" else {"nonnegative": True}))
    value = (-symbols[base[1:]] if base.startswith("-") else symbols.get(base, sympy.Symbol(base))) + sign * g
    for r in records:
        for k in ("lhs", "rhs"):
            if getattr(r, k) is not None:
                setattr(r, k, getattr(r, k).xreplace({symbols[new]: value}))
    say(line, f"the condition {bound}: {new} read as {base} {'+' if sign > 0 else '−'} {gap}, {gap} "
              f"{'>' if kind == 'positive' else '≥'} 0 (a condition between two parameters)")
    return [(n, d) for n, d in domains if n != new] + [(gap, kind)]


def with_conditions(ctx, bounds: list, vectors, skip, line: int, records=None, say=None):
    """``ctx`` with ``bounds`` narrowing its parameters' domains (one that cannot be used is
    skipped at ``line`` with the reason); a bound between two parameters (``t < λ``, marked ``?``)
    rewrites ``records`` (:func:`_read_ordered`, said with ``say(line, words)``)."""
    if not bounds:
        return ctx

    def bad(message):
        raise ParseError(message)
    domains = list(ctx.domains)
    for bound in dict.fromkeys(bounds):
        if bound.startswith("?"):
            read = _read_ordered(bound[1:], domains, records, say, line) if say else None
            if read is not None:
                domains = read
                continue
            skip(line, f"the condition {bound[1:]} compares two names that are not both parameters vi_sym can "
                       "order (a real one, or two positive ones): not read, so the claims beside it are checked "
                       "without it")
            continue
        try:
            domains = read_assumptions(bound, domains, vectors, bad)
        except ParseError as err:
            skip(line, f"the condition {bound} is not used: {getattr(err, 'message', err)}")
    return dataclasses.replace(ctx, domains=tuple(domains))
