"""Numeric evaluation of abstract expressions: log space, quadrature, truncation, refusals."""
import time

import mpmath
import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from sympy import Integral, log

from vi_sym.families import UnsupportedDensity, get_family
from vi_sym.numeric import NotEvaluable, Value, evaluate, free_names, integrate
from vi_sym.vocabulary import ELBO, KL, Density, Expectation

x, z, w = sympy.symbols("x z w")
q = Density("q", [z])
lik = Density("p", [x], [z])
prior = Density("p", [z])
joint = Density("p", [x, z])
evid = Density("p", [x])
post = Density("p", [z], [x])

NN = get_family("normal-normal")
BB = get_family("beta-bernoulli")
GP = get_family("gamma-poisson")
CAT = get_family("categorical")
LOG = get_family("logistic-normal")

few = settings(max_examples=5, deadline=None, derandomize=True, database=None,
               suppress_health_check=list(HealthCheck))


def sp(fam, label="generic q", i=0):
    return [p for p in fam.special_points() if p["_label"] == label][i]


# ---------------------------------------------------------------------------------------
def test_integrate_gauss_and_endpoint_singularity():
    with mpmath.workdps(20):
        f = lambda t: (mpmath.exp(-t * t / 2), 0)  # noqa: E731
        I, err, ierr = integrate(f, [-12, -3, 0, 3, 12], eps=mpmath.mpf("1e-15"))
        assert abs(I - mpmath.sqrt(2 * mpmath.pi)) < 1e-14 and err < 1e-12 and ierr == 0
        g = lambda t: (1 / mpmath.sqrt(t), 0)  # noqa: E731   ∫_0^1 t^-1/2 = 2
        I, err, _ = integrate(g, [0, mpmath.mpf("0.5"), 1], singular_lo=True, eps=mpmath.mpf("1e-12"))
        assert abs(I - 2) < 1e-10
        # an error channel is integrated too: ∫_0^1 0.5 = 0.5
        I, err, ierr = integrate(lambda t: (t, mpmath.mpf("0.5")), [0, 1])
        assert abs(I - 0.5) < 1e-18 and abs(ierr - 0.5) < 1e-15


def test_numbers_and_arithmetic():
    p = sp(NN)
    v = evaluate(sympy.Rational(1, 3) + sympy.pi - 2 ** sympy.Rational(1, 2), NN, p)
    assert isinstance(v, Value)
    with mpmath.workdps(30):
        assert abs(v.value - (mpmath.mpf(1) / 3 + mpmath.pi - mpmath.sqrt(2))) < 1e-18
    assert v.error < 1e-15
    assert evaluate(sympy.gamma(sympy.Rational(5, 2)), NN, p).value == pytest.approx(
        float(mpmath.gamma(2.5)), rel=1e-15)


def test_log_of_density_products_is_sum_of_log_densities():
    p = sp(NN)
    for zv in (-40.0, 0.3, 25.0):  # far tails included: nothing underflows
        b = {z: zv}
        a = evaluate(log(lik * prior / q), NN, p, binding=b).value
        c = (NN.log_density(p, lik, zv) + NN.log_density(p, prior, zv) - NN.log_density(p, q, zv))
        assert abs(a - c) < 1e-14 * (1 + abs(c))
        assert abs(evaluate(log(joint), NN, p, binding=b).value
                   - NN.log_density(p, joint, zv)) < 1e-14 * (1 + abs(c))
        # log q(z)**2 and log(exp(...)) are handled in log space too
        assert abs(evaluate(log(q ** 2), NN, p, binding=b).value
                   - 2 * NN.log_density(p, q, zv)) < 1e-12 * (1 + abs(c))


def test_log_space_far_in_the_tail():
    p = {**sp(NN), "m": 0.0, "s": 1e-3}
    zv = 5.0  # 5000 standard deviations away: q(z) = exp(-1.25e7)
    v = evaluate(log(q), NN, p, binding={"z": zv}).value
    ref = -0.5 * mpmath.log(2 * mpmath.pi) - mpmath.log(mpmath.mpf("1e-3")) - mpmath.mpf(5000) ** 2 / 2
    assert abs(v - ref) < 1e-9
    assert mpmath.isfinite(evaluate(q, NN, p, binding={"z": zv}).value)


