"""The budget of mpmath integrals a check may fall back to, kept the same whatever a
process remembers.

``with fallback_budget(n):`` at most ``n`` integrals at the default precision may fall back
from float64 to mpmath; later ones are :class:`BudgetSpent` (a NotEvaluable: the point is
skipped with that reason, never guessed).  A spot-check of 50 points stays bounded in time
when float64 cannot vouch for most of them (parameters at 1e-3 and 1e3).

Values computed once are remembered for the rest of the process (a density's mass, a side
of a claim at a point): :func:`remembered` keeps with each value the fallbacks its
computation took and charges them again when the value is reused.  So a check spends the
same budget, skips the same points and reports the same counts whether another check in
the same process (another claim of the batch, another worker's share) computed a value
first or not: the report depends on the inputs and the seed alone.
"""
from __future__ import annotations

import mpmath

from .common import NotEvaluable

__all__ = ["BudgetSpent", "fallback_budget", "spend_fallback", "remembered", "run_counted", "reuse"]

#: mpmath integrals at the default precision still allowed (None: unlimited)
_FALLBACK = [None]
#: fallbacks taken at the default precision in this process (with a budget or not)
_SPENT = [0]


class BudgetSpent(NotEvaluable):
    """The check's budget of mpmath integrals is spent (depends on what was left: never
    remembered as a value's failure)."""


class fallback_budget:
    """``with fallback_budget(n):`` see the module docstring."""

    def __init__(self, n):
        self.n = n

    def __enter__(self):
        self.saved = _FALLBACK[0]
        _FALLBACK[0] = self.n
        return self

    def __exit__(self, *exc):
        _FALLBACK[0] = self.saved
        return False


def spend_fallback(dps: int, times: int = 1) -> None:
    """Take ``times`` fallbacks at the default precision ``dps`` (none above it): BudgetSpent
    when the budget runs out first."""
    if mpmath.mp.dps > dps:
        return
    for _ in range(times):
        if _FALLBACK[0] is not None:
            if _FALLBACK[0] <= 0:
                raise BudgetSpent("float64 cannot vouch for an integral here, and this check's "
                                  "budget of mpmath integrals is spent")
            _FALLBACK[0] -= 1
        _SPENT[0] += 1


def run_counted(compute, errors=(NotEvaluable,)) -> tuple:
    """``(compute() or the exception among errors it raised, fallbacks it took)``: an entry to
    remember (BudgetSpent is raised, never remembered)."""
    before = _SPENT[0]
    try:
        value = compute()
    except BudgetSpent:
        raise
    except errors as ex:
        value = ex
    return value, _SPENT[0] - before


def reuse(entry, dps: int):
    """The remembered ``entry``'s value (or its failure, raised), its fallbacks charged again."""
    value, taken = entry
    spend_fallback(dps, taken)
    if isinstance(value, BaseException):
        raise value
    return value


def remembered(table: dict, key, compute, dps: int, errors=(NotEvaluable,), cap: int = 4096):
    """``compute()`` remembered in ``table`` under ``key`` (its failures among ``errors``
    too, except BudgetSpent), each with the fallbacks it took; a value reused is charged
    them again (see the module docstring)."""
    hit = table.get(key)
    if hit is not None:
        return reuse(hit, dps)
    entry = run_counted(compute, errors)
    if len(table) >= cap:
        table.clear()
    table[key] = entry
    if isinstance(entry[0], BaseException):
        raise entry[0]
    return entry[0]
