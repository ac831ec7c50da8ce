"""The notebook API: text in the .vi notation in (never evaluated), rich results out;
the tutorial notebook runs headlessly without an error."""
import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from sympy import symbols

import vi_sym
from vi_sym.core import Step, Status
from vi_sym.notebook import InputError, check_text, load_text, result_html, vi_sym_magic
from vi_sym.vocabulary import ELBO, KL, Density

ROOT = Path(__file__).resolve().parent.parent
x, z = symbols("x z")
Q, POST, JOINT, EV = Density("q", [z]), Density("p", [z], [x]), Density("p", [x, z]), Density("p", [x])
QUICK = dict(families=("normal-normal",), samples=5)

TWO_STEPS = """
derivation bound
latent: z
observed: x

    log(p(x))
  = ELBO(q(z), p(x,z)) + KL(q(z) || p(z|x))     by elbo_definition, kl_definition, bayes_rule
  >= ELBO(q(z), p(x,z))                          by kl_nonnegative
"""


def test_step_parse_reads_the_vi_notation():
    from sympy import log
    s = Step.parse("KL(q(z)||p(z|x)) = log(p(x)) - ELBO(q(z), p(x,z))")
    assert (s.lhs, s.rel, s.rhs) == (KL(Q, POST), "=", log(EV) - ELBO(Q, JOINT))
    s = Step.parse("log(p(x)) >= ELBO(q(z), p(x,z))  by kl_nonneg")
    assert s.rel == ">=" and s.by == ("kl_nonneg",)
    s = Step.parse("KL(q(Z)||p(Z|X)) >= 0", latent="Z", observed="X", by="kl_nonnegative")
    assert s.by == ("kl_nonnegative",) and s.context.latent == (symbols("Z"),)


@pytest.mark.parametrize("text, words", [
    ("KL(q(z)||p(z|x)) = log(p(x)) - ELBO(q(z), p(x,z)", ["missing ')'", "column 36"]),
    ("KL(q(Z)||p(Z|X)) = 0", ["unknown variable 'Z'"]),
    ("log(p(x))", ["no relation symbol"]),
    ("__import__('os').system('true') = 0", ["column"]),
    ("log(p(x)) >= 0 by no_such_rule", ["unknown rule 'no_such_rule'"]),
    ("a = b\nc = d", ["one step on one line"]),
])
def test_step_parse_bad_text_is_a_clear_error(text, words):
    with pytest.raises(InputError) as err:
        Step.parse(text)
    for w in words:
        assert w in str(err.value)


def test_load_text_returns_derivations_or_names_every_problem():
    ds = vi_sym.load_text(TWO_STEPS)
    assert [d.name for d in ds] == ["bound"] and len(ds[0].steps) == 2
    with pytest.raises(InputError) as err:
        load_text("derivation a\nlatent: z\n\n    log(p(x)\n  = 0\n")
    assert "<text>:4" in str(err.value) or "line 4" in str(err.value)


@pytest.mark.parametrize("keywords, error, words", [
    (dict(latent=5), TypeError, ["latent must be names", "got int 5"]),
    (dict(observed=None), TypeError, ["observed must be names"]),
    (dict(latent="z\n\n  log(p(x))\n  = 0"), InputError, ["latent must be names on one line"]),
])
def test_step_parse_header_keywords_are_checked(keywords, error, words):
    """A header keyword of the wrong type, or one that would add lines to the document, is an
    error naming the keyword (not a TypeError from inside the reader)."""
    with pytest.raises(error) as err:
        Step.parse("log(p(x)) = log(p(x))", by="linearity", **keywords)
    for w in words:
        assert w in str(err.value)


def test_step_parse_takes_a_list_of_names():
    s = Step.parse("KL(q(z1)||p(z1|x)) >= 0", latent=["z1", "z2"], by="kl_nonnegative")
    assert s.context.latent == symbols("z1 z2")


def test_load_text_of_bytes_asks_to_decode():
    with pytest.raises(TypeError) as err:
        load_text(TWO_STEPS.encode())
    assert "load_text needs text (str), got bytes" in str(err.value) and "decode" in str(err.value)


def test_checked_text_renders_as_html():
    checked = check_text(TWO_STEPS, **QUICK)
    assert [r.status for r in checked][:2] == [Status.PROVED, Status.PROVED]
    page = checked._repr_html_()
    assert page.count("<math") >= 3 and 'class="badge PROVED"' in page
    assert checked["bound::2"].relation == ">="


def test_result_html_of_a_failed_step_has_the_counterexample_table():
    r = Step.parse("KL(q(z)||p(z|x)) = ELBO(q(z), p(x,z)) - log(p(x))").check(**QUICK)
    assert r.status is Status.FAILED
    page = r._repr_html_()
    assert 'class="badge FAILED"' in page and 'class="cx"' in page
    assert result_html(r) == page


def test_cell_magic_checks_the_cell():
    checked = vi_sym_magic("--family normal-normal --samples 5", TWO_STEPS)
    assert [r.status for r in checked][:2] == [Status.PROVED, Status.PROVED]
    with pytest.raises(InputError):
        vi_sym_magic("--bogus", TWO_STEPS)


def test_extension_registers_the_magic():
    registered = {}

    class Shell:
        def register_magic_function(self, fn, magic_kind, magic_name):
            registered[(magic_kind, magic_name)] = fn

    vi_sym.load_ipython_extension(Shell())
    assert registered == {("cell", "vi_sym"): vi_sym_magic}


def test_tutorial_runs_headlessly(monkeypatch):
    path = ROOT / "examples" / "tutorial.ipynb"
    nb = nbformat.read(path, as_version=4)
    monkeypatch.setenv("PYTHONPATH", str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    # a hang guard, not a speed test: a cell that errors raises CellExecutionError
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    html = [o for o in outputs if "text/html" in o.get("data", {})]
    assert len(html) >= 3
    assert any("image/png" in o.get("data", {}) for o in outputs)
