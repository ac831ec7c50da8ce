"""Integrals and sums with explicit bounds, and the special functions of closed forms: parsed
(never evaluated) into sympy's Integral / Sum, refused with a clear message when malformed,
evaluated numerically by certified quadrature / summation -- and never a wrong number."""
import math

import mpmath
import pytest
import sympy
from sympy import Integral, Rational, Sum, Symbol, exp, oo

from vi_sym.judge import prove as prove_task
from vi_sym.loader import load_text
from vi_sym.notation import to_latex, to_unicode, to_vi
from vi_sym.numeric import NotEvaluable
from vi_sym.numeric.plain import compile_plain, compile_plain_np
from vi_sym.numeric.precise import evaluate
from vi_sym.parse import ParseEnv, ParseError, parse_expression
from vi_sym.prover import prove_step
from vi_sym.rules import RULES, Context
from vi_sym.spot.claims import spot_claim

z, x = Symbol("z"), Symbol("x")
N, s = Symbol("N", positive=True), Symbol("s", positive=True)
k = Symbol("k", integer=True)


def env():
    return ParseEnv(variables={"z": z, "x": x, "N": N, "s": s})


def parse(text):
    return parse_expression(text, env())


def test_bounded_integrals_and_sums_are_sympy_objects():
    assert parse("integrate(exp(-z), (z, 0, oo))") == Integral(exp(-z), (z, 0, oo))
    assert parse("sum(2^(-k), (k, 0, oo))") == Sum(2 ** (-k), (k, 0, oo))
    assert parse("sum(s^k, (k, 1, N))") == Sum(s ** k, (k, 1, N))
    assert parse("sum(exp(-abs(k)), (k, -oo, oo))") == Sum(exp(-abs(k)), (k, -oo, oo))
    assert parse("integrate(z, (z, -∞, ∞))") == Integral(z, (z, -oo, oo))
    t = Symbol("t", real=True)
    assert parse("integrate(exp(-t), (t, 0, s))") == Integral(exp(-t), (t, 0, s))
    # an integral over the whole domain is as before
    assert parse("integrate(z, z)") == Integral(z, z)


def test_an_abstract_density_over_the_whole_line_is_integrated_over_all_of_its_variable():
    """∫_{-∞}^{∞} p(x,z) dz is ∫ p(x,z) dz (a density is 0 off its support); a formula keeps its
    limits (and its quadrature), and so does half the line."""
    from vi_sym.vocabulary import Density
    e = ParseEnv(variables={"z": z, "x": x}, densities={"p"})
    joint = Density("p", [x, z])
    assert parse_expression("integrate(p(x,z), (z, -oo, oo))", e) == Integral(joint, z)
    assert parse_expression("integrate(p(x,z), (z, 0, oo))", e) == Integral(joint, (z, 0, oo))
    assert parse_expression("integrate(p(x,z), (z, -oo, 0))", e) == Integral(joint, (z, -oo, 0))
    assert parse("integrate(exp(-z^2), (z, -oo, oo))") == Integral(exp(-z ** 2), (z, -oo, oo))


def test_the_bound_variable_is_local_to_the_call():
    with pytest.raises(ParseError, match="unknown name 'k'"):
        parse("sum(k, (k, 0, N)) + k")
    e = parse("sum(sum(j*k, (j, 0, k)), (k, 0, N))")     # nested: the inner bound uses k
    assert isinstance(e, Sum) and len(e.limits) == 2


@pytest.mark.parametrize("text,fragment", [
    ("integrate(exp(-z), (z, 0))", "need a lower and an upper bound"),
    ("integrate(exp(-z), (z, 0, 1, 2))", "exactly (variable, lower, upper)"),
    ("integrate(exp(-z), (3, 0, 1))", "must be the variable's name"),
    ("sum(k, (k, 0.5, 3))", "must be an integer"),
    ("sum(k, (k, 3, 1))", "above its upper bound"),
    ("sum(k, (k, oo, 1))", "runs upwards"),
    ("sum(k, (k, 0, -oo))", "runs upwards"),
    ("integrate(z, (z, 0, z))", "contains its own variable"),
    ("oo", "may only stand as a bound"),
    ("1/oo + 1", "may only stand as a bound"),
    ("sum(z, z)", "needs its index and bounds"),
    ("sum(q(z), (q, 0, 1))", "names a density"),
    ("integrate(exp(-z), (z, 0, oo)", "missing ')'"),
    ("polygamma(0.5, s)", "nonnegative integer"),
    ("binomial(10000, 3)", "too large"),
    ("integrate(z, (z, sqrt(-1), 1))", "real"),
])
def test_malformed_bounds_are_errors_that_say_what_is_wrong(text, fragment):
    with pytest.raises(ParseError, match=None) as info:
        parse(text)
    assert fragment in str(info.value), str(info.value)
    assert info.value.column is not None


