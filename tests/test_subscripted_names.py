"""A letter-subscripted name outside any sum over that letter is a name of its own, as closed
forms write parameters (μ_q, σ_p, Pareto's x_m) -- inside a sum, or on a declared vector, it is
still a coordinate, and a latent's block z_j outside a sum still says what is read instead."""
import pytest

from vi_sym.core import Status
from vi_sym.settings import Settings

from conftest import load_as, reasons, statuses_as

SETTINGS = Settings(families=("all",), samples=10, jobs=1, fixes=False)
KL = (r"D_{KL}(\mathcal{N}(\mu_q, \sigma_q^2) \| \mathcal{N}(\mu_p, \sigma_p^2)) = \log\frac{\sigma_p}{\sigma_q} "
      r"+ \frac{\sigma_q^2 + (\mu_q - \mu_p)^2}{2\sigma_p^2} - \frac{1}{2}")


@pytest.mark.parametrize("row, status", [
    (KL, Status.PROVED),
    (KL.replace(r"- \frac{1}{2}", "- 1"), Status.FAILED),
    (r"H(\mathrm{Pareto}(x_m, \alpha)) = \log\frac{x_m}{\alpha} + \frac{1}{\alpha} + 1", Status.PROVED),
])
def test_subscripted_parameters_read_as_names(row, status):
    assert statuses_as(f"$${row}$$\n", SETTINGS) == [status]


def test_the_names_are_said_with_their_domains():
    ds, errors = load_as(f"$${KL}$$\n")
    assert not errors
    said = " ".join(w.message for d in ds for w in d.warnings)
    assert "μq as a real parameter, σq as a positive parameter" in said


@pytest.mark.parametrize("text, message", [
    (r"$$\mu_q = \mu_q + 1$$" "\n", "unknown variable 'μq'"),
    ("<!-- vi_sym: parameters: \\sigma[1..J] -->\n<!-- vi_sym: positive: J -->\n$$\\sigma_j = 1$$\n",
     "'j' is not the index of an enclosing sum"),
    (r"$$\log q_1(z_j) = 0$$" "\n", "'j' is not the index of an enclosing sum"),
])
def test_coordinates_and_blocks_outside_a_sum_are_still_errors(text, message):
    ds, errors = load_as(text)
    assert message in " ".join(reasons(ds, errors))
