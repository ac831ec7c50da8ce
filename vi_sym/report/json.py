"""The JSON report (schema ``vi_sym.report/1``): every field of every StepResult."""
from __future__ import annotations

import json
import math
import sys
from dataclasses import asdict

from .. import __version__
from .terminal import exit_code, summary

JSON_SCHEMA = "vi_sym.report/1"


def to_json(report) -> dict:
    st = report.settings
    return {
        "schema": JSON_SCHEMA,
        "vi_sym_version": __version__,
        "settings": asdict(st),
        "summary": summary(report) | {"exit_code": exit_code(report)},
        "errors": [{"file": e.file, "line": e.line, "derivation": e.derivation, "step": e.step,
                    "message": e.message} for e in report.errors],
        # what the readers of notes skipped ({file, line, reason}) and warned ({file, line, message})
        **{k: getattr(report, "notes", {}).get(k, []) for k in ("warnings", "skipped", "readings")},
        "results": [{
            "id": r.step_id, "derivation": r.derivation, "step": r.step,
            "status": r.status.value, "relation": r.relation, "statement": r.statement,
            "latex": r.latex, "justification": list(r.justification),
            "seconds": round(r.seconds, 4), "source": r.source, "note_line": r.note_line,
            "expect": r.expect, "expect_reason": r.expect_reason, "as_expected": r.as_expected,
            "reason": r.reason, "residual": r.residual, "uncited": list(r.uncited), "atom": r.atom,
            "explanation": r.explanation, "fixes": r.fixes, "inherited_from": r.inherited_from,
            "trace": [{"side": s, "rule": rule, "result": res} for s, rule, res in r.trace],
            "families": r.families,
        } for r in report.results],
    }


def _strict(v):
    """``v`` with every float that JSON cannot hold (a side beyond the float range reads as
    inf, and inf − inf as nan) written as the string Python prints for it ("inf", "-inf",
    "nan"): the report stays strict JSON (RFC 8259 has no Infinity or NaN)."""
    if isinstance(v, float):
        return v if math.isfinite(v) else repr(v)
    if isinstance(v, dict):
        return {k: _strict(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_strict(x) for x in v]
    return v


def write_json(report, path):
    data = json.dumps(_strict(to_json(report)), indent=2, default=str, allow_nan=False)
    if path == "-":
        sys.stdout.write(data + "\n")
    else:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(data + "\n")
