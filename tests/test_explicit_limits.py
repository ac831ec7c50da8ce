"""Integrals of a defined density over explicit limits: tail probabilities, CDFs, partial
expectations.  ``∫_a^b f q dz`` is the expectation of f·(H(z - a) - H(z - b)) under q
(:func:`vi_sym.claims.structure.windowed`); the proof cuts the support to the window, each cut
proved from the domains (:mod:`vi_sym.claims.windows`), and the quadrature splits at a and b."""
from __future__ import annotations

import pytest
import sympy

from vi_sym.checker import Settings, check_derivations
from vi_sym.claims.structure import NotEvaluable, windowed
from vi_sym.claims.windows import window
from vi_sym.distributions import ConcreteDensity, distribution_functions
from vi_sym.frontends import load_text, reader_for

SETTINGS = Settings(families=("all",), samples=12, jobs=1, fixes=False)
z = sympy.Symbol("z")


def _status(header: str, lhs: str, rhs: str) -> str:
    ds, errors = load_text(f"derivation d\nlatent: z\n{header}\n\n    {lhs}\n  = {rhs}\n", "d.vi")
    assert not errors, errors
    (result,) = check_derivations(ds, SETTINGS).results
    return result.status.name


EXP = "positive: l t\ndefine q(z) = Exponential(z, l)"


@pytest.mark.parametrize("lhs,rhs,status", [
    ("integrate(q(z), (z, t, oo))", "exp(-l*t)", "PROVED"),
    ("integrate(q(z), (z, t, oo))", "1 - exp(-l*t)", "FAILED"),
    ("integrate(q(z), (z, 0, t))", "1 - exp(-l*t)", "PROVED"),
    ("integrate(q(z), (z, oo, t))", "-exp(-l*t)", "PROVED"),           # ∫_b^a = -∫_a^b
    ("integrate(q(z), (z, t, 2*t))", "exp(-l*t) - exp(-2*l*t)", "PROVED"),
    ("integrate(q(z), (z, 2*t, t))", "exp(-l*t) - exp(-2*l*t)", "FAILED"),
    ("integrate(z*q(z), (z, 0, t))", "(1 - exp(-l*t)*(1 + l*t))/l", "PROVED"),
    ("integrate(z*q(z), (z, 0, t))", "(1 - exp(-l*t))/l", "FAILED"),
])
def test_exponential_windows(lhs, rhs, status):
    assert _status(EXP, lhs, rhs) == status


def test_a_threshold_of_unknown_sign_is_never_cut_by_a_guess():
    """With t of any sign the support (0, ∞) and the window (t, ∞) cannot be ordered: the
    formula exp(-l t), wrong for t < 0, is refuted there, never PROVED."""
    header = "positive: l\nparameters: t\ndefine q(z) = Exponential(z, l)"
    assert _status(header, "integrate(q(z), (z, t, oo))", "exp(-l*t)") == "FAILED"


def test_gaussian_cdf_written_with_erf_or_erfc():
    header = "parameters: m t\npositive: s\ndefine q(z) = Normal(z, m, s)"
    assert _status(header, "integrate(q(z), (z, -oo, t))", "(1 + erf((t - m)/(sqrt(2)*s)))/2") == "PROVED"
    assert _status(header, "integrate(q(z), (z, t, oo))", "erfc((t - m)/(sqrt(2)*s))/2") == "PROVED"
    assert _status(header, "integrate(q(z), (z, t, oo))", "erfc((t - m)/s)/2") == "FAILED"


def test_only_continuous_one_variable_densities_get_a_window():
    l = sympy.Symbol("l", positive=True)
    q = ConcreteDensity("q", [z], [], distribution_functions()["Exponential"](z, l))
    p = ConcreteDensity("p", [z], [], distribution_functions()["Poisson"](z, l))
    assert not windowed(sympy.Integral(q, (z, 1, 2))).limits[0][1:]          # windowed: no limits left
    assert windowed(sympy.Integral(p, (z, 1, 2))).limits[0][1:] == (1, 2)   # a count support: as written
    assert windowed(sympy.Integral(z, (z, 1, 2))) == sympy.Integral(z, (z, 1, 2))


