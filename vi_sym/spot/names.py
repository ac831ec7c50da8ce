"""A counterexample in the note's names.

A model family evaluates a step in its own coordinates -- the latent ``z`` (``z1``, ``z2`` with
several), the data ``x`` -- onto which the step's own names are mapped
(:func:`vi_sym.coordinates.family_coordinates`, :func:`vi_sym.spot.multi.multi_coordinates`).
What a FAILED result says is written back in the names the note wrote (μ, τ, D), so that "it
depends on z2, so it is not a const(z2)" reads "it depends on τ, so it is not a const(τ)".
"""
from __future__ import annotations

import dataclasses
import re

from .base import SpotResult

__all__ = ["in_note_names"]


def in_note_names(res: SpotResult, names: dict) -> SpotResult:
    """``res`` with each family name of ``names`` (family name -> the note's) written as the
    note's, in its counterexample's texts and point and in its reason (one pass: z1 <-> z2 swap)."""
    names = {k: v for k, v in names.items() if k != v}
    params = (res.counterexample or {}).get("params") or {}
    if not names or res.status != "FAILED" or any(v in params and v not in names for v in names.values()):
        return res          # nothing to rename, or a name the family uses for another of its values
    pattern = re.compile(r"(?<!\w)(" + "|".join(map(re.escape, sorted(names, key=len, reverse=True))) + r")(?!\w)")

    def sub(value):
        return pattern.sub(lambda m: names[m.group(1)], value) if isinstance(value, str) else value
    cex = res.counterexample
    if cex is not None:
        cex = {k: sub(v) for k, v in cex.items()}
        if isinstance(cex.get("params"), dict):
            cex["params"] = {names.get(k, k): v for k, v in cex["params"].items()}
    return dataclasses.replace(res, counterexample=cex, reason=sub(res.reason))
