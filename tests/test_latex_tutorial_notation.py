"""LaTeX as the VAE and VI tutorials write it, each read as what it means: an aligned row's last
cell of prose (``& \\scriptstyle{\\text{; Because …}}``), ``\\mathbf{E}_q``, ``\\mathbb{KL}``,
``\\mid\\mid``, ``KL[q || p]``, an expectation of the one function after it
(``\\mathbb{E}_{q} \\log p(x|z)``), "equal by definition" (``:=``, ``\\triangleq``, ``\\equiv``: the
definition is checked, never trusted), and a bare ``q`` that is the q the chain names
(``q_\\lambda(z \\mid x)``).  ``\\approx`` is never read as an equality."""
import pytest
from sympy import Symbol

from vi_sym.checker import check_derivations
from vi_sym.core import Status
from vi_sym.frontends import load_text, reader_for
from vi_sym.frontends.latex_meaning import BARE_Q, named_q
from vi_sym.notation import to_unicode
from vi_sym.settings import Settings
from vi_sym.vocabulary import Density

SETTINGS = Settings(families=("all",), samples=8, jobs=1, fixes=False)
HEADER = "<!-- vi_sym: parameters: \\theta \\phi \\lambda -->\n\n"


def _read(text):
    ds, errors = load_text(HEADER + text, "n.md", reader_for("n.md"))
    assert not errors, errors
    return ds


def _statuses(text):
    ds = _read(text)
    return [r.status for r in check_derivations(ds, SETTINGS).results if not r.step_id.endswith("'")]


WENG = r"""$$
\begin{aligned}
D_\text{KL}( q_\phi(\mathbf{z}\vert\mathbf{x}) \| p_\theta(\mathbf{z}\vert\mathbf{x}) )
&=\int q_\phi(\mathbf{z} \vert \mathbf{x}) \log\frac{q_\phi(\mathbf{z} \vert \mathbf{x})}{p_\theta(\mathbf{z} \vert \mathbf{x})} d\mathbf{z} & \\
&=\int q_\phi(\mathbf{z} \vert \mathbf{x}) \log\frac{q_\phi(\mathbf{z} \vert \mathbf{x})p_\theta(\mathbf{x})}{p_\theta(\mathbf{z}, \mathbf{x})} d\mathbf{z} & \scriptstyle{\text{; Because }p(z \vert x) = p(z, x) / p(x)} \\
&=\log p_\theta(\mathbf{x}) + \int q_\phi(\mathbf{z} \vert \mathbf{x})\log\frac{q_\phi(\mathbf{z} \vert \mathbf{x})}{p_\theta(\mathbf{x}\vert\mathbf{z})p_\theta(\mathbf{z})} d\mathbf{z} & \scriptstyle{\text{; Because }\int q(z \vert x) dz = 1}\\
&=\log p_\theta(\mathbf{x}) + \mathbb{E}_{\mathbf{z}\sim q_\phi(\mathbf{z} \vert \mathbf{x})}[\log \frac{q_\phi(\mathbf{z} \vert \mathbf{x})}{p_\theta(\mathbf{z})} - \log p_\theta(\mathbf{x} \vert \mathbf{z})] &\\
&=\log p_\theta(\mathbf{x}) + D_\text{KL}(q_\phi(\mathbf{z}\vert\mathbf{x}) \| p_\theta(\mathbf{z})) - \mathbb{E}_{\mathbf{z}\sim q_\phi(\mathbf{z}\vert\mathbf{x})}\log p_\theta(\mathbf{x}\vert\mathbf{z}) &
\end{aligned}
$$
"""


def test_a_tutorials_aligned_chain_with_prose_in_its_last_cells_is_proved():
    ds = _read(WENG)
    assert len(ds) == 1 and len(ds[0].steps) == 5 and not ds[0].skipped
    assert {str(v) for v in ds[0].steps[1].rhs.free_symbols} <= {"x", "z", "θ", "φ"}      # the prose is no factor
    assert _statuses(WENG) == [Status.PROVED] * 5


def test_the_same_chain_with_a_slip_is_failed():
    slip = WENG.replace(r"&=\log p_\theta(\mathbf{x}) + D_\text{KL}", r"&=\log p_\theta(\mathbf{x}) - D_\text{KL}")
    assert _statuses(slip) == [Status.PROVED] * 4 + [Status.FAILED]


