"""argmax/argmin statements, E_{-j}, renaming bound variables, Jensen for a finite average.

Each construct: a use that proves, and wrong variants that must not prove (a wrong argmax
direction, a renaming that captures a free variable, Jensen reversed, ...).
"""
import re
from pathlib import Path

import pytest
import sympy
from sympy import Integral, Symbol, log

from vi_sym.checker import Settings, check_derivations
from vi_sym.frontends import load_file
from vi_sym.frontends.vi import make_env, read_vi
from vi_sym.operators import ArgMax, ArgMin, ExpectationExcept
from vi_sym.parse import ParseError, parse_expression, parse_relation
from vi_sym.prover import prove_step
from vi_sym.rules import Context, get_rule
from vi_sym.vocabulary import ELBO, KL, Const, Density, Entropy, Expectation, VocabularyError

x, z, u = Symbol("x"), Symbol("z"), Symbol("u")
z1, z2 = Symbol("z1"), Symbol("z2")
θ, θ0 = Symbol("θ", real=True), Symbol("θ0", real=True)
CTX = Context((z,), domains=(("θ", "real"), ("θ0", "real")))
ENV = make_env({"x": x, "z": z, "u": u, "z1": z1, "z2": z2, "θ": θ, "θ0": θ0}, {"p", "q"})


def proves(text, *rules, ctx=CTX):
    lhs, rel, rhs = parse_relation(text, ENV)
    return prove_step(lhs, rel, rhs, [get_rule(r) for r in rules], ctx).proved


# ------------------------------------------------------------------ argmax / argmin
def test_argmin_kl_is_argmax_elbo():
    assert proves("argmin_q KL(q(z) || p(z|x)) = argmax_q ELBO(q(z), p(x,z))", "argmax_of_shifted")
    assert proves("argmin_{q} KL(q(z) || p(z|x)) = argmax_{q(z)} ELBO(q(z), p(x,z))",
                  "argmax_of_shifted") is False      # two different targets: not one statement
    assert proves("argmin_{q(z)} KL(q(z) || p(z|x)) = argmax_{q(z)} ELBO(q(z), p(x,z))")


@pytest.mark.parametrize("wrong", [
    "argmax_q KL(q(z) || p(z|x)) = argmax_q ELBO(q(z), p(x,z))",       # wrong direction
    "argmin_q KL(q(z) || p(z|x)) = argmin_q ELBO(q(z), p(x,z))",       # wrong direction
    "argmin_q KL(p(z|x) || q(z)) = argmax_q ELBO(q(z), p(x,z))",       # the other KL
    "argmin_q KL(q(z) || p(z|x)) = argmax_q -2*ELBO(q(z), p(x,z))",    # a negative factor
    "argmin_q KL(q(z) || p(z)) = argmax_q ELBO(q(z), p(x,z))",         # the prior, not the posterior
    "argmin_q KL(q(z) || p(z|x)) = argmax_θ ELBO(q(z), p(x,z))",       # a different variable
    # θ in the posterior too: the entropy term depends on θ and may not be dropped
    "argmax_θ ELBO(p(z|x,θ), p(x,z|θ)) = argmax_θ E_p(z|x,θ)[log(p(x,z|θ))]",
    # the prior term depends on θ
    "argmax_θ ELBO(q(z), p(x,z|θ)) = argmax_θ E_q(z)[log(p(x|z,θ))]",
])
def test_wrong_argmax_statements_are_not_proved(wrong):
    assert not proves(wrong, "argmax_of_shifted")


def test_em_m_step_drops_the_entropy_of_the_old_posterior():
    assert proves("argmax_θ ELBO(p(z|x,θ0), p(x,z|θ)) = argmax_θ E_p(z|x,θ0)[log(p(x,z|θ))]",
                  "argmax_of_shifted")
    assert proves("argmax_θ ELBO(q(z), p(x,z|θ)) = argmax_θ E_q(z)[log(p(x,z|θ))]", "argmax_of_shifted")


