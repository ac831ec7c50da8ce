"""Claims about concrete densities: the shipped closed forms prove, wrong ones are refuted.

A wrong closed form (sign flip, swapped KL arguments, a missing 1/2, log σ for
log σ², a dropped term) must never be PROVED and must come out FAILED with a
counterexample against the defining integral.
"""
import pytest

from vi_sym.judge import prove as prove_task
from vi_sym.scheduler import Settings, check_derivations
from vi_sym.spot.claims import spot_claim
from vi_sym.loader import load_file, load_text

HEADERS = {
    "normal": ("latent: z\nparameters: m1 m2\npositive: s1 s2\n"
               "define q(z) = Normal(z, m1, s1)\ndefine r(z) = Normal(z, m2, s2)\n"),
    "gamma": ("latent: z\npositive: a1 b1 a2 b2\n"
              "define q(z) = Gamma(z, a1, b1)\ndefine r(z) = Gamma(z, a2, b2)\n"),
    "beta": "latent: z\npositive: a b\ndefine q(z) = Beta(z, a, b)\n",
    "bernoulli": ("latent: z\nunit: t1 t2\n"
                  "define q(z) = Bernoulli(z, t1)\ndefine r(z) = Bernoulli(z, t2)\n"),
    "vae": ("latent: z1 z2\nparameters: mu1 mu2\npositive: s1 s2\n"
            "define q(z1, z2) = Normal(z1, mu1, s1) * Normal(z2, mu2, s2)\n"
            "define r(z1, z2) = Normal(z1, 0, 1) * Normal(z2, 0, 1)\n"),
    "laplace": ("latent: z\nparameters: m1 m2\npositive: b1 b2\n"
                "define q(z) = Laplace(z, m1, b1)\ndefine r(z) = Laplace(z, m2, b2)\n"),
}


def claim(header, lhs, rhs):
    (d,), errs = load_text(f"derivation c\n{HEADERS[header]}\n    {lhs}\n  = {rhs}   by kl_definition\n", "c.vi")
    assert not errs, errs
    return d.steps[0]


WRONG = [
    ("normal", "KL(q(z) || r(z))", "log(s1/s2) + (s1^2 + (m1 - m2)^2)/(2*s2^2) - 1/2", "sign of the log term"),
    ("normal", "KL(q(z) || r(z))", "log(s2/s1) + (s2^2 + (m1 - m2)^2)/(2*s1^2) - 1/2", "arguments swapped"),
    ("normal", "KL(q(z) || r(z))", "log(s2/s1) + (s1^2 + (m1 - m2)^2)/s2^2 - 1/2", "missing 1/2"),
    ("normal", "KL(q(z) || r(z))", "log(s2^2/s1) + (s1^2 + (m1 - m2)^2)/(2*s2^2) - 1/2", "log s^2 for log s"),
    ("normal", "KL(q(z) || r(z))", "log(s2/s1) + s1^2/(2*s2^2) - 1/2", "dropped term"),
    ("gamma", "KL(q(z) || r(z))",
     "(a1 - a2)*digamma(a1) - lgamma(a1) + lgamma(a2) + a2*(log(b1) - log(b2)) - a1*(b2 - b1)/b1",
     "sign flip"),
    ("beta", "H(q(z))", "lgamma(a) + lgamma(b) - lgamma(a + b) - (a - 1)*digamma(a) - (b - 1)*digamma(b)",
     "dropped term"),
    ("bernoulli", "KL(q(z) || r(z))", "t2*log(t2/t1) + (1 - t2)*log((1 - t2)/(1 - t1))", "arguments swapped"),
    ("vae", "KL(q(z1, z2) || r(z1, z2))", "(s1^2 + mu1^2 - 1 - log(s1) + s2^2 + mu2^2 - 1 - log(s2))/2",
     "log s for log s^2"),
    ("laplace", "KL(q(z) || r(z))", "log(b2/b1) + abs(m1 - m2)/b2 + (b1/b2)*exp(-abs(m1 - m2)/b2) - 1",
     "b2 for b1 in the exponent"),
]


