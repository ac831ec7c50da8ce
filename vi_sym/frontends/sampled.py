"""A variable drawn from a written distribution, as closed-form notes say it.

"For $X \\sim \\mathrm{Gamma}(a, b)$, $\\mathbb{E}[\\log X] = \\psi(a) - \\log b$", plain text
"If z ~ Exp(λ) then E[z] = 1/λ": a *sampling statement* names one variable, ``\\sim`` (``~`` or
``∼`` in plain text) and a distribution of the readers' table (:mod:`.distribution_forms`).
From there to the next heading (or the next statement about the same variable), in the
formulas after it:

* a bare expectation ``E[f]`` / ``\\mathbb{E}[f]`` (and so ``Var[f]``) whose body is a function
  of that variable alone -- it names no density -- is the expectation under that distribution,
  as ``E_{X~Gamma(a, b)}[f]`` writes it;
* ``H(X)``, ``\\mathbb{H}[X]``, ``h(X)`` -- the entropy of the variable -- is the entropy of the
  distribution.

A body that names a density (``E[log p(x|z)]``) keeps the note's own meaning, under its q: the
prior a VAE note draws z from (``z \\sim \\mathcal{N}(0, I)``) never replaces q.  Each reading is
said in a warning.  The variable becomes a latent variable of the note (what the expectation
integrates over), the distribution's arguments its parameters, as for any distribution written in
a formula.
"""
from __future__ import annotations

import re

import sympy

from ..bounds import bounded_integral
from ..distributions import is_discrete
from ..notation import to_unicode
from ..parse_operators import UnreadDraw, drawn_of, under_drawn
from ..parse import Function
from ..tokens import ParseError
from ..vocabulary import Expectation, VocabularyError, entropy
from .latex_dists import readings
from .note_forms import EVENT_CALL, NoteFormError, expectation_spelling
from .statements import MAX_LINE, STATEMENT_SAID, Sampled, blank_statements, joined, sampled_in, trailing

__all__ = ["STATEMENT_SAID", "Sampled", "sampled_in", "blank_statements", "under_drawn", "reading_said",
           "text_statements", "end_section", "attach_readings", "latex_drawn", "free_letters", "drawn_of",
           "drawn_calls"]

def reading_said(s: Sampled, density) -> str:
    shown = to_unicode(density)
    return (f"{s.name} ~ {shown} (line {s.line}): E[…] and Var[…] of a function of {s.name} alone, and "
            f"H({s.name}), read under {shown} (an E[…] naming a density stays under the note's q)")


def _unread(s: Sampled, err) -> str:
    return (f"{s.var} ~ {s.dist}: the distribution cannot be read ({getattr(err, 'message', err)}); "
            f"a formula about {s.name} after it is not checked")


def _unread_said(s: Sampled) -> str:
    """Why a formula about a variable whose sampling statement could not be read is not checked."""
    return (f"{s.name} is drawn from {s.dist} (line {s.line}), which could not be read (see that line): "
            f"not checked under any other distribution")


def _model_statement(reader, s: Sampled, density) -> str | None:
    """Why ``density`` is no distribution of ``s``'s variable alone (it depends on another
    variable of the note's model: ``x ~ N(z, 1)`` is a likelihood), or None."""
    model = (set(reader.latent) | set(reader.observed)) - {s.name}
    uses = sorted(str(v) for v in density.free_symbols if str(v) in model)
    if not uses:
        return None
    return (f"{s.var} ~ {s.dist} depends on {', '.join(uses)}: a conditional of the note's model, not a "
            f"distribution of {s.name} alone (E[…] keeps the note's meaning)")


def _switch(reader, name: str) -> None:
    """``name``, observed in the note (x, X by default), is a latent variable while a sampling
    statement draws it (the chain being read is closed first: its variables stay as they were); the
    note's last observed variable stays one (the readers pair every latent with one)."""
    if name in reader.observed and len(reader.observed) > 1 and name not in (n for n, _ in reader.switched):
        reader.close()
        reader.switched.append((name, reader.observed.index(name)))
        reader.observed.remove(name)
        reader.latent.append(name)


def _unswitch(reader, name: str) -> None:
    """``name`` observed again, where its sampling statement is no longer in force."""
    for n, at in list(reader.switched):
        if n == name:
            reader.close()
            reader.switched.remove((n, at))
            reader.latent.remove(n)
            reader.observed.insert(at, n)


