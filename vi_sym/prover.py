"""The symbolic prover.

An ``=`` step is proved when both sides rewrite, using the cited rules plus
ring algebra (sympy's expansion of products over sums, cancellation of nonzero
factors, collection of like terms), to the same normal form -- i.e. when
``lhs - rhs`` reduces to the literal 0.  A ``>=`` step is proved when
``lhs - rhs`` equals, by the same means, a nonnegative atom offered by a cited
inequality rule (Jensen's gap, a KL divergence).  Nothing else proves a step:
no numeric evidence, no sympy ``simplify`` heuristics.

If the cited rules are not enough but all rules are, the step is still proved
(every rewrite is valid) and the proof records the rules it needed that the
step did not cite.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy
from sympy import Dummy, Integral, expand

from .rules import EQUALITY_RULES, INEQUALITY_RULES, Context, Rule
from .memo import Memo
from .notation import to_unicode
from .rational import field_free_of, field_zero
from .upto import UpTo, free_of, split_up_to
from .operators import ArgOpt
from .vocabulary import Const, Density



def definitions() -> list:
    """Definitions unfold freely (as in Lean, unfolding a definition needs no lemma);
    citing them is good style but never required.  A rule is one by its own flag."""
    return [r for r in EQUALITY_RULES if r.definition]

MAX_ROUNDS = 25


def _expand(expr):
    return expand(expr, deep=True, mul=True, multinomial=True, log=False,
                  power_exp=False, power_base=False, basic=True)


#: ring algebra already done in this process, by whole expression
_ALGEBRA = Memo(8192)


def algebra(expr):
    """Ring algebra only (see :func:`_algebra`); each expression is expanded once per process."""
    expr = sympy.sympify(expr, strict=True)
    hit = _ALGEBRA.get(expr)
    if hit is None:
        hit = _ALGEBRA.put(expr, _algebra(expr))
    return hit


def _algebra(expr):
    """Ring algebra only: distribute products over sums and collect like terms.

    Logs are not expanded, powers are not split and integrals are not split
    (sympy's ``expand`` would split ``∫(f+g)`` silently): those are cited rules.
    Integrands are expanded in place, behind placeholders; the integral of 0 is 0
    (over any measure), which is ring algebra too.
    """
    held = {}

    def protect(e):
        if isinstance(e, Integral):
            body = algebra(e.function)
            if body == 0:
                return sympy.S.Zero
            d = Dummy(f"I{len(held)}")
            held[d] = Integral(body, *e.limits)
            return d
        if not e.args or isinstance(e, Density):
            return e
        args = [protect(a) for a in e.args]
        if all(new is old for new, old in zip(args, e.args)):
            return e       # no integral below: the node as it is (rebuilding it gives the same)
        return e.func(*args)

    out = _expand(protect(expr))
    return out.xreplace(held) if held else out


#: expressions already printed for a trace in this process (a normal form recurs in the traces
#: of the steps and conclusions that reach it)
_PRINTED = Memo(4096)


def printed(expr) -> str:
    """``expr`` in the learner's notation (:func:`vi_sym.notation.to_unicode`), once per process."""
    text = _PRINTED.get(expr)
    if text is None:
        text = _PRINTED.put(expr, to_unicode(expr))
    return text


@dataclass
class TraceEntry:
    side: str
    rule: str
    #: the rewritten expression; shown in the learner's notation when first read (a proof
    #: attempt that fails or is superseded never pays for printing its steps)
    result: object

    def __getattribute__(self, name):
        value = object.__getattribute__(self, name)
        if name == "result" and not isinstance(value, str):
            value = printed(value)
            object.__setattr__(self, "result", value)
        return value


@dataclass
class Proof:
    proved: bool
    trace: list = field(default_factory=list)
    residual: object = None
    uncited: tuple = ()
    atom: str = ""

    @property
    def rules_used(self) -> tuple:
        seen = []
        for t in self.trace:
            if t.rule not in seen and t.rule != "algebra":
                seen.append(t.rule)
        return tuple(seen)


#: normal forms already computed in this process, with the rewrites that led to them:
#: (expr, rules with their rewrite functions, ctx) -> (normal form, ((rule name, result), ...)).
#: Rewriting is a function of these alone, so a side that recurs (the gap of an inequality
#: against each pair of atoms, a step's rhs as the next step's lhs or in the chain's
#: conclusion, a fix candidate's unedited side) is normalised once.
_NORMAL = Memo(2048)


def normalise(expr, rules, ctx: Context, side: str = "", trace=None):
    """Apply ``rules`` (in registry order) and ring algebra until nothing changes."""
    order = [r for r in EQUALITY_RULES if r in rules or r.definition]
    expr = sympy.sympify(expr, strict=True)
    key = (expr, tuple((r.name, r.rewrite) for r in order), ctx)
    hit = _NORMAL.get(key)
    if hit is None:
        steps: list = []
        hit = _NORMAL.put(key, (_normalise(expr, order, ctx, steps), tuple(steps)))
    if trace is not None:
        trace.extend(TraceEntry(side, rule, result) for rule, result in hit[1])
    return hit[0]


def _normalise(expr, order, ctx: Context, steps: list):
    for _ in range(MAX_ROUNDS):
        before = expr
        for rule in order:
            new = rule.rewrite(expr, ctx)
            if new != expr:
                new = algebra(new)
                steps.append((rule.name, new))
                expr = new
        expr = algebra(expr)
        if expr == before:
            break
    return expr


def prove_equal(lhs, rhs, rules, ctx: Context, sides=("lhs", "rhs")) -> Proof:
    """Prove ``lhs = rhs`` by normalising both sides with ``rules``."""
    trace: list = []
    a = normalise(lhs, rules, ctx, sides[0], trace)
    b = normalise(rhs, rules, ctx, sides[1], trace)
    if isinstance(a, ArgOpt) and isinstance(b, ArgOpt) and type(a) is type(b) and a.target == b.target:
        residual = algebra(a.f - b.f)      # what is left: the difference of the two objectives
    else:
        residual = algebra(a - b)
    return Proof(residual == 0 or field_zero(residual), trace, residual)


def _with_fallback(attempt, cited_eq):
    """Try with the cited equality rules, then with all of them."""
    proof = attempt(cited_eq)
    if proof.proved or set(cited_eq) == set(EQUALITY_RULES):
        return proof
    full = attempt(EQUALITY_RULES)
    if full.proved:
        full.uncited = _minimal_uncited(attempt, cited_eq, full)
        return full
    return full if full.residual is not None else proof


def _minimal_uncited(attempt, cited, proof) -> tuple:
    """The uncited rules the proof needed, dropping (greedily) any it can do without."""
    free = {r.name for r in definitions()} | {r.name for r in cited}
    needed = [r for r in EQUALITY_RULES if r.name in proof.rules_used and r.name not in free]
    for rule in list(needed):
        trial = [r for r in needed if r is not rule]
        if attempt(list(cited) + trial).proved:
            needed = trial
    return tuple(r.name for r in needed)


def optimum_statement_problem(lhs, rel: str, rhs) -> str:
    """Why a step with argmax/argmin is not an optimisation statement vi_sym proves ("" if it
    is one): both sides must be argmax/argmin sets over one target, related by '='."""
    if rel != "=" or not (isinstance(lhs, ArgOpt) and isinstance(rhs, ArgOpt)):
        return ("an optimisation statement compares two argmax/argmin sets with '=' "
                "(argmin_q KL(q(z) || p(z|x)) = argmax_q ELBO(q(z), p(x,z))); an argmax inside "
                "arithmetic, an inequality or one side alone is not one")
    if lhs.target != rhs.target:
        return f"the two sides optimise over different things ({lhs.target} and {rhs.target})"
    if lhs.has(Const) or rhs.has(Const):
        return "const(...) cannot stand inside an argmax/argmin (it may depend on the variable)"
    return ""


def prove_step(lhs, rel: str, rhs, cited: list, ctx: Context) -> Proof:
    """Prove ``lhs rel rhs`` (rel is '=', '>=' or '<=') from the cited rules."""
    lhs, rhs = sympy.sympify(lhs, strict=True), sympy.sympify(rhs, strict=True)
    if lhs.has(ArgOpt) or rhs.has(ArgOpt):
        why = optimum_statement_problem(lhs, rel, rhs)
        if why:
            return Proof(False, [TraceEntry("step", "argmax", why)], why)
    if lhs.has(Const) or rhs.has(Const):
        return prove_up_to(lhs, rel, rhs, cited, ctx)
    # no equality rule cited: the proof may still use them all, but it names each one it
    # needed (an '=' step citing only 'jensen' must not pass as justified by it)
    cited_eq = [r for r in cited if r.kind == "equality"]
    cited_ineq = [r for r in cited if r.kind == "inequality"]
    if rel == "=":
        # an inequality rule cannot justify an equality: equalities alone decide it
        return _with_fallback(lambda rules: prove_equal(lhs, rhs, rules, ctx), cited_eq)

    if rel not in (">=", "<="):
        raise ValueError(f"unknown relation {rel!r}")
    big, small = (lhs, rhs) if rel == ">=" else (rhs, lhs)
    gap = big - small
    # an equality is also an inequality
    eq = _with_fallback(lambda rules: prove_equal(big, small, rules, ctx), cited_eq)
    if eq.proved:
        eq.atom = "both sides are equal"
        return eq
    last = eq
    for ineq_rules, flag in ((cited_ineq, False), (list(INEQUALITY_RULES), True)):
        if not ineq_rules:
            continue
        for rule in ineq_rules:
            for atom, description in rule.rewrite(lhs, rhs, ctx):
                proof = _with_fallback(
                    lambda rules: prove_equal(gap, atom, rules, ctx, ("gap", "atom")), cited_eq)
                if proof.proved:
                    proof.trace.append(TraceEntry("gap", rule.name, description))
                    proof.atom = f"{rule.name}: {description}"
                    if flag and rule not in cited_ineq:
                        proof.uncited = tuple(dict.fromkeys(proof.uncited + (rule.name,)))
                    return proof
        if not flag:   # the cited rules, twice: the gap may be a sum of two of their atoms
            proof = _two_atoms(gap, lhs, rhs, cited_ineq, cited_eq, ctx)
            if proof is not None:
                return proof
        if cited_ineq and not flag and set(cited_ineq) == set(INEQUALITY_RULES):
            break
    return Proof(False, last.trace, last.residual)


def _two_atoms(gap, lhs, rhs, rules, cited_eq, ctx):
    """A proof that ``gap`` equals the sum of two nonnegative atoms of the cited rules
    (a sum of nonnegative terms is nonnegative), or None."""
    atoms = [(rule, atom, desc) for rule in rules for atom, desc in rule.rewrite(lhs, rhs, ctx)]
    for i, (r1, a1, d1) in enumerate(atoms):
        for r2, a2, d2 in atoms[i:]:     # the same atom twice too (2·KL >= 0)
            proof = _with_fallback(
                lambda rules: prove_equal(gap, a1 + a2, rules, ctx, ("gap", "atoms")), cited_eq)
            if proof.proved:
                names = r1.name if r1 is r2 else f"{r1.name}, {r2.name}"
                proof.trace.append(TraceEntry("gap", names, f"{d1} and {d2}"))
                proof.atom = f"{names}: {d1} and {d2}, so their sum is >= 0"
                return proof
    return None


def prove_free_of(lhs, rhs, rules, ctx: Context, targets, sides=("lhs", "rhs")) -> Proof:
    """Prove that ``lhs - rhs`` does not depend on ``targets`` (variables or densities)."""
    trace: list = []
    a = normalise(lhs, rules, ctx, sides[0], trace)
    b = normalise(rhs, rules, ctx, sides[1], trace)
    residual = algebra(a - b)
    return Proof(free_of(residual, targets) or field_free_of(residual, targets), trace, residual)


def prove_up_to(lhs, rel: str, rhs, cited: list, ctx: Context) -> Proof:
    """``lhs = rhs + const(z1)`` (equal up to a term free of z1) or ``lhs = rhs * const(z1)``
    (proportional in z1): every const is dropped and what is left of ``lhs - rhs`` (of
    ``log lhs - log rhs``) must normalise to an expression free of the consts' targets."""
    claim = split_up_to(lhs, rel, rhs)
    if isinstance(claim, str):
        return Proof(False, [TraceEntry("step", "const", claim)], claim)
    assert isinstance(claim, UpTo)
    cited_eq = [r for r in cited if r.kind == "equality"]
    proof = _with_fallback(
        lambda rules: prove_free_of(claim.lhs, claim.rhs, rules, ctx, claim.targets), cited_eq)
    if proof.proved:
        proof.atom = claim.describe() + claim.idle(ctx.latent)
    return proof
