"""The one expression walker over vi_sym's sympy vocabulary.

:class:`Walker` turns an (unfolded) expression into a closure by structural recursion;
*what* each node computes is a back-end's business:

* :class:`vi_sym.numeric.precise.Precise` -- mpmath scalars with first-order error
  propagation, for one parameter point;
* :class:`vi_sym.numeric.fast.Fast` -- float64 numpy arrays over a batch of parameter
  points, with a status per point;
* :mod:`vi_sym.numeric.plain` -- the same two arithmetics without error tracking, on
  a dict of named values (the integrands of claims about defined densities).

The walker fixes the reading every back-end shares:

* a density is a log-density (from the family) exponentiated once;
* ``log`` of a product / quotient / power of densities is evaluated in log space
  through *signed logs* ``(sign, log|value|, error of the log)``, never by taking the
  log of an exponentiated value; ``exp`` of something is its signed log;
* an integer power of a density-free base is exact arithmetic; every other power goes
  through the signed log;
* special functions are looked up in the back-end's one table (``FUNCTIONS``);
* ``∫ f dz`` (indefinite, over the latent) is handed to the back-end with the roles of
  the densities that make ``f`` decay (those outside logs, at positive powers);
* an integral or a sum with explicit bounds (``Integral(f, (t, a, b))``, ``Sum(f, (k, a, b))``)
  is handed to the back-end's ``bounded`` with its body compiled once, the bound variable
  read from the back-end's binding (:mod:`vi_sym.numeric.bounded` does the certified mpmath
  quadrature / summation); a density inside such a body is not evaluated.

Anything else is :class:`NotEvaluable` (structural): never a wrong number.

Why not ``sympy.lambdify``: it compiles an expression to one opaque function that
returns a bare number, whereas every node here must carry an error estimate (mpmath) or
a per-point status (float64), read densities and their logs in log space, and refuse
(log of a negative value, overflow) with a reason at the node that failed; lambdify
would also generate and ``exec`` source text for every expression, and its
``modules=`` tables are what :mod:`.functions` already gives each back-end.
"""
from __future__ import annotations

import sympy

from ..vocabulary import Density
from .common import LATENT, Z_ROLES, NotEvaluable
from .functions import arity_ok

__all__ = ["Walker", "is_constant"]


def is_constant(e) -> bool:
    """A number or a named constant (pi, E, EulerGamma, ...)."""
    return bool(e.is_Number or isinstance(e, sympy.NumberSymbol) or (e.is_Atom and e.is_number))


