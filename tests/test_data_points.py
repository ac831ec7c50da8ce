"""Data points written as a learner writes them: ``\\sum_{n=1}^{N} \\log p(x_n | z)`` without an
``iid:`` header is read as N i.i.d. points (said in a warning); ``log ∏_n f_n = Σ_n log f_n`` is
proved for positive factors only; the points families evaluate a product over the points, so a
slip in one (the marginals of dependent points multiplied) is FAILED."""
from __future__ import annotations

import pytest
import sympy
from sympy import Integer, Product, Sum, Symbol, log

from vi_sym.core import Status
from vi_sym.frontends import load_text
from vi_sym.frontends.data_points import inferred_iid
from vi_sym.frontends.markdown import read_markdown
from vi_sym.prover import prove_step
from vi_sym.rules import Context, get_rule
from vi_sym.vocabulary import Density

OBSERVED = ("x", "X")


@pytest.mark.parametrize("row, found", [
    (r"\sum_{n=1}^{N} \log p(x_n \mid z)", ("N", "X = x[1..N]")),
    (r"\prod_{i=1}^{n} p(x_{i} \mid z)", ("n", "X = x[1..n]")),
    (r"\sum_{i=1}^N \log p(x^{(i)} \mid z)", ("N", "X = x[1..N]")),
    (r"\sum\limits_{k=1}^{K} \log p(x_k | \mathbf{z})", ("K", "X = x[1..K]")),
])
def test_points_under_a_sum_up_to_an_undeclared_letter_are_inferred(row, found):
    assert inferred_iid(row, declared={"z"}, observed=OBSERVED) == found


@pytest.mark.parametrize("row, declared, observed", [
    (r"\sum_{n=1}^{N} \log p(x_n \mid z)", {"N"}, OBSERVED),          # N declared: the note says what it is
    (r"\sum_{n=1}^{N} \log q(z_n)", set(), OBSERVED),                   # no observed point under the sum
    (r"\sum_{n=1}^{N} \log p(x_m)", set(), OBSERVED),                   # subscripted by another letter
    (r"\sum_{n=1}^{10} \log p(x_n)", set(), OBSERVED),                  # a number: nothing to declare
    (r"\sum_{n=1}^{N} \log p(y_n)", set(), ("y",)),                     # no capital data set observed
    (r"\sum_{n=1}^{n} \log p(x_n)", set(), OBSERVED),                   # the index is its own limit
    (r"\log p(x_n)", set(), OBSERVED),                                  # no sum at all
    # a point given no latent: a VAE's p_θ(x^{(i)}) has a latent of its own for each point, so
    # its points are not the shared latent's (log p(X) = Σ_i log p(x^{(i)}) holds there)
    (r"\sum_{i=1}^N \log p_\theta(x^{(i)})", set(), OBSERVED),
    (r"\log p(X) = \sum_{i=1}^{N} \log p(x_i)", set(), OBSERVED),
])
def test_nothing_is_inferred_otherwise(row, declared, observed):
    assert inferred_iid(row, declared=declared, observed=observed) is None


NOTE = r"""
$$\sum_{n=1}^{N} \log p(x_n \mid z) = \log \prod_{n=1}^{N} p(x_n \mid z)$$
$$\sum_{n=1}^{N} \log p(x_n \mid z) = \log \prod_{n=1}^{N} p(x_n \mid z) + 1$$
$$\log p(X \mid z) = \log \prod_{n=1}^{N} p(x_n \mid z)$$
$$\log p(X) = \log \prod_{n=1}^{N} p(x_n)$$
"""


def _check(text):
    derivs, errors = load_text(text, "note.md", read_markdown)
    assert not errors
    return derivs, [r for d in derivs for r in d.check(samples=8, seed=0, jobs=1, fixes=False)]


