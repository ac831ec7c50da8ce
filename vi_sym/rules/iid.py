"""Data sets of i.i.d. points: ``log p(X|z) = Σ_n log p(x[n]|z)``, and finite sums under integrals.

Declared in the header, ``iid: X = x[1..N]``: the data set X is the points x[1], …, x[N], drawn
independently given every latent (and parameter) of the model.  Two rules:

* ``iid_factorisation``: log p(X|z) = Σ_{n=1}^{N} log p(x[n]|z) -- for a density of the model
  over X alone, conditioned on *every* latent (the evidence p(X) does not factorise: the points
  are dependent through z);
* ``sum_integral_swap``: ∫ c(z) Σ_n f_n(z) dz = Σ_n ∫ c(z) f_n(z) dz for a finite sum (an upper
  bound that is not ∞), and the linearity of a finite sum: Σ_n c·f_n = c·Σ_n f_n for c free of n,
  Σ_n (a_n + b_n) = Σ_n a_n + Σ_n b_n, and Σ_{n=lo}^{hi} c = c·(hi − lo + 1) (hi − lo + 1 ≥ 0).

The index of a sum is a bound name: the normal form writes every sum over data points with the
index ``n`` (when ``n`` is not otherwise in use), so ``Σ_m log p(x[m]|z) = Σ_n log p(x[n]|z)``.
"""
from __future__ import annotations

from sympy import Add, Indexed, IndexedBase, Integral, Mul, Sum, Symbol, expand, log, oo

from ..vocabulary import Density
from .base import Rule, is_whole_domain_integral, rewrite_everywhere

INDEX = Symbol("n", integer=True)


def _factorised(e, ctx):
    """log p(X|z, θ) -> Σ_n log p(x[n]|z, θ), or None."""
    d = e.args[0]
    if not isinstance(d, Density) or d.name not in ctx.models or len(d.vars) != 1:
        return None
    for data, point, size in ctx.iid:
        if d.vars[0] != data:
            continue
        if not all(v in d.given for v in ctx.latent) or any(ctx.is_observed(v) for v in d.given):
            return None
        n = INDEX
        if any(n in s.free_symbols for s in d.given):
            return None
        each = Density(d.name, [Indexed(IndexedBase(point), n)], d.given)
        return Sum(log(each), (n, 1, size))
    return None


def iid_factorisation_rewrite(expr, ctx):
    """log p(X|z) = Σ_{n=1}^{N} log p(x[n]|z) for X = x[1..N] i.i.d. given z."""
    if not ctx.iid:
        return expr
    return rewrite_everywhere(expr, lambda e: isinstance(e, log), lambda e: _factorised(e, ctx))


def _finite(s: Sum) -> bool:
    return len(s.limits) == 1 and s.limits[0][2] not in (oo, -oo) and s.limits[0][1] not in (oo, -oo)


def _canonical_index(s: Sum):
    (k, lo, hi), = s.limits
    body = s.function
    names = {str(v) for v in body.free_symbols | lo.free_symbols | hi.free_symbols}
    if k == INDEX or INDEX.name in names:      # by name: a size n must not read as the index
        return None
    if any(k in [lim[0] for lim in i.limits] for i in body.atoms(Integral, Sum)):
        return None
    return Sum(body.xreplace({k: INDEX}), (INDEX, lo, hi))


def _sum_out(s: Sum):
    """Σ_n c·f_n = c·Σ_n f_n (c free of n), Σ_n (a_n + b_n) = Σ_n a_n + Σ_n b_n,
    Σ_{n=lo}^{hi} c = c·(hi − lo + 1), or the index renamed, or None."""
    if not _finite(s):
        return None
    (k, lo, hi), = s.limits
    if k not in s.function.free_symbols and (hi - lo + 1).is_nonnegative:
        return s.function * (hi - lo + 1)
    body = expand(s.function, deep=False, log=False, power_exp=False, power_base=False)
    if isinstance(body, Add):
        return Add(*[Sum(t, *s.limits) for t in body.args])
    factors = Mul.make_args(s.function)
    free = [f for f in factors if k not in f.free_symbols]
    if free and len(free) < len(factors):
        rest = Mul(*[f for f in factors if k in f.free_symbols])
        return Mul(*free) * Sum(rest, *s.limits)
    return _canonical_index(s)


def _swap(e):
    """∫ c Σ_n f_n dz = Σ_n ∫ c f_n dz (finite sum; the index not bound by the integral)."""
    if not is_whole_domain_integral(e):
        return None
    factors = Mul.make_args(e.function)
    sums = [f for f in factors if isinstance(f, Sum) and _finite(f)]
    if len(sums) != 1:
        return None
    s = sums[0]
    k = s.limits[0][0]
    rest = [f for f in factors if f is not s]
    if any(k in f.free_symbols for f in rest) or k in [lim[0] for lim in e.limits]:
        return None
    if any(lim[0] in (s.limits[0][1].free_symbols | s.limits[0][2].free_symbols) for lim in e.limits):
        return None
    return Sum(Integral(Mul(*rest) * s.function, *e.limits), *s.limits)


def sum_integral_swap_rewrite(expr, ctx):
    """∫ Σ_n f_n dz = Σ_n ∫ f_n dz (finite sums), constants out of sums."""
    expr = rewrite_everywhere(expr, lambda e: isinstance(e, Integral), _swap)
    return rewrite_everywhere(expr, lambda e: isinstance(e, Sum), _sum_out)


iid_factorisation = Rule(
    "iid_factorisation", "equality", "log p(X|z) = Σ_{n=1}^{N} log p(x[n]|z)",
    ("X = x[1..N] declared i.i.d. given the latents (header 'iid: X = x[1..N]')",
     "the density is the model's, over X alone, conditioned on every latent"),
    iid_factorisation_rewrite,
    doc="Independent points given z: the log-likelihood of the data set is the sum over its points.",
    example="latent: z\nobserved: X x\npositive: N\niid: X = x[1..N]\n"
            "log(p(X|z)) = sum(log(p(x[n]|z)), (n, 1, N))",
    action="split the log-likelihood of the i.i.d. data set into a sum over its points")

sum_integral_swap = Rule(
    "sum_integral_swap", "equality", "∫ Σ_n f_n dz = Σ_n ∫ f_n dz",
    ("the sum is finite (no ∞ bound)", "each f_n integrable", "c free of n in Σ_n c f_n = c Σ_n f_n",
     "Σ_{n=lo}^{hi} c = c (hi − lo + 1) when hi − lo + 1 ≥ 0"),
    sum_integral_swap_rewrite,
    doc="A finite sum and an integral commute (linearity); a factor free of the index leaves the sum.",
    example="latent: z\nobserved: x\npositive: N\n"
            "integrate(q(z)*sum(log(p(x[n]|z)), (n, 1, N)), z) = sum(integrate(q(z)*log(p(x[n]|z)), z), (n, 1, N))",
    action="exchange a finite sum with an integral")
