"""Header lines of a ``.vi`` derivation beyond the variables' declarations.

* ``functions: f g`` -- names of arbitrary real functions (a test function ``f`` in
  ``E_q(z)[f(z)]``): undeclared function symbols, any number of arguments, nothing assumed.
* ``factorised: q(z1)*q(z2)`` -- the mean-field factorisation ``E_{-j}`` refers to: a product of
  densities, one over each latent (or over groups of them), nothing conditioned on a latent.
* ``copies: z1 z2`` -- latents that are copies of one variable (i.i.d. draws): one domain, one
  base measure, and each density name is one function of either, so a bound variable may be
  renamed from one to the other.  Several groups are separated by ``;``.
* ``iid: X = x[1..N]`` -- the observed data set X is the points x[1], …, x[N], independent given
  every latent; N is a declared (positive) size.  Several data sets are separated by ``;``.

Notes (Markdown, plain text) declare the same with ``vi_sym: key: value`` lines
(:func:`note_structure`), read by these functions.
"""
from __future__ import annotations

import re

import sympy
from sympy import Mul

from ..parse import Function, ParseEnv, ParseError, parse_expression
from ..tokens import NAME_RE, normal_name
from ..vocabulary import Density


#: what a note (Markdown, plain text) may declare on a line of its own or in a comment
#: (``<!-- vi_sym: factorised: q(z1)*q(z2) -->``), as a .vi header does: the variables' kinds
#: (key, sympy assumptions, domain) ...
NOTE_VARIABLE_KEYS = (("latent", {}, None), ("observed", {}, None), ("parameters", {"real": True}, "real"),
                      ("positive", {"positive": True}, "positive"),
                      ("nonnegative", {"nonnegative": True}, "nonnegative"),
                      ("unit", {"positive": True}, "unit"))
#: ... and the structure over them, read by the same functions as the .vi header's lines
NOTE_STRUCTURE_KEYS = ("factorised", "factorized", "copies", "iid", "assume")
_FACTOR_NAME = re.compile(r"\b(q\w*)\s*\(")


def note_structure(header: dict, variables: dict, latent: tuple, bad) -> dict:
    """The :class:`~vi_sym.rules.Context` fields ``factors``, ``copies`` and ``iid`` of a note's
    declarations ``header`` ({key: text}), each read as the .vi header reads it; ``bad(message)``
    raises the reader's error."""
    text = header.get("factorised", header.get("factorized", ""))
    # its factors are named as the note's are: q(z1), q1(z1), q_j(z_j) (arbitrary densities)
    env = ParseEnv(variables=dict(variables), densities={"p", "q", *_FACTOR_NAME.findall(text)} - set(variables))
    return {"factors": read_factorisation(env, text, latent, bad),
            "copies": read_copies(variables, header.get("copies", ""), latent, bad),
            "iid": read_iid(variables, header.get("iid", ""), latent, bad)}


def read_fixed_priors(env, text: str, latent, models, parameters, bad) -> tuple:
    """The priors of ``prior: p(z)`` (several: ``p(z1)*p(z2)``): model densities of latent variables
    alone, without a bar, that the model's parameters do not enter (the VAE's N(0, I) beside
    p(x|z, θ); :mod:`vi_sym.rules.parameters`), or ()."""
    if not text.strip():
        return ()
    try:
        priors = Mul.make_args(parse_expression(text, env))
    except ParseError as err:
        bad(f"prior: {err}")
    for d in priors:
        if not (type(d) is Density and d.name in models and not d.given and all(v in latent for v in d.vars)):
            bad("'prior:' names the model's prior, a density of latent variables alone without a bar, "
                "e.g. p(z)")
    if not parameters:
        bad("'prior:' says the prior is free of the model's parameters: declare them ('parameters: θ')")
    return tuple(sorted(priors, key=str))


def _names(text: str) -> list:
    return [normal_name(n) for n in text.replace(",", " ").split()]


def declare_functions(env, text: str, bad) -> None:
    """Add each name of ``functions:`` to the parse environment as an undeclared real function."""
    for name in _names(text):
        if not NAME_RE.match(name):
            bad(f"'{name}' is not a valid function name")
        if name in env.variables or name in env.densities or name in env.functions:
            bad(f"'{name}' in 'functions:' is already a variable, a density or a function")
        env.functions[name] = Function(sympy.Function(name, real=True), None)


