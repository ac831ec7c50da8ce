"""Where a note states how a variable is drawn: the sampling statements of a text.

"For $X \\sim \\mathrm{Gamma}(a, b)$", "If z ~ Exp(λ)", "$T \\sim t_\\nu$": one variable (a letter or
a Greek letter), ``\\sim`` (``~`` or ``∼`` in plain text) and a distribution of the readers' table
(:mod:`.distribution_forms`) or one written with its own symbol (``\\Gamma(k, \\theta)``, ``t_\\nu``,
``\\chi^2_k``).  This module finds them (:func:`sampled_in`), blanks them from a plain-text line
(:func:`blank_statements`) and cuts those a LaTeX formula opens or ends with
(:func:`trailing`); what the readers make of them is :mod:`.sampled`.
"""
from __future__ import annotations

import re
from typing import NamedTuple

from .distribution_forms import ALIASES
from .latex_functions import GREEK

__all__ = ["MAX_LINE", "STATEMENT_SAID", "Sampled", "sampled_in", "blank_statements", "joined", "trailing"]

MAX_LINE = 2_000     # characters; a longer line is not searched
#: why a display that is only a sampling statement is not checked
STATEMENT_SAID = "a sampling statement (how a variable is drawn): read for the formulas after it, not checked itself"

_GREEK = "|".join(sorted(GREEK, key=len, reverse=True))
#: the variable (one letter or Greek letter, no subscript; not an expectation's subscript
#: E_{z~q}), then the operator
_VAR_LATEX = rf"(?<![{{\\\w])(?<!\{{\s)([A-Za-z]|\\(?:{_GREEK}))(?![A-Za-z])\s*(?:\\sim(?![a-zA-Z])|∼)\s*"
_VAR_TEXT = r"(?<![{\w.])(?<!\{\s)([^\W\d_])(?!\w)\s*[~∼]\s*"
#: the distribution's name, written as LaTeX does (\mathrm{Gamma}, \mathcal{N}) or plainly
_HEAD_LATEX = (r"(?:\\(?P<font>mathcal|mathrm|text|operatorname|mathsf|textrm|mathit|rm)\s*\{\s*(?P<styled>[A-Za-z]+)\s*\}"
               r"|(?P<word>[A-Za-z]+|𝒩))")
_HEAD_TEXT = r"(?P<word>[A-Za-z]+|𝒩)"
_OPEN = r"\s*(?:\\left\s*)?\("
_STATEMENT = {True: re.compile(_VAR_LATEX + f"(?P<head>{_HEAD_LATEX})" + _OPEN),
              False: re.compile(_VAR_TEXT + f"(?P<head>{_HEAD_TEXT})" + _OPEN)}


class Sampled(NamedTuple):
    """A sampling statement: its line, the offset where it starts in the text and where it
    ends, the variable (named as the readers name it: ``\\lambda`` is λ; and as written) and the
    distribution's source text (``\\mathrm{Gamma}(a, b)``)."""
    line: int
    start: int
    end: int
    name: str
    var: str
    dist: str


def _closing(text: str, at: int) -> int:
    """The offset just past the ``)`` that closes the ``(`` at ``text[at]``, or -1."""
    depth = 0
    for k in range(at, min(len(text), at + MAX_LINE)):
        c = text[k]
        depth += (c == "(") - (c == ")")
        if depth == 0:
            return k + 1
    return -1


#: names a sampling statement may give a distribution that a formula may not (F(x) is more often a
#: distribution function there): X ~ F(d1, d2) is the F distribution
_STATEMENT_ONLY = {"F": "FDistribution"}


def _known(m, latex: bool) -> bool:
    styled = m.group("styled") if latex else None
    if styled in ("N", "U") and m.group("font") == "mathcal":         # \mathcal{N}, \mathcal{U}
        return True
    return (styled or m.group("word")) in ALIASES or (styled or m.group("word")) in _STATEMENT_ONLY


def _dist_text(m, text: str, end: int, latex: bool) -> str:
    """The statement's distribution as the readers' formulas spell it (F(d1, d2): FDistribution(d1, d2))."""
    word = (m.group("styled") if latex else None) or m.group("word")
    if word in _STATEMENT_ONLY:
        name = _STATEMENT_ONLY[word]
        return (f"\\mathrm{{{name}}}" if latex else name) + text[text.index("(", m.end() - 1):end]
    return text[m.start("head"):end]


#: distributions textbooks write with a symbol of their own: ``\\Gamma(k, \\theta)`` (the Gamma),
#: ``t_\\nu`` (Student's t with ν degrees of freedom), ``\\chi^2_k`` / ``\\chi^2(k)`` (the chi-squared)
_SYMBOL_HEAD = re.compile(_VAR_LATEX + r"(?:(?P<gamma>\\Gamma)(?=\s*(?:\\left\s*)?\()|t\s*_\s*(?P<t>\{[^{}]*\}|\\[a-zA-Z]+|"
                          r"[A-Za-z0-9])|(?P<chi>\\chi\s*\^\s*(?:2|\{\s*2\s*\})\s*(?:_\s*(?:\{[^{}]*\}|\\[a-zA-Z]+|[A-Za-z0-9])"
                          r"|(?=\s*\())))")


