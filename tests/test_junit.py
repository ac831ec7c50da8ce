"""JUnit XML: parsed back, the structure and counts CI viewers read."""
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from vi_sym.scheduler import Report
from vi_sym.core import Status, StepResult
from vi_sym.report.junit import to_junit
from vi_sym.loader import LoadError
from vi_sym.report import step_lines

ROOT = Path(__file__).resolve().parent.parent
CEX = {"family": "normal-normal", "status": "FAILED", "n_checked": 3, "n_total": 3, "max_error": 0.5,
       "counterexample": {"params": {"mu": 0.5}, "lhs": 1.0, "rhs": 2.0, "difference": -1.0},
       "reason": ""}


def _r(step, status, derivation="a", **kw):
    kw.setdefault("source", f"notes/{derivation}.vi:{10 + len(step)}")
    return StepResult(f"{derivation}::{step}", derivation, step, status, relation="=",
                      statement="lhs = rhs", seconds=0.25, **kw)


def _report():
    results = [
        _r("1", Status.PROVED),
        _r("2", Status.SPOT_CHECKED, reason="no proof"),
        _r("3", Status.FAILED, reason="counterexample in normal-normal", residual="log(2)",
           families=[CEX]),
        _r("4", Status.UNKNOWN, reason="prover timeout: timed out after 20 s"),
        _r("5", Status.FAILED, expect="fails", expect_reason="line 41 slip", families=[CEX]),
        _r("conclusion", Status.UNKNOWN, reason="follows from the steps, but a step is FAILED"),
        _r("1", Status.ERROR, derivation="b", reason="missing ')'"),
        _r("2", Status.PROVED, derivation="b", expect="fails", expect_reason="wrong on purpose"),
    ]
    errors = [LoadError("notes/b.vi", 7, "b", "1", "missing ')'"),         # the ERROR step above
              LoadError("notes/c.vi", 3, "", "", "not valid UTF-8 text")]  # belongs to no step
    return Report(results, errors, seconds=2.0)


def _tree(report):
    return ET.fromstring(ET.tostring(to_junit(report).getroot(), encoding="unicode"))


def test_structure_and_counts():
    root = _tree(_report())
    assert root.tag == "testsuites"
    assert {k: root.get(k) for k in ("tests", "failures", "errors", "skipped")} == \
        {"tests": "9", "failures": "2", "errors": "2", "skipped": "2"}
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert list(suites) == ["a", "b", "notes/c.vi"]
    a = suites["a"]
    assert (a.get("tests"), a.get("failures"), a.get("errors"), a.get("skipped")) == ("6", "1", "0", "2")
    assert a.get("file") == "notes/a.vi" and float(a.get("time")) == 1.5
    cases = {c.get("name"): c for c in a.findall("testcase")}
    assert all(c.get("classname") == "a" and c.get("time") == "0.250" for c in cases.values())
    assert cases["3"].get("file") == "notes/a.vi" and cases["3"].get("line") == "11"
    for name in ("1", "2"):
        assert cases[name].find("failure") is None and cases[name].find("skipped") is None
    status = {n: c.find("properties/property[@name='status']").get("value") for n, c in cases.items()}
    assert status["2"] == "SPOT-CHECKED"


def test_failure_text_is_the_terminal_step_report():
    report = _report()
    case = _tree(report).find("testsuite[@name='a']/testcase[@name='3']")
    failure = case.find("failure")
    assert failure.get("message") == "counterexample in normal-normal"
    assert failure.text == "\n".join(step_lines(report.results[2]))
    assert "mu=0.5" in failure.text and "residual: log(2)" in failure.text


def test_unknown_is_skipped_with_the_reason():
    case = _tree(_report()).find("testsuite[@name='a']/testcase[@name='4']")
    assert case.find("skipped").get("message") == "prover timeout: timed out after 20 s"


def test_expected_failure_passes_with_a_note_and_an_unexpected_pass_fails():
    root = _tree(_report())
    xf = root.find("testsuite[@name='a']/testcase[@name='5']")
    assert xf.find("failure") is None and xf.find("skipped") is None
    assert xf.find("properties/property[@name='expected_failure']").get("value") == "line 41 slip"
    assert xf.find("system-out").text.startswith("expected failure: line 41 slip")
    xpass = root.find("testsuite[@name='b']/testcase[@name='2']")
    assert xpass.find("failure").get("message") == "expected to fail, but is PROVED"


def test_errors_once_per_step_and_for_file_level_input_errors():
    root = _tree(_report())
    b = root.find("testsuite[@name='b']")
    assert b.get("errors") == "1" and len(b.findall("testcase")) == 2
    (c,) = root.find("testsuite[@name='notes/c.vi']").findall("testcase")
    assert c.get("line") == "3" and c.find("error").get("message") == "not valid UTF-8 text"


def test_control_characters_do_not_break_the_xml():
    r = _r("1", Status.FAILED, reason="bad \x01 byte")
    root = _tree(Report([r]))
    assert "?" in root.find(".//failure").get("message")


def test_cli_writes_junit(tmp_path):
    out = tmp_path / "out.xml"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    p = subprocess.run([sys.executable, "-m", "vi_sym", "check", str(ROOT / "derivations"), "--family", "none",
                        "--no-cache", "-q", "--junit", str(out)], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    root = ET.parse(out).getroot()
    n = int(root.get("tests"))
    assert n == len(root.findall("testsuite/testcase")) >= 20
    assert root.get("failures") == root.get("errors") == "0"
    names = {s.get("name") for s in root.findall("testsuite")}
    assert {"kl_route", "jensen_route"} <= names
