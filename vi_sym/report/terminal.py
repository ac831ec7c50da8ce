"""The terminal report: one line per step, a summary, exit codes.

Colour only on a terminal (never with ``NO_COLOR`` or ``CI`` set); input errors
are one ``error:`` line each.
"""
from __future__ import annotations

import os
import sys
from collections import Counter

from ..core import Status

ORDER = ("PROVED", "SPOT-CHECKED", "FAILED", "UNKNOWN", "ERROR")
COLOURS = {"PROVED": "32", "SPOT-CHECKED": "36", "FAILED": "31", "UNKNOWN": "33", "ERROR": "35"}


def is_terminal(stream) -> bool:
    """A live terminal: a TTY, and not a CI log (env ``CI`` set) that merely looks like one."""
    try:
        return bool(stream.isatty()) and not os.environ.get("CI")
    except (AttributeError, ValueError):
        return False


def use_colour(stream) -> bool:
    """Colour only on a terminal, never when ``NO_COLOR`` is set (https://no-color.org)."""
    return is_terminal(stream) and not os.environ.get("NO_COLOR")


def _short(text: str, width: int = 110) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _family_line(f: dict) -> str:
    st = f["status"]
    if st == "SPOT-CHECKED":
        return f"SPOT-CHECKED {f['family']} {f['n_checked']}/{f['n_total']} (max error {f['max_error']:.2g})"
    if st == "FAILED" and f.get("counterexample"):
        c = f["counterexample"]
        params = ", ".join(f"{k}={_fmt(v)}" for k, v in c["params"].items())
        left, right = c.get("sides") or ("lhs", "rhs")      # what the two values are, when not the sides
        return (f"FAILED {f['family']}: {params}  {left}={_fmt(c['lhs'])} {right}={_fmt(c['rhs'])} "
                f"difference={_fmt(c['difference'])}")
    return f"{st} {f['family']}: {f.get('reason', '')}"


def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:.6g}"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_fmt(x) for x in v) + "]"
    return str(v)


def step_lines(r, verbose: bool = False, colour: bool = False) -> list:
    status = r.status.value
    tag = f"{status:<12}"
    if colour:
        tag = f"\033[{COLOURS[status]}m{tag}\033[0m"
    by = ", ".join(r.justification) or "(no rule cited)"
    if r.step.startswith("conclusion"):
        by = "composition of the steps"
    note = f"  note:{r.note_line}" if r.note_line is not None else ""
    expect = ""
    if r.expect == "fails":
        expect = ("  (expected to fail; UNKNOWN: not shown to fail)" if r.status is Status.UNKNOWN else
                  "  (expected to fail)" if r.as_expected else "  (expected to fail, but did not!)")
    if r.inherited_from:
        expect += f"  (inherited from {r.inherited_from})"
    lines = [f"{tag} {r.step_id:<28} {r.relation or '?':>2}  {by}  {r.seconds:.2f}s{note}{expect}"]
    detail = verbose or r.status is not Status.PROVED
    if detail and r.statement:
        lines.append(f"    step:     {_short(r.statement, 150)}")
    if r.uncited:
        lines.append(f"    note:     also needed uncited rule(s): {', '.join(r.uncited)}")
    if verbose and r.atom:
        lines.append(f"    by:       {r.atom}")
    if verbose and r.status is Status.SPOT_CHECKED:
        lines.append(f"    not proved: {_short(r.reason or 'the cited rules leave a residual', 200)}")
        if r.residual:
            lines.append(f"    residual: {_short(r.residual, 200)}  (what is left of lhs - rhs)")
    if r.status in (Status.FAILED, Status.UNKNOWN, Status.ERROR):
        if r.reason:
            lines.append(f"    why:      {_short(r.reason, 200)}")
        if r.explanation:
            lines.append(f"    meaning:  {r.explanation}")
        if r.residual:
            lines.append(f"    residual: {_short(r.residual, 200)}  (what is left of lhs - rhs)")
        for fx in r.fixes:
            what = "reading" if fx.get("edit") == "other_reading" else "edit"
            lines.append(f"    fix:      did you mean {_short(fx['description'], 160)}? "
                         f"-- with that {what} the step is {fx['verdict']}")
        if r.expect == "fails" and r.expect_reason:
            lines.append(f"    expected: {r.expect_reason}")
    if verbose and r.trace:
        lines.append("    proof:    " + " -> ".join(f"{side}:{rule}" for side, rule, _ in r.trace))
    for f in r.families:
        if detail or f["status"] != "SPOT-CHECKED":
            lines.append(f"    family:   {_family_line(f)}")
    return lines


