"""LaTeX sums with limits and letter-indexed names (\\sum_{j=1}^{J}, \\sigma_j, x_n) read into the
vocabulary of ``.vi`` files: Kingma & Welling's Gaussian KL, an i.i.d. sum over data points, and
clear errors for a sum without its limits or an index that is not bound."""
from __future__ import annotations

from pathlib import Path

import pytest
from sympy import Indexed, IndexedBase, Sum, Symbol

from conftest import KL_HEADER, KL_VI, VAE_FORM
from vi_sym.checker import Settings, check_derivations
from vi_sym.core import Status
from vi_sym.frontends import load_file, load_text
from vi_sym.frontends.latex import parse_row
from vi_sym.frontends.markdown import read_markdown
from vi_sym.parse import ParseError

DERIVATIONS = Path(__file__).parent.parent / "derivations"

# the diagonal KL as Kingma & Welling print it (conftest's VAE_FORM: as vae_kl_diagonal concludes it)
KW = r"-\frac{1}{2}\sum_{j=1}^{J}\left(1 + \log \sigma_j^2 - \mu_j^2 - \sigma_j^2\right)"
KW_SIGN = r"-\frac{1}{2}\sum_{j=1}^{J}\left(1 - \log \sigma_j^2 - \mu_j^2 - \sigma_j^2\right)"
KW_NO_HALF = r"-\sum_{j=1}^{J}\left(1 + \log \sigma_j^2 - \mu_j^2 - \sigma_j^2\right)"



def md(text):
    ds, errs = load_text(text, "n.md", read_markdown)
    assert errs == [], errs
    return ds


def check(ds):
    return [r.status for r in check_derivations(ds, Settings(families=("all",), samples=5, jobs=1, fixes=False)).results]


def test_kingma_welling_kl_reads_as_the_vi_step_and_gets_its_verdict():
    (d,) = md(KL_HEADER + f"\n$$\n{VAE_FORM}\n  = {KW}\n$$\n")
    (v,), errs = load_text(KL_VI, "kw.vi")
    assert errs == []
    assert (d.steps[0].lhs, d.steps[0].rhs) == (v.steps[0].lhs, v.steps[0].rhs)
    assert d.steps[0].context.indexed == v.steps[0].context.indexed != ()
    # the left side is vae.vi's conclusion, in the note's names
    vae, _ = load_file(DERIVATIONS / "vae.vi")
    diag = next(x for x in vae if x.name == "vae_kl_diagonal")
    names = {"s": "σ", "m": "μ", "d": "J"}
    conclusion = diag.steps[-1].rhs
    renamed = conclusion.xreplace({s: Symbol(names[s.name], **s.assumptions0)
                                   for s in conclusion.free_symbols if s.name in names})
    assert renamed.xreplace({Symbol("j", integer=True): Symbol("j", integer=True)}) == d.steps[0].lhs
    assert check([d]) == check([v]) == [Status.PROVED]
    assert set(check([diag])) == {Status.PROVED}


@pytest.mark.parametrize("wrong", [KW_SIGN, KW_NO_HALF])
def test_a_wrong_kingma_welling_kl_is_failed(wrong):
    (d,) = md(KL_HEADER + f"\n$$\n{VAE_FORM}\n  = {wrong}\n$$\n")
    assert check([d]) == [Status.FAILED]


def test_the_kl_row_with_a_density_on_the_left_is_read():
    (d,) = md(KL_HEADER + "\n$$\nD_{\\mathrm{KL}}(q_\\phi(z|x) \\| p(z)) = " + KW + "\n$$\n")
    sigma = IndexedBase(Symbol("σ", positive=True))
    assert d.steps[0].rhs.has(Indexed(sigma, Symbol("j", integer=True)))
    assert isinstance(-2 * d.steps[0].rhs, Sum)


IID_MD = r"""
<!-- vi_sym: positive: N -->
<!-- vi_sym: iid: X = x[1..N] -->

$$
\log p(X \mid z) = \sum_{n=1}^{N} \log p(x_n \mid z)
$$

$$
\mathbb{E}_{q(z)}[\log p(X|z)] = \sum_{n=1}^{N} \mathbb{E}_{q(z)}\left[\log p(x_n \mid z)\right]
$$
"""

IID_VI = """
derivation iid
latent: z
observed: X x
positive: N
iid: X = x[1..N]

    log(p(X|z))
  = sum(log(p(x[n]|z)), (n, 1, N))

derivation iid2
latent: z
observed: X x
positive: N
iid: X = x[1..N]

    E_q(z)[log(p(X|z))]
  = sum(E_q(z)[log(p(x[n]|z))], (n, 1, N))
"""


def test_a_sum_over_data_points_reads_as_the_vi_iid_sum():
    ds = md(IID_MD)
    vs, errs = load_text(IID_VI, "iid.vi")
    assert errs == [] and len(ds) == len(vs) == 2
    for d, v in zip(ds, vs):
        assert (d.steps[0].lhs, d.steps[0].rhs) == (v.steps[0].lhs, v.steps[0].rhs)
        assert d.steps[0].context.iid == v.steps[0].context.iid != ()
    assert check(ds) == check(vs) == [Status.PROVED, Status.PROVED]


