"""Every moment lemma against the defining integral, and lemmas that must not apply.

The lemmas are what PROVED means for a closed-form claim, so each one is checked
two independent ways: sympy's own integral (where it closes quickly) and mpmath
quadrature at hypothesis-drawn parameters.
"""
import mpmath
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy import Abs, Symbol, log

from vi_sym.distributions import Dist
from vi_sym.moments import Moment, expectation, lemma

z = Symbol("z")
pos = st.floats(0.3, 4.0)
real = st.floats(-3.0, 3.0)
unit = st.floats(0.05, 0.95)

# (kind, parameter strategies, statistics with a lemma)
CASES = [
    ("Normal", (real, pos), [z, z ** 2, z ** 3, z ** 4, Abs(z - 1), Abs(z), Abs(2 - z),
                             # exp(A z² + B z + C), A < 1/(2s²) (s <= 4 here): ∫ q r, ∫ sqrt(q r)
                             sympy.exp(-z ** 2 / 3 + z / 2 - 1), sympy.exp(z ** 2 / 40 - z / 3 + 1)]),
    ("Exponential", (pos,), [z, z ** 2, z ** 3, log(z), sympy.exp(-z / 2), sympy.exp(-(z - 1) / 3),
                             Abs(z - 1), Abs(z + sympy.Rational(1, 2)), Abs(2 - z)]),
    ("Gamma", (pos, pos), [z, z ** 2, log(z), log(z) ** 2, sympy.exp(-z / 2), sympy.exp(-(z - 1) / 3)]),
    ("Beta", (pos, pos), [z, z ** 2, log(z), log(1 - z)]),
    ("Laplace", (real, pos), [z, z ** 2, Abs(z - 1), Abs(z + sympy.Rational(1, 2)), Abs(2 - z)]),
    ("Uniform", None, [z, z ** 2, z ** 3]),
    # the moment generating functions: every real a for the Poisson, (1-p) e^a < 1 (a <= 0 here)
    ("Poisson", (pos,), [z, z ** 2, sympy.exp(z / 2), sympy.exp(-(z - 1) / 3)]),
    ("Geometric", (unit,), [z, z ** 2, sympy.exp(-z / 2), sympy.exp(-(z - 1) / 3)]),
    ("NegativeBinomial", (pos, unit), [z, z ** 2, sympy.exp(-z / 2), sympy.exp(-(z - 1) / 3)]),
    ("Binomial", (st.integers(1, 6), unit), [z, z ** 2]),
    ("Pareto", (pos, pos), [log(z), z ** sympy.Rational(-1, 2), z ** -2]),
    ("Gumbel", (real, pos), [z, z ** 2, sympy.exp(-z / 2), sympy.exp(-(z - 1) / 3)]),
    ("LogNormal", (real, pos), [log(z), log(z) ** 2, z, z ** -1, sympy.sqrt(z)]),
    ("HalfNormal", (pos,), [z, z ** 2, z ** 3, log(z)]),
    ("Weibull", (pos, pos), [log(z), z, z ** 2, z ** sympy.Rational(3, 2)]),
    ("InverseGamma", (pos, pos), [log(z), 1 / z, z ** -2]),
    # k >= 1: for k < 1, z^(k/2 - 1) log z at 0 defeats the reference quadrature (Gamma's ψ lemma
    # covers small shapes)
    ("ChiSquared", (st.floats(1.0, 8.0),), [z, z ** 2, log(z)]),
    ("StudentT", (pos, real, pos), "t"),
    # the moments that exist only beyond a bound on the shape (assume: a > 1, nu > 2)
    ("Gamma", (st.floats(1.3, 4.0), pos), [z ** -1, z ** sympy.Rational(-1, 2), sympy.sqrt(z)]),
    ("InverseGamma", (st.floats(2.3, 5.0), pos), [z, z ** 2, sympy.sqrt(z)]),
    ("StudentT", (st.floats(4.5, 9.0), real, pos), [z, z ** 2]),
    ("Cauchy", (real, pos), "cauchy"),
]


