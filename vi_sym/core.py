"""Steps, derivations and results: the small core every other module builds on.

A :class:`Step` is ``lhs (=, >=, <=) rhs`` with the rules it cites and where it
comes from.  A :class:`Derivation` is a calc-style chain: each step continues
from the previous right-hand side, and the chain's overall claim is derived from
the steps (an ``=`` chain with one ``>=`` proves ``>=``).  Results carry a
:class:`Status`; only a symbolic proof earns ``PROVED``.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from fractions import Fraction
from enum import Enum
from typing import Any, NamedTuple, Optional

import sympy
from sympy import Symbol

from .notation import relation_unicode, to_latex
from .rules import Context, get_rule
from .vocabulary import Density, describe_nonreal, is_optimum_name, nonreal_part

RELATIONS = ("=", ">=", "<=")
LATEX_REL = {"=": "=", ">=": r"\geq", "<=": r"\leq"}


class Status(str, Enum):
    """A step's verdict, strongest first."""

    PROVED = "PROVED"              # a symbolic proof, every rewrite valid
    SPOT_CHECKED = "SPOT-CHECKED"  # held at every sampled point of every family tried
    UNKNOWN = "UNKNOWN"            # neither proved nor refuted (timed out, out of reach)
    FAILED = "FAILED"              # a concrete counterexample
    ERROR = "ERROR"                # the step could not be read or checked at all

    def __str__(self):
        return self.value

    @property
    def rank(self) -> int:
        """PROVED > SPOT-CHECKED > UNKNOWN > FAILED (ERROR counts as FAILED)."""
        return {"PROVED": 3, "SPOT-CHECKED": 2, "UNKNOWN": 1, "FAILED": 0, "ERROR": 0}[self.value]


@dataclass(frozen=True)
class SourceRef:
    """Where a step was written: the derivation file and line, and the line of
    the learner's note the step transcribes (if any)."""

    file: str = ""
    line: int = 0
    note_line: Optional[int] = None

    def __str__(self):
        loc = f"{self.file}:{self.line}" if self.file else ""
        if self.note_line is not None:
            loc += f" (note line {self.note_line})"
        return loc.strip()


_SIDE_TYPES = ("a sympy expression built from vi_sym's vocabulary (Density, KL, ELBO, Expectation, "
               "Integral, log, ...), a number, or text in the .vi notation (parsed, never evaluated)")


def as_side(value, what: str, context=None):
    """One side of a step given through the Python API, as a real-valued sympy expression.

    Text is read by the ``.vi`` expression grammar (:func:`vi_sym.notebook.parse_side`: the
    context's latent variables and ``x``), never evaluated; numbers become exact where they
    are; anything else is a TypeError naming the accepted types.  A side that is provably not
    real (``sqrt(-1)``, ``log(-1)``, ``1/0``) is a ValueError."""
    if isinstance(value, str):
        value = _notebook_hook("parse_side")(value, context or Context())
    elif isinstance(value, Fraction):
        value = sympy.Rational(value.numerator, value.denominator)
    elif isinstance(value, bool) or not isinstance(value, (sympy.Expr, int, float)):
        raise TypeError(f"{what} must be {_SIDE_TYPES}; got {type(value).__name__} {value!r}")
    # sympify of a number or an already-built sympy expression (strings were parsed above)
    value = sympy.sympify(value, strict=True)
    bad = nonreal_part(value)
    if bad is not None:
        raise ValueError(f"{what} contains {describe_nonreal(bad)}: vi_sym's expressions are real-valued")
    return value


def as_rules(by, what: str = "by") -> tuple:
    """Cited rules: a list of rule names, or one string (``"bayes_rule"`` or ``"r1, r2"``, as
    after ``by`` in a ``.vi`` file)."""
    if isinstance(by, str):
        by = [r.strip() for r in by.split(",") if r.strip()]
    try:
        rules = tuple(by)
    except TypeError:
        raise TypeError(f"{what} must be a rule name or a list of rule names, got "
                        f"{type(by).__name__} {by!r}") from None
    wrong = [r for r in rules if not isinstance(r, str)]
    if wrong:
        raise TypeError(f"{what}: rule names are text such as 'bayes_rule', got {wrong[0]!r}")
    return rules


def combine_relations(rels) -> Optional[str]:
    """The relation a chain of steps proves, or None if it mixes >= and <=."""
    strict = {r for r in rels if r != "="}
    if not strict:
        return "="
    if len(strict) == 1:
        return strict.pop()
    return None


