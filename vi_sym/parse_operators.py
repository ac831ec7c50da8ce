"""The parser's productions for optimisation statements and ``E_{-j}`` (see :mod:`vi_sym.parse`)::

    primary := ('argmax_' | 'argmin_') (NAME | '{' expr '}') expr     argmax_q ELBO(q(z), p(x,z))
             | 'Var' ('_' NAME | '_{' expr '}')? '[' expr ']'   Var_q[f]: E_q[f²] - E_q[f]²
             | ALIAS '(' [NAME (';' | '|')] expr (',' expr)* ')'    N(μ, σ^2), Gamma(z; a, b): a written
                                                                   distribution (``env.written``)
             | 'E_{' ('-' | NAME '≠') (NAME | NUMBER) '}' '[' expr ']'   E_{-z1}[f], E_{i≠z1}[f]
             | DENSITY '*(' names ')'        q*(z), q1*(z1) (written together): the optimum q_star

Each function takes the parser (``self``) and the token(s) already read.
"""
from __future__ import annotations

from sympy import Indexed, IndexedBase, Integer, Symbol

from .operators import ArgMax, ArgMin, ExpectationExcept
from .vocabulary import Density, Expectation, VocabularyError, variance
from .tokens import RELATIONS, ParseError, Token


def over_latent(env, var, where: Token):
    """``E_z[f]``, ``E_{z1}[f]`` in a note (``env.latent``): the expectation over a latent, under the
    note's q when it is over that latent alone (q(z)), else q's factor over it, q(z1); None when
    ``var`` (a name or an expression) is no variable; a ParseError at ``where`` for a variable
    that is not one of the note's latents (``E_x[f]``)."""
    name = var if isinstance(var, str) else str(var) if isinstance(var, Symbol) else None
    if not env.latent or name not in env.variables:
        return None
    if name not in env.latent:
        raise ParseError(f"E_{name}[...]: the expectation is under a density (E_q(z)[f]) or over a latent "
                         f"(E_z[f]); '{name}' is not a latent", where.col)
    q = env.constants.get("q")
    z = env.variables[name]
    return q if isinstance(q, Density) and list(q.vars) == [z] else Density("q", [z])


def bracket_call(w: str, env) -> bool:
    """``KL[q||p]``, ``D_KL[…]``, ``H[q]``: called with square brackets (in plain-text notes)."""
    return w in ("KL", "D_KL", "H") and env.bare_calls


def parse_starred(self, t: Token):
    """``q*(z)``, ``q1*(z1)`` written together (in plain-text notes): the density named q_star,
    q1_star -- an optimum the step does not define -- not q(z)·z; None when ``t`` is not that."""
    star, opener = self.peek(), self.toks[min(self.i + 1, len(self.toks) - 1)]
    if t.value in self.env.densities and star.value == "*" and opener.value == "(" \
            and t.end == star.start and star.end == opener.start:
        self.next(), self.next()
        return self.density(Token("id", t.value + "_star", t.text + "*", t.start, star.end), opener)
    return None


def is_optimum_word(w: str) -> bool:
    """``argmax_q``, ``argmin_θ``, or ``argmax_`` before ``{``."""
    return w in ("argmax_", "argmin_") or (w[:7] in ("argmax_", "argmin_") and len(w) > 7)


def parse_optimum(self, t: Token):
    """``argmax_q f``, ``argmin_θ f``, ``argmax_{q(z1)} f``: the objective runs to the end of
    the side (up to the relation or a closing bracket)."""
    word, _, sub = t.value.partition("_")
    if not sub:
        opener = self.next()
        if opener.value != "{":
            raise self.error(f"write {word}_q, {word}_θ or {word}_{{q(z1)}}: the variable it "
                             "optimises over is its subscript", t)
        name, after = self.peek(), self.toks[min(self.i + 1, len(self.toks) - 1)]
        if name.kind == "id" and name.value in self.env.densities and after.value == "}":
            self.next()                        # argmax_{q}: every density named q
            target = name.value
        else:
            target = self.expr(0)
        self.close("}", opener)
        if isinstance(target, Symbol):
            target = self.env.variables.get(target.name, target)
    elif sub in self.env.densities and self.at("(") and self.peek().start == t.end:
        # argmax_q(z1) f: the density q(z1) is the subscript, not a factor of the objective
        target = self.density(Token("id", sub, sub, t.start + 7, t.end), self.next())
    elif sub in self.env.densities:
        target = sub
    elif sub in self.env.variables:
        target = self.env.variables[sub]
    else:
        raise self.error(f"{word}_{sub}: '{sub}' is neither a density name nor a declared "
                         "variable", t)
    if self.peek().kind == "eof" or self.peek().value in RELATIONS:
        raise self.error(f"{word} needs the expression it optimises", t)
    body = self.expr(0)
    return self.apply(t, ArgMax if word == "argmax" else ArgMin, body, target)

