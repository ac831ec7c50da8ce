"""Property tests of soundness, driven by hypothesis.

* A random expression and the same expression after random valid rewrites
  (any sequence of the equality rules) are numerically equal in the exact
  categorical family -- every rule is sound -- and the prover proves them equal.
* The same step perturbed by a random mutation is never PROVED unless it is
  true: whenever the prover says PROVED, the exact family finds no counterexample.
"""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sympy import Integral, Rational, log

from vi_sym.families import get_family
from vi_sym.mutations import MUTATION_OPERATORS, edits
from vi_sym.prover import algebra, prove_step
from vi_sym.rules import EQUALITY_RULES
from vi_sym.spotcheck import spot_check
from vi_sym.vocabulary import ELBO, KL, Expectation

from conftest import CTX, evidence, joint, likelihood, posterior, prior, q, z

CATEGORICAL = get_family("categorical")
LATENT_DENSITIES = [q, prior, posterior]
ANY_DENSITY = [q, prior, posterior, likelihood, joint]

atoms = st.one_of(
    st.sampled_from([log(evidence), ELBO(q, joint)]),
    st.builds(lambda d: Integral(q * log(d), z), st.sampled_from(ANY_DENSITY)),
    st.builds(lambda d, e: Expectation(q, log(d / e)), st.sampled_from(ANY_DENSITY), st.sampled_from(ANY_DENSITY)),
    st.builds(KL, st.sampled_from(LATENT_DENSITIES), st.sampled_from(LATENT_DENSITIES)),
)
coefficients = st.sampled_from([1, -1, 2, Rational(1, 2)])
expressions = st.lists(st.tuples(coefficients, atoms), min_size=1, max_size=4).map(
    lambda terms: sum((c * a for c, a in terms), 0))

SETTINGS = settings(max_examples=25, deadline=None, database=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))


def rewrite_randomly(expr, rule_indices):
    for i in rule_indices:
        expr = algebra(EQUALITY_RULES[i].rewrite(expr, CTX))
    return expr


def holds_in_categorical(lhs, rel, rhs):
    r = spot_check(lhs, rel, rhs, CATEGORICAL, samples=4, seed=0)
    return r.status != "FAILED", r


@SETTINGS
@given(expressions, st.lists(st.integers(0, len(EQUALITY_RULES) - 1), max_size=8))
def test_rewrites_are_sound_and_proved(expr, rule_indices):
    rewritten = rewrite_randomly(expr, rule_indices)
    ok, r = holds_in_categorical(expr, "=", rewritten)
    assert ok, f"a rewrite changed the value: {expr} -> {rewritten}: {r.counterexample}"
    assert prove_step(expr, "=", rewritten, [], CTX).proved


@SETTINGS
@given(expressions, st.lists(st.integers(0, len(EQUALITY_RULES) - 1), max_size=6), st.data())
def test_mutated_steps_are_never_proved_unless_true(expr, rule_indices, data):
    rewritten = rewrite_randomly(expr, rule_indices)
    candidates = list(edits(rewritten, CTX, MUTATION_OPERATORS))
    if not candidates:
        return
    op, desc, mutant = data.draw(st.sampled_from(candidates))
    if prove_step(expr, "=", mutant, [], CTX).proved:
        ok, r = holds_in_categorical(expr, "=", mutant)
        assert ok, f"PROVED a false step ({op}: {desc}): {expr} = {mutant}: {r.counterexample}"


@SETTINGS
@given(expressions)
def test_inequalities_are_never_proved_in_both_directions_unless_equal(expr):
    """lhs >= rhs and lhs <= rhs both proved only when lhs = rhs is true."""
    other = expr + KL(q, posterior)
    up = prove_step(other, ">=", expr, [], CTX).proved
    down = prove_step(other, "<=", expr, [], CTX).proved
    assert up and not down
