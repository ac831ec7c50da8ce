"""'explain': every rule's example is proved by that rule alone; derivations read
as chains with a sentence per step; 'rules' lists the aliases."""
import pytest

from vi_sym.cli import main
from vi_sym.describe import ACTIONS, EXAMPLES, aliases_of, describe_derivation, describe_rule, example_step
from vi_sym.loader import load_paths
from vi_sym.prover import prove_step
from vi_sym.rules import ALIASES, RULES, get_rule


def test_every_rule_has_an_example_and_a_sentence():
    assert set(EXAMPLES) == set(RULES)
    assert set(ACTIONS) == set(RULES)


@pytest.mark.parametrize("name", sorted(RULES))
def test_example_is_proved_by_that_rule_alone(name):
    st = example_step(name)
    proof = prove_step(st.lhs, st.rel, st.rhs, [get_rule(name)], st.context)
    assert proof.proved and not proof.uncited, (name, proof)


@pytest.mark.parametrize("name", sorted(RULES))
def test_example_is_not_proved_without_the_rule(name):
    """The example needs its rule: no other single rule of the same kind proves it, unless
    that rule is a definition the proof may unfold anyway (definitions need no citation)."""
    st = example_step(name)
    rule = get_rule(name)
    if rule.definition or rule.kind == "inequality":
        return
    proof = prove_step(st.lhs, st.rel, st.rhs, [], st.context)
    assert not proof.proved or proof.uncited, name


def test_describe_rule_names_statement_conditions_aliases_and_example():
    text = describe_rule("gibbs_inequality")
    assert text.startswith("kl_nonnegative")
    assert "another name for kl_nonnegative" in text
    assert "gibbs_inequality, kl_nonneg" in text
    assert "KL(q(z) ‖ p(z|x))" in text and "≥ 0" in text
    for a in get_rule("kl_nonnegative").assumptions:
        assert a in text


def test_every_alias_is_listed_once():
    listed = [a for name in RULES for a in aliases_of(name)]
    assert sorted(listed) == sorted(ALIASES)


def test_describe_derivation():
    derivs, _ = load_paths(["derivations/kl_route.vi"])
    d = next(d for d in derivs if d.name == "kl_route")
    text = describe_derivation(d)
    assert "KL(q(z) ‖ p(z|x))" in text
    assert "Rewrite the posterior p(z|x) as p(x|z) p(z)/p(x) (Bayes' rule)." in text
    assert text.count(". = ") == len(d.steps)
    assert "Integral(" not in text and "**" not in text


def test_explain_and_rules_commands(capsys):
    assert main(["explain", "kl_nonneg"]) == 0
    assert "kl_nonnegative" in capsys.readouterr().out
    assert main(["explain", "note_kl_route"]) == 0
    out = capsys.readouterr().out
    assert "known to be wrong" in out and "note line 41" in out
    assert main(["explain", "kl_rout"]) == 2
    assert "did you mean kl_route" in capsys.readouterr().err
    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    for alias in ALIASES:
        assert alias in out