def is_except_subscript(self) -> bool:
    """After ``E_{``: ``i≠j`` (the expectation over every factor i but j)?"""
    nxt = self.toks[min(self.i + 1, len(self.toks) - 1)]
    return self.peek().kind == "id" and nxt.kind == "op" and nxt.value == "≠"


def parse_expectation_except(self, t: Token, opener: Token):
    """``E_{-z1}[f]`` / ``E_{-1}[f]`` / ``E_{i≠z1}[f]`` with ``E_{`` consumed and ``-`` (or
    ``i≠``) next."""
    if not self.at("-"):
        self.next()              # the name of the running index, i
    self.next()
    j = self.next()
    if j.kind == "id" and j.value in self.env.variables:
        which = self.env.variables[j.value]
    elif j.kind == "num" and j.value.isdigit() and int(j.value) > 0:
        which = int(j.value)
    else:
        raise self.error("E_{-j} (E_{i≠j}) leaves out a latent (E_{-z1}) or a factor by its position "
                         f"(E_{{-1}}); got {j.describe()}", j)
    self.close("}", opener)
    body_open = self.next()
    if body_open.value != "[":
        raise self.error(f"expected '[' after E_{{-{j.text}}}, found {body_open.describe()}", body_open)
    body = self.expr(0)
    self.close("]", body_open)
    return self.apply(t, ExpectationExcept, which, body)


def density_variable(self, v: Token):
    """A density's variable: a declared name, a data point ``x[n]`` of it (an index name), or
    a coordinate ``z[j]`` of a declared vector."""
    var = self.env.variables[v.value]
    if not (self.at("[") and self.peek().start == v.end):
        return var
    if v.value in self.env.indexed:
        return parse_coordinate(self, v)
    opener = self.next()
    idx = self.next()
    if idx.kind != "id":
        raise self.error(f"a data point is indexed by a name, e.g. {v.value}[n]", idx)
    index = self.env.variables.get(idx.value, Symbol(idx.value, integer=True))
    self.close("]", opener)
    return Indexed(IndexedBase(var), index)


def parse_coordinate(self, t: Token):
    """``z[j]`` / ``s[2]``: a coordinate of a declared vector (``latent: z[1..d]``); the index is
    the index of an enclosing ``sum``/``prod`` or a whole number within the bounds."""
    base, lo, hi = self.env.indexed[t.value]
    w = t.value
    if not (self.at("[") and self.peek().start == t.end):
        raise self.error(f"'{w}' is a vector {w}[{lo}..{hi}]: write one of its coordinates, "
                         f"{w}[j] inside sum(..., (j, {lo}, {hi})), or {w}[1]", t)
    opener = self.next()
    idx = self.next()
    index = self.env.variables.get(idx.value) if idx.kind == "id" else None
    if idx.kind == "num" and idx.value.isdigit():
        index = Integer(int(idx.value))
        if index < lo or (hi.is_Integer and index > hi):
            raise self.error(f"{w}[{index}] is outside {w}[{lo}..{hi}]", idx)
    elif index is None or not (isinstance(index, Symbol) and index.is_integer):
        raise self.error(f"the index of {w}[...] is the index of an enclosing sum(..., (j, {lo}, {hi})) "
                         f"or prod(...), or a whole number; got {idx.describe()}", idx)
    self.close("]", opener)
    return Indexed(IndexedBase(base), index)


