"""Vectors of an unspecified length (``latent: z[1..d]``) and independent products over their
coordinates: the diagonal-Gaussian KL proved for every d by factorisation and the 1-D moment
lemmas, wrong variants never PROVED and refuted at a concrete d, bad input an error at its
line and column."""
import pytest
from sympy import Indexed, Integer, Sum, Symbol

from vi_sym.indexed import CoordinateDensity, IndexedDensity, instantiate
from vi_sym.judge import judge, prove
from vi_sym.loader import load_text
from vi_sym.settings import Settings
from vi_sym.spot.indexed import spot_indexed

HEADER = """derivation d
latent: z[1..d]
parameters: m[1..d]
positive: s[1..d] d
define q(z) = prod(Normal(z[j], m[j], s[j]), (j, 1, d))
define r(z) = prod(Normal(z[j], 0, 1), (j, 1, d))
define u(z) = prod(Normal(z[j], m[j], 1), (j, 1, d))

    {lhs}
  = {rhs}   {by}
"""
KL_D = "sum((s[j]^2 + m[j]^2 - 1 - log(s[j]^2))/2, (j, 1, d))"


def step(lhs, rhs, by=""):
    ds, errors = load_text(HEADER.format(lhs=lhs, rhs=rhs, by=by), "t.vi")
    assert not errors, [str(e) for e in errors]
    return ds[0].steps[0]


def errors_of(text):
    _, errors = load_text(text, "t.vi")
    return [str(e) for e in errors]


def test_the_header_declares_vectors_and_a_size_that_is_a_count():
    st = step("KL(q(z) || r(z))", KL_D)
    z, m, s = (next(v for v, _, _ in st.context.indexed if v.name == n) for n in "zms")
    (_, lo, d), = {(None, lo, hi) for _, lo, hi in st.context.indexed}
    assert lo == 1 and d.is_integer and d.is_positive
    assert st.context.latent == (z,)
    assert isinstance(st.lhs.P, IndexedDensity) and st.lhs.P.limits[1:] == (1, d)
    assert Indexed(s, Symbol("j", integer=True)).is_positive


@pytest.mark.parametrize("rhs", [
    KL_D,
    "sum(s[j]^2 + m[j]^2 - 1 - log(s[j]^2), (j, 1, d))/2",
    "(sum(s[j]^2 + m[j]^2 - 2*log(s[j]), (j, 1, d)) - d)/2",
    "sum(KL(q(z[j]) || r(z[j])), (j, 1, d))",
    "sum(KL(q(z[k]) || r(z[k])), (k, 1, d))",                       # any index name
])
def test_the_diagonal_gaussian_kl_is_proved_for_every_d(rhs):
    out = prove(step("KL(q(z) || r(z))", rhs, "by kl_of_product, kl_definition"))
    assert out["proved"], out["reason"]
    assert any(row[1] == "kl_of_product" for row in out["trace"])


@pytest.mark.parametrize("rhs", [
    "sum(s[j]^2 + m[j]^2 - 1 - log(s[j]^2), (j, 1, d))",            # the ½ missing
    "sum((s[j]^2 + m[j]^2 - 1 - log(s[j]))/2, (j, 1, d))",          # log s for log s²
    "sum((s[j] + m[j]^2 - 1 - log(s[j]^2))/2, (j, 1, d))",          # s for s²
    "sum((s[j]^2 + m[j]^2 - 1 - log(s[j]^2))/2, (j, 1, d - 1))",    # one coordinate too few
    "sum((s[j]^2 + m[j]^2 - 1 - log(s[j]^2))/2, (j, 0, d))",        # one too many
    "(sum(s[j]^2 + m[j]^2 - log(s[j]^2), (j, 1, d)) - 1)/2",        # - 1 for - d
    "d*(s[1]^2 + m[1]^2 - 1 - log(s[1]^2))/2",                      # every coordinate like the first
    "sum(KL(q(z[j]) || u(z[j])), (j, 1, d))",                       # the wrong prior
    "sum(KL(r(z[j]) || q(z[j])), (j, 1, d))",                       # reversed
])
def test_wrong_variants_are_never_proved_and_are_refuted_at_a_concrete_d(rhs):
    st = step("KL(q(z) || r(z))", rhs, "by kl_of_product, kl_definition")
    assert not prove(st)["proved"]
    res = judge(st, Settings(samples=12, families=("all",)))
    assert res.status.value == "FAILED", res.reason
    cex = res.families[0]["counterexample"]
    assert cex["params"]["d"] in (1, 2, 3) and cex["label"].startswith("d = ")


def test_a_counterexample_names_the_coordinates_as_written():
    st = step("KL(q(z) || r(z))", "sum(s[j]^2 + m[j]^2 - 1 - log(s[j]^2), (j, 1, d))")
    out = spot_indexed(st, samples=6)
    assert out.status == "FAILED"
    assert {"m[1]", "s[1]"} <= set(out.counterexample["params"])