def test_an_average_of_weights_declared_as_a_vector():
    (d,) = md("<!-- vi_sym: parameters: w[1..K] -->\n<!-- vi_sym: positive: K -->\n\n"
              "$$\n\\frac{1}{K}\\sum_{k=1}^{K} w_k = \\frac{1}{K}\\sum_{k=1}^K w_{k}\n$$\n")
    k, K = Symbol("k", integer=True), Symbol("K", positive=True, integer=True)
    w = IndexedBase(Symbol("w", real=True))
    assert d.steps[0].rhs == Sum(Indexed(w, k), (k, 1, K)) / K


def test_an_upper_limit_with_braces_inside_is_read():
    """``\\sum_{k=1}^{10^{2}}``: the limit's own braces are not 'no upper limit'."""
    (d,) = md("<!-- vi_sym: parameters: w[1..K] -->\n<!-- vi_sym: positive: K -->\n\n"
              "$$\n\\sum_{k=1}^{2^{2}} w_k = \\sum_{k=1}^{4} w_k\n$$\n")
    k = Symbol("k", integer=True)
    w = IndexedBase(Symbol("w", real=True))
    assert d.steps[0].lhs == Sum(Indexed(w, k), (k, 1, 4))


# ---------------------------------------------------------------------------- errors

V = {"z": Symbol("z"), "x": Symbol("x"), "σ": Symbol("σ", positive=True),
     "J": Symbol("J", positive=True, integer=True)}


@pytest.mark.parametrize("text, column, words", [
    (r"1 = \sum_{j=1} \sigma_j", 5, "no upper limit"),
    (r"1 = \sum_j \sigma_j", 5, "\\sum_{j=1}^{J}"),
    (r"1 = \sum \sigma_j", 5, "no limits"),
    (r"1 = \sum_{z=1}^{J} \sigma_z", 11, "declared variable"),
    (r"1 = \sum_{j=1}^{J} \sum_{j=1}^{J} \sigma_j", 26, "already the index"),
    (r"1 = \sigma_j", 5, "not the index of an enclosing sum"),
    (r"1 = \sum_{j=1}^{J} \sigma_k", 20, "not the index"),
    (r"1 = \sum_{j=1}^{J} w_j", 20, "not declared as a vector"),
    (r"1 = \sum_{j \geq 1}^{J} \sigma_j", 5, "index = lower limit"),
])
def test_bad_sums_say_what_is_wrong_and_where(text, column, words):
    with pytest.raises(ParseError) as err:
        parse_row(text, {**V, "w": Symbol("w")}, "z", "x", indexed=("σ",))
    assert err.value.column == column and words in str(err.value)


def test_a_bad_sum_in_a_note_is_skipped_with_its_line_and_column():
    ds, errs = load_text(KL_HEADER + "\n$$\n1 = \\sum_{j=1} \\sigma_j\n$$\n", "n.md", read_markdown)
    assert ds == [] and len(errs) == 1
    assert errs[0].line == 7 and "column 5" in errs[0].message and "no upper limit" in errs[0].message


def test_an_index_clashing_with_a_declared_latent_is_an_error_in_a_note():
    ds, errs = load_text(KL_HEADER + "\n$$\n1 = \\sum_{z=1}^{J} \\sigma_z\n$$\n", "n.md", read_markdown)
    assert ds == [] and "'z' is the index of this sum" in errs[0].message and "column 11" in errs[0].message


def test_a_vector_whose_length_is_not_a_count_is_an_error():
    ds, errs = load_text("<!-- vi_sym: parameters: \\mu[1..J] -->\n\n$$\n1 = \\sum_{j=1}^{J} \\mu_j\n$$\n",
                         "n.md", read_markdown)
    assert ds == [] and "length J" in errs[0].message


def test_the_index_alone_in_the_body_is_the_bound_index_and_nowhere_else():
    K = Symbol("K", positive=True, integer=True)
    k = Symbol("k", integer=True)
    items = parse_row(r"\sum_{k=1}^{K} 2^{-k} = 1 - 2^{-K}", {"z": Symbol("z"), "x": Symbol("x"), "K": K}, "z", "x")
    assert items[0][1] == Sum(2 ** -k, (k, 1, K))
    with pytest.raises(ParseError):
        parse_row(r"\sum_{k=1}^{K} 1 = k", {"z": Symbol("z"), "x": Symbol("x"), "K": K}, "z", "x")


def test_a_sum_of_numbers_is_proved_or_failed_in_a_note():
    ds = md("<!-- vi_sym: positive: K -->\n\n$$\n\\sum_{k=1}^{K} k = \\frac{K(K+1)}{2}\n$$\n\n"
            "$$\n\\sum_{k=1}^{K} k = \\frac{K^2}{2}\n$$\n")
    vs, errs = load_text("derivation a\nlatent: z\npositive: K\n\n    sum(k, (k, 1, K))\n  = K*(K + 1)/2\n\n"
                         "derivation b\nlatent: z\npositive: K\n\n    sum(k, (k, 1, K))\n  = K^2/2\n", "s.vi")
    assert errs == [] and [(d.steps[0].lhs, d.steps[0].rhs) for d in ds] == [(v.steps[0].lhs, v.steps[0].rhs) for v in vs]
    verdicts = check(ds)
    assert verdicts == check(vs) and verdicts[0] in (Status.PROVED, Status.SPOT_CHECKED) and verdicts[1] is Status.FAILED
