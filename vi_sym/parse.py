"""Parse text into vi_sym / sympy expressions: a tokenizer plus a Pratt parser.

Nothing here uses ``eval``, ``exec``, ``sympify`` of strings or ``parse_expr``:
every object is built directly from tokens.  Bad text only ever raises
``ParseError`` (a ``ValueError``) with a 1-based column and an excerpt.

Grammar (whitespace is ignored; ``#`` starts a comment running to the end)::

    relation := expr REL expr        REL: = == >= <= ≥ ≤   (strict < > are rejected)
    expr     := term (('+' | '-') term)*
    term     := unary (('*' | '/' | juxtaposition) unary)*     left-associative
    unary    := ('-' | '+') unary | power
    power    := primary [('^' | '**') unary]                   right-associative
    primary  := NUMBER | NAME | 'pi' | '(' expr ')' | '[' expr ']' | '|' expr '|'   (|a| is abs(a))
              | DENSITY '(' names ['|' names] ')'              p(x|z), p(x,z), q(z)
              | FUNCTION '(' expr (',' expr)* ')'              log(...), KL(A||B), ...
              | 'E_' DENSITY '(' names ')' '[' expr ']'        E_q(z)[f]
              | 'E_{' expr '}' '[' expr ']'                    E_{q(z)}[f]; E_z[f], E_{z1}[f] in notes
              | '∫' expr 'd'NAME                               ∫ q(z) log q(z) dz
              | E_{-z1}[f], argmax_q f, Σ_n f, grad_φ f, p_θ(x|z)   (parse_operators, _sums, _gradient, _subscripts)

* Numbers (``2``, ``0.5``, ``1e-3``) become exact ``Rational``s.
* Names are ``[A-Za-z][A-Za-z0-9_]*`` and may contain Greek letters (μ, σ, ...).
  A name must be a declared variable, ``pi``, a density or a function.
* Precedence: ``^`` binds tighter than unary minus (``-a^2 = -(a^2)``), which
  binds tighter than ``* /``, which bind tighter than ``+ -``.
* Juxtaposition is multiplication at the precedence of ``*`` and associates to
  the left: ``p(x|z)p(z)``, ``2 q(z)``, and ``a/b c`` means ``(a/b)*c``.  The
  right-hand factor may not be a number (``x 2`` and ``2 3`` are errors).  A variable written
  against ``(`` (``z(1-z)``) is an error (in a note, unless it is a parameter: ``α(α+1)``).
* ``KL`` / ``D_KL`` accept ``||`` or ``,`` between their two densities; ``||``
  means nothing anywhere else.
* In ``∫ f dz`` the integrand runs up to the first ``d<var>`` token naming a declared
  variable (``dz`` itself must not be declared): an unevaluated ``Integral(f, z)``.
* ``−`` is read as ``-``; ``·`` and ``×`` as ``*``.
* Expressions are real-valued: a part that is provably not a real number -- the imaginary unit
  from ``sqrt(-1)``, ``(-1)^(1/2)`` or ``log(-1)``, ``(-8)^(1/3)`` (sympy's principal root is
  not real), ``1/0`` and ``log(0)``, the log or square root of a negative quantity such as
  ``log(-p(x))`` -- is an error at the operator or function that produces it.
"""
from __future__ import annotations

import operator
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable

import sympy
from sympy import Symbol

from .bounds import BOUNDED_CALLS, INFINITY_NAMES, parse_bounded_call
from .special import special_functions, unknown_call_hint
from .tokens import (CLOSE as _CLOSE, MAX_DEPTH, MAX_LITERAL_DIGITS, MAX_NUMBER_BITS,
                     MAX_SPECIAL_ARG, RELATIONS as _RELATIONS, STRICT as _STRICT, STRICT_MSG as _STRICT_MSG,
                     ParseError, Token, tokenize as _tokenize, too_large)