def parse_written(self, t: Token):
    """``N(μ, σ^2)``, ``Gamma(z; a, b)``, ``Beta(z | a, b)``: a distribution written where a
    density goes; ``env.written`` (called with the alias token, the variable token or None and
    the arguments [(first token, value)]) makes it a density; its ``aliases`` are the names it
    reads.  None (nothing consumed) when ``t`` is not one of them or is a declared name."""
    env, w = self.env, t.value
    if w not in getattr(env.written, "aliases", ()) or w in env.variables or w in env.densities \
            or w in env.functions:
        return None
    opener = self.next()
    var, nxt = None, self.toks[min(self.i + 1, len(self.toks) - 1)]
    if self.peek().kind == "id" and nxt.kind == "op" and nxt.value in (";", "|"):
        var = self.next()
        self.next()
    args, ends = [], bool(getattr(env.written, "infinite_ends", lambda a: False)(w))
    self.in_bounds += ends          # TruncatedNormal(0, 1, 0, oo): an infinite end
    while True:
        first = self.peek()
        args.append((first, self.expr(0)))
        if not self.at(","):
            break
        self.next()
    self.in_bounds -= ends
    self.close(")", opener)
    return self.apply(t, self.env.written, t, var, args)


def is_variance_word(self, t: Token) -> bool:
    """``Var_q``, ``Var_`` (before ``{``), or ``Var`` (before ``[``, in notes: under q)."""
    w, env = t.value, self.env
    return (w == "Var" or w.startswith("Var_")) and w not in env.variables and w not in env.functions \
        and w not in env.densities and w not in env.constants


def parse_variance(self, t: Token):
    """``Var_q[f]``, ``Var_q(z)[f]``, ``Var_{q(z)}[f]``, ``Var[f]``: E_q[f²] - E_q[f]², the
    density written as an expectation's is (read by the expectation's own production); and a
    bare ``Var(f)``, as ``Var[f]`` (under the note's q, or a sampling statement's distribution)."""
    q = self.env.constants.get("q")
    if t.value == "Var" and self.at("(") and isinstance(q, Density):
        opener = self.next()
        body = self.expr(0)
        self.close(")", opener)
        return self.apply(t, variance, under_drawn(getattr(self.env, "drawn", None), q, body), body)
    if not (self.peek().kind == "op" and self.peek().value in ("[", "(", "{")):
        raise self.error(f"{t.text} is written as an expectation is: Var_q[f], Var_q(z)[f], Var_{{q(z)}}[f]", t)
    try:
        e = self.name(Token("id", "E" + t.value[3:], t.text, t.start, t.end))
    except ParseError as err:
        raise ParseError(f"in {t.text}: {err.message}", err.column, err.text) from None
    if not isinstance(e, Expectation):
        raise self.error(f"{t.text} is written as an expectation is: Var_q[f], Var_q(z)[f], Var_{{q(z)}}[f]", t)
    return self.apply(t, variance, e.q, e.f)


class UnreadDraw:
    """A sampling statement whose distribution could not be read (``why`` says so): the variable's
    earlier statement is no longer in force, and a formula about the variable is not read under
    anything else (the note's q least of all)."""

    def __init__(self, why: str):
        self.why = why


def drawn_of(drawn, v, default=None):
    """The distribution a sampling statement draws ``v`` from (``drawn``: variable -> density, or
    None), else ``default``; a VocabularyError when that statement could not be read."""
    d = (drawn or {}).get(v, default)
    if isinstance(d, UnreadDraw):
        raise VocabularyError(d.why)
    return d


def under_drawn(drawn, q, body):
    """The distribution a bare ``E[body]`` is under: that of the only variable ``body`` is a
    function of that a sampling statement draws from a written distribution (``z ~ Exp(λ)``;
    ``drawn``: variable -> density, or None), when ``body`` names no density; else ``q``, the
    note's own (see :mod:`vi_sym.frontends.sampled`)."""
    if not drawn or body.atoms(Density):
        return q
    found = [d for v, d in drawn.items() if v in body.free_symbols]
    if len(found) == 1 and isinstance(found[0], UnreadDraw):
        raise VocabularyError(found[0].why)
    return found[0] if len(found) == 1 else q