def test_entropy_and_expectation_split_over_the_coordinates():
    assert prove(step("H(q(z))", "sum(log(s[j]) + log(2*pi)/2 + 1/2, (j, 1, d))", "by entropy_of_product"))["proved"]
    assert prove(step("E_q(z)[sum(z[j]^2, (j, 1, d))]", "sum(m[j]^2 + s[j]^2, (j, 1, d))"))["proved"]
    assert not prove(step("H(q(z))", "sum(log(s[j]) + log(2*pi)/2, (j, 1, d))"))["proved"]
    assert not prove(step("E_q(z)[sum(z[j]^2, (j, 1, d))]", "sum(m[j]^2, (j, 1, d))"))["proved"]


def test_a_term_coupling_coordinates_is_not_split():
    """E_q[Σ_j z[j] z[1]] is not Σ_j E_{q_j}[z[j] z[1]] under q_j alone: the rule must not apply."""
    out = prove(step("E_q(z)[sum(z[j]*z[1], (j, 1, d))]", "sum(m[j]*m[1], (j, 1, d))"))
    assert not out["proved"]
    assert "not split" in out["reason"]


def test_kl_between_products_over_different_vectors_or_ranges_is_not_split():
    text = """derivation d
latent: z[1..d] w[1..n]
positive: d n
define q(z) = prod(Normal(z[j], 0, 1), (j, 1, d))
define r(w) = prod(Normal(w[j], 0, 1), (j, 1, n))

    H(q(z))
  = H(r(w))
"""
    ds, errors = load_text(text, "t.vi")
    assert not errors
    assert not prove(ds[0].steps[0])["proved"]


def test_instantiate_writes_sums_and_products_out():
    st = step("KL(q(z) || r(z))", KL_D)
    d = next(hi for _, _, hi in st.context.indexed)
    lhs = instantiate(st.lhs, {d: 2})
    assert {str(v) for v in lhs.P.vars} == {"z_1", "z_2"}
    assert not lhs.atoms(Indexed, Sum) and not lhs.atoms(IndexedDensity, CoordinateDensity)
    rhs = instantiate(st.rhs, {d: 3})
    assert not rhs.atoms(Sum) and {"s_1", "s_2", "s_3", "m_3"} <= {str(x) for x in rhs.free_symbols}
    assert instantiate(Integer(1), {d: 2}) == 1


def test_iid_points_are_not_taken_for_coordinates():
    from vi_sym.indexed_claims import is_indexed_claim
    text = """derivation d
latent: z
observed: X x
positive: N
iid: X = x[1..N]

    log(p(X|z))
  = sum(log(p(x[n]|z)), (n, 1, N))   by iid_factorisation
"""
    ds, errors = load_text(text, "t.vi")
    assert not errors and not is_indexed_claim(ds[0].steps[0])
    assert prove(ds[0].steps[0])["proved"]


BAD_HEADER = """derivation d
latent: {latent}
parameters: m[1..d]
positive: s[1..d] d
{define}

    {lhs}
  = 0
"""


@pytest.mark.parametrize("latent, define, lhs, message", [
    ("z[1..d]", "", "m", "'m' is a vector m[1..d]"),
    ("z[1..d]", "", "sum(m[k], (j, 1, d))", "the index of m[...]"),
    ("z[1..d]", "", "m[0]", "outside m[1..d]"),
    ("z[0..d]", "", "1", "a vector is declared as z[1..d]"),
    ("z[1..e]", "", "1", "the length e of the vector"),
    ("z[1..d]", "define q(z) = prod(Normal(z[j], m[j], s[j]), (j, 1, d - 1))", "1", "the product runs over"),
    ("z[1..d]", "define q(z) = prod(Normal(z[1], m[j], s[j]), (j, 1, d))", "1", "must be a distribution of z[j]"),
    ("z[1..d]", "define q(z) = prod(Normal(z[j], z[j], s[j]), (j, 1, d))", "1", "depends on"),
    ("z[1..d]", "define q(z) = prod(Normal(z[j], s[j], m[j]), (j, 1, d))", "1", "must be positive"),
    ("z[1..d]", "define q(z) = prod(Normal(z[j], m[j], s[j]))", "1", "prod(f, (j, 1, d))"),
    ("z[1..d]", "define q(z) = prod(Normal(z[j], m[j], s[j]), (j, 1, oo))", "1", "finitely many"),
    ("z[1..d] w", "define q(w) = prod(Normal(z[j], m[j], s[j]), (j, 1, d))", "1", "one declared vector"),
    ("z[1..d]", "define q(z) = prod(Normal(z[j], m[j], s[j]), (j, 1, d))", "q(z[j])", "the index of z[...]"),
])
def test_bad_input_is_an_error_at_its_line(latent, define, lhs, message):
    text = BAD_HEADER.format(latent=latent, define=define, lhs=lhs)
    errors = errors_of(text)
    assert errors, "accepted"
    assert any(message in e for e in errors), errors
    assert all(e.startswith("t.vi:") for e in errors)


def test_an_expression_error_carries_its_column():
    errors = errors_of(BAD_HEADER.format(latent="z[1..d]", define="", lhs="1 + m"))
    assert any("t.vi:7:" in e and "column 5" in e for e in errors), errors
