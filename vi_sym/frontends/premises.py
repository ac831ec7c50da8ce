"""Premises in a note: "let q(z) = p(z|x), then KL(q ‖ p(z|x)) = 0", "q(z) = p(z|x) 로 두면 …".

A premise sets an arbitrary density to a particular one; the claim after it holds *under* it.
The premise itself is no claim (q is arbitrary: q(z) = p(z|x) is false in general, and checking
it would refute what the learner never claimed), and the claim is the statement with the premise
substituted: ``claim[q(z) := p(z|x)]`` -- proving that proves "if q = p(z|x) then claim", and a
counterexample to it is one to the conditional statement.

A premise is recognised by its words: ``let / set / setting / if / when / suppose / assuming``
before it and ``then`` or a comma after it (English, inside one formula stretch), or a Korean
ending after it (``로 두면``, ``이라 하면``, ``일 때``, ``이면``, …).  Only ``D(vars) = expression``
with D a density the claim may mention is substituted; any other premise leaves the claim
unchecked (skipped, with the reason), never checked without its premise.
"""
from __future__ import annotations

import re

import sympy

from ..notation import to_unicode
from ..parse import ParseError
from ..vocabulary import Density, VocabularyError
from .draws import drawn_latents
from .latex_functions import latex_name
from .textnote import balance, split_chain, without_label

__all__ = ["quantity_premise", "latex_premise", "english_premise", "korean_premise_after", "substitution", "read_segments", "unused_definition",
           "standing_premise", "TILDE_SAID"]

_ENGLISH_HEAD = re.compile(r"^(?:let|set|setting|if|when|suppose|assuming|assume)\s+", re.I)
_ENGLISH_TAIL = re.compile(r"\s*,\s*then\s+|\s+then\s+|\s*,\s*(?:we\s+(?:get|have)\s+)?", re.I)
_KOREAN = re.compile(r"^\s*(?:(?:으?로|이?라고?|라)\s*(?:두면|놓으면|하면|가정하면|두고|놓고|둘\s*때|놓을\s*때)"
                     r"|일\s*때|이면(?!서)|라면|이라면|인\s*경우)")


def english_premise(text: str):
    """``(premise, its offset, claim, its offset)`` for ``let P, then C`` (offsets in ``text``; the
    premise ends at the first comma or ``then`` outside brackets, so ``N(z; 0, 1)`` stays whole),
    else None."""
    head = _ENGLISH_HEAD.match(text)
    if not head:
        return None
    depth = 0
    for i in range(head.end(), len(text)):
        depth += (text[i] in "([{") - (text[i] in ")]}")
        tail = _ENGLISH_TAIL.match(text, i) if depth == 0 else None
        if tail and "=" in text[head.end():i] and text[tail.end():].strip():
            return text[head.end():i].strip(), head.end(), text[tail.end():].strip(), tail.end()
    return None


#: what joins a claim to its consequence on the same line: "KL = 0 이므로 log p(x) = ELBO", ", so …"
_CONSEQUENCE = re.compile(r"^\s*,?\s*(?:이므로|므로|이니까|니까|이고|이며|따라서|그러므로|즉|so|hence|thus|therefore|and)"
                          r"\s*,?\s*(?:따라서|그러므로|즉)?\s*,?\s*$", re.I)


def korean_premise_after(gap: str) -> bool:
    """Does the prose right after a formula make it a premise (``… 로 두면``, ``… 일 때``)?"""
    return bool(_KOREAN.match(gap))


#: the name a premise defines: ``w_k = …``, ``w_k := …``, ``\\tilde{w}_k \\coloneqq …``, ``K = 2``
_DEFINED = re.compile(r"^\s*(?:\\[a-zA-Z]+\s*\{\s*)?(\\?[A-Za-z]+)\s*\}?\s*(?:_\s*(?:\{[^{}]*\}|\w+)\s*)?"
                      r"(?:\^\s*(?:\{[^{}]*\}|\w)\s*)?(?:=|:=|\\coloneqq|\\triangleq|\\equiv|≔|≜)")


