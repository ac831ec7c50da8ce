"""JUnit XML for CI test-report viewers (GitHub Actions, GitLab, Jenkins).

One ``<testsuite>`` per derivation; each step (and conclusion) is a
``<testcase classname="DERIVATION" name="STEP" time=... file=... line=...>``:

* PROVED, SPOT-CHECKED               -> passed (the verdict in a ``status`` property)
* FAILED, or an expected failure that did not fail -> ``<failure>``
* ERROR (unreadable or crashed step)  -> ``<error>``
* UNKNOWN                             -> ``<skipped message=REASON>``
* a step marked ``xfail`` that failed as expected -> passed, with an
  ``expected_failure`` property and a ``<system-out>`` note.

Failure and error texts are the terminal's step report (:func:`report.step_lines`).
Input errors that belong to no step (a file that is not UTF-8, a derivation
without ``latent:``) become ``<error>`` test cases of their own.
"""
from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET

from ..core import Status
from .terminal import step_lines


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _x(text) -> str:
    """Text without the characters XML 1.0 cannot carry."""
    return _NOT_XML.sub("?", str(text))


def _source(r):
    file, _, line = r.source.rpartition(":")
    return (file, line) if line.isdigit() else (r.source, "")


def _case(suite, r, counts) -> None:
    tc = ET.SubElement(suite, "testcase", classname=r.derivation or "vi_sym", name=r.step,
                       time=f"{r.seconds:.3f}")
    file, line = _source(r)
    if file:
        tc.set("file", file)
    if line:
        tc.set("line", line)
    props = ET.SubElement(tc, "properties")
    ET.SubElement(props, "property", name="status", value=r.status.value)
    if r.inherited_from:
        ET.SubElement(props, "property", name="inherited_from", value=r.inherited_from)
    text = _x("\n".join(step_lines(r)))
    reason = _x(" ".join(r.reason.split()) or r.status.value)
    if r.status is Status.ERROR:
        counts["errors"] += 1
        ET.SubElement(tc, "error", message=reason, type="ERROR").text = text
    elif not r.as_expected:
        counts["failures"] += 1
        message = (f"expected to fail, but is {r.status.value}" if r.expect == "fails"
                   else reason)
        ET.SubElement(tc, "failure", message=message, type=r.status.value).text = text
    elif r.expect == "fails":
        why = _x(r.expect_reason or "marked xfail")
        ET.SubElement(props, "property", name="expected_failure", value=why)
        ET.SubElement(tc, "system-out").text = f"expected failure: {why}\n{text}"
    elif r.status is Status.UNKNOWN:
        counts["skipped"] += 1
        ET.SubElement(tc, "skipped", message=reason).text = text


def _error_case(suite, err, counts) -> None:
    tc = ET.SubElement(suite, "testcase", classname=err.derivation or err.file,
                       name=err.step or "load", time="0.000", file=err.file)
    if err.line:
        tc.set("line", str(err.line))
    counts["errors"] += 1
    ET.SubElement(tc, "error", message=_x(err.message), type="input error").text = _x(f"error: {err}")


def to_junit(report) -> ET.ElementTree:
    """The report as a JUnit ``<testsuites>`` tree."""
    root = ET.Element("testsuites", name="vi_sym")
    suites: dict = {}   # suite name -> (element, counts, seconds)

    def suite_for(name, file=""):
        if name not in suites:
            el = ET.SubElement(root, "testsuite", name=name)
            if file:
                el.set("file", file)
            suites[name] = (el, {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}, [0.0])
        return suites[name]

    have = {(r.derivation, r.step) for r in report.results}
    for r in report.results:
        el, counts, secs = suite_for(r.derivation or "vi_sym", _source(r)[0])
        counts["tests"] += 1
        secs[0] += r.seconds
        _case(el, r, counts)
    for err in report.errors:
        if (err.derivation, err.step) in have:
            continue    # already reported as the step's ERROR verdict
        el, counts, _ = suite_for(err.derivation or err.file, err.file)
        counts["tests"] += 1
        _error_case(el, err, counts)

    total = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for el, counts, secs in suites.values():
        for k, v in counts.items():
            el.set(k, str(v))
            total[k] += v
        el.set("time", f"{secs[0]:.3f}")
    for k, v in total.items():
        root.set(k, str(v))
    root.set("time", f"{report.seconds:.3f}")
    ET.indent(root)
    return ET.ElementTree(root)


def write_junit(report, path) -> None:
    """Write the JUnit XML to ``path`` ('-' for stdout)."""
    tree = to_junit(report)
    if path == "-":
        sys.stdout.write(ET.tostring(tree.getroot(), encoding="unicode") + "\n")
    else:
        tree.write(path, encoding="utf-8", xml_declaration=True)
