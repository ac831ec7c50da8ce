"""Distributions as closed-form tables write them: short names (Geom, Poi, NB, Ber, Ga, Binom,
InvGauss) and the chi-squared as χ²(k) / χ²_k; a Binomial's trials must be a number written out."""
import pytest

from vi_sym.core import Status
from vi_sym.settings import Settings

from conftest import load_as, reasons, statuses_as

SETTINGS = Settings(families=("all",), samples=10, jobs=1, fixes=False)


@pytest.mark.parametrize("row, status", [
    (r"\mathbb{E}_{\mathrm{Geom}(\rho)}[z] = \frac{1-\rho}{\rho}", Status.PROVED),
    (r"\mathbb{E}_{\mathrm{Geom}(\rho)}[z] = \frac{1}{\rho}", Status.FAILED),      # failures, not trials
    (r"\mathbb{E}_{\mathrm{Poi}(\lambda)}[z] = \lambda", Status.PROVED),
    (r"\mathbb{E}_{\mathrm{NB}(r, \rho)}[z] = \frac{r(1-\rho)}{\rho}", Status.PROVED),
    (r"H(\mathrm{Ber}(\rho)) = -\rho\log\rho - (1-\rho)\log(1-\rho)", Status.PROVED),
    (r"H(\mathrm{Ber}(\rho)) = -\rho\log\rho", Status.FAILED),
    (r"\mathbb{E}_{\mathrm{Ga}(\alpha, \beta)}[z] = \frac{\alpha}{\beta}", Status.PROVED),
    (r"\mathbb{E}_{\mathrm{Binom}(4, \rho)}[z] = 4\rho", Status.PROVED),
    (r"\mathbb{E}_{\chi^2(k)}[z] = k", Status.PROVED),
    (r"\mathbb{E}_{\chi^2_k}[z] = k", Status.PROVED),
    (r"\mathbb{E}_{z \sim \chi^{2}_{\nu}}[z^2] = \nu^2 + 2\nu", Status.PROVED),
    (r"\mathbb{E}_{z \sim \chi^2_k}[z^2] = k^2 + k", Status.FAILED),
    (r"\mathbb{E}_{\chi^2_3}[z] = 3", Status.PROVED),
    # the names other tables use: a Gaussian with its variance, as N; Wald, Fisk, double exponential
    (r"\mathbb{H}[\mathrm{Gaussian}(\mu, \sigma^2)] = \frac{1}{2}\log(2\pi e \sigma^2)", Status.PROVED),
    (r"\mathbb{H}[\mathrm{Gaussian}(\mu, \sigma)] = \frac{1}{2}\log(2\pi e \sigma^2)", Status.FAILED),
    (r"\mathbb{E}_{z \sim \mathrm{Wald}(\mu, \lambda)}[z] = \mu", Status.PROVED),
    (r"\mathbb{H}[\mathrm{DoubleExponential}(\mu, \beta)] = 1 + \log(2\beta)", Status.PROVED),
    (r"\mathbb{E}_{z \sim \mathrm{Fisk}(\alpha, \beta)}[\log z] = \log\alpha", Status.PROVED),
])
def test_short_names_and_the_chi_squared_read_as_their_distributions(row, status):
    assert statuses_as(f"$${row}$$\n", SETTINGS) == [status]


def test_plain_text_reads_the_short_names_too():
    assert statuses_as("E_{z~Geom(ρ)}[z] = (1 - ρ)/ρ\n", SETTINGS, "n.txt") == [Status.PROVED]


@pytest.mark.parametrize("text, name", [
    (r"$$\mathbb{E}_{\mathrm{Binom}(n, \rho)}[z] = n\rho$$" "\n", "n.md"),
    ("E_{z~Binomial(n, t)}[z] = n t\n", "n.txt"),
])
def test_a_binomial_with_a_symbolic_number_of_trials_says_to_write_it_out(text, name):
    ds, errors = load_as(text, name)
    said = " ".join(reasons(ds, errors))
    assert "number of trials must be a whole number written out, not 'n'" in said
    assert not [s for d in ds for s in d.steps]


def test_chi_squared_is_read_only_before_its_argument():
    ds, errors = load_as("<!-- vi_sym: parameters: χ -->\n$$\\chi^2 + 1 = 1 + \\chi^2$$\n")
    assert [s for d in ds for s in d.steps]          # χ squared, a parameter: no distribution


@pytest.mark.parametrize("name, text", [
    ("n.md", r"""$$D_{KL}(\mathrm{Bern}(p) \| \mathrm{Bern}(q)) = p \log\frac{p}{q} + (1-p)\log\frac{1-p}{1-q}$$

$$D_{KL}(\mathrm{Bern}(p) \| \mathrm{Bern}(q)) = p \log\frac{p}{q}$$

\begin{align}
H(\mathrm{Bern}(p)) &= -p\log p - (1-p)\log(1-p) \\
&= -p\log p - \log(1-p) + p\log(1-p)
\end{align}

$$\log p(x) = \mathcal{L}(q) + \mathrm{KL}(q \| p)$$
"""),
    ("n.txt", """KL(Bern(p) || Bern(q)) = p log(p/q) + (1-p) log((1-p)/(1-q))
KL(Bern(p) || Bern(q)) = p log(p/q)

H(Bern(p)) = -p log p - (1-p) log(1-p)
           = -p log p - log(1-p) + p log(1-p)

log p(x) = ELBO(q) + KL(q || p)
"""),
])
def test_p_and_q_written_as_a_distributions_argument_are_numbers_in_that_chain_only(name, text):
    """Closed-form tables write Bern(p), KL(Bern(p) || Bern(q)): there p and q are probabilities.
    The chain after it keeps them; the next chain's bare p and q are the model's densities again."""
    ds, errors = load_as(text, name)
    assert not errors
    said = " ".join(w.message for d in ds for w in d.warnings)
    assert "p as a parameter in (0, 1)" in said
    assert statuses_as(text, SETTINGS, name) == [Status.PROVED, Status.FAILED, Status.PROVED, Status.PROVED,
                                                 Status.PROVED]
    last = [s for d in ds for s in d.steps][-1]
    assert "KL(q(z)||p(z|x))" in str(last.rhs)
