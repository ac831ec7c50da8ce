"""The parser's production for a gradient (see :mod:`vi_sym.parse`)::

    primary := ('grad_' | '∇_') (NAME | '{' NAME '}') operand      ∇_φ E_q(z|φ)[f], grad_θ log p(x|z,θ)

The operand binds as a unary minus does: ``∇_φ log q(z|φ) f(z)`` is ``(∇_φ log q(z|φ))·f(z)``, and
``∇_φ (a + b)`` needs its brackets.  The gradient is taken in a declared parameter (``parameters:``,
``positive:``: a real, non-random quantity); in a latent or observed variable -- integrated over,
or data -- it is an error that says so.
"""
from __future__ import annotations

from sympy import Derivative

from .tokens import Token

__all__ = ["is_gradient_word", "parse_gradient", "gradient_variable_error"]

_OPERAND_BP = 25     # the parser's binding power of a unary minus: the operand is one factor


def is_gradient_word(w: str) -> bool:
    """``grad_φ``, ``∇_θ``, or ``grad_`` / ``∇_`` before ``{``."""
    word, sep, _ = w.partition("_")
    return bool(sep) and word in ("grad", "∇")


def gradient_variable_error(name: str, var) -> str:
    """Why ``name`` cannot be the variable of a gradient ("" when it can)."""
    if var is None:
        return f"the gradient ∇_{name}: '{name}' is not declared (declare it: parameters: {name})"
    if var.is_real is not True:
        return (f"the gradient ∇_{name}: '{name}' is a random variable (latent or observed); a gradient "
                f"is taken in a declared parameter (parameters: θ, φ)")
    return ""


def parse_gradient(p, t: Token):
    """``grad_φ f``, ``∇_φ f``, ``∇_{φ} f``: the derivative of the next factor in the parameter φ."""
    word, _, sub = t.value.partition("_")
    where = t
    if not sub:
        opener = p.next()
        if opener.value != "{":
            raise p.error(f"write {word}_φ or {word}_{{φ}}: the parameter is its subscript", t)
        where = p.next()
        if where.kind != "id":
            raise p.unexpected(where, "the parameter the gradient is taken in")
        sub = where.value
        p.close("}", opener)
    var = p.env.variables.get(sub)
    why = gradient_variable_error(sub, var)
    if why:
        raise p.error(why, where)
    if p.peek().kind == "eof":
        raise p.error(f"{word}_{sub} needs the expression it differentiates", t)
    return p.apply(t, Derivative, p.expr(_OPERAND_BP), var)
