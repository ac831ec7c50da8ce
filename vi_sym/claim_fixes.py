"""Likely fixes of a refuted closed form about defined densities.

A refuted claim (an equation between an expression over ``define``d densities and its
closed form) has edits of its own (:func:`claim_candidates`: a missing term, a term left out
inside a log, exchanged parameters, a sign, a factor 2 or ½, log σ for log σ², two signs
flipped together, the KL's densities swapped), decided by the moment lemmas
(:func:`claim_decider`; a numeric screen at one generic point only ever discards a candidate)
and, where the lemmas cannot decide, spot-checked (:func:`claim_fixes`).  :class:`Fix`,
:class:`Fixes` and the deadline-bounded search runner are shared with the step fixes of
:mod:`vi_sym.fixes`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import partial
from itertools import chain

import numpy as np
import sympy

from .claims.prove import _by_moments, _is_zero, _sym_value, claim_residual
from .claims.wording import plain_edit
from .deadline import Deadline
from .distributions.conventions import other_readings
from .distributions.domains import screen_point
from .distributions.written import declared
from .indexed_claims import is_indexed_claim, prove_indexed_claim
from .moments import Moment
from .mutations import CLAIM_OPERATORS, edits, swap_kl
from .notation import relation_unicode, to_unicode
from .numeric.functions import NP_FUNCTIONS, arity_ok
from .spot.claims import holds_at, side_value, spot_claim
from .spot.indexed import instantiate_step, spot_indexed
from .vocabulary import KL, Density, Entropy

MAX_FIXES = 3
#: candidates tried for a closed form about defined densities (each one a lemma proof)
MAX_CLAIM_CANDIDATES = 150
#: candidates of a closed form the lemmas cannot decide that are spot-checked (each costs a
#: spot-check at the extreme draws)
MAX_CLAIM_SPOT = 2
#: seconds a likely-fix search may take (``deadline=``; check: ``Settings.fix_timeout``)
FIX_DEADLINE = 5.0


class Fixes(list):
    """The fixes found, best first; ``note`` says when the search ran out of time."""
    note = ""


def _bounded(search, deadline) -> Fixes:
    """Run ``search(proved, checked, deadline)`` (it fills the two lists) within ``deadline``
    seconds (None: no limit); what it found before the time ran out is kept."""
    proved, checked = [], []
    with Deadline(deadline) as dl:
        search(proved, checked, dl)
    unique, said = [], set()
    for fix in proved + checked:      # two edits worded alike (a restored term, a flipped sign) show once
        if fix.description not in said:
            said.add(fix.description)
            unique.append(fix)
    out = Fixes(unique[:MAX_FIXES])
    if dl.expired:
        out.note = (f"no fix found within {deadline:g} s" if not out else
                    f"the search for more fixes stopped after {deadline:g} s")
    return out


@dataclass
class Fix:
    edit: str          # operator name
    description: str   # "KL(q(z)||p(z)) instead of KL(q(z)||p(z|x))"
    statement: str     # the edited step
    verdict: str       # PROVED | SPOT-CHECKED

    def as_dict(self):
        return {"edit": self.edit, "description": self.description,
                "statement": self.statement, "verdict": self.verdict}

    def __str__(self):
        what = "reading" if self.edit == "other_reading" else "edit"
        return f"did you mean: {self.description}? -- with that {what} the step is {self.verdict}"


def claim_candidates(step):
    """Edits of a closed form about defined densities, most specific first: a written
    distribution read in another table's convention (:mod:`vi_sym.distributions.conventions`), the one term
    the moment lemmas say is missing (when lhs - rhs is a single term, as written or once
    put over one denominator and factored), a term left out inside a log (when lhs - rhs is
    a sum of logs), the whole right side halved, doubled or negated, then
    :data:`CLAIM_OPERATORS` on the right side (a sign flipped, a term doubled or halved, two
    parameters of one domain exchanged, log σ for log σ², a term dropped, two signs flipped
    together), the densities of a KL swapped."""
    for op, words, lhs, rel, rhs in _claim_edits(step):
        yield op, words(), lhs, rel, rhs


def _claim_edits(step):
    """:func:`claim_candidates`, each description a function that words it: a search words
    only the candidates it keeps (the wording of an edit inside the user's terms,
    :func:`vi_sym.claims.wording.plain_edit`, walks both trees)."""
    with declared(step.context.domains):    # a written density's sums in its declared domains
        residual = None if is_indexed_claim(step) else claim_residual(step)
    for words, sub in other_readings(step.lhs):     # Gamma(k, θ) copied from a shape-scale table
        yield "other_reading", _said(words), step.lhs.xreplace(sub), step.rel, step.rhs.xreplace(sub)
    if step.rhs.has(1 / sympy.log(2)) and step.lhs.has(Entropy, KL):     # log_2 on the right: in bits
        yield ("other_reading", _said("the left side in bits (÷ ln 2), as the logarithms to the base 2 on the "
                                      "right measure it"), step.lhs / sympy.log(2), step.rel, step.rhs)
    single = _single_term(residual)
    if single is not None:      # a sum put in one term: offered only when no edit of the user's own terms is
        yield ("restore_term" if single is residual else "restore_sum",
               _said(f"the missing term {to_unicode(single)} restored on the right"), step.lhs, step.rel,
               step.rhs + single)
    for op, desc, lhs, rel, rhs in chain(_restored_in_log(step, residual), _whole_side(step),
                                         _flipped_arguments(step)):
        yield op, _said(desc), lhs, rel, rhs
    for op, desc, new in edits(step.rhs, step.context, CLAIM_OPERATORS):
        yield op, partial(_on_the_right, desc, step.rhs, new, op), step.lhs, step.rel, new
    for op, desc, new in edits(step.lhs, step.context, (swap_kl,)):
        yield op, _said(f"{desc} on the left"), new, step.rel, step.rhs


def _said(text: str):
    return lambda: text


def _on_the_right(desc, old, new, op) -> str:
    return f"{plain_edit(desc, old, new, op)} on the right"


def _single_term(residual):
    """The residual lhs - rhs as one term: as it is, or -- a sum of rational terms -- over one
    denominator and factored ((1 - t)²/t² for 1/t² - 2/t + 1); None when it is not one term."""
    if residual is None or residual == 0:
        return None
    if not isinstance(residual, sympy.Add):
        return residual
    if residual.atoms(sympy.Function, sympy.Sum, sympy.Integral) or sympy.count_ops(residual) > 60:
        return None         # a rational function of the parameters only: a term a reader can read
    try:
        one = sympy.factor(sympy.cancel(sympy.together(residual)))
    except Exception:  # noqa: BLE001 -- not put in one term: no such candidate
        return None
    return None if isinstance(one, sympy.Add) or sympy.count_ops(one) > 20 else one


def _whole_side(step):
    """The whole right side times ½, 2 or -1: a factor ½ (or 2) missing from, or a sign
    flipped on, a closed form that is a single term (1/sinh(l/2)² for 1/(2 sinh(l/2)²))."""
    rhs = step.rhs
    if rhs.atoms(Density):
        return
    for op, c, what in (("scale_side", sympy.Rational(1, 2), "halved"), ("scale_side", sympy.Integer(2), "doubled"),
                        ("flip_side", sympy.Integer(-1), "negated")):
        new = c * rhs
        desc = (f"{to_unicode(new)} instead of {to_unicode(rhs)}" if sympy.count_ops(rhs) <= 12
                else f"the whole right side {what}")
        yield op, desc, step.lhs, step.rel, new


def _restored_in_log(step, residual):
    """When what is missing is a sum of logs (lhs - rhs = Σ c_i log a_i), the argument u of
    one log of the right side with that ratio folded in, log(u · Π a_i^c_i), when it is a
    plain rational expression: a term left out inside a log ((m1 - m2)² in a Cauchy KL)."""
    if residual is None or residual == 0:
        return
    factor = sympy.S.One
    for term in sympy.Add.make_args(residual):
        coeff, rest = term.as_independent(sympy.log)
        if not (isinstance(rest, sympy.log) and coeff.is_Rational):
            return
        factor *= rest.args[0] ** coeff
    for lg in sorted(step.rhs.atoms(sympy.log), key=str):
        u = lg.args[0]
        new_u = sympy.factor(sympy.cancel(u * factor))
        if new_u.has(sympy.log, sympy.exp) or sympy.count_ops(new_u) > sympy.count_ops(u) + 12:
            continue
        yield ("restore_in_log", f"{to_unicode(sympy.log(new_u))} instead of {to_unicode(lg)} on the right",
               step.lhs, step.rel, step.rhs.xreplace({lg: sympy.log(new_u)}))


def claim_fixes(step, samples=20, seed=0, deadline=FIX_DEADLINE) -> Fixes:
    """Up to MAX_FIXES edits of a refuted closed form (an equation about defined densities)
    under which it holds: each candidate of :func:`claim_candidates` is decided by the moment
    lemmas (:func:`claim_decider`: a candidate that differs from the left
    side at one certified numeric point is discarded before any ``simplify``); one they
    prove is offered as PROVED.  A candidate they can neither prove nor refute (a statistic
    with no lemma that does not cancel) is spot-checked against the defining integrals --
    at most MAX_CLAIM_SPOT of them -- and offered as SPOT-CHECKED when it holds at every
    point.  Nothing else is ever offered.  Within ``deadline`` seconds (see :func:`suggest_fixes`)."""
    return _bounded(lambda proved, checked, dl: _claim_search(step, samples, seed, proved, checked, dl),
                    deadline)


def _flipped_arguments(step):
    """The sign of a one-term argument of exp flipped (exp(m/b) for exp(-m/b)): a sign slip
    inside a function, which no edit of a sum's terms reaches."""
    seen = set()
    for e in sorted(step.rhs.atoms(sympy.exp), key=str):
        u = e.args[0]
        if isinstance(u, sympy.Add) or e in seen:
            continue
        seen.add(e)
        new = sympy.exp(-u)
        yield ("flip_sign", f"{to_unicode(new)} instead of {to_unicode(e)} on the right", step.lhs, step.rel,
               step.rhs.xreplace({e: new}))


