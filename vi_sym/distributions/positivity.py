"""Nonnegativity of a density written by hand, piece by piece between its kinks.

sympy decides the sign of an expression from its symbols' assumptions, and ``z`` in
``6 z (1 - z)`` on (0, 1) is only "positive" to it: 1 - z has no sign.  On an open interval
(a, b) ``z`` is written as the image of a positive ``u`` -- ``a + (b - a) u/(1 + u)`` (both ends
finite), ``a + u`` or ``b - u`` (one end infinite), ``±u`` (the whole line) -- a bijection
onto the interval, so the formula is >= 0 there exactly when its image is >= 0 for every
u > 0, which sympy can then see (``6u/(1 + u)²``).  A formula with a kink (the tent
``(w - |z - w|)/w²``) is cut at it first: on each piece the argument of ``|·|`` has a sign,
and ``|·|`` goes.  The ends and the kinks themselves are a null set: a density may be
anything there.
"""
from __future__ import annotations

import sympy

from .kinks import window_ends
from .series import provably_positive

__all__ = ["nonnegative_on", "ordered_cuts"]


def _before(a, b) -> bool:
    """a < b provably (an infinite end included)."""
    if a is sympy.S.NegativeInfinity or b is sympy.oo:
        return a != b
    return bool((b - a).is_positive)


def _images(a, b, u) -> list:
    """Bijections from u > 0 onto the open interval (a, b)."""
    if a.is_finite and b.is_finite:
        return [a + (b - a) * u / (1 + u)]
    if a.is_finite:
        return [a + u]
    if b.is_finite:
        return [b - u]
    return [u, -u]


def _settled(e):
    """``e`` with the argument of each |·|, H(·), sign(·) brought over one denominator, so that
    a sign sympy can see makes it evaluate (|-w/(1 + u)| = w/(1 + u))."""
    kinds = (sympy.Abs, sympy.Heaviside, sympy.sign)
    return e.replace(lambda x: isinstance(x, kinds),
                     lambda x: x.func(sympy.factor(sympy.together(x.args[0])), *x.args[1:]))


def _nonnegative(e) -> bool:
    return provably_positive(e, strict=False) or provably_positive(sympy.factor(e), strict=False)


def ordered_cuts(body, z, lo, hi):
    """The kinks of ``body`` in ``z`` (:func:`vi_sym.distributions.kinks.window_ends`) provably
    inside (lo, hi), in their provable order; None when two of them cannot be ordered."""
    cuts = [k for k in window_ends(body, z) if _before(lo, k) and _before(k, hi)]
    ordered = []
    for k in sorted(set(cuts), key=sympy.default_sort_key):
        i = 0
        while i < len(ordered) and _before(ordered[i], k):
            i += 1
        if i < len(ordered) and not _before(k, ordered[i]):
            return None
        ordered.insert(i, k)
    return ordered


def nonnegative_on(body, z, lo, hi) -> bool:
    """Is ``body`` >= 0 for every ``z`` in the open interval (lo, hi), shown by sympy piece by
    piece (see the module docstring)?  False when it is not shown -- not a proof of the contrary."""
    if not _before(lo, hi):
        return False
    cuts = ordered_cuts(body, z, lo, hi)
    if cuts is None:
        return False
    ends = [lo, *cuts, hi]
    u = sympy.Dummy("u", positive=True)
    for a, b in zip(ends, ends[1:]):
        for image in _images(a, b, u):
            if not _nonnegative(_settled(body.xreplace({z: image}))):
                return False
    return True
