"""What a reader noticed besides the derivations: warnings, skipped lines, other readings.

:func:`input_notes` gives the lines to print before a report (``warning: FILE:LINE: …`` and
``skipped: FILE:LINE: …``); :func:`reading_lines` the lines after it, one per step read two ways:
``FILE:41: as typed: FAILED; if p(x|z)p(z) is the denominator: PROVED``.
"""
from __future__ import annotations


def input_notes(derivations, verbose: bool = True) -> list:
    """Warnings and skipped lines of every derivation (each once, in file order)."""
    seen, out = set(), []
    for d in derivations:
        for kind, items in (("warning", getattr(d, "warnings", ())), ("skipped", getattr(d, "skipped", ()))):
            for item in items:
                file, line, message = item if len(item) == 3 else (d.file, *item)
                key = (kind, file, line, message)
                if key not in seen:
                    seen.add(key)
                    out.append((file, line, kind, message))
    out.sort(key=lambda t: (t[0], t[1], t[2]))
    lines = [f"{kind}: {file}:{line}: {message}" for file, line, kind, message in out]
    if not verbose:
        skipped = sum(1 for t in out if t[2] == "skipped")
        lines = [x for x in lines if x.startswith("warning")]
        if skipped:
            lines.append(f"skipped: {skipped} line(s) that are not checked (-v lists them with the reason)")
    return lines


def reading_lines(derivations, results) -> list:
    """``as typed: V; <other reading>: V'`` for every step that has a second reading."""
    status = {r.step_id: r.status.value for r in results}
    out = []
    for d in derivations:
        readings = getattr(d, "readings", {})
        for alt_id, (main_id, description) in readings.items():
            if alt_id in status and main_id in status:
                step = next(s for s in d.steps if s.id == main_id)
                out.append(f"{step.source.file}:{step.source.line}: {main_id}: as typed: {status[main_id]}; "
                           f"{description}: {status[alt_id]}")
    return out
