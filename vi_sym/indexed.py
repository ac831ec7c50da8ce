"""Indexed latents and parameters: vectors of an unspecified length, and densities that are
products of independent one-coordinate factors.

Declared in a ``.vi`` header, like the points of an i.i.d. data set (``iid: X = x[1..N]``)::

    latent: z[1..d]                 the latent z is the vector (z[1], ..., z[d])
    parameters: m[1..d]             a real parameter per coordinate
    positive: s[1..d] d             a positive one; d (a size) is a positive integer
    define q(z) = prod(Normal(z[j], m[j], s[j]), (j, 1, d))

A coordinate is written ``z[j]`` (``j`` the index of an enclosing ``sum``/``prod``, or a whole
number such as ``z[1]``); ``q(z)`` is the density of the whole vector and ``q(z[j])`` the
marginal of coordinate j, which for an independent product is its j-th factor.

* :class:`IndexedDensity` -- a ``define``d density ``∏_{j=lo}^{hi} D(z[j]; θ_j)``;
* :class:`CoordinateDensity` -- its factor over one coordinate, ``q(z[j])``;
* :func:`indexed_definition_error` -- what is wrong with a ``prod(...)`` definition (or None);
* :func:`use_of` -- a written ``q(z)`` / ``q(z[k])`` as the density it denotes;
* :func:`instantiate` -- an expression at a concrete size (d = 2): sums and products written
  out, every coordinate a plain variable (``z[1]`` -> ``z_1``), for the numeric check.
"""
from __future__ import annotations

import sympy
from sympy import Dummy, Indexed, IndexedBase, Integer, Mul, Product, Symbol, Tuple

from .distributions import ConcreteDensity, DefinitionError, Dist, check_domains, distribution_functions
from .vocabulary import Density

__all__ = ["IndexedDensity", "CoordinateDensity", "coordinate", "is_indexed", "is_indexed_step", "indexed_definition_error",
           "use_of", "define_functions", "indexed_constructor", "instantiate", "plain_name"]


def coordinate(base: Symbol, index) -> Indexed:
    """The coordinate ``base[index]`` (``z[j]``, ``s[2]``), carrying the assumptions of ``base``."""
    return Indexed(IndexedBase(base), index)


class IndexedDensity(ConcreteDensity):
    """``q(z) = ∏_{j=lo}^{hi} D(z[j]; θ_j)``: a density of the vector z whose coordinates are
    independent (its definition is a sympy ``Product`` of one distribution)."""

    @property
    def limits(self) -> tuple:
        """``(j, lo, hi)`` of the product."""
        return tuple(self.definition.limits[0])

    @property
    def factor(self) -> Dist:
        """The j-th factor, a distribution of ``z[j]``."""
        return self.definition.function

    def coordinate(self, k) -> "CoordinateDensity":
        """The marginal of coordinate ``k`` (an index symbol or a number): the k-th factor."""
        j = self.limits[0]
        body = self.factor.xreplace({j: k})
        return CoordinateDensity(self.name, (body.var,), (), body)

    def components(self) -> dict:
        raise DefinitionError(f"{self} is a product over an unspecified number of coordinates: "
                              "it has no fixed list of components")


class CoordinateDensity(ConcreteDensity):
    """``q(z[k])``: the marginal of one coordinate of an :class:`IndexedDensity` (its k-th
    factor, by independence)."""


def is_indexed(expr, vectors=()) -> bool:
    """Does ``expr`` use an indexed density, or a coordinate ``z[j]`` of one of the declared
    ``vectors`` (symbols, or ``(symbol, lo, hi)`` as in a context's ``indexed``)?"""
    e = sympy.sympify(expr, strict=True)
    if e.atoms(IndexedDensity, CoordinateDensity):
        return True
    names = {v[0] if isinstance(v, tuple) else v for v in vectors}
    return any(c.base.label in names for c in e.atoms(Indexed))


def is_indexed_step(step) -> bool:
    """Does the step use an indexed density or a coordinate of a vector its context declares?"""
    vectors = getattr(step.context, "indexed", ())
    return not step.error and (is_indexed(step.lhs, vectors) or is_indexed(step.rhs, vectors))


# ---------------------------------------------------------------------------- define lines

def indexed_constructor(build):
    """A distribution constructor that also takes a coordinate ``z[j]`` as its variable."""
    def wrapped(var, *params):
        if isinstance(var, Indexed):
            u = Dummy("u")
            for p in params:
                if sympy.sympify(p, strict=True).has(var.base):
                    raise DefinitionError(f"a parameter of the distribution depends on its variable {var}")
            return build(u, *params).xreplace({u: var})
        return build(var, *params)
    wrapped.infinite_ends = getattr(build, "infinite_ends", False)
    return wrapped


def _no_product(*args):
    raise DefinitionError("prod(...) needs its index and bounds: prod(f, (j, 1, d))")


