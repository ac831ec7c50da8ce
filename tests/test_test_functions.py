"""An arbitrary function written in a note, f(z), g(x, z), as the reparameterisation identity
E_{N(μ, σ²)}[f(z)] = E_{N(0, 1)}[f(μ + σε)] writes it: read as ``functions: f`` declares one in a
``.vi`` file (said in a warning), PROVED by the change of variables and, written wrong, FAILED by a
test function that tells the two sides apart; a letter the note declares stays a variable."""
from __future__ import annotations

import pytest

from vi_sym.frontends import load_text, reader_for
from vi_sym.judge import judge
from vi_sym.settings import Settings

LATEX = ("$$\\mathbb{{E}}_{{z \\sim \\mathcal{{N}}(\\mu, \\sigma^2)}}[f(z)] = "
         "\\mathbb{{E}}_{{\\epsilon \\sim \\mathcal{{N}}(0, 1)}}[f(\\mu + {scale}\\epsilon)]$$\n")
TEXT = "E_{{z~N(μ, σ^2)}}[f(z)] = E_{{ε~N(0, 1)}}[f(μ + {scale}*ε)]\n"


@pytest.mark.parametrize("template, name", [(LATEX, "n.md"), (TEXT, "n.txt")])
@pytest.mark.parametrize("scale, expected", [("\\sigma", "PROVED"), ("\\sigma^2", "FAILED")])
def test_the_reparameterisation_of_an_arbitrary_function(template, name, scale, expected):
    scale = scale if name == "n.md" else scale.replace("\\sigma", "σ")
    ds, errors = load_text(template.format(scale=scale), name, reader_for(name))
    assert not errors, errors
    assert judge(ds[0].steps[0], Settings(families=("all",), samples=10)).status.value == expected
    said = [w.message for d in ds for w in d.warnings]
    assert sum("read f as an arbitrary real function" in m for m in said) == 1


@pytest.mark.parametrize("text, name", [
    ("<!-- vi_sym: positive: f -->\n\n$$\\mathbb{E}_{z \\sim \\mathrm{Exp}(f)}[z] = 1/(f(2 - 1))$$\n", "n.md"),
    ("positive: f\nE_{z~Exp(f)}[z] = 1/(f(2 - 1))\n", "n.txt"),
])
def test_a_declared_letter_before_a_bracket_multiplies(text, name):
    ds, errors = load_text(text, name, reader_for(name))
    assert not errors, errors
    assert judge(ds[0].steps[0], Settings(families=("all",), samples=10)).status.value == "PROVED"
