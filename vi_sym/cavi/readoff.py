"""Reading a factor's update off a ``conclude:`` line of the catalogue."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import sympy

from ..loader import load_paths
from ..upto import UpTo, split_up_to

__all__ = ["CATALOGUE", "ReadOffError", "conclusion_of", "gaussian_read_off", "gamma_read_off",
           "bernoulli_read_off", "numeric", "same_symbol"]

#: the shipped catalogue (the repository's ``derivations/``)
CATALOGUE = Path(__file__).resolve().parent.parent.parent / "derivations"


class ReadOffError(ValueError):
    """A conclusion is not of the form a factor's update is read off from."""


@lru_cache(maxsize=8)
def _derivations(path: str) -> tuple:
    derivs, errors = load_paths([path])
    if errors:
        raise ReadOffError(f"{path}: {errors[0]}")
    return tuple(derivs)


def conclusion_of(name: str, path: Path | str | None = None):
    """The ``conclude:`` step of derivation ``name`` (the file ``path`` or any file of the
    catalogue), as read by vi_sym's ``.vi`` parser (each file is read once per process)."""
    where = str(path) if path is not None else str(CATALOGUE)
    for d in _derivations(where):
        if d.name == name:
            if d.conclusion is None:
                raise ReadOffError(f"derivation {name} has no conclude: line")
            return d.conclusion
    raise ReadOffError(f"no derivation {name} in {where}")


def _body(rhs, var):
    """The right side of ``E[log p] = body + const(var)`` without its const."""
    claim = split_up_to(sympy.S.Zero, "=", rhs)
    if not isinstance(claim, UpTo) or claim.kind != "additive" or claim.targets != (var,):
        raise ReadOffError(f"expected 'expression + const({var})', got {rhs}")
    return claim.rhs


def gaussian_read_off(rhs, var):
    """``−λ (var − m)²/2 + const(var)`` (any quadratic in var) -> (λ, m), sympy expressions."""
    body = sympy.expand(_body(rhs, var))
    poly = sympy.Poly(body, var)
    if poly.degree() != 2:
        raise ReadOffError(f"log q({var}) is not quadratic in {var}: {body}")
    c2, c1 = poly.coeff_monomial(var ** 2), poly.coeff_monomial(var)
    if any(var in c.free_symbols for c in (c2, c1)):
        raise ReadOffError(f"the coefficients of {var} depend on {var}")
    precision = sympy.cancel(-2 * c2)
    return precision, sympy.cancel(c1 / precision)


def gamma_read_off(rhs, var):
    """``(a − 1) log var − b var + const(var)`` -> (a, b), sympy expressions."""
    body = sympy.expand(sympy.expand_log(_body(rhs, var), force=False))
    a1 = body.coeff(sympy.log(var))
    rest = sympy.expand(body - a1 * sympy.log(var))
    b = -rest.coeff(var)
    left = sympy.expand(rest + b * var)
    if var in (a1.free_symbols | b.free_symbols | left.free_symbols):
        raise ReadOffError(f"log q({var}) is not linear in log {var} and {var}: {body}")
    return sympy.expand(a1 + 1), sympy.expand(b)


def bernoulli_read_off(rhs, var):
    """``body(var) + const(var)`` for a variable ``var`` in {0, 1} -> the log-odds
    ``body(1) − body(0)`` (a sympy expression): q(var) ∝ exp(body(var)) on {0, 1} is
    Bernoulli(var, φ) with φ = 1/(1 + exp(−(body(1) − body(0))))."""
    body = _body(rhs, var)
    logit = sympy.expand(body.subs(var, 1) - body.subs(var, 0))
    if var in logit.free_symbols or logit.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        raise ReadOffError(f"log q({var}) has no finite log-odds between {var} = 1 and {var} = 0: {body}")
    return logit


def numeric(expr, names):
    """A float function of keyword arguments named as the expression's symbols."""
    by_name = {s.name: s for s in expr.free_symbols}
    unknown = set(by_name) - set(names)
    if unknown:
        raise ReadOffError(f"the update uses {', '.join(sorted(unknown))}, which the model does not have")
    args = [by_name.get(n, sympy.Symbol(n)) for n in names]
    f = sympy.lambdify(args, expr, modules="math")
    return lambda **kw: float(f(*[kw[n] for n in names]))




def same_symbol(expr, sym):
    """The symbol of ``expr`` named like ``sym`` (the parser's, with its assumptions)."""
    for s in expr.free_symbols:
        if s.name == sym.name:
            return s
    return sym
