"""What a reader noticed besides the derivations: warnings, skipped lines, other readings.

:func:`input_notes` gives the lines to print before a report (``warning: FILE:LINE: …`` and
``skipped: FILE:LINE: …``); :func:`reading_lines` the lines after it, one per step read two ways:
``FILE:41: as typed: FAILED; if p(x|z)p(z) is the denominator: PROVED``.
"""
from __future__ import annotations


def collected(derivations) -> tuple:
    """(warnings, skipped): the :class:`~vi_sym.core.InputNote`\\ s of every derivation, each
    once, in file order."""
    out = {"warning": {}, "skipped": {}}
    for d in derivations:
        for kind, items in (("warning", d.warnings), ("skipped", d.skipped)):
            for item in items:
                out[kind].setdefault(tuple(item), item)
    key = lambda n: (n.file, n.line, n.message)  # noqa: E731
    return sorted(out["warning"].values(), key=key), sorted(out["skipped"].values(), key=key)


def report_items(derivations) -> dict:
    """What the JSON report lists besides the results: ``warnings`` ({file, line, message}),
    ``skipped`` ({file, line, reason}) and ``readings`` ({id, reading_of, description})."""
    warnings, skipped = collected(derivations)
    return {
        "warnings": [{"file": n.file, "line": n.line, "message": n.message} for n in warnings],
        "skipped": [{"file": n.file, "line": n.line, "reason": n.message} for n in skipped],
        "readings": [{"id": alt, "reading_of": main, "description": what}
                     for d in derivations for alt, (main, what) in d.readings.items()],
    }


def input_notes(derivations, verbose: bool = True) -> list:
    """Warnings and skipped lines of every derivation (each once, in file order)."""
    warnings, skipped = collected(derivations)
    out = sorted([(n.file, n.line, "warning", n.message) for n in warnings]
                 + [(n.file, n.line, "skipped", n.message) for n in skipped], key=lambda t: (t[0], t[1], t[2]))
    lines = [f"{kind}: {file}:{line}: {message}" for file, line, kind, message in out]
    if not verbose:
        lines = [x for x in lines if x.startswith("warning")]
        if skipped:
            lines.append(f"skipped: {len(skipped)} line(s) that are not checked (-v lists them with the reason)")
    return lines


def reading_lines(derivations, results) -> list:
    """``as typed: V; <other reading>: V'`` for every step that has a second reading."""
    status = {r.step_id: r.status.value for r in results}
    out = []
    for d in derivations:
        for alt_id, (main_id, description) in d.readings.items():
            if alt_id in status and main_id in status:
                step = next(s for s in d.steps if s.id == main_id)
                out.append(f"{step.source.file}:{step.source.line}: {main_id}: as typed: {status[main_id]}; "
                           f"{description}: {status[alt_id]}")
    return out
