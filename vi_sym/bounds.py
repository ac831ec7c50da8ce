"""Integrals and sums with explicit bounds: ``integrate(f, (z, a, b))``, ``sum(f, (k, a, b))``.

The parser (:mod:`vi_sym.parse`) reads the text; this module builds the sympy objects and
refuses malformed bounds with a message a learner can act on:

* the limits are exactly ``(variable, lower, upper)``; the variable is a plain name, bound
  inside the body only (a fresh name, or a declared variable it shadows);
* ``oo`` / ``-oo`` (infinity) may stand as a bound and nowhere else; a lower bound of ``oo`` or
  an upper bound of ``-oo`` is an error for a sum (and ``integrate`` over it is written the other
  way round);
* a bound may not contain the variable it bounds, and must be real;
* a sum runs over integers: a numeric bound must be an integer (or ±oo), and a lower bound
  provably above the upper one is an error (sympy's convention for reversed sums is not the
  textbook's empty sum).

The results are plain ``sympy.Integral(f, (z, a, b))`` and ``sympy.Sum(f, (k, a, b))``;
``integrate(p(x,z), (z, -oo, oo))``, an abstract density over the whole line, is ``Integral(p(x,z), z)``.
"""
from __future__ import annotations

import sympy
from sympy import Symbol

from .tokens import ParseError
from .vocabulary import Density

__all__ = ["INFINITY_NAMES", "BOUNDED_CALLS", "SUM_CALLS", "PRODUCT_CALLS", "bound_symbol",
           "bounded_integral", "bounded_sum", "bounded_product", "check_bounds"]

#: names that mean +infinity inside bounds
INFINITY_NAMES = ("oo", "∞")
#: functions whose second argument may be a limits triple ``(var, lower, upper)``
BOUNDED_CALLS = ("integrate", "Integral", "int", "sum", "Sum", "prod")
SUM_CALLS = ("sum", "Sum")
#: a product over an index (in ``define`` lines: independent factors ``prod(D(z[j], ...), (j, 1, d))``)
PRODUCT_CALLS = ("prod",)


def bound_symbol(name: str, is_sum: bool, declared: dict) -> Symbol:
    """The symbol a bound variable stands for: the declared variable of that name, or a
    fresh one (an integer for a sum's index, a real for an integral's variable)."""
    if name in declared:
        return declared[name]
    return Symbol(name, integer=True) if is_sum else Symbol(name, real=True)


def check_bounds(var: Symbol, lo, hi, is_sum: bool) -> None:
    """Raise ParseError for bounds that do not make a sum / an integral."""
    what = "sum" if is_sum else "integral"
    for side, b in (("lower", lo), ("upper", hi)):
        if not isinstance(b, sympy.Expr):
            raise ParseError(f"the {side} bound of the {what} must be a number or an expression")
        if b.has(var):
            raise ParseError(f"the {side} bound of the {what} contains its own variable {var}")
        if b.is_real is False and b not in (sympy.oo, -sympy.oo):
            raise ParseError(f"the {side} bound of the {what} is not a real number: {b}")
        if b.has(sympy.zoo, sympy.nan):
            raise ParseError(f"the {side} bound of the {what} is undefined: {b}")
    if is_sum:
        if lo is sympy.oo or hi is -sympy.oo:
            raise ParseError(f"a sum runs upwards: lower bound {lo}, upper bound {hi}")
        for side, b in (("lower", lo), ("upper", hi)):
            if b.is_number and b.is_finite and b.is_integer is False:
                raise ParseError(f"the {side} bound of a sum over integers must be an integer, got {b}")
        if (lo - hi).is_positive:
            raise ParseError(f"the sum's lower bound {lo} is above its upper bound {hi}: write the "
                             "bounds in increasing order")


def bounded_integral(f, var: Symbol, lo, hi):
    """``∫_lo^hi f dvar`` as ``sympy.Integral(f, (var, lo, hi))`` (bounds checked).  Over the whole
    real line, an integrand with an abstract density of ``var`` (``∫_{-∞}^{∞} p(x,z) dz``) is
    integrated over all of ``var``, ``Integral(f, var)``, as written without limits: a density is
    0 off its support, so for a real variable the two are one integral (any other integrand --
    a formula, a defined density -- keeps its limits, and its quadrature)."""
    check_bounds(var, lo, hi, is_sum=False)
    if lo == -sympy.oo and hi == sympy.oo and _abstract_density_of(f, var):
        return sympy.Integral(f, var)
    return sympy.Integral(f, (var, lo, hi))


