"""Closed forms stated by a label, as tables and prose state them (Markdown/LaTeX notes).

A note that looks closed forms up copies them the way the tables print them, not as equations:

* a labelled line under a distribution -- "## Beta $\\mathrm{Beta}(\\alpha, \\beta)$" then
  "- Mean: $\\frac{\\alpha}{\\alpha+\\beta}$", "**Variance**: $…$", "Entropy = $…$";
* prose -- "The Laplace distribution $\\mathrm{Laplace}(\\mu, b)$ has mean $\\mu$, variance
  $2b^2$ and entropy $\\log(2be)$", "$X \\sim \\mathrm{Gamma}(a, b)$ with mean $a/b$";
* a table -- a header row "| Distribution | Mean | Variance |" and a row per distribution,
  "| $\\mathrm{Exp}(\\lambda)$ | $1/\\lambda$ | $1/\\lambda^2$ |".

Each labelled value is read as the claim it states about the distribution D named before it (in
the sentence, the table row, or the section above the labelled line): the mean
``\\mathbb{E}_{z \\sim D}[z] = …``, the variance ``\\mathrm{Var}_{z \\sim D}[z] = …``, the entropy
``\\mathbb{H}[D] = …``, the second moment, the standard deviation, the moment-generating function
``M(t)``, each checked as if the note had written that formula (the step shows it, and a warning
says what was read from where).  A label with no distribution before it -- or two different ones,
when which one it is about is not said -- or one vi_sym has no formula for (the mode, the median),
is left as prose.
"""
from __future__ import annotations

import re

from ..parse_operators import UnreadDraw
from .distribution_forms import ALIASES

__all__ = ["labelled_claims", "with_labelled", "labelled_line", "QUANTITIES"]

#: a quantity -> how it is written: in LaTeX, of a distribution @D of a variable @Z; in plain text,
#: of the variable a statement draws (@X) and of a distribution @D of z
QUANTITIES = {
    "mean": (r"\mathbb{E}_{@Z \sim @D}[@Z]", "E[@X]", "E_{z~@D}[z]"),
    "variance": (r"\mathrm{Var}_{@Z \sim @D}[@Z]", "Var(@X)", "Var_{z~@D}[z]"),
    "entropy": (r"\mathbb{H}[@D]", "H(@X)", "H(@D)"),
    "second moment": (r"\mathbb{E}_{@Z \sim @D}[@Z^2]", "E[@X^2]", "E_{z~@D}[z^2]"),
    "standard deviation": (r"\sqrt{\mathrm{Var}_{@Z \sim @D}[@Z]}", "sqrt(Var(@X))", "sqrt(Var_{z~@D}[z])"),
    "mgf": (r"\mathbb{E}_{@Z \sim @D}[e^{t @Z}]", "E[exp(t*@X)]", "E_{z~@D}[exp(t*z)]"),
}
#: the other names of a quantity
_SAME = {"expectation": "mean", "expected value": "mean", "differential entropy": "entropy", "평균": "mean",
         "기댓값": "mean", "분산": "variance", "엔트로피": "entropy", "moment-generating function": "mgf",
         "moment generating function": "mgf"}


def quantity(label: str):
    """The quantity a label names (``Expected value`` -> ``mean``), or None."""
    label = " ".join(label.lower().split())
    label = _SAME.get(label, label)
    return label if label in QUANTITIES else None


_LABEL = "|".join(sorted((re.escape(k) for k in (*QUANTITIES, *_SAME)), key=len, reverse=True))
_MATH = r"\$(?!\$)(?P<math>[^$\n]+)\$"
#: a written distribution in inline math: \mathrm{Beta}(\alpha, \beta), \mathcal{N}(\mu, \sigma^2), X \sim D
_DIST = re.compile(r"\$(?!\$)\s*(?:(?P<var>\\?[A-Za-z]+)\s*\\sim\s*)?(?P<dist>(?:\\(?:mathrm|text|operatorname|textrm|mathsf|rm)"
                   r"\s*\{\s*[A-Za-z]+\s*\}|\\mathcal\s*\{\s*[NU]\s*\}|\\chi\s*\^\s*2)\s*(?:\\left\s*)?\([^$]*\))\s*\$")
#: "- Mean: $…$", "**Variance** = $…$", "Entropy (nats): $…$"
_LINE = re.compile(rf"^[ \t]*(?:[-*+]|\d+[.)])?[ \t]*(?:\*\*|__)?(?P<label>{_LABEL})(?:\*\*|__)?[ \t]*(?:\([^)\n]*\))?"
                   rf"[ \t]*(?:[:：=]|is)[ \t]*(?:\*\*)?[ \t]*{_MATH}", re.I | re.M)
