"""Lines of text -> chains: the shared machinery of the plain-text note reader.

* :func:`split_remark` separates a line from its ``※`` remark;
* :func:`formula_segments` finds the stretches of a line that are not prose (Hangul, words);
* :func:`balance` closes brackets a line leaves open, saying where;
* :func:`split_chain` cuts ``a = b >= c`` at its relations (outside brackets);
* :func:`cited_rules` reads a rule out of a remark (베이즈 / Bayes, 젠슨 / Jensen, …).
"""
from __future__ import annotations

import re

REMARK = "※"
_PROSE = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f\u3040-\u30ff\u4e00-\u9fff]+")
_URL = re.compile(r"https?://\S+")
#: an implication or equivalence between two statements: each side is read on its own
_IMPLIES = re.compile(r"<=>|=>|⇒|⟹|⇔|⟺")
#: ... and "A, we get B", "A, so B", "A; hence B": a statement and what follows from it, each read on its own
_CONSEQUENCE = re.compile(r"[,;]\s*(?:and\s+)?(?:we\s+(?:get|have|obtain|find|see\s+that)|so(?:\s+that)?|hence|"
                          r"thus|therefore|it\s+follows\s+that|which\s+gives)(?![\w(])", re.I)
_OPEN, _CLOSE = "([{", ")]}"
_PAIR = dict(zip(_OPEN, _CLOSE))
_REL = re.compile(r">=|<=|==|≥|≤|=|∝")
#: ``∝`` stays itself: the reader makes it ``= … · const`` (proportional in the chain's latent)
REL_NORMAL = {"=": "=", "==": "=", ">=": ">=", "≥": ">=", "<=": "<=", "≤": "<=", "∝": "∝"}
RULE_WORDS = (
    (re.compile(r"베이즈|bayes", re.I), "bayes_rule"),
    (re.compile(r"젠슨|jensen", re.I), "jensen"),
    (re.compile(r"product rule|곱셈\s*법칙|곱의\s*법칙", re.I), "product_rule"),
    (re.compile(r"marginal|주변\s*확률|주변화", re.I), "marginalisation"),
    (re.compile(r"normali[sz]|정규화", re.I), "normalisation"),
    (re.compile(r"kl.{0,6}(?:≥|>=|nonneg|0\s*이상|0보다 크거나)", re.I), "kl_nonnegative"),
)


#: what people put around an equation in a text note, never part of it: an equation number
#: ``(2)``/``1.``/``2)`` or a bullet ``-``/``*``/``•`` in front, a number ``(2)`` at the end, and a
#: leading English connective (``so``, ``therefore``, ``i.e.``; Hangul prose is cut elsewhere)
_LEAD = re.compile(r"^\s*(?:(?:\(\d+(?:\.\d+)*\)|\d+[.)]|[-*•·])\s+(?=\S))?(?:(?:so|therefore|thus|hence|"
                   r"then|i\.e\.|ie|since|because|and|now|finally|we (?:have|get|know that)|which (?:gives|is)|"
                   r"note that|recall that|it follows that|in particular)"
                   r"(?=[\s,:])[,:]?\s*)*(?=\S)", re.I)
#: a leading clause before a comma, ``For the VAE, …``, ``In the Gaussian case, …`` (words only)
_LEAD_CLAUSE = re.compile(r"^\s*(?:for|in|with|under|using|from|at|on|after|given|here)\s[A-Za-z'’ -]*,\s*(?=\S)", re.I)
#: a justification in brackets at the end, ``(Jensen)``, ``(by Bayes' rule)``, ``(linearity of expectation)``:
#: words of two letters or more (or "a"), one of four or more (never a formula's ``(z)``, ``(log p)``)
_PAREN_REMARK = re.compile(r"(?<=\S)\s+\(\s*((?:[A-Za-z][A-Za-z'’-]*\s*)+)\)\s*[.,;]?\s*$")
#: ... and at the end: an English clause after a comma (``, which is the bound``), the sentence's
#: punctuation (``.``, ``。``, ``;``, ``,``), an equation number ``(3)``
_TAILS = (re.compile(r",\s*(?:which|where|since|because|so that|as|i\.e\.|for all|for any|with)\b.*$", re.I),
          re.compile(r"(?<=[\w)\]])\s*[.。;,:]+\s*$"),
          re.compile(r"(?<=[\w)\]])\s+\(\d+(?:\.\d+)*\)\s*$"))


