"""Latents drawn as i.i.d. copies, as an importance-weighted note says so ("draw $z_1, z_2 \\sim
q(z)$"): read as ``copies: z1 z2`` (said in a warning), so the IWAE's bound, true for copies, is
PROVED and its reversal FAILED; without the sampling statement z_1, z_2 stay the blocks of a
mean-field latent, where the last step is false.  A premise that defines a name the formula after
it never writes ("let $w_k = …$") is read without it; one it uses still keeps the formula unchecked."""
from __future__ import annotations

import pytest
from sympy import Symbol

from vi_sym.core import Status
from vi_sym.frontends import load_text
from vi_sym.frontends.draws import Draw, draws_in, with_draws
from vi_sym.frontends.markdown import read_markdown
from vi_sym.frontends.note import read_note
from vi_sym.frontends.premises import unused_definition
from vi_sym.notation import to_unicode
from vi_sym.rules import Context


@pytest.mark.parametrize("text, latex, found", [
    (r"Draw $z_1, z_2 \sim q(z)$ independently.", True, ("z", ("1", "2"), False)),
    (r"with $z_1, \dots, z_K \sim q_\phi(z \mid x)$", True, ("z", ("1",), True)),
    (r"$\mathbf{z}_1, \ldots, \mathbf{z}_{K} \overset{\text{iid}}{\sim} q$", True, ("z", ("1",), True)),
    (r"$z_1$ and $z_2$ are sampled independently from $q$", True, ("z", ("1", "2"), False)),
    (r"$\epsilon_1, \epsilon_2 \sim \mathcal{N}(0, 1)$", True, ("ε", ("1", "2"), False)),
    ("Sample z1, z2 ~ q(z) i.i.d.", False, ("z", ("1", "2"), False)),
    ("z_1, z_2, z_3 ∼ q", False, ("z", ("1", "2", "3"), False)),
])
def test_sampling_statements_are_read(text, latex, found):
    assert draws_in(text, latex=latex) == [Draw(1, *found)]


@pytest.mark.parametrize("text, latex", [
    (r"$z_1 \sim q(z)$", True),                    # one variable: nothing is a copy of it
    (r"$x_1, x_2 \sim p(x \mid z)$", True),        # data points, not latents
    (r"$z_1, w_2 \sim q$", True),                  # two letters: not copies of one variable
    ("z1, z2~q", True),                            # in LaTeX ~ is a space, not 'distributed as'
    ("z ~ N(0, 1)", False),                        # no numbered variable
    (r"$q(z_1) q(z_2) \geq 0$", True),             # no sampling at all
])
def test_nothing_else_is_a_sampling_statement(text, latex):
    assert draws_in(text, latex=latex) == []


def test_a_declared_structure_wins_over_a_sampling_statement():
    z1, z2, z3 = Symbol("z1"), Symbol("z2"), Symbol("z3")
    draws = [Draw(1, "z", ("1", "2"), False)]
    ctx = Context((z1, z2))
    assert with_draws(ctx, draws)[0].copies == ((z1, z2),)
    assert with_draws(ctx, draws)[1].startswith("read z1, z2 as i.i.d. copies")
    declared = Context((z1, z2), copies=((z2, z1),))
    assert with_draws(declared, draws) == (declared, None)
    assert with_draws(Context((z1, z3)), draws)[0].copies == ()       # z3 is not drawn: no pair
    assert with_draws(Context((z1, z2, z3)), [Draw(1, "z", ("1",), True)])[0].copies == ((z1, z2, z3),)


IWAE = r"""Draw $z_1, z_2 \sim q(z)$ independently and let $w_k = p(x, z_k)/q(z_k)$. Then
\begin{align}
\log p(x) &= \log \mathbb{E}_{q(z_1) q(z_2)}\left[\frac{1}{2}\left(\frac{p(x,z_1)}{q(z_1)} + \frac{p(x,z_2)}{q(z_2)}\right)\right] \\
&\geq \mathbb{E}_{q(z_1) q(z_2)}\left[\log \frac{1}{2}\left(\frac{p(x,z_1)}{q(z_1)} + \frac{p(x,z_2)}{q(z_2)}\right)\right] \\
&%s \mathbb{E}_{q(z_1) q(z_2)}\left[\frac{1}{2}\left(\log\frac{p(x,z_1)}{q(z_1)} + \log\frac{p(x,z_2)}{q(z_2)}\right)\right] \\
&= \mathbb{E}_{q(z_1)}\left[\log\frac{p(x,z_1)}{q(z_1)}\right]
\end{align}
"""


