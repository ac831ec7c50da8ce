"""Dirichlet(w1, ..., wK, a1, ..., aK): its lemmas against quadrature over the simplex and
against sympy, its KL and entropy proved, wrong variants refuted, and what it must refuse
(a KL against a density on the cube, a term coupling two coordinates)."""
import mpmath
import pytest
import sympy
from sympy import Rational, Symbol, log

from vi_sym.distributions import components
from vi_sym.distributions.dirichlet import dirichlet
from vi_sym.judge import prove as prove_task
from vi_sym.loader import load_text
from vi_sym.moments import expectation
from vi_sym.spot.claims import spot_claim

w1, w2, w3 = (Symbol(n, real=True) for n in ("w1", "w2", "w3"))
A = (Rational(3, 2), Rational(7, 10), Rational(5, 2))


def _simplex(f, a):
    """∫ over the simplex {w1 + w2 <= 1} of f(w1, w2, 1 - w1 - w2) · Dir(w; a), by 2-D quadrature."""
    a1, a2, a3 = (mpmath.mpf(float(x)) for x in a)
    norm = mpmath.gamma(a1 + a2 + a3) / (mpmath.gamma(a1) * mpmath.gamma(a2) * mpmath.gamma(a3))

    def g(u, v):      # w1 = u, w2 = (1 - u) v: the square onto the simplex, Jacobian (1 - u)
        x, y = u, (1 - u) * v
        zz = 1 - x - y
        return f(x, y, zz) * norm * x ** (a1 - 1) * y ** (a2 - 1) * zz ** (a3 - 1) * (1 - u)
    with mpmath.workdps(15):
        return mpmath.quad(g, [0, 1], [0, 1])


@pytest.mark.parametrize("var,h,f", [
    (w1, log(w1), lambda x, y, z: mpmath.log(x)),
    (w2, log(w2), lambda x, y, z: mpmath.log(y)),
    (w3, log(1 - w3), lambda x, y, z: mpmath.log(1 - z)),
    (w1, w1 ** 2, lambda x, y, z: x ** 2),
    (w3, w3, lambda x, y, z: z),
])
def test_each_lemma_agrees_with_quadrature_over_the_simplex(var, h, f):
    comps = {c.var: c for c in components(dirichlet(w1, w2, w3, *A))}
    value, used = expectation(comps[var], h)
    assert used and not value.has(sympy.Integral)
    assert float(value.evalf(20)) == pytest.approx(float(_simplex(f, A)), rel=1e-8)


def test_the_marginal_moment_agrees_with_sympys_integral():
    ints = (3, 2, 4)     # integer concentrations: a polynomial integrand sympy integrates at once
    c = {c.var: c for c in components(dirichlet(w1, w2, w3, *ints))}[w2]
    a, a0 = sympy.Integer(ints[1]), sympy.Integer(sum(ints))
    exact = sympy.integrate(w2 ** 2 * w2 ** (a - 1) * (1 - w2) ** (a0 - a - 1) / sympy.beta(a, a0 - a), (w2, 0, 1))
    assert sympy.gammasimp((exact - expectation(c, w2 ** 2)[0]).rewrite(sympy.gamma)) == 0


def test_the_log_density_shares_add_up_to_the_dirichlet_log_density():
    a = sympy.symbols("a1:4", positive=True)
    total = sum(c.logpdf() for c in components(dirichlet(w1, w2, w3, *a)))
    a0 = sum(a)
    want = sum((ak - 1) * log(w) for ak, w in zip(a, (w1, w2, w3))) - sum(map(sympy.loggamma, a)) + sympy.loggamma(a0)
    assert sympy.simplify(total - want) == 0


HEAD = ("latent: w1 w2 w3\npositive: a1 a2 a3 b1 b2 b3\n"
        "define q(w1, w2, w3) = Dirichlet(w1, w2, w3, a1, a2, a3)\n"
        "define r(w1, w2, w3) = Dirichlet(w1, w2, w3, b1, b2, b3)\n")
Q, R = "q(w1, w2, w3)", "r(w1, w2, w3)"
KL = ("lgamma(a1 + a2 + a3) - lgamma(a1) - lgamma(a2) - lgamma(a3) - lgamma(b1 + b2 + b3) + lgamma(b1)"
      " + lgamma(b2) + lgamma(b3) + (a1 - b1)*(digamma(a1) - digamma(a1 + a2 + a3))"
      " + (a2 - b2)*(digamma(a2) - digamma(a1 + a2 + a3)) + (a3 - b3)*(digamma(a3) - digamma(a1 + a2 + a3))")
