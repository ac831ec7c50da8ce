"""Plain-text spellings the note reader (:mod:`.note`) turns into the parser's own, by grammar:

* ``E_{z~q}[f]``, ``E_{z ~ q(z)}[f]``, ``E_{z∼q1}[f]`` -- the expectation over z drawn from q:
  ``E_q(z)[f]``, ``E_{q(z)}[f]`` (rewritten in place, padded, so columns stay those of the line);
  a variable that is not one of the density's is an error at its column;
* ``π`` and ``e`` (Euler's number, unless declared), and ``πe`` written together
  (``log(2πe σ^2)``): constants of the parse environment (:func:`note_constants`); ``πe^2`` is
  refused (is it (πe)² or π e²?);
* ``mean-field: q(z1,z2) = q(z1)q(z2)`` -- the factorisation a ``.vi`` header declares with
  ``factorised: q(z1)*q(z2)`` (:func:`mean_field`);
* ``q(z) = N(z; m, s^2)``, ``N(z | m, s^2)``, ``N(m, s^2)`` -- q is a Normal density whose
  *variance* is the last argument: vi_sym's ``Normal(z, m, s)`` with standard deviation
  √(s²) = s (:func:`normal_definition`; ``Normal(z, m, s)`` as in ``.vi`` files takes the
  standard deviation itself).
"""
from __future__ import annotations

import re

import sympy

from ..distributions import DefinitionError, distribution_functions
from ..distributions.base import components
from ..distributions.domains import check_domains
from ..notation import to_unicode
from ..parse import Function, ParseError, parse_expression
from ..vocabulary import KL, Density
from ..tokens import NAME_PATTERN, normal_name
from .formula_densities import prior_said
from .distribution_forms import ALIASES, ASSUME, WRITTEN_LINE, split_top
from .headers import read_vectors, vector_names
from .textnote import split_chain

__all__ = ["expectation_spelling", "optimum_spelling", "note_constants", "letters_as_numbers", "marginal_p", "test_functions", "NORMAL_LINE", "normal_definition",
           "NoteFormError", "iid_points", "read_normal_line", "read_written_line", "read_declaration",
           "note_vectors", "EVENT_CALL"]

_NAME = NAME_PATTERN
_SIM = re.compile(rf"(?<![\w.])(E|Var)_\{{\s*({_NAME})\s*[~∼]\s*({_NAME})\s*(\(([^()]*)\))?\s*\}}")
_POWER_OF_RUN = re.compile(r"(?<![^\W\d])(πe|eπ)\s*(\^|\*\*)")


class NoteFormError(ValueError):
    """A spelling that cannot be read: the message and the 1-based column in the line."""

    def __init__(self, message: str, column: int = 0):
        super().__init__(f"{message} at column {column}" if column else message)
        self.message, self.column = message, column


def expectation_spelling(code: str, offset: int = 0) -> str:
    """``code`` with every ``E_{z~q}`` spelled ``E_q(z)`` and ``E_{z~q(z|x)}`` ``E_{q(z|x)}``
    (padded to the same length); ``offset``: characters of the line before ``code``.  A
    NoteFormError when z is not a variable of the density written (``E_{z~q(w)}``)."""
    def sub(m):
        op, var, name, call, args = m.groups()
        if call is not None and name in ALIASES and not re.search(r"[;|]", args):
            new = f"{op}_{{{name}({var};{args})}}"      # E_{z~N(0, 1)}: a distribution of z
        elif call is None:
            new = f"{op}_{name}({var})"
        else:
            left = [a.strip() for a in args.split("|")[0].split(",")]
            if var not in left:
                raise NoteFormError(f"'{m.group(0)}': {var} is drawn from {name}{call}, which is not a "
                                    f"density of {var}", m.start() + 1 + offset)
            new = f"{op}_{{{name}{call}}}"
        return new + " " * (len(m.group(0)) - len(new))
    out = _SIM.sub(sub, code).replace("∑", "Σ").replace("∏", "Π").replace("𝒩", "N")  # n-ary Σ, ∏: the letters
    out = _PRIMED.sub("ʹ", out)       # α' (the other density's parameter): the name αʹ
    out = _D_KL.sub(lambda m: "D_KL" + " " * (len(m.group()) - 4), out)      # D_{KL}(q || p), as typeset
    out = _EVENT.sub(_event, out)              # P(X > t): Ρ(X, t), the probability that X > t
    bad = _POWER_OF_RUN.search(out)
    if bad:
        run = bad.group(1)
        raise NoteFormError(f"'{run}{bad.group(2)}…': is the power on {run[1]} alone or on {run}? write "
                            f"{run[0]} {run[1]}^… or ({run})^…", bad.start() + 1 + offset)
    return out