def test_free_latent_needs_a_binding():
    p = sp(NN)
    with pytest.raises(NotEvaluable) as e:
        evaluate(log(q), NN, p)
    assert "free" in e.value.reason
    assert free_names(KL(q, post)) == {"x"}
    assert free_names(KL(q, prior)) == set()
    assert free_names(Integral(q * log(post), z)) == {"x"}
    assert free_names(log(q) + Integral(q, z)) == {"z"}


@pytest.mark.parametrize("expr, what", [
    (sympy.Function("f")(z) * q, "cannot evaluate"),
    (Integral(q, x), "latent"),
    (Integral(q, (z, 0, 1)), "explicit bounds"),
    (w * log(evid), "free symbol"),
    (x + 1, "data symbol"),
    (sympy.I * log(evid), "non-real"),
    (sympy.oo * log(evid), "infinite"),
])
def test_structurally_unevaluable(expr, what):
    with pytest.raises(NotEvaluable) as e:
        evaluate(expr, NN, sp(NN))
    assert what in e.value.reason
    assert e.value.structural


def test_unsupported_density_is_not_evaluable():
    with pytest.raises(UnsupportedDensity):
        evaluate(KL(q, Density("p", [z], [w])), NN, sp(NN))
    assert issubclass(UnsupportedDensity, NotEvaluable)


@pytest.mark.parametrize("expr", [
    Integral(q * log(q - 2 * q), z),          # log of a negative value
    Integral(q * log(z), z),                  # log of negative z in the Gaussian window
    Integral(log(q), z),                      # improper: the integrand never decays
    Integral(1, z),                           # divergent
    Integral(prior / q, z),                   # grows in the tails (q is narrower)
    sympy.loggamma(-sympy.Rational(3, 2)) * log(evid),  # complex value
])
def test_nan_complex_divergent_are_not_evaluable(expr):
    with pytest.raises(NotEvaluable):
        evaluate(expr, NN, sp(NN))


def test_nondecaying_likelihood_integral_is_refused():
    # all labels agree with z > 0: p(x|z) -> 1 as z -> oo, so ∫ p(x|z) dz diverges
    p = {"m0": 0.0, "s0": 1.0, "t": (1.0, 2.0), "y": (1, 1), "m": 0.0, "s": 1.0}
    with pytest.raises(NotEvaluable) as e:
        evaluate(Integral(lik, z), LOG, p)
    assert "diverge" in e.value.reason


def test_truncation_is_recorded():
    v = evaluate(KL(q, post), NN, sp(NN))
    assert any("truncated" in n for n in v.notes)
    v = evaluate(KL(q, post), BB, sp(BB))  # (0, 1): nothing is cut off
    assert not any("truncated" in n for n in v.notes)


def test_likelihood_integral_closed_form():
    # ∫ Π N(x_i; z, σ²) dz = (2πσ²)^{-(n-1)/2} n^{-1/2} exp(-Σ(x_i - x̄)²/(2σ²))
    @few
    @given(NN.strategy())
    def run(p):
        n, s2 = len(p["x"]), mpmath.mpf(p["sigma"]) ** 2
        xb = mpmath.fsum(p["x"]) / n
        ssc = mpmath.fsum((mpmath.mpf(v) - xb) ** 2 for v in p["x"])
        ref = -(n - 1) / 2 * mpmath.log(2 * mpmath.pi * s2) - mpmath.log(n) / 2 - ssc / (2 * s2)
        v = evaluate(log(Integral(lik, z)), NN, p)
        assert abs(v.value - ref) < 1e-9 * (1 + abs(ref)) + v.error
    run()


# ---------------------------------------------------------------------------------------
# Moments and entropies against closed forms, including very narrow / very wide q
# ---------------------------------------------------------------------------------------
def _normal_cases():
    return [{**sp(NN), "m": m, "s": s} for m, s in ((0.4, 1e-3), (-2.0, 50.0), (1.7, 0.37))]


@pytest.mark.parametrize("p", _normal_cases())
def test_normal_moments_and_entropy(p):
    m, s = mpmath.mpf(p["m"]), mpmath.mpf(p["s"])
    assert abs(evaluate(Expectation(q, z), NN, p).value - m) < 1e-9 * (1 + s)
    v2 = evaluate(Expectation(q, (z - p["m"]) ** 2), NN, p)
    assert abs(v2.value - s * s) < 1e-9 * s * s + v2.error  # absolute quadrature target
    H = evaluate(-Expectation(q, log(q)), NN, p).value
    assert abs(H - (mpmath.log(2 * mpmath.pi * mpmath.e * s * s) / 2)) < 1e-9
    # KL between Gaussians: log(s0/s) + (s² + (m - m0)²)/(2 s0²) - 1/2
    m0, s0 = mpmath.mpf(p["m0"]), mpmath.mpf(p["s0"])
    ref = mpmath.log(s0 / s) + (s * s + (m - m0) ** 2) / (2 * s0 * s0) - mpmath.mpf(1) / 2
    assert abs(evaluate(KL(q, prior), NN, p).value - ref) < 1e-9 * (1 + ref)


