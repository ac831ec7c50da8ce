"""``define r(z) = <formula> on <support>`` in ``.vi`` files: densities written by hand.

Supports: ``on integers`` (all integers), ``on integers z >= A``, ``on integers A <= z <= B``
(A, B integers), ``on (a, b)`` (an interval; ``oo`` / ``-oo`` for infinite ends), ``on reals``.
The formula is parsed like any expression (declared parameters, special functions); it may
not contain densities or distributions.  Each written density gets a derivation of its own,
``<derivation>_<name>_is_a_density``: ``E_r(z)[1] = 1``, proved (sympy sums or integrates the
formula, and shows it nonnegative from the declared domains) or spot-checked at drawn parameters
-- and FAILED with the point where the mass is not 1.
"""
from __future__ import annotations

import re

import sympy

from ..distributions import Dist
from ..distributions.written import written
from ..parse import ParseError, parse_expression

__all__ = ["split_support", "written_definition", "written_density", "density_claim_name"]

_ON = re.compile(r"^(.*\S)\s+on\s+(.+)$")
_INF = {"oo": sympy.oo, "+oo": sympy.oo, "∞": sympy.oo, "-oo": -sympy.oo, "-∞": -sympy.oo}


def split_support(rhs: str):
    """(formula text, support text) of ``<formula> on <support>``, or None."""
    m = _ON.match(rhs.strip())
    return (m.group(1), m.group(2).strip()) if m else None


def density_claim_name(derivation: str, name: str) -> str:
    return f"{derivation}_{name}_is_a_density"


def _end(text: str, env, what: str):
    text = text.strip()
    if text in _INF:
        return _INF[text]
    try:
        return parse_expression(text, env)
    except ParseError as err:
        raise ParseError(f"the {what} of the support: {err}") from None


def _support(text: str, var, env):
    """(lo, hi, discrete) from the text after 'on'."""
    v = str(var)
    t = " ".join(text.split())
    if t == "integers":
        return -sympy.oo, sympy.oo, True
    if t == "reals":
        return -sympy.oo, sympy.oo, False
    m = re.match(rf"^integers\s+{re.escape(v)}\s*(>=|≥)\s*(.+)$", t)
    if m:
        return _end(m.group(2), env, "lower end"), sympy.oo, True
    m = re.match(rf"^integers\s+(.+?)\s*(<=|≤)\s*{re.escape(v)}\s*(<=|≤)\s*(.+)$", t)
    if m:
        return _end(m.group(1), env, "lower end"), _end(m.group(4), env, "upper end"), True
    m = re.match(r"^\((.+),(.+)\)$", t)
    if m:
        return _end(m.group(1), env, "lower end"), _end(m.group(2), env, "upper end"), False
    raise ParseError(f"unknown support '{text}': write 'on integers', 'on integers {v} >= 0', "
                     f"'on integers 0 <= {v} <= n', 'on (a, b)' or 'on (0, oo)'")


def written_definition(formula_text: str, support_text: str, var, env):
    """The Dist of ``define r(var) = formula on support``; ParseError when malformed."""
    formula = parse_expression(formula_text, env)
    if formula.atoms(Dist):
        raise ParseError("a density written by hand is a formula, not a distribution; drop 'on ...' "
                         "or write the formula out")
    return written_density(var, formula, *_support(support_text, var, env))


def written_density(var, formula, lo, hi, discrete: bool):
    """The Dist of the density ``formula`` of ``var`` on ``lo`` .. ``hi`` (integers when
    ``discrete``); ParseError when it cannot be one (a constant on an unbounded support, an end
    that depends on var, an empty support)."""
    if not formula.has(var) and not (lo.is_finite and hi.is_finite):
        # a constant is a density on a bounded support only (a uniform: 1/w on (0, w))
        raise ParseError(f"the formula does not depend on {var}, and a constant has no finite mass "
                         f"on an unbounded support")
    for end in (lo, hi):
        if end.has(var):
            raise ParseError(f"an end of the support depends on {var}")
        if discrete and end.is_finite and end.is_integer is not True:
            raise ParseError(f"an end of a support of integers must be an integer, got {end}")
    if lo is sympy.oo or hi is -sympy.oo or (hi - lo).is_nonpositive:
        raise ParseError(f"the support is empty: from {lo} to {hi}")
    return written(var, formula, lo, hi, discrete)
