"""LaTeX spellings of argmax/argmin and of E_{-j}: read into the same steps as the .vi spelling;
malformed ones are skipped with their line, column and what was expected."""
import pytest

from vi_sym.frontends.markdown import markdown_chains, read_markdown
from vi_sym.loader import load_text
from vi_sym.operators import ArgMax, ArgMin, ExpectationExcept

VI_HEADER = """derivation d
latent: {latent}
observed: x
{extra}

    {lhs}
  = {rhs}
"""


def vi_step(lhs, rhs, latent="z", extra=""):
    ds, errors = load_text(VI_HEADER.format(latent=latent, extra=extra, lhs=lhs, rhs=rhs), "d.vi")
    assert not errors, [str(e) for e in errors]
    st = ds[0].steps[0]
    return st.lhs, st.rel, st.rhs


def md_step(latex, header=""):
    ds, errors = load_text(f"{header}\n\n$$\n{latex}\n$$\n", "n.md", read_markdown)
    assert not errors and ds, errors
    assert not getattr(ds[0], "skipped", None), ds[0].skipped
    st = ds[0].steps[0]
    return st.lhs, st.rel, st.rhs


ARGOPT = "argmin_q KL(q(z) || p(z|x))", "argmax_q ELBO(q(z), p(x,z))"


@pytest.mark.parametrize("latex", [
    r"\arg\min_{q} D_{\mathrm{KL}}(q(z) \| p(z|x)) = \arg\max_{q} \mathcal{L}(q)",
    r"\arg\min_q D_{KL}(q \| p) = \operatorname*{arg\,max}_q \mathcal{L}(q)",
    r"\operatorname*{argmin}_{q \in \mathcal{Q}} D_{\mathrm{KL}}(q(z) \| p(z \mid x)) = \arg\max\limits_{q} \mathrm{ELBO}(q)",
    r"\operatorname{arg\,min}_{q} D_{\mathrm{KL}}(q(z) \| p(z|x)) = \mathrm{arg\,max}_{q} \mathcal{L}(q)",
])
def test_argmin_kl_is_read_as_the_vi_spelling(latex):
    got = md_step(latex)
    assert got == vi_step(*ARGOPT)
    assert isinstance(got[0], ArgMin) and isinstance(got[2], ArgMax)


def test_an_argmin_over_a_declared_parameter():
    got = md_step(r"\arg\min_\theta \left(-\log p(x|\theta)\right) = \arg\max_{\theta} \log p(x \mid \theta)",
                  "<!-- vi_sym: parameters: θ -->")
    assert got == vi_step("argmin_θ (-log(p(x|θ)))", "argmax_θ log(p(x|θ))", extra="parameters: θ")


def test_an_argmax_over_one_factor():
    got = md_step(r"\arg\max_{q(z_1)} \mathcal{L}(q) = \arg\max_{q(z_1)} \mathcal{L}(q)",
                  "<!-- vi_sym: latent: z1 z2 -->")
    assert got[0].target == vi_step("argmax_q(z1) 0", "0", latent="z1 z2")[0].target


@pytest.mark.parametrize("latex", [
    r"\mathbb{E}_{i \neq z_1}[\log p(x, z_1, z_2)] = \mathbb{E}_{-z_1}\left[\log p(x, z_1, z_2)\right]",
    r"E_{i≠z_{1}}[\ln p(x, z_1, z_2)] = \mathbb{E}_{- z_1}[\log p(x,z_1,z_2)]",
    r"\mathbb{E}_{j \ne z_1}[\log p(x, z_1, z_2)] = \mathbb{E}_{-z_1}[\log p(x, z_1, z_2)]",
])
def test_expectation_except_is_read_as_the_vi_spelling(latex):
    got = md_step(latex, "<!-- vi_sym: latent: z1 z2 -->")
    want = vi_step("E_{-z1}[log(p(x,z1,z2))]", "E_{i≠z1}[log(p(x,z1,z2))]", latent="z1 z2")
    assert got == want and want[0] == want[2]
    assert isinstance(got[0], ExpectationExcept)


def test_expectation_except_by_position():
    got = md_step(r"\mathbb{E}_{i \neq 2}[\log p(x, z_1, z_2)] = \mathbb{E}_{-2}[\log p(x, z_1, z_2)]",
                  "<!-- vi_sym: latent: z1 z2 -->")
    assert got == vi_step("E_{-2}[log(p(x,z1,z2))]", "E_{i≠2}[log(p(x,z1,z2))]", latent="z1 z2")


@pytest.mark.parametrize("latex, line, column, fragment", [
    (r"\arg\max q(z) = 1", 4, 10, "expected '_' and the subscript"),
    (r"\arg\max_q = 1", 4, 12, "unexpected '='"),
    (r"\arg\min_{w} \log p(x) = 1", 4, 11, "unknown variable 'w'"),
    (r"\mathbb{E}_{i \neq}[\log p(x, z)] = 1", 4, 19, "expected a number, a variable"),
    (r"\mathbb{E}_{i \neq x}[\log p(x, z)] = 1", 4, 20, "'x' is not a latent"),
    (r"\mathbb{E}_{-0}[\log p(x, z)] = 1", 4, 14, "a whole number from 1"),
    (r"1 = 2 + \arg\max_q \mathcal{L}(q)", 4, 9, "unexpected '\\arg\\max'"),   # never inside arithmetic
])
def test_malformed_operators_are_skipped_with_line_and_column(latex, line, column, fragment):
    text = f"# note\n\n$$\n{latex}\n$$\n"
    _, skipped = markdown_chains(text, "n.md")
    assert len(skipped) == 1, skipped
    at, reason = skipped[0]
    assert at == line and reason.startswith(f"column {column}: ") and fragment in reason, reason