#: a variable a formula writes a distribution of: ``E_{x~Gamma(a, b)}``, ``\\mathbb{E}_{x \\sim …}``,
#: ``N(x | μ, σ^2)``, ``\\mathcal{N}(x \\mid μ, σ^2)``, ``Gamma(x; a, b)``
_DRAWN_HERE = {
    True: re.compile(r"_\s*\{\s*([A-Za-z])\s*(?:\\sim(?![a-zA-Z])|∼)|(?:\\mathcal\s*\{?\s*[NU]\s*\}?|\\(?:mathrm|text|"
                     r"operatorname|textrm|mathsf|rm)\s*\{\s*[A-Za-z]+\s*\})\s*(?:\\left\s*)?\(\s*([A-Za-z])\s*(?:\\mid|;|\||\\vert)"),
    False: re.compile(r"E_\{?\s*([A-Za-z])\s*[~∼]|(?<![\w.])(?:[A-Z][A-Za-z]*|𝒩)\s*\(\s*([A-Za-z])\s*[;|]"),
}
#: a density of the note's model written in a formula: p(…), q_φ(…), p_{\theta}(…), q^*(…)
_MODEL_DENSITY = re.compile(r"(?<![A-Za-z\\])[pq]\s*(?:_\s*(?:\{[^{}]*\}|\\?\w+))?\s*(?:\^\s*(?:\*|\{[^{}]*\}))?\s*"
                            r"(?:\\left\s*)?\(|(?:\bE|\\mathbb\s*\{\s*E\s*\})\s*_\s*\{?\s*[pq](?![A-Za-z])")


def drawn_here(reader, row: str, latex: bool, line: int) -> set:
    """The observed names (x, X) ``row`` writes a distribution of -- ``E_{x~Gamma(k, θ)}[x]``,
    ``\\mathcal{N}(x \\mid μ, σ^2)`` -- in a formula that writes no density of the note's model:
    a closed form about a distribution of x, in which x is what the expectation or entropy
    integrates over (a latent variable of that formula; the note's model keeps it observed)."""
    if re.match(r"\s*&?\s*(?:=|<|>|≤|≥|\\[lg]eq?(?![a-zA-Z]))", row):
        return set(reader.here)          # a step continuing the chain: as the row before it
    if len(row) > MAX_LINE or _MODEL_DENSITY.search(row):
        return set()
    names = {m.group(1) or m.group(2) for m in _DRAWN_HERE[latex].finditer(row)}
    here = {n for n in names if n in reader.observed or n in reader.here}
    for n in sorted(here - set(reader.here)):
        reader.unsaid.append((line, f"{n}, observed in the note's model, is the variable of a distribution written "
                                    f"in this formula: a latent variable here (what it integrates over)"))
    return here


def _switch_here(reader, here: set, keep=frozenset()) -> None:
    """The names a formula draws itself latent (:func:`drawn_here`), those the formula before drew
    observed again (unless a sampling statement in ``keep`` draws them)."""
    for name in sorted(set(reader.here) - here - set(keep)):
        _unswitch(reader, name)
    reader.here = set()
    for name in sorted(here):
        _switch(reader, name)
        if name in reader.latent:
            reader.here.add(name)


# -- the plain-text reader (vi_sym.frontends.note)
def text_statements(note, no: int, code: str) -> str:
    """Read the sampling statements of the plain-text line ``code`` into ``note.sampled``
    (variable -> density) and return the line with them blanked (same columns: they are prose)."""
    found = [s._replace(line=no) for s in sampled_in(code, latex=False)]
    note.current = code      # Bern(p): p a number in the statement, as in the line's formulas
    _switch_here(note, drawn_here(note, blank_statements(code) if found else code, False, no),
                 keep=set(s.name for s in found) | set(note.sampled))
    for s in found:
        _switch(note, s.name)
        try:
            synth = expectation_spelling(f"E_{{{s.name}~{s.dist}}}[{s.name}]")
            note.warnings.extend((no, w) for w in note.declare_written(synth))
            expr, _ = note.parse(synth, s.start + 1, no)
        except (ParseError, VocabularyError, NoteFormError) as err:
            _unswitch(note, s.name)
            note.skip(no, _unread(s, err))
            note.sampled[s.name] = UnreadDraw(_unread_said(s))
            continue
        why = _model_statement(note, s, expr.q)
        if why:
            _unswitch(note, s.name)
            note.skip(no, why)
            note.sampled.pop(s.name, None)
            continue
        note.sampled[s.name] = expr.q
        note.dists.append(s.dist)     # Binom(5, p): p a number in the section, as in the formula itself
        note.unsaid.append((no, reading_said(s, expr.q)))
    code = blank_statements(code) if found else code
    _text_letters(note, no, code)
    return code


