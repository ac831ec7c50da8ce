"""The kind TruncatedNormal(z, m, s, a, b): a Normal(m, s) restricted to (a, b), an end possibly
infinite.

Its density integrates to 1 and every moment lemma equals the integral of the statistic against
the density (mpmath quadrature, none of vi_sym's numbers) at parameter points drawn by hypothesis,
with finite and with infinite ends; a lemma fires on z and z² only; the ends must be in order, and
only this kind takes oo among its arguments."""
import mpmath
import pytest
import sympy
from hypothesis import Phase, given, settings, strategies as st
from sympy import Rational, Symbol, oo

from vi_sym.distributions.base import Dist
from vi_sym.frontends import load_text, reader_for
from vi_sym.loader import load_text as load_vi

from conftest import judge_vi, lemma_agrees

z = Symbol("z", real=True)
_POS = st.integers(2, 16).map(lambda k: Rational(k, 4))
_REAL = st.integers(-12, 12).map(lambda k: Rational(k, 4))


def _quad(c, h):
    """∫ c(z) h(z) dz over (a, b) by mpmath at 30 digits; an infinite end as itself."""
    f = sympy.lambdify(c.var, c.pdf() * h, modules="mpmath")
    _, lo, hi = c.support()
    with mpmath.workdps(30):
        ends = [mpmath.mpf(sympy.N(e, 30)) if e not in (oo, -oo) else (mpmath.inf if e == oo else -mpmath.inf)
                for e in (lo, hi)]
        m = mpmath.mpf(sympy.N(c.params[0], 30))
        inner = [p for p in (m,) if ends[0] < p < ends[1]]
        return mpmath.quad(f, [ends[0], *inner, ends[1]])


_SETTINGS = settings(max_examples=6, deadline=None, derandomize=True, phases=(Phase.explicit, Phase.generate))


@_SETTINGS
@given(m=_REAL, s=_POS, a=_REAL, w=_POS)
def test_the_lemmas_equal_the_integrals_with_finite_ends(m, s, a, w):
    c = Dist("TruncatedNormal", z, m, s, a, a + w)
    assert abs(_quad(c, 1) - 1) < 1e-12
    for h in (z, z ** 2, (z - m) ** 2, 3 * z - 2):
        lemma_agrees(c, h, _quad, 1e-12)


@_SETTINGS
@given(m=_REAL, s=_POS, a=_REAL, upper=st.booleans())
def test_the_lemmas_equal_the_integrals_with_an_infinite_end(m, s, a, upper):
    c = Dist("TruncatedNormal", z, m, s, a, oo) if upper else Dist("TruncatedNormal", z, m, s, -oo, a)
    assert abs(_quad(c, 1) - 1) < 1e-12
    for h in (z, z ** 2):
        lemma_agrees(c, h, _quad, 1e-12)


def test_no_lemma_for_another_statistic():
    from vi_sym.distributions.truncated_normal import lemma
    m, s, a, b = sympy.symbols("m s a b")
    assert lemma(z, (m, s, a, b), sympy.log(z)) is None and lemma(z, (m, s, a, b), z ** 3) is None


@pytest.mark.parametrize("rhs, expected", [
    ("log(s*sqrt(pi*exp(1)/2))", "PROVED"),
    ("log(s*sqrt(2*pi*exp(1)))", "FAILED"),          # the parent normal's entropy: truncation lowers it
])
def test_the_half_truncated_entropy(rhs, expected):
    text = (f"derivation d\nlatent: z\npositive: s\ndefine q(z) = TruncatedNormal(z, 0, s, 0, oo)\n\n"
            f"    H(q(z))\n  = {rhs}\n")
    assert judge_vi(text) == expected


@pytest.mark.parametrize("define, message", [
    ("TruncatedNormal(z, 0, s, oo, 1)", "an infinite lower end is -oo"),
    ("TruncatedNormal(z, 0, s, 1, 0)", "the upper end must exceed the lower end"),
    ("Normal(z, 0, oo)", "may only stand as a bound"),           # oo is an argument of this kind only
])
def test_ends_out_of_order_and_infinity_elsewhere_are_errors(define, message):
    _, errors = load_vi(f"derivation d\nlatent: z\npositive: s\ndefine q(z) = {define}\n\n    H(q(z))\n  = 1\n",
                        "k.vi")
    assert errors and message in errors[0].message


def test_written_in_a_note_with_finite_ends():
    ds, errors = load_text("E_{z~TruncatedNormal(0, 1, -1, 1)}[z] = 0\nE_{z~TruncatedNormal(0, 1, 0, 1)}[z] = 0\n",
                           "n.txt", reader_for("n.txt"))
    assert not errors, errors
    from vi_sym.judge import judge
    from vi_sym.settings import Settings
    assert [judge(d.steps[0], Settings(families=("all",), samples=12)).status.value for d in ds] == ["PROVED", "FAILED"]


def test_written_in_a_note_with_an_infinite_end():
    """TruncatedNormal(0, 1, 0, oo) in a plain-text note: oo is its end, not a name; any other
    distribution still refuses oo (N(0, oo))."""
    ds, errors = load_text("E_{z~TruncatedNormal(0, 1, 0, oo)}[z] = sqrt(2/pi)\nE_{z~TruncatedNormal(0, 1, 0, oo)}[z] = 1\n"
                           "H(N(0, oo)) = 1\n", "n.txt", reader_for("n.txt"))
    assert not errors, errors
    from vi_sym.judge import judge
    from vi_sym.settings import Settings
    assert [judge(d.steps[0], Settings(families=("all",), samples=12)).status.value for d in ds] == ["PROVED", "FAILED"]
    assert any("may only stand as a bound" in n.message for d in ds for n in d.skipped)