class Walker:
    """Dispatch over the vocabulary; subclasses (back-ends) implement the node methods."""

    #: sympy function class -> callable of the back-end (see :mod:`.functions`)
    FUNCTIONS: dict = {}

    def __init__(self, family=None):
        self.family = family
        self.bound_names: list = []   # variables bound by explicit integrals / sums around a node

    # --- values -------------------------------------------------------------------
    def value(self, e):
        if isinstance(e, Density):
            return self.density(self.role(e), str(e))
        if is_constant(e):
            return self.const(e)
        if isinstance(e, sympy.Symbol):
            return self.bound_symbol(e) if e.name in self.bound_names else self.symbol(e)
        if isinstance(e, sympy.Add):
            return self.add([self.value(a) for a in e.args])
        if isinstance(e, sympy.Mul):
            return self.mul([self.value(a) for a in e.args])
        if isinstance(e, sympy.Pow):
            b, x = e.args
            if x.is_Integer and not b.has(Density):
                return self.int_pow(self.value(b), int(x))
            return self.power(e)
        if isinstance(e, sympy.log):
            if len(e.args) != 1:
                raise NotEvaluable(f"cannot evaluate {e}", structural=True)
            return self.log_of(e.args[0])
        if isinstance(e, sympy.exp):
            return self.exp(self.value(e.args[0]))
        if isinstance(e, sympy.Sum) or (isinstance(e, sympy.Integral) and
                                         any(len(lim) == 3 for lim in e.limits)):
            return self._bounded(e)
        if isinstance(e, sympy.Integral):
            return self._integral(e)
        if isinstance(e, (sympy.Function, sympy.Min)) and arity_ok(e):   # Min: a triangular density
            fun = self.FUNCTIONS.get(type(e))
            if fun is not None:
                return self.call(type(e).__name__, fun, [self.value(a) for a in e.args])
            self.missing_function(e)
        raise NotEvaluable(f"cannot evaluate {type(e).__name__}: {e}", structural=True)

    def power(self, e):
        """A power other than an integer power of a density-free base: via its signed log."""
        return self.from_signed_log(self.signed_log(e))

    def log_of(self, a):
        """``log(a)``: from the signed log of ``a`` (log space)."""
        return self.log(self.signed_log(a))

    def missing_function(self, e):
        """A function this back-end's table lacks (the fast path defers to the precise one)."""

    def role(self, d):
        if self.family is None:
            raise NotEvaluable(f"density {d} has no numeric meaning here", structural=True)
        return self.family.role(d)

    # --- signed logs: (sign, log|value|, abs error of the log) ----------------------
    def signed_log(self, e):
        if isinstance(e, Density):
            return self.slog_density(self.role(e), str(e))
        if isinstance(e, sympy.Mul):
            return self.slog_mul([self.signed_log(a) for a in e.args])
        if isinstance(e, sympy.Pow):
            b, x = e.args
            fb = self.signed_log(b)
            if x.is_number:
                if not (x.is_extended_real and x.is_finite):
                    raise NotEvaluable(f"non-real exponent in {e}", structural=True)
                return self.slog_const_pow(fb, x)
            return self.slog_var_pow(fb, self.value(x))
        if isinstance(e, sympy.exp):
            return self.slog_exp(self.value(e.args[0]))
        if isinstance(e, sympy.Add):
            out = self.slog_add(e)
            if out is not None:
                return out
        return self.slog_value(self.value(e))

    def slog_add(self, e):
        """A signed log of a sum from its terms' signed logs, or None (evaluate the sum)."""
        return None

    # --- integrals ----------------------------------------------------------------
    def weights(self, e):
        """Roles of the densities that make the integrand decay (outside logs, positive powers)."""
        if isinstance(e, Density):
            return {self.role(e)}
        if isinstance(e, (sympy.log, sympy.exp)):
            return set()
        if isinstance(e, sympy.Pow):
            x = e.args[1]
            if x.is_number and x.is_positive:
                return self.weights(e.args[0])
            return set()
        out = set()
        for a in e.args:
            if isinstance(a, sympy.Basic):
                out |= self.weights(a)
        return out

    def _integral(self, e):
        if len(e.limits) != 1 or len(e.limits[0]) != 1:
            raise NotEvaluable(f"only indefinite integrals over the latent are supported: {e}",
                               structural=True)
        var = e.limits[0][0]
        if var.name != LATENT:
            raise NotEvaluable(f"integration over {var} (only the latent {LATENT} is integrated)",
                               structural=True)
        fi = self.value(e.function)
        roles = tuple(sorted(r for r in self.weights(e.function) if r in Z_ROLES))
        return self.integral(e, fi, roles)

    def integral(self, e, fi, roles):
        raise NotEvaluable(f"cannot integrate here: {e}", structural=True)

    # --- integrals and sums with explicit bounds ------------------------------------
    def _bounded(self, e):
        is_sum = isinstance(e, sympy.Sum)
        if any(len(lim) != 3 for lim in e.limits):
            raise NotEvaluable(f"an integral over the whole domain and over explicit bounds at once: {e}",
                               structural=True)
        if e.function.has(Density):
            raise NotEvaluable("a density inside an integral or a sum with explicit bounds is not "
                               "evaluated numerically", structural=True)
        names = [lim[0].name for lim in e.limits]
        self.bound_names.extend(names)
        try:
            fn = self.value(e.function)
        finally:
            del self.bound_names[-len(names):]
        for i, (var, lo, hi) in enumerate(e.limits):    # innermost first
            self.bound_names.extend(names[i + 1:])
            try:
                flo, fhi = self.bound_value(lo), self.bound_value(hi)
            finally:
                if names[i + 1:]:
                    del self.bound_names[-len(names[i + 1:]):]
            fn = self.bounded(is_sum, var.name, fn, flo, fhi, e)
        if not e.free_symbols and not self.bound_names:
            fn = self.memo_constant(fn)
        return fn

    def memo_constant(self, fn):
        """A closure for a closed value (no free symbols): the back-end may compute it once."""
        return fn

    def bound_value(self, b):
        """A bound: the string '-inf' / 'inf', or the compiled expression."""
        if b is sympy.oo or b is sympy.S.NegativeInfinity:
            return "inf" if b is sympy.oo else "-inf"
        return self.value(b)

    def bound_symbol(self, e):
        """A variable bound by an explicit integral or sum (the back-end's binding)."""
        raise NotEvaluable(f"{e} is bound by an explicit integral or sum, not evaluated here",
                           structural=True)

    def bounded(self, is_sum, name, fn, flo, fhi, e):
        raise NotEvaluable(f"cannot evaluate {'sums' if is_sum else 'integrals'} with explicit bounds "
                           f"here: {e}", structural=True)
