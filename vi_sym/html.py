"""The HTML report: one self-contained file that works offline.

Every derivation is typeset as a calc chain in MathML (rendered natively by the
browser: no script, no font, nothing fetched), each step with its verdict badge,
the evidence of each model family, each counterexample as a small table with
the sentence that explains it, the likely fixes, failures inherited from an
earlier line, and the proof trace in ``<details>``.

:func:`render_report` takes what the checker produced (``report.results``,
``report.errors``, ``report.settings``) and the derivations the steps came from
(for the typeset chain); it never re-checks anything.
"""
from __future__ import annotations

import html
from collections import Counter

from . import __version__
from .notation import REL_MATHML, MathMLPrinter, relation_mathml

__all__ = ["render_report", "write_report", "step_html", "badge", "CSS"]

ORDER = ("PROVED", "SPOT-CHECKED", "FAILED", "UNKNOWN", "ERROR")
MEANING = {
    "PROVED": "a symbolic proof for arbitrary densities",
    "SPOT-CHECKED": "not proved; true at every sampled point of every family tried",
    "FAILED": "a concrete counterexample",
    "UNKNOWN": "neither proved nor refuted",
    "ERROR": "the step could not be read or checked",
}

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:70rem;margin:1.5rem auto;
 padding:0 1rem;color:#1d2330;line-height:1.45}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin:2rem 0 .3rem;
 border-bottom:1px solid #d8dce4;padding-bottom:.2rem}