def _numeric(dist, h):
    """E_dist[h] by mpmath quadrature (or summation) of pdf * h over the support."""
    f = sympy.lambdify(z, dist.pdf() * h, modules="mpmath")
    sup = dist.support()
    if sup[0] == "count":
        return mpmath.nsum(lambda k: f(k), [0, mpmath.inf])
    if sup[0] == "finite":
        return mpmath.fsum(f(k) for k in sup[1])
    lo, hi = (-mpmath.inf, mpmath.inf) if sup[0] == "real" else (sup[1], sup[2])
    if hi == sympy.oo:
        hi = mpmath.inf
    pts = [lo, hi]
    if sup[0] == "interval" and sup[1] != 0:
        pts = [lo, sup[1] + 1, hi]            # Pareto: from its minimum
    if dist.kind == "Gumbel":                 # double-exponential left tail: mpmath.quad hangs on
        m, b = (float(p) for p in dist.params)   # (-oo, ...); the window drops < 1e-60 of the mass
        lo, hi = mpmath.mpf(m - 6 * b), mpmath.mpf(m + 90 * b)
    if dist.kind in ("Normal", "Laplace", "Gumbel", "StudentT", "Cauchy"):
        m = float(dist.params[0])
        kinks = [float(sympy.solve(a.args[0], z)[0]) for a in h.atoms(Abs)]   # |z - c| bends at c
        pts = [lo, *sorted({m - 1, m, m + 1, *kinks}), hi]
    elif dist.kind in ("Gamma", "Exponential", "LogNormal", "HalfNormal", "Weibull", "InverseGamma",
                       "ChiSquared"):
        kinks = [float(sympy.solve(a.args[0], z)[0]) for a in h.atoms(Abs)]   # |z - c| bends at c
        pts = [lo, *sorted({1, *[k for k in kinks if k > 0]}), hi]   # 0's singularity: its own piece
    elif dist.kind == "Beta":
        pts = [lo, sympy.Rational(1, 2), hi]
    with mpmath.workdps(40):
        return mpmath.quad(f, [mpmath.mpf(sympy.Float(p, 40)) if not mpmath.isinf(p) else p for p in pts])


def _params(kind, strategies, data):
    if kind == "Uniform":
        a = data.draw(real)
        return (a, a + data.draw(pos))
    return tuple(data.draw(s) for s in strategies)


@pytest.mark.parametrize("kind,strategies,stats", CASES, ids=[c[0] for c in CASES])
@settings(max_examples=8, deadline=None, derandomize=True)
@given(data=st.data())
def test_every_lemma_agrees_with_quadrature(kind, strategies, stats, data):
    params = _params(kind, strategies, data)
    # the Student-t/Cauchy lemmas' side conditions (a centre, a width) are exact comparisons,
    # which binary floating point would break (1.25 as 2.8/0.8 - 2.25): small exact rationals
    # there; floats elsewhere (a rational power of a big rational makes sympy factor integers)
    exact = stats in ("t", "cauchy")
    dist = Dist(kind, z, *[p if isinstance(p, int) else
                           sympy.Rational(p).limit_denominator(1000) if exact else sympy.Float(p)
                           for p in params])
    if stats == "t":       # log(1 + (z - m)^2/(nu s^2)), written out as a user's density would be
        nu, m, s = dist.params
        stats = [log(1 + (z - m) ** 2 / (nu * s ** 2))]
    elif stats == "cauchy":  # log((z - a)^2 + b^2) at any centre a and width b > 0
        stats = [log((z - 1) ** 2 + 4), log(3 * ((z + sympy.Rational(1, 2)) ** 2 + sympy.Rational(1, 4)))]
    for h in stats:
        found = lemma(dist, h)
        assert found is not None, (kind, h)
        value = float(found[0].evalf(30))
        assert value == pytest.approx(float(_numeric(dist, h)), rel=1e-7, abs=1e-9), (kind, h, params)


