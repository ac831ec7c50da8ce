"""The terminal report speaks the learner's notation throughout: statements, residuals,
fixes, proof traces and conclusions never show sympy's repr; -v says why a step is only
SPOT-CHECKED."""
import re

import pytest

from vi_sym.checker import Settings, check_derivations
from vi_sym.core import Status, StepResult
from vi_sym.loader import load_paths
from vi_sym.report import step_lines

SYMPY_SYNTAX = re.compile(r"Integral\(|Expectation\(|Entropy\(|\*\*|\w\*\w|\)\*|\*\(|polygamma")


@pytest.fixture(scope="module")
def note_results():
    derivs, errors = load_paths(["derivations/note_as_written.vi"])
    assert not errors
    chosen = [d for d in derivs if d.name in ("note_kl_route", "note_kl_bound", "note_lower_bound")]
    return check_derivations(chosen, Settings(families=("normal-normal",), samples=5)).results


def test_no_sympy_repr_in_the_terminal(note_results):
    lines = [ln for r in note_results for ln in step_lines(r, verbose=True)]
    assert any("∫ q(z) log" in ln for ln in lines)
    assert any(ln.strip().startswith("fix:") for ln in lines)
    assert any(ln.strip().startswith("proof:") for ln in lines)
    bad = [ln for ln in lines if SYMPY_SYNTAX.search(ln.split("meaning:")[0])]
    assert not bad, bad[:5]


def test_fixes_and_traces_are_in_the_learners_notation(note_results):
    failed = [r for r in note_results if r.status is Status.FAILED]
    # a slip has its fixes; a step that fails only because of the slip before it has none
    assert failed and all(bool(r.fixes) == (r.inherited_from is None) for r in failed)
    for r in failed:
        for fx in r.fixes:
            assert not SYMPY_SYNTAX.search(fx["description"]), fx
            assert not SYMPY_SYNTAX.search(fx["statement"]), fx
        for _, _, res in r.trace:
            assert not SYMPY_SYNTAX.search(res), res
        assert not SYMPY_SYNTAX.search(r.residual), r.residual


def test_verbose_says_why_a_step_is_only_spot_checked():
    r = StepResult("d::1", "d", "1", Status.SPOT_CHECKED, relation="=", statement="a = b",
                   reason="prover timeout: no answer within 20 s", residual="∫ 0 dz")
    lines = step_lines(r, verbose=True)
    assert any("not proved: prover timeout" in ln for ln in lines)
    assert any("residual: ∫ 0 dz" in ln for ln in lines)
    assert not any("not proved" in ln for ln in step_lines(r, verbose=False))


def test_pi_and_eulers_number_print_as_a_note_writes_them():
    import sympy
    from vi_sym.notation import to_unicode, to_vi
    s, e = sympy.Symbol("s", positive=True), sympy.Symbol("e")
    assert to_unicode(sympy.log(2 * sympy.E * sympy.pi * s ** 2) / 2) == "log(2 e π s²)/2"
    assert to_unicode(sympy.sqrt(2 * sympy.pi) * s) == "s sqrt(2) sqrt(π)"
    # beside a variable named e, Euler's number stays exp(1): never two meanings of one letter
    assert to_unicode(sympy.E * e) == "exp(1) e"
    assert to_unicode(sympy.EulerGamma * (1 - 1 / s)) == "(1 - 1/s) γ"       # γ, read back as EulerGamma
    # the .vi notation is still what the parser reads back
    assert to_vi(sympy.E * sympy.pi) == "exp(1)*pi"
