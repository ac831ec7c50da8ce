"""vi_sym in a notebook: text in the ``.vi`` notation in, rich results out.

* :func:`parse_step` (also ``Step.parse``): ``"KL(q(z)||p(z|x)) = log(p(x)) - ELBO(q(z), p(x,z))"``
  -> a :class:`~vi_sym.core.Step`, read by the ``.vi`` grammar (never evaluated);
* :func:`load_text` (also ``vi_sym.load_text``): a whole ``.vi`` document -> the list of its
  derivations (:class:`Derivations`, which checks and renders itself); bad text raises
  :class:`InputError` naming line, column and what is wrong;
* :func:`check_text`: load and check, returns a :class:`Checked` report that renders as HTML;
* HTML renderings (``_repr_html_``) of results: badge, typeset statement, counterexample table;
* the ``%%vi_sym`` cell magic (``%load_ext vi_sym``): checks the cell's ``.vi`` text and shows
  the report; options as on the command line (``%%vi_sym --family normal-normal --samples 20``).
"""
from __future__ import annotations

import argparse
import html as _html
import shlex

from sympy import Symbol

from .scheduler import check_derivations
from .settings import check_settings
from .core import Step, StepResult, as_rules, register_notebook_hooks
from .frontends.vi import make_env, split_annotations
from .html import CSS, badge, derivation_html, families_html, step_html
from .loader import load_text as _load_text
from .notation import relation_mathml
from .parse import ParseError, parse_expression, parse_relation, split_relation

__all__ = ["InputError", "parse_step", "parse_side", "load_text", "check_text", "Derivations", "Checked",
           "result_html", "load_ipython_extension"]


class InputError(ValueError):
    """Text that vi_sym cannot read; the message names line, column and the problem."""


def _names(key: str, value) -> str:
    """A header keyword's value as one line of names: text (``"z1 z2"``) or a list of names;
    anything else is a TypeError naming the keyword, a line break an InputError."""
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        value = " ".join(value)
    if not isinstance(value, str):
        raise TypeError(f"{key} must be names separated by spaces (text) or a list of names, "
                        f"got {type(value).__name__} {value!r}")
    if "\n" in value or "\r" in value:
        raise InputError(f"{key} must be names on one line, got {value!r}")
    return value


def _header(latent, observed, parameters, positive, densities):
    lines = [f"latent: {latent}"]
    for key, val in (("observed", observed), ("parameters", parameters), ("positive", positive),
                     ("densities", densities)):
        if val:
            lines.append(f"{key}: {val}")
    return "\n".join(lines)


def parse_step(text: str, latent="z", observed="x", parameters="", positive="", densities="",
               by=()) -> Step:
    """One step ``lhs REL rhs [by rule, ...]`` in the ``.vi`` notation.

    ``latent``/``observed``/... are the header lines of a ``.vi`` file (space-separated names).
    """
    if not isinstance(text, str):
        raise InputError(f"Step.parse needs text, got {type(text).__name__}")
    if "\n" in text.strip():
        raise InputError("Step.parse reads one step on one line; use vi_sym.load_text for a derivation")
    text = text.strip()
    latent, observed, parameters, positive, densities = (
        _names(k, v) for k, v in (("latent", latent), ("observed", observed), ("parameters", parameters),
                                  ("positive", positive), ("densities", densities)))
    try:
        expr, _, _, _ = split_annotations(text)
        names = " ".join((latent, observed, parameters, positive)).split()
        # read once here so that a column in an error counts from the start of ``text``
        parse_relation(expr, make_env({n: Symbol(n) for n in names}, set(densities.split() or ("p", "q"))))
        parts = split_relation(text)
    except ParseError as err:
        raise InputError(f"in {text!r}: {err}") from None
    if parts is None:
        raise InputError(f"in {text!r}: no relation symbol; expected '=', '>=' or '<='")
    lhs, rel, rhs = parts
    by = as_rules(by)      # a TypeError naming the accepted types for anything else
    if by:
        rhs += "  by " + ", ".join(by)
    doc = (f"derivation step\n{_header(latent, observed, parameters, positive, densities)}\n\n"
           f"    {lhs}\n  {rel} {rhs}\n")
    derivs, errors = _load_text(doc, "<step>")
    if errors:
        raise InputError(f"in {text!r}: {errors[0].message}")
    return derivs[0].steps[0]


