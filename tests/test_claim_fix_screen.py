"""The likely-fix search of a refuted closed form screens every candidate numerically before
any lemma proof (:func:`vi_sym.claim_fixes.claim_screen`).  These tests try to make the screen
lie: a candidate the lemmas prove is never discarded by it, a left side that cannot be
evaluated turns it off, and every fix it lets through is still PROVED (or spot-checked) when
rebuilt -- for written densities, vectors of symbolic length and single-term closed forms."""
import pytest

import vi_sym.claim_fixes as cf
from vi_sym.claims.prove import prove_claim
from vi_sym.fixes import suggest_fixes
from vi_sym.indexed_claims import is_indexed_claim, prove_indexed_claim
from vi_sym.loader import load_file, load_paths

CATALOGUE = "derivations/closed_forms.vi"


def _catalogue_step(name, path=CATALOGUE):
    derivs, _ = load_paths([path])
    return next(d.steps[0] for d in derivs if d.name == name)


def _rebuilt(step, fix):
    for op, desc, lhs, rel, rhs in cf.claim_candidates(step):
        if desc == fix.description:
            return type(step)(lhs, rel, rhs, step.by, context=step.context)
    raise AssertionError(f"offered fix {fix.description!r} is no candidate")


def _proved(step) -> bool:
    return (prove_indexed_claim if is_indexed_claim(step) else prove_claim)(step)["proved"]


def test_a_missing_half_on_a_single_term_closed_form_is_restored():
    step = _catalogue_step("variance_discrete_laplace_wrong")
    offered = suggest_fixes(step)
    assert [f.description for f in offered] == ["1/(2 sinh(l/2)²) instead of 1/sinh(l/2)²"]
    assert offered[0].verdict == "PROVED" and _proved(_rebuilt(step, offered[0]))


def test_a_written_density_is_summed_in_its_declared_domains_and_a_sum_put_in_one_term():
    step = _catalogue_step("variance_geometric_written_wrong")
    offered = suggest_fixes(step)
    assert offered and offered[0].description == "the missing term (t - 1)²/t² restored on the right"
    assert all(_proved(_rebuilt(step, f)) for f in offered)


def test_log_sigma_for_log_sigma_squared_in_a_vector_of_symbolic_length():
    step = _catalogue_step("vae_kl_diagonal_wrong_log", "derivations/vae.vi")
    offered = suggest_fixes(step)
    assert offered[0].description == "log(s[j]²) instead of log(s[j]) on the right", offered
    assert all(f.verdict == "PROVED" and _proved(_rebuilt(step, f)) for f in offered)


def test_a_sum_put_in_one_term_is_offered_only_when_no_edit_of_the_users_terms_is():
    step = _catalogue_step("kl_normal_wrong")
    offered = suggest_fixes(step)
    assert offered and not any("missing term" in f.description for f in offered), offered


def _wrong_variants():
    derivs, _ = load_file(CATALOGUE)
    return [d.steps[0] for d in derivs if d.name.endswith("_wrong")][::4]


@pytest.mark.parametrize("step", _wrong_variants(), ids=lambda s: s.derivation)
def test_the_screen_never_discards_a_candidate_the_lemmas_prove(step):
    screen, decide = cf.claim_screen(step), cf.claim_decider(step)
    with cf.declared(step.context.domains):
        for n, (op, desc, lhs, rel, rhs) in enumerate(cf.claim_candidates(step)):
            if n >= 40:
                break
            if decide(lhs, rhs) is True:
                assert screen(lhs, rhs), f"{step.derivation}: {desc} is proved but screened out"


def test_the_screen_decides_fewer_candidates_than_it_is_given(monkeypatch):
    step = _catalogue_step("kl_weibull_wrong")
    decided = []
    real = cf.claim_decider

    def counting(s):
        decide = real(s)

        def wrapped(lhs, rhs):
            decided.append(rhs)
            return decide(lhs, rhs)
        return wrapped
    monkeypatch.setattr(cf, "claim_decider", counting)
    offered = suggest_fixes(step)
    total = len(list(cf.claim_candidates(step)))
    assert offered and len(decided) <= total // 4, (len(decided), total)


def test_a_left_side_without_a_value_at_the_screening_point_turns_the_screen_off(monkeypatch):
    monkeypatch.setattr(cf, "holds_at", lambda *a, **k: False)
    step = _catalogue_step("entropy_normal_wrong")
    offered = suggest_fixes(step)
    assert offered and all(f.verdict == "PROVED" and _proved(_rebuilt(step, f)) for f in offered)


def test_a_sign_inside_an_exponential_is_flipped():
    step = _catalogue_step("kl_exponential_gumbel_wrong")
    offered = suggest_fixes(step)
    assert offered and offered[0].description == "exp(m/b) instead of exp(-m/b) on the right", offered
    assert all(_proved(_rebuilt(step, f)) for f in offered)
