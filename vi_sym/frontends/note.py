"""The plain-text note reader (``.txt``): equations as learners type them, amid their prose.

What it reads (line by line; nothing is evaluated, every formula goes through the parser):

* a line ``lhs = rhs`` (or ``>=``, ``<=``; several relations make a chain on one line), also at
  the end of a sentence (``… 즉 log p(X) >= L(q)``); an expression line followed by lines starting
  with ``=``/``>=``/``<=`` is a chain;
* ``sympy.integrate(f, z)`` / ``integrate(f, z)``, ``log p(x)`` without brackets (the argument is
  the one factor that follows; when more follows, the other reading is checked too),
  ``D_KL(q(z)||p(z|x))``, ``KL(q||p)`` (bare ``q`` is q(z), bare ``p`` the posterior p(z|x)),
  ``E_q(Z)[…]``, ``E_q[…]``, ``E_q2[…]`` (under the factor q2(z2)), ``‖``, ``log ∫ … dz``, ``L(q)``
  and ``ELBO`` (the evidence lower bound), upper-case ``X``/``Z``; an equation number, a bullet or
  a leading ``so``/``therefore`` is not part of the equation (:func:`~.textnote.strip_markup`);
* ``※ remark``: the step's comment; one naming a rule (베이즈 / Bayes, 젠슨 / Jensen, …) cites it;
* brackets left open are closed (a warning says where); ``a/b c`` is read as typed, ``(a/b)·c``
  (the reading ``a/(b c)``, when it differs, is checked as an extra step ``N'``);
* a name defined in the note (``F(q) = …`` for a new name ``F``) means that expression below;
  ``q_star(x) = argmin(q∈Q) D_KL(q(z)||p(z|x))`` defines one by an optimisation (a warning says
  when the name's arguments are not the variables of the densities it ranges over);
* ``argmin_q …``/``argmax(q∈Q) …`` on both sides of an ``=`` is an optimisation statement,
  checked like any step (``argmin_q KL(q||p) = argmax_q L(q)``);
* ``latent: w`` / ``observed: y`` (a line or a remark) overrides z, Z latent, x, X observed;
* every other line is prose; a formula-looking line that cannot be read is skipped with the reason.
"""
from __future__ import annotations

import re
from pathlib import Path

from sympy import Symbol

from ..parse import Function, ParseEnv, ParseError, parse_expression
from ..tokens import GLUED_LOG, NAME_PATTERN, normal_name
from ..records import LoadError, START, STEP, DerivationRecord, StepRecord
from ..rules import Context
from ..notation import to_unicode
from ..operators import ArgOpt, target_label
from ..vocabulary import ELBO, KL, Const, Density, VocabularyError, entropy, joint_vars
from .assumptions import note_bounds
from .distribution_forms import ASSUME, TextWritten, WrittenDistributions, letters_in_text
from .text_distributions import declare_text_distributions
from .data_points import infer_note_points
from .latex_meanfield import widen_factor_bounds
from .draws import declare_drawn, with_draws
from .implicit_parameters import declare_in_note
from .headers import NOTE_STRUCTURE_KEYS, note_structure
from .latex_meaning import BARE_Q, UNNAMED_CONST, name_unnamed_const, resolve_bare_q
from .formula_densities import with_prior
from .latex_encoder import text_outputs
from .note_forms import (end_definitions, expectation_spelling, optimum_spelling, iid_points, letters_as_numbers, marginal_p, note_constants, test_functions, note_vectors, read_declaration,
                         read_continuation, read_normal_line, read_written_line)
from .labelled import labelled_line
from .note_mean_field import declare_numbered, indexed_definition, read_formula, read_mean_field
from .amortised import conditioned_qs, read_amortised_line
from .premises import TILDE_SAID, read_segments, standing_premise
from .sampled import attach_readings, drawn_calls, drawn_of, end_section, text_statements
from .conditions import chain_conditions, text_conditions
from .textnote import (balance, chain_name, cited_rules, formula_segments, is_prose, paren_remark, split_chain,
                       split_remark, strip_markup, unreadable, url_only)