def _abstract_density_of(f, var) -> bool:
    return any(type(d) is Density and var in d.free_symbols for d in f.atoms(Density))


def bounded_sum(f, var: Symbol, lo, hi):
    """``Σ_{var=lo}^{hi} f`` as ``sympy.Sum(f, (var, lo, hi))`` (bounds checked)."""
    check_bounds(var, lo, hi, is_sum=True)
    return sympy.Sum(f, (var, lo, hi))


def bounded_product(f, var: Symbol, lo, hi):
    """``∏_{var=lo}^{hi} f`` as ``sympy.Product(f, (var, lo, hi))`` over a finite range of
    integers (bounds checked as a sum's)."""
    check_bounds(var, lo, hi, is_sum=True)
    if sympy.oo in (hi, -lo):
        raise ParseError("a product runs over finitely many factors: its bounds are not infinite")
    return sympy.Product(f, (var, lo, hi))


# ---------------------------------------------------------------- parsing (called by the parser)
def _op(t, value) -> bool:
    return t.kind == "op" and t.value == value


def _limits_at(toks, j: int):
    """The index of the '(' of a limits triple ``(v, a, b)`` standing as the second argument of
    the call whose '(' is just before token ``j``, or None."""
    level = 0
    for k in range(j, len(toks)):
        t = toks[k]
        if t.kind == "op" and t.value in "([{":
            level += 1
        elif t.kind == "op" and t.value in ")]}":
            level -= 1
            if level < 0:
                return None
        elif level == 0 and _op(t, ","):
            return k + 1 if _op(toks[k + 1], "(") and _has_comma(toks, k + 1) else None
    return None


def _has_comma(toks, j: int) -> bool:
    """Does the bracket opened at token j hold a comma at its own level?"""
    level = 0
    for t in toks[j + 1:]:
        if t.kind == "op" and t.value in "([{":
            level += 1
        elif t.kind == "op" and t.value in ")]}":
            if level == 0:
                return False
            level -= 1
        elif level == 0 and _op(t, ","):
            return True
    return False


def parse_bounded_call(p, name):
    """``integrate(f, (z, a, b))`` / ``sum(f, (k, a, b))`` for the parser ``p`` (the call's name
    consumed, its '(' next); None when the second argument is not a limits triple."""
    is_prod = name.value in PRODUCT_CALLS
    is_sum = name.value in SUM_CALLS or is_prod
    lp = _limits_at(p.toks, p.i + 1)
    if lp is None:
        if is_prod:
            raise p.error("a product needs its index and bounds: prod(f, (j, 1, d))", name)
        if is_sum:
            raise p.error("a sum needs its index and bounds: sum(f, (k, a, b)), e.g. sum(f, (k, 0, oo))",
                          name)
        return None
    var = p.toks[lp + 1]
    if var.kind != "id" or not _op(p.toks[lp + 2], ","):
        raise p.error(f"the limits of {name.value}(...) are (variable, lower, upper); the first entry "
                      "must be the variable's name", var)
    if var.value in p.env.densities or var.value in p.env.functions or var.value in INFINITY_NAMES:
        raise p.error(f"'{var.value}' names a density, a function or infinity; choose another name "
                      "for the variable", var)
    opener = p.next()
    sym = bound_symbol(var.value, is_sum, p.env.variables)
    saved = p.env.variables.get(var.value)
    p.env.variables[var.value] = sym
    try:
        body = p.expr(0)
        p.close(",", opener)
        p.next(), p.next(), p.next()          # '(' var ','
        lo, hi = _bounds(p, name, var)
        p.close(")", p.toks[lp])
        p.close(")", opener)
    finally:
        if saved is None:
            p.env.variables.pop(var.value, None)
        else:
            p.env.variables[var.value] = saved
    build = bounded_product if is_prod else bounded_sum if is_sum else bounded_integral
    return p.apply(name, build, body, sym, lo, hi)


def _bounds(p, name, var):
    p.in_bounds += 1
    try:
        lo = p.expr(0)
        if not p.at(","):
            raise p.error(f"the limits of {name.value}(...) need a lower and an upper bound: "
                          f"({var.value}, lower, upper)", p.peek())
        p.next()
        hi = p.expr(0)
    finally:
        p.in_bounds -= 1
    if p.at(","):
        raise p.error(f"the limits of {name.value}(...) are exactly (variable, lower, upper)", p.peek())
    return lo, hi