#: a lone letter of a plain-text formula (not a word's, a call's or a number's)
_TEXT_LETTER = re.compile(r"(?<![\w.])([A-Za-z])(?![\w(])")


def _text_letters(note, no: int, code: str) -> None:
    """A plain-text line about a drawn variable: the lone letters it writes that the note never
    declares (an MGF's t, also of ``M_X(t)``) are parameters, as :func:`free_letters` reads them in LaTeX."""
    if not note.sampled or not any(re.search(rf"(?<!\w)(?:M_)?{re.escape(n)}(?!\w)", code) for n in note.sampled):
        return
    known = {*note.latent, *note.observed, *note.parameters, *note.declared, *_NOT_PARAMETERS}
    new = [m.group(1) for m in _TEXT_LETTER.finditer(code) if m.group(1) not in known]
    said = []
    for n in dict.fromkeys(new):
        domain = _stated_domain(note.text, n)
        note.declared[n] = domain
        said.append(_said_domain(n, domain))
    if said:
        note.unsaid.append((no, f"read {', '.join(said)}: a name the note does not declare, in a formula "
                                f"about a drawn variable"))


def expectation_call(env):
    """The plain-text ``E`` of a note: ``E(q, f)`` as in ``.vi`` files, and ``E(f)`` -- as
    statistics notes write E(X) -- the expectation under the distribution a sampling statement
    draws f's variable from (anything else is no expectation: an energy E(z) stays unread)."""
    def call(*args):
        if len(args) == 1:
            return Expectation(drawn_only(getattr(env, "drawn", None), args[0], "E(…)"), args[0])
        if len(args) == 2:
            return Expectation(*args)
        raise VocabularyError(f"E() takes the expectation's density and function, E(q, f), or the function "
                              f"alone, E(f); got {len(args)} arguments")
    return Function(call, None)


def probability_call(env):
    """The plain-text ``P(X > t)`` (read as ``Ρ(X, t)``, :func:`.note_forms.expectation_spelling`):
    ∫_t^∞ D dX for X drawn from a continuous D in a sampling statement, ``P(X < t)`` ∫_{-∞}^t."""
    def call(a, b):
        drawn = getattr(env, "drawn", None) or {}
        var = a if a in drawn else b if b in drawn else None
        if var is None:
            raise VocabularyError(f"P({a} > {b}) is read for a variable drawn from a distribution written "
                                  f"before it (X ~ Exp(λ)); neither {a} nor {b} is")
        d = drawn_of(drawn, var)
        if any(is_discrete(c.support()) for c in d.components().values()):
            raise VocabularyError(f"P({a} > {b}) under a discrete distribution: write the sum of its "
                                  f"probabilities (its ends count)")
        return bounded_integral(d, var, b, sympy.oo) if var is a else bounded_integral(d, var, -sympy.oo, a)
    return Function(call, 2)


def drawn_calls(env) -> dict:
    """The plain-text functions of the drawn variables: ``E(X)``, ``P(X > t)`` and the tables'
    moment-generating function ``M_X(t)``, E[e^{tX}] under X's distribution; with one variable
    drawn, a bare ``H`` (``H = α - log β + …``) is its entropy."""
    drawn = {v: d for v, d in (getattr(env, "drawn", None) or {}).items() if not isinstance(d, UnreadDraw)}
    mgfs = {f"M_{v}": Function(lambda t, v=v, d=d: Expectation(d, sympy.exp(t * v)), 1) for v, d in drawn.items()}
    if len(drawn) == 1:      # "z ~ Gamma(a, b)", then "H = …": of the one variable drawn
        (v, d), = drawn.items()
        if "H" not in env.variables:
            env.constants.setdefault("H", entropy(d))
    return {"E": expectation_call(env), EVENT_CALL: probability_call(env), **mgfs}