@pytest.mark.parametrize("text", [
    "argmax_q ELBO(q(z), p(x,z)) >= argmax_q ELBO(q(z), p(x,z))",     # not an '=' between sets
    "argmax_q ELBO(q(z), p(x,z)) = ELBO(q(z), p(x,z))",               # one side alone
    "2*(argmax_q ELBO(q(z), p(x,z))) = 2*(argmax_q ELBO(q(z), p(x,z)))",  # inside arithmetic
])
def test_argmax_outside_an_optimisation_statement_is_not_proved(text):
    lhs, rel, rhs = parse_relation(text, ENV)
    proof = prove_step(lhs, rel, rhs, [get_rule("argmax_of_shifted")], CTX)
    assert not proof.proved and "optimisation statement" in str(proof.residual)


def test_a_const_inside_argmax_is_not_dropped():
    q = Density("q", [z])
    lhs = ArgMax(ELBO(q, Density("p", [x, z])) + Const(z), "q")
    proof = prove_step(lhs, "=", ArgMax(ELBO(q, Density("p", [x, z])), "q"), [], CTX)
    assert not proof.proved


def test_mean_field_target_keeps_its_own_factor_and_drops_the_others():
    """Over q(z1) with q(z2) fixed, H(q(z2)) is a constant; over every q it is not."""
    ctx = Context((z1, z2))
    q1, q2, j = Density("q", [z1]), Density("q", [z2]), Density("p", [x, z1, z2])
    elbo = ELBO(q1 * q2, j)
    over_q1 = ArgMax(elbo - Entropy(q2), q1)
    assert prove_step(ArgMax(elbo, q1), "=", over_q1, [], ctx).proved
    assert not prove_step(ArgMax(elbo, "q"), "=", ArgMax(elbo - Entropy(q2), "q"), [], ctx).proved
    assert not prove_step(ArgMax(elbo, q1), "=", ArgMax(elbo - Entropy(q1), q1), [], ctx).proved


def test_argmin_is_the_argmax_of_the_negation_and_never_of_the_objective():
    f = KL(Density("q", [z]), Density("p", [z], [x]))
    assert prove_step(ArgMin(f, "q"), "=", ArgMax(-f, "q"), [], CTX).proved
    assert not prove_step(ArgMin(f, "q"), "=", ArgMax(f, "q"), [], CTX).proved


@pytest.mark.parametrize("text, message", [
    ("argmax_w ELBO(q(z), p(x,z))", "neither a density name nor a declared variable"),
    ("argmax_q", "needs the expression it optimises"),
    ("argmax_q argmin_q z", "cannot be nested"),
    ("argmax_{q(z)*q(z)} z", "argmax/argmin is taken over"),
    ("argmax_{z + 1} z", "argmax/argmin is taken over"),
    ("argmax_ z", "subscript"),
])
def test_argmax_input_errors_say_what_is_wrong(text, message):
    with pytest.raises(ParseError, match=message) as err:
        parse_expression(text, ENV)
    assert err.value.column is not None


def test_argmax_prints_as_written():
    e = parse_expression("argmax_{q(z)} ELBO(q(z), p(x,z))", ENV)
    assert str(e) == "argmax_{q(z)} ELBO(q(z))"
    assert parse_expression("argmin_θ θ^2", ENV) == ArgMin(θ ** 2, θ)


# ------------------------------------------------------------------ E_{-j}
MF = Context((z1, z2), factors=(Density("q", [z1]), Density("q", [z2])))


def test_expectation_except_one_factor():
    assert proves("E_{-z1}[log(p(x,z1,z2))] = E_q(z2)[log(p(x,z1,z2))]", ctx=MF)
    assert proves("E_{-2}[log(p(x,z1,z2))] = E_q(z1)[log(p(x,z1,z2))]", ctx=MF)
    assert not proves("E_{-z1}[log(p(x,z1,z2))] = E_q(z1)[log(p(x,z1,z2))]", ctx=MF)
    assert not proves("E_{-1}[log(p(x,z1,z2))] = E_q(z1)[log(p(x,z1,z2))]", ctx=MF)
    # without a declared factorisation E_{-j} means nothing: never proved
    assert not proves("E_{-z1}[log(p(x,z1,z2))] = E_q(z2)[log(p(x,z1,z2))]", ctx=Context((z1, z2)))
    # a j that names no factor stays as written
    assert not proves("E_{-3}[log(p(x,z1,z2))] = log(p(x,z1,z2))", ctx=MF)


