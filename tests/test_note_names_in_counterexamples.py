"""A FAILED step's counterexample speaks the note's names: a family evaluates the step in its own
coordinates (z, z1, z2, x), and what it reports is written back as μ, τ, D -- never with a name
that the family uses for another of its values."""
from __future__ import annotations

from vi_sym.core import Status
from vi_sym.frontends import load_text
from vi_sym.frontends.markdown import read_markdown
from vi_sym.judge import judge
from vi_sym.settings import Settings
from vi_sym.spot.base import SpotResult
from vi_sym.spot.names import in_note_names

PRML = ("<!-- vi_sym: latent: \\mu \\tau -->\n<!-- vi_sym: observed: D -->\n\n"
        "The factorised approximation is $q(\\mu, \\tau) = q_\\mu(\\mu) q_\\tau(\\tau)$.\n\n"
        "$$\\log q_\\mu^*(\\mu) = \\mathbb{E}_{\\tau}[\\log p(D \\mid \\mu, \\tau) + \\log p(\\mu \\mid \\tau)]"
        " + \\text{const}$$\n\n"
        "$$\\log q_\\tau^*(\\tau) = \\mathbb{E}_{\\mu}[\\log p(D \\mid \\mu, \\tau)] + \\log p(\\tau) + \\text{const}$$\n")


def test_bishops_factors_named_by_their_variable_and_the_counterexample_in_his_names():
    derivs, errors = load_text(PRML, "prml.md", read_markdown)
    assert not errors, errors
    right, wrong = (judge(d.steps[0], Settings(families=("all",))) for d in derivs)
    assert right.status is Status.PROVED
    assert wrong.status is Status.FAILED
    failed = [f for f in wrong.families if f["status"] == "FAILED"]
    assert failed
    meaning = failed[0]["counterexample"]["meaning"]
    assert "const(τ)" in meaning and "z2" not in meaning and "z1" not in meaning
    assert "τ" in failed[0]["counterexample"]["params"] and "D" in failed[0]["counterexample"]["params"]


def _failed(params, reason="it depends on z2"):
    return SpotResult("fam", "FAILED", 3, 3, 1.0, {"params": params, "meaning": reason}, reason)


def test_names_are_swapped_in_one_pass_and_never_collide():
    res = in_note_names(_failed({"z1": 1.0, "z2": 2.0}, "z1 then z2"), {"z1": "z2", "z2": "z1"})
    assert res.counterexample["params"] == {"z2": 1.0, "z1": 2.0}
    assert res.reason == "z2 then z1"
    clash = _failed({"x": [1.0], "s": 0.5}, "x and s")       # the note's data is named s: no renaming
    assert in_note_names(clash, {"x": "s"}) is clash
    assert in_note_names(_failed({"xx": 1.0}, "xx, x"), {"x": "y"}).reason == "xx, y"
