"""The Markdown reader (``.md``): every display-math block is a chain of steps.

Blocks: ``$$ … $$``, ``\\[ … \\]``, ``\\begin{equation|equation*|align|align*|aligned|gather|
multline}…``, fenced ```` ```math ```` blocks, and inline ``$…$`` only when it is a relation
chain.  Rows (``\\\\``) starting with a relation continue the chain; a row starting with an
expression starts a new one.  ``% by bayes_rule`` (or ``% Bayes``) after a row cites rules, as
does ``\\overset{\\text{Bayes}}{=}``.  A block that cannot be read is skipped with the reason
(``line:column``, the line, a caret, what was expected), never an error.  Line numbers are the
file's.  The LaTeX grammar is :mod:`vi_sym.frontends.latex`.
"""
from __future__ import annotations

import re
from pathlib import Path

from sympy import Symbol

from ..parse import ParseError
from ..records import START, STEP, DerivationRecord, LoadError, StepRecord
from ..rules import RULES, Context
from ..distributions import ConcreteDensity
from ..distributions.inline import InlineDensity
from ..notation import to_unicode
from ..operators import ArgOpt
from ..vocabulary import Density, VocabularyError
from .amortised import AMORTISED, amortised_error
from .assumptions import note_bounds
from .distribution_forms import ASSUME, WrittenDistributions, joint_products
from .headers import NOTE_STRUCTURE_KEYS, NOTE_VARIABLE_KEYS, note_structure, read_vectors, vector_names
from .latex import latex_name, parse_row
from .latex_functions import unknown_commands
from .latex_dists import readings
from .data_points import inferred_iid, said as points_said
from .draws import draws_in, drawn_latents, in_section, with_draws
from .formula_densities import change_of_variables, with_prior, prior_or_product, declare_formula_parameters, define_by_formula, formula_definition, range_condition
from .implicit_parameters import announce, read_implicit, said as parameters_said
from .markdown_math import RELATION, blocks, inline_premises, rows, unclosed  # noqa: F401 (rows: the readers' API)
from .latex_meanfield import (assumption_said, factorisation_of, latent_blocks, section_latents, vi_names,
                              widen_factor_bounds)
from .latex_meaning import condition_model_joint, name_unnamed_const, named_densities
from .latex_macros import BUILTIN, Macros, back, datapoints, expand, definitions, primes
from .premises import TILDE_SAID, latex_premise, standing_premise, unused_definition
from .sampled import STATEMENT_SAID, free_letters, latex_drawn, sampled_in
from .labelled import with_labelled
from .latex_diagonal import CONTINUES, declared_for, diagonal_declarations, diagonal_said
from .conditions import conditions_at, conditions_in, display_conditions, line_offset, with_conditions
from .textnote import chain_name, cited_rules

_OVERRIDE = re.compile(r"^\s*(?:<!--)?\s*vi_sym\s*:\s*(latent|observed|parameters|positive|nonnegative|unit)"
                       r"\s*[:=]\s*((?:[^\W\d]|\\[a-z])(?:[\w ,\\{}]|\[[\w.\s]*\])*?)\s*(?:-->)?\s*$", re.M)
_STRUCTURE = re.compile(r"^\s*(?:<!--)?\s*vi_sym\s*:\s*(" + "|".join(NOTE_STRUCTURE_KEYS) +
                        r")\s*:\s*(.+?)\s*(?:-->)?\s*$", re.M)
_APPROX = re.compile(r"\\(?:approxeq|approx|simeq)(?![a-zA-Z])|≈|≃")
MAX_BLOCK = 20_000     # characters; a longer block is skipped


def rules_in(label: str) -> tuple:
    """Rule names in a justification: exact names (``bayes_rule``) or words (Bayes, Jensen)."""
    words = re.findall(r"[A-Za-z_]+", label.replace("by", " "))
    exact = tuple(w for w in words if w in RULES)
    return exact or cited_rules(label)



#: q̃ (PRML's and Blei et al.'s): read as the optimal factor (see latex_macros.BUILTIN["tilde"])
_TILDE_Q = re.compile(r"\\tilde\s*\{\s*q\s*\}")