def test_a_note_on_data_points_without_a_header_is_read_and_decided():
    derivs, results = _check(NOTE)
    assert [r.status for r in results] == [Status.PROVED, Status.FAILED, Status.PROVED, Status.FAILED]
    warned = [w.message for d in derivs for w in d.warnings]
    assert any("iid: X = x[1..N]" in w and "N i.i.d. data points" in w for w in warned)
    # the slip: the points are independent given z, not marginally -- refuted in a points family
    assert any(f["status"] == "FAILED" and f["family"].endswith("-points") for f in results[3].families)


def test_a_declared_iid_line_is_not_overridden():
    text = "<!-- vi_sym: positive: M -->\n<!-- vi_sym: iid: X = x[1..M] -->\n" + NOTE.replace("{N}", "{M}")
    derivs, results = _check(text)
    assert not any("i.i.d. data points" in w.message for d in derivs for w in d.warnings)
    assert [r.status for r in results] == [Status.PROVED, Status.FAILED, Status.PROVED, Status.FAILED]


# ---------------------------------------------------------------- log of a product over an index
z = Symbol("z")
n = Symbol("n", integer=True)
N = Symbol("N", positive=True, integer=True)
X = sympy.IndexedBase(Symbol("x"))
POINT = Density("p", [X[n]], [z])


def _proves(lhs, rhs):
    return prove_step(lhs, "=", rhs, [get_rule("log_of_product")], Context((z,))).proved


def test_log_of_a_product_over_an_index_is_the_sum_of_the_logs():
    assert _proves(log(Product(POINT, (n, 1, N))), Sum(log(POINT), (n, 1, N)))
    assert _proves(log(Product(POINT ** 2, (n, 1, N))), 2 * Sum(log(POINT), (n, 1, N)))


@pytest.mark.parametrize("lhs, rhs", [
    # a factor of unknown sign: log ∏ (f_n) is not Σ log f_n
    (log(Product(X[n] - 1, (n, 1, N))), Sum(log(X[n] - 1), (n, 1, N))),
    # the log of a sum over the points is not the sum of the logs
    (log(Sum(POINT, (n, 1, N))), Sum(log(POINT), (n, 1, N))),
    # the bounds are kept
    (log(Product(POINT, (n, 1, N))), Sum(log(POINT), (n, 2, N))),
    (log(Product(POINT, (n, 1, N))), N * log(POINT)),
    (log(Product(POINT, (n, 1, N))), Integer(0)),
])
def test_misuses_of_the_log_of_a_product_are_not_proved(lhs, rhs):
    assert not _proves(lhs, rhs)


TEXT_NOTE = """sum_{n=1}^N log p(x_n|z) = log prod_{n=1}^N p(x_n|z)
log p(X) = log ∏_{n=1}^N p(x_n)
Σ_n log p(x_n|z) = log ∏_n p(x_n|z) + 1
"""


def test_a_plain_text_note_on_data_points_is_read_alike():
    from vi_sym.frontends.note import read_note
    derivs, errors = load_text(TEXT_NOTE, "note.txt", read_note)
    assert not errors
    results = [r for d in derivs for r in d.check(samples=8, seed=0, jobs=1, fixes=False)]
    assert [r.status for r in results] == [Status.PROVED, Status.FAILED, Status.FAILED]
    assert "i.i.d. data points" in derivs[0].warnings[0].message
    assert results[0].statement == "sum(log p(x[n]|z), (n, 1, N)) = log(prod(p(x[n]|z), (n, 1, N)))"


def test_a_product_in_a_vi_file_reads_back_as_printed():
    text = ("derivation a\nlatent: z\nobserved: x X\npositive: N\niid: X = x[1..N]\n\n"
            "    sum(log(p(x[n]|z)), (n, 1, N))\n  = log(prod(p(x[n]|z), (n, 1, N)))  by log_of_product\n")
    (d,), errors = load_text(text, "a.vi")
    assert not errors and isinstance(d.steps[0].rhs.args[0], Product)
    assert d.check(samples=5, seed=0, jobs=1, fixes=False)[0].status is Status.PROVED
    bad, errors = load_text(text.replace("(n, 1, N)))  by", "(n, 1, oo)))  by"), "a.vi")
    assert errors and "finitely many factors" in errors[0].message