@dataclass
class Step:
    """``lhs rel rhs`` justified ``by`` named rules."""

    lhs: sympy.Expr
    rel: str
    rhs: sympy.Expr
    by: tuple = ()
    name: str = ""
    derivation: str = ""
    source: SourceRef = field(default_factory=SourceRef)
    context: Context = field(default_factory=Context)
    expect: str = "holds"          # "holds", or "fails" for a known-wrong step
    expect_reason: str = ""
    error: str = ""                # set when the step could not be read

    def __post_init__(self):
        if not isinstance(self.rel, str):
            raise TypeError(f"relation must be one of {RELATIONS} (text), got {type(self.rel).__name__}")
        if self.rel not in RELATIONS and not self.error:
            raise ValueError(f"relation must be one of {RELATIONS}, got {self.rel!r}")
        if not isinstance(self.context, Context):
            raise TypeError(f"context must be a vi_sym.rules.Context, got {type(self.context).__name__}")
        self.by = as_rules(self.by)
        if not self.error:
            self.lhs = as_side(self.lhs, "the left-hand side", self.context)
            self.rhs = as_side(self.rhs, "the right-hand side", self.context)
            for r in self.by:
                get_rule(r)  # raises UnknownRule with a suggestion

    @property
    def id(self) -> str:
        return f"{self.derivation}::{self.name}" if self.derivation else self.name

    def rules(self):
        return [get_rule(r) for r in self.by]

    def __str__(self):
        if self.error:
            return f"{self.id}: <unreadable: {self.error}>"
        by = f"   [by {', '.join(self.by)}]" if self.by else ""
        return f"{relation_unicode(self.lhs, self.rel, self.rhs)}{by}"

    def _repr_latex_(self):
        if self.error:
            return None
        by = rf"\quad\text{{[{', '.join(self.by)}]}}".replace("_", r"\_") if self.by else ""
        return f"$\\displaystyle {to_latex(self.lhs)} {LATEX_REL[self.rel]} {to_latex(self.rhs)}{by}$"

    @classmethod
    def parse(cls, text, **header):
        """One step in the .vi notation, e.g. ``Step.parse("log(p(x)) >= ELBO(q(z), p(x,z))")``;
        header lines as keywords (``latent="z"``, ``observed="x"``); see :mod:`vi_sym.notebook`."""
        return _notebook_hook("parse_step")(text, **header)

    def check(self, **settings):
        """Check this step alone; returns a :class:`StepResult`."""
        d = Derivation("", [self])
        return _run_check([d], settings).results[0]


class InputNote(NamedTuple):
    """Something a reader noticed at a line that is not an error: a warning (a bracket it closed,
    a second reading it also checks) or a line it skipped, with the reason."""

    file: str
    line: int
    message: str


