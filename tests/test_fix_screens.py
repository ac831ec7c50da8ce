"""The likely-fix search screens each candidate edit at the points where the step's own
spot-checks failed: a candidate false there is discarded before any proof is attempted, and
the fixes offered are the same as without the screen."""
from types import SimpleNamespace

import vi_sym.fixes as fixes
import vi_sym.judge as judge_mod
from vi_sym.core import Status
from vi_sym.followups import FollowUps
from vi_sym.judge import applicable_checkers, judge, spot
from vi_sym.loader import load_text
from vi_sym.settings import Settings

TEXT = """derivation c
latent: z
observed: x

    log(p(z|x))
  = log(p(x,z))                  by bayes_rule
"""
ALL = Settings(families=("all",), samples=20)


def _step():
    (d,), errors = load_text(TEXT, "c.vi")
    assert not errors
    return d.steps[0]


def _screens(step):
    out = []
    for checker in applicable_checkers(step, ALL):
        res = spot(step, checker, ALL)
        if res.status == "FAILED":
            out.append(res.screen)
    return tuple(out)


def test_screened_candidates_are_false_and_the_fixes_are_unchanged(monkeypatch):
    step = _step()
    screens = _screens(step)
    assert screens
    proofs, discarded = [], []
    inner_prove, inner_false = judge_mod.prove, fixes._false_at

    def prove(s):
        proofs.append(s)
        return inner_prove(s)

    def false_at(probe, points, settings):
        out = inner_false(probe, points, settings)
        if out:
            discarded.append(probe)
        return out
    monkeypatch.setattr(judge_mod, "prove", prove)
    monkeypatch.setattr(fixes, "_false_at", false_at)
    plain = fixes.suggest_fixes(step, ("all",), deadline=60)
    n_plain = len(proofs)
    proofs.clear()
    screened = fixes.suggest_fixes(step, ("all",), deadline=60, screens=screens)
    assert [f.as_dict() for f in screened] == [f.as_dict() for f in plain]
    assert any(f.verdict == "PROVED" for f in screened)
    assert discarded and len(proofs) <= n_plain
    # a discarded candidate is refuted when judged in full: the screen only drops what is false
    monkeypatch.setattr(judge_mod, "prove", inner_prove)
    for probe in discarded:
        assert judge(probe, ALL).status is Status.FAILED


def test_a_fix_task_is_sent_with_the_points_where_its_step_failed():
    (d,), _ = load_text(TEXT.replace("bayes_rule\n", "bayes_rule\n  = log(p(x,z)) + 1   by linearity\n"),
                        "c.vi")
    chains = [(d, n, n - 1 if n else None, n) for n in range(len(d.steps))]
    follow = FollowUps(chains, lambda pi: True, "FIX", Settings(), fixes=True,
                       screens=lambda pi: (("where", pi),))
    sent = []
    follow.settle({0: SimpleNamespace(status=Status.FAILED, inherited_from=None, fixes=[], reason="")},
                  lambda t, extra=None: sent.append((t, extra)))
    assert sent == [(0, ((("where", 0),),))]
