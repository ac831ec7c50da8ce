"""The concrete model families: densities, closed forms, normalisation, VI identities.

Every numeric claim is checked against an independent computation (a quadrature of
the joint, a density written out from its textbook formula, exact rationals), at
random parameter points drawn by hypothesis and at the special points.
"""
import mpmath
import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sympy import Integral, log

from vi_sym.families import FAMILIES, UnsupportedDensity, applicable_families, get_family
from vi_sym.numeric import evaluate
from vi_sym.vocabulary import ELBO, KL, Density

x, z, w = sympy.symbols("x z w")
q = Density("q", [z])
lik = Density("p", [x], [z])
prior = Density("p", [z])
joint = Density("p", [x, z])
evid = Density("p", [x])
post = Density("p", [z], [x])

NAMES = ["normal-normal", "beta-bernoulli", "gamma-poisson", "categorical", "logistic-normal"]
#: families with two latents (tests/test_multilatent_families.py); they give p(x|z) no meaning
MULTI_NAMES = ["bivariate-gaussian", "normal-gamma", "gaussian-mixture", "normal-normal-theta"]
CONJUGATE = ["normal-normal", "beta-bernoulli", "gamma-poisson", "categorical"]

few = settings(max_examples=5, deadline=None, derandomize=True, database=None,
               suppress_health_check=list(HealthCheck))


def ev(expr, fam, params, **kw):
    return evaluate(expr, fam, params, **kw)


def close(a, b, tol=1e-8):
    """|a - b| within tol relative to 1 + |a| + |b| plus both error estimates."""
    ea = getattr(a, "error", 0)
    eb = getattr(b, "error", 0)
    a = getattr(a, "value", a)
    b = getattr(b, "value", b)
    return abs(a - b) <= tol * (1 + abs(a) + abs(b)) + ea + eb


def posterior_q(name, params):
    """params with q set to the exact posterior (conjugate families)."""
    fam = get_family(name)
    if name == "normal-normal":
        m, s = fam.posterior_params(params)
        return {**params, "m": m, "s": s}
    if name in ("beta-bernoulli", "gamma-poisson"):
        a, b = fam.posterior_params(params)
        return {**params, "a": a, "b": b}
    if name == "categorical":
        return {**params, "q": fam.posterior_params(params)}
    raise ValueError(name)


# ---------------------------------------------------------------------------------------
def test_registry():
    assert sorted(FAMILIES) == sorted(NAMES + MULTI_NAMES)
    for n in NAMES:
        f = get_family(n)
        assert f.name == n and f.description
        assert f.discrete == (n == "categorical")
        assert "log" in type(f).__doc__ or "Σ" in type(f).__doc__  # the math is documented
    with pytest.raises(KeyError):
        get_family("no-such-family")


def test_applicable_families():
    class Step:
        lhs, rhs = log(evid), ELBO(q, joint) + KL(q, post)
    assert applicable_families(Step, ("all",)) == NAMES
    assert applicable_families(Step, ("categorical", "all", "categorical"))[0] == "categorical"
    assert len(applicable_families(Step, ("categorical", "all"))) == len(NAMES)
    assert applicable_families([KL(q, Density("p", [z], [w])), 0], ("all",)) == []
    with pytest.raises(KeyError):
        applicable_families(Step, ("nope",))


@pytest.mark.parametrize("name", NAMES)
def test_roles_and_unsupported_densities(name):
    fam = get_family(name)
    assert fam.role(lik) == "likelihood"
    assert fam.role(prior) == "prior"
    assert fam.role(joint) == "joint"
    assert fam.role(Density("p", [z, x])) == "joint"
    assert fam.role(evid) == "evidence"
    assert fam.role(post) == "posterior"
    assert fam.role(q) == "q"
    assert fam.role(Density("q", [z], [x])) == "q"
    for bad in (Density("p", [x], [w]), Density("r", [z]), Density("p", [z], [w]),
                Density("p", [x, w]), Density("q", [x])):
        with pytest.raises(UnsupportedDensity):
            fam.role(bad)
        with pytest.raises(UnsupportedDensity):
            fam.log_density(fam.special_points()[0], bad, 0.5)


