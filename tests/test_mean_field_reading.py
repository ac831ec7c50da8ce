"""A mean-field note as people write it: "we assume $q(z_1, z_2) = q_1(z_1) q_2(z_2)$", then a bare
q, ``\\mathcal{L}(q)``, ``\\mathcal{L}(q_1) = … + \\text{const}`` (Blei et al.'s ELBO(q_j)).

* with the factorisation declared, the joint q(z1, z2) is read as q1(z1) q2(z2) -- in E, KL, ELBO
  and H too -- and nothing else is (another name, a conditioned q, factors that are not q's);
* a const's target is read as the sides are: ``+ const(q(z1, z2))`` must be free of q1 *and* q2, so
  a term in q2 left over is not PROVED (it was, when the target kept the name q the sides had lost);
* a bare q over the blocks z_1, z_2 is q(z1, z2); ``\\mathcal{L}(q_1)`` is the whole bound as a
  function of q1, and its bare ``\\text{const}`` is "free of q1" -- so the mean-field split is
  PROVED and a dropped entropy term FAILED."""
from __future__ import annotations

from sympy import Symbol, log

from vi_sym.core import Status
from vi_sym.frontends import load_text
from vi_sym.frontends.markdown import read_markdown
from vi_sym.frontends.note import read_note
from vi_sym.frontends.vi import read_vi
from vi_sym.assemble import factorised_joint
from vi_sym.vocabulary import ELBO, KL, Density, Expectation

z1, z2, x = Symbol("z1"), Symbol("z2"), Symbol("x")
q1, q2 = Density("q1", [z1]), Density("q2", [z2])
Q = Density("q", [z1, z2])
MF = (q1, q2)


def test_the_declared_q_is_the_product_of_its_factors_wherever_it_stands():
    joint = Density("p", [x, z1, z2])
    assert factorised_joint(log(Q), MF) == log(q1 * q2)
    assert factorised_joint(Expectation(Q, log(joint)), MF) == Expectation(q1 * q2, log(joint))
    assert factorised_joint(ELBO(Q, joint), MF) == ELBO(q1 * q2, joint)
    assert factorised_joint(KL(Q, Density("p", [z1, z2], [x])), MF) == \
        KL(q1 * q2, Density("p", [z1, z2], [x]))


def test_nothing_else_is_rewritten():
    r = Density("r", [z1, z2])
    assert factorised_joint(log(r), MF) == log(r)                          # another name
    assert factorised_joint(log(Density("q", [z1, z2], [x])), MF) == log(Density("q", [z1, z2], [x]))
    assert factorised_joint(log(Density("q", [z1])), MF) == log(Density("q", [z1]))   # a marginal
    same = (Density("q", [z1]), Density("q", [z2]))                                   # one name: as before
    assert factorised_joint(log(Q), same) == log(same[0] * same[1])
    assert factorised_joint(log(Q), ()) == log(Q)                         # nothing declared
    others = (Density("r1", [z1]), Density("r2", [z2]))
    assert factorised_joint(log(Q), others) == log(Q)                     # factors not q's


VI = """derivation mf
latent: z1 z2
observed: x
densities: p q q1 q2
factorised: q1(z1)*q2(z2)

    ELBO(q(z1,z2), p(x,z1,z2))
  = E_q1(z1)[E_q2(z2)[log(p(x,z1,z2))]] - E_q1(z1)[log(q1(z1))] + const(%s)
"""


def _check(text, reader, file):
    derivs, errors = load_text(text, file, reader)
    assert not errors, errors
    return derivs, [r for d in derivs for r in d.check(samples=8, seed=0, jobs=1, fixes=False)]


def test_a_const_free_of_the_mean_field_q_must_be_free_of_every_factor():
    _, [res] = _check(VI % "q(z1,z2)", read_vi, "mf.vi")
    assert res.status != Status.PROVED          # lhs - rhs is H(q2): it moves with q2, a factor of q
    _, [res] = _check(VI % "q1(z1)", read_vi, "mf.vi")
    assert res.status == Status.PROVED          # H(q2) is free of q1


