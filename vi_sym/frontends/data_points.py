"""Data points read from how a note writes them, when it declares none.

A learner writes the data set as its points, ``\\sum_{n=1}^{N} \\log p(x_n \\mid z)`` (plain text
``sum_{n=1}^N log p(x_n|z)``), without the header ``iid: X = x[1..N]`` that says so.  When a
sum or product over an index ``k`` up to an undeclared letter ``N`` writes an observed ``x``
subscripted by ``k`` (``x_k``, ``x_{k}``, ``x^{(k)}``) in a density given a latent
(``p(x_k \\mid z)``), and the note declares no ``iid:``, the points are read as that declaration
reads them: ``N`` a count (``positive: N``), ``X = x[1..N]`` the data set of points independent
given the latent (X, the capital of x, observed too).  The reader says so in a warning; a header
line says otherwise.  A point in a density given no latent (a VAE's ``p_θ(x^{(i)})``, each point
with a latent of its own) declares nothing: the note's model is not the shared latent's.
"""
from __future__ import annotations

import re

from .implicit_parameters import density_calls

__all__ = ["inferred_iid", "infer_note_points"]

#: a sum or product over an index up to a letter: LaTeX ``\sum_{n=1}^{N}``, text ``sum_{n=1}^N``, ``∏_{i=1}^n``
_RANGE = re.compile(r"(?:\\?(?:sum|prod)|[Σ∑∏])\s*(?:\\limits\s*)?_\s*\{\s*([a-zA-Z])\s*=\s*[^{}]+\}\s*"
                    r"\^\s*(?:\{\s*([a-zA-Z])\s*\}|([a-zA-Z])(?![a-zA-Z]))")


def _subscripted(row: str, name: str, k: str) -> bool:
    """Is ``name`` written with the index ``k`` in ``row``: ``x_k``, ``x_{k}``, ``x^{(k)}``?"""
    return re.search(rf"(?<![\\a-zA-Z]){name}\s*(?:_\s*\{{?\s*{k}|\^\s*\{{\s*\(\s*{k}\s*\)\s*\}})(?![a-zA-Z])",
                     row) is not None


def _given_a_latent(row: str, name: str, k: str, latent) -> bool:
    """Does ``row`` write the point in a density given a latent variable, ``p(x_k \\mid z)``?  Only
    then are the points independent given a latent the note shares between them (a VAE's
    ``p_θ(x^{(i)})`` has a latent of its own for each point: its points are not read so)."""
    return any(_subscripted(before, name, k) and any(
        re.search(rf"(?<![\\A-Za-z]){re.escape(z)}(?![A-Za-z])", after) for z in latent)
        for _, before, after in density_calls(row))


def inferred_iid(row: str, declared, observed, latent=("z", "Z")) -> tuple | None:
    """``(count, "X = x[1..N]")`` when ``row`` writes the points of an observed ``x`` under a sum
    or product up to an undeclared letter ``N``, each in a density given a latent (see the module
    docstring); else None.  ``declared``: every name the note declares; ``observed``, ``latent``:
    its observed and latent names."""
    for m in _RANGE.finditer(row):
        k, count = m.group(1), m.group(2) or m.group(3)
        if count == k or count in declared or count in observed:
            continue
        for x in observed:
            data = x.upper()
            if len(x) == 1 and x.islower() and data in observed and _given_a_latent(row, x, k, latent):
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
    found = inferred_iid(code, taken, note.observed, note.latent)
    if found is not None:
        note.declared[found[0]] = "positive"
        note.structure["iid"] = (line, found[1])
        note.warnings.append((line, said(found)))