def _symbol_heads(text: str, begin: int, stop: int, no: int) -> list:
    """The sampling statements of :data:`_SYMBOL_HEAD` in ``text[begin:stop]``, each distribution
    written as the grammar reads it (``\\mathrm{Gamma}(k, \\theta)``, ``\\mathrm{StudentT}(\\nu, 0, 1)``)."""
    out = []
    for m in _SYMBOL_HEAD.finditer(text, begin, stop):
        name = GREEK.get(m.group(1)[1:], m.group(1)) if m.group(1).startswith("\\") else m.group(1)
        if m.group("gamma"):
            end = _closing(text, text.index("(", m.end()))
            if end < 0:
                continue
            dist = "\\mathrm{Gamma}" + text[m.end():end]
        elif m.group("t"):
            end, dist = m.end(), f"\\mathrm{{StudentT}}({m.group('t').strip('{}')}, 0, 1)"
        else:
            end = _closing(text, text.index("(", m.end())) if text[m.end():m.end() + 20].lstrip().startswith("(") \
                else m.end()
            if end < 0:
                continue
            dist = text[m.start("chi"):end]
        out.append(Sampled(no, m.start(), end, name, m.group(1), dist))
    return out


def sampled_in(text: str, latex: bool = True) -> list:
    """Every sampling statement of one variable from a written distribution in ``text``."""
    out = []
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    for no, begin in enumerate(starts, 1):
        stop = starts[no] - 1 if no < len(starts) else len(text)
        if stop - begin > MAX_LINE:
            continue
        for m in _STATEMENT[latex].finditer(text, begin, stop):
            end = _closing(text, m.end() - 1)
            if end < 0 or not _known(m, latex):
                continue
            name = m.group(1)
            name = GREEK.get(name[1:], name) if name.startswith("\\") else name
            out.append(Sampled(no, m.start(), end, name, m.group(1), _dist_text(m, text, end, latex)))
        if latex:
            out.extend(_symbol_heads(text, begin, stop, no))
    return sorted(out, key=lambda s: s.start)


_BEFORE = re.compile(r"(?:\b(?:if|for|when|with|let|suppose|given|assume|assuming|where|and)\s+)+$", re.I)
_AFTER = re.compile(r"^(?:\s*(?:[,:;.]|\bthen\b|\band\b|\bwe\s+have\b|\bwe\s+get\b))+", re.I)


def blank_statements(line: str) -> str:
    """``line`` with its plain-text sampling statements blanked (same columns): prose, not
    formulas -- and the words around them ("If z ~ Exp(λ), then …", "for z ~ …:")."""
    for s in sampled_in(line, latex=False):
        before = _BEFORE.search(line[:s.start])
        after = _AFTER.search(line[s.end:])
        lo = before.start() if before else s.start
        hi = s.end + (after.end() if after else 0)
        opened, closed = re.search(r"\(\s*$", line[:lo]), re.match(r"\s*\)", line[hi:])
        if opened and closed:          # "Var(V) = λ  (V ~ Pois(λ))": the brackets are the statement's
            lo, hi = opened.start(), hi + closed.end()
        line = line[:lo] + " " * (hi - lo) + line[hi:]
    return line


#: what joins a formula to a sampling statement written after it, as its condition: ``, \quad``,
#: ``\text{for }``, "where", ``(``; no full stop between (the end of inline math or of a display may be)
_JOIN = re.compile(r"(?:\s|\$|\\[()\]]|\\end\s*\{[a-zA-Z]+\*?\}|,|;|:|\\[,;!:]|\\q?quad(?![a-zA-Z])|\\left\s*\(|\(|"
                   r"\\(?:text|textrm|mbox|mathrm)\s*\{\s*(?:for|where|with|if|when|and)?\s*\}|"
                   r"\b(?:for|where|with|if|when|and)\b)*$", re.I)
#: what may follow the last of them: the bracket that opened before it, a full stop or comma
_TAIL = re.compile(r"\s*(?:\\right\s*)?\)?\s*[.,;]?\s*")


#: what follows a statement that opens a display, before the formula it conditions
_LEAD = re.compile(r"\s*(?:,|:|;|\\[,;!:]|\\q?quad(?![a-zA-Z])|\\(?:text|textrm|mbox)\s*\{\s*(?:then|so)?\s*,?\s*\}|\s)*"
                   r"(?:\\(?:implies|Rightarrow|Longrightarrow|therefore)(?![a-zA-Z])|\\(?:text|textrm|mbox)\s*\{\s*(?:then|so)"
                   r"\s*,?\s*\}|:|,)\s*(?:\\[,;!:]|\\q?quad(?![a-zA-Z])|\s)*")


def joined(between: str) -> bool:
    """Does ``between`` (the text between a formula and a statement) join them as a condition?"""
    return bool(re.sub(r"[\s$]|\\[()]", "", between)) and _JOIN.fullmatch(between) is not None


def trailing(row: str) -> tuple:
    """(the row cut before its trailing sampling statements, [(statement, offset in row)]): a
    display that ends "…, \\quad X \\sim \\mathrm{Beta}(a, b)" or "… (U \\sim \\mathcal{U}(a, b))" states
    how its variable is drawn after the formula; that part is prose, not the formula's."""
    found = sampled_in(row)
    if found and not row[:found[0].start].strip() and _TAIL.fullmatch(row[found[-1].end:]) and \
            all(not row[a.end:b.start].strip(" ,;") for a, b in zip(found, found[1:])):
        return "", [(s, s.start) for s in found]          # "X \\sim \\chi^2_k" alone: prose, no formula
    lead = _LEAD.match(row, found[0].end) if found and not row[:found[0].start].strip() else None
    if lead and row[lead.end():].strip():      # "X \\sim \\chi^2_k \\implies \\mathbb{E}[X] = k"
        return " " * lead.end() + row[lead.end():], [(found[0], found[0].start)]
    if not found or not _TAIL.fullmatch(row[found[-1].end:]):
        return row, []
    while len(found) > 1 and not joined(row[found[-2].end:found[-1].start]):
        found = found[1:]
    start = _JOIN.search(row[:found[0].start]).start()
    if not row[:start].strip() or not joined(row[start:found[0].start]):
        return row, []
    return row[:start], [(s, s.start) for s in found]