def test_expectation_except_with_three_factors():
    z3 = Symbol("z3")
    ctx = Context((z1, z2, z3), factors=tuple(Density("q", [v]) for v in (z1, z2, z3)))
    j = Density("p", [x, z1, z2, z3])
    lhs = ExpectationExcept(z2, log(j))
    rhs = Expectation(Density("q", [z1]) * Density("q", [z3]), log(j))
    assert prove_step(lhs, "=", rhs, [], ctx).proved
    assert not prove_step(lhs, "=", Expectation(Density("q", [z1]), log(j)), [], ctx).proved


def test_expectation_except_input_errors():
    for bad in ("E_{-0}[z]", "E_{-}[z]", "E_{-w}[z]", "E_{-z}(z)"):
        with pytest.raises(ParseError):
            parse_expression(bad, ENV)
    with pytest.raises(VocabularyError):
        ExpectationExcept(z + 1, z)


# ------------------------------------------------------------------ renaming
COPIES = Context((z, u), copies=((z, u),))


def test_renaming_a_bound_variable():
    f = sympy.Function("f", real=True)
    assert prove_step(Integral(f(z), z), "=", Integral(f(u), u), [get_rule("rename_bound_variable")],
                      COPIES).proved
    # double integral, names exchanged
    assert prove_step(Integral(f(z, u), z, u), "=", Integral(f(u, z), u, z), [], COPIES).proved
    # E and H unfold, then rename
    qz, qu = Density("q", [z]), Density("q", [u])
    assert prove_step(Entropy(qz), "=", Entropy(qu), [], COPIES).proved
    assert prove_step(Expectation(qz, f(z)), "=", Expectation(qu, f(u)), [], COPIES).proved


def test_renaming_never_captures_and_needs_declared_copies():
    f = sympy.Function("f", real=True)
    rename = [get_rule("rename_bound_variable")]
    # u is free in f(z, u): ∫ f(z, u) dz is a function of u, ∫ f(u, u) du a number
    assert not prove_step(Integral(f(z, u), z), "=", Integral(f(u, u), u), rename, COPIES).proved
    # the outer variable bound again inside: ∫ (∫ f(z, u) dz) du ≠ ∫ (∫ f(z, z) dz) dz
    inner = Integral(f(z, u), z)
    assert not prove_step(Integral(inner, u), "=", Integral(Integral(f(z, z), z), z), rename,
                          COPIES).proved
    # without 'copies:', z and u may range over different domains; q(z), q(u) are two marginals
    plain = Context((z, u))
    assert not prove_step(Integral(f(z), z), "=", Integral(f(u), u), rename, plain).proved
    qz, qu = Density("q", [z]), Density("q", [u])
    assert not prove_step(Entropy(qz), "=", Entropy(qu), rename, plain).proved
    # a copy is not a different density: H(q(z)) is not H(r(u))
    assert not prove_step(Entropy(qz), "=", Entropy(Density("r", [u])), rename, COPIES).proved


# ------------------------------------------------------------------ Jensen for a finite average
LIK, PRIOR = Density("p", [x], [z]), Density("p", [z])


def test_log_of_mean_at_least_mean_of_logs():
    jf = [get_rule("log_of_mean_ge_mean_of_logs")]
    assert prove_step(log((LIK + PRIOR) / 2), ">=", (log(LIK) + log(PRIOR)) / 2, jf, CTX).proved
    third = sympy.Rational(1, 3)
    assert prove_step(log(third * LIK + 2 * third * PRIOR), ">=", third * log(LIK) + 2 * third * log(PRIOR),
                      jf, CTX).proved


@pytest.mark.parametrize("lhs, rel, rhs", [
    (log((LIK + PRIOR) / 2), "<=", (log(LIK) + log(PRIOR)) / 2),                 # reversed
    ((log(LIK) + log(PRIOR)) / 2, ">=", log((LIK + PRIOR) / 2)),                 # reversed
    (log((LIK + PRIOR) / 3), ">=", (log(LIK) + log(PRIOR)) / 3),                 # weights sum to 2/3
    (log(LIK + PRIOR), ">=", log(LIK) + log(PRIOR)),                             # weights sum to 2
    (log((Symbol("w") + PRIOR) / 2), ">=", (log(Symbol("w")) + log(PRIOR)) / 2),  # w of unknown sign
])
def test_finite_jensen_misuses_are_not_proved(lhs, rel, rhs):
    jf = [get_rule("log_of_mean_ge_mean_of_logs")]
    assert not prove_step(lhs, rel, rhs, jf, CTX).proved


