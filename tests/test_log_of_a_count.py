"""A bare log of a number takes the bracket or sum written after it: ``\\log \\frac{1}{2}\\left(a + b\\right)``
is log((a + b)/2) and the importance-weighted bound's ``\\log \\frac{1}{K}\\sum_{k=1}^{K} w_k`` the log of the
average -- it was log(1/2)·(a + b), and the K = 2 bound came out FAILED, a false alarm.  A log of
a density or of a symbol still stops at a bracket, and ``\\log(2)(a + b)`` is still log 2 · (a + b)."""
import pytest

from vi_sym.core import Status
from vi_sym.notation import to_unicode
from vi_sym.settings import Settings
from conftest import read_as, statuses_as

SETTINGS = Settings(families=("all",), samples=8, jobs=1, fixes=False)
HEADER = "<!-- vi_sym: positive: a b s K w[1..K] -->\n\n"


def _lhs(row):
    return to_unicode(read_as(HEADER + f"$${row} = 0$$\n")[0].steps[0].lhs)


@pytest.mark.parametrize("row, read", [
    (r"\log \frac{1}{2}\left(a + b\right)", "log(a/2 + b/2)"),
    (r"\log \frac{1}{2}[a + b]", "log(a/2 + b/2)"),
    (r"\log 2 (a + b)", "log(2 a + 2 b)"),
    (r"\log \frac{1}{K}\sum_{k=1}^{K} w_k", "log(sum(w[k], (k, 1, K))/K)"),
    # what stays as it was
    (r"\log(2)(a + b)", "(a + b) log(2)"),
    (r"\log s (a + b)", "(a + b) log s"),
    (r"\log \frac{a}{b} (a + b)", "(a + b) log(a/b)"),
])
def test_how_far_a_log_reaches(row, read):
    assert _lhs(row) == read


IWAE = (r"$$\log p(x) \geq \mathbb{E}_{q(z_1) q(z_2)}\left[\log \frac{1}{2}\left(\frac{p(x, z_1)}{q(z_1)} + "
        r"\frac{p(x, z_2)}{q(z_2)}\right)\right]$$" + "\n")


def _statuses(text):
    return statuses_as("<!-- vi_sym: latent: z_1 z_2 -->\n\n" + text, SETTINGS)


def test_the_importance_weighted_bound_for_two_samples_is_not_refuted():
    assert _statuses(IWAE) == [Status.SPOT_CHECKED]


def test_the_bound_with_a_sum_for_the_average_is_failed():
    # log p(x) >= E[log(w1 + w2)] fails where q is the posterior: w1 = w2 = p(x)
    assert _statuses(IWAE.replace(r"\frac{1}{2}", "")) == [Status.FAILED]
