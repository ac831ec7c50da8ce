"""Special functions and constants in both back-ends of the numeric walker, against mpmath."""
import mpmath
import numpy as np
import pytest
import sympy
from sympy import Integral, Rational

from vi_sym.claims import spot_claim
from vi_sym.families import get_family
from vi_sym.loader import load_text
from vi_sym.numeric import (NOT_EVALUABLE, OK, FastUnsupported, NotEvaluable, compile_plain,
                            compile_plain_np, evaluate, evaluate_fast)
from vi_sym.vocabulary import Density

a, b, z = sympy.symbols("a b z")
q = Density("q", [z])
NN = get_family("normal-normal")

# (sympy expression in a, b; mpmath reference)
CASES = [
    (sympy.EulerGamma + a, lambda a, b: mpmath.euler + a),
    (sympy.Catalan * a, lambda a, b: mpmath.catalan * a),
    (sympy.tanh(a), lambda a, b: mpmath.tanh(a)),
    (sympy.sinh(a), lambda a, b: mpmath.sinh(a)),
    (sympy.cosh(a), lambda a, b: mpmath.cosh(a)),
    (sympy.atan(a), lambda a, b: mpmath.atan(a)),
    (sympy.erf(a), lambda a, b: mpmath.erf(a)),
    (sympy.erfc(a), lambda a, b: mpmath.erfc(a)),
    (sympy.digamma(b), lambda a, b: mpmath.digamma(b)),
    (sympy.polygamma(1, b), lambda a, b: mpmath.polygamma(1, b)),
    (sympy.polygamma(2, b), lambda a, b: mpmath.polygamma(2, b)),
    (sympy.loggamma(b), lambda a, b: mpmath.loggamma(b)),
    (sympy.gamma(b), lambda a, b: mpmath.gamma(b)),
    (sympy.beta(b, a + 3), lambda a, b: mpmath.beta(b, a + 3)),
    (sympy.binomial(b + 4, 2), lambda a, b: mpmath.binomial(b + 4, 2)),
    (sympy.log(b) - sympy.EulerGamma * sympy.digamma(b + 1), lambda a, b: mpmath.log(b) - mpmath.euler * mpmath.digamma(b + 1)),
]
POINTS = [(mpmath.mpf("0.3"), mpmath.mpf("0.7")), (mpmath.mpf("-1.25"), mpmath.mpf("2.5")),
          (mpmath.mpf("2"), mpmath.mpf("5.5"))]


@pytest.mark.parametrize("expr,ref", CASES, ids=[str(c[0]) for c in CASES])
def test_plain_back_ends_against_mpmath(expr, ref):
    fmp, fnp = compile_plain(expr), compile_plain_np(expr)
    with mpmath.workdps(30):
        for av, bv in POINTS:
            want = ref(av, bv)
            got = fmp({"a": av, "b": bv})
            assert abs(got - want) <= mpmath.mpf(10) ** -25 * (1 + abs(want)), (expr, av, bv)
            got64 = fnp({"a": np.array([float(av)]), "b": np.array([float(bv)])})
            assert abs(float(got64[0]) - float(want)) <= 1e-12 * (1 + abs(float(want))), (expr, av, bv)


@pytest.mark.parametrize("expr,ref", CASES, ids=[str(c[0]) for c in CASES])
def test_family_back_ends_against_mpmath(expr, ref):
    """The same functions at constant arguments, through the precise and the fast back-end."""
    av, bv = Rational(3, 10), Rational(7, 10)
    e = expr.subs({a: av, b: bv})
    with mpmath.workdps(40):
        want = ref(mpmath.mpf(3) / 10, mpmath.mpf(7) / 10)
    params = NN.special_points()[0]
    v = evaluate(e, NN, params, dps=30)
    assert abs(v.value - want) <= v.error and v.error < 1e-15
    res = evaluate_fast(e, NN, NN.fast_batch([params]))
    assert res.status[0] == OK
    assert abs(res.value[0] - float(want)) <= res.error[0] + 1e-13 * (1 + abs(float(want)))