#: the edits in the order they are decided once screened, the likeliest first (a written
#: distribution in another table's convention, then the slips of published closed forms: a term
#: or a factor ½ left out, a parameter of the other density, log σ for log σ², a sign, then the
#: rarer ones)
_LIKELY = ("other_reading", "power_slip", "restore_term", "restore_in_log", "scale_side", "log_square", "scale_term", "swap_parameters",
           "flip_sign", "flip_side", "swap_kl", "drop_term", "flip_pair", "restore_sum")
#: the size a vector of symbolic length is screened at (1 would hide a count written as 1)
SCREEN_SIZE = 3


def _rank(op: str) -> int:
    return _LIKELY.index(op) if op in _LIKELY else len(_LIKELY)


def _claim_search(step, samples, seed, proved, checked, dl) -> None:
    """The candidates put in the order they are decided, likeliest first (:data:`_LIKELY`);
    each screened numerically (microseconds in float64 for most, milliseconds at 15 digits
    for the rest: no lemma, no ``simplify``) and, when it agrees with the left side at the
    screening point, decided -- one by one, until MAX_FIXES are proved.  (Screening is a
    filter: the candidates decided, and their order, are those of screening every candidate
    first.)"""
    with declared(step.context.domains):
        screen = claim_screen(step)
        ranked = []
        for n, candidate in enumerate(_claim_edits(step)):
            dl.check()
            if n >= MAX_CLAIM_CANDIDATES:
                break
            ranked.append(candidate)
        ranked.sort(key=lambda c: _rank(c[0]))
        _decide_passed(step, _screened(step, ranked, screen, dl), samples, seed, proved, checked, dl)