def unused_definition(premise: str, claim: str) -> str | None:
    """The name a premise that defines one (``w_k = p(x, z_k)/q(z_k)``) defines, when the claim
    after it never writes that name: such a premise does not bear on the claim, which is read
    without it.  None when the premise defines no name or the claim uses it."""
    m = _DEFINED.match(premise)
    if m is None:
        return None
    name = m.group(1)
    used = re.search(rf"(?<![A-Za-z\\]){re.escape(name)}(?![A-Za-z])", claim)
    return None if used else name


#: a named quantity a premise defines: ``w = p(x, z)/q(z)``, the IWAE's ``w_k = p(x, z_k)/q(z_k)``
_QUANTITY = re.compile(r"^\s*(?P<name>\\?[A-Za-z]+)\s*(?:_\s*(?:\{\s*(?P<i1>[a-z])\s*\}|(?P<i2>[a-z])(?![A-Za-z])))?\s*"
                       r"(?:=|:=|\\coloneqq|\\triangleq|\\equiv|≔|≜)\s*(?P<rhs>.+?)\s*$", re.S)


def quantity_premise(premise: str, claim: str, known, parse, name_of) -> dict | None:
    """``{symbol: expression}`` of a premise that names a quantity the note does not declare
    (``known``: its names), ``w = p(x, z)/q(z)``; one indexed by a letter, ``w_k = p(x, z_k)/q(z_k)``,
    defines each w_n the ``claim`` writes (w_1, w_2), k read as n.  ``parse(text)``: the expression
    of a formula; ``name_of``: a LaTeX name's ``.vi`` name.  None when the premise is no such one."""
    m = _QUANTITY.match(premise)
    if m is None or name_of(m.group("name")) in known or name_of(m.group("name")) in ("p", "q"):
        return None
    name, k, rhs = name_of(m.group("name")), m.group("i1") or m.group("i2"), m.group("rhs")
    if k is None:
        return {sympy.Symbol(name): parse(rhs)}
    written = re.escape(m.group("name"))
    numbers = sorted({int(n) for n in re.findall(rf"{written}\s*_\s*\{{?\s*(\d+)\s*\}}?", claim)})
    return {sympy.Symbol(f"{name}{n}"): parse(re.sub(rf"_\s*(?:\{{\s*{k}\s*\}}|{k}(?![A-Za-z]))", f"_{{{n}}}", rhs))
            for n in numbers} or None


def latex_premise(reader, body: str, claim: str, parse):
    """The substitution a LaTeX note's premise ``q(z) = p(z|x)`` makes -- or the quantities it names,
    ``w_k = p(x, z_k)/q(z_k)``, for the ``claim`` after it (:func:`quantity_premise`) -- or why none.
    ``reader``: the note's reader (its latents grow by the copies the claim draws, z_1, z_2 \\sim q);
    ``parse(text)``: its items."""
    try:
        reader.latent += drawn_latents(claim, reader.draws, {*reader.latent, *reader.variables()})
        named = quantity_premise(body, claim, {*reader.variables(), *reader.latent}, lambda t: parse(t)[0][1], latex_name)
        if named is not None:
            return named
        items = parse(body)   # θ^old: decorated θ
    except (ParseError, VocabularyError) as err:
        return f"cannot be read ({getattr(err, 'message', err)})"
    if len(items) != 2 or items[1][0] != "=":
        return "is not one equation 'q(z) = …'"
    return substitution(items[0][1], items[1][1]) or "does not set an arbitrary density such as q(z)"


def substitution(lhs, rhs) -> dict | None:
    """``{D: rhs}`` for a premise ``D = rhs`` that sets an arbitrary density ``D`` (q, q1, q_j, r:
    not a conditional of the model -- ``p(z|x) = …`` is no premise) to an expression with a
    density in it and without D, else None."""
    if isinstance(lhs, Density) and not lhs.given and re.fullmatch(r"[qr]\w*", str(lhs.name)) \
            and rhs.atoms(Density) and lhs not in rhs.atoms(Density):
        return {lhs: rhs}
    return None


