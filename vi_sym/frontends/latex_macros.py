"""Macros a LaTeX note defines for itself, expanded before a row is parsed.

Notes written in LaTeX name their operators once and use the short name everywhere::

    \\newcommand{\\E}{\\mathbb{E}}              \\E_{q(z)}[\\log p(x, z)]
    \\newcommand{\\KL}[2]{D_{\\mathrm{KL}}(#1 \\| #2)}   \\KL{q(z)}{p(z \\mid x)}
    \\DeclareMathOperator{\\ELBO}{ELBO}          \\ELBO(q)
    \\def\\dd{\\mathrm{d}}                        \\int q(z) \\, \\dd z

:func:`definitions` finds ``\\newcommand``, ``\\renewcommand``, ``\\providecommand`` (each with an
optional ``*``, a number of arguments ``[n]`` and a default for the first ``[…]``), ``\\def`` (with
``#1#2…`` parameters) and ``\\DeclareMathOperator`` (``*`` too: the operator takes its limits
below).  :func:`expand` replaces every use in a row, arguments substituted, the result expanded
again (a macro may use another), and says for each character it produced the column of the row it
came from — so a row that cannot be read is still reported at the column the note's author typed.
A definition inside a row is dropped from it.  A macro that expands without end
(``\\newcommand{\\a}{\\a}``) or past :data:`MAX_EXPANDED` characters is a ParseError at its column,
never a hang.  Nothing is executed: this is string substitution, as TeX's own expansion is.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from ..parse import ParseError

__all__ = ["Macro", "Macros", "BUILTIN", "datapoints", "primes", "PRIME", "definitions", "expand", "MAX_EXPANDED"]

MAX_EXPANDED = 20_000        # characters a row may grow to by expansion
MAX_EXPANSIONS = 500         # macro uses expanded in one row
_DEFINE = re.compile(r"\\(newcommand|renewcommand|providecommand|DeclareMathOperator|def)(\*?)(?![a-zA-Z])")
_NAME = re.compile(r"\\([a-zA-Z]+|[^a-zA-Z\s])")
#: names TeX and the LaTeX grammar need as they are: redefining them is refused
_PROTECTED = frozenset({"begin", "end", "left", "right", "frac", "newcommand", "renewcommand", "def",
                        "providecommand", "DeclareMathOperator"})


@dataclass(frozen=True)
class Macro:
    """``\\name`` with ``nargs`` arguments (the first optional, ``default``, when given) -> ``body``
    (``#1`` … ``#9`` the arguments); ``only``: (k, pattern) -- expanded only when argument k
    matches ``pattern``, else left as written."""
    name: str
    nargs: int
    body: str
    default: str | None = None
    only: tuple | None = None


#: LaTeX's own spellings the grammar reads in another form: ``\\underset{q \\in \\mathcal{Q}}{\\arg\\min}``
#: is ``\\arg\\min_{q \\in \\mathcal{Q}}`` and ``\\underset{q(z)}{\\mathbb{E}}`` is ``\\mathbb{E}_{q(z)}`` (an
#: ``\\underset{\\text{Bayes}}{=}`` over a relation is left to the grammar, which reads it as \\overset)
BUILTIN = {"underset": Macro("underset", 2, "#2_{#1}",
                             only=(2, r"\s*\\(arg|max|min|sup|inf|operatorname|mathbb\s*\{?\s*E|mathbf\s*\{?\s*E)"))}
#: bold is the letter (``\\boldsymbol{\\theta}`` is θ, ``\\mathbf{x}`` is x, as the grammar reads a bold name),
#: so a bold subscript or argument reads as the plain one: Kingma & Welling's ``p_{\\boldsymbol{\\theta}}``
#: is ``p_{\\theta}``; a bold E (``\\mathbf{E}[…]``, an expectation) is left to the grammar; the zero
#: vector ``\\mathbf{0}`` of ``\\mathcal{N}(\\mathbf{0}, \\mathbf{I})`` is 0 in each coordinate
BUILTIN.update({b: Macro(b, 1, "#1", only=(1, r"\s*(\\[a-zA-Z]+|[a-zA-DF-Z]|[a-z]|\d)\s*$"))
                for b in ("boldsymbol", "mathbf", "bm", "mathbfit", "vb", "pmb")})
#: PRML's and Blei's q̃_j, the density whose log is E_{i≠j}[log p(x, z)] + const: the optimal factor
#: q_j* (``\\tilde{q}_1(z_1)`` is ``q^*_1(z_1)``); a tilde over anything else is left to the grammar
#: ``\\frac12``, ``\\tfrac12``, ``\\frac1\\lambda``: as TeX reads them, each argument one token when not
#: braced -- the grammar's ``\\cfrac{…}{…}`` (its FRAC), every argument braced
BUILTIN.update({f: Macro(f, 2, "\\cfrac{#1}{#2}") for f in ("frac", "dfrac", "tfrac")})
BUILTIN["tilde"] = Macro("tilde", 1, "#1^*", only=(1, r"\s*q\s*$"))
#: an estimate and a mean over a letter, ``\\hat{\\theta}``, ``\\bar{x}``: the names θhat, xbar (as ``\\theta^{\\text{hat}}``
#: is read: a parameter where its base is one, EM's θ̂ of the M-step)
BUILTIN.update({d: Macro(d, 1, "#1^{\\text{" + w + "}}", only=(1, r"\s*(\\[a-zA-Z]+|[a-zA-Z])\s*$"))
                for d, w in (("hat", "hat"), ("widehat", "hat"), ("bar", "bar"), ("overline", "bar"))})
#: a primed name, ``\\alpha'``, ``\\beta^{\\prime}``, ``x'`` (the other density's parameters of a KL): the
#: name with a modifier-letter prime, αʹ (a letter of an identifier, so a ``.vi`` file can name it)
_PRIME = re.compile(r"(?<=[A-Za-z0-9}])(?:'|\^\s*\\prime(?![a-zA-Z])|\^\s*\{\s*\\prime\s*\})")
PRIME = "ʹ"


def primes(text: str) -> str:
    """``text`` with each prime after a name written ``ʹ`` (``\\alpha'`` is the name αʹ), padded to
    keep its length (every column stays the row's)."""
    return _PRIME.sub(lambda m: PRIME + " " * (len(m.group()) - 1), text)


#: K&W's x^{(i)}, the i-th data point: in a sum over i, x_i (the sum's point, as x_i is); elsewhere x
_DATAPOINT = re.compile(r"\^\{\s*\(\s*([a-zA-Z])\s*\)\s*\}")


def datapoints(text: str, declared) -> str:
    """``text`` with each ``^{(i)}`` after a name -- Kingma & Welling's i-th data point -- read as the
    point: ``_{i}`` inside a ``\\sum_{i…}``/``\\prod_{i…}`` of the row, nothing elsewhere (the
    derivation is of one data point); an ``i`` the note declares is left as written.  The text keeps
    its length (every column stays the row's)."""
    def point(m):
        k = m.group(1)
        if k in declared:
            return m.group()
        if re.search(r"\\(sum|prod)\s*_\s*\{?\s*" + k + r"(?![a-zA-Z])", text):
            return f"_{{{k}}}".ljust(len(m.group()))
        return " " * len(m.group())
    return _DATAPOINT.sub(point, text)


def _group(text: str, i: int):
    """The balanced ``{…}`` starting at ``text[i]`` -> (its content, index after it), or None
    (``\\{`` and ``\\}`` are characters, not braces)."""
    if i >= len(text) or text[i] != "{":
        return None
    depth, j = 0, i
    while j < len(text):
        c = text[j]
        if c == "\\":
            j += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return text[i + 1:j], j + 1
        j += 1
    return None


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\n":
        i += 1
    return i


def _optional(text: str, i: int):
    """``[…]`` at ``text[i]`` -> (content, index after it), or None."""
    if i < len(text) and text[i] == "[":
        end = text.find("]", i)
        if end > 0:
            return text[i + 1:end], end + 1
    return None


def _name_at(text: str, i: int):
    """``\\name`` or ``{\\name}`` at ``text[i]`` -> (name, index after it), or None."""
    braced = i < len(text) and text[i] == "{"
    m = _NAME.match(text, i + braced)
    if not m:
        return None
    end = m.end()
    if braced:
        end = _skip_space(text, end)
        if end >= len(text) or text[end] != "}":
            return None
        end += 1
    return m.group(1), end


def parse_definition(text: str, m: re.Match):
    """The macro defined at the match ``m`` of :data:`_DEFINE` -> (Macro, end), or (reason, end)."""
    kind, star = m.group(1), m.group(2)
    got = _name_at(text, _skip_space(text, m.end()))
    if got is None:
        return f"\\{kind} without a macro name after it", m.end()
    name, i = got
    if name in _PROTECTED:
        return f"\\{kind} redefines \\{name}, which vi_sym reads as LaTeX's own", i
    if kind == "DeclareMathOperator":
        body = _group(text, _skip_space(text, i))
        if body is None:
            return f"\\DeclareMathOperator{{\\{name}}} without its {{text}}", i
        return Macro(name, 0, f"\\operatorname{star}{{{body[0]}}}"), body[1]
    nargs, default = 0, None
    if kind == "def":
        params = re.match(r"(#[1-9])*", text[i:])
        nargs, i = len(params.group()) // 2, i + params.end()
    else:
        opt = _optional(text, _skip_space(text, i))
        if opt is not None:
            if not opt[0].strip().isdigit() or not 0 <= int(opt[0]) <= 9:
                return f"\\{kind}{{\\{name}}}[{opt[0]}]: the number of arguments is 0 to 9", opt[1]
            nargs, i = int(opt[0]), opt[1]
            opt = _optional(text, _skip_space(text, i))
            if opt is not None:
                default, i = opt
    body = _group(text, _skip_space(text, i))
    if body is None:
        return f"\\{kind}{{\\{name}}} without its {{definition}} (braces not balanced)", i
    return Macro(name, nargs, body[0], default), body[1]


def definitions(text: str) -> list:
    """``[(start, end, Macro or reason)]`` of every definition in ``text``, in order."""
    out, pos = [], 0
    while True:
        m = _DEFINE.search(text, pos)
        if m is None:
            return out
        got, end = parse_definition(text, m)
        out.append((m.start(), end, got))
        pos = max(end, m.end())


class Macros:
    """The definitions of a note, each in force from where it is made."""

    def __init__(self, text: str = "", preamble: str = ""):
        self.found = [(-1, -1, d) for _, _, d in definitions(preamble)] + definitions(text)
        self._starts = [s for s, _, _ in self.found]

    def problems(self) -> list:
        """``[(offset, reason)]`` of the definitions that could not be read."""
        return [(s, d) for s, _, d in self.found if isinstance(d, str)]

    def at(self, offset: int) -> dict:
        """``{name: Macro}`` in force at ``offset`` (a later definition replaces an earlier one)."""
        out = {}
        for _, _, d in self.found[:bisect_right(self._starts, offset)]:
            if isinstance(d, Macro):
                out[d.name] = d
        return out


def _argument(chars: list, text: str, i: int):
    """One argument at ``chars[i]`` (``text`` their characters: a balanced group, a control word
    or one character) -> (its characters with their origins, index after it), or None."""
    i = _skip_space(text, i)
    if i >= len(chars):
        return None
    if text[i] == "{":
        got = _group(text, i)
        if got is None:
            return None
        return chars[i + 1:got[1] - 1], got[1]
    m = _NAME.match(text, i)
    end = m.end() if m else i + 1
    return chars[i:end], end


def _substitute(macro: Macro, args: list, origin: int) -> list:
    """The body with ``#k`` replaced by argument k; the body's own characters take ``origin``."""
    out, body, i = [], macro.body, 0
    while i < len(body):
        if body[i] == "#" and i + 1 < len(body) and body[i + 1].isdigit() and 0 < int(body[i + 1]) <= len(args):
            out.extend(args[int(body[i + 1]) - 1])
            i += 2
            continue
        out.append((body[i], origin))
        i += 1
    return out


def expand(row: str, macros: dict):
    """``row`` with every macro of ``macros`` expanded -> (text, where), ``where[i]`` the index in
    ``row`` of the character ``text[i]`` came from; a definition in the row is dropped.  Raises
    ParseError (column of the use) on a missing argument or an expansion without end."""
    chars = [(c, k) for k, c in enumerate(row)]
    i, count, text = 0, 0, row
    if "\\" not in row or not (macros or _DEFINE.search(row)):
        i = len(chars)                     # nothing to expand: the bare functions only
    while i < len(chars):
        if chars[i][0] != "\\":
            i += 1
            continue
        d = _DEFINE.match(text, i)
        if d is not None:
            _, end = parse_definition(text, d)
            del chars[i:end]
            text = "".join(c for c, _ in chars)
            continue
        m = _NAME.match(text, i)
        macro = macros.get(m.group(1)) if m else None
        if macro is None:
            i = m.end() if m else i + 1
            continue
        origin, j, args = chars[i][1], m.end(), []
        for k in range(macro.nargs):
            if k == 0 and macro.default is not None:
                opt = _optional(text, _skip_space(text, j))
                if opt is None:
                    args.append([(c, origin) for c in macro.default])
                    continue
                start = _skip_space(text, j) + 1
                args.append(chars[start:opt[1] - 1])
                j = opt[1]
                continue
            got = _argument(chars, text, j)
            if got is None:
                raise ParseError(f"\\{macro.name} takes {macro.nargs} argument(s) ({{…}} each); "
                                 f"argument {k + 1} is missing", origin + 1)
            args.append(got[0])
            j = got[1]
        if macro.only and not re.match(macro.only[1], "".join(c for c, _ in args[macro.only[0] - 1])):
            i = m.end()
            continue
        body = _substitute(macro, args, origin)
        # TeX reads a control word to its last letter: keep \vert and the x of \mathbf{x} apart
        if body and body[0][0].isalpha() and re.search(r"\\[a-zA-Z]+$", text[max(0, i - 40):i]):
            body.insert(0, (" ", origin))
        if body and j < len(chars) and chars[j][0].isalpha() and \
                re.search(r"\\[a-zA-Z]+$", "".join(c for c, _ in body[-40:])):
            body.append((" ", origin))
        chars[i:j] = body
        text = "".join(c for c, _ in chars)
        count += 1
        if count > MAX_EXPANSIONS or len(chars) > MAX_EXPANDED:
            used = _NAME.match(row, origin)      # the macro as written in the row
            raise ParseError(f"\\{used.group(1) if used else macro.name} expands without end or past "
                             f"{MAX_EXPANDED} characters (a definition that uses itself, directly or "
                             "through another macro)", origin + 1)
    return _functions(chars)


#: log, ln, exp typed without their backslash (``\\mathbb{E}[log p(x, z)]``, ``logp(x)``), or set upright
#: (``\\mathrm{log}``, ``\\operatorname{ln}``): no note multiplies l, o and g
_BARE_FUNCTION = re.compile(r"\\(?:mathrm|operatorname|text|textrm)\s*\{\s*(log|ln|exp)\s*\}|(?<![\\a-zA-Z{])(log|ln|exp)"
                            r"(?=[pq]\s*[(_]|\s|[(\[{\\|])")


def _functions(chars: list):
    """(text, where) of ``chars`` with :data:`_BARE_FUNCTION` read as ``\\log``, ``\\ln``, ``\\exp``."""
    text = "".join(c for c, _ in chars)
    out, last = [], 0
    for m in _BARE_FUNCTION.finditer(text):
        out.extend(chars[last:m.start()])
        origin = chars[m.start()][1]
        word = m.group(1) or m.group(2)
        out.extend((c, origin) for c in "\\" + word)
        if m.end() < len(text) and text[m.end()].isalpha():
            out.append((" ", origin))         # logp(x): \log p(x)
        last = m.end()
    out.extend(chars[last:])
    return "".join(c for c, _ in out), [k for _, k in out]


def back(where: list, row: str, column: int) -> int:
    """The 1-based column of ``row`` that the 1-based ``column`` of its expansion came from."""
    if not where:
        return column
    if column - 1 >= len(where):
        return len(row)
    return where[max(column - 1, 0)] + 1