@dataclass
class Derivation:
    """A calc-style chain of steps, optionally with the conclusion it should reach.

    ``warnings`` and ``skipped`` (:class:`InputNote` lists) are what the reader of its file
    noticed; ``readings`` maps the id of a step checked as another plausible reading of a line
    (``d::2'``) to ``(id of the step as typed, what the other reading is)``."""

    name: str
    steps: list
    title: str = ""
    conclusion: Optional[Step] = None
    context: Context = field(default_factory=Context)
    file: str = ""
    warnings: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    readings: dict = field(default_factory=dict)

    def __post_init__(self):
        if not isinstance(self.name, str):
            raise TypeError(f"a derivation's name is text, got {type(self.name).__name__}")
        if isinstance(self.steps, (str, Step)) or not hasattr(self.steps, "__iter__"):
            raise TypeError(f"steps must be a list of Step, got {type(self.steps).__name__}")
        self.steps = list(self.steps)
        wrong = [s for s in self.steps if not isinstance(s, Step)]
        if wrong:
            raise TypeError(f"steps must be Step objects, got {type(wrong[0]).__name__} {wrong[0]!r}")
        if self.conclusion is not None and not isinstance(self.conclusion, Step):
            raise TypeError(f"conclusion must be a Step, got {type(self.conclusion).__name__}")

    @classmethod
    def chain(cls, name, start, *links, title="", conclusion=None, latent=(Symbol("z"),),
              note_lines=None):
        """``Derivation.chain('kl', KL(q, post), ('=', rhs1, ['kl_definition']), ...)``; sides may
        be text in the ``.vi`` notation (``"integrate(q(z)*log(q(z)/p(z|x)), z)"``)."""
        latent = [latent] if isinstance(latent, (str, Symbol)) else list(latent)
        bad = [v for v in latent if not isinstance(v, (str, Symbol)) or (isinstance(v, str) and not v.isidentifier())]
        if bad:
            raise TypeError(f"latent must be variable names or sympy Symbols, got {bad[0]!r}")
        ctx = Context(tuple(Symbol(v) if isinstance(v, str) else v for v in latent))
        steps, lhs = [], as_side(start, "the start of the chain", ctx)
        for i, link in enumerate(links, 1):
            if isinstance(link, str) or not isinstance(link, (tuple, list)) or len(link) not in (2, 3):
                raise TypeError(f"link {i} must be (relation, rhs) or (relation, rhs, rules), got {link!r}")
            rel, rhs, *rest = link
            by = rest[0] if rest else ()
            note = note_lines[i - 1] if note_lines else None
            step = Step(lhs, rel, rhs, by, name=str(i), derivation=name, context=ctx,
                        source=SourceRef(note_line=note))
            steps.append(step)
            lhs = step.rhs
        concl = None
        if conclusion is not None:
            if isinstance(conclusion, str) or not isinstance(conclusion, (tuple, list)) or len(conclusion) != 3:
                raise TypeError(f"conclusion must be (lhs, relation, rhs), got {conclusion!r}")
            clhs, crel, crhs = conclusion
            concl = Step(clhs, crel, crhs, (), name="conclusion", derivation=name, context=ctx)
        return cls(name, steps, title, concl, ctx)

    @property
    def relation(self) -> Optional[str]:
        return combine_relations(s.rel for s in self.steps if not s.error)

    @property
    def claim(self):
        """(start, relation, end): what the chain as a whole establishes."""
        if not self.steps or any(s.error for s in self.steps):
            return None
        return self.steps[0].lhs, self.relation, self.steps[-1].rhs

    def _repr_latex_(self):
        rows = []
        for i, s in enumerate(self.steps):
            if s.error:
                rows.append(rf"& \text{{(unreadable step {s.name})}}")
                continue
            left = to_latex(s.lhs) if i == 0 else ""
            by = rf"&& \text{{{', '.join(s.by)}}}".replace("_", r"\_") if s.by else ""
            rows.append(f"{left} &{LATEX_REL[s.rel]} {to_latex(s.rhs)} {by}")
        body = r" \\ ".join(rows)
        return f"$\\begin{{aligned}}{body}\\end{{aligned}}$"

    def check(self, **settings):
        """Check every step (and the conclusion); returns a list of :class:`StepResult`."""
        return _run_check([self], settings).results


# --------------------------------------------------------------------------- checking hook
# ``Step.check()`` and ``Derivation.check()`` (for notebooks) run the checker, which lives in a
# higher layer (:mod:`vi_sym.scheduler`).  The scheduler registers itself here when imported;
# the core never imports it.  A notebook that imported only the core gets the default checker
# loaded by name on first use.
_CHECKER = None
DEFAULT_CHECKER = "vi_sym.scheduler"


def register_checker(fn) -> None:
    """``fn(derivations, **settings) -> Report``: what ``.check()`` runs."""
    global _CHECKER
    _CHECKER = fn


def _run_check(derivations, settings: dict):
    if _CHECKER is None:
        importlib.import_module(DEFAULT_CHECKER)    # registers itself
    return _CHECKER(derivations, **settings)


@dataclass
class Outcome:
    """What became of one task (a proof, a spot-check, a composition check): its value, or
    why there is none (``kind``: "timeout", "error", "crash", "interrupted")."""

    ok: bool
    value: Any = None
    kind: str = ""
    message: str = ""
    seconds: float = 0.0


def untested_names(lhs, rhs, context, slots) -> str:
    """Why a model family cannot stand in for the step's density names, or ""."""
    dens = lhs.atoms(Density) | rhs.atoms(Density)
    names = sorted({d.name for d in dens if type(d) is Density} - set(context.models))
    starred = [n for n in names if is_optimum_name(n)]
    if starred:
        return (f"{starred[0]} is an optimum (q*) that the step does not define, so no model family can "
                f"stand in for it; write the density it is instead")
    if variational_names(lhs, rhs, context, slots) is None:
        return (f"it names {len(names)} arbitrary densities ({', '.join(names)}); the model families "
                f"have {len(slots)} ({', '.join(slots)})")
    return ""