def drawn_only(drawn, body, shown: str):
    """The distribution ``body``'s one drawn variable is drawn from, for ``E(X)``/``\\mathbb{E}(X)``
    with round brackets; else a VocabularyError (write E[…], or state how X is drawn)."""
    found = under_drawn(drawn, None, body)
    if found is None:
        raise VocabularyError(f"{shown} with round brackets is read as an expectation of a variable drawn in a "
                              f"sampling statement (X ~ Gamma(a, b)); write E[…] for the note's q")
    return found


def end_section(note) -> None:
    """A heading: the premise and the sampling statements before it are over."""
    note.standing, note.sampled, note.dists, note.here = None, {}, [], set()
    for name, _ in list(note.switched):
        _unswitch(note, name)


def attach_readings(note) -> None:
    """Say each statement's reading at the first chain read from its line on."""
    for line, text in note.unsaid:
        first = next((c for c in note.chains if c.line >= line), None)
        if first is not None:
            note.warnings.append((first.line, text))
    note.unsaid = []


# -- the LaTeX readers (vi_sym.frontends.markdown, .tex)
_HEADING = re.compile(r"^[ ]{0,3}#{1,6}[ \t]|\\(?:sub)*section\*?\{", re.M)


def latex_drawn(reader, offset: int, row: str, line: int):
    """{variable: density} of the sampling statements in force at ``offset`` of the note: each
    variable's last statement before it, with no heading between; read once each (a statement that
    cannot be read is skipped with its reason; what reading one declared goes to ``reader.unsaid``,
    said with the chain of the row that uses it).  ``row`` is the formula's text, at ``offset``
    on ``line``: (the row without the statements it ends with, the densities) -- a statement
    written right after a formula as its condition ("…, \\quad X \\sim \\mathrm{Beta}(a, b)",
    "$\\mathbb{E}[V] = \\lambda$ where $V \\sim \\mathrm{Pois}(\\lambda)$") is in force for it too, and
    one written after a display for every formula of it (``reader.block_end``: where the display ends)."""
    cut, inside = trailing(row)
    ends = {offset + len(row), getattr(reader, "block_end", 0)}      # a statement after a display: all its rows
    after = [(s, s.start - offset) for s in reader.sampled
             if any(s.start >= end and joined(reader.text[end:s.start]) for end in ends)] \
        if reader.text.startswith(row, offset) else []
    extra = {s.name: s._replace(line=line + row[:at].count("\n")) if (s, at) in inside else s
             for s, at in reversed(inside + after[:1])}
    return cut, _in_force(reader, offset, line, extra, drawn_here(reader, cut, True, line))


def _in_force(reader, offset: int, line: int, extra: dict, here: set) -> dict:
    """:func:`latex_drawn`'s densities: ``extra`` ({variable: statement}) the statements written after
    the formula as its condition, in force unless its own line states the variable before it;
    ``here``: the names the row draws itself (:func:`drawn_here`)."""
    _switch_here(reader, here)
    if not reader.sampled and not extra:
        return {}
    latest = {}
    for s in reader.sampled:
        if s.end <= offset and not _HEADING.search(reader.text, s.end, offset):
            latest[s.name] = s
    for name, s in extra.items():
        if name not in latest or latest[name].line != line:
            latest[name] = s
    for name, _ in list(reader.switched):
        if name not in latest and name not in reader.here:
            _unswitch(reader, name)
    out = {}
    for name, s in latest.items():
        if s not in reader.sampled_read:
            _switch(reader, name)
            reader.sampled_read[s] = _latex_density(reader, s)
            if reader.sampled_read[s] is None:
                _unswitch(reader, name)
        out[name] = reader.sampled_read[s] if reader.sampled_read[s] is not None else UnreadDraw(_unread_said(s))
    reader.written.standing = {n: reader.written.declared.get(n, "unit") for d in out.values()     # Bern(p): p a number
                               if not isinstance(d, UnreadDraw) for n in ("p", "q")
                               if any(str(v) == n for v in d.free_symbols)}
    return out


