"""Gradients in a parameter: black-box VI's score function and the VAE's gradients.

``∇_φ f`` is the derivative of f in a declared parameter φ (a real, non-random quantity).  Two
rules:

* ``derivative_under_integral`` (Leibniz): ∇_φ ∫ f dz = ∫ ∇_φ f dz, then the calculus of
  derivatives (sum, product, chain rules; ∇_φ log q = ∇_φ q / q).  Valid when f and ∇_φ f are
  dominated by an integrable function near φ and the support of every density in f is free of
  φ (a Uniform(0, φ) is not: its derivative would miss the boundary term).  A density depends on
  the parameters it names: q(z|φ) on φ, p(x|z,θ) and p(x, z) not.  An operand none of whose
  densities names φ -- ``∇_φ E_q(z|x)[f]`` in a note whose q_φ is implicit -- is left alone, so
  a gradient written of something free of φ is never proved to be zero.
* ``integral_of_derivative_of_density``: ∫ ∇_φ q(z|φ) dz = ∇_φ ∫ q(z|φ) dz = ∇_φ 1 = 0 for a
  density normalised in z over its whole domain -- the score function's mean is zero,
  E_q[∇_φ log q(z|φ)] = 0.
"""
from __future__ import annotations

from sympy import Abs, DiracDelta, Derivative, Heaviside, Integral, Max, Min, Piecewise, sign

from ..operators import ArgOpt, ExpectationExcept
from ..vocabulary import ELBO, KL, Const, Density, Entropy, Expectation
from .base import Rule, is_normalised_in, rewrite_everywhere, whole_domain_variable

_UNFOLDED_FIRST = (KL, ELBO, Entropy, Expectation, ExpectationExcept, ArgOpt, Const)


#: where a support or a kink can sit: a derivative through them would lose a boundary term
_EDGES = (Piecewise, Heaviside, DiracDelta, Min, Max, Abs, sign)


def _moving_support(body, var) -> bool:
    """Does an indicator, a piecewise part, a kink or an integration limit of ``body`` move with
    ``var`` (a Uniform(0, b) written out: differentiating under the integral would lose the
    boundary term)?"""
    if any(var in e.free_symbols for e in body.atoms(*_EDGES)):
        return True
    return any(var in b.free_symbols for i in body.atoms(Integral) for lim in i.limits for b in lim[1:])


def derivative_under_integral_rewrite(expr, ctx):
    """∇_φ ∫ f dz = ∫ ∇_φ f dz, and the calculus of derivatives, for a declared parameter φ."""
    def match(e):
        if not isinstance(e, Derivative) or len(e.variables) != 1:
            return False
        var, body = e.variables[0], e.expr
        arbitrary = [d for d in body.atoms(Density) if type(d) is Density]   # a defined one's is written out
        return (ctx.is_parameter(var) and not body.has(*_UNFOLDED_FIRST) and not _moving_support(body, var)
                and (not arbitrary or any(var in d.vars + d.given for d in arbitrary)))
    return rewrite_everywhere(expr, match, lambda e: e.expr.diff(e.variables[0]))


def integral_of_derivative_rewrite(expr, ctx):
    """∫ ∇_φ q(z|φ) dz = 0 for q normalised in z (over its whole domain)."""
    def match(e):
        if not isinstance(e, Integral):
            return False
        v = whole_domain_variable(e)
        f = e.function
        return (v is not None and isinstance(f, Derivative) and len(f.variables) == 1
                and ctx.is_parameter(f.variables[0]) and is_normalised_in(f.expr, v))
    return rewrite_everywhere(expr, match, lambda e: 0)


derivative_under_integral = Rule(
    "derivative_under_integral", "equality", "∇_φ ∫ f dz = ∫ ∇_φ f dz",
    ("φ a declared parameter",
     "f and ∇_φ f dominated by an integrable function of z near φ (differentiation under the integral)",
     "the support of every density in f is free of φ (a piecewise part, indicator, kink or integration limit "
     "that moves with φ stops the rule)",
     "a density depends on the parameters it names; some density in f names φ (or f has none)"),
    derivative_under_integral_rewrite,
    doc="Differentiates under the integral sign (Leibniz), then by the sum, product and chain rules.",
    example="latent: z\nobserved: x\nparameters: φ\n"
            "grad_φ E_q(z|φ)[log(p(x,z))] = E_q(z|φ)[log(p(x,z)) * grad_φ log(q(z|φ))]",
    action="differentiate under the integral sign")

integral_of_derivative_of_density = Rule(
    "integral_of_derivative_of_density", "equality", "∫ ∇_φ q(z|φ) dz = 0",
    ("q a density in z, normalised over its whole domain for every φ",
     "differentiation under the integral (∫ ∇_φ q dz = ∇_φ ∫ q dz = ∇_φ 1)"),
    integral_of_derivative_rewrite,
    doc="The derivative of a normalised density integrates to zero: the score function has mean zero.",
    example="latent: z\nobserved: x\nparameters: φ\n"
            "integrate(grad_φ q(z|φ), z) = 0",
    action="integrate the derivative of a normalised density to zero")

__all__ = ["derivative_under_integral", "integral_of_derivative_of_density"]