# ------------------------------------------------------------------ the .vi header
def _read(header, body="    E_q(z1)[log(q(z1))]\n  = E_q(z1)[log(q(z1))]\n"):
    text = f"derivation d\nlatent: z1 z2\nobserved: x\n{header}\n\n{body}"
    return read_vi(text, "t.vi")


@pytest.mark.parametrize("header, message", [
    ("copies: z1 x", "not a latent variable"),
    ("copies: z1", "two or more"),
    ("copies: z1 z2; z2 z1", "two groups"),
    ("factorised: q(z1)", "product of densities"),
    ("factorised: q(z1)*q(z2|z1)", "one factor per latent"),
    ("factorised: q(z1)*q(z1|x)", "product of densities|one factor per latent"),
    ("factorised: q(z1)*", "factorised:"),
    ("functions: q", "already"),
    ("functions: 1f", "not a valid"),
])
def test_header_errors_name_the_line(header, message):
    records, errors = _read(header)
    assert errors and errors[0].line == 4
    assert re.search(message, errors[0].message)


def test_header_declarations_reach_the_context():
    (rec,), errors = _read("factorised: q(z2)*q(z1)\ncopies: z1 z2\nfunctions: f g")
    assert not errors
    ctx = rec.context
    assert ctx.factors == (Density("q", [z2]), Density("q", [z1]))      # in the order written
    assert ctx.copies == ((z1, z2),)


def test_the_iwae_bound_and_its_reverse():
    ds, errors = load_file(Path(__file__).parent.parent / "derivations" / "iwae.vi")
    assert not errors
    report = check_derivations(ds, Settings(families=("normal-normal",), samples=5, jobs=1))
    status = {r.step_id: r.status.value for r in report.results}
    assert status["iwae_k2_second::1"] == "PROVED"
    assert status["iwae_k2_second::conclusion"] == "PROVED"
    assert status["iwae_wrong::1"] != "PROVED"


# ------------------------------------------------------------------ the plain-text note
def test_note_reads_optimisation_statements_and_definitions():
    from vi_sym.frontends.note import read_note
    text = ("argmin(q∈Q) D_KL(q(z)||p(z|x)) = argmax(q∈Q) L(q)\n"
            "\n"
            "argmin_q D_KL(q||p) = argmin_q L(q)\n"
            "\n"
            "q_star(x) = argmin(q∈Q)D_KL(q(z)||p(z|x))\n")
    chains, errors = read_note(text, "n.txt")
    assert not errors and len(chains) == 2
    first, second = (c.records for c in chains)
    assert isinstance(first[0].lhs, ArgMin) and isinstance(first[1].rhs, ArgMax)
    ctx = chains[0].context
    assert prove_step(first[0].lhs, "=", first[1].rhs, [], ctx).proved
    assert not prove_step(second[0].lhs, "=", second[1].rhs, [], chains[1].context).proved
    reason = dict(chains[0].skipped)[5]
    assert "definition" in reason and "function of x" in reason


def test_a_density_written_against_the_subscript_is_the_target():
    """``argmax_q(z) f`` optimises over q(z); it is not argmax_q of (z)·f."""
    e = parse_expression("argmax_q(z) ELBO(q(z), p(x,z))", ENV)
    assert e.target == Density("q", [z]) and isinstance(e.f, ELBO)
    spaced = parse_expression("argmax_q (z) z", ENV)
    assert spaced.f == z ** 2 and str(spaced.target) == "q"


def test_an_argmax_statement_is_said_once_to_have_no_numeric_value():
    """No model family evaluates a set of maximisers: only the checker that refutes sets through
    a certified member runs on the step (never a family with its sympy-form error), and when it
    does not apply the summary gives that one reason."""
    from vi_sym.judge import why_untested
    from vi_sym.settings import Settings as RunSettings
    from vi_sym.spot.base import applicable_checkers
    derivs, _ = load_file(Path(__file__).parent.parent / "derivations" / "optimisation.vi")
    steps = [s for d in derivs for s in d.steps if s.lhs.has(ArgMin) or s.lhs.has(ArgMax)]
    assert steps
    for s in steps:
        assert [c.name for c in applicable_checkers(s)] == ["optimum"]
        assert "argmax/argmin" in why_untested(s, RunSettings(families=("all",)))