def define_functions(function_class) -> dict:
    """The function table of a ``define`` line: the distributions (also of a coordinate
    ``z[j]``) and ``prod(f, (j, lo, hi))``."""
    out = {k: (indexed_constructor(v) if callable(v) else v) for k, v in distribution_functions().items()}
    out["prod"] = function_class(_no_product, 2)
    return out


def indexed_definition_error(definition, vs, indexed: dict, domains: dict):
    """Why a ``prod(...)`` definition of a density over ``vs`` is not an independent product
    over the coordinates of one declared vector, or None when it is.  ``indexed``: {name:
    (symbol, lo, hi)} of the declared vectors; ``domains``: {parameter name: domain}."""
    j, lo, hi = definition.limits[0] if len(definition.limits) == 1 else (None, None, None)
    if j is None:
        return "prod(...) takes one index: prod(f, (j, 1, d))"
    if len(vs) != 1 or str(vs[0]) not in indexed:
        return ("a product over coordinates defines a density of one declared vector, e.g. "
                "'latent: z[1..d]' and define q(z) = prod(Normal(z[j], m[j], s[j]), (j, 1, d))")
    z, zlo, zhi = indexed[str(vs[0])]
    if (lo, hi) != (zlo, zhi):
        return f"the product runs over ({j}, {lo}, {hi}), but {z} is declared {z}[{zlo}..{zhi}]"
    body = definition.function
    if not isinstance(body, Dist):
        return f"the factor of prod(...) must be one distribution of {z}[{j}], got {body}"
    if body.var != coordinate(z, j):
        return f"the factor of prod(...) must be a distribution of {z}[{j}], got one of {body.var}"
    params = Tuple(*body.params)
    if params.has(z):
        return f"a parameter of {body} depends on the latent {z}"
    plain = params.xreplace({c: c.base.label for c in params.atoms(Indexed)})
    stand_in = Dist(body.kind, body.var, *plain.args)     # s[j] has the domain declared for s
    problems = check_domains(stand_in, domains)
    return problems[0] if problems else None


def use_of(d: Density, vs: tuple, definition):
    """The density a use ``q(z)`` / ``q(z[k])`` of ``define q(z) = prod(...)`` denotes, or
    None when it is not one of these."""
    if d.given:
        return None
    if d.vars == tuple(vs):
        return IndexedDensity(d.name, vs, (), definition)
    if len(d.vars) == 1 and isinstance(d.vars[0], Indexed) and d.vars[0].base.label == vs[0]:
        return IndexedDensity(d.name, vs, (), definition).coordinate(d.vars[0].indices[0])
    return None


# ---------------------------------------------------------------------------- a concrete size

def plain_name(c: Indexed) -> str:
    """``z[2]`` -> ``z_2`` (a variable name the numeric layer accepts)."""
    return f"{c.base.label}_{c.indices[0]}"


def _plain(c: Indexed) -> Symbol:
    label = c.base.label
    return Symbol(plain_name(c), **label.assumptions0)


def _write_out(expr, size_symbols: dict):
    """Sums and products with numeric bounds written out, innermost first."""
    def expand(e):
        (k, lo, hi), = e.limits if len(e.limits) == 1 else ((None, None, None),)
        if k is None or not (lo.is_Integer and hi.is_Integer):
            return e
        terms = [e.function.xreplace({k: Integer(i)}) for i in range(int(lo), int(hi) + 1)]
        return sympy.Add(*terms) if isinstance(e, sympy.Sum) else Mul(*terms)
    for _ in range(10):
        new = expr.replace(lambda e: isinstance(e, (sympy.Sum, Product)), expand)
        if new == expr:
            return new
        expr = new
    return expr


def _concrete_density(e):
    """An indexed or coordinate density at a concrete size: a plain ConcreteDensity."""
    if isinstance(e, IndexedDensity):
        dists = _write_out(e.definition, {})
        vs = tuple(d.var for d in Mul.make_args(dists))
        return ConcreteDensity(e.name, vs, (), dists)
    return ConcreteDensity(e.name, e.vars, (), e.definition)


def instantiate(expr, sizes: dict):
    """``expr`` with each size symbol given a value (``{d: 2}``): sums and products written
    out, every coordinate ``z[i]`` the plain variable ``z_i``, every indexed density a plain
    ConcreteDensity.  Raises ValueError when something indexed is left (an index that is not
    a whole number within the bounds)."""
    e = sympy.sympify(expr, strict=True).xreplace({s: Integer(v) for s, v in sizes.items()})
    e = _write_out(e, sizes)
    e = e.replace(lambda x: isinstance(x, (IndexedDensity, CoordinateDensity)), _concrete_density)
    e = _write_out(e, sizes)
    for c in sorted(e.atoms(Indexed), key=str):
        if not c.indices[0].is_Integer:
            raise ValueError(f"{c} has an index that is not a number at this size")
    return e.xreplace({c: _plain(c) for c in e.atoms(Indexed)})