H = ("lgamma(a1) + lgamma(a2) + lgamma(a3) - lgamma(a1 + a2 + a3) + (a1 + a2 + a3 - 3)*digamma(a1 + a2 + a3)"
     " - (a1 - 1)*digamma(a1) - (a2 - 1)*digamma(a2) - (a3 - 1)*digamma(a3)")


def step(lhs, rhs, rel="=", head=HEAD):
    (d,), errs = load_text(f"derivation d\n{head}\n    {lhs}\n  {rel} {rhs}\n", "d.vi")
    assert not errs, errs
    return d.steps[0]


@pytest.mark.parametrize("lhs,rhs", [(f"KL({Q} || {R})", KL), (f"H({Q})", H)])
def test_kl_and_entropy_are_proved_by_the_lemmas(lhs, rhs):
    out = prove_task(step(lhs, rhs))
    assert out["proved"] and any("ψ(a_k) - ψ(a0)" in t[1] for t in out["trace"])


@pytest.mark.parametrize("lhs,rhs", [
    (f"KL({Q} || {R})", KL.replace("(a1 - b1)*", "(b1 - a1)*")),            # a flipped sign
    (f"KL({Q} || {R})", KL.replace("digamma(a1) -", "digamma(b1) -")),       # the other density's ψ
    (f"H({Q})", H.replace("a3 - 3", "a3 - 2")),                              # K - 1 for K
    (f"H({Q})", H.replace(" - lgamma(a1 + a2 + a3)", "")),                   # log B(a) without Γ(a0)
])
def test_wrong_dirichlet_closed_forms_are_refuted_never_proved(lhs, rhs):
    s = step(lhs, rhs)
    assert not prove_task(s)["proved"]
    assert spot_claim(s, samples=20, seed=0).status == "FAILED"


def test_kl_is_nonnegative_between_dirichlets():
    assert prove_task(step(f"KL({Q} || {R})", "0", ">="))["proved"]


def test_a_dirichlet_against_a_density_on_the_cube_is_refused():
    head = ("latent: w1 w2 w3\npositive: a1 a2 a3\ndefine q(w1, w2, w3) = Dirichlet(w1, w2, w3, a1, a2, a3)\n"
            "define r(w1, w2, w3) = Beta(w1, a1, a2) * Beta(w2, a2, a3) * Beta(w3, a3, a1)\n")
    for lhs, rel in ((f"KL({Q} || {R})", "="), (f"KL({R} || {Q})", "="), (f"KL({Q} || {R})", ">=")):
        s = step(lhs, "0", rel, head)
        assert not prove_task(s)["proved"]
        assert spot_claim(s, samples=5, seed=0).status != "SPOT-CHECKED"


def test_a_term_coupling_two_coordinates_is_never_taken_from_the_marginals():
    s = step(f"E_{Q}[w1*w2]", "a1*a2/(a1 + a2 + a3)^2")      # the product of the marginal means
    assert not prove_task(s)["proved"]
    assert spot_claim(s, samples=5, seed=0).status != "SPOT-CHECKED"


@pytest.mark.parametrize("rhs,fragment", [
    ("Dirichlet(w1, w2, w3, a1, a2)", "K >= 2 variables"),
    ("Dirichlet(w1, a1)", "K >= 2 variables"),
    ("Dirichlet(w1, w1, a1, a2)", "distinct variables"),
    ("Dirichlet(w1, w2, w1, a2)", "depends on one of its variables"),
])
def test_malformed_dirichlets_are_input_errors(rhs, fragment):
    ds, errs = load_text(f"derivation d\nlatent: w1 w2 w3\npositive: a1 a2 a3\ndefine q(w1, w2) = {rhs}\n\n"
                         "    H(q(w1, w2))\n  = 1\n", "d.vi")
    assert errs and fragment in errs[0].message, errs


def test_a_concentration_must_be_positive():
    ds, errs = load_text("derivation d\nlatent: w1 w2\nparameters: a1\npositive: a2\n"
                         "define q(w1, w2) = Dirichlet(w1, w2, a1, a2)\n\n    H(q(w1, w2))\n  = 1\n", "d.vi")
    assert errs and "positive" in errs[0].message
