"""A premise in a note ("let q(z) = p(z|x), then …", "q(z) = p(z|x) 로 두면 …") is not a claim:
the formula after it is checked with the premise substituted, so a true conditional statement is
PROVED, a false one FAILED, and the premise is never refuted as if q were claimed to be the
posterior.  A premise vi_sym cannot substitute leaves the claim after it unchecked."""
import pytest

from vi_sym.checker import check_derivations
from vi_sym.frontends import load_text, reader_for
from vi_sym.frontends.premises import english_premise, korean_premise_after
from vi_sym.notation import to_unicode
from vi_sym.settings import Settings

SETTINGS = Settings(families=("all",), samples=10, jobs=1, fixes=False)


def _read(text):
    ds, errors = load_text(text, "n.txt", reader_for("n.txt"))
    assert not errors, errors
    return ds


def _verdicts(text):
    """[(statement, status)] of every step read, in order; and the skipped lines' reasons."""
    ds = _read(text)
    results = check_derivations(ds, SETTINGS).results
    steps = {s.id: s for d in ds for s in d.steps}
    return ([(f"{to_unicode(steps[r.step_id].lhs)} {steps[r.step_id].rel} {to_unicode(steps[r.step_id].rhs)}",
              r.status.value) for r in results if not r.step_id.endswith("'")],
            [n.message for n in ds[0].skipped] if ds else [])


@pytest.mark.parametrize("line", [
    "E-step 에서 q(z) = p(z|x) 로 두면 KL(q || p(z|x)) = 0 이다.",
    "q(z) = p(z|x) 일 때 KL(q || p(z|x)) = 0",
    "let q(z) = p(z|x), then KL(q || p(z|x)) = 0",
    "If q(z) = p(z|x) then KL(q||p(z|x)) = 0",
])
def test_a_true_claim_under_a_premise_is_proved_and_the_premise_is_not_checked(line):
    steps, skipped = _verdicts(line + "\n")
    assert steps == [("KL(p(z|x) ‖ p(z|x)) = 0", "PROVED")]
    assert any(s.startswith("a premise, not a claim: q(z) = p(z|x)") for s in skipped), skipped


def test_a_premise_may_set_q_to_a_written_distribution():
    steps, _ = _verdicts("let q(z) = N(z; 0, 1), then H(q) = 1/2*log(2*pi*e)\n")
    assert steps == [("H(N(0, 1)) = log(2 e π)/2", "PROVED")]


def test_the_elbo_at_the_posterior_is_the_evidence():
    steps, _ = _verdicts("setting q(z) = p(z|x), ELBO(q) = log p(x)\n")
    assert [s for _, s in steps] == ["PROVED"]


@pytest.mark.parametrize("line", [
    "let q(z) = p(z), then KL(q || p(z|x)) = 0",              # the prior is not the posterior
    "q(z) = p(z) 로 두면 ELBO(q) = log p(x) 이다.",
])
def test_a_false_claim_under_a_premise_is_failed(line):
    steps, _ = _verdicts(line + "\n")
    assert [s for _, s in steps] == ["FAILED"] and "p(z)" in steps[0][0]


@pytest.mark.parametrize("line", [
    "let x = 0, then log p(x) = 0",                            # not a density: not substituted
    "p(z|x) = q(z) 로 두면 KL(q || p(z|x)) = 0",                # the model's conditional is no premise
])
def test_a_premise_that_is_not_substituted_leaves_its_claim_unchecked(line):
    ds = load_text(line + "\n", "n.txt", reader_for("n.txt"))[0]
    assert not any(d.steps for d in ds)


