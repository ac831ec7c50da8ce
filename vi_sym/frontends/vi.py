"""The ``.vi`` reader: vi_sym's own derivation files, parsed (never evaluated) into records.

A file holds one or more derivations::

    # comments start with '#'
    derivation kl_route
    title: D_KL(q || p(z|x)) unfolded with Bayes' rule
    latent: z
    observed: x

        KL(q(z) || p(z|x))
      = integrate(q(z)*log(q(z)/p(z|x)), z)         by kl_definition   @ 45
      = integrate(q(z)*log(q(z)*p(x)/(p(x|z)*p(z))), z)  by bayes_rule  @ 46
    conclude: log(p(x)) = ELBO(q(z), p(x,z)) + KL(q(z)||p(z|x))

Header keys: ``title``, ``latent`` (required), ``observed``, ``parameters``
(real), ``positive`` (positive reals), ``nonnegative`` (reals >= 0), ``unit`` (in (0, 1)),
``densities`` (names; default ``p q``, less any name declared as a parameter),
``models`` (names of model joints; default ``p``).  Every variable is a real number.  ``define q(z) = Normal(z, m, s)``
binds a density.  The first expression line starts the chain; each step line starts with
``=``, ``>=`` or ``<=`` and may end with ``by rule, rule``, ``@ N`` (the line of the learner's
note it transcribes) and ``xfail: reason`` (a step known to be wrong: it must fail).  An
expression whose brackets are still open continues on the next line.
"""
from __future__ import annotations

import re

from sympy import Product, Symbol

from ..distributions import DefinitionError, check_domains, components, is_written
from ..indexed import define_functions, indexed_definition_error
from ..parse import Function, ParseEnv, ParseError, parse_expression, parse_relation
from ..records import CONCLUSION, START, STEP, DerivationRecord, LoadError, StepRecord
from ..rules import Context
from ..tokens import NAME_RE, normal_name
from ..vocabulary import Const, entropy
from .assumptions import read_assumptions
from .defines import DefineError, read_conditional
from .headers import (declare_functions, read_copies, read_factorisation, read_fixed_priors, read_iid, read_vectors,
                      vector_names)
from .written import density_claim_name, split_support, written_definition

HEADER_KEYS = {"title", "latent", "observed", "parameters", "positive", "nonnegative", "unit", "densities",
               "models", "note", "factorised", "factorized", "copies", "functions", "iid", "assume", "prior"}
#: header key -> the assumptions of its symbols (latent and observed variables carry none: other
#: front-ends and ``Density("p", ["z"])`` name them by plain symbols; the rules read every
#: variable as a real number, see ``rules/logs.is_real``)
_KINDS = (("latent", {}), ("observed", {}), ("parameters", {"real": True}),
          ("positive", {"positive": True}), ("nonnegative", {"nonnegative": True}),
          ("unit", {"positive": True}))
_PARAMETER_KEYS = ("parameters", "positive", "nonnegative", "unit")
DEFINE_RE = re.compile(r"^\s*define\s+(.*)$")
STEP_RE = re.compile(r"^\s*(>=|<=|==|=|≥|≤)(?!=)\s*(.*)$")
REL_NORMAL = {"=": "=", "==": "=", ">=": ">=", "≥": ">=", "<=": "<=", "≤": "<="}


def depth(text: str) -> int:
    """Open brackets minus closed ones."""
    return sum(text.count(c) for c in "([{") - sum(text.count(c) for c in ")]}")


def _strip_comment(line: str) -> str:
    i = line.find("#")
    return line if i < 0 else line[:i]


def split_annotations(text: str):
    """``expr  by r1, r2  @ 47  xfail: reason`` -> (expr, [rules], note_line, xfail_reason|None)."""
    xfail = None
    m = re.search(r"\bxfail\s*:(.*)$", text)
    if m:
        xfail = m.group(1).strip() or "expected to fail"
        text = text[:m.start()]
    note = None
    m = re.search(r"@\s*(?:note\s*:?)?\s*(\S*)\s*$", text)
    if m:
        if not m.group(1).isdigit():
            raise ParseError(f"'@' must be followed by a line number of the note, got '{m.group(1)}'")
        note = int(m.group(1))
        text = text[:m.start()]
    rules = []
    m = re.search(r"\s+by\s+(.*)$", text)
    if m:
        rules = [r.strip() for r in m.group(1).split(",") if r.strip()]
        if not rules:
            raise ParseError("'by' must be followed by at least one rule name")
        text = text[:m.start()]
    return text.strip(), rules, note, xfail


