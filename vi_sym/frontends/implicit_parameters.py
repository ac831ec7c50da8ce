"""Parameters read from how a note uses them, when it declares none.

EM and the VAE condition the model on parameters that are not random: ``p(x \\mid \\theta)``,
``p(z \\mid x, \\theta)``, ``p_\\theta(x \\mid z)``, ``q_\\phi(z \\mid x)``.  A note that writes them
so without a ``parameters:`` line had every such row refused as "unknown variable 'θ'".  A
Greek letter the note never declares is read as a parameter (real, never random: Bayes' rule does
not turn ``p(x|θ)`` into ``p(θ|x)``) when the note

* conditions a density on it (after the bar of ``p(…)``/``q(…)``) or writes it as a density's
  subscript (``p_\\theta``), and
* never treats it as random: never a density's variable (before the bar: ``p(\\theta)``), never
  integrated over (``d\\theta``), never drawn (``\\theta \\sim``).

The reader says so in a warning; a header line (``parameters:``, ``latent:``…) says otherwise.
"""
from __future__ import annotations

import re

from .latex_functions import GREEK as _WORDS, latex_name

__all__ = ["implicit_parameters", "declared_names", "announce", "said", "declare_in_note", "density_calls",
           "read_implicit"]

_GREEK = "|".join(sorted(_WORDS, key=len, reverse=True))
#: plain text writes a parameter's other values as one name: θ0, θ_old, θ_t (never θ를: a particle)
_LETTER = re.compile(rf"\\({_GREEK})(?![a-zA-Z])|([α-ωϑϕ][A-Za-z0-9_]*)")
#: a density's name and what follows it up to its opening bracket: p(, q(, p_\theta(, q_{\phi}(, p_θ(
_CALL = re.compile(r"(?<![\\A-Za-z0-9_])([pq])((?:_\s*(?:\{[^{}()]*\}|\\[A-Za-z]+|[^\s(]))?)\s*(?:\\left\s*)?\(")
_BAR = re.compile(r"\\mid(?![a-zA-Z])|\\vert(?![a-zA-Z])|\|")
_DIFFERENTIAL = re.compile(rf"(?:\\mathrm\s*\{{\s*d\s*\}}|(?<![A-Za-z\\])d)\s*(?:\\({_GREEK})(?![a-zA-Z])|([α-ωϑϕ][A-Za-z0-9_]*))")
_DRAWN = re.compile(rf"(?:\\({_GREEK})(?![a-zA-Z])|([α-ωϑϕ]))\s*(?:\^\{{[^{{}}]*\}}|_\{{[^{{}}]*\}}|[_^]\w)*\s*(?:\\sim|~)")


def _letter(m) -> str:
    """The Greek letter a match of ``\\theta`` or ``θ`` names, as the reader names it (θ)."""
    return _WORDS[m.group(1)] if m.group(1) else m.group(2)


def _names(text: str) -> set:
    """The Greek letters written in ``text``."""
    return {_letter(m) for m in _LETTER.finditer(text)}


def _inside(text: str, start: int) -> str:
    """The text between the bracket opened just before ``start`` and its match."""
    depth = 1
    for i in range(start, len(text)):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return text[start:i]
    return text[start:]


def density_calls(text: str):
    """``(subscript, before the bar, after the bar)`` of each ``p(…)``/``q(…)`` written in ``text``
    (``p_\\theta(x \\mid z)``: ``_\\theta``, ``x ``, `` z``; no bar: the arguments and "")."""
    for m in _CALL.finditer(text):
        args = _inside(text, m.end())
        bar = _BAR.search(args)
        yield m.group(2), args[:bar.start()] if bar else args, args[bar.end():] if bar else ""


def _uses(text: str) -> tuple:
    """(conditioning, random): the letters conditioning a density or naming it as a subscript, and
    those that are a density's variable, a differential or drawn."""
    conditioning, random = set(), set()
    for sub, before, after in density_calls(text):
        conditioning |= _names(sub) | _names(after)
        random |= _names(before)
    for m in list(_DIFFERENTIAL.finditer(text)) + list(_DRAWN.finditer(text)):
        random.add(_letter(m))
    return conditioning, random


def implicit_parameters(text: str, declared) -> list:
    """The Greek letters of ``text`` (a whole note) read as parameters: conditioning a density (or
    its subscript) somewhere, random nowhere, declared nowhere (``declared``: every name its
    headers and options declare; None: the note declares its parameters, none is inferred), in
    the order the note first writes them."""
    if declared is None:
        return []
    conditioning, random = _uses(text)
    chosen = conditioning - random - set(declared)
    order = []
    for m in _LETTER.finditer(text):
        name = _letter(m)
        if name in chosen and name not in order:
            order.append(name)
    return order


def said(names) -> str:
    """The reader's warning for the letters read as parameters."""
    one = len(names) == 1
    return (f"read {', '.join(names)} as {'a parameter' if one else 'parameters'} of the model (real, not "
            f"random: the note conditions on {'it' if one else 'them'} and never draws or integrates "
            f"{'it' if one else 'them'}; a parameters: or latent: line says otherwise)")


def declared_names(text: str, pattern) -> set | None:
    """Every name a note's header lines declare (``pattern``: the reader's declaration regex, its
    first group the key, its second the names), as the reader names them; None when the note
    declares its parameters itself (a ``parameters:`` line: it has said which they are, and a
    letter it left out is not silently added -- ``p_β`` for ``p_θ`` may be a slip)."""
    found = [m for line in text.splitlines() for m in pattern.finditer(line)]
    if any(m.group(1) == "parameters" for m in found):
        return None
    return {latex_name(w) for m in found for w in re.findall(r"\\?[^\W\d_]\w*", m.group(2))}


def announce(reader, row: str) -> list:
    """The implicit parameters ``row`` writes that no row before it wrote (each said once)."""
    new = [n for n in reader.implicit if n not in reader.announced and n in _names(row)]
    reader.announced |= set(new)
    return new


def read_implicit(reader, text: str, pattern) -> None:
    """A reader's implicit parameters (``reader.implicit``, also its ``parameters``) from the whole
    note ``text``, before any line of it is read (``pattern``: the reader's declaration regex)."""
    declared = declared_names(text, pattern)
    reader.implicit = implicit_parameters(text, None if declared is None else
                                          declared | set(reader.latent) | set(reader.observed))
    reader.parameters = list(reader.implicit)


def declare_in_note(note, text: str, pattern) -> None:
    """A plain-text note's implicit parameters (:mod:`.note`, see :func:`read_implicit`), each said
    at the first line that writes it."""
    read_implicit(note, text, pattern)
    for no, line in enumerate(text.splitlines(), 1):
        new = announce(note, line)
        if new:
            note.warnings.append((no, said(new)))