from .parse_operators import (bracket_call, density_variable, is_except_subscript, over_latent, parse_coordinate,
                              parse_expectation_except, parse_starred, parse_written, under_drawn)
from .parse_sums import parse_operator_word
from .vocabulary import ELBO, KL, Density, Expectation, VocabularyError, describe_nonreal, nonreal_part

__all__ = ["ParseError", "ParseEnv", "Function", "default_functions",
           "parse_expression", "parse_relation", "split_relation", "CONSTANTS"]

#: Named constants a closed form may use (a declared variable of the same name wins).
CONSTANTS = {"pi": sympy.pi, "EulerGamma": sympy.EulerGamma, "Catalan": sympy.Catalan, "γ": sympy.EulerGamma}


@dataclass(frozen=True)
class Function:
    """A callable entry of the function table with a fixed arity."""
    fn: Callable
    arity: int

    def __call__(self, *args):
        return self.fn(*args)


def _integral(f, v):
    if isinstance(v, Symbol):
        return sympy.Integral(f, v)
    raise ParseError(f"the variable of integration must be a declared variable, got {v}")


def _bounded(fn):
    """gamma(10**6) would be evaluated exactly; refuse huge numeric arguments."""
    def wrapped(a):
        if a.is_Number and abs(a) > MAX_SPECIAL_ARG:
            raise ParseError(too_large(a))
        return fn(a)
    return wrapped


def _exp(a):
    # exp(c*log(2)) evaluates to 2**c: bound c the same way as a power.
    for term in sympy.Add.make_args(a):
        c, rest = term.as_coeff_Mul()
        if c.is_Rational and rest.has(sympy.log) and rest.is_number:
            _check_power(sympy.exp(rest), c)
    return sympy.exp(a)


def default_functions() -> dict[str, Callable]:
    """The default function table (callers may add entries)."""
    one = lambda f: Function(f, 1)  # noqa: E731
    return {**special_functions(Function),
        "log": one(sympy.log), "ln": one(sympy.log), "exp": one(_exp),
        "sqrt": one(sympy.sqrt), "abs": one(sympy.Abs), "Abs": one(sympy.Abs),
        "gamma": one(_bounded(sympy.gamma)), "lgamma": one(_bounded(sympy.loggamma)),
        "loggamma": one(_bounded(sympy.loggamma)), "digamma": one(_bounded(sympy.digamma)),
        "integrate": Function(_integral, 2), "Integral": Function(_integral, 2),
        "int": Function(_integral, 2),
        "KL": Function(KL, 2), "D_KL": Function(KL, 2),
        "E": Function(Expectation, 2), "ELBO": Function(ELBO, 2),
    }


@dataclass
class ParseEnv:
    """What names mean: declared variables, density names and functions."""
    variables: dict[str, Symbol]
    densities: set[str] = field(default_factory=lambda: {"p", "q"})
    functions: dict[str, Callable] = field(default_factory=default_functions)
    constants: dict = field(default_factory=dict)   # bare names meaning an expression (ELBO)
    bare_calls: bool = False   # one-argument functions without brackets: log p(x)
    wide: bool = False         # the other reading: a b / c d = (a b)/(c d), log a/b = log(a/b)
    notes: list = field(default_factory=list)       # (column, text) of groupings worth saying
    indexed: dict = field(default_factory=dict)     # vectors z[1..d]: name -> (symbol, 1, d)
    written: Callable | None = None   # N(μ, σ^2) written inline (vi_sym.parse_operators.parse_written)
    latent: tuple = ()         # a note's latents: E_z[f], E_{z1}[f] is under q over one (over_latent)


_BP = {"+": 10, "-": 10, "*": 20, "/": 20, "^": 30}
_JUXTAPOSE, _UNARY = 20, 25
_OPS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}


