"""Records -> derivations: the one place where a chain of steps is composed.

Every front-end (``vi_sym.frontends``) hands over :class:`~vi_sym.records.DerivationRecord`\\ s;
:func:`assemble` turns each into a :class:`~vi_sym.core.Derivation`:

* a ``start`` record begins the chain; each ``step`` continues from the previous right-hand side
  (or from its own ``lhs`` when the front-end read one);
* a line that could not be read becomes an unreadable step (reported, never dropped), and the step
  after it has no left-hand side to continue from;
* cited rules are looked up (an unknown name is an error with a suggestion);
* ``xfail`` marks a step expected to fail; ``conclusion`` is what the chain should reach;
* densities bound by ``define`` are replaced by their concrete distributions (claims);
* with ``factorised: q(z1)*q(z2)`` declared, the joint ``q(z1, z2)`` is that product;
* another plausible reading of a step (``alternatives``) is checked as an extra step named
  ``N'``, ``N''``…, continuing from the same left-hand side.

Errors never raise: they come back as :class:`~vi_sym.records.LoadError`.
"""
from __future__ import annotations

from sympy import Mul, Product

from .core import Derivation, InputNote, SourceRef, Step
from .distributions import ConcreteDensity
from .conditional import AMORTISED, AmortisedDensity, ConditionalDensity
from .indexed import use_of
from .parse import ParseError
from .records import CONCLUSION, START, DerivationRecord, LoadError, StepRecord
from .rules import UnknownRule, get_rule
from .rules.parameters import with_fixed_priors
from .vocabulary import Density

__all__ = ["assemble", "assemble_all", "conclusions_of", "concretise", "factorised_joint", "qualify_shared_names",
           "rename"]


def conclusions_of(d) -> list:
    """Every conclusion of ``d`` (``conclude:`` lines, in order; a derivation built in Python
    has at most its ``conclusion``)."""
    found = list(getattr(d, "conclusions", None) or [])
    if not found and d.conclusion is not None:
        found = [d.conclusion]
    return found


def concretise(expr, defined: dict):
    """Replace every use ``q(z)`` of a ``define``-d density by its concrete distribution."""
    if not defined or expr is None:
        return expr
    mapping = {}
    for d in expr.atoms(Density):
        if d.name in defined:
            vs, definition, *given = defined[d.name]
            if given:       # define lik(x|z) = ... (a likelihood) or q(z|x) = ... (amortised)
                kind = AmortisedDensity if given[1:] == [AMORTISED] else ConditionalDensity
                if d.vars != vs or d.given != given[0]:
                    raise ParseError(f"'{d}': {d.name} is defined as {kind(d.name, vs, given[0], definition)}")
                mapping[d] = kind(d.name, vs, given[0], definition)
                continue
            if isinstance(definition, Product):          # prod(...): a vector or one coordinate
                mapping[d] = use_of(d, vs, definition)
                if mapping[d] is None:
                    raise ParseError(f"'{d}': {d.name} is defined as {d.name}({vs[0]}), a density of "
                                     f"the vector {vs[0]}; {d.name}({vs[0]}[j]) is one coordinate's")
                continue
            if d.vars != vs or d.given:
                raise ParseError(f"'{d}': {d.name} is defined as {d.name}({', '.join(map(str, vs))})")
            mapping[d] = ConcreteDensity(d.name, vs, (), definition)
    return expr.xreplace(mapping) if mapping else expr


