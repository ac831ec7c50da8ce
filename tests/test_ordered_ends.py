"""A distribution written in a formula whose ends must be ordered -- Uniform(a, b), Arcsine(a, b),
Triangular(a, b, c) -- reads its upper end as the lower one plus a new positive parameter named by
the difference (b = a + (b − a)), as the published closed forms mean it ("for a < b"), and says so;
a right closed form is then PROVED and a slip FAILED, in plain text and in LaTeX.  An end the note
declares otherwise (positive, or a formula) is not reinterpreted: the error asks for the order."""
import pytest

from vi_sym.checker import check_derivations
from vi_sym.core import Status
from vi_sym.frontends import load_text, reader_for
from vi_sym.frontends.transcribe import vi_name
from vi_sym.settings import Settings

SETTINGS = Settings(families=("all",), samples=10, jobs=1, fixes=False)


def _check(text, name="n.txt"):
    ds, errors = load_text(text, name, reader_for(name))
    assert not errors, errors
    results = check_derivations(ds, SETTINGS).results
    return [r.status for r in results if not r.step_id.endswith("'")], [n.message for d in ds for n in d.warnings]


@pytest.mark.parametrize("text, name", [
    ("H(Uniform(a, b)) = log(b - a)\n", "n.txt"),
    ("E_{z~Uniform(a, b)}[z] = (a + b)/2\n", "n.txt"),
    ("E_{z~Uniform(a, b)}[(z - (a + b)/2)^2] = (b - a)^2/12\n", "n.txt"),
    ("H(Arcsine(a, b)) = log(pi*(b - a)/4)\n", "n.txt"),
    ("H(Triangular(a, b, c)) = 1/2 + log((b - a)/2)\n", "n.txt"),
    ("$$ \\mathbb{H}[\\mathcal{U}(a, b)] = \\log(b - a) $$\n", "n.md"),
    ("$$ h(\\mathcal{U}(a, b)) = \\ln(b - a) $$\n", "n.md"),
    ("$$ \\mathbb{E}_{z \\sim \\mathrm{Uniform}(a, b)}[z^2] = \\frac{a^2 + ab + b^2}{3} $$\n", "n.md"),
])
def test_a_closed_form_over_ordered_ends_is_proved_and_says_how_it_read_them(text, name):
    statuses, warnings = _check(text, name)
    assert statuses == [Status.PROVED]
    assert any("needs b > " in w and "(b − " in w for w in warnings), warnings


@pytest.mark.parametrize("text", [
    "H(Uniform(a, b)) = log(b - a) + 1\n",
    "E_{z~Uniform(a, b)}[(z - (a + b)/2)^2] = (b - a)^2/6\n",
    "H(Triangular(a, b, c)) = log(b - a)\n",
])
def test_a_slip_over_ordered_ends_is_failed(text):
    assert _check(text)[0] == [Status.FAILED]


def test_an_end_declared_positive_is_not_reinterpreted():
    ds, errors = load_text("positive: b\nH(Uniform(a, b)) = log(b - a)\n", "n.txt", reader_for("n.txt"))
    assert not ds and "the upper end must exceed the lower end" in errors[-1].message


def test_the_new_parameter_has_a_name_a_vi_file_can_declare():
    assert vi_name("(b − a)") == "b_minus_a" and vi_name("σ1") == "σ1"


@pytest.mark.parametrize("text, status", [
    ("KL(Uniform(a, b) || Uniform(a, b)) = 0\n", Status.PROVED),
    ("KL(N(m, s^2) || N(m, s^2)) = 0\n", Status.PROVED),
    ("KL(N(m, s^2) || N(m, s^2)) = 1\n", Status.FAILED),
])
def test_the_kl_of_a_written_distribution_with_itself_is_zero(text, status):
    assert _check(text)[0] == [status]
