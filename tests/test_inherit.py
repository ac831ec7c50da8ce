"""A slip is reported once, where it happens: a step that fails only because the line before
it is wrong is reported as inherited (vi_sym.inherit), and no likely fix bends a line to agree
with a wrong one before it."""
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from vi_sym.cache import Cache
from vi_sym.fixes import candidates
from vi_sym.inherit import anchor
from vi_sym.loader import load_paths
from vi_sym.report import print_report, summary, to_json
from vi_sym.report.baseline import entries
from vi_sym.report.junit import to_junit
from vi_sym.scheduler import check_derivations
from vi_sym.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
NOTE = ROOT / "derivations" / "note_as_written.vi"
FAST = dict(families=("normal-normal", "beta-bernoulli", "categorical"), samples=10, jobs=2)


def _note(*names):
    derivs, errors = load_paths([str(NOTE)])
    assert not errors
    return [d for d in derivs if d.name in names]


@pytest.fixture(scope="module")
def note_report():
    return check_derivations(_note("note_kl_route", "note_jensen_route", "note_kl_summary"),
                             Settings(**FAST))


def _by_id(report):
    return {r.step_id: r for r in report.results}


def test_lines_42_and_83_are_inherited_from_41_and_82(note_report):
    r = _by_id(note_report)
    assert r["note_kl_route::3"].inherited_from == "note_kl_route::2"
    assert r["note_kl_route::3"].reason == "holds from line 40; fails only because line 41 is wrong"
    assert r["note_jensen_route::7"].inherited_from == "note_jensen_route::6"
    assert r["note_jensen_route::7"].reason == "holds from line 81; fails only because line 82 is wrong"
    # the slips themselves, and a slip after an inherited step, are not inherited
    for sid in ("note_kl_route::2", "note_kl_route::4", "note_jensen_route::6", "note_kl_summary::1"):
        assert r[sid].inherited_from is None, sid
    # every step keeps its verdict as written (an xfail step still fails as expected)
    assert all(x.as_expected for x in note_report.results)
    assert r["note_kl_route::3"].status.value == "FAILED"


def test_summary_counts_slips_not_inherited_failures(note_report, capsys):
    s = summary(note_report)
    failed = sum(1 for x in note_report.results if x.status.value == "FAILED")
    assert s["inherited"] == 3 and s["slips"] == failed - 3   # 42, 51 (second), 83
    print_report(note_report)
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert f"{failed - 3} FAILED, 3 inherited" in last


def test_inherited_is_in_json_and_junit(note_report):
    rows = {row["id"]: row for row in to_json(note_report)["results"]}
    assert rows["note_kl_route::3"]["inherited_from"] == "note_kl_route::2"
    assert rows["note_kl_route::2"]["inherited_from"] is None
    json.dumps(rows)
    tree = to_junit(note_report).getroot()
    case = [c for c in tree.iter("testcase") if c.get("classname") == "note_kl_route" and c.get("name") == "3"][0]
    props = {p.get("name"): p.get("value") for p in case.iter("property")}
    assert props["inherited_from"] == "note_kl_route::2"


def test_lock_lines_are_unchanged_by_inheritance(note_report):
    lock = entries(note_report)
    e = lock[("note_kl_route::3", None)]
    assert e.status == "FAILED" and e.xfail


def test_no_fix_bends_a_right_line_to_a_wrong_one(note_report):
    r = _by_id(note_report)
    # line 42 is right: no edit is offered for it (before: log(p(z) q(z)) for log(q(z)/p(z)))
    assert r["note_kl_route::3"].fixes == []
    # line 41's own fix repairs line 41
    assert any("p(x|z) p(z))" in f["description"] for f in r["note_kl_route::2"].fixes)


def test_after_a_slip_edits_are_judged_from_the_last_right_expression():
    (d,) = _note("note_kl_route")
    slip, after = d.steps[1], d.steps[2]
    start = anchor(slip, after)
    assert start == (slip.lhs, "=")
    for op, desc, lhs, rel, rhs in candidates(after, start):
        if "on the right" in desc or op == "flip_relation":
            assert lhs == slip.lhs, desc          # never from line 41's wrong result


def test_a_genuine_second_slip_is_not_inherited(tmp_path):
    (tmp_path / "two.vi").write_text(
        "derivation two\nlatent: z\nobserved: x\n\n"
        "    log(p(x))\n"
        "  = log(p(x)) + 1\n"
        "  = log(p(x)) + 3\n", encoding="utf-8")
    derivs, _ = load_paths([str(tmp_path / "two.vi")])
    rep = check_derivations(derivs, Settings(**FAST))
    r = _by_id(rep)
    assert r["two::1"].status.value == "FAILED" and r["two::2"].status.value == "FAILED"
    assert r["two::2"].inherited_from is None
    # log p(x) + 3 holds from log p(x) under no edit that keeps log p(x) + 1: fixes start at log p(x)
    for f in r["two::2"].fixes:
        assert f["statement"].startswith("log p(x)") and "+ 1" not in f["statement"].split("=")[0]


def test_inherited_survives_the_cache_and_is_renamed_with_the_derivation(tmp_path):
    cache = Cache(tmp_path / "c")
    settings = Settings(**FAST, fixes=False)
    first = _by_id(check_derivations(_note("note_jensen_route"), settings, cache=cache))
    assert first["note_jensen_route::7"].inherited_from == "note_jensen_route::6"
    (d,) = _note("note_jensen_route")
    d.name = "renamed"
    for s in d.steps:
        s.derivation = "renamed"
    cache2 = Cache(tmp_path / "c")
    again = _by_id(check_derivations([d], settings, cache=cache2))
    assert cache2.misses == 0
    assert again["renamed::7"].inherited_from == "renamed::6"
    assert again["renamed::7"].reason == "holds from line 81; fails only because line 82 is wrong"
