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
from .vocabulary import describe_nonreal, nonreal_part
# the sides as a model family reads them (re-exported: their home is vi_sym.coordinates)
from .coordinates import (family_coordinates, naming_note, rename_densities, untested_names,  # noqa: F401
                          variational_names, with_naming_note, without_parameters)

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
    #: earlier premises of the note ((description, ((target, value), ...)), ...): tried as fixes only
    premises: tuple = ()

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
