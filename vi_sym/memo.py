"""A bounded table of the results of a pure function, for the process-wide memos (the
prover's algebra and normal forms, one-denominator cancelling, the definitions' unfolding,
what a step's spot-checkers share)."""
from __future__ import annotations

__all__ = ["Memo"]


class Memo(dict):
    """A bounded table of results of a pure function, keyed by everything the result depends
    on (whole expressions, compared structurally by sympy: 2.0*x and 2*x are different keys).
    Emptied when full."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit

    def put(self, key, value):
        if len(self) >= self.limit:
            self.clear()
        self[key] = value
        return value
