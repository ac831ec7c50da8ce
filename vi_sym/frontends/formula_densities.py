"""Densities a LaTeX note defines by a formula: "let $q(z) = \\lambda e^{-\\lambda z}$ for $z \\geq 0$".

A row ``q(z) = <formula>`` -- an arbitrary density of one latent (q, q_1: never the model's p),
a formula with no density in it that depends on z -- defines q as a density written by hand, as
``define q(z) = <formula> on <support>`` does in a ``.vi`` file (:mod:`.written`): the chains
below use q with that meaning, and a chain of its own, ``<note>_q_is_a_density``, checks that it
is one (total mass 1 on its support; FAILED, with the point, where it is not).

Its support is what the sentence says right after the formula: "for $z \\geq 0$", "$z > 0$"
(``[0, ∞)``), "$z \\leq 1$", "$0 < z < 1$", "$z \\in (0, 1)$", "$z \\in [a, b]$", "on $(0, \\infty)$";
when it says none, the real line.  The Greek letters of such a formula that the note never declares
are its parameters, positive where the note says so ("$\\lambda > 0$" anywhere in it), real
otherwise (and then a formula that is a density only for λ > 0 is FAILED as one, at a λ < 0).
"""
from __future__ import annotations

import re

import sympy

from ..notation import to_unicode
from ..parse import ParseError
from ..records import START, STEP, DerivationRecord, StepRecord
from ..distributions import Dist
from ..distributions.inline import InlineDensity
from ..vocabulary import Density, Expectation
from .implicit_parameters import declared_names, density_calls
from .latex_functions import GREEK, latex_name
from .written import density_claim_name, written_density

__all__ = ["formula_parameters", "stated_positive", "support_after", "formula_definition", "define_by_formula",
           "declare_formula_parameters", "range_condition"]

_GREEK = "|".join(sorted(GREEK, key=len, reverse=True))
_LETTER = rf"(?:\\(?:{_GREEK})(?![a-zA-Z])|[α-ωϑϕ])"
#: ``q(z) = <formula>`` inside math: the formula (up to the end of the math)
_DEFINITION = re.compile(r"(?<![\\A-Za-z0-9_])q(?:_\{?\w+\}?)?\s*\(\s*[A-Za-z]\s*\)\s*=\s*([^$]+?)"
                         r"\s*(?=\$|\\\]|\\\\|\\end|\n\s*\n|$)")
_DISTRIBUTION = re.compile(r"\\mathcal\s*\{|\\(?:mathrm|operatorname|text)\s*\{\s*[A-Z]")
_POSITIVE = re.compile(rf"({_LETTER})\s*(?:>\s*0(?![\d.])|\\in\s*\(\s*0\s*,\s*\\infty\s*\)|"
                       r"\\in\s*\\mathbb\s*\{\s*R\s*\}\s*(?:_\s*\{\s*>\s*0\s*\}|\^\s*\{?\s*\+\s*\}?))")
_END = r"(-?\d+(?:\.\d+)?|-?\\infty|-?∞|\\?[A-Za-z]+(?:_\{?\w+\}?)?)"


def _formulas(text: str):
    """The formula of every ``q(z) = <formula>`` the note writes in which no density or
    distribution stands."""
    for m in _DEFINITION.finditer(text):
        formula = m.group(1)
        if not list(density_calls(formula)) and not _DISTRIBUTION.search(formula):
            yield formula


def formula_parameters(text: str, taken) -> list:
    """The Greek letters of the note's density formulas that ``taken`` (its declared, latent and
    observed names) does not hold, in the order written, as the readers name them (λ)."""
    out = []
    for formula in _formulas(text):
        for m in re.finditer(_LETTER, formula):
            name = latex_name(m.group())
            if name not in taken and name not in out:
                out.append(name)
    return out


def stated_positive(text: str) -> set:
    """The Greek letters the note states positive: ``\\lambda > 0``, ``\\sigma \\in (0, \\infty)``."""
    return {latex_name(m.group(1)) for m in _POSITIVE.finditer(text)}


def _end(text: str, variables: dict):
    """A support's end as written (a number, ±\\infty, a declared name), or None."""
    t = text.replace(" ", "")
    if t.lstrip("-") in ("\\infty", "∞"):
        return -sympy.oo if t.startswith("-") else sympy.oo
    if re.fullmatch(r"-?\d+(?:\.\d+)?", t):
        return sympy.Rational(t)
    return variables.get(latex_name(t))