def test_the_premise_words():
    assert english_premise("let q(z) = p(z|x), then KL = 0") == ("q(z) = p(z|x)", 4, "KL = 0", 24)
    assert english_premise("q(z) = p(z|x), KL = 0") is None
    assert english_premise("let q(z) = N(z; 0, 1), then H(q) = 0")[0] == "q(z) = N(z; 0, 1)"   # commas in brackets
    assert english_premise("let q(z), then KL = 0") is None            # no equation to substitute
    for gap in (" 로 두면 ", "으로 놓으면", " 이라 하면", " 일 때 ", "이면 "):
        assert korean_premise_after(gap), gap
    for gap in (" 이고 ", " 이므로 ", " 에서 ", " 이다. 그리고 ", " 이면서 "):
        assert not korean_premise_after(gap), gap


def _md(text):
    ds, errors = load_text(text, "n.md", reader_for("n.md"))
    assert not errors, errors
    results = check_derivations(ds, SETTINGS).results
    steps = {s.id: s for d in ds for s in d.steps}
    return [(f"{to_unicode(steps[r.step_id].lhs)} {steps[r.step_id].rel} {to_unicode(steps[r.step_id].rhs)}",
             r.status.value) for r in results if not r.step_id.endswith("'")]


@pytest.mark.parametrize("text, expected", [
    ("Let $q(z) = p(z|x)$. Then $\\mathrm{KL}(q \\| p(z|x)) = 0$.\n", [("KL(p(z|x) ‖ p(z|x)) = 0", "PROVED")]),
    ("If $q(z) = p(z|x)$ then\n$$\n\\mathcal{L}(q) = \\log p(x)\n$$\n", [("ELBO(p(z|x), p(x,z)) = log p(x)", "PROVED")]),
    ("Setting $q(z) = p(z)$, we get $\\mathrm{KL}(q(z) \\| p(z|x)) = 0$.\n", [("KL(p(z) ‖ p(z|x)) = 0", "FAILED")]),
    ("$q(z) = p(z|x)$ 로 두면 $\\mathrm{KL}(q \\| p(z|x)) = 0$ 이다.\n", [("KL(p(z|x) ‖ p(z|x)) = 0", "PROVED")]),
])
def test_a_premise_in_markdown_is_substituted_into_the_formula_after_it(text, expected):
    assert _md(text) == expected


def test_two_formulas_without_premise_words_are_two_claims():
    text = "Here $\\mathrm{KL}(q \\| p(z|x)) \\geq 0$ and $q(z) = p(z|x)$.\n"
    assert [s for _, s in _md(text)] == ["PROVED", "FAILED"]


# -- closed forms as published, in plain text: ψ(a), Γ(a), B(a, b), γ(…) -------------------------
@pytest.mark.parametrize("line, status", [
    ("H(Beta(α, β)) = ln B(α, β) - (α-1)ψ(α) - (β-1)ψ(β) + (α+β-2)ψ(α+β)", "PROVED"),
    ("H(Gamma(k, λ)) = k - ln λ + ln Γ(k) + (1 - k)ψ(k)", "PROVED"),
    ("H(Weibull(k, λ)) = γ(1 - 1/k) + ln(λ/k) + 1", "PROVED"),
    ("H(Weibull(k, λ)) = γ(1 + 1/k) + ln(λ/k) + 1", "FAILED"),
])
def test_published_symbols_read_as_their_functions_and_constants(line, status):
    steps, _ = _verdicts("positive: α β λ k\n" + line + "\n")
    assert [s for _, s in steps] == [status]


def test_a_declared_name_wins_over_a_published_function():
    """With ``positive: B`` declared, B(α + 1) is not the Beta function: a parameter written against
    a bracket multiplies it, as α(α + 1) in a Beta's second moment (a latent so written is still
    refused with its advice)."""
    steps, _ = _verdicts("positive: α B\nB(α + 1) = B*α + B\n")
    assert [s for _, s in steps] == ["PROVED"]
    ds, errors = load_text("positive: α\nE_q[z(z + 1)] = 1\n", "n.txt", reader_for("n.txt"))
    assert not ds and "'z' is a variable, not a function" in errors[0].message
