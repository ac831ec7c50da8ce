"""The structure of a claim about ``define``d densities: what its KL / E / H / ELBO objects
unfold into, and which supports must contain which.

A step is *concrete* when it mentions a :class:`~vi_sym.distributions.ConcreteDensity`.
Its KL / E / H / ELBO objects unfold into integrals (sums for discrete kinds) against the
weighting density, over that density's support:

* ``∫ P(z) g(z) dz`` where ``P`` is the one bare concrete density of the integrand over
  exactly the integral's variables and every other density occurs only inside ``log`` (so
  ``log r(z)`` is replaced by r's log-density).  This is only valid where r > 0 *against the
  same base measure*: the support of r must contain the support of P and both must be
  continuous (Lebesgue) or both discrete (counting), else the integral is +∞.
* ``∫ c · Π D_i^(a_i) dz`` (Rényi and Hellinger integrals, ``∫ q²/r``): weighted by a D_k whose
  power is provably positive, ``g = c · exp(Σ a_i log D_i − log D_k)`` (:func:`_powered`).
* a mean-field ``P = Π P_i(z_i)``: ``g`` is split into additive terms, and a term in ``z_i``
  alone integrates as ``∫ P_i g_i dz_i · Π_{j≠i} ∫ P_j dz_j`` (Fubini); a term coupling several
  latents is out of reach.
"""
from __future__ import annotations

import sympy
from sympy import Integral

from ..distributions import ConcreteDensity, components, support_contains
from ..numeric import NotEvaluable
from ..distributions.kinks import window_ends
from ..numeric.supports import CONTINUOUS, DISCRETE, base_measure, supports_nest
from ..vocabulary import ELBO, KL, Density, Entropy, Expectation, unfold_definitions

__all__ = ["FAMILY", "NotEvaluable", "is_concrete", "SYMPY_FUNCS", "CONTINUOUS", "DISCRETE",
           "base_measure", "supports_nest", "defining_integrals", "explicit", "windowed", "window_ends"]

FAMILY = "concrete"
SYMPY_FUNCS = (KL, Expectation, Entropy, ELBO)


def is_concrete(step) -> bool:
    """Is ``step`` a claim about concrete things: a ``define``-d (or written) density, or -- with no
    density, sum or unbounded integral at all -- an integral of a formula over explicit limits
    (``∫_0^∞ λ e^{-λz} dz = 1``, a learner's E[X] by hand)?"""
    if step.error:
        return False
    sides = [sympy.sympify(side, strict=True) for side in (step.lhs, step.rhs)]
    dens = [d for side in sides for d in side.atoms(Density)]
    if dens:
        return any(isinstance(d, ConcreteDensity) for d in dens)
    integrals = [e for side in sides for e in side.atoms(Integral)]
    return bool(integrals) and all(explicit(e) for e in integrals) and not any(side.has(sympy.Sum) for side in sides)


def _kinds(expr) -> set:
    return {c.kind for d in expr.atoms(ConcreteDensity) for c in components(d.definition)}



def explicit(e) -> bool:
    """An integral or a sum with explicit bounds (not a defining integral over a whole domain)."""
    return isinstance(e, sympy.Sum) or (isinstance(e, Integral) and any(len(lim) != 1 for lim in e.limits))


def defining_integrals(expr) -> list:
    """The integrals over whole domains in ``expr`` (those KL / E / H unfold into), sorted;
    NotEvaluable when one depends on the variable of an explicit integral or sum around it."""
    bound = set()
    for e in expr.atoms(sympy.Sum, Integral):
        if explicit(e):
            bound |= {lim[0] for lim in e.limits}
    out = sorted((I for I in expr.atoms(Integral) if not explicit(I)), key=str)
    for I in out:
        if I.free_symbols & bound:
            raise NotEvaluable(f"{I} depends on the variable of an explicit integral or sum around it", True)
    return out


def _unfold(expr):
    return windowed(unfold_definitions(sympy.sympify(expr, strict=True), SYMPY_FUNCS))


def windowed(expr):
    """Every integral over explicit limits of an integrand weighted by a continuous defined
    density of its one variable -- ``∫_t^∞ q(z) dz`` (a tail probability), ``∫_a^b z q(z) dz`` (a
    partial expectation) -- as a defining integral whose integrand carries the window
    H(z - a) - H(z - b) (Heaviside): the two agree whatever the order of a and b (∫_a^b = -∫_b^a),
    and an infinite end drops its term."""
    def window(I):
        (z, lo, hi), = I.limits
        w = (1 if lo == -sympy.oo else sympy.Heaviside(z - lo)) - (0 if hi == sympy.oo else sympy.Heaviside(z - hi))
        return Integral(I.function * w, z)

    def applies(e):
        if not (isinstance(e, Integral) and len(e.limits) == 1 and len(e.limits[0]) == 3):
            return False
        z = e.limits[0][0]
        ds = [d for d in e.function.atoms(ConcreteDensity) if z in d.vars]
        return bool(ds) and all(d.vars == (z,) and d.components()[z].support()[0] in CONTINUOUS
                                for d in ds)
    return expr.replace(applies, window) if expr.has(Integral) else expr


