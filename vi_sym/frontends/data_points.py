"""Data points read from how a note writes them, when it declares none.

A learner writes the data set as its points (in a plain-text note ``sum_{n=1}^N log p(x_n|z)``), ``\\sum_{n=1}^{N} \\log p(x_n \\mid z)`` or
``\\prod_{i=1}^{n} p(x^{(i)} \\mid \\theta)``, without the header ``iid: X = x[1..N]`` that says so.
When a sum or product over an index ``k`` up to an undeclared letter ``N`` has an observed
variable ``x`` subscripted by ``k`` in its row (``x_k``, ``x_{k}``, ``x^{(k)}``), and the note
declares no ``iid:``, the points are read as that declaration would read them: ``N`` a count
(``positive: N``), ``X = x[1..N]`` the data set of i.i.d. points (X, the capital of x, observed
too).  The reader says so in a warning; a header line says otherwise.
"""
from __future__ import annotations

import re

__all__ = ["inferred_iid", "infer_note_points"]

#: a sum or product over an index up to a letter: LaTeX ``\sum_{n=1}^{N}``, text ``sum_{n=1}^N``, ``∏_{i=1}^n``
_RANGE = re.compile(r"(?:\\?(?:sum|prod)|[Σ∑∏])\s*(?:\\limits\s*)?_\s*\{\s*([a-zA-Z])\s*=\s*[^{}]+\}\s*"
                    r"\^\s*(?:\{\s*([a-zA-Z])\s*\}|([a-zA-Z])(?![a-zA-Z]))")


def _subscripted(row: str, name: str, k: str) -> bool:
    """Is ``name`` written with the index ``k`` in ``row``: ``x_k``, ``x_{k}``, ``x^{(k)}``?"""
    return re.search(rf"(?<![\\a-zA-Z]){name}\s*(?:_\s*\{{?\s*{k}|\^\s*\{{\s*\(\s*{k}\s*\)\s*\}})(?![a-zA-Z])",
                     row) is not None


def inferred_iid(row: str, declared, observed) -> tuple | None:
    """``(count, "X = x[1..N]")`` when ``row`` writes the points of an observed ``x`` under a sum
    or product up to an undeclared letter ``N`` (see the module docstring); else None.
    ``declared``: every name the note declares; ``observed``: its observed names."""
    for m in _RANGE.finditer(row):
        k, count = m.group(1), m.group(2) or m.group(3)
        if count == k or count in declared or count in observed:
            continue
        for x in observed:
            data = x.upper()
            if len(x) == 1 and x.islower() and data in observed and _subscripted(row, x, k):
                return count, f"{data} = {x}[1..{count}]"
    return None


def said(found) -> str:
    """The reader's warning for an inferred declaration."""
    return f"read iid: {found[1]}, {found[0]} i.i.d. data points (an iid: line says otherwise)"


def infer_note_points(note, line: int, code: str) -> None:
    """In a plain-text note (:mod:`.note`) that declares no ``iid:``: the points ``code`` writes,
    declared as the lines ``positive: N`` and ``iid: X = x[1..N]`` would declare them."""
    if "iid" in note.structure:
        return
    taken = {*note.latent, *note.parameters, *note.declared}
    found = inferred_iid(code, taken, note.observed)
    if found is not None:
        note.declared[found[0]] = "positive"
        note.structure["iid"] = (line, found[1])
        note.warnings.append((line, said(found)))