#: "has mean $…$", "with variance $…$", ", entropy $…$", "and mean $…$" after a distribution in a sentence
_PROSE = re.compile(rf"(?:\b(?:has|with|having|its)\s+(?:an?\s+|the\s+)?|,\s*(?:and\s+)?(?:an?\s+|the\s+)?|\band\s+(?:an?\s+|the\s+)?|"
                    rf"의\s*|이고\s*|이며\s*)(?P<label>{_LABEL})(?:\s*(?:은|는|이|가))?\s*(?:(?:of|is|equal\s+to)\s+)?{_MATH}", re.I)
#: "the mean of $\mathrm{Gamma}(a, b)$ is $a/b$", "the entropy of a $\mathcal{N}(\mu, \sigma^2)$ equals $…$"
_OF = re.compile(rf"\b(?P<label>{_LABEL})\s+of\s+(?:an?\s+|the\s+)?(?P<dist>\$(?!\$)[^$\n]+\$)\s*(?:distribution\s+)?"
                 rf"(?:is|equals|=|is\s+equal\s+to)\s*{_MATH}", re.I)
_HEADING = re.compile(r"^[ ]{0,3}#{1,6}[ \t]|\\(?:sub)*section\*?\{", re.M)
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)|\n\s*\n")


def _claim(label: str, dist: str, value: str, var: str = "z") -> str:
    return QUANTITIES[quantity(label)][0].replace("@Z", var).replace("@D", dist) + " = " + value.strip()


def _only(found: list):
    """The one distribution ``found`` names (written alike each time), or None: none, or two
    different ones (which one a label is about is then not said)."""
    return found[-1] if found and len({" ".join(m.group("dist").split()) for m in found}) == 1 else None


def _section_subject(text: str, at: int):
    """The distribution written between the heading above ``at`` and ``at``, when it is one."""
    start = max((m.start() for m in _HEADING.finditer(text, 0, at)), default=0)
    return _only(list(_DIST.finditer(text, start, at)))


def _lines(text: str) -> list:
    out = []
    for m in _LINE.finditer(text):
        subject = _section_subject(text, m.start())
        if subject is not None:
            out.append((m.start("math"), _claim(m.group("label"), subject.group("dist"), m.group("math")),
                        m.group("label"), "the section above"))
    return out


def _of(text: str) -> list:
    out = []
    for m in _OF.finditer(text):
        subject = _DIST.fullmatch(m.group("dist"))
        if subject is not None:
            out.append((m.start("math"), _claim(m.group("label"), subject.group("dist"), m.group("math")),
                        m.group("label"), "its sentence"))
    return out


def _prose(text: str, taken: set) -> list:
    out = []
    for m in _PROSE.finditer(text):
        if m.start("math") in taken or _DIST.fullmatch(f"${m.group('math')}$"):    # "the variance of $D$ is …"
            continue
        sentence = max((e.end() for e in _SENTENCE_END.finditer(text, 0, m.start())), default=0)
        found = _only(list(_DIST.finditer(text, sentence, m.start())))
        if found is not None:
            out.append((m.start("math"), _claim(m.group("label"), found.group("dist"), m.group("math")),
                        m.group("label"), "its sentence"))
    return out


def _tables(text: str) -> list:
    out, header = [], None
    for line_match in re.finditer(r"^[ \t]*\|.*\|[ \t]*$", text, re.M):
        cells = line_match.group().strip().strip("|").split("|")
        if all(re.fullmatch(r"\s*:?-{3,}:?\s*", c) for c in cells):
            continue
        labels = [c.strip().strip("*_ ").lower() for c in cells]
        if any(quantity(lab) for lab in labels):
            header = labels
            continue
        first = _DIST.search(cells[0] if cells else "")
        if header is None or first is None:
            continue
        pos = line_match.start() + 1
        for cell, label in zip(cells, header):
            value = re.fullmatch(r"\s*\$(?!\$)([^$]+)\$\s*", cell)
            if quantity(label) and value:
                out.append((pos + cell.index("$") + 1, _claim(label, first.group("dist"), value.group(1)),
                            label, "its table row"))
            pos += len(cell) + 1
    return out


def labelled_claims(text: str) -> list:
    """``[(offset, LaTeX of the claim, label, where the distribution was named)]``, in file order:
    the closed forms ``text`` states by a label (the offset is that of the value's math)."""
    found = _lines(text) + _tables(text) + _of(text)
    found += _prose(text, {f[0] for f in found})
    return sorted(found)


def with_labelled(text: str, blocks: list) -> list:
    """``[(offset, body, said)]``: the math ``blocks`` of ``text`` and, in file order among them, the
    claims it states by a label (:func:`labelled_claims`), each with the warning that says so."""
    out = [(offset, body, []) for offset, body in blocks]
    for offset, claim, label, where in labelled_claims(text):
        line = text.count("\n", 0, offset) + 1
        out.append((offset, claim, [(line, f"read the {label.lower()} written here, of the distribution named in "
                                           f"{where}, as {claim}")]))
    return sorted(out, key=lambda item: item[0])


# ---------------------------------------------------------------------------- plain text

_TEXT_LABEL = re.compile(rf"^(?P<lead>\s*(?:[-*+]|\d+[.)])?\s*)(?P<label>{_LABEL})\s*(?:\([^)]*\))?\s*[:：=]\s*"
                         rf"(?P<value>[^=\s].*)$", re.I)