def _pieces(integral: Integral):
    """``∫ f`` -> [(P, g)] with ``f = Σ P·g``: the weighting density and the rest, with
    ``log D`` of every concrete ``D`` left in place (replaced later)."""
    vars_ = tuple(lim[0] for lim in integral.limits)
    if any(len(lim) != 1 for lim in integral.limits):
        raise NotEvaluable("a definite integral over explicit limits is not a concrete claim", True)
    f = sympy.expand_log(integral.function)
    f = sympy.expand(f, deep=False, mul=True, log=False, multinomial=False, power_exp=False,
                     power_base=False)
    out = []
    for term in sympy.Add.make_args(f):
        if term == 0:          # ∫ q log(q/q) dz: nothing to weigh (KL of a density with itself)
            continue
        weights = [a for a in sympy.Mul.make_args(term) if isinstance(a, ConcreteDensity)]
        if (len(weights) != 1 or set(weights[0].vars) != set(vars_)) and \
                (powered := _powered(term, vars_)) is not None:
            out.append(powered)
            continue
        if len(weights) != 1 or set(weights[0].vars) != set(vars_):
            raise NotEvaluable(f"cannot read ∫ {term} d{','.join(map(str, vars_))} as an integral "
                               "against one defined density over exactly these variables", True)
        P = weights[0]
        g = sympy.Mul(*[a for a in sympy.Mul.make_args(term) if a is not P])
        if g.atoms(Density) - {a.args[0] for a in g.atoms(sympy.log) if isinstance(a.args[0], Density)} \
                or any(not isinstance(d, ConcreteDensity) for d in g.atoms(Density)):
            bad = [d for d in g.atoms(Density)]
            raise NotEvaluable(f"density {bad[0]} occurs outside a log (or is not defined)", True)
        out.append((P, g))
    return out


def _powered(term, vars_):
    """``c · Π D_i^(a_i)``, concrete densities over exactly ``vars_`` and some a_k > 0 provably
    (``∫ q^α r^(1-α)``, ``∫ sqrt(q r)``, ``∫ q²/r``): (D_k, c · exp(Σ a_i log D_i − log D_k)).
    On the support of D_k the term is D_k times that (D_k > 0 there, and every other D_i > 0 by
    the support containments its log asks for); off it the term is 0, since D_k^(a_k) = 0 there
    -- so the integral is the one weighted by D_k.  None when the term is not of this form."""
    powers, rest = [], []
    for a in sympy.Mul.make_args(term):
        base, exp = a.as_base_exp()
        (powers if isinstance(base, ConcreteDensity) else rest).append((base, exp) if isinstance(
            base, ConcreteDensity) else a)
    if not powers or any(set(D.vars) != set(vars_) for D, _ in powers):
        return None
    candidates = [D for D, a in powers if a.is_positive is True]
    if not candidates:
        return None
    # weigh by the density whose support the others' contain (supp q ⊂ supp r: ∫ q^α r^(1-α)
    # is over supp q), when one does; else the first (the containments then leave it unevaluated)
    weight = next((D for D in candidates if all(_inside(D, E) for E, _ in powers)), candidates[0])
    logs = sympy.Add(*(a * sympy.log(D) for D, a in powers)) - sympy.log(weight)
    return weight, sympy.Mul(*rest) * sympy.exp(logs, evaluate=False)


def _inside(D, E) -> bool:
    """Is the support of D inside that of E, factor by factor (symbolically)?"""
    ec = E.components()
    return all(v in ec and support_contains(ec[v].support(), c.support()) for v, c in D.components().items())


def _log_densities(g, P):
    """Replace ``log D`` by D's log-density; returns (g', [(D_component, P_component)]) --
    the support containments the replacement needs."""
    needs = []
    pc = P.components()

    def repl(e):
        D = e.args[0]
        total = 0
        for v, c in D.components().items():
            if v in pc:
                needs.append((c, pc[v]))
            total += c.logpdf()
        return total
    g2 = g.replace(lambda e: isinstance(e, sympy.log) and isinstance(e.args[0], ConcreteDensity), repl)
    if g2.atoms(Density):
        raise NotEvaluable(f"density occurs outside a log in {g}", True)
    return g2, needs


def _groups(g, vars_):
    """Additive terms of g grouped by the latent variables they contain."""
    groups: dict = {}
    for t in sympy.Add.make_args(sympy.expand(g, deep=False) if isinstance(g, sympy.Mul) else g):
        key = frozenset(t.free_symbols & set(vars_))
        groups[key] = groups.get(key, 0) + t
    return groups