@pytest.mark.parametrize("header,lhs,rhs,slip", WRONG, ids=[f"{w[0]}-{w[3]}" for w in WRONG])
def test_wrong_closed_forms_are_never_proved_and_are_refuted(header, lhs, rhs, slip):
    step = claim(header, lhs, rhs)
    assert not prove_task(step)["proved"]
    r = spot_claim(step, samples=30, seed=1)
    assert r.status == "FAILED", r.reason
    c = r.counterexample
    assert abs(c["lhs"] - c["rhs"]) > c["threshold"] and set(c["params"])


def test_a_counterexample_reproduces_from_the_same_seed():
    step = claim(*WRONG[2][:3])
    a, b = spot_claim(step, samples=30, seed=4), spot_claim(step, samples=30, seed=4)
    assert a.status == b.status == "FAILED" and a.counterexample == b.counterexample


def test_every_shipped_closed_form_is_proved_by_named_lemmas():
    ds, errs = load_file("derivations/closed_forms.vi")
    assert not errs and len(ds) >= 19
    for d in ds:
        (step,) = d.steps
        out = prove_task(step)
        if step.expect == "fails":         # a wrong variant, shipped to be refuted
            assert d.name.endswith("_wrong") and not out["proved"], d.name
            continue
        assert out["proved"], (d.name, out["reason"])
        assert out["trace"] and all(len(t) == 3 for t in out["trace"])


def test_a_correct_closed_form_is_also_spot_checked_against_its_integral():
    step = claim("laplace", "KL(q(z) || r(z))",
                 "log(b2/b1) + abs(m1 - m2)/b2 + (b1/b2)*exp(-abs(m1 - m2)/b1) - 1")
    r = spot_claim(step, samples=20, seed=0)
    assert r.status == "SPOT-CHECKED" and r.n_checked >= 15


def test_uniform_with_a_support_outside_the_other_is_not_proved():
    text = ("derivation u\nlatent: z\npositive: w c\n"
            "define q(z) = Uniform(z, 0, w + c)\ndefine r(z) = Uniform(z, 0, w)\n\n"
            "    KL(q(z) || r(z))\n  = log(w/(w + c))   by kl_definition\n")
    (d,), errs = load_text(text, "u.vi")
    out = prove_task(d.steps[0])
    assert not out["proved"] and "support" in out["reason"]


@pytest.mark.parametrize("define,fragment", [
    ("define q(z) = z + 1", "not a distribution"),
    ("define q(x) = Normal(x, 0, 1)", "not a latent variable"),
    ("define q(z) = Normal(z, z, 1)", "depends on its variable"),
    ("define q(z) = Normal(z, 0, 1)\ndefine q(z) = Normal(z, 1, 1)", "defined twice"),
    ("define q(z) Normal(z, 0, 1)", "expected 'define"),
    ("define q(z) = Wibble(z, 0, 1)", "Wibble"),
])
def test_bad_defines_name_the_file_line_and_problem(define, fragment):
    text = f"derivation d\nlatent: z\nobserved: x\n{define}\n\n    H(q(z))\n  = 1   by entropy_definition\n"
    ds, errs = load_text(text, "d.vi")
    assert errs and errs[0].file == "d.vi" and errs[0].line >= 4 and fragment in errs[0].message, errs


def test_claims_run_through_the_checker_with_their_own_family():
    step = claim(*WRONG[0][:3])
    from vi_sym.core import Derivation
    report = check_derivations([Derivation("c", [step])], Settings(samples=10, jobs=1, families=("all",)))
    (r,) = report.results
    assert r.status.value == "FAILED" and r.families[0]["family"] == "concrete"