NOTE = r"""We assume $q(z_1, z_2) = q_1(z_1) q_2(z_2)$.
$$
\mathcal{L}(q) = \mathbb{E}_{q}[\log p(x, z_1, z_2)] - \mathbb{E}_{q}[\log q(z_1, z_2)]
$$
$$
\mathcal{L}(q) = \mathbb{E}_{q}[\log p(x, z_1, z_2)] - \mathbb{E}_{q_1}[\log q_1(z_1)] %s
$$
$$
\mathcal{L}(q_1) = \mathbb{E}_{q_1}\left[\mathbb{E}_{q_2}[\log p(x, z_1, z_2)]\right] %s + \text{const}
$$
"""


def test_a_latex_mean_field_note_reads_q_and_its_factor_bounds():
    derivs, results = _check(NOTE % (r"- \mathbb{E}_{q_2}[\log q_2(z_2)]", r"- \mathbb{E}_{q_1}[\log q_1(z_1)]"),
                             read_markdown, "mf.md")
    assert [r.status for r in results] == [Status.PROVED] * 3
    assert derivs[0].steps[0].lhs == ELBO(q1 * q2, Density("p", [x, z1, z2]))   # bare q: q(z1, z2), declared q1 q2
    assert derivs[2].steps[0].lhs == ELBO(q1 * q2, Density("p", [x, z1, z2]))   # L(q_1): the whole bound
    assert "const(q1(z1))" in str(derivs[2].steps[0].rhs)


def test_its_slips_are_failed():
    _, results = _check(NOTE % ("", ""), read_markdown, "mf.md")
    assert [r.status for r in results] == [Status.PROVED, Status.FAILED, Status.FAILED]


def test_the_plain_text_reader_reads_a_factor_bound_the_same_way():
    text = ("mean-field: q(z1, z2) = q1(z1) q2(z2)\n\n"
            "ELBO(q1) = E_q1[E_q2[log p(x, z1, z2)]] - E_q1[log q1(z1)] + const\n"
            "ELBO(q1) = E_q1[E_q2[log p(x, z1, z2)]] + const\n")
    _, results = _check(text, read_note, "mf.txt")
    assert results[0].status == Status.PROVED and results[1].status != Status.PROVED


def test_a_bare_const_after_the_bound_of_several_latents_must_say_which():
    derivs, errors = load_text(r"""We assume $q(z_1, z_2) = q_1(z_1) q_2(z_2)$.
$$\mathcal{L}(q) = \mathbb{E}_{q_1}[\mathbb{E}_{q_2}[\log p(x, z_1, z_2)]] - \mathbb{E}_{q_1}[\log q_1(z_1)] + \text{const}$$
""", "n.md", read_markdown)
    assert not derivs and any("say what the constant does not depend on" in e.message for e in errors)


def test_a_bare_const_after_a_complete_conditional_is_in_its_variable():
    text = ("latent: z1 z2\n"
            "log p(z1 | z2, x) = log p(x, z1, z2) + const\n"       # Blei et al. (17): PROVED
            "log p(z1 | z2, x) = log p(x, z1, z2)\n"               # as an exact equality: FAILED
            "log p(z1 | z2, x) = log p(x | z1) + const\n")         # the prior dropped: FAILED
    derivs, results = _check(text, read_note, "c.txt")
    assert "const(z1)" in str(derivs[0].steps[0].rhs)
    assert [r.status for r in results] == [Status.PROVED, Status.FAILED, Status.FAILED]


def test_a_bare_const_after_the_bound_of_one_latent_is_free_of_its_q():
    derivs, results = _check("ELBO(q) = -KL(q || p(z|x)) + const\nELBO(q) = -KL(q || p(z)) + const\n",
                             read_note, "e.txt")
    assert "const(q(z))" in str(derivs[0].steps[0].rhs)
    assert results[0].status == Status.PROVED and results[1].status == Status.FAILED


