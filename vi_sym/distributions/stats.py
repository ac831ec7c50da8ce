"""Recognisers for the statistics a moment lemma applies to, shared by the kind modules.

Each returns the pieces of the statistic ``h`` (a sympy expression in the variable ``z``)
or None: a lemma only fires on the exact shape it states, never on a guess.
"""
from __future__ import annotations

from contextlib import contextmanager

import sympy
from sympy import Abs, Integer, Rational, exp, log

from .domains import stand_ins
from .written import declared_domains

__all__ = ["power", "real_power", "is_log", "log_affine", "affine_power", "abs_centre", "exp_linear", "exp_quadratic", "rising", "lagrange",
           "log_quadratic", "side_condition", "unmet_conditions"]

#: the list the side conditions not shown are recorded in, within :func:`unmet_conditions`
_UNMET: list = [None]


@contextmanager
def unmet_conditions():
    """``with unmet_conditions() as unmet:`` the side conditions ``e > 0`` lemmas asked for
    within the block and :func:`side_condition` could not show (each once, in order): the
    prover names them when a moment is left without a lemma."""
    saved, found = _UNMET[0], []
    _UNMET[0] = found
    try:
        yield found
    finally:
        _UNMET[0] = saved


def power(h, z):
    """k when h is z**k (k a positive integer), else None."""
    if h == z:
        return 1
    if h.is_Pow and h.base == z and h.exp.is_Integer and h.exp > 0:
        return int(h.exp)
    return None


def real_power(h, z):
    """(c, a) when h = c * z**a with a free of z (h = z**a or (k*z)**a with k > 0), else None.
    Valid for z > 0 only: callers are kinds on a positive support."""
    if h == z:
        return Integer(1), Integer(1)
    if h.is_Pow and not h.exp.has(z):
        base = h.base
        if base == z:
            return Integer(1), h.exp
        k = sympy.simplify(base / z)
        if not k.has(z) and k.is_positive:
            return k ** h.exp, h.exp
    return None


def is_log(h, z) -> bool:
    return h == log(z)


def _affine(e, z):
    """(s, t) when e = s*z + t with s ≠ 0 and s, t free of z, else None."""
    e = sympy.expand(e)
    s = e.coeff(z, 1)
    t = sympy.expand(e - s * z)
    if s == 0 or s.has(z) or t.has(z):
        return None
    return s, t


def log_affine(h, z):
    """(s, t) when h = log(s*z + t) with s ≠ 0 and s, t free of z, else None."""
    return _affine(h.args[0], z) if isinstance(h, log) else None


def affine_power(h, z):
    """(s, t, a) when h = (s*z + t)**a with s ≠ 0, a ≠ 0 and s, t, a free of z (h = s*z + t
    included, a = 1), else None.  sympy writes c/(2(z - m)) as c*(2z - 2m)**-1, so the base is
    any affine function of z; the caller turns it into s^a (z - centre)^a (valid for s > 0)."""
    if h.is_Pow and not h.exp.has(z) and h.exp != 0:
        found = _affine(h.base, z)
        return (*found, h.exp) if found else None
    found = _affine(h, z) if h.is_Add or h == z else None
    return (*found, Integer(1)) if found else None


def abs_centre(h, z):
    """c when h is |z - c| (or |c - z|) with c free of z, else None."""
    if not isinstance(h, Abs):
        return None
    arg = sympy.expand(h.args[0])
    a = arg.coeff(z, 1)
    rest = sympy.expand(arg - a * z)
    if a in (1, -1) and not rest.has(z):
        return -rest / a
    return None


def exp_linear(h, z):
    """(alpha, beta) when h = exp(alpha*z + beta), alpha and beta free of z, else None."""
    return _affine(h.args[0], z) if isinstance(h, exp) else None


def exp_quadratic(h, z):
    """(A, B, C) when h = exp(A z² + B z + C) with A ≠ 0 and A, B, C free of z, else None."""
    if not isinstance(h, exp):
        return None
    try:
        poly = sympy.Poly(sympy.expand(h.args[0]), z)
    except sympy.PolynomialError:
        return None
    if poly.degree() != 2 or any(c.has(z) for c in poly.all_coeffs()):
        return None
    return tuple(poly.all_coeffs())


def side_condition(e) -> bool:
    """A lemma's side condition ``e > 0``: from the symbols' assumptions, else with each
    declared parameter a stand-in carrying its declared domain (a l1 + (1 - a) l2 > 0 for a in
    (0, 1), ``unit: a``).  Dummies (stand-ins already) keep only their own assumptions."""
    e = sympy.sympify(e, strict=True)
    shown = _shown_positive(e)
    if not shown and _UNMET[0] is not None and e not in _UNMET[0]:
        _UNMET[0].append(e)
    return shown


def _shown_positive(e) -> bool:
    if e.is_positive is True or _one_minus_fractions(e):
        return True
    domains = declared_domains()
    syms = [x for x in e.free_symbols if not isinstance(x, sympy.Dummy) and x.name in domains]
    if not syms:
        return False
    e = e.xreplace(stand_ins(sympy.Tuple(*syms), {x.name: domains[x.name] for x in syms}))
    if _one_minus_fractions(e):
        return True
    e = sympy.expand(e)
    return e.is_positive is True or sympy.factor(sympy.together(e)).is_positive is True


def _one_minus_fractions(e) -> bool:
    """``e = 1 - f1 f2 …`` with every factor in (0, 1] and one of them in (0, 1): e > 0
    ((1 - p) e^{-t} < 1 for p in (0, 1), t >= 0 -- which sympy's assumptions do not see)."""
    rest = 1 - e
    if rest.is_Add or rest == 1:
        return False
    strict = False
    for f in sympy.Mul.make_args(rest):
        if isinstance(f, exp):
            ok, below = f.args[0].is_nonpositive, f.args[0].is_negative
        else:
            ok, below = f.is_positive and (1 - f).is_nonnegative, (1 - f).is_positive
        if not ok:
            return False
        strict = strict or bool(below)
    return strict


def log_quadratic(h, z):
    """(alpha, centre, width2) when h = log(alpha*((z - centre)**2 + width2)) with alpha, width2
    free of z, else None.  (alpha > 0 and width2 > 0 are for the caller to check.)"""
    if not isinstance(h, log):
        return None
    arg = sympy.expand(h.args[0])
    try:
        poly = sympy.Poly(arg, z)
    except sympy.PolynomialError:
        return None
    if poly.degree() != 2 or any(c.has(z) for c in poly.all_coeffs()):
        return None
    a2, a1, a0 = poly.all_coeffs()
    centre = sympy.simplify(-a1 / (2 * a2))
    return a2, centre, sympy.simplify(a0 / a2 - centre ** 2)


def rising(a, k):
    out = Integer(1)
    for i in range(k):
        out *= a + i
    return out


def lagrange(z, values):
    """The polynomial through (k, values[k]), k = 0..K-1: exact at the support points."""
    K = len(values)
    out = 0
    for k, v in enumerate(values):
        basis = Rational(1)
        for j in range(K):
            if j != k:
                basis *= (z - j) / Rational(k - j)
        out += basis * v
    return out