def _latex_density(reader, s: Sampled):
    """The density of ``s``'s distribution over its variable, read as ``\\mathbb{E}_{v \\sim D}[v]``
    is (its arguments declared, the variable a latent); None when it cannot be read."""
    synth = f"\\mathbb{{E}}_{{{s.var} \\sim {s.dist}}}[{s.var}]"
    before = dict(reader.written.declared)
    try:
        items = reader.parsed(synth, reader.variables(), synth)
    except (ParseError, VocabularyError) as err:
        reader.written.declared = before
        reader.written.warnings.clear()
        reader.skip(s.line, _unread(s, err))
        return None
    density = items[0][1].q
    why = _model_statement(reader, s, density)
    if why:
        reader.written.declared = before
        reader.written.warnings.clear()
        reader.skip(s.line, why)
        return None
    drawn = [n for n in reader.written.latents if n not in reader.latent]
    reader.latent += drawn
    new = {n: d for n, d in reader.written.declared.items() if n not in before}
    reader.unsaid.extend((s.line, w) for w in readings(new, reader.written, drawn))
    reader.unsaid.extend((s.line, w) for w in reader.written.warnings)
    reader.written.warnings.clear()
    reader.unsaid.append((s.line, reading_said(s, density)))
    return density


#: letters that are no parameter: the differential, Euler's number, i, the densities and operators
_NOT_PARAMETERS = set("deipqEPHhBNU")


def _stated_domain(text: str, n: str) -> str:
    """"positive" where the note says ``n > 0``, "nonnegative" where it says ``n \\geq 0`` (``n >= 0``,
    ``n ≥ 0``, or a list ending so, ``s, t \\geq 0``), else "real"."""
    at = rf"(?<![\\\w]){re.escape(n)}\s*(?:,\s*\\?[A-Za-z]+\s*)*"      # "s, t \\geq 0" bounds s too
    if re.search(at + r"(?:>|\\gt(?![a-z]))\s*0(?!\.?\d)", text):
        return "positive"
    if re.search(at + r"(?:\\geq?(?![a-z])|\\ge(?![a-z])|≥|>=)\s*0(?!\.?\d)", text):
        return "nonnegative"
    return "real"


def _said_domain(n: str, domain: str) -> str:
    return {"positive": f"{n} as a positive parameter (the note says {n} > 0)",
            "nonnegative": f"{n} as a nonnegative parameter (the note says {n} ≥ 0)"}.get(domain, f"{n} as a real parameter")


def _latex_names(row: str) -> list:
    """``(name, single, called)`` of the names a LaTeX formula writes, in order: each letter is one
    (LaTeX juxtaposes them: ``tY`` is t·Y), with its subscript (``a_N``: aN, not single); the words
    of commands and of ``\\text{…}``/``\\mathrm{…}`` are none; ``called``: a bracket follows (f(x))."""
    clean = re.sub(r"\\(?:text|textrm|mathrm|operatorname|mathbb|mathcal|mathsf|mbox)\s*\{[^{}]*\}", lambda m: " " * len(m.group()), row)
    clean = re.sub(r"\\[a-zA-Z]+", lambda m: " " * len(m.group()), clean)
    out = []
    for m in _LATEX_NAME.finditer(clean):
        called = bool(re.match(r"\s*(?:\\left\s*)?\(", row[m.end():]))
        out.append((m.group(1) + re.sub(r"[{}\s_]", "", m.group(2) or ""), not m.group(2), called))
    return out


_LATEX_NAME = re.compile(r"([A-Za-z])(\s*_\s*(?:\{[^{}]*\}|[A-Za-z0-9]))?")


def free_letters(reader, row: str, drawn, line: int) -> list:
    """The single letters a formula about a drawn variable writes and the note never declares --
    the threshold t of ``P(T > t)``, the argument t of a moment generating function -- declared
    parameters (positive where the note says ``t > 0``, nonnegative where it says ``t \\geq 0``,
    real otherwise); what was read, in words (said at ``line``)."""
    names = _latex_names(row)
    mgfs = {n[1:] for n, single, called in names if called and len(n) == 2 and n[0] == "M"}     # M_X(t): of X
    if not set(drawn) & ({n for n, _, _ in names} | mgfs):         # drawn: the names of the drawn variables
        return []
    known = set(reader.variables()) | set(reader.latent) | set(reader.observed) | _NOT_PARAMETERS
    new = list(dict.fromkeys(n for n, single, called in names if single and not called and n not in known))
    said = []
    for n in new:
        domain = _stated_domain(reader.text, n)
        {"positive": reader.positive, "nonnegative": reader.nonnegative, "real": reader.parameters}[domain].append(n)
        said.append(_said_domain(n, domain))
    return [(line, f"read {', '.join(said)}: a name the note does not declare, in a formula about a drawn "
                   f"variable")] if said else []