def factorised_joint(expr, factors):
    """With ``factorised: q(z1)*q(z2)`` declared, the joint ``q(z1, z2)`` -- the factors' own name
    over exactly their variables, no condition -- is their product wherever it stands: ``ELBO(q)``,
    ``E_q[…]``, ``H(q)``, ``KL(q ‖ …)`` as a note writes them after ``mean-field: q(z1,z2) =
    q(z1)q(z2)`` mean the factorised q the learner declared, not an arbitrary joint.  Factors
    with names of their own are q's too (``q1(z1)*q2(z2)``; a note's "we assume q(z_1, z_2) =
    q_1(z_1) q_2(z_2)"): then the joint named q is their product; factors of another name
    (``r1(z1)*r2(z2)``) leave every joint alone.  A const's target is a density like any other:
    ``+ const(q(z1, z2))`` is then free of q1 and q2."""
    names = {f.name for f in factors or ()}
    if not factors or expr is None or not (len(names) == 1 or all(str(n).startswith("q") for n in names)):
        return expr
    name, over = factors[0].name if len(names) == 1 else "q", [v for f in factors for v in f.vars]
    product = Mul(*factors)
    mapping = {d: product for d in expr.atoms(Density)
               if d.name == name and not getattr(d, "given", ()) and sorted(map(str, d.vars)) == sorted(map(str, over))
               and type(d) is Density}
    return expr.xreplace(mapping) if mapping else expr


class _Chain:
    """The state of one chain while its records are composed."""

    def __init__(self, drec: DerivationRecord, errors: list):
        self.drec, self.errors = drec, errors
        self.d = Derivation(drec.name, [], title=drec.title, context=drec.context, file=drec.file)
        self.prev = None        # the previous right-hand side (None if unreadable)
        self.started = False
        self.n = 0
        self.readings: dict = {}   # alternative step id -> (step id as typed, description)

    def error(self, rec: StepRecord, step: str, message: str, column: int = 0):
        self.errors.append(LoadError(rec.file, rec.line, self.drec.name, step, message,
                                     column, rec.text if column else ""))

    def source(self, rec: StepRecord) -> SourceRef:
        return SourceRef(rec.file, rec.line, rec.note_line)

    def expr(self, e):
        return factorised_joint(concretise(e, self.drec.defined), getattr(self.drec.context, "factors", ()))

    def conclusion(self, rec: StepRecord):
        """Every ``conclude:`` line is a conclusion of its own: ``conclusion``, ``conclusion2``, …"""
        ctx, name = self.drec.context, self.drec.name
        done = getattr(self.d, "conclusions", [])
        label = "conclusion" if not done else f"conclusion{len(done) + 1}"
        error, step = rec.error, None
        if not error:
            try:
                lhs, rhs = self.expr(rec.lhs), self.expr(rec.rhs)
                step = Step(lhs, rec.relation, rhs, (), name=label, derivation=name,
                            source=self.source(rec), context=ctx)
            except ParseError as err:
                error = str(err)
        if step is None:
            self.error(rec, label, error, rec.error_column)
            step = Step(None, "=", None, name=label, derivation=name, source=self.source(rec),
                        context=ctx, error=error)
        self.d.conclusions = done + [step]
        if self.d.conclusion is None:
            self.d.conclusion = step

    def start(self, rec: StepRecord):
        self.started = True
        self.prev = None
        self.d.start_source = self.source(rec)      # where the chain's first expression is written
        if rec.error:
            self.error(rec, "start", rec.error, rec.error_column)
            return
        try:
            self.prev = self.expr(rec.lhs)
        except ParseError as err:
            self.error(rec, "start", str(err))

    def step(self, rec: StepRecord, name: str | None = None, rhs_override=None):
        if name is None:
            self.n += 1
        name = name or str(self.n)
        rel, error, column, lhs, rhs = rec.relation or "=", "", 0, self.prev, None
        try:
            for r in rec.rules:
                get_rule(r)
            if rec.error:
                error, column = rec.error, rec.error_column
            else:
                rhs = self.expr(rec.rhs if rhs_override is None else rhs_override)
                if rec.lhs is not None:
                    lhs = self.expr(rec.lhs)
        except (ParseError, UnknownRule) as err:
            error = str(err)
        if not self.started and rec.lhs is None and not error:
            error = "the chain has no starting expression before its first step"
        if lhs is None and not error and self.started:
            error = "the previous expression could not be read, so this step has no left-hand side"
        ctx, dname = self.drec.context, self.drec.name
        if not error:
            try:    # Step checks its sides (real-valued sympy expressions) for any front-end
                self.d.steps.append(Step(lhs, rel, rhs, tuple(rec.rules), name=name, derivation=dname,
                                         source=self.source(rec), context=ctx,
                                         expect="fails" if rec.xfail else "holds",
                                         expect_reason=rec.xfail or "", premises=rec.premises))
                return lhs, rhs
            except (TypeError, ValueError) as err:
                error, lhs, rhs = str(err), None, None
        self.error(rec, name, error, column)
        self.d.steps.append(Step(None, rel, None, tuple(rec.rules), name=name, derivation=dname,
                                 source=self.source(rec), context=ctx, error=error))
        return lhs, rhs

    def add(self, rec: StepRecord):
        if rec.kind == CONCLUSION:
            self.conclusion(rec)
        elif rec.kind == START:
            self.start(rec)
        else:
            lhs, rhs = self.step(rec)
            base = self.n
            for i, (description, alt) in enumerate(rec.alternatives, 1):
                saved, self.prev = self.prev, lhs
                name = f"{base}{chr(39) * i}"
                self.step(StepRecord(**{**rec.__dict__, "xfail": None, "alternatives": ()}),
                          name=name, rhs_override=alt)
                self.readings[f"{self.d.name}::{name}"] = (f"{self.d.name}::{base}", description)
                self.prev = saved
            self.prev = rhs


