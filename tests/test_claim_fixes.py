"""Likely fixes of refuted closed forms about defined densities: a single edit (a missing
term restored, two parameters exchanged, a sign flipped, a term doubled or halved or
dropped, the densities swapped) offered only when the edited claim is PROVED by the
moment lemmas -- and a wrong candidate is never offered."""
import time

import pytest

from vi_sym.claims.prove import closed_form_test, prove_claim
from vi_sym.fixes import candidates, suggest_fixes
from vi_sym.loader import load_file, load_text

CATALOGUE = "derivations/closed_forms.vi"


def _step(text):
    derivs, errors = load_text(text, "<test>")
    assert not errors, errors
    return derivs[0].steps[0]


GUMBEL_WRONG = """derivation kl_gumbel_wrong
latent: z
parameters: m1 m2
positive: b1 b2
define q(z) = Gumbel(z, m1, b1)
define r(z) = Gumbel(z, m2, b2)

    KL(q(z) || r(z))
  = (log(b2/b1) - digamma(1)*(b1/b2 - 1) + (m1 - m2)/b2 + exp((m1 - m2)/b2)*gamma(1 + b1/b2) - 1)  by kl_definition
"""

NORMAL_WRONG = """derivation kl_normal_wrong
latent: z
parameters: m1 m2
positive: s1 s2
define q(z) = Normal(z, m1, s1)
define r(z) = Normal(z, m2, s2)

    KL(q(z) || r(z))
  = log(s2/s1) + (s1^2 + (m1 - m2)^2)/s2^2 - 1/2          by kl_definition
"""


def test_a_parameter_of_the_wrong_density_is_exchanged_back():
    fixes = suggest_fixes(_step(GUMBEL_WRONG))
    assert fixes and fixes[0].verdict == "PROVED"
    assert "m2 and m1 exchanged" in fixes[0].description
    assert "exp" in fixes[0].description


def test_a_missing_half_is_restored_and_the_fix_is_itself_proved():
    fixes = suggest_fixes(_step(NORMAL_WRONG))
    assert fixes, "a missing 1/2 is one edit"
    assert all(f.verdict == "PROVED" for f in fixes)
    # the offered statement, written back, is proved by the ordinary prover
    step = _step(NORMAL_WRONG.replace("/s2^2 - 1/2", "/(2*s2^2) - 1/2"))
    assert prove_claim(step)["proved"]


def test_the_lemma_test_never_proves_a_wrong_edit():
    step = _step(NORMAL_WRONG)
    test = closed_form_test(step)
    assert not test(step.lhs, step.rhs)
    right = _step(NORMAL_WRONG.replace("/s2^2 - 1/2", "/(2*s2^2) - 1/2"))
    assert test(right.lhs, right.rhs)


def _wrong_steps():
    """The catalogue's wrong closed forms (explicit series included: the search has a deadline)."""
    derivs, _ = load_file(CATALOGUE)
    return [d.steps[0] for d in derivs if d.name.endswith("_wrong")]


@pytest.mark.parametrize("step", _wrong_steps()[::3], ids=lambda s: s.derivation)
def test_every_offered_fix_of_a_catalogue_variant_is_proved_by_the_prover(step):
    fixes = suggest_fixes(step, deadline=10)
    offered = {f.description for f in fixes}
    # each offered edit, built again and given to the ordinary prover, is PROVED
    for op, desc, lhs, rel, rhs in candidates(step):
        if desc in offered:   # (an edit that is not a real-valued statement is never offered)
            assert prove_claim(type(step)(lhs, rel, rhs, step.by, context=step.context))["proved"], desc
    test = closed_form_test(step)
    assert not test(step.lhs, step.rhs), "the wrong variant itself is never proved"


def _series_wrong():
    derivs, _ = load_file(CATALOGUE)
    return {d.name: d.steps[0] for d in derivs}["mean_poisson_series_wrong"]


def test_the_search_on_a_series_stops_at_its_deadline_and_says_so(monkeypatch):
    """sympy's summation of an edited series can run for minutes: the search keeps what it
    found and says it stopped (the Python API, no scheduler around it).  The numeric screen,
    which spares the lemmas every candidate that disagrees, is turned off: every edit of the
    series goes to sympy, as it did before the screen."""
    import vi_sym.claim_fixes as F
    monkeypatch.setattr(F, "claim_screen", lambda step: lambda lhs, rhs: True)
    t0 = time.process_time()            # the deadline counts CPU seconds (load-independent)
    fixes = suggest_fixes(_series_wrong(), deadline=2)
    assert time.process_time() - t0 < 6
    assert "2 s" in fixes.note
    for f in fixes:
        assert f.verdict == "PROVED"


def test_an_expired_search_with_nothing_found_says_no_fix_found(monkeypatch):
    import vi_sym.claim_fixes as F
    slow = F.claim_screen

    def screener(step):
        screen = slow(step)

        def stalled(lhs, rhs):
            end = time.process_time() + 0.3     # CPU time: the deadline counts it
            while time.process_time() < end:
                pass
            return screen(lhs, rhs)
        return stalled
    monkeypatch.setattr(F, "claim_screen", screener)
    fixes = suggest_fixes(_step(NORMAL_WRONG), deadline=0.5)
    assert list(fixes) == [] and fixes.note == "no fix found within 0.5 s"


def test_a_fix_of_a_number_inside_a_function_names_the_function():
    """Not "half the term 2": the edit is worded by the user's gamma(k + 2)."""
    fixes = suggest_fixes(_series_wrong(), deadline=10)
    assert fixes and fixes[0].description.startswith("gamma(k + 1) instead of gamma(k + 2)")
    assert not any("the term 2 " in f.description for f in fixes)


def test_both_terms_of_a_bracket_flipped_are_worded_by_the_bracket():
    derivs, _ = load_file(CATALOGUE)
    step = {d.name: d.steps[0] for d in derivs}["entropy_bernoulli_wrong"]
    words = [f.description for f in suggest_fixes(step)]
    assert "(t - 1) log(1 - t) instead of (1 - t) log(1 - t) on the right" in words
    assert not any(" and " in w for w in words)
