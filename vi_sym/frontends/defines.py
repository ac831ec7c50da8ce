"""``define lik(x|z) = Normal(x, z, s)`` in ``.vi`` files: a defined conditional density.

The variable left of the bar is observed, the ones right of it are latent; the right-hand side
is one distribution of the observed variable whose parameters may depend on those latents and
on declared parameters (:mod:`vi_sym.conditional`).  The other way round, ``define q(z|x) =
Normal(z, m, s)`` is an amortised variational density: a distribution of the latent z whose
parameters may depend on the observed x and on declared parameters.  A name that is not declared, or declared as
something else, is an input error at its column of the line.
"""
from __future__ import annotations

import re

from ..conditional import AMORTISED, conditional_definition_error, is_amortised
from ..distributions import DefinitionError
from ..parse import ParseError, parse_expression

__all__ = ["read_conditional", "DefineError"]


class DefineError(ValueError):
    """A bad ``define`` line: the message and the 1-based column in the line's text (0: none)."""

    def __init__(self, message: str, column: int = 0):
        super().__init__(message)
        self.message, self.column = message, column


def _column(text: str, name: str, start: int = 0) -> int:
    m = re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", text[start:])
    return start + m.start() + 1 if m else 0


def read_conditional(text: str, name: str, left: str, right: str, rhs: str, env, denv, latent, domains):
    """(vars, definition, given) of ``define name(left|right) = rhs`` (``text``: the line after
    'define'); DefineError with the column of what is wrong."""
    bar = text.index("|")
    vs, given = [], []
    for names, out, start in ((left, vs, 0), (right, given, bar)):
        for v in names.replace(",", " ").split():
            if v not in env.variables:
                raise DefineError(f"'{v}' in define {name}(...) is not declared (the variable left of "
                                  "the bar under 'observed:', the latents right of it under 'latent:')",
                                  _column(text, v, start))
            out.append(env.variables[v])
    if not vs or not given:
        raise DefineError(f"define {name}(x|z) needs a variable on each side of the bar", bar + 1)
    params = {n for n, _ in domains.items()}
    observed = {v for n, v in env.variables.items() if v not in latent and n not in params}
    eq = text.index("=", bar)
    try:
        definition = parse_expression(rhs, denv)
    except (ParseError, DefinitionError) as err:
        col = getattr(err, "column", None)
        raise DefineError(f"define {name}: {getattr(err, 'message', err)}", eq + 1 + col if col else 0) from None
    # q(z|x, φ): the encoder's parameters φ right of the bar are conditioned on, never a variable
    bare = tuple(g for g in given if str(g) not in params) or tuple(given)
    why = conditional_definition_error(name, tuple(vs), bare, definition, tuple(latent), observed, domains)
    if why:
        message, culprit = why
        start = eq + 2 + len(rhs) - len(rhs.lstrip())          # where the distribution is written
        at = _column(text, str(culprit), 0 if culprit in vs else bar) if culprit is not None else start
        raise DefineError(f"define {message}", at)
    if is_amortised(tuple(vs), bare, tuple(latent), observed):
        return tuple(vs), definition, tuple(given), AMORTISED
    return tuple(vs), definition, tuple(given)
