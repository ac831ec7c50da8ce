"""The special functions closed forms use, for the parser's function table.

Each is a sympy function the numeric back-ends evaluate (``vi_sym.numeric.functions`` has
the mpmath and float64 version of every one).  A huge numeric argument is refused
(sympy would evaluate ``binomial(10**6, 5000)`` exactly); ``polygamma``'s order must be a
nonnegative integer literal.
"""
from __future__ import annotations

import sympy

from .tokens import MAX_SPECIAL_ARG, ParseError, too_large

__all__ = ["special_functions", "bounded_arg"]


def bounded_arg(a):
    """``a``, refused when it is a number too large to evaluate exactly."""
    if getattr(a, "is_Number", False) and abs(a) > MAX_SPECIAL_ARG:
        raise ParseError(too_large(a))
    return a


def _polygamma(n, x):
    if not (n.is_Integer and n >= 0):
        raise ParseError(f"the order of polygamma(n, x) must be a nonnegative integer, got {n}")
    return sympy.polygamma(bounded_arg(n), bounded_arg(x))


def _no_bounds(f, k):
    raise ParseError("a sum needs its index and bounds: sum(f, (k, a, b)), e.g. sum(f, (k, 0, oo))")


def _no_product_bounds(f, k):
    raise ParseError("a product needs its index and finite bounds: prod(f, (n, 1, N))")


#: distributions a note's formula cannot write: their parameters (or variables) lie on a simplex
_SIMPLEX = {"Cat": "categorical distribution", "Categorical": "categorical distribution", "Mult": "multinomial",
            "Multinomial": "multinomial", "Dir": "Dirichlet", "Dirichlet": "Dirichlet"}


def unknown_call_hint(name: str) -> str:
    """What a note's unknown ``name(…)`` may be instead: a distribution on a simplex (``Cat``,
    ``Dir``), not read in a formula; "" otherwise."""
    kind = _SIMPLEX.get(name)
    if kind is None:
        return ""
    example = ("define q(w1, w2, w3) = Dirichlet(w1, w2, w3, a1, a2, a3)" if kind == "Dirichlet" else
               "define q(z) = Categorical(z, w0, w1, w2) (weights, normalised by their sum)")
    return (f": {name}(…), a {kind}, is not read in a formula (its {'variables' if kind == 'Dirichlet' else 'probabilities'} "
            f"lie on a simplex: K − 1 of them are free); define it in a .vi file, {example}")


def special_functions(function_type) -> dict:
    """name -> ``function_type(callable, arity)`` for the special functions."""
    def one(f):
        return function_type(lambda a: f(bounded_arg(a)), 1)

    def two(f):
        return function_type(lambda a, b: f(bounded_arg(a), bounded_arg(b)), 2)
    out = {name: one(getattr(sympy, name)) for name in
           ("sin", "cos", "tan", "sinh", "cosh", "tanh", "atan", "asinh", "erf", "erfc")}
    out.update({"arctan": one(sympy.atan), "arcsinh": one(sympy.asinh), "sech": one(lambda a: 1 / sympy.cosh(a)),
                "polygamma": function_type(_polygamma, 2),
                "trigamma": one(lambda x: sympy.polygamma(1, x)),
                "beta": two(sympy.beta), "binomial": two(sympy.binomial),
                # as closed forms are published: ψ(a), Γ(a), B(a, b) (a declared name of the same
                # spelling is that name: a variable wins over a function in the parser)
                "ψ": one(sympy.digamma), "Γ": one(sympy.gamma), "B": two(sympy.beta),
                "besseli": two(sympy.besseli),
                # logarithms to a base (an entropy in bits): log2(x), log_2(x), log10(x)
                **{f"log{sep}{b}": one(lambda x, b=b: sympy.log(x) / sympy.log(b)) for b in (2, 10) for sep in ("", "_")},
                # the von Mises tables' I_0(κ), I_1(κ): the modified Bessel functions of orders 0 and 1
                **{f"I{sep}{n}": one(lambda x, n=n: sympy.besseli(n, x)) for n in (0, 1) for sep in ("", "_")},
                "sum": function_type(_no_bounds, 2), "Sum": function_type(_no_bounds, 2),
                "prod": function_type(_no_product_bounds, 2)})
    return out
