"""A bare ``|`` in LaTeX is a conditional bar or an absolute value; which one, by where it stands.

``p(x | z)``, ``q_\\phi(z|x)``, ``\\mathrm{Gam}(\\tau | a, b)``: a bar inside the brackets of a density
or a distribution conditions.  Anywhere else two bars in one bracket group enclose an absolute
value, as closed-form tables write it: ``\\frac{|\\mu_1 - \\mu_2|}{b_2}``,
``e^{-|\\mu_1 - \\mu_2|/b_1}``.  :func:`mark_abs` marks such pairs with two private characters
the grammar reads as ``\\lvert … \\rvert`` -- one character each, so every column an error names
is still the column as written.  A bar it cannot pair (an odd one in its group), ``\\|`` and
``||`` are left as they are (the grammar's word on them stands).
"""
from __future__ import annotations

import re

__all__ = ["mark_abs", "OPEN", "CLOSE"]

OPEN, CLOSE = "\ue000", "\ue001"

#: what stands before a density's or a distribution's bracket: p, q_\phi, p^*, \mathrm{Gam}, \mathcal{N}
_CALLER = re.compile(r"(?:(?<![A-Za-z\\])[pqPQ](?:_\{[^{}]*\}|_\\?[A-Za-z0-9]+)?(?:\^\{?[^{}]*\}?|\^\*)?"
                     r"|\\(?:mathrm|text|operatorname|mathcal|mathsf|textrm|rm|mathbb)\s*\{[^{}]*\})"
                     r"\s*(?:\\left\s*)?$")


def mark_abs(text: str) -> str:
    """``text`` with each pair of absolute-value bars marked (see the module docstring)."""
    if "|" not in text:
        return text
    out = list(text)
    stack = [(False, [])]          # (is a density's or distribution's bracket, bars seen in it)
    for i, c in enumerate(text):
        if c in "([{" and not (i and text[i - 1] == "\\"):
            stack.append((c == "(" and bool(_CALLER.search(text[:i])), []))
        elif c in ")]}" and not (i and text[i - 1] == "\\") and len(stack) > 1:
            _pair(out, stack.pop())
        elif c == "|" and _single(text, i):
            stack[-1][1].append((i, 1))
        elif _VERT.match(text, i):
            stack[-1][1].append((i, 5))
    while stack:
        _pair(out, stack.pop())
    return "".join(out)


_VERT = re.compile(r"\\vert(?![a-zA-Z])")


def _single(text: str, i: int) -> bool:
    """A bar of its own: not ``\\|``, not one of ``||``."""
    return not (i and text[i - 1] in "\\|") and not text[i + 1:i + 2] == "|"


def _pair(out: list, group) -> None:
    conditional, bars = group
    if conditional or not bars or len(bars) % 2:
        return
    for k, (i, width) in enumerate(bars):
        out[i:i + width] = [CLOSE if k % 2 else OPEN] + [" "] * (width - 1)