def read_segments(note, no: int, code: str, segments: list, remark: str, alone: bool) -> None:
    """Read the formula stretches of one line, a premise and the claim under it together."""
    i = 0
    while i < len(segments):
        col, text = without_label(*segments[i])
        english = english_premise(text)
        following = segments[i + 1] if i + 1 < len(segments) else None
        if english:
            premise, at, claim, claim_at = english
            _under(note, no, (col + at, premise), [(col + claim_at, claim)], remark, alone)
        elif following and korean_premise_after(code[segments[i][0] - 1 + len(segments[i][1]):following[0] - 1]):
            claims = [without_label(*following)]
            i += 1          # "… 이면 A 이므로 B": B follows from A under the premise too
            while i + 1 < len(segments) and _CONSEQUENCE.match(code[segments[i][0] - 1 + len(segments[i][1]):
                                                                     segments[i + 1][0] - 1]):
                i += 1
                claims.append(without_label(*segments[i]))
            _under(note, no, (col, text), claims, remark, alone)
        elif following is None and korean_premise_after(code[segments[i][0] - 1 + len(segments[i][1]):]):
            note.close()        # "E_q[f(z)] = ∫ q(z) f(z) dz 로 두고": set, not claimed
            note.skip(no, f"a definition the note sets ({text.strip()} …{code[segments[i][0] - 1 + len(segments[i][1]):].strip()}), "
                          "not a claim: not checked")
        else:
            _formula(note, no, col, text, remark, alone)
        i += 1


def _formula(note, no, col, text, remark, alone) -> None:
    try:
        note.formula(no, col, text, remark, alone)
    except ValueError as err:       # NoteFormError too
        note.close()
        note.skip(no, f"cannot read: {err}")


def _under(note, no, premise, claims, remark, alone) -> None:
    """The claims read with the premise substituted; the premise itself is not checked."""
    col, text = premise
    found = _premise(note, no, col, text)
    note.close()
    if isinstance(found, str) and all(unused_definition(text, c[1]) for c in claims):
        note.skip(no, f"a definition ({text}) the formula after it does not use: read without it")
        for claim in claims:
            _formula(note, no, *claim, remark, alone)
        return
    if isinstance(found, str):
        return note.skip(no, f"a premise ({text}): {found}; the formula after it holds under the premise "
                             "and is not checked without it")
    (lhs, rhs), = found.items()
    note.skip(no, f"a premise, not a claim: {to_unicode(lhs)} = {to_unicode(rhs)} (the formula after it is "
                  f"read with {to_unicode(lhs)} replaced by {to_unicode(rhs)})")
    note.premise, note.standing = found, (found, no)
    try:
        for claim in claims:
            _formula(note, no, *claim, remark, alone)
            note.close()
    finally:
        note.premise = {}


def _premise(note, no, col, text):
    """The premise's substitution, or why there is none (a sentence)."""
    try:
        parts = split_chain(balance(text)[0], col - 1)
        if len(parts) != 2 or parts[1][0] != "=":
            return "a premise is one equation 'q(z) = …'"
        (lhs, _), (rhs, _) = (note.parse(t, col + c - 1, no) for _, t, c in parts)
    except (ValueError, ParseError, VocabularyError) as err:
        return f"it cannot be read: {err}"
    return substitution(lhs, rhs) or ("only a premise that sets an arbitrary density, such as q(z) = p(z|x), "
                                      "is substituted")


def standing_premise(standing) -> tuple:
    """The last premise of the note's section (``$q(z) = p(z|x,\\theta^{old})$`` before the
    E-step's formula; ``standing``: (substitution, its line) or None) as the
    :attr:`vi_sym.core.Step.premises` of a later formula that has no premise of its own: never
    assumed there, only tried as a likely fix when the formula fails as written."""
    if standing is None:
        return ()
    sub, at = standing
    said = ", ".join(f"{to_unicode(a)} = {to_unicode(b)}" for a, b in sub.items())
    return ((f"{said} (the premise on line {at}) to hold here too", tuple(sub.items())),)


#: q̃ (PRML's and Blei et al.'s q-tilde) is read as the optimal factor q*: what the readers say once
TILDE_SAID = ("read q̃ as the optimal factor q* (the density whose log is E_{i≠j}[log p(x, z)] + const, "
              "normalised)")
