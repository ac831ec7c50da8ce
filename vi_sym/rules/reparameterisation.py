"""Change of variables for a Normal density: the reparameterisation identity.

    ∫ Normal(z; m, s) g(z) dz = ∫ Normal(ε; 0, 1) g(m + s·ε) dε        (s > 0)

i.e. ``E_{Normal(z, m, s)}[g(z)] = E_{Normal(ε, 0, 1)}[g(m + s ε)]``, for any g for which
either side exists -- a declared test function (``functions: f``), a polynomial, ... -- by the
substitution z = m + s ε: dz = s dε and Normal(m + s ε; m, s) = Normal(ε; 0, 1) / s.

It acts on densities bound by ``define`` (``define q(z) = Normal(z, m, s)``): the normal form
writes every such expectation under the standard normal φ in the variable ε, so
``E_q(z)[f(z)] = E_r(e)[f(m + s*e)]`` with ``define r(e) = Normal(e, 0, 1)`` holds and
``E_r(e)[f(m + s^2*e)]`` does not.  Left alone: an integrand in which z also occurs inside a
density (``log q(z)``: the entropy is a closed form, not a substitution) or is bound again, a
scale not provably positive, and an integrand that already uses the name ε.
"""
from __future__ import annotations

from sympy import Integral, Mul, Symbol

from ..vocabulary import Density
from .base import Rule, rewrite_everywhere, whole_domain_variable

#: the variable and the name of the standard normal density of the normal form
EPSILON = Symbol("ε")
STANDARD = "φ"


def _normal(factor, v):
    """(m, s) when ``factor`` is a defined density Normal(v; m, s), else None."""
    dist = getattr(factor, "definition", None)
    if not isinstance(factor, Density) or factor.vars != (v,) or dist is None:
        return None
    if getattr(dist, "kind", None) != "Normal" or getattr(dist, "var", None) != v:
        return None
    m, s = dist.params
    return m, s


def _standard(d):
    """The standard normal density φ(ε), built like ``d`` (a defined density; for one with a
    condition, a VAE's encoder q(z|x), like the unconditioned kind it derives from)."""
    dist = d.definition
    cls = next(c for c in type(d).__mro__ if not hasattr(c, "conditioned_on"))
    return cls(STANDARD, (EPSILON,), (), type(dist)("Normal", EPSILON, 0, 1))


def _substitute(e):
    v = whole_domain_variable(e)
    if v is None:
        return None
    factors = list(Mul.make_args(e.function))
    weights = [f for f in factors if _normal(f, v) is not None]
    if len(weights) != 1:
        return None
    d = weights[0]
    m, s = _normal(d, v)
    factors.remove(d)
    rest = Mul(*factors)
    if any(v in dd.vars + dd.given for dd in rest.atoms(Density)):
        return None
    if any(lim[0] == v for i in rest.atoms(Integral) for lim in i.limits):
        return None
    if v != EPSILON and EPSILON in (rest.free_symbols | m.free_symbols | s.free_symbols):
        return None
    if s.is_positive is not True:
        return None
    new = Integral(_standard(d) * rest.xreplace({v: m + s * EPSILON}), EPSILON)
    return None if new == e else new


def change_of_variables_rewrite(expr, ctx):
    """∫ Normal(z; m, s) g(z) dz = ∫ φ(ε) g(m + s ε) dε."""
    return rewrite_everywhere(expr, lambda e: isinstance(e, Integral), _substitute)


change_of_variables = Rule(
    "change_of_variables", "equality", "E_{Normal(z, m, s)}[g(z)] = E_{Normal(ε, 0, 1)}[g(m + s ε)]",
    ("s > 0", "z does not occur in g inside a density", "either side exists (g integrable)"),
    change_of_variables_rewrite,
    doc="The reparameterisation identity: substitute z = m + s ε (dz = s dε).",
    example="latent: z e\nparameters: m\npositive: s\nfunctions: f\n"
            "define q(z) = Normal(z, m, s)\ndefine r(e) = Normal(e, 0, 1)\n"
            "E_q(z)[f(z)] = E_r(e)[f(m + s*e)]",
    action="substitute z = m + s ε, so the expectation is under the standard normal")
