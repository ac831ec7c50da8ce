"""One sentence a learner can follow: what a counterexample means."""
from __future__ import annotations

import math

#: what a side beyond the float range (read as ±inf) is said to be
_HUGE = "beyond the floating-point range (above 1.8e308 in size)"


def _num(v) -> str:
    if isinstance(v, float) and not math.isfinite(v):
        return _HUGE if v == v else "not a number"
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def _where(entry: dict) -> str:
    c = entry["counterexample"]
    label = c.get("label")
    params = ", ".join(f"{k}={_num(v) if not isinstance(v, list) else '[' + ', '.join(map(_num, v)) + ']'}"
                       for k, v in c["params"].items())
    if label:
        return f"in the {entry['family']} model with {label} ({params})"
    return f"in the {entry['family']} model at {params}" if params else f"in the {entry['family']} model"


def explain_counterexample(entry: dict, rel: str) -> str:
    """E.g. 'In the normal-normal model with q = exact posterior (...), the right side exceeds
    the left side by 0.42, so lhs >= rhs does not hold.'"""
    c = entry["counterexample"]
    if c.get("sentence"):         # a checker that says it all in a sentence of its own
        return c["sentence"]
    lhs, rhs = c["lhs"], c["rhs"]
    d = lhs - rhs
    where = _where(entry)
    if c.get("meaning"):          # a checker that compared something else than lhs with rhs says what
        return f"{where[0].upper()}{where[1:]}, {c['meaning']}"
    head = f"{where[0].upper()}{where[1:]}, the left side is {_num(lhs)} and the right side is {_num(rhs)}"
    if not (isinstance(d, float) and math.isfinite(d)):     # a side beyond the float range
        what = {">=": "the right side exceeds the left", "<=": "the left side exceeds the right"}
        return (f"{head}: {what.get(rel, 'they differ')} there (the values, certified in extended "
                f"precision, are too large to print as floating-point numbers), so "
                f"{'the two sides are not equal' if rel == '=' else repr(rel) + ' does not hold'}.")
    if rel == ">=":
        return f"{head}: the right side exceeds the left by {_num(-d)}, so '>=' does not hold."
    if rel == "<=":
        return f"{head}: the left side exceeds the right by {_num(d)}, so '<=' does not hold."
    return f"{head}: they differ by {_num(abs(d))}, so the two sides are not equal."