class _Bad(Exception):
    """Carries a :class:`LoadError` out of a helper."""

    def __init__(self, file, line, derivation, message, column=0, source=""):
        super().__init__(message)
        self.error = LoadError(file, line, derivation, "", message, column, source if column else "")


class _Block:
    def __init__(self, name, line):
        self.name, self.line = name, line
        self.header: dict = {}
        self.defines: list = []   # (line_no, text) of 'define NAME(vars) = DIST(...)' lines
        self.raw: dict = {}       # line_no -> the line as written (for columns)
        self.body: list = []      # (line_no, text)


def _blocks(text: str, file: str, errors: list):
    blocks, cur = [], None
    pending = None  # (line_no, text) of a multi-line expression
    for no, raw in enumerate(text.splitlines(), 1):
        line = _strip_comment(raw).rstrip()
        if pending is not None and (STEP_RE.match(line) or re.match(r"^\s*(derivation|conclude)", line)):
            cur.body.append(pending)          # an unclosed bracket: the parser will say so
            pending = None
        if pending is not None:
            pending = (pending[0], pending[1] + " " + line.strip())
            if depth(pending[1]) <= 0:
                cur.body.append(pending)
                pending = None
            continue
        if not line.strip():
            continue
        m = re.match(r"^derivation\s+(\S+)\s*$", line.strip())
        if m and not re.fullmatch(r"[^\W\d]\w*", m.group(1)):
            errors.append(LoadError(file, no, "", "", f"a derivation's name is one word of letters, digits "
                                    f"and _ (such as elbo_2), not '{m.group(1)}'", raw.index(m.group(1)) + 1, raw))
            cur = _Block(m.group(1), no)      # read on, but never checked: no cascade of errors
            continue
        if m:
            cur = _Block(m.group(1), no)
            blocks.append(cur)
            continue
        if line.strip().startswith("derivation"):
            errors.append(LoadError(file, no, "", "", "expected 'derivation NAME' (one word)"))
            cur = _Block("", no)                  # its lines are read on, never checked
            continue
        if cur is None:
            errors.append(LoadError(file, no, "", "", "text before the first 'derivation NAME' line"))
            continue
        dm = DEFINE_RE.match(line)
        if dm and not cur.body:
            cur.defines.append((no, dm.group(1).strip()))
            cur.raw[no] = raw
            continue
        km = re.match(r"^\s*([A-Za-z_]+)\s*:(.*)$", line)
        if km and km.group(1) in HEADER_KEYS and not cur.body:
            key = km.group(1)
            if key in cur.header:
                errors.append(LoadError(file, no, cur.name, "", f"'{key}:' is given twice (first at line "
                                                                 f"{cur.header[key][0]}); write all its names "
                                                                 "on one line"))
            else:
                cur.header[key] = (no, km.group(2).strip())
            continue
        if re.match(r"^\s*(by\s|@|xfail\s*:)", line) and cur.body:
            # annotations of the previous step, written on a line of their own
            prev_no, prev_text = cur.body[-1]
            cur.body[-1] = (prev_no, prev_text + "  " + line.strip())
            continue
        if depth(line) > 0:
            pending = (no, line.strip())
            continue
        cur.body.append((no, line.strip()))
    if pending is not None:
        if STEP_RE.match(pending[1]):
            cur.body.append(pending)
        else:
            errors.append(LoadError(file, pending[0], cur.name if cur else "", "",
                                    "unclosed bracket: the expression never ends"))
    return blocks


def make_env(variables: dict, densities: set) -> ParseEnv:
    """A parse environment with ``H`` (entropy) unless the name is taken."""
    env = ParseEnv(variables=variables, densities=densities)
    if "H" not in variables and "H" not in densities:
        env.functions["H"] = Function(entropy, None)
    if "const" not in variables and "const" not in densities:
        env.functions["const"] = Function(Const, 1)
    return env