def variational_names(lhs, rhs, context, slots=("q",)) -> dict:
    """Density names of a step that are not the model's (``q1``, ``q_j``, ``r``: arbitrary
    densities over the latents) mapped onto a model family's variational names ``slots``
    (``q``, and ``r`` where the family has a second one): a name already among the slots keeps
    it, the others take the free slots in alphabetical order.  A step about every density is
    refuted by one instance, so naming ``q1`` the family's ``q`` loses nothing; two names never
    share a slot.  ``{}`` when nothing needs renaming; None when there are more names than slots."""
    dens = lhs.atoms(Density) | rhs.atoms(Density)
    if any(type(d) is not Density for d in dens):    # a defined (concrete) density: not arbitrary
        return {}
    names = sorted({d.name for d in dens} - set(context.models))
    if any(is_optimum_name(n) for n in names):     # q*: one density, not any density
        return None
    if set(names) <= set(slots):
        return {}
    free = [s for s in slots if s not in names]
    others = [n for n in names if n not in slots]
    if len(others) > len(free):
        return None
    return dict(zip(others, free))


def naming_note(step) -> str:
    """The sentence saying which of the step's density names a model family's counterexample
    took as its ``q`` (and ``r``), or "" when the step names them so itself."""
    slots = ("q",) if len(step.context.latent) < 2 else ("q", "r")
    lhs, rhs, held = step.lhs, step.rhs, ""
    if len(step.context.latent) == 1:
        plain = without_parameters(lhs, rhs, step.context)
        if plain is not None and plain != (lhs, rhs):
            params = sorted({str(g) for d in lhs.atoms(Density) | rhs.atoms(Density) for g in d.given
                             if step.context.is_parameter(g)})
            held = (f" The parameters {', '.join(params)} are held at the family's own model and q "
                    f"(a step about every value holds at each).")
            lhs, rhs = plain
    names = variational_names(lhs, rhs, step.context, slots)
    said = " and ".join(f"{a} is the family's {b}" for a, b in sorted((names or {}).items()))
    return (f" Here the step's {said}." if said else "") + held


def with_naming_note(explanation: str, step) -> str:
    """``explanation`` as a sentence, followed by :func:`naming_note`."""
    note = naming_note(step)
    if note and explanation and not explanation.rstrip().endswith("."):
        explanation = explanation.rstrip() + "."
    return explanation + note


def rename_densities(expr, names: dict):
    """``expr`` with every density ``a(…)`` renamed ``names[a](…)`` (one pass: no collision)."""
    if not names:
        return expr
    return expr.xreplace({d: Density(names[d.name], d.vars, d.given)
                          for d in expr.atoms(Density) if d.name in names})


def _symbols_outside_densities(expr) -> set:
    if isinstance(expr, Density):
        return set()
    if isinstance(expr, Symbol):
        return {expr}
    return set().union(*(_symbols_outside_densities(a) for a in expr.args)) if expr.args else set()


def without_parameters(lhs, rhs, context):
    """The sides with each density's declared parameters dropped (``p(x|z,θ)`` -> ``p(x|z)``,
    ``q(z|x,φ)`` -> ``q(z|x)``) when that is one instance of the step: every density name carries
    one parameter tuple throughout -- or none where the note writes a density of the model
    without it: the VAE's ``p(z)`` beside ``p_θ(x|z)``, a prior that does not depend on θ -- and
    no parameter stands outside a density.  A step about every θ then holds for the family's
    model in particular.  None when it is not one instance (EM's ``p(·|θ)`` beside
    ``p(·|θ0)``: two values of one model's parameter; ``p(x)`` beside ``p(x|θ)``: one density
    with and without it)."""
    dens = [d for d in lhs.atoms(Density) | rhs.atoms(Density) if type(d) is Density]
    tuples: dict = {}
    signatures: dict = {}
    for d in dens:
        held = tuple(g for g in d.given if context.is_parameter(g))
        tuples.setdefault(d.name, set()).add(held)
        plain_given = tuple(g for g in d.given if not context.is_parameter(g))
        signatures.setdefault((d.name, d.vars, plain_given), set()).add(held)
    if not any(any(t) for t in tuples.values()):
        return lhs, rhs
    if any(len(t - {()}) > 1 for t in tuples.values()) or any(len(t) > 1 for t in signatures.values()):
        return None
    if any(context.is_parameter(v) for v in _symbols_outside_densities(lhs) | _symbols_outside_densities(rhs)):
        return None
    plain = {d: Density(d.name, d.vars, [g for g in d.given if not context.is_parameter(g)]) for d in dens}
    return lhs.xreplace(plain), rhs.xreplace(plain)


