"""What every spot-checker of a step needs is worked out once: a definition's unfolding once
per expression, a step's family sides once per step -- and each is exactly what a fresh
computation gives."""
from __future__ import annotations

import sympy
from sympy import Integral, Symbol, log

import vi_sym.spot.families as families
import vi_sym.vocabulary as vocabulary
from vi_sym.families import FAMILIES
from vi_sym.notebook import parse_step
from vi_sym.spotcheckers import FamilyChecker
from vi_sym.vocabulary import ELBO, KL, Density, Entropy, Expectation, unfold_definitions

z, x = Symbol("z"), Symbol("x")
q, p, pj = Density("q", [z]), Density("p", [z], [x]), Density("p", [x, z])


def _fresh(expr, kinds=vocabulary.DEFINED):
    for _ in range(10):
        new = expr.replace(lambda e: isinstance(e, kinds), lambda e: e.unfold())
        if new == expr:
            return new
        expr = new
    return expr


def test_a_remembered_unfolding_is_the_fresh_one():
    vocabulary._UNFOLDED.clear()
    exprs = [KL(q, p) - ELBO(q, pj), Entropy(q) + Expectation(q, log(q)), log(pj) + 1,
             Expectation(q, KL(q, p) * z)]
    for e in exprs:
        first = unfold_definitions(e)
        assert first == _fresh(e)
        assert unfold_definitions(e) is first                  # the second time, remembered
    only_kl = unfold_definitions(KL(q, p) + Entropy(q), (KL,))
    assert only_kl == _fresh(KL(q, p) + Entropy(q), (KL,))    # the kinds are part of the key
    assert only_kl.has(Entropy) and not only_kl.has(KL)


def test_an_unfolding_never_confuses_equal_looking_numbers():
    vocabulary._UNFOLDED.clear()
    a = unfold_definitions(2 * KL(q, p))
    b = unfold_definitions(sympy.Float(2.0) * KL(q, p))
    assert a.has(sympy.Integer(2)) and not a.has(sympy.Float(2.0))
    assert b.has(sympy.Float(2.0))
    assert a == _fresh(2 * KL(q, p)) and b == _fresh(sympy.Float(2.0) * KL(q, p))
    assert Integral in {type(t) for t in sympy.preorder_traversal(a)}


def test_a_steps_sides_are_worked_out_once_for_every_family(monkeypatch):
    calls = []
    real = families.family_coordinates
    monkeypatch.setattr(families, "family_coordinates", lambda s: calls.append(s) or real(s))
    families._PER_STEP.clear()
    step = parse_step("KL(q(z)||p(z|x)) >= 0")
    checked = [FamilyChecker(name) for name in FAMILIES]
    verdicts = [c.check(step, samples=3) for c in checked if c.applies(step)]
    assert len(verdicts) >= 2
    assert len(calls) == 2          # once for the applicable families, once for the sides
    other = parse_step("KL(q(z)||p(z|x)) >= 0")          # an equal step is its own entry
    checked[0].check(other, samples=3)
    checked[0].check(other, samples=3)
    assert len(calls) == 3
    from vi_sym.upto import spot_form
    assert families._sides(step) == spot_form(*real(step), step.rel)