@pytest.mark.parametrize("name", NAMES)
def test_special_points(name):
    fam = get_family(name)
    pts = fam.special_points()
    labels = [p["_label"] for p in pts]
    assert "q = prior" in labels
    assert any("narrow" in s for s in labels) and any("wide" in s for s in labels)
    if name in CONJUGATE:
        assert "q = exact posterior" in labels
    for p in pts:
        fam.prepared(p)  # valid parameters
    # q = prior really is the prior: KL(q || p(z)) = 0
    p0 = pts[labels.index("q = prior")]
    assert abs(ev(KL(q, prior), fam, p0).value) < 1e-12
    if name in CONJUGATE:
        pe = pts[labels.index("q = exact posterior")]
        assert abs(ev(KL(q, post), fam, pe).value) < 1e-10


@pytest.mark.parametrize("name", NAMES)
def test_strategy_draws_valid_generic_params(name):
    fam = get_family(name)

    @few
    @given(fam.strategy())
    def run(params):
        fam.prepared(params)
        lv = fam.log_density(params, evid)
        assert mpmath.isfinite(lv)
    run()


# ---------------------------------------------------------------------------------------
# Closed forms against independent computations
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_evidence_equals_quadrature_of_the_joint(name):
    fam = get_family(name)

    @few
    @given(fam.strategy())
    def run(params):
        quad = ev(log(Integral(lik * prior, z)), fam, params)
        exact = fam.log_evidence(params)
        assert close(quad, exact, 1e-9), (params, quad, exact)
    run()
    for p in fam.special_points()[:3]:
        assert close(ev(log(Integral(joint, z)), fam, p), ev(log(evid), fam, p), 1e-9)


@pytest.mark.parametrize("name", NAMES)
def test_posterior_normalised_and_equal_to_joint_over_evidence(name):
    fam = get_family(name)

    @few
    @given(st.data())
    def run(data):
        params = data.draw(fam.strategy())
        assert close(ev(Integral(post, z), fam, params), 1, 1e-9)
        assert close(ev(Integral(q, z), fam, params), 1, 1e-9)
        assert close(ev(Integral(prior, z), fam, params), 1, 1e-9)
        zv = data.draw(fam.latent_strategy(params))
        lp = fam.log_density(params, post, zv)
        rhs = (fam.log_density(params, lik, zv) + fam.log_density(params, prior, zv)
               - fam.log_density(params, evid))
        err = fam.log_density_error(params, post) + fam.log_density_error(params, evid)
        assert abs(lp - rhs) <= 1e-12 * (1 + abs(lp)) + err
        lj = fam.log_density(params, joint, zv)
        ls = fam.log_density(params, lik, zv) + fam.log_density(params, prior, zv)
        assert abs(lj - ls) <= 1e-13 * (1 + abs(lj))
    run()


def _textbook_density(name, params, role, zv):
    """The density written out directly from its formula (not in log space)."""
    mp = mpmath
    zv = mp.mpf(zv)
    if name in ("normal-normal", "logistic-normal"):
        if role == "prior":
            return mp.npdf(zv, params["m0"], params["s0"])
        if role == "q":
            return mp.npdf(zv, params["m"], params["s"])
        if name == "normal-normal":
            return mp.fprod(mp.npdf(xi, zv, params["sigma"]) for xi in params["x"])
        sig = lambda u: 1 / (1 + mp.exp(-u))  # noqa: E731
        return mp.fprod(sig(zv * t) if y else 1 - sig(zv * t) for t, y in zip(params["t"], params["y"]))
    if name == "beta-bernoulli":
        if role in ("prior", "q"):
            a, b = (params["a0"], params["b0"]) if role == "prior" else (params["a"], params["b"])
            return zv ** (a - 1) * (1 - zv) ** (b - 1) / mp.beta(a, b)
        return mp.fprod(zv if xi else 1 - zv for xi in params["x"])
    if name == "gamma-poisson":
        if role in ("prior", "q"):
            a, b = (params["a0"], params["b0"]) if role == "prior" else (params["a"], params["b"])
            return mp.mpf(b) ** a * zv ** (a - 1) * mp.exp(-b * zv) / mp.gamma(a)
        return mp.fprod(zv ** k * mp.exp(-zv) / mp.factorial(k) for k in params["x"])
    raise ValueError(name)


