"""Parameter domains narrowed by bounds: ``assume: a > 1``.

A published closed form often holds only under a condition on its parameters: the mean
b/(a - 1) of an inverse gamma needs a > 1, the variance ν/(ν - 2) of a Student t needs
ν > 2.  A derivation states such a condition in its header,

    positive: a b
    assume: a > 1

and the parameter's domain becomes the interval (1, ∞): the proof works in it (a is
replaced by 1 + u with u > 0, so sympy's convergence condition a > 1 is shown), and the
spot-checks draw only from it.

A domain is a string, as the declarations give it: ``real``, ``positive``, ``nonnegative``,
``unit`` -- or an interval written ``(1, oo)``, ``[0, 3)``, ``(-oo, 2)``, ``(1/2, 1)`` with
rational ends.  Every interval is the image of a base domain under an increasing or
decreasing affine map (:func:`as_image`), which is how both the proof's stand-ins and the
drawn values are made; an interval equal to a base domain is that domain's name.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sympy import Rational, oo

__all__ = ["Bounds", "bounds_of", "kind_of", "narrowed", "as_image", "describe", "BASE_KINDS",
           "BoundError"]

BASE_KINDS = ("real", "positive", "nonnegative", "unit")


class BoundError(ValueError):
    """A bound that cannot narrow a domain (empty, or closed at both finite ends)."""


@dataclass(frozen=True)
class Bounds:
    """An interval of the real line: ends (Rational or ±oo) and whether each is included."""
    lo: object = -oo
    hi: object = oo
    lo_closed: bool = False
    hi_closed: bool = False

    def contains(self, v: float) -> bool:
        lo, hi = float(self.lo), float(self.hi)
        return (lo <= v if self.lo_closed else lo < v) and (v <= hi if self.hi_closed else v < hi)


_BASE = {"real": Bounds(), "positive": Bounds(0, oo), "nonnegative": Bounds(0, oo, True),
         "unit": Bounds(0, 1)}
_INTERVAL = re.compile(r"^([(\[])\s*([^,]+?)\s*,\s*([^,]+?)\s*([)\]])$")


def _end(text: str):
    t = text.strip()
    return {"oo": oo, "-oo": -oo}.get(t) if t in ("oo", "-oo") else Rational(t)


def bounds_of(kind: str) -> Bounds:
    """The interval a domain string stands for."""
    if kind in _BASE:
        return _BASE[kind]
    m = _INTERVAL.match(kind)
    if m is None:
        raise ValueError(f"not a domain: {kind!r}")
    return Bounds(_end(m.group(2)), _end(m.group(3)), m.group(1) == "[", m.group(4) == "]")


def kind_of(b: Bounds) -> str:
    """The domain string of an interval: a base domain's name when it is one."""
    for name, base in _BASE.items():
        if base == b:
            return name
    return f"{'[' if b.lo_closed else '('}{b.lo}, {b.hi}{']' if b.hi_closed else ')'}"


def narrowed(kind: str, rel: str, bound) -> str:
    """``kind`` intersected with ``x rel bound`` (rel one of > >= < <=; bound a Rational)."""
    b = bounds_of(kind)
    lo, hi, lc, hc = b.lo, b.hi, b.lo_closed, b.hi_closed
    if rel in (">", ">="):
        closed = rel == ">="
        if bound > lo or (bound == lo and not closed):
            lo, lc = bound, closed
    else:
        closed = rel == "<="
        if bound < hi or (bound == hi and not closed):
            hi, hc = bound, closed
    if lo >= hi:
        raise BoundError(f"leaves no value: {describe(kind)} and {rel} {bound} do not meet")
    out = kind_of(Bounds(lo, hi, lc, hc))
    as_image(out)       # a shape the proofs and the draws can take, else BoundError
    return out


def as_image(kind: str):
    """(base domain, sign, shift, scale): the domain is ``shift + sign·scale·v`` for v in the
    base domain (positive, nonnegative or unit; real maps to itself)."""
    b = bounds_of(kind)
    if kind in _BASE:
        return kind, 1, Rational(0), Rational(1)
    if b.hi is oo:
        return ("nonnegative" if b.lo_closed else "positive"), 1, b.lo, Rational(1)
    if b.lo is -oo:
        return ("nonnegative" if b.hi_closed else "positive"), -1, b.hi, Rational(1)
    if b.lo_closed or b.hi_closed:      # [a, b) or (a, b]: one end included
        raise BoundError("a domain bounded on both sides must leave out both ends: write the "
                         "bounds with < and > (not <= or >=), on a parameter declared under "
                         "positive:, unit: or parameters: (not nonnegative:)")
    return "unit", 1, b.lo, b.hi - b.lo


def image(kind: str, v):
    """The value of the domain that the base domain's value ``v`` maps to (sympy or float)."""
    base, sign, shift, scale = as_image(kind)
    if base == kind:
        return v
    if isinstance(v, float):
        return float(shift) + sign * float(scale) * v
    return shift + sign * scale * v


def describe(kind: str) -> str:
    """The domain in words a learner reads: "positive", "in (0, 1)", "> 1", "in (1/2, 1)"."""
    if kind in ("real", "positive", "nonnegative"):
        return kind
    b = bounds_of(kind)
    if b.hi is oo:
        return f"{'≥' if b.lo_closed else '>'} {b.lo}"
    if b.lo is -oo:
        return f"{'≤' if b.hi_closed else '<'} {b.hi}"
    return f"in {'[' if b.lo_closed else '('}{b.lo}, {b.hi}{']' if b.hi_closed else ')'}"

