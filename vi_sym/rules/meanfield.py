"""``E_{-j}``: the expectation under every mean-field factor but one.

With the factorisation declared in the header (``factorised: q(z1)*q(z2)*q(z3)``),
``E_{-z1}[f] = E_{q(z2)*q(z3)}[f]`` -- and ``E_{-1}[f]`` the same, leaving out the first factor.
With two latents, ``E_{-z1}[f] = E_q(z2)[f]``.  It unfolds freely (a definition); without a
declared factorisation, or for a ``j`` that names no factor, it stays as written (and a step
that needs it is not proved).
"""
from __future__ import annotations

from ..operators import ExpectationExcept
from .base import Rule, rewrite_everywhere


def expectation_except_rewrite(expr, ctx):
    """E_{-j}[f] = E_{∏_{i≠j} q_i}[f]."""
    if not ctx.factors:
        return expr
    return rewrite_everywhere(expr, lambda e: isinstance(e, ExpectationExcept),
                              lambda e: e.unfold(ctx.factors))


expectation_except_definition = Rule(
    "expectation_except_definition", "equality", "E_{-j}[f] = E_{∏_{i≠j} q_i}[f]",
    ("q = ∏_i q_i(z_i) is the declared mean-field factorisation (header 'factorised:')",),
    expectation_except_rewrite,
    doc="The expectation under every factor of the mean-field q but the j-th.", definition=True,
    example="latent: z1 z2\nobserved: x\nfactorised: q(z1)*q(z2)\n"
            "E_{-z1}[log(p(x,z1,z2))] = E_q(z2)[log(p(x,z1,z2))]",
    action="write E_{-j} as the expectation under the other mean-field factors")