def family_coordinates(step: Step):
    """The step's sides with its latent renamed ``z`` and its one observed variable ``x``,
    the names the model families use (the note writes X, Z in places), a density name
    other than the model's renamed ``q`` (:func:`variational_names`), and declared parameters
    dropped where that is one instance of the step (:func:`without_parameters`)."""
    lhs, rhs = step.lhs, step.rhs
    if len(step.context.latent) == 1:     # one latent: a model at fixed parameters
        lhs, rhs = without_parameters(lhs, rhs, step.context) or (lhs, rhs)
    names = variational_names(lhs, rhs, step.context)
    if names:
        lhs, rhs = rename_densities(lhs, names), rename_densities(rhs, names)
    dens = lhs.atoms(Density) | rhs.atoms(Density)
    every = {v for d in dens for v in d.vars + d.given}
    latent = [v for v in every if step.context.is_latent(v)]
    # a declared parameter is never the family's data x (p(z|θ) is no posterior p(z|x))
    observed = [v for v in every if not step.context.is_latent(v) and not step.context.is_parameter(v)]
    mapping = {}
    if len(latent) == 1:
        mapping[latent[0]] = sympy.Symbol("z")
    if len(observed) == 1:
        mapping[observed[0]] = sympy.Symbol("x")
    if not mapping or all(k == v for k, v in mapping.items()):
        return lhs, rhs
    return lhs.xreplace(mapping), rhs.xreplace(mapping)


@dataclass
class StepResult:
    """The verdict on one step, with everything a report needs."""

    step_id: str
    derivation: str
    step: str
    status: Status
    relation: str = ""
    statement: str = ""
    latex: str = ""
    justification: tuple = ()
    seconds: float = 0.0
    trace: list = field(default_factory=list)     # [(side, rule, result)]
    residual: str = ""
    uncited: tuple = ()
    atom: str = ""
    reason: str = ""
    source: str = ""
    note_line: Optional[int] = None
    expect: str = "holds"
    expect_reason: str = ""
    families: list = field(default_factory=list)  # spot-check results, one per family
    explanation: str = ""                          # what the counterexample means, in a sentence
    fixes: list = field(default_factory=list)      # likely fixes: [{edit, description, statement, verdict}]
    inherited_from: Optional[str] = None           # id of the wrong step before, when this one fails only by it
    untested: str = ""                             # why no model family could test the step ("" if one did)

    @property
    def as_expected(self) -> bool:
        """A step expected to hold must not fail; a step expected to fail must not hold (PROVED
        or SPOT-CHECKED break the expectation).  An expected failure that is UNKNOWN was not shown
        to fail: it is reported so, and fails the run under ``--strict`` like every UNKNOWN (the
        pytest plugin: xfailed, failed under ``--vi-sym-strict``)."""
        if self.expect == "fails":       # UNKNOWN (not shown to fail) passes; --strict fails every UNKNOWN
            return self.status not in (Status.PROVED, Status.SPOT_CHECKED)
        return self.status not in (Status.FAILED, Status.ERROR)

    def _repr_html_(self):
        return _notebook_hook("result_html")(self)

    def _repr_latex_(self):
        if not self.latex:
            return None
        return f"$\\displaystyle {self.latex}\\quad\\text{{{self.status.value}}}$"

    def __str__(self):
        return f"{self.status.value:<12} {self.step_id}  {self.statement}"


# --------------------------------------------------------------------------- notebook hooks
# ``Step.parse`` (the .vi reader) and the HTML rendering of results live in a higher layer,
# :mod:`vi_sym.notebook`, which registers them here when imported; the core never imports it.
# A notebook that imported only the core gets them loaded by name on first use.
DEFAULT_NOTEBOOK = "vi_sym.notebook"
_NOTEBOOK_HOOKS: dict = {}


def register_notebook_hooks(**hooks) -> None:
    """Called by :mod:`vi_sym.notebook`: ``parse_step``, ``parse_side``, ``result_html``."""
    _NOTEBOOK_HOOKS.update(hooks)


def _notebook_hook(name: str):
    if name not in _NOTEBOOK_HOOKS:
        importlib.import_module(DEFAULT_NOTEBOOK)    # registers itself
    return _NOTEBOOK_HOOKS[name]
