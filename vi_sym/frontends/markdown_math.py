"""The math of a Markdown note: where its blocks are, the premise before a formula, a block's rows.

Display blocks (``$$ … $$``, ``\\[ … \\]``, the ``align``-like environments, fenced ```` ```math ````)
and inline ``$…$`` holding a relation; "Let $q(z) = p(z|x)$. Then $$…$$" pairs a premise with the
formula after it; :func:`rows` cuts a block at ``\\\\`` into rows with their file line, column and
comment (``% by bayes_rule``, a ``\\text{…}`` cell).  :mod:`.markdown` reads what these find.
"""
from __future__ import annotations

import re

from .latex_layout import blank_layout
from .premises import korean_premise_after

__all__ = ["RELATION", "COMMENT", "display", "unclosed", "blocks", "inline_premises", "rows"]

_ENVS = (r"equation\*?|align\*?|aligned|alignat\*?|alignedat|flalign\*?|gather\*?|gathered|multline\*?|"
         r"eqnarray\*?|split|displaymath|math|dmath\*?")
_BLOCK = re.compile(r"\$\$((?:(?!\n[ \t]*\n).)+?)\$\$|\\\[(.+?)\\\]|(\\begin\{(" + _ENVS + r")\}.+?\\end\{\4\})", re.S)
_FENCE = re.compile(r"^(```|~~~)\s*(\w*)[^\n]*\n(.*?)^\1\s*$", re.S | re.M)
#: a Markdown code span with a dollar in it, `$$ … $$` (one backtick each side: LaTeX's ``quotes'' are none)
_CODE_SPAN = re.compile(r"(?<!`)`(?!`)[^`\n]*\$[^`\n]*(?<!`)`(?!`)")
#: inline math: $…$, GitLab's and GitHub's $`…`$, and MathJax's \(…\) (on one line)
_INLINE = re.compile(r"(?<![\\$])\$`([^`\n]+?)`\$|(?<![\\$])\$([^$\n]+?)\$(?!\$)|(?<!\\)\\\((.+?)\\\)")
_ENV_TAG = re.compile(r"\\(begin|end)\{(" + _ENVS + r")\}(?:\s*\{\s*\d+\s*\})?")     # alignat's {2} too
COMMENT = re.compile(r"(?<!\\)%(.*)$", re.M)
#: "Let $…$", "if $…$": the words before an inline premise; ", then", ". Then", ", we get" after it
_PREMISE_BEFORE = re.compile(r"(?:^|[^\w$\\])(?:let|set|setting|if|when|suppose|assuming|assume)\s*$", re.I)
_PREMISE_BETWEEN = re.compile(r"^\s*(?:,\s*(?:then|we\s+(?:get|have))?|\.?\s*then)(?:\s+[^\s.$]+){0,8}?\s*,?\s*$", re.I)
RELATION = re.compile(r"=|\\(?:coloneqq|triangleq|equiv|defeq)|[≔≜≡]|\\geq?|\\leq?|\\ge\b|\\le\b|≥|≤|\\overset|\\stackrel|\\propto|∝")
_INTERTEXT = re.compile(r"\\(?:short)?intertext\s*\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}")
#: an aligned row's last cell when it is prose: "& \scriptstyle{\text{; Because }p(z|x) = …}", "& \text{(Bayes)}"
#: prose after a formula: "\geq \operatorname{ELBO}(q) \text { for any } q(\mathbf{z})", "\quad\text{where } …"
_PROSE_TAIL = re.compile(r"(?:,\s*)?(?:\\q?quad\s*|\\[,;]\s*)*\\(?:text|textrm|mbox)\s*\{\s*(?:for|where|if|since|as|"
                         r"with|when|because|using|by|and|i\.e\.|e\.g\.)(?![a-zA-Z])")
_CELL_NOTE = re.compile(r"&\s*(?=\\(?:text|textrm|mbox|scriptstyle|textstyle|small|footnotesize|tiny|q?quad|because)"
                        r"(?![a-zA-Z])|\(\s*\\text(?![a-zA-Z]))")
_ANNOTATION = re.compile(r"(?:\\q?quad\s*|\\[,;]\s*)*\\(?:text|textrm|mbox)\{(?!\s*const\.?\s*\})([^{}]*)\}\s*$")


def _closed(text: str):
    """The closed display blocks (see :func:`display`) and the text as a list, them blanked."""
    out, masked = [], list(text)
    for m in _FENCE.finditer(text):
        if m.group(2).lower() == "math":
            out.append((m.start(), m.end(), m.start(3), m.group(3)))
        masked[m.start():m.end()] = " " * (m.end() - m.start())
    for m in _CODE_SPAN.finditer("".join(masked)):     # `$$ … $$` shown as code is no formula
        masked[m.start():m.end()] = " " * (m.end() - m.start())
    rest = "".join(masked)
    for m in _BLOCK.finditer(rest):
        g = next(i for i in (1, 2, 3) if m.group(i) is not None)
        out.append((m.start(), m.end(), m.start(g), m.group(g)))
        masked[m.start():m.end()] = " " * (m.end() - m.start())
    return out, masked


def _lone(rest: str) -> list:
    """The offsets of the ``$$`` left in ``rest`` (closed blocks blanked), but in a code span."""
    code = [(m.start(), m.end()) for m in re.finditer(r"`[^`\n]*`", rest)]
    return [m.start() for m in re.finditer(r"\$\$", rest) if not any(a < m.start() < b for a, b in code)]


def unclosed(text: str) -> list:
    """The offsets of the ``$$`` that no ``$$`` closes before a blank line (a display block, in
    Markdown as in LaTeX, holds no blank line)."""
    return _lone("".join(_closed(text)[1]))