#: the probability of an event, P(X > t), Pr(X <= t): the variable, the relation, the bound
_EVENT = re.compile(rf"(?<![\w.])(?:P|Pr)\(\s*({_NAME})\s*(>=|<=|≥|≤|>|<)\s*([^()<>=]+?)\s*\)")
#: the function a probability is read as: Ρ(a, b) is P(a > b) (a Greek capital rho, as P looks)
EVENT_CALL = "Ρ"


def _event(m) -> str:
    """``P(X > t)`` as ``Ρ(X, t)`` and ``P(X < t)`` as ``Ρ(t, X)`` (the probability that the first
    exceeds the second), padded to the same length."""
    var, rel, bound = m.groups()
    a, b = (var, bound) if rel in (">", ">=", "≥") else (bound, var)
    new = f"{EVENT_CALL}({a},{b})"
    return new + " " * (len(m.group()) - len(new)) if len(new) <= len(m.group()) else m.group()


#: the KL divergence written as typeset notes do: D_{KL}, D_{\mathrm{KL}}
_D_KL = re.compile(r"(?<![\w\\])D_\{\s*(?:KL|\\(?:mathrm|text|rm)\s*\{\s*KL\s*\})\s*\}(?=\s*[(\[])")
#: a prime after a name (α', a1'), not an apostrophe inside a word
_PRIMED = re.compile(r"(?<=[^\W_])['′](?![^\W\d_])")
_POINTS = re.compile(rf"({_NAME})\s*\[\s*(\d+)\s*\.\.\s*({_NAME}|\d+)\s*\]")


def letters_as_numbers(env, numbers: dict, names, text: str, q, post) -> None:
    """``numbers`` ({p or q: domain}, ``Geom(p)`` written in ``text``'s chain or a statement in
    force) are numbers there: "5 p (1 - p)" is a product -- unless the chain also calls them on
    the note's variables ``names`` (``p(z|x)``: still the model's density).  Inside KL, where only
    a density can stand, a bare p is the posterior ``post`` and a bare q the variational ``q``."""
    called = "|".join(map(re.escape, names))
    for n, d in numbers.items():
        env.constants[n] = env.variables[n] = sympy.Symbol(n, **ASSUME[d])
        if not called or not re.search(rf"(?<![\w.]){n}\s*\(\s*(?:{called})\s*[,|)]", text):
            env.densities.discard(n)
    if not {"p", "q"} & set(numbers):
        return
    fns, bare = env.functions, {"p": post, "q": q}

    def slot(a):
        return bare[a.name] if isinstance(a, sympy.Symbol) and a.name in numbers and a.name in bare else a
    fns["KL"] = fns["D_KL"] = Function(lambda a, b: KL(slot(a), slot(b)), 2)


#: ``argmin(q∈Q)``, ``argmin_(q)``, ``argmax{θ}`` as typed -> ``argmin_{q}`` (padded to the same
#: length, so columns stay those of the line); the set Q is dropped: the statements vi_sym proves
#: about argmax/argmin hold over any set of candidates
_OPTIMUM = re.compile(r"\b(argm(?:in|ax))\s*(?:_\s*)?[({]\s*([A-Za-zα-ωΑ-Ω]\w*)\s*(?:∈\s*[A-Za-z]\w*\s*)?[)}]")


def optimum_spelling(code: str) -> str:
    """``argmin(q∈Q) …`` -> ``argmin_{q}  …`` (see ``_OPTIMUM``)."""
    def sub(m):
        new = f"{m.group(1)}_{{{m.group(2)}}}"
        return new + " " * max(1, len(m.group(0)) - len(new))
    return _OPTIMUM.sub(sub, code)


_TEST_FUNCTION = re.compile(r"(?<![\w.])([fgh])\s*\(")


def test_functions(env, text: str) -> None:
    """``f(z)``, ``g(x, z)`` with a letter f, g, h the note does not declare: an arbitrary real
    function (a test function, as ``functions: f`` declares one in a ``.vi`` file), said once."""
    for m in _TEST_FUNCTION.finditer(text):
        name = m.group(1)
        if name not in env.variables and name not in env.functions and name not in env.densities:
            env.functions[name] = Function(sympy.Function(name, real=True), None)
            env.notes.append((m.start() + 1, f"read {name} as an arbitrary real function (a test function, as "
                                             f"'functions: {name}' declares one)"))