def test_a_const_naming_a_factor_without_its_argument_is_free_of_that_factor():
    text = r"""We assume $q(z_1, z_2) = q_1(z_1) q_2(z_2)$.

$$\mathcal{L}(q_1) = \mathbb{E}_{q_1}[\mathbb{E}_{q_2}[\log p(x, z_1, z_2)]] - \mathbb{E}_{q_1}[\log q_1(z_1)] + \text{const}(q_1)$$

$$\mathcal{L}(q_1) = \mathbb{E}_{q_1}[\mathbb{E}_{q_2}[\log p(x, z_1, z_2)]] + \text{const}(q_1)$$
"""
    derivs, results = _check(text, read_markdown, "n.md")
    assert "const(q1(z1))" in str(derivs[0].steps[0].rhs)
    assert [r.status for r in results] == [Status.PROVED, Status.FAILED]   # H(q1) is no const in q1


def test_a_const_naming_q_alone_is_free_of_the_variational_density():
    text = r"""$$\mathcal{L}(q) = -\mathrm{KL}(q(z) \| p(z|x)) + \text{const}(q)$$

$$\mathcal{L}(q) = \mathbb{E}_{q}[\log p(x,z)] + \text{const}(q)$$
"""
    derivs, results = _check(text, read_markdown, "n.md")
    assert "const(q(z))" in str(derivs[0].steps[0].rhs)
    assert [r.status for r in results] == [Status.PROVED, Status.FAILED]


def test_a_const_naming_p_alone_asks_which_density():
    derivs, errors = load_text(r"$$\mathcal{L}(q) = \mathbb{E}_{q}[\log p(x,z)] + \text{const}(p)$$" "\n",
                               "n.md", read_markdown)
    assert not derivs and any("say which density" in e.message for e in errors)


def test_the_latent_written_whole_beside_its_blocks_is_all_of_them():
    """PRML writes ln q_j*(Z_j) = E_{i≠j}[ln p(X, Z)] + const: with z_1, z_2 read as the blocks of z,
    p(x, z) is p(x, z1, z2) and E_{z_2} is under the declared factor q2 (it was three latents,
    z among them, so the factorisation was ignored and the step UNKNOWN)."""
    text = r"""We assume $q(z_1, z_2) = q_1(z_1) q_2(z_2)$.

$$\ln q_1^*(z_1) = \mathbb{E}_{z_2}[\ln p(x, z)] + \text{const}$$

$$\ln q_1^*(z_1) = \mathbb{E}_{z_1}[\ln p(x, z)] + \text{const}$$
"""
    derivs, results = _check(text, read_markdown, "n.md")
    assert str(derivs[0].steps[0].rhs) == "const(z1) + E_q2(z2)[log(p(x,z1,z2))]"
    assert [r.status for r in results] == [Status.PROVED, Status.FAILED]


def test_a_distribution_of_the_whole_vector_is_refused_and_capital_greek_letters_are_names():
    derivs, errors = load_text(r"""We assume $q(z_1, z_2) = q_1(z_1) q_2(z_2)$.

$$p(z) = \mathcal{N}(z \mid \mu, \Lambda^{-1})$$
""", "n.md", read_markdown)
    said = " ".join(n.message for d in derivs for n in d.skipped) + " ".join(e.message for e in errors)
    assert "z is the vector of the blocks z1, z2" in said
    text = "$$\\mathbb{E}_{z \\sim \\mathcal{N}(\\mu, \\Sigma)}[z^2] = \\mu^2 + \\Sigma$$\n"
    derivs, results = _check(text, read_markdown, "n.md")
    assert "Σ" in str(derivs[0].steps[0].rhs) and [r.status for r in results] == [Status.PROVED]