def test_functions_of_the_latent_inside_an_integral():
    """E_q[tanh z], E_q[erf z], E_q[atan z] by both back-ends agree with mpmath.quad."""
    params = [p for p in NN.special_points() if p["_label"] == "generic q"][0]
    m, s = float(params["m"]), float(params["s"])
    for fn, mfn in ((sympy.tanh, mpmath.tanh), (sympy.erf, mpmath.erf), (sympy.atan, mpmath.atan)):
        e = Integral(q * fn(z), z)
        ref = mpmath.quad(lambda t: mpmath.npdf(t, m, s) * mfn(t), [-mpmath.inf, m, mpmath.inf])
        v = evaluate(e, NN, params)
        assert abs(v.value - ref) < 1e-9
        res = evaluate_fast(e, NN, NN.fast_batch([params]))
        assert res.status[0] == OK and abs(res.value[0] - float(ref)) < 1e-9


def test_undefined_values_are_refused_not_returned():
    with pytest.raises(NotEvaluable):
        compile_plain(sympy.log(a))({"a": mpmath.mpf(-1)})
    params = NN.special_points()[0]
    with pytest.raises(NotEvaluable):        # loggamma(-1/2) is complex
        evaluate(sympy.loggamma(Rational(-1, 2)), NN, params)
    res = evaluate_fast(sympy.loggamma(Rational(-1, 2)), NN, NN.fast_batch([params]))
    assert res.status[0] != OK              # NaN in float64: handed to mpmath, never trusted
    with pytest.raises((NotEvaluable, FastUnsupported)):
        evaluate_fast(sympy.zeta(3), NN, NN.fast_batch([params]))
    assert NOT_EVALUABLE > OK


def test_euler_gamma_in_a_closed_form_is_spot_checked():
    """E[log z] under Exponential(b) is -EulerGamma - log b (the numeric side used to say
    "cannot evaluate EulerGamma numerically"); a slip in it is refuted."""
    def step(rhs):
        text = ("derivation e\nlatent: z\npositive: b\ndefine q(z) = Exponential(z, b)\n\n"
                f"    E_q(z)[log(z)]\n  = {rhs}   by expectation_definition\n")
        (d,), errs = load_text(text, "e.vi")
        assert not errs, errs
        return d.steps[0]

    good = step("digamma(1) - log(b)")            # sympy reads digamma(1) as -EulerGamma
    assert good.rhs.has(sympy.EulerGamma)
    ok = spot_claim(good, samples=10)
    assert ok.status == "SPOT-CHECKED", ok.reason
    bad = spot_claim(step("-digamma(1) - log(b)"), samples=10)
    assert bad.status == "FAILED", bad.reason


def test_a_count_sum_of_a_few_thousand_terms_never_imports_scipy():
    """loggamma of a count sum's support (a few thousand terms) comes from math.lgamma: a
    worker does not pay scipy.special's import (~0.2 s) for it.  The rule depends on the size
    alone (a value never depends on what the process computed before), and larger arrays
    take scipy's gammaln, which agrees to a few units in the last place."""
    import subprocess
    import sys
    code = (
        "import sys, numpy as np, sympy\n"
        "from vi_sym.numeric.functions import NP_FUNCTIONS, LGAMMA_MATH_MAX\n"
        "lg = NP_FUNCTIONS[sympy.loggamma]\n"
        "small = lg(np.arange(1.0, LGAMMA_MATH_MAX + 1))\n"
        "assert 'scipy' not in sys.modules, 'scipy imported for a small array'\n"
        "big = lg(np.arange(1.0, LGAMMA_MATH_MAX + 2))\n"
        "assert 'scipy.special' in sys.modules, 'a large array takes gammaln'\n"
        "import scipy.special, math\n"
        "ref = scipy.special.gammaln(np.arange(1.0, LGAMMA_MATH_MAX + 1))\n"
        "assert np.max(np.abs(small - ref) / np.maximum(1, np.abs(ref))) < 4e-15\n"
        "assert small[99] == math.lgamma(100.0) and np.isnan(lg(np.array([-1.0] * 5000))).all()\n"
        "print('ok')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
