"""The LaTeX reader's gradients: ``\\nabla_\\phi f``, ``\\nabla_{\\phi} f``, ``∇_θ f``.

The operand binds as a unary minus does -- ``\\nabla_\\phi \\log q_\\phi(z)\\, f(z)`` is
``(∇_φ log q(z|φ))·f(z)`` -- and the subscript is a declared parameter, or (as for ``p_\\theta``) an
undeclared Greek letter read as one, with a warning.  A latent or observed subscript is an error
at its column.
"""
from __future__ import annotations

from lark import v_args
from sympy import Derivative

from ..parse_gradient import gradient_variable_error
from ..tokens import ParseError
from .latex_functions import at, latex_name

__all__ = ["GRADIENT_RULES", "GradientMixin"]

GRADIENT_RULES = r"""
%extend unary: NABLA "_" grad_var unary             -> gradient
%extend product: product NABLA "_" grad_var unary   -> jmul_gradient
grad_var: NAME | NAME_SUB | GREEK | BOLD | "{" (NAME | NAME_SUB | GREEK | BOLD) "}"
NABLA.5: /\\nabla(?![a-zA-Z])/ | "∇"
"""


class GradientMixin:
    """The transformer's methods for :data:`GRADIENT_RULES` (mixed into the LaTeX builder)."""

    @v_args(inline=True)
    def grad_var(self, tok):
        name = latex_name(tok)
        var = self.v.get(name)
        why = gradient_variable_error(name, var)
        if why:
            raise ParseError(why, at(tok))
        return var

    @v_args(inline=True)
    def gradient(self, _, var, operand):
        return Derivative(operand, var)

    @v_args(inline=True)
    def jmul_gradient(self, factor, _, var, operand):     # f(z) \nabla_\phi \log q: juxtaposed
        return factor * Derivative(operand, var)
