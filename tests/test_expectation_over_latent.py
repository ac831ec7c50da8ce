"""An expectation subscripted by the latent it is over -- ``\\mathbb{E}_{z}[f]``, ``\\mathbb{E}_z[f]``,
Blei et al.'s ``\\mathbb{E}_{z_1}[f]`` in a mean-field note, ``E_z[f]`` and ``E_{z1}[f]`` in plain
text -- is read as the expectation under q over that latent: the q the chain names when it is
over every latent (a VAE's q_φ(z|x)), else q's factor over it (the one the row, the chain or the
``factorised:`` declaration names, q_1(z_1); q(z_1) when none).  A subscript that is no latent
is an error that says so, and a step that swaps the factor is FAILED, never PROVED."""
import pytest

from vi_sym.core import Status
from vi_sym.notation import to_unicode
from vi_sym.settings import Settings
from conftest import load_as, read_as, reasons, statuses_as

SETTINGS = Settings(families=("all",), samples=8, jobs=1, fixes=False)
MEAN_FIELD = "<!-- vi_sym: latent: z_1 z_2 -->\n<!-- vi_sym: factorised: q_1(z_1)*q_2(z_2) -->\n\n"


_load, _read = load_as, read_as


def _steps(text, name="n.md"):
    return [to_unicode(s.lhs) + " = " + to_unicode(s.rhs) for d in read_as(text, name) for s in d.steps]


def _statuses(text, name="n.md"):
    return statuses_as(text, SETTINGS, name)


@pytest.mark.parametrize("sub", [r"\mathbb{E}_{z}", r"\mathbb{E}_z", r"\mathbb{E}_{ z }"])
def test_a_latent_subscript_is_the_expectation_under_q(sub):
    text = f"$$ {sub}[\\log p(x|z)] = \\mathbb{{E}}_{{q(z)}}[\\log p(x|z)] $$\n"
    [step] = _steps(text)
    lhs, rhs = step.split(" = ")
    assert lhs == rhs
    assert _statuses(text) == [Status.PROVED]


def test_in_an_amortised_chain_it_is_the_q_the_chain_names():
    text = ("<!-- vi_sym: parameters: \\phi -->\n\n$$\n\\begin{aligned}\n"
            "\\mathcal{L} &= \\mathbb{E}_{q_\\phi(z \\mid x)}[\\log p(x \\mid z)] - \\mathrm{KL}(q_\\phi(z \\mid x) \\| p(z)) \\\\\n"
            "&= \\mathbb{E}_{z}[\\log p(x \\mid z)] - \\mathrm{KL}(q_\\phi(z \\mid x) \\| p(z))\n"
            "\\end{aligned}\n$$\n")
    ds = _read(text)
    second = ds[0].steps[-1]
    assert "q(z|x,φ)" in to_unicode(second.rhs) and "q(z)" not in to_unicode(second.rhs)


def test_in_a_mean_field_note_it_is_the_declared_factor():
    text = MEAN_FIELD + ("$$\\mathbb{E}_{z_1}[\\log p(x, z_1, z_2)] = \\mathbb{E}_{q_1(z_1)}[\\log p(x, z_1, z_2)]$$\n\n"
                         "$$\\mathbb{E}_{z_1}[\\mathbb{E}_{z_2}[\\log p(x, z_1, z_2)]] = "
                         "\\mathbb{E}_{q_1(z_1) q_2(z_2)}[\\log p(x, z_1, z_2)]$$\n")
    steps = _steps(text)
    assert steps[0].split(" = ")[0] == steps[0].split(" = ")[1]
    assert "q1(z1)" in steps[1] and "q2(z2)" in steps[1] and "q(z" not in steps[1]
    assert _statuses(text) == [Status.PROVED, Status.PROVED]


@pytest.mark.parametrize("wrong", [
    # the other factor
    r"\mathbb{E}_{z_1}[\log p(x, z_1, z_2)] = \mathbb{E}_{q_2(z_2)}[\log p(x, z_1, z_2)]",
    # one factor's negative entropy for the other's
    r"\mathbb{E}_{z_2}[\log q_2(z_2)] = \mathbb{E}_{z_1}[\log q_1(z_1)]",
    # the model's prior for the factor
    r"\mathbb{E}_{z_1}[\log q_1(z_1)] = \mathbb{E}_{z_1}[\log p(z_1)]",
])
def test_a_swapped_factor_is_failed_not_proved(wrong):
    assert _statuses(MEAN_FIELD + f"$${wrong}$$\n") == [Status.FAILED]


def test_without_a_factor_named_it_is_q_over_that_latent():
    text = "<!-- vi_sym: latent: z_1 z_2 -->\n\n$$\\mathbb{E}_{z_1}[\\log q(z_1)] = -\\mathbb{H}[q(z_1)]$$\n"
    assert _steps(text) == ["E_q(z1)[log q(z1)] = -H(q(z1))"]


@pytest.mark.parametrize("sub, what", [(r"\mathbb{E}_{x}", "'x' is not a latent"),
                                       (r"\mathbb{E}_{1}", "'1' is not a latent"),
                                       (r"\mathbb{E}_x", "'x' is not a latent"),
                                       (r"\mathbb{E}_{j}", "unknown variable 'j'")])
def test_a_subscript_that_is_no_latent_is_an_error_that_says_so(sub, what):
    text = f"intro\n\n$$ {sub}[\\log p(x|z)] = \\log p(x) $$\n"
    ds, errors = _load(text)
    assert not any(d.steps for d in ds)
    messages = reasons(ds, errors)
    hit = [m for m in messages if what in m]
    assert hit, messages
    assert any(":3" in m or "line 3" in m for m in messages) or any(
        n.line == 3 for d in ds for n in d.skipped), messages


@pytest.mark.parametrize("text, want", [
    ("latent: z\n\nE_z[log p(x|z)] = E_q(z)[log p(x|z)]\n", "E_q(z)[log p(x|z)] = E_q(z)[log p(x|z)]"),
    ("latent: z\n\nE_{z}[log q(z)] = -H(q(z))\n", "E_q(z)[log q(z)] = -H(q(z))"),
    ("latent: z1 z2\n\nE_z1[log p(x,z1,z2)] = E_q(z1)[log p(x,z1,z2)]\n",
     "E_q(z1)[log p(x,z1,z2)] = E_q(z1)[log p(x,z1,z2)]"),
])
def test_plain_text_reads_the_same_subscripts(text, want):
    assert _steps(text, "n.txt") == [want]


def test_plain_text_says_where_a_subscript_is_no_latent():
    ds, errors = _load("latent: z\n\nE_x[log p(x|z)] = log p(x)\n", "n.txt")
    messages = reasons(ds, errors)
    hit = [m for m in messages if "'x' is not a latent" in m]
    assert hit and "column 1" in hit[0], messages


def test_a_wrong_plain_text_step_with_it_is_failed():
    text = "latent: z\n\nE_z[log q(z)] = E_z[log p(z)]\n"
    assert _statuses(text, "n.txt") == [Status.FAILED]