#: a heading line: a new section of the note
_HEADING = re.compile(r"^[ ]{0,3}#{1,6}[ \t]|\\(?:sub)*section\*?\{", re.M)


class _Reader:
    def __init__(self, text: str, file: str, options=None):
        self.text, self.file = text, file
        self.lines = text.splitlines()
        self.stem = re.sub(r"\W", "_", Path(file).stem) or "notes"
        self.latent = list(getattr(options, "latent", ()) or ("z", "Z"))
        self.observed = list(getattr(options, "observed", ()) or ("x", "X"))
        self.parameters: list = []     # <!-- vi_sym: parameters: θ -->: real, never random
        self.implicit, self.announced = [], set()   # parameters read from their use (.implicit_parameters)
        self.declared_latent = False   # several latents named in the note: bare q is q(z1, z2)
        self.blocks: tuple = ()        # (z, Z) once z_1, z_2 were read as the latent's blocks
        self.assumed: tuple = ()       # the blocks a row's mean-field assumption is over (section_latents)
        self.positive: list = []       # positive:, nonnegative:, unit: as in a .vi header
        self.nonnegative: list = []
        self.unit: list = []
        self.structure: dict = {}      # factorised:, copies:, iid: -> (line, text)
        self._factors = ("", set())    # the factorised: text and its factors (see factors)
        self.vectors: dict = {}        # latent: z[1..J], positive: \sigma[1..J]: name -> (size, key)
        self.chains, self.skipped, self.chain = [], [], None
        self.written = WrittenDistributions()     # \mathcal{N}(\mu, \sigma^2) written inline
        self.said: list = []                      # (line, warning) for the chain being read
        self.defined: dict = {}                   # q(z) = \mathcal{N}(z; m, s^2): name -> (variables, definition)
        self.premise: dict = {}                   # q(z) -> p(z|x) under "Let $q(z) = p(z|x)$. Then …"
        self.standing = None                      # (that substitution, its line) for the formulas after it
        self.tilde_said = False                   # q̃ read as the optimal factor: said once
        self.defined_macros = Macros()            # every \newcommand of the note, where it is made
        self.macros: dict = {}                    # those in force at this block
        self.scanned = 0                          # declarations are read up to here
        self.draws = draws_in(text, observed=self.observed)   # z_1, z_2 \sim q(z): see .draws
        self.after, self.formula_parameters = "", []          # see .formula_densities
        self.sampled, self.sampled_read = sampled_in(text), {}  # X \sim \mathrm{Gamma}(a, b): see .sampled
        self.unsaid, self.switched, self.here = [], [], set()   # what reading them declared, to say; x drawn
        self.conditions, self.bounds, self.display_bounds = conditions_in(text), {}, []   # "for $\alpha > 1$": see .conditions

    def pair(self, row: str):
        names = set(re.findall(r"(?<![\\a-zA-Z])[a-zA-Z](?![a-zA-Z])", row))
        for i, z in enumerate(self.latent):
            x = self.observed[min(i, len(self.observed) - 1)]
            if z in names or x in names:
                return z, x
        return self.latent[0], self.observed[0]

    def skip(self, line: int, reason: str, column: int = 0):
        if column and 0 < line <= len(self.lines):
            src = self.lines[line - 1]
            reason = f"column {column}: {reason}\n    {src}\n    {' ' * (column - 1)}^"
        self.skipped.append((line, reason))

    def variables(self) -> dict:
        """Every declared name -> its symbol (with the assumptions of its kind)."""
        out = {}
        for key, assumptions, _ in NOTE_VARIABLE_KEYS:
            out.update({n: Symbol(n, **assumptions) for n in getattr(self, key)})
        out.update({n: Symbol(n, **ASSUME[d]) for n, d in self.written.declared.items() if n not in out})
        out.update({str(k): k for k in self.premise if isinstance(k, Symbol) and str(k) not in out})   # w_1 of a premise
        self.indexed(out)
        return out

    def domains(self) -> tuple:
        """(name, domain) of every declared parameter, those of written distributions' arguments too."""
        declared = tuple((n, domain) for key, _, domain in NOTE_VARIABLE_KEYS if domain for n in getattr(self, key))
        names = {n for n, _ in declared} | set(self.latent) | set(self.observed)
        return declared + tuple((n, d) for n, d in self.written.declared.items() if n not in names)

    def indexed(self, variables: dict) -> dict:
        """{name: (symbol, 1, size)} of the declared vectors, read as a .vi header's (each size
        in ``variables`` becomes a positive integer); a ParseError when a size is not a count."""
        domains = {n: domain for key, _, domain in NOTE_VARIABLE_KEYS if domain for n in getattr(self, key)}

        def where(key):
            def bad(message):
                raise ParseError(f"{key}: {message}")
            return bad
        return read_vectors(variables, self.vectors, domains, where) if self.vectors else {}

    def indexable(self) -> tuple:
        """The names written with a letter subscript inside a sum: vectors and data-set points."""
        iid = self.structure.get("iid", (0, ""))[1]
        return (*self.vectors, *(latex_name(n) for n in re.findall(r"=\s*([^\s\[;=]+)\s*\[", iid)))

    def factors(self) -> set:
        """The factors of the note's ``factorised:`` declaration (none when it has none or a bad one)."""
        text = self.structure.get("factorised", self.structure.get("factorized", (0, "")))[1]
        if self._factors[0] != text:
            def bad(message):   # noqa: E306
                raise ParseError(message)
            latent = [n for n in self.latent if n not in self.blocks]      # z_1, z_2 read: not z itself
            try:
                got = note_structure({"factorised": vi_names("factorised", text)}, self.variables(),
                                     tuple(Symbol(n) for n in latent), bad)["factors"]
            except ParseError:
                got = ()
            self._factors = (text, set(got))
        return self._factors[1]

    def context(self, latent, observed=()) -> Context:
        domains = self.domains()
        vectors = tuple(self.indexed(self.variables()).values())
        domains = note_bounds(self.structure, domains, self.vectors, self.skip)     # assume: a > 1
        if not self.structure:
            return Context(latent, domains=domains, indexed=vectors, observed=observed)
        if self.structure.keys() & {"factorised", "factorized"}:     # the factors cover every latent
            latent = tuple(Symbol(n) for n in self.latent if n not in self.blocks or Symbol(n) in latent)
        variables = self.variables()

        def bad(message):
            raise ParseError(message)
        try:
            fields = note_structure({k: vi_names(k, v) for k, (_, v) in self.structure.items()}, variables,
                                    latent, bad)
        except ParseError as err:
            line = min(at for at, _ in self.structure.values())
            self.skip(line, f"{getattr(err, 'message', str(err))} (the declaration is ignored)")
            return Context(latent, domains=domains, indexed=vectors, observed=observed)
        return Context(latent, domains=domains, indexed=vectors, observed=observed, **fields)

    def close(self):
        with declared_for(self, getattr(self.chain, "diagonal", None)):     # N(μ, diag(σ²)): its vectors
            self.close_chain()

    def close_chain(self):
        if self.chain is not None and any(r.kind == STEP for r in self.chain.records):
            records = self.chain.records
            fields = [(r, k) for r in records for k in ("lhs", "rhs") if getattr(r, k) is not None]
            for (r, k), e in zip(fields, condition_model_joint([getattr(r, k) for r, k in fields])):
                setattr(r, k, e)
            free = set().union(*(e.free_symbols | {v for c in e.atoms(ConcreteDensity) for v in c.vars}   # P(T > t)
                                 for r in self.chain.records for e in (r.lhs, r.rhs) if e is not None))
            latent = tuple(sorted((s for s in free if str(s) in self.latent), key=str))
            observed = tuple(sorted((s for s in free if str(s) in self.observed), key=str))
            self.chain.context, said = with_draws(self.context(latent or (Symbol(self.latent[0]),), observed),
                                                  in_section(self.draws, self.text, self.chain.line, _HEADING))
            self.said += [(self.chain.line, said)] if said else []
            self.chain.context = with_conditions(self.chain.context, self.bounds.get(self.chain.name, []),
                                                 set(self.vectors), self.skip, self.chain.line, records,
                                                 lambda at, words: self.chain.warnings.append((at, words)))
            widen_factor_bounds(records, self.chain.context.factors)         # \mathcal{L}(q_1): of q1 q2
            self.chain.warnings.extend(self.said)
            self.chain.defined = with_prior(dict(self.defined), records, getattr(self, "prior", None))   # KL(q ‖ p(z))
            self.chains.append(self.chain)
        elif self.chain is not None:
            self.skip(self.chain.line, "an expression with no relation after it")
        self.chain = None
        self.said = []

    def row(self, line: int, column: int, row: str, comment: str, block: str):
        """One row of a display: read under the vectors a diagonal Gaussian in it, or in the chain
        it continues, declares for that chain (:mod:`.latex_diagonal`)."""
        section_latents(self, row)       # a new section over the bare z: not the blocks of one before
        decl = diagonal_declarations(row, self.latent[0], self.known_names) or \
            (getattr(self.chain, "diagonal", None) if self.chain is not None and CONTINUES.match(row) else None)
        with declared_for(self, decl):
            self.read_row(line, column, row, comment, block)
            if decl and self.chain is not None and not hasattr(self.chain, "diagonal"):
                self.chain.diagonal = decl
                self.chain.warnings.append((line, diagonal_said(decl)))

    def known_names(self) -> set:
        """Every declared name (the latents alone when a vector declaration is bad: that is said
        where the row is read)."""
        try:
            return set(self.variables())
        except ParseError:
            return set(self.latent)

    def read_row(self, line: int, column: int, row: str, comment: str, block: str):
        at = line_offset(self.text, line) + column - 1
        row, sampled = latex_drawn(self, at, row, line)      # "E[X] = …, X ~ Beta(a, b)": its condition at its end
        if not row.strip():
            return self.skip(line, STATEMENT_SAID)
        self.unsaid += free_letters(self, row, sampled, line)     # the t of P(T > t): a parameter
        before = dict(self.written.declared)
        try:
            drawn = drawn_latents(row, in_section(self.draws, self.text, line, _HEADING), {*self.latent, *self.variables()})
            blocks = latent_blocks(row, self.latent + drawn, self.variables())
            self.latent += drawn + blocks
            points = None if "iid" in self.structure else inferred_iid(row, self.variables(), self.observed, self.latent)
            if points:      # x_n under a sum up to an undeclared N: N points, as an iid: line says
                self.positive, self.structure["iid"] = [*self.positive, points[0]], (line, points[1])
            self.blocks = ("z", "Z") if blocks or self.blocks else ()     # z_1 read: z, Z only where written
            variables = self.variables()
            joint = self.latent if self.declared_latent and len(self.latent) > 1 else \
                [n for n in self.latent if n not in self.blocks] if self.blocks else ()   # z = (z1, z2)
            self.written.domains = dict(self.domains())
            items = self.parsed(row, variables, block, joint, sampled)
            start = items[0][1] if items[0][0] is None or self.chain is None else self.chain.records[0].lhs
            items = [(rel, name_unnamed_const(start, joint_products(e), self.latent).xreplace(self.premise)
                      .xreplace(self.written.ordered), *rest)
                     for rel, e, *rest in items]
        except (ParseError, VocabularyError) as err:
            self.written.declared = before
            self.written.warnings.clear()
            self.close()
            col = getattr(err, "column", None)
            first_line = row[:(col or 1) - 1].count("\n")
            at_col = (col - row.rfind("\n", 0, col - 1) - 1) if col and first_line else \
                (column + col - 1 if col else 0)
            message = getattr(err, "message", str(err))
            return self.skip(line + first_line, message, at_col)
        if items[0][0] is not None and self.chain is None:
            return self.skip(line, "a step with no expression before it to continue from")
        if items[0][0] is None:
            self.close()
        if items[0][0] is None and (bound := range_condition(items)):     # "for $z \geq 0$"
            return self.skip(line, f"a condition on {bound} (its range or value), not a claim: not checked")
        drawn = [n for n in self.written.latents if n not in self.latent]
        self.latent += drawn
        new = {n: d for n, d in self.written.declared.items() if n not in before}
        self.said.extend((line, w) for w in readings(new, self.written, drawn))
        self.said += [(line, f"read {', '.join(blocks)} as latent variables (the blocks of the latent z; "
                             f"a latent: line says otherwise)")] if blocks else []
        self.said += [(line, points_said(points))] if points else []
        if _TILDE_Q.search(row) and not self.tilde_said:
            self.said.append((line, TILDE_SAID))
            self.tilde_said = True
        self.said += [(line, parameters_said(new))] if (new := announce(self, row)) else []
        self.said.extend((line, w) for w in self.written.warnings)
        self.written.warnings.clear()
        self.said, self.unsaid = self.said + self.unsaid, []
        if self.definition(line, items):
            return
        if items[0][0] is None:
            name = chain_name(self.stem, line, {c.name for c in self.chains})
            self.chain = DerivationRecord(name, self.file, line, title=" ".join(row.split())[:100])
        self.bounds.setdefault(self.chain.name, []).extend(conditions_at(self.conditions, self.text, at)
                                                           + self.display_bounds)
        for rel, expr, label, r_line, r_col in items:
            at_line = line + r_line - 1
            at_col = column + r_col - 1 if r_line == 1 else r_col
            if rel is None:
                self.chain.records.append(StepRecord(START, self.file, at_line, at_col, row, lhs=expr))
                continue
            rules = rules_in(label) or rules_in(comment)
            self.chain.records.append(StepRecord(STEP, self.file, at_line, at_col, row, relation=rel,
                                                 rhs=expr, rules=rules, note_line=at_line,
                                                 comment=" ".join(x for x in (label, comment) if x),
                                                 premises=() if self.premise else standing_premise(self.standing)))

    def parsed(self, row: str, variables: dict, block: str, joint=(), drawn=None):
        """:func:`parse_row` of ``row`` with the note's macros expanded; columns (of an error and of
        each relation) are the row's as written."""
        text, where = expand(row, self.macros)
        text = primes(datapoints(text, variables))
        try:
            items = parse_row(text, variables, *self.pair(block), latents=self.latent, joint=joint,
                              indexed=self.indexable(), written=self.written, chain_q=self.chain_q(), drawn=drawn)
        except ParseError as err:
            if text != row and getattr(err, "column", None):
                err.column, err.text = back(where, row, err.column), row
            raise
        if text == row:
            return items
        starts = [0] + [k + 1 for k, c in enumerate(text) if c == "\n"]
        out = []
        for rel, e, label, r_line, r_col in items:
            at = back(where, row, starts[r_line - 1] + r_col) - 1
            out.append((rel, e, label, row.count("\n", 0, at) + 1, at - row.rfind("\n", 0, at)))
        return out

    def chain_q(self) -> set:
        """The densities the chain being read names (a bare q or p is one of them or conditioned as
        they are: see named_q, named_p)."""
        if self.chain is None:
            return self.factors()
        return self.factors() | named_densities([(None, e) for r in self.chain.records for e in (r.lhs, r.rhs) if e is not None])

    def definition(self, line: int, items: list) -> bool:
        """``q(z) = \\mathcal{N}(z; m, s^2)``: q is that distribution in the chains below (nothing
        to prove); True if the row was one."""
        product = factorisation_of(items, self.latent)
        if product is not None:
            self.structure["factorised"], said, self.said = (line, product), [m for _, m in self.said], []
            self.assumed = tuple(n for n in self.latent if n not in ("z", "Z")) if self.blocks else ()   # see section_latents
            return self.skip(line, assumption_said(product, said)) or True
        if len(items) != 2 or items[0][0] is not None or items[1][0] != "=":
            return False
        if isinstance(items[0][1], (Symbol, Density)) and isinstance(items[1][1], ArgOpt):   # θ^new = argmax_θ …
            return self.skip(line, f"defines {items[0][1]} = {to_unicode(items[1][1])} (a definition: nothing "
                                   "to prove)") or True
        d, w = items[0][1], items[1][1]
        if prior_or_product(self, line, d, w) or change_of_variables(self, line, d, w):    # p(z) = N(0, 1); z = μ + σε
            return True
        if not isinstance(w, InlineDensity) and formula_definition(d, w, self.latent):    # q(z) = λ e^{-λz}
            return define_by_formula(self, line, d, w)
        if not (type(d) is Density and isinstance(w, InlineDensity)) or d.name == "p":
            return False
        if d.vars != w.vars:
            self.skip(line, f"cannot read: {w.shown} is a density of {w.vars[0]}, not of {', '.join(map(str, d.vars))}")
            return True
        label = to_unicode(d)
        if d.given:           # q_φ(z|x) = \mathcal{N}(…): an amortised density (see .amortised)
            why = amortised_error(label, d, w.definition, self.latent, self.observed, dict(self.domains()))
            if why is not None:
                self.skip(line, f"cannot read: {why}")
                return True
            self.defined[d.name] = (w.vars, w.definition, d.given, AMORTISED)
        else:
            self.defined[d.name] = (w.vars, w.definition)
        said = "; ".join(m for _, m in self.said)
        self.said = []
        self.skip(line, f"defines {label} = {to_unicode(w.definition)}{' (' + said + ')' if said else ''}: "
                        "used with this meaning below")
        return True

    @staticmethod
    def bad_vector(message):
        raise ParseError(message)

    def declare(self, text: str, line_of, start: int = 0, end: int | None = None):
        """The ``<!-- vi_sym: key: value -->`` declarations in ``text[start:end]`` (``line_of``:
        offset -> line); a line read twice declares the same again."""
        end = len(text) if end is None else end
        for m in _OVERRIDE.finditer(text, start, end):
            key, words = m.group(1), [latex_name(n) for n in m.group(2).replace(",", " ").split()]
            for bad in unknown_commands(m.group(2)):        # \ttau: a typo, not a Greek letter
                said = (line_of(m.start(1)), f"{key}: '{bad}' is not a Greek letter LaTeX knows (read as the name "
                                             f"{latex_name(bad)})")
                self.skipped += [said] if said not in self.skipped else []
            self.vectors = {n: v for n, v in self.vectors.items() if v[1] != key}
            try:        # z[1..J]: the vector z of length J, as in a .vi header
                setattr(self, key, vector_names(" ".join(words), self.vectors, self.bad_vector, key))
            except ParseError as err:
                said = (line_of(m.start(1)), f"{getattr(err, 'message', err)} (the declaration is ignored)")
                if said not in self.skipped:
                    self.skipped.append(said)
            self.declared_latent |= m.group(1) == "latent"
        for m in _STRUCTURE.finditer(text, start, end):
            self.structure[m.group(1)] = (line_of(m.start(1)), m.group(2))

    def block(self, offset: int, body: str, premise=None):
        line = self.text.count("\n", 0, offset) + 1
        if len(body) > MAX_BLOCK:
            return self.skip(line, f"a math block of {len(body)} characters: too long to read")
        # what lies between the block before and this one (from the start of its line): a note
        # of thousands of formulas is read in linear time, not scanned again for each formula
        if _HEADING.search(self.text, self.scanned, offset):    # a new section: an earlier premise is over
            self.standing, self.section_new = None, True
        self.declare(self.text, lambda at: self.text.count("\n", 0, at) + 1,
                     self.text.rfind("\n", 0, self.scanned) + 1, offset)
        self.scanned = max(self.scanned, offset)
        self.after = self.text[offset + len(body):offset + len(body) + 400]     # "for $z \geq 0$" (.formula_densities)
        self.macros = {**BUILTIN, **self.defined_macros.at(offset)}
        if not RELATION.search(body):
            near = _APPROX.search(body)
            return self.skip(line, f"{near.group()} is an approximation, not a relation vi_sym checks (=, \\geq, "
                                   "\\leq, \\propto)" if near else STATEMENT_SAID if sampled_in(body) else
                             "no relation (=, \\geq, \\leq, \\propto): an expression, not a derivation step")
        if premise is not None:
            found = self.premise_of(premise[1], body)
            at = self.text.count("\n", 0, premise[0]) + 1
            if isinstance(found, str) and unused_definition(premise[1], body):      # let w_k = …; w unused
                self.skip(at, f"a definition ${premise[1]}$ the formula after it does not use: read without it")
            elif isinstance(found, str):
                return self.skip(line, f"holds under the premise ${premise[1]}$, which {found}: not checked without it")
            else:
                self.skip(at, f"a premise, not a claim: ${premise[1]}$ (the formula after it is read with it "
                              "substituted)")
                self.premise, self.standing = found, (found, at)
        cut, self.display_bounds = display_conditions(body)      # "…, \quad \alpha > 1": see .conditions
        self.block_end = offset + len(body)
        try:
            for r in rows(offset, cut, self.text):
                self.row(*r, block=body)
            self.close()
        finally:
            self.premise, self.display_bounds = {}, []

    def premise_of(self, body: str, claim: str = ""):
        """The substitution a premise makes, the quantities it names, or why none (:func:`.premises.latex_premise`)."""
        return latex_premise(self, body, claim, lambda t: parse_row(
            expand(t.strip(), self.macros)[0], self.variables(), *self.pair(body), latents=self.latent,
            indexed=self.indexable(), written=self.written))