def read_factorisation(env, text: str, latent, bad) -> tuple:
    """The factors of ``factorised: q(z1)*q(z2)`` (in the order written), or ()."""
    if not text.strip():
        return ()
    try:
        product = parse_expression(text, env)
    except ParseError as err:
        bad(f"factorised: {err}")
    factors = Mul.make_args(product)
    if len(factors) < 2 or not all(isinstance(f, Density) for f in factors):
        bad("'factorised:' is a product of densities, e.g. q(z1)*q(z2)")
    covered = [v for f in factors for v in f.vars]
    if sorted(map(str, covered)) != sorted(map(str, latent)) or \
            any(v in latent for f in factors for v in f.given):
        bad("'factorised:' needs one factor per latent (or group of latents), each latent in exactly "
            "one factor and none conditioned on a latent")
    order = {str(f): i for i, f in enumerate(_written_order(text, factors))}
    return tuple(sorted(factors, key=lambda f: order[str(f)]))


def _written_order(text: str, factors):
    """The factors in the order they are written (sympy sorts a product)."""
    return sorted(factors, key=lambda f: text.replace(" ", "").find(str(f).replace(" ", "")))


def read_copies(variables: dict, text: str, latent, bad) -> tuple:
    """The groups of ``copies: z1 z2; u1 u2``."""
    groups = []
    seen = set()
    for part in text.split(";"):
        names = _names(part)
        if not names:
            continue
        if len(names) < 2:
            bad("'copies:' lists two or more latents that are copies of one another")
        for n in names:
            if n not in variables or variables[n] not in latent:
                bad(f"'{n}' in 'copies:' is not a latent variable (declare it in 'latent:')")
            if n in seen:
                bad(f"'{n}' is in two groups of 'copies:'")
            seen.add(n)
        groups.append(tuple(variables[n] for n in names))
    return tuple(groups)


_IID = re.compile(r"^\s*(\S+)\s*=\s*(\S+?)\s*\[\s*1\s*\.\.\s*(\S+?)\s*\]\s*$")


def read_iid(variables: dict, text: str, latent, bad) -> tuple:
    """The data sets of ``iid: X = x[1..N]``: ((X, x, N), ...)."""
    out = []
    for part in text.split(";"):
        if not part.strip():
            continue
        m = _IID.match(part)
        if not m:
            bad("'iid:' reads 'X = x[1..N]': the data set, its points, their number")
        names = [normal_name(g) for g in m.groups()]
        for n in names:
            if n not in variables:
                bad(f"'{n}' in 'iid:' is not declared (X and x under observed:, N under positive:)")
            if variables[n] in latent:
                bad(f"'{n}' in 'iid:' is a latent variable; the data set and its points are observed")
        out.append(tuple(variables[n] for n in names))
    return tuple(out)


_VECTOR = re.compile(r"^(.+?)\[(.*)\]$")
_RANGE = re.compile(r"^\s*1\s*\.\.\s*(\S+?)\s*$")


def vector_names(text: str, vectors: dict, bad, key: str = "") -> list:
    """The names of a declaration line, each ``z[1..d]`` read as the vector ``z`` of length
    ``d`` (recorded in ``vectors``: name -> (size text, header key))."""
    text = re.sub(r"\[([^\]]*)\]", lambda m: "[" + m.group(1).replace(" ", "") + "]", text)
    out = []
    for word in text.replace(",", " ").split():
        m = _VECTOR.match(word)
        if m is None:
            out.append(word)
            continue
        r = _RANGE.match(m.group(2))
        if r is None:
            bad(f"'{word}': a vector is declared as {m.group(1)}[1..d] (its coordinates 1 to d)")
        out.append(m.group(1))
        vectors[normal_name(m.group(1))] = (normal_name(r.group(1)), key)
    return out


def read_vectors(variables: dict, vectors: dict, domains: dict, where) -> dict:
    """{name: (symbol, 1, size)} of the vectors declared ``z[1..d]``; each size is a whole
    number or a name declared under 'positive:', which becomes a positive integer (a count).
    ``where(key)`` is the error function of a header line."""
    out = {}
    for name, (size, key) in vectors.items():
        bad = where(key)
        if size.isdigit() and int(size) > 0:
            hi = sympy.Integer(int(size))
        elif size in variables and domains.get(size) == "positive" and size not in vectors:
            hi = variables[size] = sympy.Symbol(size, positive=True, integer=True)
        else:
            bad(f"the length {size} of the vector {name}[1..{size}] must be a whole number or a "
                "name declared under 'positive:' (a count)")
        out[name] = (variables[name], sympy.Integer(1), hi)
    return out