def _check_power(base, exp):
    """Refuse exact powers that sympy would evaluate into enormous numbers."""
    if base.is_number and exp.is_Rational and base not in (0, 1, -1):
        sizes = [max(abs(r.p).bit_length(), r.q.bit_length()) for r in base.atoms(sympy.Rational)]
        if max(sizes, default=1) * abs(exp.p) > MAX_NUMBER_BITS * exp.q:
            raise ParseError("number too large")


def _power(base, exp):
    _check_power(base, exp)
    return base ** exp


# ---------------------------------------------------------------- parser
class _Parser:
    def __init__(self, text: str, env: ParseEnv):
        self.text, self.env = text, env
        self.toks = _tokenize(text)
        self.i = self.depth = self.open_integrals = self.widened = self.in_bounds = 0
        self.jux_bp = _JUXTAPOSE + 1 if env.wide else _JUXTAPOSE
        self.ops_at: dict = {}     # depth -> operators consumed there (how far an argument reached)

    # -- token helpers
    def peek(self) -> Token:
        return self.toks[self.i]

    def next(self) -> Token:
        t = self.toks[self.i]
        self.i = min(self.i + 1, len(self.toks) - 1)
        return t

    def at(self, *values: str) -> bool:
        t = self.peek()
        return t.kind == "op" and t.value in values

    def error(self, message: str, tok: Token | None = None) -> ParseError:
        return ParseError(message, tok.col if tok else None, self.text)

    def unexpected(self, t: Token, what: str = "") -> ParseError:
        if t.value in _STRICT:
            return self.error(_STRICT_MSG, t)
        if t.value == "||":
            return self.error("'||' is only meaningful inside KL(...)", t)
        if t.kind == "eof":
            return self.error("expression ends unexpectedly" + (what and f"; expected {what}"), t)
        if t.value in _RELATIONS:
            return self.error(f"unexpected relation {t.describe()} (not allowed here)", t)
        return self.error(f"unexpected {t.describe()}" + (what and f"; expected {what}"), t)

    def close(self, value: str, opener: Token) -> None:
        t = self.peek()
        if t.kind == "op" and t.value == value:
            self.next()
            return
        raise self.not_closed(f"'{value}'", opener, t)

    def not_closed(self, what: str, opener: Token, t: Token) -> ParseError:
        if t.kind == "eof":
            return self.error(f"missing {what} to close '{opener.text}'", opener)
        if t.value in _STRICT or t.value == "||":
            return self.unexpected(t)
        return self.error(f"expected {what} to close the '{opener.text}' at column {opener.col}, "
                         f"found {t.describe()}", t)

    def apply(self, tok: Token, fn, *args):
        """Call a constructor, turning any failure into a ParseError at ``tok``; a result that is
        provably not real (``sqrt(-1)``, ``log(-1)``, ``1/0``) is an error there too."""
        try:
            out = fn(*args)
            bad = nonreal_part(out, deep=False)    # its parts were checked when they were built
            if bad is not None:
                raise self.error(f"'{tok.text}' gives {describe_nonreal(bad)}: expressions must be "
                                 "real-valued", tok)
            return out
        except ParseError as e:
            if e.column is None:
                e.column, e.text = tok.col, self.text
            raise
        except RecursionError:
            raise self.error("expression nested too deeply", tok) from None
        except VocabularyError as e:
            raise self.error(str(e), tok) from None
        except Exception as e:  # sympy constructors: TypeError, ValueError, ...
            raise self.error(f"cannot build {tok.describe()}: {type(e).__name__}: {e}", tok) from None

    def is_differential(self, t: Token) -> bool:
        w, env = t.value, self.env
        return (t.kind == "id" and len(w) > 1 and w[0] == "d" and w[1:] in env.variables
                and w not in env.variables and w not in env.functions and w not in env.densities)

    # -- grammar
    def expr(self, min_bp: int = 0):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error("expression nested too deeply", self.peek())
        try:
            left = self.nud()
            while True:
                t = self.peek()
                if t.kind == "op" and t.value in _BP:
                    bp = _BP[t.value]
                    if bp <= min_bp:
                        break
                    self.ops_at[self.depth] = self.ops_at.get(self.depth, 0) + 1
                    self.next()
                    if t.value == "^":
                        left = self.apply(t, _power, left, self.expr(bp - 1))
                    else:
                        left = self.apply(t, _OPS[t.value], left, self.operand(t, bp))
                elif (t.kind in ("num", "id") or self.at("(", "[", "∫")) and self.jux_bp > min_bp:
                    if self.open_integrals and self.is_differential(t):
                        break
                    if t.kind == "num":
                        raise self.error(f"missing operator before the number '{t.text}'", t)
                    self.widened += min_bp == _JUXTAPOSE
                    self.ops_at[self.depth] = self.ops_at.get(self.depth, 0) + 1
                    left = self.apply(t, operator.mul, left, self.expr(self.jux_bp))
                else:
                    break
            return left
        finally:
            self.depth -= 1

    def operand(self, op: Token, bp: int):
        """The right operand of a binary operator; in the wide reading, say where a product
        written by juxtaposition became a whole denominator."""
        before, start = self.widened, self.peek().start
        right = self.expr(bp)
        if op.value == "/" and self.widened > before:
            self.env.notes.append((start + 1, f"if {self.span(start)} is the denominator"))
        return right

    def span(self, start: int) -> str:
        return " ".join(self.text[start:self.toks[self.i - 1].end].split())

    def bare_call(self, t: Token):
        """``log p(x)``: a one-argument function without brackets.  As typed the argument is one
        factor; the wide reading takes the whole product/quotient that follows."""
        start, level = self.peek().start, self.depth + 1
        self.ops_at[level] = 0
        arg = self.expr(_BP["+"] if self.env.wide else _JUXTAPOSE)
        nxt = self.peek()
        if self.env.wide and self.ops_at.get(level):
            self.env.notes.append((start + 1, f"if the argument of {t.text} is {self.span(start)}"))
        elif nxt.kind in ("id", "num") or (nxt.kind == "op" and nxt.value in ("*", "/", "(", "[")):
            self.env.notes.append((start + 1, f"{t.text} {self.span(start)}…: the argument of {t.text} "
                                              f"is read as {self.span(start)} alone"))
        return self.apply(t, self.env.functions[t.value], arg)

    def nud(self):
        t = self.next()
        if t.kind == "num":
            mantissa, _, exponent = t.text.lower().partition("e")
            if len(mantissa) > MAX_LITERAL_DIGITS or len(exponent) > 5 or \
                    (exponent and abs(int(exponent)) > MAX_LITERAL_DIGITS):
                raise self.error("number too long", t)
            f = Fraction(t.text)
            return sympy.Rational(f.numerator, f.denominator)
        if t.kind == "id":
            return self.name(t)
        if t.value == "-":
            return self.apply(t, operator.neg, self.expr(_UNARY))
        if t.value == "+":
            return self.expr(_UNARY)
        if t.value in ("(", "[", "|"):
            inner = self.expr(0)
            self.close(_CLOSE.get(t.value, "|"), t)
            return sympy.Abs(inner) if t.value == "|" else inner
        if t.value == "∫":
            return self.integral(t)
        if t.value == "∞":
            return self.infinity(t)
        raise self.unexpected(t, "a number, a name or '('")

    def name(self, t: Token):
        w, env, nxt = t.value, self.env, self.peek()
        call = nxt.kind == "op" and (nxt.value == "(" or nxt.value == "[" and bracket_call(w, env))
        if call and w.startswith("E_") and w[2:] in env.densities \
                and w not in env.functions and w not in env.variables:
            self.next()
            q = self.density(Token("id", w[2:], w[2:], t.start + 2, t.end), nxt)
            return self.expectation_body(t, q)
        if env.bare_calls and (starred := parse_starred(self, t)) is not None:
            return starred
        under = w[2:] if w.startswith("E_") else "q" if w == "E" and w not in env.variables else None
        q = env.constants.get(under) or over_latent(env, under, t) if under and self.at("[") else None
        if isinstance(q, Density) and w not in env.variables:    # E_q[f], E[f], E_z[f]: under the note's q
            return self.expectation_body(t, q)
        if w == "E_" and nxt.kind == "op" and nxt.value == "{" and w not in env.variables:
            self.next()
            if self.at("-") or is_except_subscript(self):
                return parse_expectation_except(self, t, nxt)
            q = self.expr(0)
            self.close("}", nxt)
            return self.expectation_body(t, over_latent(env, q, nxt) or q)
        if (operator_word := parse_operator_word(self, t)) is not None:    # argmax_q …, Σ_n …
            return operator_word
        if call and (written := parse_written(self, t)) is not None:     # N(μ, σ^2)
            return written
        if call and w in env.densities:
            return self.density(t, self.next())
        if call and w in env.functions and w not in env.variables:
            if w in BOUNDED_CALLS:
                out = parse_bounded_call(self, t)   # None: integrate(f, z)
                if out is not None:
                    return out
            return self.call(t, self.next())
        if not call and w in env.constants:
            return env.constants[w]
        if env.bare_calls and getattr(env.functions.get(w), "arity", None) == 1 and \
                (nxt.kind in ("id", "num") or nxt.value == "∫"):
            return self.bare_call(t)
        if w in env.indexed:
            return parse_coordinate(self, t)
        if w in env.variables or w in CONSTANTS:
            if call and nxt.start == t.end and w in env.variables and (not env.bare_calls or w in env.latent):
                raise self.error(f"'{w}' is a variable, not a function; write {w}*(...) to multiply", t)
            return env.variables[w] if w in env.variables else CONSTANTS[w]
        if w in INFINITY_NAMES:
            return self.infinity(t)
        if call:
            dens = " ".join(sorted(env.densities | {w}))
            hint = unknown_call_hint(w) if env.bare_calls else (f" (a density? declare it: 'densities: {dens}'; "
                                              f"a function of your own: 'functions: {w}')")
            raise self.error(f"unknown function '{w}'{hint}", t)
        if w in env.densities:
            raise self.error(f"density '{w}' needs its variables, e.g. {w}(z)", t)
        if w in env.functions:
            raise self.error(f"function '{w}' must be called with parentheses, e.g. {w}(...)", t)
        if self.is_differential(t):
            raise self.error(f"unexpected differential '{w}' (" + ("the integral has no integrand)"
                             if self.open_integrals else "it needs a matching '∫' before it)"), t)
        raise self.error(f"unknown name '{w}': declare it as a variable or parameter", t)

    def density(self, name: Token, opener: Token):
        """``name ( vars [| vars] )`` with the '(' already consumed."""
        groups = [[]]
        while True:
            v = self.next()
            if v.kind != "id":
                raise self.unexpected(v, f"a variable name in density {name.value}(...)")
            if v.value not in self.env.variables:
                raise self.error(f"unknown variable '{v.value}' in density {name.value}(...): "
                                 "declare it as a variable", v)
            groups[-1].append(density_variable(self, v))
            if self.at(","):
                self.next()
            elif self.at("|") and len(groups) == 1:
                self.next()
                groups.append([])
            else:
                break
        self.close(")", opener)
        return self.apply(name, Density, name.value, groups[0], groups[1] if len(groups) > 1 else [])

    def expectation_body(self, t: Token, q):
        opener = self.next()
        if opener.value != "[":
            raise self.error(f"expected '[' after the density of {t.text}, found {opener.describe()}", opener)
        body = self.expr(0)
        self.close("]", opener)
        return self.apply(t, Expectation, under_drawn(getattr(self.env, "drawn", None), q, body) if t.value == "E" else q, body)

    def call(self, name: Token, opener: Token):
        """``name ( args )`` with the '(' already consumed."""
        seps, args = (",", "||") if name.value in ("KL", "D_KL") else (",",), []
        ends = bool(getattr(self.env.functions.get(name.value), "infinite_ends", False))  # TruncatedNormal(…, 0, oo)
        self.in_bounds += ends
        while not self.at(")") and (not args or self.next()):
            args.append(self.expr(0))
            if not self.at(*seps):
                break
        self.in_bounds -= ends
        self.close(_CLOSE[opener.value], opener)
        fn = self.env.functions[name.value]
        arity = getattr(fn, "arity", None)
        if arity is not None and len(args) != arity:
            raise self.error(f"{name.value}() takes exactly {arity} argument{'s' * (arity != 1)}, "
                             f"got {len(args)}", name)
        return self.apply(name, fn, *args)

    def infinity(self, t: Token):
        if self.in_bounds:
            return sympy.oo
        raise self.error(f"'{t.text}' (infinity) may only stand as a bound: integrate(f, (z, 0, oo)), "
                         "sum(f, (k, 0, oo))", t)

    def integral(self, t: Token):
        self.open_integrals += 1
        try:
            body = self.expr(0)
        finally:
            self.open_integrals -= 1
        d = self.peek()
        if not self.is_differential(d):
            raise self.not_closed("a differential such as 'dz'", t, d)
        self.next()
        return self.apply(t, sympy.Integral, body, self.env.variables[d.value[1:]])

    def finish(self) -> None:
        t = self.peek()
        if t.value in _CLOSE.values():
            raise self.error(f"unmatched '{t.text}'", t)
        if t.kind != "eof":
            raise self.unexpected(t)