@pytest.mark.parametrize("latex", [
    r"\mathbb{KL}(q_\lambda(z \mid x) \mid\mid p(z \mid x)) = \mathbf{E}_q[\log q_\lambda(z \mid x)] - \mathbf{E}_q[\log p(x, z)] + \log p(x)",
    r"KL\left[q_\lambda(z \mid x) || p(z|x)\right] = \mathbb{E}_{q}[\log q_\lambda(z \mid x)] - \mathbb{E}_q[\log p(x, z)] + \log p(x)",
])
def test_a_bare_q_is_the_q_the_note_names(latex):
    ds = _read(f"$$ {latex} $$\n")
    step = ds[0].steps[0]
    assert "q(z|x,λ)" in to_unicode(step.rhs) and "q(z)" not in to_unicode(step.rhs).replace("q(z|", "")
    assert _statuses(f"$$ {latex} $$\n") == [Status.PROVED]
    slip = latex.replace("+ \\log p(x)", "- \\log p(x)")
    assert slip != latex and _statuses(f"$$ {slip} $$\n") == [Status.FAILED]


def test_a_bare_q_is_q_of_z_when_the_chain_names_no_q_or_several():
    z, x, lam, phi = Symbol("z"), Symbol("x"), Symbol("λ", real=True), Symbol("φ", real=True)
    bare = Density(BARE_Q, [z])
    q1, q2 = Density("q", [z], [x, lam]), Density("q", [z], [x, phi])
    assert named_q([(None, bare, "", 1, 1)]) == [(None, Density("q", [z]), "", 1, 1)]
    assert named_q([(None, bare + q1, "", 1, 1)]) == [(None, 2 * q1, "", 1, 1)]
    assert named_q([(None, bare + q1, "", 1, 1)], {q2}) == [(None, Density("q", [z]) + q1, "", 1, 1)]
    assert named_q([(None, bare, "", 1, 1)], {q2}) == [(None, q2, "", 1, 1)]


def test_a_bare_q_in_a_later_row_is_the_q_an_earlier_row_named():
    text = ("$$\n\\begin{aligned}\n\\mathrm{KL}(q_\\phi(z \\mid x) \\| p(z \\mid x)) "
            "&= \\mathbb{E}_q\\left[\\log \\frac{q_\\phi(z \\mid x)}{p(z \\mid x)}\\right] \\\\\n"
            "&= \\mathbb{E}_q[\\log q_\\phi(z \\mid x)] - \\mathbb{E}_q[\\log p(z \\mid x)]\n\\end{aligned}\n$$\n")
    ds = _read(text)
    assert all("q(z)" not in to_unicode(s.rhs) for s in ds[0].steps)
    assert _statuses(text) == [Status.PROVED, Status.PROVED]


@pytest.mark.parametrize("rel", [":=", r"\triangleq", r"\equiv", r"\coloneqq", "≜"])
def test_equal_by_definition_is_checked_as_an_equality(rel):
    right = rf"$$ \mathrm{{KL}}(q \| p(z|x)) {rel} \int q(z) \log \frac{{q(z)}}{{p(z|x)}} \, dz $$" + "\n"
    reversed_kl = rf"$$ \mathrm{{KL}}(q \| p(z|x)) {rel} \int p(z|x) \log \frac{{p(z|x)}}{{q(z)}} \, dz $$" + "\n"
    assert _statuses(right) == [Status.PROVED]
    assert _statuses(reversed_kl) == [Status.FAILED]


def test_an_approximation_is_not_an_equality():
    ds, errors = load_text("$$ \\log p(x) \\approx \\mathcal{L}(q) $$\n", "n.md", reader_for("n.md"))
    assert not ds and len(errors) == 1 and "\\approx is an approximation" in errors[0].message


def test_an_expectation_without_brackets_takes_the_one_function_after_it():
    ds = _read(r"$$ \mathbb{E}_{q(z)} \log p(x \mid z) + 1 = \mathbb{E}_{q(z)}[\log p(x \mid z)] + 1 $$" + "\n")
    step = ds[0].steps[0]
    assert step.lhs == step.rhs and to_unicode(step.lhs) == "E_q(z)[log p(x|z)] + 1"


