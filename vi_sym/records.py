"""The neutral records every front-end produces, and the error they report.

A front-end (``vi_sym.frontends``) turns text into :class:`DerivationRecord`\\ s — a
derivation's variables and a list of :class:`StepRecord`\\ s — and knows nothing of how a
chain is composed; :mod:`vi_sym.assemble` turns records into :class:`~vi_sym.core.Derivation`\\ s
the same way for every input format.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from .rules import Context

START, STEP, CONCLUSION = "start", "step", "conclusion"


@dataclass(frozen=True)
class ReadOptions:
    """What the caller tells a reader of notes (``check note.txt --latent Z --observed X``):
    the latent and observed variable names, instead of the convention (z, Z latent; x, X
    observed).  A line of the note itself (``latent: w``) still overrides them below it;
    ``.vi`` files declare their variables in their header and ignore these."""
    latent: tuple = ()
    observed: tuple = ()

    def __bool__(self):
        return bool(self.latent or self.observed)


@dataclass
class LoadError:
    """Bad input: file, line (1-based; 0 for the whole file), derivation, step and what is wrong.
    ``column`` (1-based) and ``source`` (the offending line) add a caret when known."""
    file: str
    line: int
    derivation: str
    step: str
    message: str
    column: int = 0
    source: str = ""

    def __str__(self):
        where = f"{self.file}:{self.line}" if self.line else self.file
        if self.line and self.column:
            where += f":{self.column}"
        what = " ".join(x for x in (self.derivation and f"derivation '{self.derivation}'",
                                    self.step and f"step {self.step}") if x)
        return f"{where}: {what + ': ' if what else ''}{self.message}"

    def caret(self) -> str:
        """The offending line with a caret under the column ('' when unknown)."""
        if not self.source or not self.column:
            return ""
        return f"    {self.source}\n    {' ' * (self.column - 1)}^"


@dataclass
class StepRecord:
    """One line of a chain, as read.

    ``kind`` is ``start`` (the chain's first expression, in ``lhs``), ``step`` (``relation rhs``;
    the left side is the previous right side unless ``lhs`` is given) or ``conclusion``
    (``lhs relation rhs``).  Expressions are already parsed (sympy / vi_sym vocabulary);
    ``error`` says why a line could not be read (the step is then reported as unreadable).
    """
    kind: str
    file: str
    line: int
    column: int = 1
    text: str = ""                      # the source text of the line (for messages)
    lhs: Any = None
    relation: Optional[str] = None
    rhs: Any = None
    rules: tuple = ()
    note_line: Optional[int] = None
    comment: str = ""                   # a remark written beside the step
    xfail: Optional[str] = None         # reason the step is known to be wrong
    error: str = ""
    error_column: int = 0
    alternatives: tuple = ()            # ((description, rhs), ...) other plausible readings
    premises: tuple = ()                # earlier premises that may hold here too (Step.premises)


@dataclass
class DerivationRecord:
    """A derivation as read: its name, variables (``context``), densities bound by ``define``
    (``defined``: name -> (variables, definition)) and its records in order."""
    name: str
    file: str
    line: int = 0
    title: str = ""
    context: Context = field(default_factory=Context)
    defined: dict = field(default_factory=dict)
    records: list = field(default_factory=list)
    warnings: list = field(default_factory=list)   # (line, message) notes that are not errors
    skipped: list = field(default_factory=list)    # (line, reason) lines not checked