def support_after(after: str, var: str, variables: dict):
    """``(lo, hi)`` of the support the sentence after a formula states for ``var`` (see the
    module docstring); None when it states none; a string (why) when it states one not read."""
    sentence = re.split(r"(?<![\\\d])\.(?=\s|$)|\n\s*\n", after, maxsplit=1)[0][:300]
    v = re.escape(var)
    ge, le = r"(?:\\geq?|\\ge|>=?|≥)", r"(?:\\leq?|\\le|<=?|≤)"
    forms = [(rf"(?<![A-Za-z\\]){v}\s*{ge}\s*{_END}", lambda m: (m.group(1), "\\infty")),
             (rf"{_END}\s*{le}\s*{v}\s*{le}\s*{_END}", lambda m: (m.group(1), m.group(2))),
             (rf"(?<![A-Za-z\\]){v}\s*{le}\s*{_END}", lambda m: ("-\\infty", m.group(1))),
             (rf"(?<![A-Za-z\\]){v}\s*\\in\s*(?:\\left)?[(\[]\s*{_END}\s*,\s*{_END}\s*(?:\\right)?[)\]]",
              lambda m: (m.group(1), m.group(2))),
             (rf"\bon\s*\$\s*(?:\\left)?[(\[]\s*{_END}\s*,\s*{_END}\s*(?:\\right)?[)\]]",
              lambda m: (m.group(1), m.group(2)))]
    for pattern, ends in forms:
        m = re.search(pattern, sentence)
        if m:
            lo, hi = (_end(e, variables) for e in ends(m))
            if lo is None or hi is None:
                return f"its support '{m.group().strip()}' has an end that is not a number, ±∞ or a declared name"
            return lo, hi
    return None


def formula_definition(d, w, latent) -> bool:
    """Is the row ``d = w`` a density defined by a formula: ``d`` an arbitrary density of one latent
    without a bar (q, q_1; not the model's p), ``w`` free of densities and depending on it?"""
    return (type(d) is Density and d.name != "p" and not d.given and len(d.vars) == 1
            and str(d.vars[0]) in latent and isinstance(w, sympy.Expr) and not w.atoms(Density)
            and w.has(d.vars[0]))


def declare_formula_parameters(reader, text: str, pattern) -> None:
    """The parameters of a note's density formulas (:func:`formula_parameters`), declared as
    ``positive:`` (stated > 0) or ``parameters:`` lines would; none when the note has a
    ``parameters:`` line (``pattern``: the reader's declaration regex, as :func:`declared_names`)."""
    declared = declared_names(text, pattern)
    if declared is None:
        return
    taken = declared | {*reader.latent, *reader.observed, *reader.parameters, *reader.positive}
    new = formula_parameters(text, taken)
    positive = stated_positive(text)
    reader.positive += [n for n in new if n in positive]
    reader.parameters += [n for n in new if n not in positive]
    reader.formula_parameters = new


def _said_parameters(reader, w) -> str:
    names = [n for n in reader.formula_parameters if n in {str(s) for s in w.free_symbols}]
    if not names:
        return ""
    kinds = ", ".join(f"{n} as a {'positive parameter (the note says ' + n + ' > 0)' if n in reader.positive else 'real parameter'}"
                      for n in names)
    return f" (read {kinds})"


def define_by_formula(reader, line: int, d, w) -> bool:
    """A LaTeX reader's row ``q(z) = <formula>``: q is that density written by hand on the support
    the sentence after it states (:func:`support_after`) in the chains below, and a chain of its
    own checks that it is one.  True (the row was read, or skipped with the reason)."""
    var = d.vars[0]
    support = support_after(reader.after, str(var), reader.variables())
    if isinstance(support, str):
        reader.skip(line, f"cannot read {to_unicode(d)} = {to_unicode(w)} as a density: {support}")
        return True
    lo, hi = support or (-sympy.oo, sympy.oo)
    try:
        dist = written_density(var, w, lo, hi, False)
    except ParseError as err:
        reader.skip(line, f"cannot read {to_unicode(d)} = {to_unicode(w)} as a density: {getattr(err, 'message', err)}")
        return True
    reader.defined[d.name] = ((var,), dist)
    name = density_claim_name(reader.stem, d.name)
    ends = ["∞" if e is sympy.oo else "-∞" if e is -sympy.oo else to_unicode(e) for e in (lo, hi)]
    on = f"({ends[0]}, {ends[1]})" if support else f"every real {var} (the sentence after it states no support)"
    reader.skip(line, f"defines {to_unicode(d)} = {to_unicode(w)} on {on}{_said_parameters(reader, w)}: used with "
                      f"this meaning below, and checked to be a density ({name})")
    chain = DerivationRecord(name, reader.file, line, f"{to_unicode(d)} is a density (nonnegative, total mass 1)",
                             reader.context((var,)), dict(reader.defined))
    chain.records += [StepRecord(START, reader.file, line, 1, "", lhs=Expectation(Density(d.name, [var]), 1)),
                      StepRecord(STEP, reader.file, line, 1, "", relation="=", rhs=sympy.Integer(1), note_line=line)]
    reader.chains.append(chain)
    return True