.meta,.where{color:#5a6275;font-size:.9rem}
.badge{display:inline-block;min-width:7.5em;text-align:center;font-size:.75rem;font-weight:600;
 border-radius:.8em;padding:.1em .6em;color:#fff;letter-spacing:.02em}
.PROVED{background:#1d7a3a}.SPOT-CHECKED{background:#17708f}.FAILED{background:#b3261e}
.UNKNOWN{background:#8a6d00}.ERROR{background:#7b2d8b}
table.chain{border-collapse:collapse;margin:.6rem 0}
table.chain td{padding:.35rem .5rem;vertical-align:middle}
table.chain td.lhs{text-align:right}table.chain td.rel{text-align:center}
table.chain td.by{color:#3f4a5e;font-size:.85rem}
table.chain tr.step{border-top:1px solid #eef0f4}
code{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.85em}
.detail{margin:.1rem 0 .8rem 2.5rem;font-size:.9rem}
.detail p{margin:.25rem 0}
.plot svg{max-width:42rem;height:auto}
table.cx,table.fam{border-collapse:collapse;font-size:.85rem;margin:.3rem 0}
table.cx td,table.cx th,table.fam td,table.fam th{border:1px solid #d8dce4;padding:.15rem .5rem;
 text-align:left}
table.cx th,table.fam th{background:#f3f5f8}
.fix{background:#eef7ee;border-left:3px solid #1d7a3a;padding:.2rem .5rem;margin:.3rem 0}
.inherited{background:#fff6e0;border-left:3px solid #8a6d00;padding:.2rem .5rem}
.expected{color:#5a6275;font-style:italic}
.unexpected{color:#b3261e;font-weight:600}
details{margin:.3rem 0}summary{cursor:pointer;color:#3f4a5e}
ol.trace{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.8rem}
.errors li{color:#7b2d8b}
math{font-size:1.1em}
"""


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def badge(status: str) -> str:
    return f'<span class="badge {_e(status)}" title="{_e(MEANING.get(status, ""))}">{_e(status)}</span>'


def _num(v) -> str:
    if isinstance(v, float):
        return f"{v:.6g}"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_num(x) for x in v) + "]"
    return str(v)


def _mathml(expr, display="inline") -> str:
    return (f'<math xmlns="http://www.w3.org/1998/Math/MathML" display="{display}">'
            f"{MathMLPrinter().doprint(expr)}</math>")


def _rel(rel) -> str:
    return f'<math xmlns="http://www.w3.org/1998/Math/MathML"><mo>{REL_MATHML.get(rel, _e(rel))}</mo></math>'


def counterexample_table(c: dict) -> str:
    rows = "".join(f"<tr><td>{_e(k)}</td><td>{_e(_num(v))}</td></tr>" for k, v in c.get("params", {}).items())
    sides = "".join(f"<tr><th>{label}</th><td>{_e(_num(c[key]))}</td></tr>"
                    for label, key in (("left side", "lhs"), ("right side", "rhs"),
                                       ("difference", "difference")) if key in c)
    where = f" ({_e(c['label'])})" if c.get("label") else ""
    return (f'<table class="cx"><tr><th>parameter{where}</th><th>value</th></tr>{rows}{sides}</table>')


def families_html(families: list) -> str:
    if not families:
        return ""
    rows = []
    for f in families:
        st = f.get("status", "")
        if st == "SPOT-CHECKED":
            ev = f"{f.get('n_checked')}/{f.get('n_total')} points agree (max error {f.get('max_error', 0):.2g})"
        else:
            ev = f.get("reason", "")
        rows.append(f"<tr><td>{_e(f.get('family', ''))}</td><td>{badge(st)}</td><td>{_e(ev)}</td></tr>")
    table = f'<table class="fam"><tr><th>family</th><th>verdict</th><th>evidence</th></tr>{"".join(rows)}</table>'
    cxs = [f for f in families if f.get("status") == "FAILED" and f.get("counterexample")]
    cx_html = "".join(f"<p>Counterexample in <b>{_e(f['family'])}</b>:</p>{counterexample_table(f['counterexample'])}"
                      for f in cxs[:2])
    return table + cx_html


def _inherited(r) -> str:
    src = getattr(r, "inherited_from", None) or getattr(r, "inherited", None)
    if not src:
        return ""
    if isinstance(src, (list, tuple)):
        src = ", ".join(map(str, src))
    return f'<p class="inherited">Inherited: this line continues from a wrong line ({_e(src)}); ' \
           f"the error is not this step's own.</p>"


def _plot(r, step) -> str:
    """A FAILED step's picture along its counterexample, or a line saying why there is none."""
    cxs = [f for f in r.families if f.get("status") == "FAILED" and f.get("counterexample")]
    if step is None or not cxs:
        return ""
    from .plots import NoPlot, draw_first, step_svg  # matplotlib only when plots are asked for (start-up time)
    try:
        svg = draw_first(step, cxs, step_svg)
    except NoPlot as err:
        return f'<p class="noplot">(no plot: {_e(err)})</p>'
    return f'<details class="plot"><summary>both sides along the counterexample</summary>{svg}</details>'


def step_html(r, step=None, plots=False) -> str:
    """Everything below a step's line in the chain: why, meaning, fixes, evidence, trace
    (and, with ``plots``, both sides of a FAILED step drawn along its counterexample)."""
    parts = []
    status = r.status.value
    if r.expect == "fails":
        cls = "expected" if r.as_expected else "unexpected"
        msg = "expected to fail" if r.as_expected else "expected to fail, but did not!"
        reason = f": {_e(r.expect_reason)}" if r.expect_reason else ""
        parts.append(f'<p class="{cls}">{msg}{reason}</p>')
    parts.append(_inherited(r))
    if r.uncited:
        parts.append(f"<p>Also needed the uncited rule(s) {_e(', '.join(r.uncited))}.</p>")
    if status == "SPOT-CHECKED" and (r.reason or r.residual):
        parts.append(f"<p>Not proved: {_e(r.reason or 'the rules left a residual')}.</p>")
    elif status in ("FAILED", "UNKNOWN", "ERROR") and r.reason:
        parts.append(f"<p>Why: {_e(r.reason)}</p>")
    if r.explanation:
        parts.append(f"<p><b>What it means:</b> {_e(r.explanation)}</p>")
    for fx in r.fixes:
        parts.append(f'<p class="fix">Did you mean {_e(fx["description"])}? '
                     f"With that edit the step is {badge(fx['verdict'])}</p>")
    if r.residual and status != "PROVED":
        parts.append(f"<p>What is left of lhs &minus; rhs: <code>{_e(r.residual)}</code></p>")
    parts.append(families_html(r.families))
    if plots and status == "FAILED":
        parts.append(_plot(r, step))
    if r.trace:
        items = "".join(f"<li>{_e(side)}: <b>{_e(rule)}</b> &rarr; {_e(res)}</li>" for side, rule, res in r.trace)
        parts.append(f'<details><summary>proof trace ({len(r.trace)} rewrites)</summary>'
                     f'<ol class="trace">{items}</ol></details>')
    body = "".join(p for p in parts if p)
    return f'<div class="detail">{body}</div>' if body else ""


def _by(step, r) -> str:
    rules = ", ".join(step.by) or "(no rule cited)"
    note = f" &middot; note line {r.note_line}" if r is not None and r.note_line is not None else ""
    return f"{_e(rules)}{note}"


def derivation_html(d, results: dict, plots=False) -> str:
    title = f"<p class=\"meta\">{_e(d.title)}</p>" if d.title else ""
    where = f'<p class="where">{_e(d.file)}</p>' if d.file else ""
    rows = []
    for i, s in enumerate(d.steps):
        r = results.get(s.id)
        if s.error:
            rows.append(f'<tr class="step"><td colspan="5">unreadable step {_e(s.name)}: {_e(s.error)}</td></tr>')
            continue
        lhs = _mathml(s.lhs) if i == 0 else ""
        status = r.status.value if r is not None else "UNKNOWN"
        rows.append(f'<tr class="step" id="{_e(s.id)}"><td class="lhs">{lhs}</td><td class="rel">{_rel(s.rel)}</td>'
                    f"<td>{_mathml(s.rhs)}</td><td>{badge(status)}</td><td class=\"by\">{_by(s, r)}</td></tr>")
        if r is not None:
            detail = step_html(r, s, plots)
            if detail:
                rows.append(f'<tr><td colspan="5">{detail}</td></tr>')
    concl = ""
    c = d.conclusion
    cr = results.get(c.id) if c is not None else None
    if c is not None and not c.error:
        status = cr.status.value if cr is not None else "UNKNOWN"
        concl = (f'<p>Conclusion: {relation_mathml(c.lhs, c.rel, c.rhs, display="inline")} {badge(status)}</p>'
                 + (step_html(cr) if cr is not None else ""))
    return (f'<section id="{_e(d.name)}"><h2>{_e(d.name)}</h2>{title}{where}'
            f'<table class="chain">{"".join(rows)}</table>{concl}</section>')


def _summary(results) -> str:
    c = Counter(r.status.value for r in results)
    items = " ".join(f"{badge(k)} {c[k]}" for k in ORDER if c.get(k))
    bad = sum(1 for r in results if not r.as_expected)
    tail = f' &middot; <span class="unexpected">{bad} not as expected</span>' if bad else " &middot; every step as expected"
    return f"<p>{len(results)} steps: {items}{tail}</p>"


def render_report(report, derivations, title="vi_sym report", plots=False) -> str:
    """The whole report as one HTML document (a string)."""
    results = {r.step_id: r for r in report.results}
    errors = ""
    if report.errors:
        errors = '<h2>Input errors</h2><ul class="errors">' + "".join(
            f"<li>{_e(e)}</li>" for e in report.errors) + "</ul>"
    st = report.settings
    meta = (f'<p class="meta">vi_sym {_e(__version__)} &middot; families: '
            f"{_e(', '.join(st.families) or 'none')} &middot; {st.samples} samples, seed {st.seed}</p>")
    legend = "".join(f"<li>{badge(k)} {MEANING[k]}</li>" for k in ORDER[:4])
    body = "".join(derivation_html(d, results, plots) for d in derivations)
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{_e(title)}</title><style>{CSS}</style></head><body>"
            f"<h1>{_e(title)}</h1>{meta}{_summary(report.results)}"
            f'<details><summary>what the verdicts mean</summary><ul>{legend}</ul></details>'
            f"{errors}{body}</body></html>\n")


def write_report(report, derivations, path, title="vi_sym report", plots=False) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(render_report(report, derivations, title, plots))