@pytest.mark.parametrize("latex, expected", [
    (r"q^{*}(\mathbf{z})=\underset{q(\mathbf{z}) \in \mathscr{Q}}{\arg \min } \mathrm{KL}(q(\mathbf{z}) \| p(\mathbf{z} \mid \mathbf{x}))",
     "argmin_{q(z)} KL(q(z) ‖ p(z|x))"),
    (r"\mathcal{L}(q) = \underset{q(z)}{\mathbb{E}}[\log p(x, z) - \log q(z)]", "E_q(z)[log p(x,z) - log q(z)]"),
])
def test_underset_puts_its_subscript_under_an_operator(latex, expected):
    ds, errors = load_text(HEADER + f"$$ {latex} $$\n", "n.md", reader_for("n.md"))
    if latex.startswith("q^{*}"):      # q* set to an argmin: a definition, said with its reading
        assert not ds and [e.message for e in errors] == [
            f"no step read here: defines q_star(z) = {expected} (a definition: nothing to prove)"]
    else:
        assert not errors, errors
        assert to_unicode(ds[0].steps[0].rhs) == expected


def test_underset_over_a_relation_is_its_justification():
    ds = _read(r"$$ \mathrm{KL}(q \| p(z|x)) \underset{\text{def}}{=} \int q(z) \log \frac{q(z)}{p(z|x)} dz "
               r"\underset{\text{Bayes}}{=} \int q(z) \log \frac{q(z) p(x)}{p(x|z) p(z)} dz $$" + "\n")
    assert [s.by for s in ds[0].steps][1] == ("bayes_rule",)


def test_prose_after_a_formula_is_a_remark():
    text = r"$$\log p(\mathbf{x}) \geq \operatorname{ELBO}(q) \text { for any } q(\mathbf{z})$$" + "\n"
    ds = _read(text)
    assert to_unicode(ds[0].steps[0].rhs) == "ELBO(q(z), p(x,z))"
    assert _statuses(text) == [Status.PROVED]


@pytest.mark.parametrize("latex, expected", [
    (r"\log p(x) = ELBO(\lambda) + \mathbb{KL}(q_\lambda(z \mid x) \mid\mid p(z \mid x))", "ELBO(q(z|x,λ), p(x,z))"),
    (r"\log p(x) = \mathcal{L}(\lambda) + \mathrm{KL}(q_\lambda(z) \| p(z \mid x))", "ELBO(q(z|λ), p(x,z))"),
    (r"\log p(x) \geq \mathcal{L}(\lambda)", "ELBO(q(z|λ), p(x,z))"),
])
def test_the_elbo_of_a_variational_parameter_is_the_bound_of_its_q(latex, expected):
    ds = _read(f"$$ {latex} $$\n")
    assert to_unicode(ds[0].steps[0].rhs).startswith(expected)
    assert _statuses(f"$$ {latex} $$\n") == [Status.PROVED]


def test_the_elbo_of_a_variational_parameter_with_the_wrong_kl_is_failed():
    latex = r"\log p(x) = ELBO(\lambda) - \mathbb{KL}(q_\lambda(z \mid x) \mid\mid p(z \mid x))"
    assert _statuses(f"$$ {latex} $$\n") == [Status.FAILED]


KW = {
    "(1)": r"\log p_{\boldsymbol{\theta}}(\mathbf{x}^{(i)}) = D_{KL}(q_{\boldsymbol{\phi}}(\mathbf{z}|\mathbf{x}^{(i)})"
           r"||p_{\boldsymbol{\theta}}(\mathbf{z}|\mathbf{x}^{(i)})) + \mathcal{L}(\boldsymbol{\theta}, \boldsymbol{\phi}; "
           r"\mathbf{x}^{(i)})",
    "(3)": r"\mathcal{L}(\boldsymbol{\theta}, \boldsymbol{\phi}; \mathbf{x}^{(i)}) = -D_{KL}(q_{\boldsymbol{\phi}}"
           r"(\mathbf{z}|\mathbf{x}^{(i)})||p_{\boldsymbol{\theta}}(\mathbf{z})) + \mathbb{E}_{q_{\boldsymbol{\phi}}"
           r"(\mathbf{z}|\mathbf{x}^{(i)})}\left[\log p_{\boldsymbol{\theta}}(\mathbf{x}^{(i)}|\mathbf{z})\right]",
}


@pytest.mark.parametrize("eq", sorted(KW))
def test_kingma_and_wellings_equations_as_typeset_are_proved(eq):
    ds = _read(f"$$ {KW[eq]} $$\n")
    assert "θ" in to_unicode(ds[0].steps[0].lhs) + to_unicode(ds[0].steps[0].rhs)
    assert _statuses(f"$$ {KW[eq]} $$\n") == [Status.PROVED]