def test_the_vi_reader_rejects_a_generic_index():
    _, errors = load_text(VI_HEADER.format(latent="z1 z2", extra="", lhs="E_{i≠j}[log(p(x,z1,z2))]", rhs="0"),
                          "d.vi")
    assert any("d.vi:6" in str(e) and "column 6" in str(e) and "leaves out a latent" in str(e) for e in errors)


# ------------------------------------------------- declarations a note shares with the .vi header
FACTORISED = "<!-- vi_sym: latent: z1 z2 -->\n<!-- vi_sym: factorised: q(z1)*q(z2) -->"
EXCEPT_ROW = r"\mathbb{E}_{-z_1}[\log p(x, z_1, z_2)] = \mathbb{E}_{q(z_2)}[\log p(x, z_1, z_2)]  % by expectation_except_definition"


def _md(header, latex):
    ds, errors = load_text(f"{header}\n\n$$\n{latex}\n$$\n", "n.md", read_markdown)
    assert not errors and ds, errors
    return ds[0]


def test_a_note_declares_the_factorisation_as_a_vi_header_does():
    """`vi_sym: factorised: q(z1)*q(z2)` gives the note's steps the .vi header's factors: E_{-z1}
    unfolds (PROVED), and the two-latent families evaluate it."""
    from vi_sym.core import Status
    from vi_sym.judge import judge
    from vi_sym.settings import Settings
    d = _md(FACTORISED, EXCEPT_ROW)
    vi, _ = load_text(VI_HEADER.format(latent="z1 z2", extra="factorised: q(z1)*q(z2)",
                                       lhs="E_{-z1}[log(p(x,z1,z2))]", rhs="E_q(z2)[log(p(x,z1,z2))]"), "d.vi")
    st = d.steps[0]
    assert st.context.factors == vi[0].steps[0].context.factors and len(st.context.factors) == 2
    r = judge(st, Settings(families=("bivariate-gaussian",), samples=6, fixes=False))
    assert r.status is Status.PROVED
    assert [f["status"] for f in r.families] == ["SPOT-CHECKED"]
    wrong = _md(FACTORISED, EXCEPT_ROW.replace("q(z_2)", "q(z_1)")).steps[0]
    r = judge(wrong, Settings(families=("bivariate-gaussian",), samples=6, fixes=False))
    assert r.status is Status.FAILED


def test_without_the_declaration_e_minus_j_is_not_unfolded():
    from vi_sym.core import Status
    from vi_sym.judge import judge
    from vi_sym.settings import Settings
    st = _md("<!-- vi_sym: latent: z1 z2 -->", EXCEPT_ROW).steps[0]
    assert st.context.factors == ()
    assert judge(st, Settings(families=(), fixes=False)).status is not Status.PROVED


@pytest.mark.parametrize("header, fragment", [
    ("<!-- vi_sym: latent: z1 z2 -->\n<!-- vi_sym: factorised: q(z1) -->", "product of densities"),
    ("<!-- vi_sym: latent: z1 z2 -->\n<!-- vi_sym: factorised: q(z1)*q(w) -->", "factorised:"),
    ("<!-- vi_sym: latent: z1 z2 -->\n<!-- vi_sym: copies: z1 w -->", "'w' in 'copies:'"),
])
def test_a_bad_declaration_is_reported_at_its_line_and_ignored(header, fragment):
    chains, skipped = markdown_chains(f"{header}\n\n$$\n{EXCEPT_ROW}\n$$\n", "n.md")
    assert chains and chains[0].context.factors == ()
    assert [line for line, reason in skipped if fragment in reason] == [2], skipped


def test_positive_and_unit_declarations_give_the_symbols_their_domain():
    d = _md("<!-- vi_sym: latent: z -->\n<!-- vi_sym: positive: s -->\n<!-- vi_sym: unit: w -->",
            r"\log(s^2) = 2 \log s")
    st = d.steps[0]
    assert dict(st.context.domains) == {"s": "positive", "w": "unit"}
    (s,) = [v for v in st.lhs.free_symbols if v.name == "s"]
    assert s.is_positive


def test_a_plain_text_note_declares_the_factorisation_too():
    from vi_sym.frontends.note import read_note
    text = "latent: z1 z2\nfactorised: q(z1)*q(z2)\n\nE_{-z1}[log(p(x,z1,z2))] = E_q(z2)[log(p(x,z1,z2))]\n"
    ds, errors = load_text(text, "n.txt", read_note)
    assert not errors and ds
    vi, _ = load_text(VI_HEADER.format(latent="z1 z2", extra="factorised: q(z1)*q(z2)",
                                       lhs="E_{-z1}[log(p(x,z1,z2))]", rhs="E_q(z2)[log(p(x,z1,z2))]"), "d.vi")
    assert ds[0].steps[0].context.factors == vi[0].steps[0].context.factors != ()
    bad, _ = load_text(text.replace("q(z1)*q(z2)", "q(z1)"), "n.txt", read_note)
    assert bad[0].steps[0].context.factors == ()
    assert any("ignored" in n.message and n.line == 2 for n in bad[0].skipped)
