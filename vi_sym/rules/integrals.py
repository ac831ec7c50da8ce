"""Rules about integrals (and, read against a counting measure, sums) over the latent."""
from __future__ import annotations

from sympy import Add, Integral, Mul

from .base import (Rule, depends_on_variable, innermost, is_whole_domain_integral as _whole, rewrite_everywhere,
                   whole_domain_variable)


def linearity_rewrite(expr, ctx):
    """∫ (f + g) dz = ∫ f dz + ∫ g dz  and  ∫ c f dz = c ∫ f dz for a number c."""
    def apply(e):
        v, f = whole_domain_variable(e), e.function
        if isinstance(f, Add):
            return Add(*[Integral(t, v) for t in f.args])
        coeff, rest = f.as_coeff_Mul()
        if coeff != 1 and rest != 1:
            return coeff * Integral(rest, v)
        return None
    return rewrite_everywhere(expr, _whole, innermost(apply))


def constant_out_rewrite(expr, ctx):
    """∫ c f(z) dz = c ∫ f(z) dz when c does not depend on z."""
    def apply(e):
        v, f = whole_domain_variable(e), e.function
        if not isinstance(f, Mul):
            return None
        dep = [a for a in f.args if depends_on_variable(a, v)]
        const = [a for a in f.args if not depends_on_variable(a, v)]
        if not const or not dep:
            return None
        return Mul(*const) * Integral(Mul(*dep), v)
    return rewrite_everywhere(expr, _whole, innermost(apply))


linearity = Rule(
    "linearity", "equality", "∫ (a f + b g) dz = a ∫ f dz + b ∫ g dz",
    ("f and g are integrable against the latent's measure", "a, b are numbers"),
    linearity_rewrite,
    doc="Integrals (and expectations, once unfolded) are linear.")

constant_out = Rule(
    "constant_out", "equality", "∫ c f(z) dz = c ∫ f(z) dz   (c free of z)",
    ("c does not depend on the integration variable", "f is integrable"),
    constant_out_rewrite,
    doc="A factor free of the latent leaves the integral; a factor that depends on it never does.")