_OVERRIDE = re.compile(r"^\s*(?:#|%|//)?\s*(latent|observed|parameters|positive)\s*:\s*([^\W\d_][\w ,\[\].]*)$")
#: a density named as a factor: q1(, r2(, q_j( (p and q alone are the model's and q)
_FACTOR = re.compile(r"(?:(?<![\w.])|(?<=\bE_))((?:[pqr]\d+|[pq]_[A-Za-z0-9]+|r))\s*\*?\(")
#: a factor named without its variable (``E_q2[f]``, ``H(q1)``): q2(z2), q1(z1), its latent written
#: as its index
_FACTOR_EXPECTATION = re.compile(r"(?:(?<![\w.])|(?<=\bE_))(q(\d+|_[A-Za-z0-9]+))(?![\w(*])")
#: ``factorised: q(z1)*q(z2)`` (``copies:``, ``iid:``) on a line of its own: as in a .vi header
_STRUCTURE = re.compile(r"^\s*(?:#|%|//)?\s*(" + "|".join(NOTE_STRUCTURE_KEYS) + r")\s*:\s*(.+?)\s*$")
MAX_LINE = 5000    # characters; a longer line is skipped, not parsed
_DEFINE = re.compile(r"^\s*([^\W\d_]\w*)\s*(?:\(([^()]*)\))?\s*$")

_TILDE_Q = re.compile("q\u0303(\\d*)")
_HEADS = ("p", "q", "L", "ELBO", "log", "E")     # p_θ(x|z), L_θ: a subscript naming the model's parameter


def _vars_of(q) -> list:
    """The variables of a density q or of a product of densities q1(z1) q2(z2) (an ELBO's argument)."""
    vs = joint_vars(q)
    if vs is None:
        raise ParseError("the argument of the ELBO must be a density q(z) or a product q1(z1) q2(z2); "
                         f"got {to_unicode(q)}")
    return list(vs)


def _flexible_elbo(joint_of):
    def elbo(*args):
        if len(args) == 1:
            return ELBO(args[0], joint_of(args[0]))
        if len(args) == 2 and isinstance(args[1], Symbol) and args[1].is_real:
            return ELBO(args[0], joint_of(args[0], (args[1],)))     # PRML's L(q, θ): the bound on p(x|θ)
        if len(args) == 2:
            return ELBO(*args)
        raise ParseError(f"ELBO takes q, or q and the joint p(x,z); got {len(args)} arguments")
    return Function(elbo, None)


def _defined(name: str, params: tuple, expr):
    """A name defined in the note, ``F(q) = …``: used only with the arguments it was defined for."""
    def call(*args):
        if tuple(resolve_bare_q(a) for a in args) != params:     # F(q): the bare q, q(z)
            shown = ", ".join(map(str, params))
            raise ParseError(f"{name} is defined in the note as {name}({shown}) only")
        return expr
    return call