def _mp(e, point=None):
    return compile_plain(e)({name: mpmath.mpf(v) for name, v in (point or {}).items()})


@pytest.mark.parametrize("text,point,expected", [
    ("integrate(exp(-z), (z, 0, oo))", {}, 1.0),
    ("integrate(exp(-z^2/2)/sqrt(2*pi), (z, -oo, oo))", {}, 1.0),
    ("integrate(exp(-z/s)/s, (z, 0, oo))", {"s": 1000}, 1.0),      # the mass sits far from 0
    ("integrate(z^999*exp(-z)/gamma(1000), (z, 0, oo))", {}, 1.0),  # a peak at z = 999
    ("integrate(integrate(x*z, (x, 0, z)), (z, 0, 1))", {}, 0.125),
    ("integrate(exp(-z), (z, 1, 0))", {}, -(1 - math.exp(-1))),     # reversed bounds
    ("sum(2^(-k), (k, 0, oo))", {}, 2.0),
    ("sum(exp(-abs(k)), (k, -oo, oo))", {}, (math.e + 1) / (math.e - 1)),
    ("sum(1/k^2, (k, 1, oo))", {}, math.pi ** 2 / 6),
    ("sum((-1)^k/(k+1), (k, 0, oo))", {}, math.log(2)),
    ("sum(k*exp(-s)*s^k/gamma(k + 1), (k, 0, oo))", {"s": 1000}, 1000.0),   # nsum alone says 0
    ("sum(s^k/N, (k, 1, N))", {"s": 0.5, "N": 3}, (0.5 + 0.25 + 0.125) / 3),
    ("sum(sum(j*k, (j, 0, k)), (k, 0, N))", {"N": 4}, 65.0),
])
def test_explicit_integrals_and_sums_evaluate_to_their_known_values(text, point, expected):
    assert float(_mp(parse(text), point)) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("text,point,fragment", [
    ("sum(1/k, (k, 1, oo))", {}, "does not converge"),
    ("sum(k, (k, 1, oo))", {}, "peak beyond"),
    ("integrate(sin(z), (z, 0, oo))", {}, "does not converge"),
    ("integrate(1/z, (z, 1, oo))", {}, "converge"),
    ("sum(s^k/N, (k, 1, N))", {"s": 0.5, "N": 2.5}, "not an integer"),
    ("sum(s^k, (k, 1, N))", {"s": 0.5, "N": 10 ** 7}, "terms"),
])
def test_divergent_or_ill_posed_ones_are_not_evaluable_never_a_number(text, point, fragment):
    with pytest.raises(NotEvaluable) as info:
        _mp(parse(text), point)
    assert fragment in info.value.reason


def test_the_float64_path_defers_to_mpmath():
    from vi_sym.numeric import FastUnsupported
    with pytest.raises((FastUnsupported, NotEvaluable)):
        compile_plain_np(parse("sum(2^(-k), (k, 0, oo))"))


def test_explicit_sums_evaluate_in_a_model_family():
    v = evaluate(parse("sum(2^(-k), (k, 1, oo)) + integrate(exp(-z), (z, 0, oo))"), "normal-normal", {})
    assert abs(float(v.value) - 2.0) < 1e-12


def test_a_density_inside_explicit_bounds_is_not_evaluated_in_a_family():
    with pytest.raises(NotEvaluable, match="explicit bounds"):
        evaluate(parse("integrate(q(z), (z, 0, 1))"), "normal-normal", {})