@pytest.mark.parametrize("a, b", [(0.6, 0.6), (1.0, 1.0), (7.3, 2.2), (2e4 * 0.3, 2e4 * 0.7)])
def test_beta_entropy_with_endpoint_singularities(a, b):
    p = {**sp(BB), "a": a, "b": b}
    a, b = mpmath.mpf(a), mpmath.mpf(b)
    ref = (mpmath.log(mpmath.beta(a, b)) - (a - 1) * mpmath.digamma(a) - (b - 1) * mpmath.digamma(b)
           + (a + b - 2) * mpmath.digamma(a + b))
    H = evaluate(-Expectation(q, log(q)), BB, p)
    assert abs(H.value - ref) < 1e-8 * (1 + abs(ref)) + H.error
    assert abs(evaluate(Expectation(q, z), BB, p).value - a / (a + b)) < 1e-9


@pytest.mark.parametrize("a, b", [(0.8, 0.05), (5.3, 1.7), (2e4, 3e3)])
def test_gamma_entropy_and_mean(a, b):
    p = {**sp(GP), "a": a, "b": b}
    a, b = mpmath.mpf(a), mpmath.mpf(b)
    ref = a - mpmath.log(b) + mpmath.loggamma(a) + (1 - a) * mpmath.digamma(a)
    H = evaluate(-Expectation(q, log(q)), GP, p)
    assert abs(H.value - ref) < 1e-8 * (1 + abs(ref)) + H.error
    assert abs(evaluate(Expectation(q, z), GP, p).value - a / b) < 1e-8 * a / b


def test_discrete_sum_is_exact_sum():
    p = sp(CAT)
    v = evaluate(Expectation(q, z), CAT, p)
    with mpmath.workdps(30):
        ref = sum(k * mpmath.mpf(w_.numerator) / w_.denominator for k, w_ in enumerate(p["q"]))
        assert abs(v.value - ref) < 1e-18
    assert evaluate(Integral(q, z), CAT, p).error < 1e-15


def test_quadrature_normaliser_error_is_propagated():
    p = sp(LOG)
    with mpmath.workdps(20):
        err = LOG.log_density_error(p, post)
    assert 0 < err < 1e-10
    assert evaluate(log(evid), LOG, p).error >= err
    assert evaluate(KL(q, post), LOG, p).error >= err * 0.5


def test_deterministic_and_fast():
    p = sp(NN)
    e = log(evid) - ELBO(q, joint) - KL(q, post)
    a = evaluate(e, NN, p)
    b = evaluate(e, NN, p)
    assert a == b
    assert abs(a.value) < 1e-10
    t = time.perf_counter()
    for fam in (NN, BB, GP, CAT):
        evaluate(e, fam, sp(fam, "q = prior"))
    assert time.perf_counter() - t < 2.0  # typically ~0.1 s for the four


def test_evaluate_accepts_family_names_and_string_bindings():
    p = sp(NN)
    a = evaluate(log(q), "normal-normal", p, binding={"z": 0.25})
    b = evaluate(log(q), NN, p, binding={z: 0.25})
    assert a == b


def test_latent_binding_outside_the_support():
    for fam, zv in ((BB, 1.5), (BB, 0.0), (GP, -1.0), (CAT, 2.5), (CAT, 17)):
        with pytest.raises(NotEvaluable) as e:
            evaluate(log(q), fam, sp(fam), binding={"z": zv})
        assert "support" in e.value.reason
    assert mpmath.isfinite(evaluate(log(q), CAT, sp(CAT), binding={"z": 2}).value)


def test_unresolvable_integrand_is_refused_within_a_budget():
    # wildly oscillating: no rule converges; bisection and an evaluation budget bound the cost
    t = time.perf_counter()
    with pytest.raises(NotEvaluable) as e:
        evaluate(Expectation(q, sympy.sin(10 ** 7 * z)), NN, sp(NN))
    assert "converge" in e.value.reason
    assert time.perf_counter() - t < 10