def _results(text, reader=read_markdown, file="iwae.md"):
    derivs, errors = load_text(text, file, reader)
    assert not errors and len(derivs) == 1
    return derivs[0], derivs[0].check(samples=8, seed=0, jobs=1, fixes=False)


def test_the_importance_weighted_bound_of_copies_is_proved():
    deriv, results = _results(IWAE % r"\geq")
    assert [r.status for r in results] == [Status.PROVED] * 4
    assert deriv.context.copies == ((Symbol("z1"), Symbol("z2")),)
    assert any("as i.i.d. copies" in w.message for w in deriv.warnings)
    assert any(f["family"].endswith("-copies") and f["status"] == "SPOT-CHECKED" for r in results for f in r.families)


def test_its_reversal_is_failed():
    _, results = _results(IWAE % r"\leq")
    assert results[2].status == Status.FAILED


def test_without_the_sampling_statement_the_latents_are_blocks_and_the_last_step_is_not_proved():
    text = (IWAE % r"\geq").replace(r"Draw $z_1, z_2 \sim q(z)$ independently and let", "Let")
    deriv, results = _results(text)
    assert deriv.context.copies == ()
    assert results[3].status == Status.FAILED       # q(z1) and q(z2) may differ: the halves are two ELBOs


def test_the_plain_text_note_declares_its_drawn_latents():
    text = ("Sample z1, z2 ~ q(z) i.i.d.\n\n"
            "log p(x) = log E_{q(z1) q(z2)}[ (p(x,z1)/q(z1) + p(x,z2)/q(z2))/2 ]\n"
            "  >= E_{q(z1) q(z2)}[ log((p(x,z1)/q(z1) + p(x,z2)/q(z2))/2) ]\n"
            "  %s E_{q(z1) q(z2)}[ (log(p(x,z1)/q(z1)) + log(p(x,z2)/q(z2)))/2 ]\n"
            "  = E_{q(z1)}[ log(p(x,z1)/q(z1)) ]\n")
    deriv, results = _results(text % ">=", read_note, "iwae.txt")
    assert [r.status for r in results] == [Status.PROVED] * 4
    assert deriv.context.copies == ((Symbol("z1"), Symbol("z2")),)
    _, results = _results(text % "<=", read_note, "iwae.txt")
    assert results[2].status == Status.FAILED


@pytest.mark.parametrize("premise, claim, name", [
    ("w_k = p(x, z_k)/q(z_k)", r"\log p(x) \geq \mathrm{ELBO}(q)", "w"),
    ("K = 2", r"\log p(x) = \mathrm{ELBO}(q)", "K"),
    (r"\tilde{w} := 3", "a + b = b + a", "w"),
    ("w_k = p(x, z_k)/q(z_k)", r"\log \frac{1}{2}(w_1 + w_2) \geq 0", None),     # w is written
    ("q(z) = p(z | x)", r"\mathrm{KL}(q \| p) = 0", None),                         # no name defined
    (r"\tilde{w} = 3", r"\tilde{w} \geq 0", None),
])
def test_a_definition_the_claim_never_writes_is_unused(premise, claim, name):
    assert unused_definition(premise, claim) == name


def test_a_premise_the_formula_uses_still_keeps_it_unchecked():
    text = (r"Let $w_k = p(x, z_k)/q(z_k)$. Then $$\log \frac{1}{2}(w_1 + w_2) \geq \frac{1}{2}(\log w_1 + \log w_2)$$")
    derivs, errors = load_text(text, "n.md", read_markdown)
    assert not derivs and any("holds under the premise" in e.message for e in errors)


def test_a_text_premise_that_defines_an_unused_name_is_read_without_it():
    deriv, results = _results("let K = 2, then log p(x) = ELBO(q) + KL(q || p(z|x))\n", read_note, "n.txt")
    assert [r.status for r in results] == [Status.PROVED]
    assert any("does not use" in s.message for s in deriv.skipped)


