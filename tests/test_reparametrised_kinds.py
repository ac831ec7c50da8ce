"""Kinds that are other kinds under other parameters (Erlang, InverseChiSquared,
ScaledInverseChiSquared): their densities and lemmas are the base kind's at the mapped
parameters -- checked against the base kind's own formulas and against quadrature -- and a new
one is one call of :func:`reparametrised` (a toy kind registered here proves its entropy)."""
import mpmath
import pytest
import sympy
from sympy import Rational, Symbol, log

from vi_sym.distributions import SPECS
from vi_sym.distributions.base import Dist
from vi_sym.distributions.reparametrised import reparametrised
from vi_sym.judge import judge
from vi_sym.loader import load_text
from vi_sym.settings import Settings

zp = Symbol("z", positive=True)


@pytest.mark.parametrize("kind, params, base, base_params", [
    ("Erlang", (3, Rational(5, 2)), "Gamma", (3, Rational(5, 2))),
    ("InverseChiSquared", (Rational(7, 2),), "InverseGamma", (Rational(7, 4), Rational(1, 2))),
    ("ScaledInverseChiSquared", (5, Rational(2, 3)), "InverseGamma", (Rational(5, 2), Rational(5, 3))),
])
def test_a_reparametrised_kind_is_its_base_at_the_mapped_parameters(kind, params, base, base_params):
    d, b = Dist(kind, zp, *params), Dist(base, zp, *base_params)
    for x in (Rational(1, 3), 2):
        assert sympy.simplify(d.logpdf().subs(zp, x) - b.logpdf().subs(zp, x)) == 0
    f = sympy.lambdify(zp, d.pdf(), modules="mpmath")
    with mpmath.workdps(30):
        assert abs(mpmath.quad(f, [0, 1, 10, mpmath.inf]) - 1) < 1e-15
    for h in (zp, log(zp), 1 / zp):
        got, want = d.lemma(h), b.lemma(h)
        assert (got is None) == (want is None), h
        if got is not None:
            assert sympy.simplify(got[0] - want[0]) == 0 and kind in got[1], (h, got)


def test_a_new_kind_is_one_reparametrised_call():
    """A toy ``Erlang1(z, l)`` = Gamma(1, l) (the exponential) proves the exponential's entropy,
    and refutes a wrong one; it leaves the registry as it found it."""
    reparametrised("Erlang1", ("rate",), ("positive",), "Gamma", lambda lam: (1, lam), "Erlang1(λ) = Gamma(1, λ)")
    try:
        out = []
        for rhs in ("1 - log(l)", "1 + log(l)"):
            (d,), errs = load_text("derivation t\nlatent: z\npositive: l\ndefine q(z) = Erlang1(z, l)\n"
                                   f"    H(q(z))\n  = {rhs}\n", "t.vi")
            assert not errs, errs
            out.append(judge(d.steps[0], Settings(families=("all",))).status.value)
        assert out == ["PROVED", "FAILED"]
    finally:
        del SPECS["Erlang1"]