def _env(block: _Block, file: str):
    h = {k: v for k, (_, v) in block.header.items()}
    if "latent" not in h or not h["latent"].split():
        raise _Bad(file, block.line, block.name, "missing 'latent:' (the variable(s) integrated over)")
    variables, vectors = {}, {}
    domains = []
    for key, kwargs in _KINDS:
        for name in map(normal_name, vector_names(h.get(key, ""), vectors, _where(block, file, key), key)):
            if not NAME_RE.match(name):
                raise _Bad(file, block.header[key][0], block.name, f"'{name}' is not a valid name")
            if name in variables:
                raise _Bad(file, block.header[key][0], block.name, f"'{name}' is declared twice")
            variables[name] = Symbol(name, **kwargs)
            if key in _PARAMETER_KEYS:
                domains.append((name, {"parameters": "real"}.get(key, key)))
    domains = read_assumptions(h.get("assume", ""), domains, vectors, _where(block, file, "assume"))
    densities = set(map(normal_name, h.get("densities", "p q").replace(",", " ").split()))
    if "densities" not in h:        # a parameter named p or q: the header says what it is
        densities -= {name for name, _ in domains}
    bad = [n for n in densities if not NAME_RE.match(n)]
    if bad:
        raise _Bad(file, block.header["densities"][0], block.name, f"'{bad[0]}' is not a valid name")
    indexed = read_vectors(variables, vectors, dict(domains), lambda key: _where(block, file, key))
    models = frozenset(h.get("models", "p").replace(",", " ").split())
    latent = tuple(variables[normal_name(n)] for n in vector_names(h["latent"], {}, None))
    clash = densities & set(variables)
    if clash:
        raise _Bad(file, block.line, block.name, f"'{sorted(clash)[0]}' is both a variable and a density")
    env = make_env(variables, densities)
    env.indexed = indexed
    declare_functions(env, h.get("functions", ""), _where(block, file, "functions"))
    factors = read_factorisation(env, h.get("factorised", h.get("factorized", "")), latent,
                                 _where(block, file, "factorised", "factorized"))
    copies = read_copies(variables, h.get("copies", ""), latent, _where(block, file, "copies"))
    iid = read_iid(variables, h.get("iid", ""), latent, _where(block, file, "iid"))
    defined = _defines(block, file, env, latent, dict(domains))
    vecs = tuple(indexed.values())
    observed = tuple(variables[normal_name(n)] for n in vector_names(h.get("observed", ""), {}, None))
    fixed = read_fixed_priors(env, h.get("prior", ""), latent, models, [n for n, _ in domains],
                              _where(block, file, "prior"))
    return env, Context(latent, models, tuple(domains), factors, copies, iid, vecs, observed, fixed), defined


def _where(block: _Block, file: str, *keys):
    """A function raising the input error of a header line (the first of ``keys`` given)."""
    line = next((block.header[k][0] for k in keys if k in block.header), block.line)

    def bad(message):
        raise _Bad(file, line, block.name, message)
    return bad


def _defines(block: _Block, file: str, env: ParseEnv, latent, domains=None) -> dict:
    """``define q(z) = Normal(z, m, s)`` lines -> {name: (vars, definition)}; adds the names
    to the densities of ``env``."""
    out = {}
    for no, text in block.defines:
        m = re.match(r"^([A-Za-z][A-Za-z0-9_]*)\s*\(([^()|]*)(?:\|([^()|]*))?\)\s*=(.*)$", text)
        if not m:
            raise _Bad(file, no, block.name, "expected 'define NAME(VAR, ...) = DISTRIBUTION(VAR, PARAM, ...)'")
        name, names, rhs = m.group(1), m.group(2).replace(",", " ").split(), m.group(4)
        if name in env.variables:
            raise _Bad(file, no, block.name, f"'{name}' is both a variable and a defined density")
        if name in out:
            raise _Bad(file, no, block.name, f"density '{name}' is defined twice")
        denv = ParseEnv(variables=env.variables, densities=set(), indexed=env.indexed,
                        functions={**env.functions, **define_functions(Function)})
        if m.group(3) is not None:          # define lik(x|z) = Normal(x, z, s)
            try:
                out[name] = read_conditional(text, name, m.group(2), m.group(3), rhs, env, denv, latent,
                                             domains or {})
            except DefineError as err:
                raw = block.raw.get(no, text)
                col = err.column and err.column + max(raw.find(text), 0)
                raise _Bad(file, no, block.name, err.message, col, raw.rstrip()) from None
            env.densities.add(name)
            continue
        if not names:
            raise _Bad(file, no, block.name, f"defined density '{name}' needs its variable(s), e.g. {name}(z)")
        for v in names:
            if v not in env.variables or env.variables[v] not in latent:
                raise _Bad(file, no, block.name, f"'{v}' in define {name}(...) is not a latent variable "
                                                 "(declare it in 'latent:')")
        vs = tuple(env.variables[v] for v in names)
        on = split_support(rhs)
        if on and len(vs) != 1:
            raise _Bad(file, no, block.name, f"define {name}: a density written by hand is over one "
                                             "variable")
        try:
            definition = (written_definition(on[0], on[1], vs[0], denv) if on
                          else parse_expression(rhs, denv))
            if isinstance(definition, Product):
                why = indexed_definition_error(definition, vs, env.indexed, domains or {})
                if why:
                    raise DefinitionError(why)
                out[name] = (vs, definition)
                env.densities.add(name)
                continue
            comps = components(definition)
        except (ParseError, DefinitionError) as err:
            raise _Bad(file, no, block.name, f"define {name}: {err}") from None
        if sorted(map(str, (c.var for c in comps))) != sorted(map(str, vs)):
            raise _Bad(file, no, block.name,
                       f"define {name}({', '.join(names)}): the distributions must cover each of its "
                       f"variables exactly once, got {' * '.join(str(c) for c in comps)}")
        problems = [msg for c in comps for msg in check_domains(c, domains or {})]
        if problems:
            raise _Bad(file, no, block.name, f"define {name}: {problems[0]}")
        out[name] = (vs, definition)
        env.densities.add(name)
    return out


