"""Latents drawn as i.i.d. copies of one variable, read from how a note says so.

An importance-weighted bound draws its latents from one density: "draw $z_1, z_2 \\sim q(z)$"
(LaTeX ``z_1, \\dots, z_K \\sim q_\\phi(z \\mid x)``, plain text ``z1, z2 ~ q(z) i.i.d.``, or in
words "z1 and z2 sampled independently from q").  Read as the blocks of a mean-field latent,
z1 and z2 would have factors of their own, and a bound that holds for copies -- the IWAE's
``E[log((w1 + w2)/2)] >= ELBO`` -- would be refuted in a family whose two factors differ.

A sampling statement names two or more numbered variables of one letter (``z_1, z_2``; or
``z_1, \\ldots, z_K``: every numbered z the note writes) before ``\\sim`` (``~`` or ``∼`` in
plain text) or "drawn / sampled / generated (i.i.d. / independently) from".  A chain that uses
two or more of them reads them as the header line ``copies: z1 z2`` declares them: one domain,
and a density name is one density of either (:mod:`vi_sym.rules.renaming`).  The reader says
so in a warning; a ``copies:`` or ``factorised:`` line says otherwise (and wins).
"""
from __future__ import annotations

import bisect
import dataclasses
import functools
import re
from typing import NamedTuple

from .latex_functions import GREEK

__all__ = ["Draw", "draws_in", "drawn_names", "with_draws", "declare_drawn", "drawn_latents", "in_section"]

MAX_LINE = 2_000     # characters; a longer line is not searched for a sampling statement

#: one numbered variable: z_1, z_{12}, \mathbf{z}_1, \epsilon_2, z_K (an open end); text z1
_VAR = (r"(?<![A-Za-z0-9])(?:\\(?:mathbf|boldsymbol|bm|mathrm|vec)\s*\{\s*)?(\\[a-zA-Z]+|[A-Za-z])\s*\}?"
        r"(?:\s*_\s*(?:\{\s*(\d+|[A-Za-z])\s*\}|(\d|[A-Za-z](?![A-Za-z])))|(\d+))")
_DOTS = r"\\[lc]?dots(?![a-zA-Z])|\\dotsc(?![a-zA-Z])|\.\.\.|…|⋯"
_ITEM_AT_END = re.compile(rf"(?:{_VAR}|({_DOTS}))\s*$")
_SEP_AT_END = re.compile(r"(?:\$\s*)?(?:,|(?:,\s*)?\band\b|(?:,\s*)?\\text\s*\{\s*and\s*\})\s*(?:\$\s*)?$")
#: what a note writes after the variables it draws (LaTeX's ~ is a space, not "distributed as")
_SIM_LATEX = re.compile(r"\\sim(?![a-zA-Z])|∼|\b(?:are\s+|be\s+)?(?:drawn|sampled|generated)\s+"
                        r"(?:(?:i\.?i\.?d\.?|independently)\s+)?from\b", re.I)
_SIM_TEXT = re.compile(_SIM_LATEX.pattern + r"|~", re.I)
#: what may stand between the variables and the operator: the end of inline math, a label
_BETWEEN = re.compile(r"(?:\$|\\\)|\s|\\[,;!]|\\text\s*\{[^{}]*\}|\(i\.?i\.?d\.?\)|i\.?i\.?d\.?|"
                      r"\\(?:overset|stackrel)\s*\{(?:[^{}]|\{[^{}]*\})*\}\s*\{)*$", re.I)


class Draw(NamedTuple):
    """A sampling statement: its line, the variables' letter, their numbers, whether its list is
    open (``z_1, …, z_K``: every numbered variable of that letter)."""
    line: int
    letter: str
    numbers: tuple
    open: bool


def _letter(name: str) -> str:
    """A letter as the readers name it: ``\\epsilon`` is ε, ``z`` is z."""
    return GREEK.get(name[1:], name) if name.startswith("\\") else name


def _listed(before: str):
    """The variables listed at the end of ``before`` (the text before the operator), as
    (letter, numbers, open), or None when it lists no two numbered variables of one letter."""
    before = before[-300:]
    before = before[:len(before) - len(_BETWEEN.search(before).group())]
    letters, numbers, open_ = set(), [], False
    while True:
        m = _ITEM_AT_END.search(before)
        if m is None:
            break
        if m.group(5):
            open_ = True
        else:
            index = m.group(2) or m.group(3) or m.group(4)
            letters.add(_letter(m.group(1)))
            if index.isdigit():
                numbers.append(str(int(index)))
            else:
                open_ = True
        before = before[:m.start()]
        sep = _SEP_AT_END.search(before)
        if sep is None:
            break
        before = before[:sep.start()]
    if len(letters) != 1 or not numbers or (len(numbers) < 2 and not open_):
        return None
    return letters.pop(), tuple(sorted(set(numbers), key=int)), open_