def declarations(text: str) -> str:
    """The lines of ``text`` that declare (``<!-- vi_sym: latent: z_1 z_2 -->``, …): a notebook's
    earlier cells' declarations hold in its later cells."""
    return "\n".join(m.group() for m in _OVERRIDE.finditer(text)) + "\n" + \
        "\n".join(m.group() for m in _STRUCTURE.finditer(text)) + "\n" + \
        "\n".join(text[a:b] for a, b, d in definitions(text) if not isinstance(d, str))


def markdown_chains(text: str, file: str, options=None, preamble: str = "", source: str | None = None):
    """Markdown with LaTeX -> (derivation records, [(line, reason) of skipped blocks]).
    ``preamble``: declarations made before the text (a notebook's earlier cells), at its line 1;
    ``source``: the file as written, when ``text`` is a version of it of the same lines (a LaTeX
    document's, :mod:`.tex`): the lines a skipped block is shown with."""
    reader = _Reader(text, file, options)
    if source is not None:
        reader.lines = source.splitlines()
    read_implicit(reader, preamble + "\n" + text, _OVERRIDE)
    declare_formula_parameters(reader, preamble + "\n" + text, _OVERRIDE)     # λ in q(z) = λ e^{-λz}
    reader.declare(preamble, lambda at: 1)
    for at in unclosed(text):
        reader.skip(text.count("\n", 0, at) + 1, "a $$ that no $$ closes before the blank line after it: the "
                    "formula is read up to that line (close it with $$)")
    reader.defined_macros = Macros(text, preamble)
    for at, why in reader.defined_macros.problems():
        reader.skip(max(text.count("\n", 0, at) + 1, 1), f"a macro definition vi_sym cannot read: {why} "
                    "(its uses are read as written)")
    premises = inline_premises(text)
    used = {p[0] for p in premises.values()}
    for offset, body, said in with_labelled(text, blocks(text)):     # and "Mean: $…$" (.labelled)
        if offset in used:        # said where the formula after it is read (``_Reader.block``)
            continue
        reader.unsaid += said     # said with the chain the block reads
        reader.block(offset, body, premises.get(offset))
    return reader.chains, sorted(reader.skipped)


def read_markdown(text: str, file: str, options=None):
    """Markdown with LaTeX -> (derivation records, errors); unreadable blocks are skipped."""
    return math_note(text, file, options)


def math_note(text: str, file: str, options=None, source: str | None = None):
    """(derivation records, errors) of a note's math (see :func:`markdown_chains`): when no block
    can be read, each block's reason is an error."""
    chains, skipped = markdown_chains(text, file, options, source=source)
    if chains:
        chains[0].skipped = skipped
        return chains, []
    # nothing could be read: each block's reason is the error (else it would be lost)
    return [], [LoadError(file, line, "", "", f"no step read here: {reason}") for line, reason in skipped]