def test_kingma_and_wellings_bound_with_the_kl_added_is_failed():
    slip = KW["(3)"].replace("= -D_{KL}", "= D_{KL}")
    assert slip != KW["(3)"] and _statuses(f"$$ {slip} $$\n") == [Status.FAILED]


def test_the_ith_data_point_is_the_point_or_the_sums_point():
    from vi_sym.frontends.latex_macros import datapoints
    assert datapoints(r"p(\mathbf{x}^{(i)})", {}) == r"p(\mathbf{x}      )"
    assert datapoints(r"\sum_{i=1}^{N} p(x^{(i)})", {}) == r"\sum_{i=1}^{N} p(x_{i}  )"
    assert datapoints(r"p(x^{(i)})", {"i": Symbol("i")}) == r"p(x^{(i)})"


def test_a_macro_expanding_to_a_letter_after_a_control_word_stays_apart():
    from vi_sym.frontends.latex_macros import BUILTIN, Macro, expand
    assert expand(r"p(z \vert\x)", {"x": Macro("x", 0, "x")})[0] == r"p(z \vert x)"
    assert expand(r"p(\mathbf{z}\vert\mathbf{x})", BUILTIN)[0] == r"p(z\vert x)"
    assert expand(r"\mathbf{E}[f]", BUILTIN)[0] == r"\mathbf{E}[f]"      # a bold E is the expectation


@pytest.mark.parametrize("latex, expected", [
    # as the blog the seed note cites types them: log without its backslash, glued to the density
    (r"KL(q(z) || p(z|x)) = \mathbb{E}_q [log q(z)] - \mathbb{E}_q [log p(z, x)] + log p(x)",
     "log p(x) - E_q(z)[log p(z,x)] + E_q(z)[log q(z)]"),
    (r"ELBO(q) = \mathbb{E} [logp(z, x)] - \mathbb{E} [logq(z)]", "E_q(z)[log p(z,x)] - E_q(z)[log q(z)]"),
    (r"log p(x) = E[log p(x, z)] - E[log q(z)] + KL(q || p(z|x))",
     "E_q(z)[log p(x,z)] - E_q(z)[log q(z)] + KL(q(z) ‖ p(z|x))"),
    (r"\mathrm{log}\, p(x) = \operatorname{ln}(p(x)) + exp(0) - 1", "log p(x)"),
])
def test_log_typed_without_its_backslash_is_the_logarithm(latex, expected):
    ds = _read(f"$$ {latex} $$\n")
    assert to_unicode(ds[0].steps[0].rhs) == expected
    assert _statuses(f"$$ {latex} $$\n") == [Status.PROVED]


def test_letters_that_only_start_like_log_are_not_a_logarithm():
    ds, errors = load_text("$$ logistic(x) = 1 $$\n", "n.md", reader_for("n.md"))
    assert not ds and "unknown variable 'l'" in errors[0].message


@pytest.mark.parametrize("kl", [r"\mathrm{D}_{\mathrm{KL}}", r"\mathbb{D}_{\mathrm{KL}}", r"\mathcal{D}_{KL}",
                                r"\operatorname{D}_\text{KL}", r"D_{\mathrm{KL}}"])
def test_the_kl_divergence_under_each_typeset_d(kl):
    ds = _read(f"$$ {kl}(q \\| p(z|x)) = \\mathbb{{E}}_q[\\log q(z) - \\log p(z|x)] $$\n")
    assert to_unicode(ds[0].steps[0].lhs) == "KL(q(z) ‖ p(z|x))"


@pytest.mark.parametrize("star", [r"q^{*}_{1}(z_1)", r"q_1^*(z_1)", r"q^\star_1(z_1)"])
def test_an_optimal_factor_with_its_star_before_or_after_its_index(star):
    ds, errors = load_text("<!-- vi_sym: latent: z_1 z_2 -->\n\n"
                           f"$$ \\log {star} = \\mathbb{{E}}_{{-z_1}}[\\log p(x, z_1, z_2)] + \\text{{const}} $$\n",
                           "n.md", reader_for("n.md"))
    assert not errors and "q1_star(z1)" in to_unicode(ds[0].steps[0].lhs)