FUNCTIONS = ["tanh(s)", "sinh(s)", "cosh(s)", "atan(s)", "arctan(s)", "asinh(s)", "erf(s)", "erfc(s)",
             "sin(s)", "cos(s)", "tan(s)", "digamma(s)", "trigamma(s)", "polygamma(2, s)", "lgamma(s)",
             "gamma(s)", "beta(s, 2)", "binomial(5, 2)", "EulerGamma", "γ", "pi"]


@pytest.mark.parametrize("text", FUNCTIONS)
def test_closed_form_functions_parse_and_evaluate_in_both_back_ends(text):
    e = parse(text)
    want = complex(e.subs(s, Rational(7, 10)).evalf(30))
    assert want.imag == 0
    mp = float(_mp(e, {"s": 0.7}))
    assert mp == pytest.approx(want.real, rel=1e-12)
    try:
        np_ = float(compile_plain_np(e)({"s": 0.7}))
    except Exception:  # noqa: BLE001 -- a function float64 lacks defers to mpmath
        return
    assert np_ == pytest.approx(want.real, rel=1e-9)


def test_euler_gamma_is_a_number_to_both_back_ends():
    assert float(_mp(parse("γ"))) == pytest.approx(0.5772156649015329)
    assert parse("γ") == sympy.EulerGamma == parse("EulerGamma") == parse("-digamma(1)")


def test_a_declared_variable_wins_over_a_function_or_constant_name():
    beta, g = Symbol("beta", positive=True), Symbol("γ")
    e = parse_expression("beta (s + 1) + γ", ParseEnv(variables={"beta": beta, "s": s, "γ": g}))
    assert e == beta * (s + 1) + g


@pytest.mark.parametrize("text", ["integrate(exp(-z), (z, 0, oo)) + sum(2^(-k), (k, 1, N))",
                                  "sum(exp(-abs(k)), (k, -oo, oo)) - sum(2^(-k), (k, 1, oo))*tanh(1/2)"])
def test_printing_round_trips_and_never_evaluates_an_infinite_sum(text):
    e = parse(text)
    assert parse(to_vi(e)) == e
    assert "oo" in to_unicode(e) and r"\infty" in to_latex(e)


def test_rules_about_whole_domains_never_apply_to_explicit_bounds():
    ctx = Context((z,), frozenset({"p"}), ())
    every = list(RULES.values())
    for lhs, rhs in [("integrate(q(z), (z, 0, 1))", "1"),
                     ("integrate(q(z)*log(q(z)/p(z|x)), (z, 0, 1))", "KL(q(z) || p(z|x))"),
                     ("integrate(p(x, z), (z, 0, 1))", "p(x)")]:
        assert not prove_step(parse(lhs), "=", parse(rhs), every, ctx).proved, lhs


CLAIM = "derivation c\nlatent: z\npositive: l\ndefine q(z) = {kind}\n\n    {lhs}\n  = {rhs}\n"


def _claim(kind, lhs, rhs):
    (d,), errs = load_text(CLAIM.format(kind=kind, lhs=lhs, rhs=rhs), "c.vi")
    assert not errs, errs
    return d.steps[0]


def test_a_claim_with_an_explicit_sum_is_proved_and_spot_checked():
    step = _claim("Poisson(z, l)", "E_q(z)[z]", "sum(k*exp(-l)*l^k/gamma(k + 1), (k, 0, oo))")
    assert prove_task(step)["proved"]
    r = spot_claim(step, samples=12, seed=0)
    assert r.status == "SPOT-CHECKED" and r.n_checked >= 10


def test_a_wrong_claim_with_an_explicit_sum_is_refuted_never_proved():
    step = _claim("Poisson(z, l)", "E_q(z)[z]", "sum(k*exp(-l)*l^k/gamma(k + 2), (k, 0, oo))")
    assert not prove_task(step)["proved"]
    assert spot_claim(step, samples=12, seed=0).status == "FAILED"


def test_a_claim_with_an_explicit_integral_is_proved():
    step = _claim("Exponential(z, l)", "H(q(z))", "-integrate(l*exp(-l*t)*log(l*exp(-l*t)), (t, 0, oo))")
    assert prove_task(step)["proved"]