def range_condition(items) -> str | None:
    """The one variable a row only bounds or sets -- ``z \\geq 0``, ``0 \\leq p \\leq 1``, ``K = 2``:
    a condition the prose states ("for $z \\geq 0$"), never a claim to check -- or None."""
    exprs = [e for _, e, *_ in items]
    if len(exprs) < 2 or not all(isinstance(e, sympy.Symbol) or (isinstance(e, sympy.Expr) and e.is_number is True)
                                 for e in exprs):
        return None
    names = {str(e) for e in exprs if isinstance(e, sympy.Symbol)}
    return names.pop() if len(names) == 1 else None


def prior_or_product(reader, line: int, d, w) -> bool:
    """Two definitions a LaTeX note writes as a row ``d = w``, said as skipped; True if it was one:
    the VAE's prior ``p(z) = \\mathcal{N}(z; 0, 1)`` (``reader.prior``, used where p is the prior alone,
    see :meth:`~.markdown._Reader.close_chain`), and a product over a vector's coordinates,
    ``q(z) = \\prod_{j=1}^d \\mathcal{N}(z_j; \\mu_j, \\sigma_j^2)`` (as ``define q(z) = prod(…)``)."""
    if type(d) is not Density or d.given:
        return False
    product = isinstance(w, sympy.Product) and isinstance(w.function, Dist)
    if d.name == "p" and (isinstance(w, InlineDensity) and d.vars == w.vars or product):
        reader.prior = (d.vars, w if product else w.definition)
        reader.skip(line, prior_said(d, reader.prior[1]))
        return True
    if product:
        reader.defined[d.name] = (d.vars, w)
        reader.skip(line, f"defines {to_unicode(d)} = {to_unicode(w)}: used with this meaning below")
        return True
    return False


def change_of_variables(reader, line: int, d, w) -> bool:
    """``z = \\mu_\\phi(x) + \\sigma_\\phi(x) \\epsilon`` with ε drawn (``\\epsilon \\sim
    \\mathcal{N}(0, 1)``): a latent written as a function of other drawn variables is how it is
    drawn (the reparameterisation), a definition with nothing to prove, said as skipped; True
    if the row was one.  A row whose right side holds the latent itself stays a claim."""
    if not isinstance(d, sympy.Symbol) or str(d) not in reader.latent or d in w.free_symbols:
        return False
    others = sorted(str(s) for s in w.free_symbols if str(s) in reader.latent)
    if not others:
        return False
    reader.skip(line, f"defines {d} = {to_unicode(w)}: {d} written as a function of {', '.join(others)} (a change of "
                      "variables, as the reparameterisation draws it): nothing to prove")
    return True


def prior_said(d, definition) -> str:
    """What a note's definition of the prior ``p(z) = …`` is said to do (LaTeX and plain text)."""
    return (f"defines the prior {to_unicode(d)} = {to_unicode(definition)}: used in the chains below that name no "
            "other density of the model (p(x|z), p(x, z), p(z|x), p(x) keep p abstract there)")


def with_prior(defined: dict, records, prior) -> dict:
    """``defined`` (a chain's defined densities) with p the note's prior ``prior`` = (vars, definition)
    when every p the chain's ``records`` name is p of those vars alone (KL(q(z) ‖ p(z))); else as it is."""
    ps = {d for r in records for e in (r.lhs, r.rhs) if e is not None for d in e.atoms(Density) if d.name == "p"}
    if prior and ps and all(d.vars == prior[0] and not d.given for d in ps):
        defined["p"] = prior
    return defined