@pytest.mark.parametrize("kind,h", [("Normal", z ** 2), ("Normal", Abs(z - 1)), ("Exponential", z ** 2), ("Uniform", z ** 3),
                                    ("HalfNormal", z ** 2), ("Pareto", z ** -1), ("Exponential", sympy.exp(-z / 3)),
                                    ("Exponential", Abs(z + 2)), ("Uniform", log(z)), ("Gamma", sympy.exp(-2 * z))])
def test_lemma_agrees_with_sympys_integral(kind, h):
    a, b = sympy.symbols("a b", positive=True)
    params = {"Normal": (a, b), "Exponential": (a,), "Uniform": (a, a + b), "HalfNormal": (b,),
              "InverseGamma": (a, b), "Pareto": (a, b), "Gamma": (sympy.Integer(3), b)}[kind]
    dist = Dist(kind, z, *params)
    sup = dist.support()
    lo, hi = (-sympy.oo, sympy.oo) if sup[0] == "real" else (sup[1], sup[2])
    exact = sympy.integrate(dist.pdf() * h, (z, lo, hi), conds="none")
    assert sympy.simplify(exact - lemma(dist, h)[0]) == 0


@pytest.mark.parametrize("kind,params,h", [
    ("Normal", (0, 1), log(z)),               # log of a possibly negative variable
    ("Normal", (0, 1), Abs(2 * z - 1)),       # |2z - 1| is not |z - c|
    ("Normal", (0, 1), Abs(z) ** 2 * z),      # a product of statistics
    ("Poisson", (2,), z ** 3),                # no third-moment lemma for Poisson
    ("Laplace", (0, 1), Abs(2 * z - 1)),      # |2z - 1| is not |z - c|
    ("Beta", (2, 3), log(1 + z)),             # log(1 + z) is not log(1 - z)
    ("Gamma", (2, 3), log(1 - z)),            # log(1 - z) is Beta's
    ("Exponential", (2,), z * log(z)),        # a product of statistics
    ("Exponential", (2,), z ** -1),           # E[1/z] is infinite: the power lemma needs a > -1
    ("Pareto", (1, 2), z ** 2),               # E[z^a] is infinite for a >= alpha
    ("Weibull", (2, 1), z ** -3),             # infinite for a <= -k
    ("Gumbel", (0, 1), sympy.exp(z)),         # E[exp(z)] is infinite for b >= 1
    ("Gumbel", (0, 1), sympy.exp(z ** 2)),    # not exp of a linear function
    ("StudentT", (3, 0, 1), log(1 + z ** 2)),  # centre right, width 1 instead of nu s^2 = 3
    ("StudentT", (3, 0, 1), log(1 + (z - 1) ** 2 / 3)),  # the wrong centre
    ("Cauchy", (0, 1), log(z ** 2)),          # width 0: log z^2, not log(z^2 + b^2)
    ("InverseGamma", (1, 1), z),              # E[z] needs a > 1; no lemma is offered
    ("InverseGamma", (3, 1), z ** 3),         # E[z^s] needs s < a
    ("Gamma", (sympy.Rational(1, 2), 1), z ** -1),   # E[z^s] needs s > -a
    ("StudentT", (2, 0, 1), z ** 2),          # infinite for ν <= 2
    ("StudentT", (1, 0, 1), z),               # no mean for ν <= 1
    ("Geometric", (sympy.Rational(1, 2),), z ** 3),
    ("Exponential", (2,), sympy.exp(2 * z)),  # E[exp(αz)] is infinite for α >= λ
    ("Exponential", (2,), sympy.exp(z ** 2)),  # not exp of a linear function
    ("Exponential", (2,), Abs(2 * z - 1)),    # |2z - 1| is not |z - c|
    ("Gamma", (2, 3), sympy.exp(4 * z)),      # infinite for α >= the rate
    ("Gamma", (2, 3), log(z) ** 3),           # no third log-moment lemma
    ("Uniform", (-1, 1), log(z)),             # log z is not integrable on (-1, 1)
])
def test_statistics_without_a_lemma_are_not_guessed(kind, params, h):
    dist = Dist(kind, z, *params)
    assert lemma(dist, h) is None
    value, used = expectation(dist, 3 * h + 1)
    # linearity expands products (inside logs too, never splitting a log): the same statistic
    same = {Moment(dist, h), Moment(dist, sympy.expand(h, log=False, power_exp=False, power_base=False))}
    assert len(value.atoms(Moment)) == 1 and value.atoms(Moment) <= same
    assert "normalisation: E[1] = 1" in used


