"""A premise stated once and meant for the formulas after it: an EM note's "E-step: set
q(z) = p(z|x, θ_old)", then the M-step's formula written with q.  The formula is checked as
written (q arbitrary: FAILED) -- the premise is never assumed beyond the formula right after it --
and the premise is tried as a likely fix: "did you mean q(z) = p(z|x,θold) (the premise on
line 11) to hold here too?" when that makes it PROVED."""
from vi_sym.cache import Cache
from vi_sym.core import Status
from vi_sym.frontends.implicit_parameters import implicit_parameters
from vi_sym.settings import Settings

from conftest import read_as
from vi_sym.scheduler import check_derivations

EM_MD = r"""# EM

$$\log p(x \mid \theta) = \mathcal{L}(q, \theta) + \mathrm{KL}(q(z) \,\|\, p(z \mid x, \theta))$$

E-step: set $q(z) = p(z \mid x, \theta^{\text{old}})$. Then

$$\mathcal{L}(q, \theta^{\text{old}}) = \log p(x \mid \theta^{\text{old}})$$

M-step:

$$\mathcal{L}(q, \theta) = \mathbb{E}_{p(z \mid x, \theta^{\text{old}})}[\log p(x, z \mid \theta)] + \mathbb{H}[p(z \mid x, \theta^{\text{old}})]$$

$$\mathcal{L}(q, \theta) = \mathbb{E}_{p(z \mid x, \theta^{\text{old}})}[\log p(x, z \mid \theta)]$$

# Another section

$$\mathcal{L}(q, \theta) = \mathbb{E}_{p(z \mid x, \theta^{\text{old}})}[\log p(x, z \mid \theta)] + \mathbb{H}[p(z \mid x, \theta^{\text{old}})]$$
"""

EM_TXT = """# EM
log p(x|θ) = L(q, θ) + KL(q(z) || p(z|x,θ))

E-step: let q(z) = p(z|x,θ0), then L(q, θ0) = log p(x|θ0)

M-step:
L(q, θ) = E_p(z|x,θ0)[log p(x,z|θ)] + H(p(z|x,θ0))

# next section
L(q, θ) = E_p(z|x,θ0)[log p(x,z|θ)] + H(p(z|x,θ0))
"""

SETTINGS = Settings(families=("normal-normal", "normal-normal-theta"), samples=8, jobs=1)


def _results(text, name):
    return check_derivations(read_as(text, name), SETTINGS).results


def _premise_fixes(r):
    return [f for f in r.fixes if "to hold here too" in f["description"]]


def test_the_m_step_fails_as_written_and_the_e_step_premise_is_offered_as_its_fix():
    res = _results(EM_MD, "em.md")
    assert [r.status for r in res[:2]] == [Status.PROVED, Status.PROVED]
    m_step, dropped, other_section = res[2], res[3], res[4]
    assert m_step.status is Status.FAILED                 # q arbitrary, as written
    [fix] = _premise_fixes(m_step)
    assert fix["verdict"] == "PROVED" and "(the premise on line 5)" in fix["description"]
    assert fix["description"].startswith("q(z) = p(z|x,θold)")
    assert dropped.status is Status.FAILED and not _premise_fixes(dropped)   # wrong even then
    assert other_section.status is Status.FAILED and not _premise_fixes(other_section)


def test_a_plain_text_note_offers_its_premise_too_and_reads_theta0_as_a_parameter():
    ds = read_as(EM_TXT, "em.txt")
    assert any("read θ0 as a parameter" in w.message for d in ds for w in d.warnings)
    res = check_derivations(ds, SETTINGS).results
    assert [r.status for r in res] == [Status.PROVED, Status.PROVED, Status.FAILED, Status.FAILED]
    assert [f["verdict"] for f in _premise_fixes(res[2])] == ["PROVED"]
    assert not _premise_fixes(res[3])                     # after a heading: the premise is over


def test_a_step_keeps_its_cache_key_unless_it_carries_a_premise(tmp_path):
    ds = read_as(EM_MD, "em.md")
    steps = [s for d in ds for s in d.steps]
    with_premise = next(s for s in steps if s.premises)
    cache = Cache(tmp_path)
    plain = type(with_premise)(with_premise.lhs, with_premise.rel, with_premise.rhs,
                               context=with_premise.context)
    assert cache.step_key(with_premise, ["all"], SETTINGS) != cache.step_key(plain, ["all"], SETTINGS)
    assert not [s for s in steps if s.premises and s.source.line < 5]


def test_a_particle_glued_to_a_letter_is_no_name_of_a_parameter():
    assert implicit_parameters("p(x|θ를) 최적화, p(z|x, θ_old)", set()) == ["θ", "θ_old"]


def test_a_family_with_parameters_takes_the_steps_that_use_two_of_three_declared():
    """A note that names θ, θ_old and θ_new: a step using θ and θ_old is one the family with two
    parameters can test (it was 'no model family gives a meaning', UNKNOWN, because three were
    declared in the note)."""
    text = ("log p(x|θ) = L(q, θ) + KL(q(z) || p(z|x,θ))\n"
            "M-step: θ_new = argmax_θ L(q, θ)\n"
            "L(q, θ) = E_p(z|x,θ_old)[log p(x,z|θ)] + H(p(z|x,θ_old))\n"
            "log p(x|θ_new) >= L(q, θ_new)\n")
    ds = read_as(text, "em.txt")
    res = check_derivations(ds, SETTINGS).results
    m_step = [r for r in res if "H(p(z|x,θ_old))" in r.statement][0]
    assert m_step.status is Status.FAILED                 # q is arbitrary here
    assert [f["family"] for f in m_step.families if f["status"] == "FAILED"] == ["normal-normal-theta"]