_TEXT_DIST = re.compile(rf"(?<![\w.])(?:{'|'.join(sorted(map(re.escape, ALIASES), key=len, reverse=True))})\s*\(")


def _text_subject(code: str):
    """The one distribution a plain-text line that is no formula writes ("Beta(a, b)", "Beta 분포:
    Beta(a, b)"), as written; else None."""
    if "=" in code or "~" in code:
        return None
    found = [m for m in _TEXT_DIST.finditer(code)]
    if len(found) != 1:
        return None
    depth, start = 0, found[0].start()
    for i in range(found[0].end() - 1, len(code)):
        depth += (code[i] == "(") - (code[i] == ")")
        if depth == 0:
            return code[start:i + 1]
    return None


def labelled_line(note, no: int, code: str) -> str:
    """A plain-text line ``Mean: a/(a + b)`` (``Variance = …``, ``분산: …``) about the distribution a
    line before it writes alone since the last blank line (``E_{z~Beta(a, b)}[z] = …``), else about
    the one variable a sampling statement draws (``E[X] = …``): the formula it states, said in a
    warning; any other line as it is (a line writing one distribution alone becomes the subject)."""
    if not code.strip():
        note.subject = None
        return code
    m = _TEXT_LABEL.match(code)
    if m is None:
        prose = _text_prose(code)
        if prose is not None:     # "Gamma(a, b) has mean a/b and variance a/b^2", "Beta(a, b)의 평균은 …"
            note.warnings.append((no, f"read the closed forms written here as {prose}"))
            return prose
        note.subject = _text_subject(code) or getattr(note, "subject", None)
        return code
    label = m.group("label").lower()
    drawn, subject = [n for n, d in note.sampled.items() if not isinstance(d, UnreadDraw)], getattr(note, "subject", None)
    if not quantity(label) or not (len(drawn) == 1 or subject):
        return code
    _, of_drawn, of_dist = QUANTITIES[quantity(label)]
    lhs = of_dist.replace("@D", subject) if subject else of_drawn.replace("@X", drawn[0])   # the nearer one
    note.warnings.append((no, f"read the {label} written here as {lhs} = {m.group('value').strip()}"))
    return f"{m.group('lead')}{lhs} = {m.group('value')}"


#: a label in a plain-text sentence about a distribution: "has mean", ", variance", "and entropy",
#: "의 평균은", "이고 분산은"
_PROSE_LABEL = re.compile(rf"(?:\b(?:has|with|having|its)\s+(?:an?\s+|the\s+)?|의\s*|,\s*(?:and\s+)?(?:the\s+)?|"
                          rf"\band\s+(?:the\s+)?|이고\s*|이며\s*)(?P<label>{_LABEL})(?:\s*(?:은|는|이|가)(?=\s)|\s+is\b|"
                          rf"\s+of\b|\s*[:=]|\s+equal\s+to\b)?\s*", re.I)
_VALUE_END = re.compile(r"(?:\s*(?:,|;|\.|\band\b|이고|이며|이다|입니다|이에요|임)\s*)+$")


def _text_prose(code: str):
    """The formulas a plain-text sentence states about the one distribution it writes, "Gamma(a, b)
    has mean a/b and variance a/b^2" (``E_{z~Gamma(a, b)}[z] = a/b, Var_{z~Gamma(a, b)}[z] = a/b^2``),
    or None (no such sentence: a sampling statement, a formula, two distributions, no label)."""
    found = list(_TEXT_DIST.finditer(code))
    if "~" in code or len(found) != 1 or "=" in code[:found[0].start()]:     # a statement, or a formula
        return None
    dist = _text_subject(code.replace("=", " "))
    if dist is None:
        return None
    start = code.index(dist) + len(dist)
    before = re.search(rf"\b(?P<label>{_LABEL})\s+of\s+(?:an?\s+|the\s+)?$", code[:code.index(dist)], re.I)
    after = re.match(r"\s*(?:distribution\s+)?(?:is\s+equal\s+to|is|equals|=)\s+", code[start:])
    if before and after and quantity(before.group("label")):     # "the mean of D is …"
        value = _VALUE_END.sub("", code[start + after.end():]).strip()
        return QUANTITIES[quantity(before.group("label"))][2].replace("@D", dist) + " = " + value if value else None
    labels = [m for m in _PROSE_LABEL.finditer(code, start) if quantity(m.group("label"))]
    out = []
    for m, nxt in zip(labels, labels[1:] + [None]):
        value = _VALUE_END.sub("", code[m.end():nxt.start() if nxt else len(code)]).strip()
        if not value or re.search(r"[^\x00-\x7f∞πσμλαβγθνκτφψωΓ²³√]", value):    # prose, not a formula
            return None
        out.append(QUANTITIES[quantity(m.group("label"))][2].replace("@D", dist) + " = " + value)
    return ", ".join(out) or None