def _run(text):
    from vi_sym.loader import load_text
    from vi_sym.claims import prove_claim, spot_claim
    derivs, errors = load_text(text, "t.vi")
    assert not errors, errors
    step = derivs[0].steps[0]
    return prove_claim(step), spot_claim(step, samples=10)


def test_beta_inside_exponential_is_proved():
    proof, spot = _run("derivation d\nlatent: z\npositive: a b l\ndefine q(z) = Beta(z, a, b)\n"
                       "define r(z) = Exponential(z, l)\n\n    KL(q(z) || r(z))\n"
                       "  = -(lgamma(a) + lgamma(b) - lgamma(a + b) - (a - 1)*digamma(a) - (b - 1)*digamma(b)"
                       " + (a + b - 2)*digamma(a + b)) - log(l) + l*a/(a + b)  by kl_definition\n")
    assert proof["proved"] and spot.status == "SPOT-CHECKED"


@pytest.mark.parametrize("q,r", [("Bernoulli(z, t)", "Normal(z, 0, 1)"), ("Geometric(z, t)", "Exponential(z, 1)"),
                                 ("Exponential(z, 1)", "Beta(z, 2, 2)"), ("Normal(z, 0, 1)", "Exponential(z, 1)"),
                                 ("Normal(z, 0, 1)", "HalfNormal(z, 1)"), ("Exponential(z, 1)", "Pareto(z, 1, 2)"),
                                 ("Gumbel(z, 0, 1)", "LogNormal(z, 0, 1)"), ("Poisson(z, 1)", "Binomial(z, 4, t)"),
                                 ("Geometric(z, t)", "Bernoulli(z, t)"), ("Binomial(z, 4, t)", "Normal(z, 0, 1)"),
                                 ("Categorical(z, 1, 2, 3)", "Gamma(z, 2, 1)"), ("Normal(z, 0, 1)", "Poisson(z, 1)"),
                                 ("Gamma(z, 2, 1)", "Uniform(z, 0, 3)"), ("Gumbel(z, 0, 1)", "Exponential(z, 1)"),
                                 ("Normal(z, 0, 1)", "Gamma(z, 2, 1)"), ("Uniform(z, -1, 2)", "Gamma(z, 2, 1)"),
                                 ("Uniform(z, -1, 1)", "Exponential(z, 2)"), ("Poisson(z, 2)", "Exponential(z, 1)"),
                                 ("Exponential(z, 1)", "Poisson(z, 1)"), ("Bernoulli(z, t)", "Gumbel(z, 0, 1)"),
                                 ("Laplace(z, 0, 1)", "Exponential(z, 1)")])
def test_kl_outside_the_support_is_neither_proved_nor_spot_checked(q, r):
    """discrete against continuous, or a wider support: the KL is +oo, whatever the right side says."""
    proof, spot = _run(f"derivation d\nlatent: z\nunit: t\ndefine q(z) = {q}\ndefine r(z) = {r}\n\n"
                       "    KL(q(z) || r(z))\n  = t*log(t) + 1  by kl_definition\n")
    assert not proof["proved"] and spot.status != "SPOT-CHECKED"


def test_the_exponential_absolute_deviation_needs_the_sign_of_the_centre():
    """E|z - m| under Exponential(l) is m - 1/l + 2 exp(-l m)/l only for m >= 0: with m of
    unknown sign that closed form is not proved, and a negative m refutes it."""
    text = ("derivation d\nlatent: z\nparameters: m\npositive: l b\ndefine q(z) = Exponential(z, l)\n"
            "define r(z) = Laplace(z, m, b)\n\n    KL(q(z) || r(z))\n"
            "  = log(l) - 1 + log(2*b) + (m - 1/l + 2*exp(-l*m)/l)/b  by kl_definition\n")
    proof, spot = _run(text)
    assert not proof["proved"] and spot.status == "FAILED"
    proof, spot = _run(text.replace("parameters: m\npositive: l b", "positive: l b m"))
    assert proof["proved"] and spot.status == "SPOT-CHECKED"