_BARE_KL = re.compile(r"(?<![\w.])(?:D_)?KL\s*\(\s*q\s*(?:\|\||,)\s*p\s*\)")


def marginal_p(expr, post, chain: str):
    """``expr`` with the posterior ``post`` that a bare ``KL(q||p)`` stands for read as p(z) when its
    chain (``chain``, as written) calls p only as p(z) and never writes the observed x: Gibbs'
    inequality, ``-KL(q||p) = E_q[log(p(z)/q(z))] <= …``, compares q with that p (as the LaTeX
    reader does, :func:`.latex_meaning.only_marginal`)."""
    if not isinstance(post, Density) or not expr.has(post) or not _BARE_KL.search(chain):
        return expr
    calls = re.findall(r"(?<![\w.])p\s*\(([^()]*)\)", chain)
    over = ",".join(str(v) for v in post.vars)
    if not calls or any(c.replace(" ", "") != over for c in calls) or \
            any(re.search(rf"(?<![\w.]){re.escape(str(g))}(?!\w)", chain) for g in post.given):
        return expr
    return expr.xreplace({post: Density("p", post.vars)})


def iid_points(structure: dict, variables: dict) -> dict:
    """{x: (1, N)} of the data sets a note declares (``iid: X = x[1..N]``) whose size is declared:
    the names ``Σ_n`` may take at its index (:mod:`vi_sym.parse_sums`)."""
    text = structure.get("iid", (0, ""))[1]
    out = {}
    for name, lo, hi in _POINTS.findall(text):
        top = sympy.Integer(int(hi)) if hi.isdigit() else variables.get(hi)
        if name in variables and top is not None:
            out[name] = (sympy.Integer(int(lo)), top)
    return out


def note_constants(variables: dict) -> dict:
    """The constants a plain-text note writes: π, and e (Euler's number) unless a variable is
    named e; ``πe``/``eπ`` written together are their product."""
    out = {"π": sympy.pi}
    if "e" not in variables:
        out.update({"e": sympy.E, "πe": sympy.pi * sympy.E, "eπ": sympy.pi * sympy.E})
    return out



#: ``q(z) = N(z; m, s^2)``: name, variable, the distribution's name, its arguments
NORMAL_LINE = re.compile(rf"^(\s*([pqr]\w*)\s*\(\s*({_NAME})\s*\)\s*=\s*)(N|𝒩|Normal)\s*\((.*)\)\s*$")


def _arguments(kind: str, var: str, text: str):
    """(mean, spread, spread is the variance) with their offsets in ``text``."""
    head = split_top(text, ";|")
    if len(head) == 2:
        drawn, rest, base = head[0][1].strip(), head[1][1], head[1][0]
        if drawn != var:
            raise NoteFormError(f"{kind}({drawn}; …) is a density of {drawn}, not of {var}", 0)
        parts = [(base + s, p) for s, p in split_top(rest, ",")]
    else:
        parts = split_top(text, ",")
        if len(parts) == 3 and parts[0][1].strip() == var:
            parts = parts[1:]
        elif kind == "Normal" or len(parts) != 2:
            raise NoteFormError(f"expected {kind}({var}; mean, variance), {kind}({var} | mean, variance) "
                                f"or {kind}(mean, variance)" if kind != "Normal" else
                                f"expected Normal({var}, mean, standard deviation)", 0)
    if len(parts) != 2:
        raise NoteFormError(f"{kind}(…) takes a mean and a {'standard deviation' if kind == 'Normal' else 'variance'}", 0)
    return parts, kind != "Normal"


def normal_definition(m, env, latent, domains: dict, col: int):
    """``q(z) = N(z; m, s^2)`` (``m``: a :data:`NORMAL_LINE` match) -> (name, (z,), definition).
    ``env``: the note's parse environment (its parameters declared); ``col``: the line's column
    of the match.  The last argument of ``N``/``𝒩`` is the variance: the standard deviation is
    its square root (s for s² when s is positive).  A NoteFormError says what is wrong and where."""
    prefix, name, var, kind, args = m.groups()
    var = normal_name(var)
    if var not in latent:
        raise NoteFormError(f"{name}({var}) = {kind}(…): {var} is not a latent variable (a line "
                            f"'latent: {var}' declares it)", col + m.start(3))
    at = col + m.start(5)
    try:
        parts, variance = _arguments(kind, var, args)
    except NoteFormError as err:
        raise NoteFormError(err.message, at) from None
    values = []
    for start, text in parts:
        lead = len(text) - len(text.lstrip())
        try:
            values.append(parse_expression(text.strip(), env))
        except ParseError as err:
            c = at + start + lead + (err.column - 1 if err.column else 0)
            raise NoteFormError(f"{kind}(…): {getattr(err, 'message', err)}", c) from None
    mean, spread = values
    scale = sympy.sqrt(spread) if variance else spread
    try:
        definition = distribution_functions()["Normal"](env.variables[var], mean, scale)
        problems = [p for c in components(definition) for p in check_domains(c, domains)]
    except (DefinitionError, ParseError, TypeError, ValueError) as err:
        raise NoteFormError(f"{name}({var}) = {kind}(…): {err}", at) from None
    if problems:
        spread, scale = to_unicode(spread), to_unicode(scale)
        what = (f"the variance {spread} must be positive and its square root, {scale}, the standard "
                f"deviation" if variance else f"the standard deviation {scale} must be positive")
        raise NoteFormError(f"{name}({var}) = {kind}(…): {what}; declare the names in it on a line "
                            "'positive: …'", at)
    return name, (env.variables[var],), definition