class _Note:
    """The reader's state while it walks the lines of one file."""

    def __init__(self, file: str, options=None, text: str = ""):
        self.file, self.stem, self.text = file, re.sub(r"\W", "_", Path(file).stem) or "note", text
        self.latent = list(getattr(options, "latent", ()) or ("z", "Z"))
        #: several latents named (``latent: z1 z2``): a bare q is q(z1,z2), ELBO/L(q) over all of them
        self.several = len(getattr(options, "latent", ()) or ()) > 1
        self.observed = list(getattr(options, "observed", ()) or ("x", "X"))
        self.parameters, self.implicit, self.announced = [], [], set()  # θ: declared, or read from its use
        # the chains read, the DerivationRecord being extended, (line, col, text) that may start one
        self.chains, self.chain, self.pending, self.skipped, self.warnings = [], None, None, [], []
        self.draws, self.current = [], ""  # z1, z2 ~ q(z) (.draws); the line being read (its variables pick the case)
        self.said = ""                     # the lines of the chain being read, so far
        self.standing, self.tilde_said = None, False   # the last premise (substitution, line); q̃ said once
        self.structure, self.defined = {}, {}   # factorised:, copies:, iid: -> text; name -> (arg text, expression)
        # name -> "positive"/"real" (parameters of defined densities); q(z) = N(z; m, s^2): name ->
        # (variables, definition); parameters: μ[1..J]: name -> its length's text
        self.declared, self.normals, self.vectors = {}, {}, {}
        self.written = WrittenDistributions()   # N(μ, σ^2) written inline: one name per distribution
        self.premise: dict = {}            # q(z) -> p(z|x) under "let q(z) = p(z|x), then …" (.premises)
        self.sampled, self.unsaid, self.switched, self.line_bounds, self.dists, self.here = {}, [], [], {}, [], set()

    # -- variables and the parse environment
    def pair(self, text: str):
        """The (latent, observed) names a line uses: the first pair it mentions."""
        words = set(map(normal_name, re.findall(NAME_PATTERN, text)))
        for i, z in enumerate(self.latent):
            x = self.observed[i] if i < len(self.observed) else self.observed[0]
            if z in words or x in words:
                return z, x
        return self.latent[0], self.observed[0]

    def chain_text(self, text: str) -> str:
        """The lines of the chain being read so far and the line being read (or ``text``)."""
        return (self.said if self.chain is not None else "") + " " + (self.current or text)

    def mentioned(self, theta: list, text: str) -> list:
        """``theta``'s names in the chain being read: a bare ELBO, p, KL is the model at θ there only."""
        words = {normal_name(part) for w in re.findall(NAME_PATTERN, self.chain_text(text))
                 for part in (w, *(w.split("_")[1:] if w.split("_")[0] in _HEADS else ()))}
        return [t for t in theta if str(t) in words]      # p_θ(x|z) names θ too, θ_old does not

    def env(self, text: str, wide: bool = False, factors: bool = True) -> ParseEnv:
        names = dict.fromkeys(self.latent + self.observed + list(getattr(self, "blocks", {})))   # z = (z1, z2)
        variables = {n: Symbol(n) for n in names}
        theta = [Symbol(n, real=True) for n in self.parameters if n not in names]
        variables.update({str(t): t for t in theta})
        theta = self.mentioned(theta, text)     # the bare ELBO's, p's and KL's model: θ where it is said
        variables.update({n: Symbol(n, **ASSUME[d]) for n, d in self.declared.items() if n not in variables})
        zn, xn = self.pair(self.current or text)
        z, x = variables[zn], variables[xn]
        zs = [variables[n] for n in self.latent] if self.several else [z]
        q, post, joint = Density(BARE_Q, zs), Density("p", zs, [x, *theta]), Density("p", [x, *zs], theta)
        env = ParseEnv(variables=variables, bare_calls=True, wide=wide, latent=tuple(self.latent))
        fns, env.drawn = env.functions, {variables[n]: d for n, d in self.sampled.items() if n in variables}
        fns.update({f"sympy.{k}": v for k, v in list(fns.items())})
        fns.update({"np.log": fns["log"], "math.log": fns["log"], "H": Function(lambda *a: entropy(*(drawn_of(env.drawn, d, d) for d in a)), None),
                    **drawn_calls(env)})
        fns["ELBO"] = fns["L"] = _flexible_elbo(lambda qq, given=tuple(theta): Density(     # q(z|φ)'s φ is not p's
            "p", [x, *_vars_of(qq)], [t for t in given if t not in {g for d in qq.atoms(Density) for g in d.given}]))
        env.constants.update(note_constants(variables))
        env.points = iid_points(self.structure, variables)     # x_n inside Σ_n (vi_sym.parse_sums)
        env.indexed = note_vectors(self, variables)              # σ_j inside Σ_j, σ[j]
        env.constants.update({"q": q, "p": post, "ELBO": ELBO(q, joint), "KL": KL(q, post), "D_KL": KL(q, post)})
        numbers = letters_in_text(" ".join(self.dists) + " " + self.chain_text(text))   # Bern(p): p a number
        letters_as_numbers(env, numbers, list(names), self.chain_text(text), q, post)
        test_functions(env, text)                     # f(z): an arbitrary function
        self.declared.update({n: d for n, d in numbers.items() if n not in self.declared})
        self.written.domains = {**{n: "real" for n in self.parameters}, **self.declared}
        env.written = TextWritten(self.written, variables, self.latent, None if self.several else z)
        for name, (params, expr) in self.defined.items():
            env.constants[name] = expr
            fns[name] = Function(_defined(name, params, expr), None)
        # factors named as people do: q1(z1), q2(z2), r(z), q_j(z_j) -- arbitrary densities
        if factors:
            env.densities |= {n for n in _FACTOR.findall(text) if n not in variables and n not in fns}
        for name, index in _FACTOR_EXPECTATION.findall(text):
            latent = "z" + index.lstrip("_")
            if latent in variables and name not in variables and name not in fns:
                env.constants.setdefault(name, Density(name, [variables[latent]]))
        if "const" not in variables:     # const(z1), and a bare const: in the chain start's latent
            fns["const"] = Function(Const, 1)
            env.constants.setdefault("const", Const(UNNAMED_CONST))
        return env

    def context(self, exprs) -> Context:
        free = set().union(*(e.free_symbols for e in exprs if e is not None))
        used = [s for s in free if str(s) in self.latent]
        latent = tuple(sorted(used, key=str)) or (Symbol(self.pair(" ".join(map(str, exprs)))[0]),)
        observed = tuple(sorted((s for s in free if str(s) in self.observed), key=str))
        domains = tuple((n, "real") for n in self.parameters) + tuple(self.declared.items())
        variables = {n: Symbol(n) for n in dict.fromkeys(self.latent + self.observed)}
        variables.update({n: Symbol(n, **ASSUME[d]) for n, d in self.declared.items() if n not in variables})
        vectors = tuple(note_vectors(self, variables).values())
        domains = note_bounds(self.structure, domains, self.vectors, self.skip)     # assume: a > 1
        if not self.structure:
            return Context(latent, domains=domains, indexed=vectors, observed=observed)
        if self.structure.keys() & {"factorised", "factorized"}:
            latent = tuple(Symbol(n) for n in self.latent)      # the factors cover every latent

        def bad(message):
            raise ParseError(message)
        try:
            fields = note_structure({k: v for k, (_, v) in self.structure.items()}, variables, latent, bad)
        except ParseError as err:
            line = min(no for no, _ in self.structure.values())
            self.skip(line, f"{getattr(err, 'message', str(err))} (the declaration is ignored)")
            return Context(latent, domains=domains, indexed=vectors, observed=observed)
        return Context(latent, domains=domains, indexed=vectors, observed=observed, **fields)

    # -- reading one formula
    def parse(self, text: str, col: int, line: int):
        """(expression, alternative or None, notes); raises ParseError."""
        env, named = self.env(text), self.named()
        try:
            expr = marginal_p(read_formula(self, text, env, named), env.constants.get("p"), self.chain_text(text))
        except ParseError as err:       # say where it is in the line, not in the part read
            if err.column is not None:
                err.column, err.text = err.column + col - 1, " " * (col - 1) + (err.text or text)
            raise
        self.declared.update(self.written.gaps)       # Uniform(a, b): b read as a + (b − a)
        for c, note in env.notes:      # said once a line (a chain's parts are read one by one)
            self.warnings += [] if any(n == line and m.endswith(note) for n, m in self.warnings) else \
                [(line, f"column {col + c - 1}: {note}")]
        wide = self.env(text, wide=True)
        try:
            other = read_formula(self, text, wide, named)
        except (ParseError, VocabularyError):
            return expr, None
        if other == expr or not wide.notes:
            return expr, None
        return expr, ("; ".join(n for _, n in wide.notes), other)

    def named(self) -> set:
        """The densities the chain being read names (a bare q is its conditioned q_φ, if one)."""
        exprs = [e for r in (self.chain.records if self.chain else ()) for e in (r.lhs, r.rhs) if e is not None]
        return {d for e in exprs for d in e.atoms(Density)} | conditioned_qs(self.normals)

    def declare_written(self, code: str) -> list:
        """The names ``code``'s distributions introduce, declared from here on, in words."""
        return declare_text_distributions(self, code)

    def written_readings(self) -> list:
        """The conventions of the distributions just read (Gamma(a, b): shape a, rate b)."""
        out = list(self.written.warnings)
        self.written.warnings.clear()
        return out

    def records(self, line: int, col: int, text: str, continues: bool, remark: str):
        """The records of one formula line, or raises ValueError/ParseError."""
        try:
            self.warnings.extend((line, w) for w in self.declare_written(text))
        except ParseError as err:       # its column in the line
            err.column, err.text = err.column + col - 1, " " * (col - 1) + (err.text or text)
            raise
        fixed, notes = balance(text, col - 1)
        for n in notes:
            self.warnings.append((line, n))
        parts = split_chain(fixed, col - 1)
        if parts[0][1] == "" and parts[0][0] is None:
            parts = parts[1:]
            if not continues:
                raise ValueError("a step with no expression before it")
        elif continues:
            raise ValueError("not a step")
        out = []
        rules = cited_rules(remark)
        for rel, part, c in parts:
            if not part:
                raise ValueError(f"nothing after '{rel}'" if rel else "nothing before the relation")
            expr, alt = self.parse(part, col + c - 1, line)
            if rel == "∝":          # proportional: = rhs · const, in the chain's latent (as \propto)
                rel, expr, alt = "=", expr * Const(UNNAMED_CONST), None
            if self.premise:        # the claim under its premise (vi_sym.frontends.premises)
                expr = expr.xreplace(self.premise)
                alt = alt and (alt[0], alt[1].xreplace(self.premise))
            rec = StepRecord(START if rel is None else STEP, self.file, line, col + c - 1, text=text,
                             relation=rel, rules=rules if rel else (), note_line=line, comment=remark,
                             premises=() if self.premise else standing_premise(self.standing))
            if rel is None:
                rec.lhs = expr
            else:
                start = out[0].lhs if out and out[0].kind == START else \
                    (self.chain.records[0].lhs if self.chain is not None else None)
                rec.rhs = expr if start is None else name_unnamed_const(start, expr, self.latent, text=True)
                if alt:
                    rec.alternatives = (alt,)
                    self.warnings.append((line, f"read as typed; {alt[0]}: that reading is checked too "
                                                f"(the step marked ')"))
            out.append(rec)
        self.warnings.extend((line, w) for w in self.written_readings())
        return out

    # -- chains
    def close(self):
        if self.chain is not None and any(r.kind == STEP for r in self.chain.records):
            exprs = [e for r in self.chain.records for e in (r.lhs, r.rhs)]
            self.chain.context, said = with_draws(chain_conditions(self, self.context(exprs)), self.draws)
            self.warnings += [(self.chain.line, said)] if said else []
            widen_factor_bounds(self.chain.records, self.chain.context.factors)    # ELBO(q1): of q1 q2
            self.chain.defined = with_prior(dict(self.normals), self.chain.records, getattr(self, "prior", None))
            self.chains.append(self.chain)
        self.chain = None
        if self.pending is not None:
            self.skipped.append((self.pending[0], "an expression with no relation after it"))
        self.pending = None

    def begin(self, line: int, text: str):
        """A chain named by its line (see :func:`~.textnote.chain_name`: ``a = b 이고 c = d`` is two)."""
        name = chain_name(self.stem, line, {c.name for c in self.chains})
        shown = text if "Ρ(" not in text else self.text.splitlines()[line - 1]     # P(T > t) as written
        self.chain = DerivationRecord(name, self.file, line, title=" ".join(shown.split())[:100])
        self.said = text

    def skip(self, line: int, reason: str):
        self.skipped.append((line, reason))

    def definition(self, line: int, col: int, code: str) -> bool:
        """``F(q) = expr`` for a name ``F`` vi_sym does not know: remember it; True if it was one."""
        lhs, sep, rhs = code.partition("=")
        m = _DEFINE.match(lhs)
        if not sep or not m or rhs.startswith("=") or "=" in rhs:
            return False
        env = self.env(code, factors=False)     # q_star(x) = … defines q_star
        name = m.group(1)
        if name in env.functions or name in env.constants or name in env.variables or name in env.densities \
                or name in TextWritten.aliases or name == "Var" or GLUED_LOG.match(name) \
                or name.split("_")[0] in self.vectors or not name.isascii() and re.fullmatch(r".+_[a-z]", name):
            return False        # N(0, 1) = …, logp(x) = …: steps; μ_j = …: a coordinate (θ_new = … defines)
        try:
            at = col + len(lhs) + 1 + len(rhs) - len(rhs.lstrip())      # the column rhs starts at
            expr, _ = self.parse(balance(rhs)[0].strip(), at, line)
        except (ParseError, VocabularyError) as err:
            self.skip(line, f"defines {name}, but its right side cannot be read: {err}")
            return True
        try:
            params = tuple(resolve_bare_q(parse_expression(a, env)) for a in (m.group(2) or "").split(",") if a.strip())
        except (ParseError, VocabularyError) as err:
            self.skip(line, f"defines {name}, but its arguments cannot be read: {err}")
            return True
        self.defined[name] = (params, expr)
        if isinstance(expr, ArgOpt):
            self.optimum_definition(line, lhs.strip(), params, expr)
        else:
            self.skip(line, f"defines {lhs.strip()} (used with this meaning below)")
        return True

    def optimum_definition(self, line: int, lhs: str, params: tuple, expr):
        """``q_star(x) = argmin_q …``: a definition (nothing to prove), said so, and when it is written
        as a function of other variables than those of the densities it ranges over."""
        over = sorted({str(v) for d in expr.f.atoms(Density) if d.name == target_label(expr.target)
                       for v in d.vars})
        written = sorted(str(a) for a in params)
        slip = ""
        if over and written and written != over:
            slip = (f"; note: the {expr.word} ranges over densities {target_label(expr.target)}"
                    f"({', '.join(over)}), but {lhs} is written as a function of {', '.join(written)}")
        self.skip(line, f"defines {lhs} = {to_unicode(expr)} (a definition: nothing to prove; "
                        f"used with this meaning below){slip}")

    def formula(self, line: int, col: int, code: str, remark: str, alone: bool):
        """A stretch of formula text; ``alone``: the line holds nothing else (no prose)."""
        code = expectation_spelling(optimum_spelling(code), col - 1)
        starts_with_rel = bool(re.match(r"\s*(>=|<=|≥|≤|=)", code))
        has_rel = starts_with_rel or len(split_chain(balance(code)[0], col - 1)) > 1
        if not has_rel:
            if alone:
                self.close()
                self.pending = (line, col, code)
            return
        if starts_with_rel and self.chain is None and self.pending is not None:
            pl, pc, ptext = self.pending
            self.pending = None
            self.current, current = ptext, self.current
            try:
                start = self.records(pl, pc, ptext, False, "")
            except (ValueError, ParseError, VocabularyError) as err:
                self.skip(pl, unreadable(err))
                return self.skip(line, "continues a line that cannot be read")
            finally:
                self.current = current
            self.begin(pl, ptext)
            self.chain.records.extend(start)
        if not starts_with_rel:
            self.close()
            if read_amortised_line(self, line, col, code, (read_normal_line, read_written_line)) \
                    or read_normal_line(self, line, col, code) or read_written_line(self, line, col, code) \
                    or indexed_definition(self, line, col, code) or self.definition(line, col, code):
                return
        elif self.chain is None:
            return self.skip(line, "a step with no expression before it to continue from")
        try:
            recs = self.records(line, col, code, starts_with_rel, remark)
        except (ValueError, ParseError, VocabularyError) as err:
            self.close()
            return self.skip(line, unreadable(err))
        if not starts_with_rel:
            self.begin(line, code)
        else:
            self.said += " " + code
        self.chain.records.extend(recs)

    def line(self, no: int, raw: str):
        code, remark = split_remark(raw)
        code, said = paren_remark(code)
        code = text_conditions(self, no, labelled_line(self, no, text_statements(self, no, code)))   # X ~ …; Mean: …
        code, remark = text_outputs(self, no, strip_markup(code)), " ".join(x for x in (said, remark) if x)   # μ_φ(x)
        if _TILDE_Q.search(code):       # q̃1(z1), PRML's q-tilde: the optimal factor q1*(z1), same length
            code = _TILDE_Q.sub(r"q\1*", code)
            self.warnings += [] if self.tilde_said else [(no, TILDE_SAID)]
            self.tilde_said = True
        self.current = code
        if raw.lstrip().startswith("#"):       # a heading: a new section, an earlier premise is over
            end_section(self)
        if read_mean_field(self, no, code if code.strip() else remark):
            return
        m = _STRUCTURE.match(code if code.strip() else remark)
        if m:
            self.structure[m.group(1)] = (no, m.group(2))
            self.close()
            return self.skip(no, f"{m.group(1)}: {m.group(2)} declared")
        m = _OVERRIDE.match(code if code.strip() else remark)
        if m and read_declaration(self, no, m.group(1), m.group(2)):
            return
        if m:
            names = m.group(2).replace(",", " ").split()
            setattr(self, m.group(1), names)
            self.several = len(self.latent) > 1 if m.group(1) == "latent" else self.several
            self.close()
            what = "parameters" if m.group(1) == "parameters" else f"{m.group(1)} variables"
            return self.skip(no, f"{what} set to {', '.join(names)}{end_definitions(self)}")
        if not code.strip():
            if not remark:
                self.close()
            return
        if url_only(code):
            self.close()
            return self.skip(no, "a web address")
        if len(code) > MAX_LINE:
            self.close()
            return self.skip(no, f"a line of {len(code)} characters: too long to be read as a formula")
        infer_note_points(self, no, code)         # sum_{n=1}^N log p(x_n|z) without an iid: line
        if read_continuation(self, no, code):     # "    + KL(q||p(z|x))": the step before goes on
            return
        segments = formula_segments(code)
        alone = not is_prose(code) and len(segments) == 1
        if not alone:
            self.close()
            segments = [s for s in segments if len(split_chain_safe(s[1])) > 1]
            if not segments:
                return
        read_segments(self, no, code, segments, remark, alone)
        if not alone:
            self.close()