def parse_side(text: str, context=None):
    """One side of a step given as text to ``Step``/``Derivation.chain``: read by the ``.vi``
    expression grammar (never evaluated) with the context's latent variables and ``x`` declared
    and the densities ``p``, ``q``.  Raises :class:`InputError` (column and what is wrong)."""
    latent = [str(v) for v in (context.latent if context is not None else ("z",))]
    names = dict.fromkeys(latent + ([] if "x" in latent else ["x"]))
    try:
        return parse_expression(text, make_env({n: Symbol(n) for n in names}, {"p", "q"}))
    except ParseError as err:
        raise InputError(f"in {text!r}: {err} (declared: {', '.join(names)}; densities p, q; "
                         "Step.parse reads a whole step with other variables)") from None


class Derivations(list):
    """The derivations of a text; ``.check(**settings)`` checks them all."""

    def check(self, **settings) -> "Checked":
        report = check_derivations(list(self), check_settings(**settings))
        return Checked(report, list(self))

    def _repr_html_(self):
        return "".join(derivation_html(d, {}) for d in self)


def load_text(text: str, file: str = "<text>") -> Derivations:
    """A ``.vi`` document -> its derivations; raises :class:`InputError` listing every problem."""
    if not isinstance(text, str):
        raise TypeError(f"load_text needs text (str), got {type(text).__name__}"
                        + ("; decode it first (text.decode('utf-8'))" if isinstance(text, bytes) else ""))
    derivs, errors = _load_text(text, file)
    if errors:
        raise InputError("\n".join(str(e) for e in errors))
    return Derivations(derivs)


class Checked:
    """A checked text: ``results`` (StepResults), the report, and an HTML rendering."""

    def __init__(self, report, derivations):
        self.report, self.derivations = report, derivations
        self.results = report.results

    def __getitem__(self, step_id):
        for r in self.results:
            if r.step_id == step_id:
                return r
        raise KeyError(f"no step {step_id!r}; steps: {', '.join(r.step_id for r in self.results)}")

    def __iter__(self):
        return iter(self.results)

    def __len__(self):
        return len(self.results)

    def __repr__(self):
        return "\n".join(str(r) for r in self.results)

    def _repr_html_(self):
        results = {r.step_id: r for r in self.results}
        return f"<style>{CSS}</style>" + "".join(derivation_html(d, results) for d in self.derivations)


def check_text(text: str, **settings) -> Checked:
    """Load and check a ``.vi`` document (settings as :class:`vi_sym.settings.Settings`)."""
    return load_text(text).check(**settings)


def result_html(r: StepResult, step: Step | None = None) -> str:
    """A result as HTML: badge, the statement (typeset when the step is known), evidence."""
    if step is not None and not step.error:
        stmt = relation_mathml(step.lhs, step.rel, step.rhs, display="inline")
    else:
        stmt = f"<code>{_html.escape(r.statement)}</code>"
    by = ", ".join(r.justification)
    head = (f"<div><b>{_html.escape(r.step_id)}</b> {badge(r.status.value)} {stmt}"
            + (f' <span style="color:#5a6275">by {_html.escape(by)}</span>' if by else "") + "</div>")
    return f"<style>{CSS}</style><div>{head}{step_html(r) or families_html(r.families)}</div>"


register_notebook_hooks(parse_step=parse_step, parse_side=parse_side, result_html=result_html)


def _magic_options(line):
    ap = argparse.ArgumentParser(prog="%%vi_sym", add_help=False)
    ap.add_argument("--family", action="append")
    ap.add_argument("--samples", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--timeout", type=float, default=20.0)
    ap.add_argument("--no-fixes", action="store_true")
    a = ap.parse_args(shlex.split(line))
    fams = a.family or ["all"]
    return {"families": () if "none" in fams else tuple(fams), "samples": a.samples, "seed": a.seed,
            "timeout": a.timeout, "fixes": not a.no_fixes}


def vi_sym_magic(line, cell):
    """``%%vi_sym [--family F] [--samples N] [--seed S]``: check the cell's derivations."""
    try:
        return check_text(cell, **_magic_options(line))
    except SystemExit:
        raise InputError(f"%%vi_sym: bad options {line!r}; use --family, --samples, --seed, --timeout, "
                         "--no-fixes") from None


def load_ipython_extension(ipython):
    """``%load_ext vi_sym``: registers the ``%%vi_sym`` cell magic."""
    ipython.register_magic_function(vi_sym_magic, magic_kind="cell", magic_name="vi_sym")