def chain_name(stem: str, line: int, taken) -> str:
    """``stem_lineN`` for a chain starting on line N; a second one on the same line (two
    relations in one sentence, ``a = b => c >= d``) is ``stem_lineNb``, a third ``stem_lineNc``, …
    (``taken``: the names already given)."""
    base = name = f"{stem}_line{line}"
    n = 1
    while name in taken:
        n += 1
        name = base + (chr(96 + n) if n < 27 else str(n))
    return name


#: a label before an equation, ``The entropy splits: H(q1 q2) = …``, ``Step 2: …``, or the colon
#: Hangul prose leaves (``엔트로피는 나뉜다: …``): words (letters, digits, spaces, hyphens) and a
#: colon -- never ``:=``, which defines
_LABEL = re.compile(r"^(?:[^\W\d_][\w' -]*?)?\s*[:：](?!=)\s*(?=\S)")


def without_label(col: int, text: str):
    """``(col, text)`` of a formula stretch without a label in front (:data:`_LABEL`): what
    is left is read only when it is itself a relation, so a heading ``Results:`` is left alone."""
    m = _LABEL.match(text)
    if not m or len(_relation_parts(text[m.end():])) < 2:
        return col, text
    return col + m.end(), text[m.end():]


def _relation_parts(text: str) -> list:
    """:func:`split_chain`, or [] where it raises (a strict inequality, an arrow)."""
    try:
        return split_chain(text)
    except ValueError:
        return []


_TYPESET = str.maketrans({"≡": "=", "≜": "=", "≔": "=", "𝔼": "E", "ℍ": "H"})


def paren_remark(code: str):
    """``(code, remark)``: a justification in brackets at the end of ``code`` (:data:`_PAREN_REMARK`)
    blanked and returned as the remark (its rules are cited), else ``(code, "")``."""
    m = _PAREN_REMARK.search(code)
    words = m.group(1).split() if m else []
    if not words or any(len(w) < 2 and w.lower() != "a" for w in words) or max(map(len, words)) < 4:
        return code, ""
    return code[:m.start()] + " " * (len(code) - m.start()), m.group(1).strip()


def strip_markup(code: str) -> str:
    """``code`` without :data:`_LEAD`/:data:`_TAILS` (blanked, so columns stay those of the line);
    a definition ``:=``/``≡``/``≜``/``≔`` is read as ``=`` (and checked, as any equation), and the
    double-struck 𝔼, ℍ of typeset notes as E, H."""
    for pattern in (_LEAD, _LEAD_CLAUSE, _LEAD, *_TAILS):
        code = pattern.sub(lambda m: " " * len(m.group()), code, count=1)
    return code.replace(":=", " =").translate(_TYPESET)


def split_remark(line: str):
    """``code ※ remark`` -> (code, remark); remarks may repeat the mark (``※※``)."""
    i = line.find(REMARK)
    if i < 0:
        return line, ""
    return line[:i], line[i:].lstrip(REMARK).strip()


def cited_rules(remark: str) -> tuple:
    """The rules a remark names (in the order of :data:`RULE_WORDS`)."""
    return tuple(rule for pattern, rule in RULE_WORDS if pattern.search(remark))


def is_prose(text: str) -> bool:
    return bool(_PROSE.search(text))


def url_only(text: str) -> bool:
    return bool(text.strip()) and not _URL.sub("", text).strip()


def formula_segments(code: str):
    """``(column, text)`` of the stretches of ``code`` between prose words and URLs, and of the
    formulas written side by side in one stretch (``E[Y] = a/(a + b), Var(Y) = …``)."""
    out, pos = [], 0
    cut = sorted(m.span() for pattern in (_PROSE, _URL, _IMPLIES, _CONSEQUENCE) for m in pattern.finditer(code))
    cut += _side_by_side(code)
    for lo, hi in sorted(cut) + [(len(code), len(code))]:
        if lo > pos and code[pos:lo].strip():
            seg = code[pos:lo]
            lead = len(seg) - len(seg.lstrip())
            out.append((pos + lead + 1, seg.strip()))
        pos = max(pos, hi)
    return out


_JOIN = re.compile(r",\s*(?:and\s+)?|\s+and\s+")
#: the words that make "…, …" a premise and its claim ("let q(z) = p(z|x), then …"): never split
_PREMISE_WORDS = re.compile(r"\b(?:let|setting|set|if|when|with|given|assume|assuming|suppose|taking|putting|for|where)\b", re.I)