def split_chain_safe(text: str) -> list:
    try:                        # a strict relation: worth a 'skipped' line with its reason
        return split_chain(text)
    except ValueError:
        return [text, text]


def read_note(text: str, file: str, options=None):
    """A plain-text note -> (derivation records, errors); unreadable lines are skipped, not errors
    (``options``, a :class:`~vi_sym.records.ReadOptions`: the latent and observed variables)."""
    note = _Note(file, options, text)
    declare_in_note(note, text, _OVERRIDE)     # θ in p(x|θ), never drawn: a parameter
    note.draws = declare_drawn(note, text)     # z1, z2 ~ q(z): latents, copies of one another
    declare_numbered(note, text, options)      # p(x, z1, z2), q1(z1), no latent: line: z1, z2 latent
    for no, raw in enumerate(text.splitlines(), 1):
        note.line(no, raw)
    note.close()
    attach_readings(note)          # z ~ Exp(λ): its reading said at the chain after it
    for d in note.chains:
        d.warnings = [w for w in note.warnings if d.line <= w[0] <= max(r.line for r in d.records)]
    if note.chains:
        note.chains[0].skipped = sorted(note.skipped)
        return note.chains, []
    # nothing could be read: each unreadable formula's reason is the error (else it would be lost)
    return [], [LoadError(file, line, "", "", f"no step read here: {reason}")
                for line, reason in sorted(note.skipped)
            if reason.startswith(("cannot read", "continues")) or "cannot be read" in reason]