def _screened(step, ranked, screen, dl):
    """``(op, description, probe step)`` for each candidate of ``ranked`` (see
    :func:`_claim_edits`) the screen keeps and that is a real-valued statement, in order (the
    step is built, and the edit worded, only for those)."""
    for op, words, lhs, rel, rhs in ranked:
        dl.check()
        if not screen(lhs, rhs):
            continue
        try:
            probe = type(step)(lhs, rel, rhs, step.by, context=step.context)
        except ValueError:      # an edit that is not a real-valued statement is no candidate
            continue
        yield op, words(), probe


def _decide_passed(step, passed, samples, seed, proved, checked, dl) -> None:
    indexed = is_indexed_claim(step)
    decide = None if indexed else claim_decider(step)
    open_ = []
    for op, desc, probe in passed:
        if len(proved) >= MAX_FIXES:
            return
        if op == "restore_sum" and proved:
            continue
        verdict = (prove_indexed_claim(probe)["proved"] or None) if indexed else decide(probe.lhs, probe.rhs)
        if verdict is True:
            proved.append(Fix(op, desc, relation_unicode(probe.lhs, probe.rel, probe.rhs), "PROVED"))
        elif verdict is None and len(open_) < MAX_CLAIM_SPOT:
            open_.append((op, desc, probe))
    for op, desc, probe in open_ if len(proved) < MAX_FIXES else ():
        spot_ = spot_indexed if indexed else spot_claim
        if spot_(probe, samples=samples, seed=seed).status == "SPOT-CHECKED":
            checked.append(Fix(op, desc, relation_unicode(probe.lhs, probe.rel, probe.rhs), "SPOT-CHECKED"))