def display(text: str):
    """The display-math blocks ``[(start, end, offset, body)]`` (``start:end`` the whole block with
    its delimiters) and the text with them (and all fenced code) blanked out.  A ``$$`` left
    unclosed (:func:`unclosed`) opens a block up to the blank line after it."""
    out, masked = _closed(text)
    rest = "".join(masked)
    for start in _lone(rest):
        stop = re.compile(r"\n[ \t]*\n").search(rest, start + 2)
        end = stop.start() if stop else len(rest)
        out.append((start, end, start + 2, rest[start + 2:end]))
        masked[start:end] = " " * (end - start)
    return out, "".join(masked)


def _inline(rest: str) -> list:
    """``[(start, end, offset, body)]`` of the inline formulas that hold a relation."""
    found = [(m, next(g for g in (1, 2, 3) if m.group(g) is not None)) for m in _INLINE.finditer(rest)]
    return [(m.start(), m.end(), m.start(g), m.group(g)) for m, g in found if RELATION.search(m.group(g))]


def blocks(text: str):
    """``(offset, body)`` of every math block, in file order (fenced code other than math is
    skipped; inline math only when it holds a relation)."""
    shown, rest = display(text)
    return sorted((offset, body) for _, _, offset, body in shown + _inline(rest))


def inline_premises(text: str) -> dict:
    """``{offset of a claim: (offset, body) of its premise}`` for an inline premise and the formula
    right after it (inline or display), written as "Let $q(z) = p(z|x)$. Then $…$", "If $…$ then
    $$…$$", "$…$ 로 두면 $…$" (:mod:`.premises`)."""
    shown, rest = display(text)
    inline = _inline(rest)
    items, out = sorted(shown + inline), {}
    for a, b in zip(items, items[1:]):
        gap, before = text[a[1]:b[0]], text[:a[0]].rsplit("\n", 1)[-1]
        if a in inline and gap.strip(" ").count("\n\n") <= 1 and \
                ((_PREMISE_BEFORE.search(before) and _PREMISE_BETWEEN.match(gap)) or korean_premise_after(gap)):
            out[b[2]] = (a[2], a[3])
    return out


def rows(offset: int, body: str, text: str):
    """``(line, column, row_text, comment)`` of every row of a block (file line and column)."""
    comments = {}
    def keep(m):   # noqa: E306
        comments[body[:m.start()].count("\n")] = m.group(1).strip()
        return " " * len(m.group())
    clean = blank_layout(COMMENT.sub(keep, body))        # \\[4pt], \label, continued rows (latex_layout)
    clean = _INTERTEXT.sub(lambda m: " " * len(m.group()), _ENV_TAG.sub(lambda m: " " * len(m.group()), clean))
    out, pos = [], 0
    for whole in re.split(r"(\\\\)", clean) + ["\\\\"]:
        if whole == "\\\\":
            continue
        for start, piece in side_by_side(whole, pos):
            _row(out, offset, body, text, comments, start, piece)
        pos += len(whole) + 2
    return out


#: a gap between two formulas written side by side: ``A = B, \qquad C = D``
_GAP = re.compile(r",?\s*\\q?quad(?![a-zA-Z])(?:\s*\\text\s*\{\s*(?:and|,)?\s*\}\s*\\q?quad(?![a-zA-Z]))?")
_WORDS = re.compile(r"\s*\\(?:text|textrm|mbox)\s*\{\s*[A-Za-z]")     # "…, \quad \text{for } x > 0": prose


def side_by_side(piece: str, pos: int) -> list:
    """``(offset, text)`` of the formulas a row writes side by side, ``\\mathbb{E}[Y] = …, \\qquad
    \\mathrm{Var}(Y) = …`` (each a relation, the gap outside any bracket); else the row itself."""
    cuts, depth = [], 0
    for k, c in enumerate(piece):
        depth += (c in "([{") - (c in ")]}")
        if depth == 0 and c in ",\\":
            m = _GAP.match(piece, k)
            if m and (not cuts or k >= cuts[-1][1]):
                cuts.append((k, m.end()))
    if not cuts:
        return [(pos, piece)]
    bounds = [0] + [x for cut in cuts for x in cut] + [len(piece)]
    parts = [(pos + bounds[i], piece[bounds[i]:bounds[i + 1]]) for i in range(0, len(bounds), 2)]
    if not all(RELATION.search(p) for _, p in parts) or any(_WORDS.match(p) for _, p in parts[1:]):
        return [(pos, piece)]
    return parts


def _row(out, offset, body, text, comments, start, piece):
    """Append ``piece`` (at ``start`` in ``body``) to ``out`` as a row: its file line and column,
    its text without a prose tail or annotation, and its comments."""
    if not piece.strip(" \t\n&"):
        return
    lead = len(piece) - len(piece.lstrip())
    at = offset + start + lead
    line = text.count("\n", 0, at) + 1
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    first = body[:start + lead].count("\n")
    last = first + piece.strip().count("\n")
    comment = " ".join(comments[i] for i in range(first, last + 1) if i in comments)
    row = piece.strip().rstrip(".,;")
    cell = _CELL_NOTE.search(row) or _PROSE_TAIL.search(row)
    if cell and RELATION.search(row[:cell.start()]):
        words = " ".join(re.sub(r"\\[a-zA-Z]+|[{}$]", " ", row[cell.end():]).split())
        row, comment = row[:cell.start()].rstrip(), " ".join(x for x in (words, comment) if x)
    note = _ANNOTATION.search(row)
    if note:
        row, comment = row[:note.start()].rstrip(), " ".join(x for x in (note.group(1), comment) if x)
    out.append((line, column, row, comment))
