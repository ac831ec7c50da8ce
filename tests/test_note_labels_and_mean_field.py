"""Two habits of notes on the next chapter.

* A label before an equation -- ``The entropy splits: H(q1 q2) = …``, ``Step 2: …``, Korean prose
  ending in a colon (``엔트로피는 나뉜다: …``), ``Note that …`` -- is not part of it; a definition
  ``:=``, a heading without a relation and the declarations (``mean-field:``, ``latent:``) are
  read as before.
* After ``mean-field: q(z1,z2) = q(z1)q(z2)`` (``factorised: q(z1)*q(z2)`` in a .vi header), the
  joint q(z1, z2) -- ``ELBO(q)``, ``E_q[…]`` as the note writes them -- is that product: the
  mean-field ELBO written out is PROVED (it was FAILED in the bivariate Gaussian with a correlated
  q the learner had ruled out), and a wrong one is still FAILED.
"""
import pytest

from vi_sym.checker import Settings, check_derivations
from vi_sym.core import Status
from vi_sym.loader import load_text
from conftest import note, steps

_H = "H(q(z1)*q(z2)) = H(q(z1)) + H(q(z2))"


@pytest.mark.parametrize("line", [
    "The entropy splits: H(q(z1)q(z2)) = H(q(z1)) + H(q(z2))",
    "엔트로피는 나뉜다: H(q(z1)q(z2)) = H(q(z1)) + H(q(z2))",
    "Step 2: H(q(z1)q(z2)) = H(q(z1)) + H(q(z2))",
    "Note that H(q(z1)q(z2)) = H(q(z1)) + H(q(z2))",
    "1. 엔트로피는 나뉜다： H(q(z1)q(z2)) = H(q(z1)) + H(q(z2))",
])
def test_a_label_before_an_equation_is_not_part_of_it(line):
    (s,) = steps("latent: z1 z2\n" + line)
    assert f"{s.lhs} = {s.rhs}" == str(steps("latent: z1 z2\n" + _H)[0].lhs) + " = " + \
        str(steps("latent: z1 z2\n" + _H)[0].rhs)


def test_a_definition_and_a_heading_are_read_as_before():
    (s,) = steps("ELBO := E_q[log p(x,z)] - E_q[log q(z)]")
    assert str(s.lhs).startswith("ELBO")
    ds, errs = note("Results:\nlog p(x) >= ELBO")
    assert errs == [] and [str(s.rhs) for d in ds for s in d.steps] == ["ELBO(q(z))"]


_MF = "mean-field: q(z1,z2) = q(z1)q(z2)\n"


def _verdicts(text):
    ds, errs = note(text)
    assert errs == []
    return [r.status for r in check_derivations(ds, Settings(families=("all",), samples=10, jobs=1,
                                                                 fixes=False)).results]


def test_the_mean_field_elbo_written_out_is_read_with_the_declared_product_and_proved():
    text = _MF + "ELBO(q) = E_q[log p(x,z1,z2)] - E_q[log q(z1)] - E_q[log q(z2)]\n"
    (s,) = steps(text)
    assert "q(z1)*q(z2)" in str(s.lhs) and "q(z1,z2)" not in str(s.lhs) + str(s.rhs)
    assert _verdicts(text) == [Status.PROVED]


def test_a_wrong_mean_field_elbo_is_still_failed():
    text = _MF + "ELBO(q) = E_q[log p(x,z1,z2)] - E_q[log q(z1)]\n"      # H(q2) dropped
    assert _verdicts(text) == [Status.FAILED]


def test_without_the_declaration_the_joint_stays_a_joint():
    (s,) = steps("latent: z1 z2\nELBO(q) = E_q[log p(x,z1,z2)] - E_q[log q(z1)] - E_q[log q(z2)]\n")
    assert "q(z1,z2)" in str(s.lhs)


def test_factors_named_q_of_their_own_make_the_joint_q_their_product_others_leave_it_alone():
    text = ("derivation d\nlatent: z1 z2\nobserved: x\ndensities: p q {f}1 {f}2\nfactorised: {f}1(z1)*{f}2(z2)\n"
            "    E_{{q(z1,z2)}}[log(p(x,z1,z2))]\n  = E_{{q(z1,z2)}}[log(p(x,z1,z2))]\n")
    (d,), errs = load_text(text.format(f="r"), "d.vi")
    assert errs == [] and "q(z1,z2)" in str(d.steps[0].lhs)
    (d,), errs = load_text(text.format(f="q"), "d.vi")       # q1 q2: the q the note declared
    assert errs == [] and "q(z1,z2)" not in str(d.steps[0].lhs) and "q1(z1)" in str(d.steps[0].lhs)


_MD = r"""
<!-- vi_sym: latent: z_1 z_2 -->
<!-- vi_sym: factorised: {factors} -->

$$
\mathcal{{L}}(q) = \mathbb{{E}}_{{q}}[\log p(x, z_1, z_2)] + \mathcal{{H}}(q(z_1)) {sign} \mathcal{{H}}(q(z_2))
$$
"""


@pytest.mark.parametrize("factors", ["q(z_1)*q(z_2)", "q(z_{1}) q(z_{2})", "q(z1)*q(z2)"])
def test_a_latex_note_declares_the_factors_in_its_own_names(factors):
    from vi_sym.frontends.markdown import read_markdown
    ds, errs = load_text(_MD.format(factors=factors, sign="+"), "n.md", read_markdown)
    assert errs == [] and not [n for d in ds for n in d.skipped if "factorised" in n.message]
    res = check_derivations(ds, Settings(families=("all",), samples=10, jobs=1, fixes=False)).results
    assert [r.status for r in res] == [Status.PROVED]
    ds, _ = load_text(_MD.format(factors=factors, sign="-"), "n.md", read_markdown)
    res = check_derivations(ds, Settings(families=("all",), samples=10, jobs=1, fixes=False)).results
    assert [r.status for r in res] == [Status.FAILED]