def summary(report) -> dict:
    c = Counter(r.status.value for r in report.results)
    out = {k: c.get(k, 0) for k in ORDER}
    out["inherited"] = sum(1 for r in report.results if r.inherited_from)
    out["slips"] = out["FAILED"] - out["inherited"]
    out["total"] = len(report.results)
    untested = [(r.step_id, _untested(r)) for r in report.results if _untested(r)]
    why = Counter(reason for _, reason in untested)
    out["untested"] = sum(why.values())
    out["untested_reasons"] = dict(sorted(why.items(), key=lambda kv: (-kv[1], kv[0])))
    out["untested_steps"] = [{"step": r.step_id, "reason": _untested(r), "detail": _detail(r)}
                             for r in report.results if _untested(r)]
    out["unexpected"] = len(report.failed)
    out["input_errors"] = len(report.errors)
    return out


def _untested(r) -> str:
    """Why no model family tested the step ("" when one did): no family applies to it, or
    every family that applies left it unevaluated (UNKNOWN, not applicable)."""
    if r.untested:
        return r.untested
    if r.families and not any(f["status"] in ("SPOT-CHECKED", "FAILED") for f in r.families):
        return "every family that applies left it unevaluated"
    return ""


def _detail(r) -> str:
    """The first family's own reason, for a step every applicable family left unevaluated."""
    if r.untested:
        return ""
    return next((f"{f['family']}: {f['reason']}" for f in r.families if f.get("reason")), "")


#: the untested steps the terminal summary names one by one (the rest are counted)
SHOW_UNTESTED = 12

def _clip(text: str, width: int = 140) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


EXIT_OK, EXIT_FAILED, EXIT_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


def exit_code(report) -> int:
    """0: every step as expected; 1: a step failed, an expected failure was not refuted, or
    (``--strict``) a step is UNKNOWN;
    2: bad input; 130: interrupted (Ctrl-C), the report is partial."""
    if report.interrupted:
        return EXIT_INTERRUPTED
    if report.errors or any(r.status is Status.ERROR for r in report.results):
        return EXIT_INPUT
    if report.failed or (strict(report) and any(r.status is Status.UNKNOWN for r in report.results)):
        return EXIT_FAILED
    return EXIT_OK


def strict(report) -> bool:
    """``--strict``: an UNKNOWN verdict fails the run."""
    return bool(getattr(report.settings, "strict", False))


def print_errors(report, stream=None):
    """One line per input error: ``error: file:line: derivation 'd' step n: message``."""
    for err in report.errors:
        print(f"error: {err}", file=stream or sys.stderr)


def print_report(report, stream=None, verbose=False, quiet=False, err_stream=None):
    """The terminal report; input errors go to ``err_stream`` (default: ``stream``)."""
    stream = stream or sys.stdout
    colour = use_colour(stream)
    print_errors(report, err_stream or stream)
    if not quiet:
        for r in report.results:
            for line in step_lines(r, verbose, colour):
                print(line, file=stream)
    else:
        for r in report.results:
            if not r.as_expected or r.status is Status.ERROR or (strict(report) and r.status is Status.UNKNOWN):
                for line in step_lines(r, verbose, colour):
                    print(line, file=stream)
    s = summary(report)
    counts = dict(s, FAILED=s["slips"])        # a slip is counted once, where it happens
    parts = []
    for k in ORDER:
        if counts[k]:
            parts.append(f"{counts[k]} {k}")
        if k == "FAILED" and s["inherited"]:
            parts.append(f"{s['inherited']} inherited (fail only because of a wrong line before)")
    parts = ", ".join(parts)
    tail = ""
    xf = sum(1 for r in report.results if r.expect == "fails")
    if xf:
        tail += f"; {xf} expected to fail"
    if s["unexpected"]:
        tail += f"; {s['unexpected']} NOT AS EXPECTED"
    if report.errors:
        tail += f"; {len(report.errors)} input error(s)"
    if report.interrupted:
        tail += "; INTERRUPTED (partial report)"
    if strict(report) and s["UNKNOWN"]:
        tail += f"; {s['UNKNOWN']} UNKNOWN (--strict)"
    print(f"{s['total']} steps: {parts or 'none'}{tail}  in {report.seconds:.1f}s", file=stream)
    if s["untested"]:
        why = "; ".join(f"{n} {reason}" for reason, n in s["untested_reasons"].items())
        print(f"{s['untested']} step(s) no model family could test: {why}", file=stream)
        for u in s["untested_steps"][:SHOW_UNTESTED]:
            detail = f": {_clip(u['detail'])}" if u["detail"] else ""
            print(f"    untested: {u['step']}  ({u['reason']}{detail})", file=stream)
        if s["untested"] > SHOW_UNTESTED:
            print(f"    … and {s['untested'] - SHOW_UNTESTED} more (--json lists them all)", file=stream)
