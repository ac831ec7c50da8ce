"""The ``assume:`` header: bounds on parameters, ``assume: a > 1, 0 < t < 1/2``.

Each bound compares one declared scalar parameter with a number (an integer, a decimal,
1e-3 or a fraction, signed): ``a > 1``, ``nu >= 2``, ``2 < nu``, ``t < 1/2``, or both sides at
once, ``0 < t < 1/2``.  Bounds are separated by commas, semicolons or ``and``.  Each
narrows the parameter's declared domain (``positive: a`` and ``a > 1`` give (1, ∞)); see
:mod:`vi_sym.distributions.intervals` for what the proofs and the spot-checks make of it.

Read by a small tokenizer, never evaluated.  A bound between two parameters (``t < l``)
is not supported yet: it is an input error that says so.
"""
from __future__ import annotations

import re

from sympy import Rational

from ..distributions.intervals import BoundError, narrowed
from ..tokens import MAX_LITERAL_DIGITS, ParseError, normal_name

__all__ = ["read_assumptions", "note_bounds"]

_TOKEN = re.compile(r"\s*(?:(?P<num>[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?:/\d+)?)|(?P<rel><=|>=|≤|≥|<|>)|"
                    r"(?P<name>[A-Za-z_\u0370-\u03ff][A-Za-z0-9_\u0370-\u03ff]*))")
_SPLIT = re.compile(r"\s*(?:,|;|\band\b)\s*")
_FLIP = {">": "<", ">=": "<=", "<": ">", "<=": ">="}
_ASCII = {"≤": "<=", "≥": ">="}


def _tokens(item: str, bad) -> list:
    out, pos = [], 0
    while pos < len(item):
        m = _TOKEN.match(item, pos)
        if m is None or m.end() == pos:
            rest = item[pos:].strip()
            if not rest:
                break
            bad(f"assume: cannot read '{rest}' in '{item}': a bound is a parameter compared with a "
                "number, e.g. 'a > 1' or '0 < t < 1/2'")
        kind = m.lastgroup
        text = m.group(kind)
        out.append((kind, _ASCII.get(text, text) if kind == "rel" else text))
        pos = m.end()
    return out


def _number(text: str, item: str, bad):
    """The rational number a bound's number token stands for (an input error when it is none)."""
    digits = sum(ch.isdigit() for ch in text)
    if digits > MAX_LITERAL_DIGITS:
        bad(f"assume: the number in '{item}' has {digits} digits (at most {MAX_LITERAL_DIGITS})")
    try:
        return Rational(text)
    except (ZeroDivisionError, ValueError, TypeError):
        bad(f"assume: '{text}' in '{item}' is not a number")
    return None


def _bounds(item: str, parameters, bad) -> list:
    """[(name, rel, number)] of one item, each read as ``name rel number``."""
    toks = _tokens(item, bad)
    kinds = [k for k, _ in toks]
    shape = "'a > 1' or '0 < t < 1/2'"
    names = [t for k, t in toks if k == "name"]
    strange = [n for n in names if normal_name(n) not in parameters]
    if len(names) >= 2 and strange:
        bad(f"assume: '{strange[-1]}' in '{item}' is not a declared parameter; a bound is a parameter "
            f"compared with a number (an integer, a decimal or a fraction), e.g. {shape}")
    if len(names) >= 2:
        bad(f"assume: '{item}' compares two parameters; only bounds by numbers are supported "
            f"(e.g. {shape}).  For an order between parameters, write the larger as the smaller "
            "plus a positive parameter: Exponential(z, t + d) with 'positive: d' for t < l")
    if kinds == ["name", "rel", "num"]:
        return [(toks[0][1], toks[1][1], _number(toks[2][1], item, bad))]
    if kinds == ["num", "rel", "name"]:
        return [(toks[2][1], _FLIP[toks[1][1]], _number(toks[0][1], item, bad))]
    if kinds == ["num", "rel", "name", "rel", "num"]:
        name = toks[2][1]
        return [(name, _FLIP[toks[1][1]], _number(toks[0][1], item, bad)),
                (name, toks[3][1], _number(toks[4][1], item, bad))]
    bad(f"assume: cannot read '{item}': a bound is a parameter compared with a number, e.g. {shape}")
    return []


def read_assumptions(text: str, domains: list, vectors, bad) -> list:
    """``domains`` ([(name, kind)]) with each bound of ``assume: text`` narrowing its
    parameter's kind; ``vectors``: names declared as vectors (not bounded here); ``bad(message)``
    raises the reader's input error."""
    if not text.strip():
        return list(domains)
    out = dict(domains)
    for item in (i for i in _SPLIT.split(text.strip()) if i):
        for name, rel, number in _bounds(item, out, bad):
            name = normal_name(name)
            if name in vectors:
                bad(f"assume: '{name}' is a vector; bounds are supported on scalar parameters only")
            if name not in out:
                bad(f"assume: '{name}' is not a declared parameter (declare it under parameters:, "
                    "positive: or unit: first)")
            try:
                out[name] = narrowed(out[name], rel, number)
            except BoundError as exc:
                bad(f"assume: {item}: {exc}")
    return [(n, out[n]) for n, _ in domains]


def note_bounds(structure: dict, domains, vectors, skip) -> tuple:
    """A note's domains with its ``assume:`` line (``structure["assume"] = (line, text)``)
    applied; a bound that cannot be used is skipped with the reason and the declaration
    ignored, as a note's other declarations are."""
    if "assume" not in structure:
        return tuple(domains)
    line, text = structure["assume"]

    def bad(message):
        raise ParseError(message)
    try:
        return tuple(read_assumptions(text, list(domains), vectors, bad))
    except ParseError as err:
        skip(line, f"{getattr(err, 'message', str(err))} (the declaration is ignored)")
        return tuple(domains)
