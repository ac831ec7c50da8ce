"""The distribution objects and the kind registry.

A *kind* (``Normal``, ``Gamma``, ...) is a :class:`Spec`: its parameters and their
domains, its support, its log-density (sympy, valid on the support), its density (for
exact sums and sympy's own integral), the moment lemmas its KL/entropy proofs need, and
hints for quadrature.  One module per kind builds its Spec and calls :func:`register`.

A support is ``('real',)``, ``('interval', lo, hi)`` (continuous; ends may be ``oo``),
``('count',)`` (0, 1, 2, ...), ``('integers', lo, hi)`` (the integers between two ends, which
may be ``±oo``; densities written by hand) or ``('finite', points)``; the last three are
discrete (counting measure), the first two continuous (Lebesgue measure).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import sympy
from sympy import Expr, Symbol, Tuple
from sympy.core.symbol import Str

from ..vocabulary import Density, VocabularyError, _as_symbols

__all__ = ["Dist", "ConcreteDensity", "Spec", "SPECS", "register", "components", "DefinitionError",
           "DISCRETE", "is_discrete"]

DISCRETE = ("count", "finite", "integers")


class DefinitionError(VocabularyError):
    """A ``define`` right-hand side that is not a (product of) distribution(s)."""


@dataclass(frozen=True)
class Spec:
    kind: str
    params: tuple                  # parameter names, for messages ("rate", "scale", ...)
    domains: tuple                 # per parameter: "real" | "positive" | "unit" | "posint"
    logpdf: Callable               # (z, *params) -> sympy expr, valid on the support
    pdf: Callable                  # (z, *params) -> sympy expr
    support: Callable              # (*params) -> support tuple (see the module docstring)
    lemma: Callable = lambda z, params, h: None   # (z, params, statistic) -> (value, name) | None
    breaks: Callable = lambda *p: ()               # kinks/peaks (sympy), quadrature break points
    hint: Callable = lambda *p: (1.0, ())          # (*float params) -> (length scale, extra points)
    constraints: Callable = lambda *p: ()          # (*params) -> [(expr that must be > 0, advice)]
    tail_ratio: Optional[Callable] = None          # (K, *float params) -> bound on P(k+1)/P(k), k >= K (count kinds)
    fast: bool = False             # sympy closes its defining integrals quickly
    variadic: bool = False         # params is the name of one repeated parameter (weights)
    written: bool = False          # built by its own constructor (written.py, dirichlet.py), not Kind(z, ...)
    weight_logpdf: Optional[Callable] = None   # the log-density it weights integrals with, when not logpdf
    infinite_ends: bool = False    # its support's ends may be written oo / -oo (a half-truncated normal)
    doc: str = ""


SPECS: dict = {}


def register(spec: Spec) -> Spec:
    if spec.kind in SPECS:
        raise ValueError(f"distribution kind {spec.kind} registered twice")
    SPECS[spec.kind] = spec
    return spec


def is_discrete(support) -> bool:
    return support[0] in DISCRETE


class Dist(Expr):
    """``Dist(kind, var, *params)``: the density of ``kind`` in ``var``; inert."""

    is_commutative = True

    def __new__(cls, kind, var, *params):
        if isinstance(kind, str):
            kind = Str(kind)
        return Expr.__new__(cls, kind, var, *[sympy.sympify(p, strict=True) for p in params])

    @property
    def kind(self) -> str:
        return self.args[0].name

    @property
    def var(self) -> Symbol:
        return self.args[1]

    @property
    def params(self) -> tuple:
        return tuple(self.args[2:])

    @property
    def spec(self) -> Spec:
        return SPECS[self.kind]

    def logpdf(self, z=None):
        return self.spec.logpdf(self.var if z is None else z, *self.params)

    def pdf(self, z=None):
        return self.spec.pdf(self.var if z is None else z, *self.params)

    def weight_logpdf(self, z=None):
        """The log-density of the measure its expectations integrate against (a Dirichlet
        coordinate: its marginal Beta; every other kind: its log-density)."""
        w = self.spec.weight_logpdf
        return self.logpdf(z) if w is None else w(self.var if z is None else z, *self.params)

    def support(self):
        return self.spec.support(*self.params)

    def breaks(self):
        return self.spec.breaks(*self.params)

    def lemma(self, h) -> Optional[tuple]:
        return self.spec.lemma(self.var, self.params, h)

    def _sympystr(self, printer):
        return f"{self.kind}({', '.join(printer._print(a) for a in self.args[1:])})"


class ConcreteDensity(Density):
    """A density bound by ``define``: ``q(z)`` that knows it is ``Normal(z, m, s)``."""

    def __new__(cls, name, vars, given, definition):
        if isinstance(name, str):
            name = Str(name)
        vs = _as_symbols(vars, "density arguments")
        if tuple(given):
            raise VocabularyError(f"a defined density ({name}) cannot be conditional")
        return Expr.__new__(cls, name, Tuple(*vs), Tuple(), definition)

    @property
    def definition(self):
        return self.args[3]

    def components(self) -> dict:
        """{variable: Dist} for each independent factor."""
        return {c.var: c for c in components(self.definition)}


def components(definition) -> list:
    out = []
    for f in sympy.Mul.make_args(definition):
        if not isinstance(f, Dist):
            raise DefinitionError(f"'{f}' is not a distribution; a definition is a distribution "
                                  "such as Normal(z, m, s) or a product of them over distinct variables")
        out.append(f)
    return out


def constructor(spec: Spec):
    """The parse-table entry for ``Kind(var, *params)``: checks the shape, builds a Dist."""
    n = len(spec.params)

    def build(var, *params):
        kind = spec.kind
        if not isinstance(var, Symbol):
            raise DefinitionError(f"the first argument of {kind}(...) must be the variable, got {var}")
        if spec.variadic and len(params) < 2:
            raise DefinitionError(f"{kind}({var}, w0, w1, ...) needs at least two weights")
        if not spec.variadic and len(params) != n:
            raise DefinitionError(f"{kind}({var}, {', '.join(spec.params)}) takes {n} parameter"
                                  f"{'s' * (n != 1)} after the variable, got {len(params)}")
        for p in params:
            if var in sympy.sympify(p, strict=True).free_symbols:
                raise DefinitionError(f"a parameter of {kind}(...) depends on its variable {var}")
        for p, dom in zip(params, spec.domains):
            if dom == "posint" and not (sympy.sympify(p, strict=True).is_Integer and p > 0):
                raise DefinitionError(f"the number of trials of {kind}(...) must be a positive "
                                      f"integer such as 5, got {p}")
        return Dist(kind, var, *params)
    build.infinite_ends = spec.infinite_ends       # the parser lets oo stand among its arguments
    return build