CHAPTER = r"""# CAVI

With two blocks, $q(z) = q_1(z_1) q_2(z_2)$.

$$q_1^*(z_1) \propto \exp\left\{\mathbb{E}_{-1}[\log p(z_1, z_2, x)]\right\}$$

# EM

$$\log p(x \mid \theta) = \mathcal{L}(q, \theta) + \mathrm{KL}(q \,\|\, p(z \mid x, \theta))$$

E-step: set $q(z) = p(z \mid x, \theta^{\text{old}})$, so that $\mathcal{L}(q, \theta^{\text{old}}) = \log p(x \mid \theta^{\text{old}})$.

# IWAE

Draw $z_1, z_2 \sim q(z)$ independently.

$$\mathbb{E}_{z_1, z_2 \sim q}\left[\log \frac{1}{2}\left(\frac{p(x, z_1)}{q(z_1)} + \frac{p(x, z_2)}{q(z_2)}\right)\right] %s \mathbb{E}_{z_1 \sim q}\left[\log\frac{p(x, z_1)}{q(z_1)}\right]$$
"""


@pytest.mark.parametrize("rel, last", [(r"\geq", "PROVED"), (r"\leq", "FAILED")])
def test_a_chapter_of_sections_reads_each_sections_latents(rel, last):
    """The IWAE section's "z_1, z_2 \\sim q" holds in its section only (it made the CAVI section's
    blocks copies of one latent: the mean-field assumption became a claim over three latents); the
    EM section over a bare z is not under the CAVI section's factorisation (its E-step was
    UNKNOWN); ``\\mathbb{E}_{z_1, z_2 \\sim q}`` is the expectation under q(z_1) q(z_2)."""
    derivs, errors = load_text(CHAPTER % rel, "chapter.md", read_markdown)
    assert not errors
    got = [r.status.name for d in derivs for r in d.check(samples=8, seed=0, jobs=1, fixes=False)]
    assert got == ["PROVED", "PROVED", "PROVED", last]
    said = " ".join(w.message for d in derivs for w in d.warnings)
    assert said.count("i.i.d. copies of one latent") == 1
    assert [str(v) for v in derivs[1].steps[0].context.latent] == ["z"]
    assert "E_{q(z1) q(z2)}" in to_unicode(derivs[-1].steps[0].lhs)
    assert "E_q(z1)" in to_unicode(derivs[-1].steps[0].rhs)


@pytest.mark.parametrize("reader, file, text, expected", [
    # a named quantity: w = p(x, z)/q(z), and the IWAE's weights w_k = p(x, z_k)/q(z_k), k read as 1, 2
    (read_markdown, "w.md", "Let $w = p(x, z)/q(z)$. Then\n$$\\log p(x) = \\log \\mathbb{E}_{q(z)}[w] %s "
                            "\\mathbb{E}_{q(z)}[\\log w]$$\n", ["PROVED", "PROVED"]),
    (read_markdown, "iw.md", "Draw $z_1, z_2 \\sim q(z)$ independently and let $w_k = p(x, z_k)/q(z_k)$. Then\n"
                             "$$\\mathbb{E}_{q(z_1) q(z_2)}\\left[\\log \\frac{w_1 + w_2}{2}\\right] %s "
                             "\\mathbb{E}_{q(z_1)}[\\log w_1]$$\n", ["PROVED"]),
    (read_note, "iw.txt", "z1, z2 ~ q(z) i.i.d.\nw_k = p(x, z_k)/q(z_k)\n"
                          "E_{q(z1)q(z2)}[log((w1 + w2)/2)] %s E_q(z1)[log w1]\n", ["PROVED"]),
])
def test_a_named_quantity_and_the_iwae_weights_are_read_as_defined(reader, file, text, expected):
    derivs, errors = load_text(text % (r"\geq" if file.endswith(".md") else ">="), file, reader)
    assert not errors, errors
    got = [r.status.name for d in derivs for r in d.check(samples=8, seed=0, jobs=1, fixes=False)]
    assert got == expected
    wrong, errors = load_text(text % (r"\leq" if file.endswith(".md") else "<="), file, reader)
    got = [r.status.name for d in wrong for r in d.check(samples=8, seed=0, jobs=1, fixes=False)]
    assert got[-1] == "FAILED"