_WORD = re.compile(rf"({_NAME})(\s*\()?")     # a name; a function's when '(' follows


def undeclared_names(m, env) -> dict:
    """The names a :data:`NORMAL_LINE` match uses that the note has not declared: {name: domain},
    "positive" for a name in the last argument (s in the variance s², σ in the standard
    deviation σ), "real" for the others (the mean m)."""
    var, args = normal_name(m.group(3)), m.group(5)
    known = set(env.variables) | set(env.functions) | set(env.constants) | set(env.densities) | {var, "pi"}
    parts = split_top(args, ";|")[-1][1]
    *front, (_, last) = split_top(parts, ",")
    out = {}
    for text, domain in [*((t, "real") for _, t in front), (last, "positive")]:
        for w, call in _WORD.findall(text):
            w = normal_name(w)
            if not call and w not in known and w not in out:
                out[w] = domain
    return out


def read_normal_line(note, line: int, col: int, code: str) -> bool:
    """``q(z) = N(z; m, s^2)`` in a note: remember the definition (``note.normals``) and declare
    the names it introduces (``note.declared``: m real, s positive); True if it was one."""
    m = NORMAL_LINE.match(code)
    if not m:
        return False
    note.close()
    env = note.env(code, factors=False)
    new = undeclared_names(m, env)
    saved = dict(note.declared)
    note.declared.update(new)
    env = note.env(code, factors=False)
    domains = {**{n: "real" for n in note.parameters}, **note.declared}
    try:
        name, vs, definition = normal_definition(m, env, note.latent, domains, col)
    except NoteFormError as err:
        note.declared = saved
        note.skip(line, f"cannot read: {err}")
        return True
    if name == "p":      # the prior p(z) = N(z; 0, 1): p where the chain names p(z) alone
        note.prior = (vs, definition)
        return note.skip(line, prior_said(Density("p", list(vs)), definition)) or True
    note.normals[name] = (vs, definition)
    said = "; ".join(f"{n} read as a {'positive' if d == 'positive' else 'real'} parameter"
                     for n, d in new.items())
    note.skip(line, f"defines {name}({vs[0]}) = {to_unicode(definition)} (the last argument of {m.group(4)} is "
                    f"{'the standard deviation' if m.group(4) == 'Normal' else 'the variance'}"
                    f"{'; ' + said if said else ''}): used with this meaning below")
    return True


def read_written_line(note, line: int, col: int, code: str) -> bool:
    """``q(z) = Gamma(z; a, b)`` (any kind :mod:`.distribution_forms` reads) in a note: the
    definition of q (``note.normals``), as ``q(z) = N(z; m, s^2)`` is; True if it was one."""
    m = WRITTEN_LINE.match(code)
    if not m or normal_name(m.group(2)) not in note.latent:
        return False
    note.close()
    name, var = m.group(1), normal_name(m.group(2))
    try:
        said = note.declare_written(m.group(3))
        density = parse_expression(m.group(3), note.env(m.group(3), factors=False))
    except ParseError as err:
        note.skip(line, f"cannot read: {err.message}")
        return True
    if density.vars != (note.env(code).variables[var],):
        note.skip(line, f"cannot read: {m.group(3)} is a density of {density.vars[0]}, not of {var}")
        return True
    if name == "p":      # the prior p(z) = Gamma(z; a, b)
        note.prior = (density.vars, density.definition)
        return note.skip(line, prior_said(Density("p", list(density.vars)), density.definition)) or True
    note.normals[name] = (density.vars, density.definition)
    said = "; ".join(said + note.written_readings())
    note.skip(line, f"defines {name}({var}) = {to_unicode(density.definition)}{' (' + said + ')' if said else ''}: "
                    "used with this meaning below")
    return True