def test_window_cuts_and_refuses():
    t, u = sympy.Symbol("t", positive=True), sympy.Symbol("u", real=True)
    assert window(sympy.Heaviside(z - t), z, 0, sympy.oo) == (1, t, sympy.oo)
    assert window(-sympy.Heaviside(2 * t - z) * z, z, 0, sympy.oo) == (-z, 0, 2 * t)
    assert window(sympy.Heaviside(z - t) * sympy.Heaviside(t / 2 - z), z, 0, sympy.oo)[0] == 0   # empty
    with pytest.raises(NotEvaluable, match="ordered"):
        window(sympy.Heaviside(z - u), z, 0, sympy.oo)
    with pytest.raises(NotEvaluable):
        window(sympy.Heaviside(z ** 2 - t), z, 0, sympy.oo)


def test_latex_integrals_over_explicit_limits():
    text = ("<!-- vi_sym: positive: t -->\n\nLet $q(z) = \\mathrm{Exp}(z; \\lambda)$.\n\n"
            "$$\\int_t^\\infty q(z) \\, dz = e^{-\\lambda t}$$\n\n"
            "$$\\int_{0}^{t} q(z) \\, dz = e^{-\\lambda t}$$\n\n"
            "$$\\log \\infty = 1$$\n")
    ds, errors = load_text(text, "n.md", reader_for("n.md"))
    assert not errors, errors
    statuses = [r.status.name for r in check_derivations(ds, SETTINGS).results]
    assert statuses == ["PROVED", "FAILED"]
    assert any("unexpected '\\infty'" in n.message for n in ds[0].skipped)


@pytest.mark.parametrize("g,expected", [
    ("Heaviside(z - a)", ["a"]),
    ("Abs(c - z)*z", ["c"]),
    ("sign(2*z - b)", ["b/2"]),
    ("Max(z, c) + Min(1, z)", ["1", "c"]),
    ("Abs(z**2 - c) + Abs(log(z))", []),          # not linear in z: no point to split at
    ("Abs(c)", []),                                # free of z
])
def test_the_quadrature_splits_at_every_kink_linear_in_the_variable(g, expected):
    from vi_sym.claims.structure import window_ends
    assert [str(x) for x in window_ends(sympy.sympify(g), z)] == expected


def test_a_kink_inside_the_support_is_integrated_in_float64_and_checked():
    """E|c - z| under a Normal at an ordinary point: the kink at c is a breakpoint, so the
    float64 rule converges (no mpmath integral is taken) and the value is the closed form."""
    import mpmath
    from vi_sym.numeric import plain
    from vi_sym.spot.claims import side_value
    ds, errors = load_text("derivation d\nlatent: z\nparameters: m c\npositive: s\ndefine q(z) = Normal(z, m, s)\n\n"
                           "    E_q(z)[abs(z - c)]\n  = s\n", "d.vi")
    assert not errors, errors
    taken = []
    real = plain.spend_fallback

    def spy(dps, times=1):
        if mpmath.mp.dps <= dps:
            taken.append(times)
        return real(dps, times)
    plain.spend_fallback = spy
    try:
        value, err = side_value(ds[0].steps[0].lhs, {"m": 0.0, "s": 1.0, "c": 0.0743741279917316})
    finally:
        plain.spend_fallback = real
    c = 0.0743741279917316
    exact = (mpmath.sqrt(2 / mpmath.pi) * mpmath.exp(-c ** 2 / 2) + c * mpmath.erf(c / mpmath.sqrt(2)))
    assert not taken
    assert abs(value - exact) < 1e-9 and err < 1e-6
