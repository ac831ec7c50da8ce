"""A sum over a latent's values written without limits -- Wikipedia's and Bishop's
``\\sum_{\\mathbf{Z}} Q(\\mathbf{Z}) \\log \\frac{Q(\\mathbf{Z})}{P(\\mathbf{Z} \\mid \\mathbf{X})}`` -- is the
integral over it (against its counting measure for a discrete latent: every rule vi_sym uses holds
for any base measure).  Wikipedia's derivation of log P(X) = D_KL(Q ‖ P) + L(Q) is proved, a sign
slip in it is FAILED with its fix, and a sum without limits over anything but a latent is an error
at its column that says what is read."""
import pytest

from vi_sym.checker import check_derivations
from vi_sym.core import Status
from vi_sym.notation import to_unicode
from vi_sym.settings import Settings
from conftest import load_as, read_as, reasons

SETTINGS = Settings(families=("all",), samples=8, jobs=1, fixes=True)

WIKIPEDIA = r"""$$
\begin{aligned}
D_{\mathrm{KL}}(Q \parallel P) &\triangleq \sum_{\mathbf{Z}} Q(\mathbf{Z}) \log \frac{Q(\mathbf{Z})}{P(\mathbf{Z}\mid \mathbf{X})} \\
&= \sum_{\mathbf{Z}} Q(\mathbf{Z}) \log \frac{Q(\mathbf{Z})}{P(\mathbf{Z},\mathbf{X})} + \log P(\mathbf{X})
\end{aligned}
$$

$$
\log P(\mathbf{X}) = D_{\mathrm{KL}}(Q \parallel P) - \sum_{\mathbf{Z}} Q(\mathbf{Z}) \log \frac{Q(\mathbf{Z})}{P(\mathbf{Z},\mathbf{X})} = D_{\mathrm{KL}}(Q\parallel P) + \mathcal{L}(Q)
$$
"""


_load = load_as


def _results(text):
    return check_derivations(read_as(text), SETTINGS).results


def test_wikipedias_derivation_is_proved():
    results = _results(WIKIPEDIA)
    assert [r.status for r in results] == [Status.PROVED] * 4


def test_the_sum_is_the_integral_over_the_latent():
    ds, _ = _load("$$ \\sum_z q(z) \\log q(z) = -\\mathbb{H}[q(z)] $$\n")
    [step] = ds[0].steps
    assert to_unicode(step.lhs) == "∫ q(z) log q(z) dz"


def test_a_slip_in_it_is_failed_with_its_fix():
    slip = WIKIPEDIA.replace(r"+ \log P(\mathbf{X})", r"- \log P(\mathbf{X})")
    results = _results(slip)
    assert [r.status for r in results] == [Status.PROVED, Status.FAILED, Status.PROVED, Status.PROVED]
    assert [(f["description"], f["verdict"]) for f in results[1].fixes] == [
        ("log p(X) instead of -log p(X) on the right", "PROVED")]


@pytest.mark.parametrize("row, name", [(r"\sum_{x} q(z) = 1", "x"), (r"\sum_j q(z) = 1", "j"),
                                       (r"\sum_{\mathbf{X}} q(z) = 1", "X")])
def test_a_sum_without_limits_over_no_latent_is_an_error_at_its_column(row, name):
    ds, errors = _load(f"text\n\n$$ {row} $$\n")
    assert not any(d.steps for d in ds)
    messages = reasons(ds, errors)
    assert any(f"'{name}' is not a latent" in m and "column 4" in m for m in messages), messages


def test_a_product_over_a_latent_still_needs_its_limits():
    ds, errors = _load("text\n\n$$ \\prod_{z} q(z) = 1 $$\n")
    messages = reasons(ds, errors)
    assert not any(d.steps for d in ds) and any("\\prod" in m for m in messages), messages


@pytest.mark.parametrize("sum_", ["Σ_z", "sum_z", "Σ_{z}"])
def test_plain_text_reads_the_same_sum(sum_):
    text = f"KL(q||p) = {sum_} q(z) log(q(z)/p(z|x))\n"
    [d] = read_as(text, "n.txt")
    assert to_unicode(d.steps[0].rhs) == "∫ q(z) log(q(z)/p(z|x)) dz"
    assert [r.status for r in check_derivations([d], SETTINGS).results] == [Status.PROVED]


def test_a_plain_text_slip_under_the_sum_is_failed():
    [d] = read_as("KL(q||p) = Σ_z q(z) log(p(z|x)/q(z))\n", "n.txt")
    assert [r.status for r in check_derivations([d], SETTINGS).results] == [Status.FAILED]


def test_a_plain_text_sum_over_an_observed_name_is_still_refused():
    ds, errors = load_as("Σ_x q(z) = 1\n", "n.txt")
    assert not any(d.steps for d in ds)
    assert any("'x' is the index of this sum" in m for m in reasons(ds, errors)), reasons(ds, errors)


def test_the_variable_a_written_distribution_names_is_a_latent():
    # PRML writes Gam(τ | a, b) with τ declared nowhere: what the entropy integrates over
    row = r"$$\mathbb{H}[\mathrm{Gam}(\tau \mid a, b)] = a - \ln b + \ln\Gamma(a) + (1 - a)\psi(a)$$" + "\n"
    assert [r.status for r in check_derivations(read_as(row), SETTINGS).results] == [Status.PROVED]
    slip = row.replace("(1 - a)", "(1 + a)")
    assert [r.status for r in check_derivations(read_as(slip), SETTINGS).results] == [Status.FAILED]


def test_a_latent_a_row_introduces_is_said_in_a_warning():
    text = ("$$\\mathbb{E}_{\\epsilon \\sim \\mathcal{N}(0, 1)}[\\epsilon^2] = 1$$\n\n"
            "$$\\mathbb{H}[\\mathrm{Gam}(\\tau \\mid a, b)] = a - \\ln b + \\ln\\Gamma(a) + (1 - a)\\psi(a)$$\n")
    said = [str(w) for d in read_as(text) for w in d.warnings]
    assert any("read ε as a latent variable" in w for w in said), said
    assert any("read τ as a latent variable" in w for w in said), said
