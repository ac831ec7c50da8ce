"""Concrete distributions for ``define`` lines: ``define q(z) = Normal(z, m, s)``.

A constructor such as ``Normal(z, mu, sigma)`` builds a :class:`Dist` -- an inert
sympy object ``Dist(kind, variable, *params)``; a product ``Normal(z1, a, s) *
Normal(z2, b, t)`` of distributions over distinct variables is a mean-field
(independent) density.  A name bound by ``define`` becomes a
:class:`ConcreteDensity`: a :class:`~vi_sym.vocabulary.Density` (so KL, E, H and
the rules accept it) that carries its definition, so two derivations with
different definitions never look alike (the cache keys on ``srepr``).

Every kind has a symbolic log-density (valid on its support), a support --
``('real',)``, ``('interval', lo, hi)``, ``('count',)`` (0, 1, 2, ...) or
``('finite', points)`` -- and the locations where its density has a kink or a
peak (used as quadrature break points).  ``FAST`` are the kinds whose defining
integrals sympy closes quickly; the others (Gamma, Beta, Laplace, Poisson) are
known to hang or raise in ``integrate`` and go straight to the numeric path.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import sympy
from sympy import Expr, Rational, Symbol, Tuple, exp, log, loggamma, oo, pi
from sympy.core.symbol import Str

from .parse import Function
from .vocabulary import Density, VocabularyError, _as_symbols

__all__ = ["Dist", "ConcreteDensity", "SPECS", "FAST", "distribution_functions", "components",
           "DefinitionError"]


class DefinitionError(VocabularyError):
    """A ``define`` right-hand side that is not a (product of) distribution(s)."""


class Dist(Expr):
    """``Dist(kind, var, *params)``: the density of ``kind`` in ``var``; inert."""

    is_commutative = True

    def __new__(cls, kind, var, *params):
        if isinstance(kind, str):
            kind = Str(kind)
        return Expr.__new__(cls, kind, var, *[sympy.sympify(p) for p in params])

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
    def spec(self) -> "Spec":
        return SPECS[self.kind]

    def logpdf(self, z=None):
        return self.spec.logpdf(self.var if z is None else z, *self.params)

    def pdf(self, z=None):
        return self.spec.pdf(self.var if z is None else z, *self.params)

    def support(self):
        return self.spec.support(*self.params)

    def breaks(self):
        return self.spec.breaks(*self.params)

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


# --------------------------------------------------------------------------- the kinds

@dataclass(frozen=True)
class Spec:
    kind: str
    params: tuple                  # parameter names, for messages
    logpdf: Callable               # (z, *params) -> sympy expr, valid on the support
    pdf: Callable                  # (z, *params) -> sympy expr (for sympy integrate)
    support: Callable              # (*params) -> ('real',) | ('interval', lo, hi) | ('count',) | ('finite', pts)
    breaks: Callable = lambda *p: ()


def _lagrange(z, values):
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


def _cat_probs(*w):
    W = sum(w)
    return [wk / W for wk in w]


SPECS = {s.kind: s for s in (
    Spec("Normal", ("mu", "sigma"),
         lambda z, m, s: -log(s) - log(2 * pi) / 2 - (z - m) ** 2 / (2 * s ** 2),
         lambda z, m, s: exp(-(z - m) ** 2 / (2 * s ** 2)) / (sympy.sqrt(2 * pi) * s),
         lambda m, s: ("real",), lambda m, s: (m,)),
    Spec("Exponential", ("rate",),
         lambda z, l: log(l) - l * z, lambda z, l: l * exp(-l * z),
         lambda l: ("interval", 0, oo)),
    Spec("Gamma", ("shape", "rate"),
         lambda z, a, b: a * log(b) - loggamma(a) + (a - 1) * log(z) - b * z,
         lambda z, a, b: b ** a * z ** (a - 1) * exp(-b * z) / sympy.gamma(a),
         lambda a, b: ("interval", 0, oo)),
    Spec("Beta", ("a", "b"),
         lambda z, a, b: (a - 1) * log(z) + (b - 1) * log(1 - z)
         - (loggamma(a) + loggamma(b) - loggamma(a + b)),
         lambda z, a, b: z ** (a - 1) * (1 - z) ** (b - 1) / sympy.beta(a, b),
         lambda a, b: ("interval", 0, 1)),
    Spec("Bernoulli", ("p",),
         lambda z, p: z * log(p) + (1 - z) * log(1 - p),
         lambda z, p: _lagrange(z, [1 - p, p]),
         lambda p: ("finite", (0, 1))),
    Spec("Poisson", ("lam",),
         lambda z, l: z * log(l) - l - loggamma(z + 1),
         lambda z, l: l ** z * exp(-l) / sympy.factorial(z),
         lambda l: ("count",), lambda l: (l,)),
    Spec("Laplace", ("mu", "b"),
         lambda z, m, b: -log(2 * b) - sympy.Abs(z - m) / b,
         lambda z, m, b: exp(-sympy.Abs(z - m) / b) / (2 * b),
         lambda m, b: ("real",), lambda m, b: (m,)),
    Spec("Uniform", ("a", "b"),
         lambda z, a, b: -log(b - a), lambda z, a, b: 1 / (b - a),
         lambda a, b: ("interval", a, b)),
    # unnormalised positive weights w0, w1, w2: P(z = k) = w_k / (w0 + w1 + w2)
    Spec("Categorical", ("w0", "w1", "w2"),
         lambda z, *w: _lagrange(z, [log(p) for p in _cat_probs(*w)]),
         lambda z, *w: _lagrange(z, _cat_probs(*w)),
         lambda *w: ("finite", (0, 1, 2))),
)}

#: kinds whose defining integrals/sums sympy closes in well under a second or two
FAST = frozenset({"Normal", "Exponential", "Uniform", "Bernoulli", "Categorical"})


def _constructor(kind):
    spec = SPECS[kind]

    def build(var, *params):
        if not isinstance(var, Symbol):
            raise DefinitionError(f"the first argument of {kind}(...) must be the variable, got {var}")
        for p in params:
            if var in sympy.sympify(p).free_symbols:
                raise DefinitionError(f"a parameter of {kind}(...) depends on its variable {var}")
        return Dist(kind, var, *params)
    return Function(build, 1 + len(spec.params))


def distribution_functions() -> dict:
    """Entries for a :class:`~vi_sym.parse.ParseEnv` function table (``define`` lines)."""
    return {k: _constructor(k) for k in SPECS}