def test_finite_support_is_summed_exactly():
    t = Symbol("t", positive=True)
    value, used = expectation(Dist("Bernoulli", z, t), z * log(t) + 2)
    assert sympy.simplify(value - (t * log(t) + 2)) == 0 and "exact sum" in used[0]


def test_lemmas_live_with_their_kind():
    """Every registered kind has a lemma hook, a support and a domain per parameter."""
    from vi_sym.distributions import SPECS
    for kind, spec in SPECS.items():
        assert len(spec.domains) == len(spec.params), kind
        assert set(spec.domains) <= {"real", "positive", "unit", "posint", "any"}, kind   # any: a formula, a label
        assert callable(spec.lemma) and callable(spec.support), kind


@settings(max_examples=8, deadline=None, derandomize=True)
@given(lo=st.one_of(st.just(0.0), pos), w=pos)
def test_the_uniform_log_lemma_agrees_with_quadrature_on_a_positive_support(lo, w):
    """E[log z] under Uniform(a, b) for a >= 0 (a = 0 included: log z is integrable there)."""
    a = sympy.Integer(0) if lo == 0 else sympy.Float(lo)
    dist = Dist("Uniform", z, a, a + sympy.Float(w))
    value = float(lemma(dist, log(z))[0].evalf(30))
    f = sympy.lambdify(z, log(z), modules="mpmath")
    with mpmath.workdps(40):
        ref = mpmath.quad(f, [float(a), float(a + w)]) / w
    assert value == pytest.approx(float(ref), rel=1e-7, abs=1e-9)


def test_a_lemma_with_a_side_condition_fires_only_when_the_condition_is_provable():
    """E[exp(αz)] under Exponential(λ) needs α < λ, E[log z] under Uniform(a, b) needs a >= 0:
    with the sign unknown no lemma is offered (the claim stays open, never wrongly proved)."""
    lam, c, a = Symbol("lam", positive=True), Symbol("c"), Symbol("a")
    assert lemma(Dist("Exponential", z, lam), sympy.exp(c * z)) is None
    assert lemma(Dist("Exponential", z, lam), sympy.exp(-c ** 2 * z - 1)) is None  # -c² <= 0 < λ not seen by sympy
    assert lemma(Dist("Exponential", z, lam), sympy.exp(-lam * z / 2)) is not None
    assert lemma(Dist("Uniform", z, a, a + lam), log(z)) is None


def test_the_gaussian_integral_lemma_needs_a_provable_quadratic_coefficient():
    """E[exp(A z² + …)] under Normal(m, s) is finite only for A < 1/(2s²): no lemma at A = 1/s²,
    nor for an A of unknown sign."""
    m, s, t = Symbol("m", real=True), Symbol("s", positive=True), Symbol("t", real=True)
    assert lemma(Dist("Normal", z, m, s), sympy.exp(z ** 2 / s ** 2)) is None
    assert lemma(Dist("Normal", z, m, s), sympy.exp(z ** 2 / (2 * s ** 2) + z)) is None
    assert lemma(Dist("Normal", z, m, s), sympy.exp(t * z ** 2)) is None
    assert lemma(Dist("Normal", z, m, s), sympy.exp(-t ** 2 * z ** 2)) is not None