class _Bad(ValueError):
    pass


def _raise(message):
    raise _Bad(message)


def read_declaration(note, line: int, key: str, value: str) -> bool:
    """``positive: s`` and vectors ``parameters: μ[1..J]``, ``positive: σ[1..J] J`` in a note:
    parameters of defined densities and of sums over an index (``Σ_j σ_j^2``), never conditioning
    the model's p; True if the line was one (read, or skipped with the reason)."""
    if key != "positive" and "[" not in value:
        return False
    note.close()
    if key in ("latent", "observed"):
        note.skip(line, f"cannot read: {key}: {value}: a note declares vectors of parameters only "
                        "(parameters: m[1..d], positive: s[1..d] d); vectors of variables in a .vi file")
        return True
    vectors: dict = {}
    try:
        names = vector_names(value, vectors, _raise, key)
    except _Bad as err:
        note.skip(line, f"cannot read: {err}")
        return True
    plain = [n for n in names if n not in vectors]
    counts = {n for n, d in note.declared.items() if d == "positive"} | (set(plain) if key == "positive" else set())
    taken = set(note.declared) | set(note.parameters) | set(note.latent) | set(note.observed)
    new = []
    for name, (size, _) in vectors.items():
        if size.isdigit() and int(size) > 0 or size in counts:
            continue
        if size in taken or size in vectors or size in plain:
            note.skip(line, f"cannot read: the length {size} of the vector {name}[1..{size}] must be a whole "
                            f"number or a count (a name declared positive), not a name declared otherwise")
            return True
        new.append(size)
    note.declared.update(dict.fromkeys(new, "positive"))
    domain = "positive" if key == "positive" else "real"
    if key == "positive":
        note.declared.update(dict.fromkeys(plain, "positive"))
    elif plain:
        note.parameters = plain
    note.declared.update(dict.fromkeys(vectors, domain))
    note.vectors.update({n: size for n, (size, _) in vectors.items()})
    shown = [f"{n}[1..{vectors[n][0]}]" if n in vectors else n for n in names]
    counted = f"; {', '.join(new)} read as a count (a positive whole number)" if new else ""
    note.skip(line, f"{'positive parameters' if key == 'positive' else 'parameters'}: {', '.join(shown)}{counted}")
    return True


def note_vectors(note, variables: dict) -> dict:
    """{name: (symbol, 1, length)} of the vectors a note declares (``variables``: the note's, their
    lengths made counts, positive integers, as in ``.vi`` files)."""
    if not note.vectors:
        return {}
    vectors = {n: (size, "positive") for n, size in note.vectors.items() if n in variables}
    try:
        return read_vectors(variables, vectors, dict(note.declared), lambda key: _raise)
    except _Bad:
        return {}


def end_definitions(note) -> str:
    """Forget the Normal definitions of densities over variables that are no longer latent (a
    ``latent:`` or ``mean-field:`` line named others); what to add to the line's note."""
    gone = [n for n, (vs, _) in note.normals.items() if not {str(v) for v in vs} <= set(note.latent)]
    for n in gone:
        del note.normals[n]
    return f"; the definition of {', '.join(gone)} ends here (its variable is no longer latent)" if gone else ""


def read_continuation(note, line: int, code: str) -> bool:
    """A line that continues the right side of the step before it, a long expression set over two
    lines (``log p(x) = E_q[log p(x|z)] - KL(q||p(z))`` then ``    + KL(q||p(z|x))``): a ``+`` first,
    or a ``-`` after indentation (at the start of a line a ``- `` is a bullet), no relation, and a step
    just read -- its right side takes the term.  True if the line was one (joined, or skipped with
    the reason it cannot be read)."""
    text, chain = code.strip(), note.chain
    if chain is None or not chain.records or chain.records[-1].rhs is None or note.pending is not None:
        return False
    if not (text[:1] == "+" or (text[:1] in "-−" and code[:1].isspace())) or _has_relation(text):
        return False
    col = len(code) - len(code.lstrip()) + 1
    try:
        term, _ = note.parse(text, col, line)
    except (ValueError, ParseError) as err:
        note.close()
        note.skip(line, f"cannot read the continued right side: {err}")
        return True
    last = chain.records[-1]
    last.rhs, last.alternatives = last.rhs + term, ()
    return True


def _has_relation(text: str) -> bool:
    try:
        return len(split_chain(text)) > 1
    except ValueError:
        return True