@pytest.mark.parametrize("name", ["normal-normal", "beta-bernoulli", "gamma-poisson", "logistic-normal"])
def test_log_densities_match_textbook_formulas(name):
    fam = get_family(name)

    @few
    @given(st.data())
    def run(data):
        params = data.draw(fam.strategy())
        zv = data.draw(fam.latent_strategy(params))
        with mpmath.workdps(30):
            for role, d in (("prior", prior), ("q", q), ("likelihood", lik)):
                ref = _textbook_density(name, params, role, zv)
                got = mpmath.exp(fam.log_density(params, d, zv))
                assert abs(got - ref) <= 1e-15 * ref, (role, got, ref)
    run()


def test_categorical_is_exact():
    fam = get_family("categorical")

    @few
    @given(fam.strategy())
    def run(params):
        K = len(params["prior"])
        post_exact = [fam.exact_density(params, "posterior", k) for k in range(K)]
        assert sum(post_exact) == 1  # exact rationals
        evidence = fam.exact_density(params, "evidence")
        assert evidence == sum(sympy.Rational(p.numerator, p.denominator) *
                               sympy.Rational(l.numerator, l.denominator)
                               for p, l in zip(params["prior"], params["lik"]))
        for k in range(K):
            assert (fam.exact_density(params, "joint", k)
                    == fam.exact_density(params, "posterior", k) * evidence)
            v = fam.log_density(params, post, k)
            assert abs(v - mpmath.log(mpmath.mpf(post_exact[k].p) / post_exact[k].q)) < 1e-18
        # a sum over the latent is exact up to rounding
        s = ev(Integral(post, z), fam, params)
        assert abs(s.value - 1) < 1e-17 and s.error < 1e-15
    run()
    with pytest.raises(Exception):
        fam.log_density(fam.special_points()[0], q, 7)  # not a value of the latent


def test_params_given_as_strings_and_lists_are_accepted():
    fam = get_family("categorical")
    p = fam.special_points()[0]
    p2 = {k: [str(v) for v in p[k]] for k in ("prior", "lik", "q")}
    assert fam.log_evidence(p2) == fam.log_evidence(p)
    nn = get_family("normal-normal")
    p = nn.special_points()[0]
    assert nn.log_evidence({**p, "x": list(p["x"])}) == nn.log_evidence(p)


def test_log_space_no_overflow_far_data():
    fam = get_family("normal-normal")
    p = {"m0": 0.0, "s0": 0.3, "sigma": 0.3, "x": (5.0, -5.0, 5.0, -5.0, 5.0), "m": 4.0, "s": 0.05}
    le = fam.log_evidence(p)
    assert mpmath.isfinite(le) and le < -100
    assert close(ev(log(Integral(joint, z)), fam, p), le, 1e-9)
    assert close(ev(ELBO(q, joint) + KL(q, post), fam, p), le, 1e-9)


# ---------------------------------------------------------------------------------------
# VI identities in every family
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_q_at_exact_posterior(name):
    fam = get_family(name)

    @few
    @given(fam.strategy())
    def run(params):
        le = fam.log_evidence(params)
        # the posterior itself, whatever the family of q
        assert close(ev(KL(post, post), fam, params), 0, 1e-10)
        assert close(ev(ELBO(post, joint), fam, params), le, 1e-9)
        if name in CONJUGATE:
            pq = posterior_q(name, params)
            assert close(ev(KL(q, post), fam, pq), 0, 1e-9)
            assert close(ev(ELBO(q, joint), fam, pq), le, 1e-9)
    run()


@pytest.mark.parametrize("name", NAMES)
def test_kl_nonnegative_and_evidence_identity(name):
    fam = get_family(name)

    @few
    @given(fam.strategy())
    def run(params):
        kl = ev(KL(q, post), fam, params)
        assert kl.value >= -kl.error - 1e-12
        assert ev(KL(q, prior), fam, params).value >= -1e-9
        assert ev(KL(post, q), fam, params).value >= -1e-9
        elbo = ev(ELBO(q, joint), fam, params)
        le = ev(log(evid), fam, params)
        assert close(le, elbo.value + kl.value, 1e-9) or abs(
            le.value - elbo.value - kl.value) <= 1e-9 * (1 + abs(le.value)) + le.error + elbo.error + kl.error
        assert elbo.value <= le.value + elbo.error + le.error
        if kl.value > 1e-6:  # a strict bound away from the posterior
            assert elbo.value < le.value
    run()
