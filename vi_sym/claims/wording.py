"""How a likely fix of a closed form is worded: by a part of the user's own expression.

An edit operator describes what it did to the term it touched ("half the term 2", "-(-l)
instead of -l"); when that term is a bare number inside something larger (the 2 of
``gamma(k + 2)``) or the wording doubles a sign, the description names no term the user wrote.
:func:`plain_edit` then describes the edit by the smallest part of the expression that changed,
widened to the function around a number: "Γ(k + 1) instead of Γ(k + 2)".
"""
from __future__ import annotations

import sympy

from ..notation import to_unicode

__all__ = ["changed_part", "plain_edit"]


def _differing(old, new):
    """(old part, new part) of the one argument in which ``old`` and ``new`` differ, else None."""
    if old.func != new.func or old.is_Atom or new.is_Atom:
        return None
    if isinstance(old, (sympy.Add, sympy.Mul)):          # arguments are sorted: compare as multisets
        a, b = list(old.args), list(new.args)
        for x in list(a):
            if x in b:
                a.remove(x)
                b.remove(x)
        return (a[0], b[0]) if len(a) == len(b) == 1 else None
    if len(old.args) != len(new.args):
        return None
    pairs = [(x, y) for x, y in zip(old.args, new.args) if x != y]
    return pairs[0] if len(pairs) == 1 else None


def _path(old, new) -> list:
    """[(old, new), ...]: from the whole expressions down to the smallest differing pair."""
    path = [(old, new)]
    while True:
        nxt = _differing(*path[-1])
        if nxt is None:
            return path
        path.append(nxt)


def changed_part(old, new):
    """(old part, new part): the smallest subexpression of ``old`` whose replacement gives
    ``new``, widened past a bare number (and the sum or product around it) to the function
    around it -- never to the whole expression."""
    path = _path(old, new)
    i = len(path) - 1
    if path[i][0].is_Number:
        while i > 1 and (path[i][0].is_Atom or isinstance(path[i][0], (sympy.Add, sympy.Mul))):
            i -= 1
    return path[i]


def plain_edit(desc: str, old, new, op: str = "") -> str:
    """``desc`` unless it doubles a sign ("-(-l)"), the edited term is a bare number nested
    inside a larger part (the 2 of ``gamma(k + 2)``) or the two terms a ``flip_pair`` edit
    flipped are a whole bracket ("-1 and t instead of 1 and -t"); then "<new part> instead of
    <old part>" (see :func:`changed_part`; a bracket with what it multiplies: "(t - 1) log(1 - t)
    instead of (1 - t) log(1 - t)")."""
    path = _path(old, new)
    nested_number = len(path) > 2 and path[-1][0].is_Number
    o, n = path[-1]
    whole_sum = op == "flip_pair" and isinstance(o, sympy.Add) and len(o.args) == 2 and o == -n
    if whole_sum and len(path) > 2:       # both terms of a bracket flipped: the bracket's sign,
        o, n = path[-2]                   # shown with what it multiplies
    elif "-(-" in desc or nested_number:
        o, n = changed_part(old, new)
    else:
        return desc
    return f"{to_unicode(n)} instead of {to_unicode(o)}"


_OPS = {sympy.StrictGreaterThan: ">", sympy.GreaterThan: "≥", sympy.StrictLessThan: "<",
        sympy.LessThan: "≤", sympy.Eq: "=", sympy.Ne: "≠"}


def condition_text(cond) -> str:
    """A condition of sympy's (a convergence condition) in the notation a learner reads:
    ``l - t > 0 and l/t ≠ 1``."""
    if isinstance(cond, sympy.And):
        return " and ".join(condition_text(c) for c in cond.args)
    if isinstance(cond, sympy.Or):
        return "(" + " or ".join(condition_text(c) for c in cond.args) + ")"
    op = _OPS.get(type(cond))
    if op is not None:
        return f"{to_unicode(cond.lhs)} {op} {to_unicode(cond.rhs)}"
    return to_unicode(cond)
