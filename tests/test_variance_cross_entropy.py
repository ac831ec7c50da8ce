"""The variance ``Var_q[f]`` and the cross-entropy ``H(q, r)`` as notes, LaTeX and ``.vi`` files
write them, each read as its definition (E_q[f²] - E_q[f]², -E_q[log r]): closed forms PROVED,
slips FAILED, a wrong spelling an error at its column."""
from __future__ import annotations

import pytest
import sympy

from vi_sym.checker import Settings, check_derivations
from vi_sym.frontends import load_text, reader_for
from vi_sym.vocabulary import Density, Expectation, entropy, variance

SETTINGS = Settings(families=("all",), samples=12, jobs=1, fixes=False)


def _verdicts(text: str, suffix: str) -> dict:
    ds, errors = load_text(text, f"n{suffix}", reader_for(f"n{suffix}"))
    assert not errors, errors
    out: dict = {}
    for r in check_derivations(ds, SETTINGS).results:
        if not r.step_id.endswith("'"):
            out.setdefault(r.note_line or r.step_id, []).append(r.status.name)
    return out


def test_the_definitions():
    z = sympy.Symbol("z")
    q, r = Density("q", [z]), Density("r", [z])
    assert variance(q, z) == Expectation(q, z ** 2) - Expectation(q, z) ** 2
    assert entropy(q, r) == -Expectation(q, sympy.log(r))
    with pytest.raises(ValueError, match="H\\(\\) takes a density, or two"):
        entropy(q, r, q)


def test_plain_text():
    note = ("H(q(z), r(z)) = H(q(z)) + KL(q(z) || r(z))\n"
            "q(z) = Gamma(z; a, b)\nVar_q[z] = a/b^2\nVar_q(z)[z] = a/b\n"
            "Var_{z~N(m, s^2)}[z] = s^2\nVar_{z~N(m, s^2)}[z] = s\n"
            "H(N(m1, s1^2), N(m2, s2^2)) = log(2 π s2^2)/2 + (s1^2 + (m1 - m2)^2)/(2 s2^2)\n"
            "H(N(m1, s1^2), N(m2, s2^2)) = log(2 π s2^2)/2 + (s1^2 + (m1 - m2)^2)/(2 s2)\n")
    assert _verdicts(note, ".txt") == {1: ["PROVED"], 3: ["PROVED"], 4: ["FAILED"], 5: ["PROVED"],
                                       6: ["FAILED"], 7: ["PROVED"], 8: ["FAILED"]}


def test_latex():
    text = ("$$\\mathrm{Var}_{z \\sim \\mathrm{Gamma}(a, b)}[z] = \\frac{a}{b^2}$$\n\n"
            "$$\\operatorname{Var}_{z \\sim \\mathrm{Gamma}(a, b)}[z] = \\frac{a}{b}$$\n\n"
            "$$\\mathbb{H}[q, p] = \\mathbb{H}[q] + D_{KL}(q \\| p)$$\n\n"
            "$$\\mathbb{H}[q, p] = \\mathbb{H}[q] - D_{KL}(q \\| p)$$\n")
    assert _verdicts(text, ".md") == {1: ["PROVED"], 3: ["FAILED"], 5: ["PROVED"], 7: ["FAILED"]}


def test_vi_files():
    text = ("derivation v\nlatent: z\npositive: a b\ndefine q(z) = Beta(z, a, b)\n\n"
            "    Var_q(z)[z]\n  = a*b/((a + b)^2*(a + b + 1))\n\n"
            "derivation w\nlatent: z\npositive: a b\ndefine q(z) = Beta(z, a, b)\n\n"
            "    Var_q(z)[z]\n  = a*b/((a + b)^2*(a + b - 1))\n")
    assert sorted(v for vs in _verdicts(text, ".vi").values() for v in vs) == ["FAILED", "PROVED"]


@pytest.mark.parametrize("text,suffix,says", [
    ("H(q(z), r(z), q(z)) = 0\n", ".txt", "H() takes a density, or two"),
    ("Var_q z = 0\n", ".txt", "Var_q is written as an expectation is"),
    ("$$\\mathbb{H}(q \\| p) = 0$$\n", ".md", "separates its densities by ','"),
])
def test_wrong_spellings_are_errors_at_their_column(text, suffix, says):
    ds, errors = load_text(text, f"n{suffix}", reader_for(f"n{suffix}"))
    reasons = " ".join(e.message for e in errors) + " ".join(n.message for d in ds for n in d.skipped)
    assert says in reasons and "column" in reasons