def _record(no: int, text: str, file: str, env: ParseEnv, started: bool) -> StepRecord:
    """One body line -> a record (errors kept in the record)."""
    rec = StepRecord(STEP, file, no, text=text)
    if text.startswith("conclude:") or text.startswith("conclusion:"):
        rec.kind = CONCLUSION
        try:
            rec.lhs, rec.relation, rec.rhs = parse_relation(text.split(":", 1)[1], env)
        except ParseError as err:
            rec.error = str(err)
        return rec
    m = STEP_RE.match(text)
    if not m:
        if started:
            rec.relation = "="
            rec.error = "a step must start with =, >= or <= (or is this a stray line?)"
            return rec
        rec.kind = START
        try:
            expr_text, rules, _, _ = split_annotations(text)
            if rules:
                raise ParseError("the starting expression cannot cite rules; put 'by' on the steps")
            rec.lhs = parse_expression(expr_text, env)
        except ParseError as err:
            rec.error = str(err)
        return rec
    rec.relation = REL_NORMAL[m.group(1)]
    try:
        expr_text, rules, rec.note_line, rec.xfail = split_annotations(m.group(2))
        rec.rules = tuple(rules)
        rec.rhs = parse_expression(expr_text, env)
    except ParseError as err:
        rec.error = str(err)
    return rec


def read_vi(text: str, file: str, options=None):
    """``.vi`` text -> (derivation records, errors).  ``options`` (--latent/--observed) are
    ignored: a ``.vi`` file declares its variables in its header."""
    errors: list = []
    out = []
    for block in _blocks(text, file, errors):
        try:
            env, ctx, defined = _env(block, file)
        except _Bad as bad:
            errors.append(bad.error)
            continue
        title = block.header.get("title", (0, ""))[1]
        drec = DerivationRecord(block.name, file, block.line, title, ctx, defined)
        started = False
        for no, text_ in block.body:
            rec = _record(no, text_, file, env, started)
            started = started or rec.kind == START
            drec.records.append(rec)
        out.append(drec)
        out.extend(_density_claims(block, file, env, ctx, defined))
    return out, errors


def _density_claims(block, file, env, ctx, defined) -> list:
    """For each density written by hand, the claim that it is one: ``E_r(z)[1] = 1``."""
    out = []
    for no, text in block.defines:
        name = text.split("(", 1)[0].strip()
        vs, definition = defined.get(name, ((), None))[:2]
        if definition is None or isinstance(definition, Product) or \
                not any(is_written(c) for c in components(definition)):
            continue
        d = DerivationRecord(density_claim_name(block.name, name), file, no,
                             f"{name} is a density (nonnegative, total mass 1)", ctx, defined)
        d.records.append(_record(no, f"E_{name}({vs[0]})[1]", file, env, False))
        d.records.append(_record(no, "= 1", file, env, True))
        out.append(d)
    return out