def test_a_side_condition_uses_the_declared_domains_and_only_them():
    """exp((1 - a)(l1 - l2) z) under Exponential(l1) needs a l1 + (1 - a) l2 > 0: shown for a in
    (0, 1) (``unit: a``), not for a positive a, and never by reading a stand-in (a Dummy that
    already is a bounded parameter's u) as the declared parameter of the same name."""
    from vi_sym.distributions.written import declared
    l1, l2, a = Symbol("l1", positive=True), Symbol("l2", positive=True), Symbol("a", positive=True)
    h = sympy.exp((1 - a) * (l1 - l2) * z)
    assert lemma(Dist("Exponential", z, l1), h) is None
    with declared({"a": "unit", "l1": "positive", "l2": "positive"}):
        assert lemma(Dist("Exponential", z, l1), h) is not None
    with declared({"a": "positive", "l1": "positive", "l2": "positive"}):
        assert lemma(Dist("Exponential", z, l1), h) is None
    u = sympy.Dummy("a", positive=True)            # u > 0 only: 1 - (2 - u) = u - 1 is of unknown sign
    with declared({"a": "(1, oo)"}):
        assert lemma(Dist("Exponential", z, 1), sympy.exp((2 - u) * z)) is None


def test_the_exponential_absolute_deviation_agrees_with_sympys_integral_split_at_the_kink():
    """E|z - c| under Exponential(a) for c > 0: sympy leaves ∫|z - c| unevaluated, so the
    integral is split at c (where the absolute value bends) and each piece closed by sympy."""
    a, c = sympy.symbols("a c", positive=True)
    pdf = a * sympy.exp(-a * z)
    exact = sympy.integrate((c - z) * pdf, (z, 0, c)) + sympy.integrate((z - c) * pdf, (z, c, sympy.oo),
                                                                        conds="none")
    assert sympy.simplify(exact - lemma(Dist("Exponential", z, a), Abs(z - c))[0]) == 0


def test_a_lemma_left_unused_for_its_side_condition_is_named_in_the_reason():
    """E[exp(t z²)] under Normal(m, s) needs 1 - 2 t s² > 0: with t of unknown sign the claim is
    not PROVED, and the reason says which condition was not shown (not sympy's convergence text)."""
    from vi_sym.claims import prove_claim
    from vi_sym.loader import load_text
    head = "derivation d\nlatent: z\nparameters: m t\npositive: s\ndefine q(z) = Normal(z, m, s)\n\n"
    (d,), errors = load_text(head + "    E_q(z)[exp(t*z^2)]\n  = exp(t*m^2/(1 - 2*t*s^2))/sqrt(1 - 2*t*s^2)\n", "d.vi")
    assert not errors
    res = prove_claim(d.steps[0])
    assert not res["proved"]
    assert "no lemma for E_Normal(z, m, s)[exp(t z²)] (the lemma holds only where -2 t s² + 1 > 0" in res["reason"]



@pytest.mark.parametrize("kind,params,h", [
    ("Geometric", (sympy.Rational(1, 2),), sympy.exp(z)),           # (1/2) e > 1: the sum diverges
    ("NegativeBinomial", (2, sympy.Rational(1, 4)), sympy.exp(z / 2)),
    ("Geometric", (sympy.Symbol("p", positive=True),), sympy.exp(sympy.Symbol("t", real=True) * z)),
])
def test_a_moment_generating_function_is_offered_only_where_it_is_finite(kind, params, h):
    assert lemma(Dist(kind, z, *params), h) is None


def test_one_minus_a_product_of_fractions_is_shown_positive_from_the_domains():
    from vi_sym.distributions.stats import side_condition
    from vi_sym.distributions.written import declared
    p, t = sympy.Symbol("p"), sympy.Symbol("t")
    with declared({"p": "unit", "t": "positive"}):
        assert side_condition(1 - (1 - p) * sympy.exp(-t))
        assert not side_condition(1 - (1 - p) * sympy.exp(t))
        assert not side_condition(1 - 2 * (1 - p) * sympy.exp(-t))      # 2 (1 - p) may exceed 1
    with declared({"p": "unit", "t": "real"}):
        assert not side_condition(1 - (1 - p) * sympy.exp(-t))