def _side_by_side(code: str) -> list:
    """The spans of the joins (``, `` or `` and `` outside any bracket) between two formulas that
    each hold a relation: ``A = B, C = D`` is two formulas (a chain never has a comma between)."""
    joins, depth = [], 0
    for k, c in enumerate(code):
        depth += (c in "([{") - (c in ")]}")
        if depth == 0 and c in ", ":
            m = _JOIN.match(code, k)
            if m and (not joins or k >= joins[-1][1]):
                joins.append(m.span())
    if not joins:
        return []
    bounds = [0] + [x for j in joins for x in j] + [len(code)]
    parts = [code[bounds[i]:bounds[i + 1]] for i in range(0, len(bounds), 2)]
    if _PREMISE_WORDS.search(code[:joins[0][0]]):
        return []
    return [j for j, before, after in zip(joins, parts, parts[1:]) if _REL.search(before) and _REL.search(after)]


def balance(text: str, offset: int = 0):
    """Close brackets left open: before a closer that skips them, or at the end of the text.
    Returns (text, [warning, ...]); an unmatched closer is left for the parser to report."""
    out, stack, warnings = [], [], []
    for i, c in enumerate(text):
        if c in _OPEN:
            stack.append((c, i + 1 + offset))
        elif c in _CLOSE:
            if stack and _PAIR[stack[-1][0]] == c:
                stack.pop()
            elif any(_PAIR[o] == c for o, _ in stack):
                while _PAIR[stack[-1][0]] != c:
                    o, col = stack.pop()
                    out.append(_PAIR[o])
                    warnings.append(f"'{o}' opened at column {col} is never closed: "
                                    f"read as closed at column {i + 1 + offset}, before '{c}'")
                stack.pop()
        out.append(c)
    while stack:
        o, col = stack.pop()
        warnings.append(f"'{o}' opened at column {col} is never closed: read as closed at the end of "
                        f"the line")
        out.append(_PAIR[o])
    return "".join(out), warnings


def split_chain(text: str, offset: int = 0):
    """``a = b >= c`` -> ``[(None, 'a', col), ('=', 'b', col), ('>=', 'c', col)]`` (relations
    outside brackets; columns 1-based).  Raises ValueError on a strict ``<``/``>`` or an arrow
    (its column counted from ``offset`` characters before ``text``: where it stands in the line)."""
    parts, depth, start, rel = [], 0, 0, None
    i = 0
    while i < len(text):
        c = text[i]
        if c in _OPEN:
            depth += 1
        elif c in _CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0:
            m = _REL.match(text, i)
            if m:
                parts.append((rel, text[start:i], start + 1))
                rel, start, i = REL_NORMAL[m.group()], m.end(), m.end()
                continue
            if c in "≈≠∼" or text[i:i + 2] == "!=":
                raise ValueError(f"'{text[i:i + 2] if c == '!' else c}' at column {i + 1 + offset}: only "
                                 "=, >= and <= are relations vi_sym checks")
            if c in "<>" or (c == "-" and text[i + 1:i + 2] == ">"):
                raise ValueError(f"'{text[i:i + 2].strip()}' at column {i + 1 + offset}: strict inequalities and "
                                 "arrows are not relations vi_sym checks")
        i += 1
    parts.append((rel, text[start:], start + 1))
    out = []
    for r, t, col in parts:
        lead = len(t) - len(t.lstrip())
        out.append((r, t.strip(), col + lead))
    return out


_UNKNOWN = re.compile(r"unknown (?:variable|name) '([^\W\d_](?:_?\d+|_[^\W_])?)'")   # θ, m, z1, z_j


def unreadable(err) -> str:
    """Why a formula cannot be read; for a name it does not know, which line declares it."""
    m = _UNKNOWN.search(str(err))
    if m and re.fullmatch(r"[^\W\d_]_[^\W\d_]", m.group(1)):     # x_n: a point, inside its sum only
        base, j = m.group(1).split("_")
        return (f"cannot read: {err} ({m.group(1)} stands only inside a sum over {j}, Σ_{{{j}=1}}^{{N}} … or "
                f"Σ_{j} …, for a coordinate of a vector or a point of a data set the note declares: "
                f"'parameters: {base}[1..N]', 'iid: X = {base}[1..N]'" + (
                    "; a mean-field factor for a general j is not read: write the update for one factor, "
                    "log q1*(z1) = E_q2[log p(x,z1,z2)] + const" if base in ("z", "Z") else "") + ")")
    hint = (f" (a line 'parameters: {m.group(1)}' declares a parameter, 'latent: {m.group(1)}' or "
            f"'observed: {m.group(1)}' a variable)") if m else ""
    run = re.search(r"unknown name '([^\W\d_]*π[^\W\d_]*)'", str(err))
    if run and len(run.group(1)) > 2:         # 2πeσ^2: letters written together are one name
        hint = f" (written together, {run.group(1)} is one name: write its letters apart, e.g. 2πe σ^2)"
    return f"cannot read: {err}{hint}"