def claim_screen(step):
    """``(lhs, rhs) -> bool`` for edited equations about the densities of ``step``: False when
    the two sides' defining integrals (explicit sums and integrals included; a vector of
    symbolic length at :data:`SCREEN_SIZE` coordinates) do not clearly agree at one generic
    point of the declared domains -- the candidate is discarded with no lemma and no
    ``simplify`` spent.  True (decide it) otherwise, and for every candidate when the left
    side cannot be evaluated there.  The left side is evaluated once.  Only ever discards."""
    indexed = is_indexed_claim(step)
    memo: dict = {}

    def plain(side):
        if side not in memo:
            if indexed:
                try:
                    memo[side] = instantiate_step(replace(step, lhs=side, rhs=side), SCREEN_SIZE).lhs
                except Exception:  # noqa: BLE001 -- not written out: not screened
                    memo[side] = None
            else:
                memo[side] = side
        return memo[side]

    ctx = instantiate_step(step, SCREEN_SIZE).context if indexed else step.context
    base = plain(step.lhs)
    if base is None:
        return lambda lhs, rhs: True
    names = {a for side in (base, plain(step.rhs)) if side is not None
             for a in side.free_symbols if not ctx.is_latent(a)}
    point = {k.name: v for k, v in _screen_point(names, dict(ctx.domains)).items()}
    if not holds_at(base, base, "=", point):
        return lambda lhs, rhs: True      # the left side has no value there: the lemmas decide
    far = _far_from(base, point)

    def screen(lhs, rhs) -> bool:
        L, R = plain(lhs), plain(rhs)
        if L is None or R is None or any(a.name not in point for side in (L, R) for a in side.free_symbols
                                         if not ctx.is_latent(a)):
            return True
        if L == base and far(R):
            return False        # far from the left side in float64: holds_at would discard it too
        return holds_at(L, R, "=", point)
    return screen


#: the relative distance (to 1 + |lhs| + |rhs|) from the left side's value beyond which a
#: candidate's float64 value discards it before the 15-digit comparison of :func:`holds_at`,
#: which keeps only agreement within 5e-7 (float64 and 15 digits differ by far less)
FAR = 1e-3


def _far_from(base, point):
    """``rhs -> bool``: is ``rhs``, a plain expression in the parameters, clearly far from
    ``base`` at ``point`` -- its float64 value (:func:`_float_value`: each subexpression
    computed once across the candidates, which share all but the edited part) more than
    :data:`FAR` from the 15-digit value of ``base`` (error estimate added, computed by
    :func:`holds_at` already)?  False when either
    has no value (an integral, a sum, a density in ``rhs``: :func:`holds_at` decides)."""
    try:
        lv, le = (float(v) for v in side_value(base, point))
    except Exception:  # noqa: BLE001 -- no float value of the left side: holds_at decides
        return lambda rhs: False
    if not (math.isfinite(lv) and math.isfinite(le)):
        return lambda rhs: False
    memo: dict = {}

    def far(rhs) -> bool:
        rv = _float_value(rhs, point, memo)
        return rv is not None and abs(lv - rv) > FAR * (1 + abs(lv) + abs(rv)) + le
    return far