def assemble(drec: DerivationRecord, errors: list) -> Derivation:
    """One derivation record -> a :class:`Derivation` (errors appended to ``errors``); a prior the
    records write free of the model's parameters is recorded in the context (``Context.fixed``)."""
    drec.context = with_fixed_priors(drec.context, [e for r in drec.records for e in (r.lhs, r.rhs)])
    chain = _Chain(drec, errors)
    for rec in drec.records:
        chain.add(rec)
    d = chain.d
    if not d.steps:
        errors.append(LoadError(drec.file, drec.line, drec.name, "", "the derivation has no steps"))
    d.warnings = _notes(drec.warnings, drec.file)
    d.skipped = _notes(drec.skipped, drec.file)
    d.readings = chain.readings
    return d


def _notes(items, file: str) -> list:
    """(line, message) or (file, line, message) items -> :class:`InputNote`\\ s."""
    return [InputNote(*item) if len(item) == 3 else InputNote(file, *item) for item in items]


def assemble_all(drecs, errors: list) -> list:
    """Every record -> derivations with at least one step; a name used twice (in the records of
    one file) is an error at the second, naming the line of the first."""
    out, first = [], {}
    for r in drecs:
        d = assemble(r, errors)
        if not d.steps:
            continue
        if d.name in first:
            before = first[d.name]
            where = f"line {before.line}" if before.file == r.file else f"{before.file}:{before.line}"
            errors.append(LoadError(r.file, r.line, d.name, "", f"a derivation of this name is already "
                                                                f"at {where}; names must be unique"))
        else:
            first[d.name] = r
        out.append(d)
    return out


def rename(d: Derivation, name: str) -> None:
    """Give ``d`` (its steps, conclusion and alternative readings) the name ``name``."""
    old = d.name
    d.name = name
    for s in list(d.steps) + conclusions_of(d):
        s.derivation = name

    def moved(sid: str) -> str:
        return f"{name}::{sid[len(old) + 2:]}" if sid.startswith(f"{old}::") else sid
    d.readings = {moved(k): (moved(v[0]), v[1]) for k, v in getattr(d, "readings", {}).items()}


def qualify_shared_names(derivations: list, errors: list) -> list:
    """Derivations of several files: a name used in more than one file is qualified by its file
    (``derivations/a.vi:kl_route``), so every step id is unique and a lock never merges two
    steps; ids that still clash (files whose paths differ only in spaces) are an error naming
    both files."""
    files: dict = {}
    for d in derivations:
        files.setdefault(d.name, []).append(d.file)
    for d in derivations:
        if len(set(files[d.name])) > 1:
            rename(d, f"{'_'.join(str(d.file).split())}:{d.name}")
    seen: dict = {}
    out = []
    for d in derivations:
        if d.name in seen:
            errors.append(LoadError(d.file, getattr(d, "line", 0), d.name, "",
                                    f"derivation '{d.name}' is also defined in {seen[d.name].file}; "
                                    "rename one of them"))
            continue
        seen[d.name] = d
        out.append(d)
    return out
