"""Equal up to a constant, and proportional: the meaning of ``const(...)`` in a step.

``A = B + const(z1)`` says: ``A - B`` does not depend on z1.  ``A = B * const(z1)`` says: ``A / B``
does not depend on z1 (A and B positive), i.e. A ∝ B as functions of z1.  The target may be a
density, ``const(q(z1))``: then the term does not depend on the choice of q(z1) (PRML's
"const" in a functional of the factor q_j).

What keeps chains sound (each step's own const is an unknown of its own):

* a const only stands as an added term (``+ c·const``) or as a factor of a side (``· const``);
  nested anywhere else (``log(const(z1))``, ``const(z1)·f + g``) the step is not proved;
* a step whose left side carries a const must carry one on its right side too, and the right
  side's targets must be among every left const's targets: ``A + const(z1) = B`` or
  ``A + const(z1) = B + const(z2)`` never proves (the left const may depend on z2);
* the two kinds do not mix within a step.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy
from sympy import Add, Mul, log

from .rules.base import bound_free_variables
from .rules.logs import is_positive
from .vocabulary import Const, Density, Expectation, joint_vars, unfold_definitions

__all__ = ["UpTo", "SpotForm", "split_up_to", "free_of", "free_variables", "spot_form",
           "spot_form_one", "spot_form_latents"]


@dataclass(frozen=True)
class UpTo:
    """``lhs - rhs`` must be free of ``targets``; ``kind`` is 'additive' or 'proportional'."""

    lhs: object
    rhs: object
    targets: tuple
    kind: str

    def describe(self) -> str:
        names = ", ".join(str(t) for t in self.targets)
        if self.kind == "additive":
            return f"the two sides differ by a term free of {names}"
        return f"the two sides are proportional as functions of {names} (their ratio is free of it)"

    def idle(self, latent=()) -> str:
        """When neither side depends on any target (``z2`` integrated out on both sides), a
        sentence saying that the const may then be any number; else ''."""
        sides = [unfold_definitions(side) for side in (self.lhs, self.rhs)]
        if not all(free_of(side, self.targets) for side in sides):
            return ""
        names = ", ".join(str(t) for t in self.targets)
        live = sorted({v for side in sides for v in free_variables(side)} & set(latent), key=str)
        hint = f"; did you mean const({', '.join(map(str, live))})?" if live else ""
        return (f" -- but neither side depends on {names}, so const({names}) can stand for any number "
                f"and the step holds whatever the two sides are{hint}")


def _additive(side):
    """(body, [targets]) if every const of ``side`` is an added term ``c·const(t)``, else None."""
    body, targets = [], []
    for term in Add.make_args(side):
        if not term.has(Const):
            body.append(term)
            continue
        coeff, rest = term.as_coeff_Mul()
        if not isinstance(rest, Const) or coeff == 0:
            return None
        targets.append(rest.target)
    return Add(*body), targets


def _multiplicative(side):
    """(body, [targets]) if every const of ``side`` is a factor ``const(t)^n``, else None."""
    body, targets = [], []
    for factor in Mul.make_args(side):
        if not factor.has(Const):
            body.append(factor)
            continue
        base, exp = factor.as_base_exp()
        if not isinstance(base, Const) or not exp.is_Rational or exp == 0:
            return None
        targets.append(base.target)
    return Mul(*body), targets


def _covers(left_targets, right_targets) -> bool:
    """Every left const is free of every right target (a left const is free of its own
    target only)."""
    return all(set(_units(r)) <= set(_units(lt)) for lt in left_targets for r in right_targets)


def _units(t):
    """A target as the set of what it names: a variable, or the variables of a density."""
    return (t,) if isinstance(t, sympy.Symbol) else (("density", str(t)),)


def split_up_to(lhs, rel: str, rhs):
    """The :class:`UpTo` claim of a step with consts, or a sentence saying why it is not one."""
    if rel != "=":
        return "const(...) may only appear in an '=' step (equal up to a constant)"
    for kind, split in (("additive", _additive), ("proportional", _multiplicative)):
        left, right = split(lhs), split(rhs)
        if left is None or right is None:
            continue
        (lb, lt), (rb, rt) = left, right
        if not rt:
            return ("the right side must keep a const: the left side's const is unknown, so "
                    "the step cannot end in an exact expression")
        if lt and not _covers(lt, rt):
            return ("the right side's const must be free of no more than the left side's: "
                    f"const({', '.join(map(str, lt))}) may depend on {', '.join(map(str, rt))}")
        if kind == "proportional":
            if not is_positive(lb) or not is_positive(rb):
                return "proportionality (· const) needs both sides positive"
            lb, rb = log(lb), log(rb)
        return UpTo(lb, rb, tuple(dict.fromkeys(rt)), kind)
    return ("const(...) must be an added term (+ const(z1)) or a factor of a side (· const(z1)); "
            "it cannot stand inside another expression")


def _density_depends(d, target) -> bool:
    """Does the density ``d`` depend on the choice of the density ``target``?"""
    names = {f.name for f in sympy.Mul.make_args(target) if isinstance(f, Density)}
    tvars = set(joint_vars(target))
    return d.name in names and bool(set(d.vars + d.given) & tvars)


def free_variables(expr) -> set:
    """The variables ``expr`` depends on, reading ``∫ f dz`` as an integral over z's whole
    domain (:func:`vi_sym.rules.base.bound_free_variables`)."""
    return bound_free_variables(expr)


def free_of(expr, targets) -> bool:
    """Is ``expr`` (a normal form) free of every target?  A variable must not occur free; a
    density target must not occur, nor any density of its name over any of its variables."""
    expr = sympy.sympify(expr, strict=True)
    for t in targets:
        if isinstance(t, sympy.Symbol):
            if t in free_variables(expr):
                return False
        elif any(_density_depends(d, t) for d in expr.atoms(Density)):
            return False
    if expr.has(Const):
        return False
    return True


def spot_form(lhs, rhs, rel: str, latent=sympy.Symbol("z")):
    """The two sides a one-latent family evaluates for a step: ``(form.lhs, form.rhs)`` of
    :func:`spot_form_one`."""
    form = spot_form_one(lhs, rhs, rel, latent)
    return form.lhs, form.rhs


def spot_form_one(lhs, rhs, rel: str, latent=sympy.Symbol("z")) -> "SpotForm":
    """What a one-latent model family can evaluate for a step with consts (a :class:`SpotForm`).

    ``lhs = rhs + const(z)`` holds iff ``D(z) = lhs - rhs`` (consts dropped; for ``· const(z)``
    ``D = log lhs - log rhs``) does not depend on z, i.e. iff D equals its own average
    ``E_q(z)[D]`` under a density q of full support at every z (kind 'latent').  A family
    point where ``D(z) != E_q(z)[D]`` is a counterexample showing the dependence.

    A const in the variational density, ``+ const(q(z))`` ("a term that does not depend on
    the choice of q"), holds iff D does not change when q does (kind 'factor'): D is compared
    with D after every ``q(z)`` is replaced by the family's posterior ``p(z|x)``, another
    density over z (:func:`_with_q_replaced`).  A family point where the two differ shows the
    dependence.

    Steps without consts, and consts the family cannot probe (another variable, a density
    other than q), come back unchanged, kind 'plain' (and stay unevaluable, never compared
    as if the const were 0)."""
    if not (lhs.has(Const) or rhs.has(Const)):
        return SpotForm("plain", lhs, rhs)
    claim = split_up_to(lhs, rel, rhs)
    if isinstance(claim, str):
        return SpotForm("plain", lhs, rhs)
    difference = claim.lhs - claim.rhs
    if claim.targets == (latent,):
        return SpotForm("latent", difference, Expectation(Density("q", [latent]), difference), latent)
    if len(claim.targets) == 1 and _is_variational(claim.targets[0], latent):
        return SpotForm("factor", difference, _with_q_replaced(difference, latent), claim.targets[0])
    return SpotForm("plain", lhs, rhs)


def _is_variational(target, latent) -> bool:
    """Is ``target`` the variational density of a one-latent family's coordinates, ``q(z)``
    (or the amortised ``q(z|x)``)?"""
    return (isinstance(target, Density) and target.name == "q" and target.vars == (latent,)
            and target.given in ((), (sympy.Symbol("x"),)))


def _with_q_replaced(expr, latent):
    """``expr`` with every ``q(z)`` and ``q(z|x)`` replaced by the posterior ``p(z|x)``: the
    same functional of another density over z."""
    x = sympy.Symbol("x")
    other = Density("p", [latent], [x])
    return expr.xreplace({Density("q", [latent]): other, Density("q", [latent], [x]): other})


@dataclass(frozen=True)
class SpotForm:
    """What a family with several latents evaluates for a step (:func:`spot_form_latents`).

    ``kind``: 'plain' (compare ``lhs`` and ``rhs`` as written), 'latent' (``lhs`` is the
    difference D of the sides, ``rhs`` its average under ``q(target)``: equal iff D is free
    of the latent), 'factor' (``lhs`` is D, to be compared with D after the factor
    ``target`` -- a density such as q(z1) -- is replaced by another), or 'unknown' (``reason``
    says why the family cannot probe the const)."""

    kind: str
    lhs: object = None
    rhs: object = None
    target: object = None
    reason: str = ""
    #: the step drops its left side's const (``A + const(z1) = B``): it can be refuted (when
    #: B − A depends on z1, no term free of z1 makes the sides equal) but never confirmed
    #: (the left const is an unknown of its own); ``reason`` says so
    refute_only: bool = False


def spot_form_latents(lhs, rhs, rel: str, latents) -> SpotForm:
    """:func:`spot_form` for several latents: a const in one latent ``z_j`` is tested as "D
    equals its own average under q(z_j)", a const in one factor ``q(z_j)`` as "D does not
    change when q(z_j) does" (PRML's const in a functional of q_j)."""
    if not (lhs.has(Const) or rhs.has(Const)):
        return SpotForm("plain", lhs, rhs)
    claim = split_up_to(lhs, rel, rhs)
    if isinstance(claim, str):
        dropped = _left_only(lhs, rel, rhs)
        if dropped is None:
            return SpotForm("unknown", reason=claim)
        form = _probe(dropped, latents)
        if form.kind == "unknown":
            return SpotForm("unknown", reason=claim)
        return SpotForm(form.kind, form.lhs, form.rhs, form.target, claim, True)
    return _probe(claim, latents)


def _left_only(lhs, rel, rhs):
    """``A + const(t) = B`` (the right side exact): the :class:`UpTo` "A − B free of t" a
    family may refute, or None."""
    if rel != "=":
        return None
    for kind, split in (("additive", _additive), ("proportional", _multiplicative)):
        left, right = split(lhs), split(rhs)
        if left is None or right is None:
            continue
        (lb, lt), (rb, rt) = left, right
        if rt or not lt or rb.has(Const):
            return None
        if kind == "proportional":
            if not is_positive(lb) or not is_positive(rb):
                return None
            lb, rb = log(lb), log(rb)
        return UpTo(lb, rb, tuple(dict.fromkeys(lt)), kind)
    return None


def _probe(claim, latents) -> SpotForm:
    if len(claim.targets) != 1:
        return SpotForm("unknown", reason="a const free of several targets is not probed numerically")
    t = claim.targets[0]
    difference = claim.lhs - claim.rhs
    if isinstance(t, sympy.Symbol) and t in latents:
        return SpotForm("latent", difference, Expectation(Density("q", [t]), difference), t)
    if isinstance(t, Density) and len(t.vars) == 1 and not t.given and t.vars[0] in latents:
        return SpotForm("factor", difference, None, t)
    return SpotForm("unknown", reason=f"a const free of {t} is not probed numerically")