def _float_value(e, point, memo):
    """The float64 value of the parameter expression ``e`` at ``point`` ({name: float}),
    memoised per subexpression in ``memo``; None when it is not a finite real number there,
    or not a plain expression (a density, an integral, a sum, a function without a float64
    version)."""
    if e in memo:
        return memo[e]
    try:
        v = _float_node(e, point, memo)
    except (ArithmeticError, ValueError, TypeError):
        v = None
    if v is not None and not math.isfinite(v):
        v = None
    memo[e] = v
    return v


def _float_node(e, point, memo):
    if e.is_Symbol:
        return point.get(e.name)
    if e.is_Number or e.is_NumberSymbol:
        return float(e) if e.is_extended_real else None
    fn = NP_FUNCTIONS.get(type(e))
    if not (e.is_Add or e.is_Mul or e.is_Pow or isinstance(e, (sympy.log, sympy.exp))
            or fn is not None and arity_ok(e)):
        return None
    args = [_float_value(a, point, memo) for a in e.args]
    if None in args:
        return None
    if e.is_Add:
        return math.fsum(args)
    if e.is_Mul:
        return math.prod(args)
    if e.is_Pow:
        b, x = args
        return b ** x if b > 0 or x.is_integer() else None
    if isinstance(e, sympy.log):
        return math.log(args[0]) if args[0] > 0 else None
    if isinstance(e, sympy.exp):
        return math.exp(args[0])
    with np.errstate(all="ignore"):
        return float(fn(*[np.float64(a) for a in args]))


def _screen_point(symbols, domains) -> dict:
    """A generic point in the parameters' declared domains: {symbol: float}."""
    return screen_point(symbols, domains)


def _differs(diff, domains) -> bool:
    """Is the lemma-evaluated difference (no opaque statistic left) clearly nonzero at the
    screening point?  Only ever used to discard a candidate."""
    point = _screen_point(diff.free_symbols, domains)
    try:
        v = complex(diff.xreplace({k: sympy.Float(v, 30) for k, v in point.items()}).evalf(20))
    except Exception:  # noqa: BLE001 -- cannot screen: the proof decides
        return False
    return abs(v) >= 1e-9


def claim_decider(step):
    """``(lhs, rhs) -> True | False | None`` for edited equations about the densities of
    ``step``: True when the moment lemmas prove ``lhs = rhs`` (the proof of
    :func:`vi_sym.claims.prove_claim`: opaque statistics must cancel); False when they refute
    it -- the difference, free of opaque statistics, is nonzero at a generic point (no
    ``simplify`` spent) -- or when, opaque statistics left, the two sides' defining
    integrals do not clearly agree at that point; None when undecided (then only a
    spot-check can vouch for it).  Each side's value is
    computed once."""
    domains = dict(step.context.domains)
    memo: dict = {}

    def value(side):
        if side not in memo:
            try:
                memo[side] = _sym_value(side, _by_moments([]))
            except Exception:  # noqa: BLE001 -- no value, no proof
                memo[side] = None
        return memo[side]

    def decide(lhs, rhs):
        lv, rv = value(lhs), value(rhs)
        if lv is None or rv is None:
            return None
        diff = lv - rv
        opaque = bool(diff.atoms(Moment))
        if not opaque and _differs(diff, domains):
            return False
        if opaque and not holds_at(lhs, rhs, "=", {k.name: v for k, v in _screen_point(
                {a for a in lhs.free_symbols | rhs.free_symbols if not step.context.is_latent(a)},
                domains).items()}):
            return False   # violated, or not even a finite number, at the screening point
        try:
            if _is_zero(diff, step.context.domains):
                return True
        except Exception:  # noqa: BLE001 -- any sympy failure is no proof
            return None
        return None    # not refuted at the screening point, and no proof
    return decide