def _two_relations(first: Token, second: Token, text: str) -> ParseError:
    return ParseError(f"more than one relation symbol ('{first.text}' at column {first.col} "
                      f"and '{second.text}')", second.col, text)


def parse_expression(text: str, env: ParseEnv) -> sympy.Expr:
    """Parse ``text`` (see the module docstring) into a sympy / vi_sym expression."""
    p = _Parser(text, env)
    if p.peek().kind == "eof":
        raise ParseError("empty expression")
    e = p.expr(0)
    p.finish()
    return e


def parse_relation(text: str, env: ParseEnv) -> tuple[sympy.Expr, str, sympy.Expr]:
    """Parse ``lhs REL rhs``; REL is normalised to one of '=', '>=', '<='."""
    p = _Parser(text, env)
    if p.peek().kind == "eof":
        raise ParseError("empty relation")
    lhs = p.expr(0)
    rel = p.peek()
    if rel.kind == "eof":
        raise ParseError("no relation symbol found; expected '=', '<=' or '>='", None, text)
    if rel.value not in _RELATIONS:
        p.finish()
    p.next()
    if p.peek().kind == "eof":
        raise p.error(f"missing right-hand side after '{rel.text}'", rel)
    rhs = p.expr(0)
    if p.peek().value in _RELATIONS:
        raise _two_relations(rel, p.peek(), text)
    p.finish()
    return lhs, rel.value, rhs


def split_relation(text: str) -> tuple[str, str, str] | None:
    """The single relation symbol outside brackets: ``(lhs_text, rel, rhs_text)`` with ``rel``
    normalised, or None if there is none.  Raises ParseError for a strict inequality, for more
    than one relation symbol, or for a character the tokenizer does not know."""
    depth, found = 0, []
    for t in _tokenize(text):
        if t.value in _CLOSE and t.kind == "op":
            depth += 1
        elif t.value in _CLOSE.values():
            depth = max(0, depth - 1)
        elif depth == 0 and t.value in _STRICT:
            raise ParseError(_STRICT_MSG, t.col, text)
        elif depth == 0 and t.value in _RELATIONS:
            found.append(t)
    if not found:
        return None
    if len(found) > 1:
        raise _two_relations(found[0], found[1], text)
    t = found[0]
    return text[:t.start].strip(), t.value, text[t.end:].strip()