def draws_in(text: str, latex: bool = True, observed=("x", "X")) -> list:
    """Every sampling statement of a note (see the module docstring), in file order; data points
    drawn (``x_1, …, x_N \\sim p(x)``, a letter in ``observed``) are no latents: not read."""
    sim = _SIM_LATEX if latex else _SIM_TEXT
    out = []
    for no, line in enumerate(text.splitlines(), 1):
        if len(line) > MAX_LINE:
            continue
        for m in sim.finditer(line):
            found = _listed(line[:m.start()])
            if found is not None and found[0] not in observed:
                out.append(Draw(no, *found))
    return out


def _split(name: str):
    """(letter, number) of a numbered name ``z1`` / ``z_1``, or None."""
    m = re.fullmatch(r"(\D+?)_?(\d+)", name)
    return None if m is None else (m.group(1), str(int(m.group(2))))


def drawn_names(draws, names) -> list:
    """Those of ``names`` that a sampling statement draws (its numbers, or any number of its
    letter when its list is open), in the order given."""
    out = []
    for n in names:
        parts = _split(n)
        if parts and any(d.letter == parts[0] and (d.open or parts[1] in d.numbers) for d in draws):
            out.append(n)
    return out


def with_draws(ctx, draws):
    """``(ctx, what the reader says or None)``: ``ctx`` with its latents that one sampling statement draws
    declared copies of one another, when two or more are and the chain declares no copies and no
    factorisation; else ``ctx`` as it is."""
    if not draws or ctx.copies or ctx.factors:
        return ctx, None
    for d in draws:
        group = [v for v in ctx.latent if drawn_names([d], [v.name])]
        if len(group) >= 2:
            names = ", ".join(v.name for v in group)
            return dataclasses.replace(ctx, copies=(tuple(group),)), (
                f"read {names} as i.i.d. copies of one latent (drawn from one density at line {d.line}, as "
                f"'copies: {' '.join(v.name for v in group)}' declares; a copies: or factorised: line says otherwise)")
    return ctx, None


def in_section(draws, text: str, line: int, heading) -> list:
    """The sampling statements of the section (between two headings, ``heading`` their pattern) of
    ``text`` that holds ``line``: an IWAE section's "z_1, z_2 \\sim q" says nothing of the z_1, z_2 of
    a mean-field section before it."""
    if not draws:
        return draws
    starts = _heading_lines(text, heading)
    k = bisect.bisect_right(starts, line)           # the section of line: [first, end) of lines
    first, end = (starts[k - 1] if k else 0), (starts[k] if k < len(starts) else float("inf"))
    return [d for d in draws if first <= d.line < end]


@functools.lru_cache(maxsize=4)
def _heading_lines(text: str, heading) -> list:
    """The lines of ``text``'s headings, in order: once per note, not once per chain."""
    lines, last, count = [], 0, 1
    for m in heading.finditer(text):
        count += text.count("\n", last, m.start())
        last = m.start()
        lines.append(count)
    return lines


def declare_drawn(note, text: str) -> list:
    """The sampling statements of a plain-text note; the variables they name (``z1``, ``z2``)
    are its latents from the start, as a ``latent:`` line adding them would make them."""
    draws = draws_in(text, latex=False, observed=note.observed)
    taken = {*note.latent, *note.observed, *note.parameters}
    for d in draws:
        note.latent += [n for n in (d.letter + k for k in d.numbers) if n not in taken]
        taken |= set(note.latent)
    return draws


def drawn_latents(row: str, draws, known) -> list:
    """The numbered variables ``row`` writes (``z_1``, ``\\epsilon_2``) that a sampling statement
    draws and nothing declares (``known``), named as the readers name them (z1, ε2)."""
    if not draws:
        return []
    names = []
    for m in re.finditer(_VAR, row):
        index = m.group(2) or m.group(3) or m.group(4)
        if index.isdigit():
            names.append(_letter(m.group(1)) + str(int(index)))
    return [n for n in dict.fromkeys(drawn_names(draws, names)) if n not in known]
