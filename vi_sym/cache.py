"""On-disk cache of verdicts, so an unchanged catalogue is not checked twice.

A step's entry is keyed (sha256) by a canonical form of the step -- ``srepr`` of
its sides, its relation, cited rules, latent variables, model names and
expectation -- the families asked for (which of them apply is a function of the
step and vi_sym's source, both in the key), the settings that shape a
verdict (samples, seed, tol, timeout), the versions of vi_sym, sympy, mpmath,
hypothesis and Python, and a fingerprint of vi_sym's own source (so a changed
prover never serves a stale verdict).  A conclusion caches only its
composition check; its verdict is merged afresh from its steps' verdicts.

Only verdicts whose every task finished are stored (never a timeout, crash,
exception or interrupt).  Entries are JSON (never pickle), one file per key,
written atomically (temp file in the same directory, then ``os.replace``).  A
corrupt or foreign file is ignored with a one-line warning on stderr and
rewritten; it is never trusted and never a crash.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import platform
import sys
import tempfile
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import sympy

from . import __version__
from .core import Outcome, Status

FORMAT = "vi_sym.cache/1"
DEFAULT_DIR = ".vi_sym_cache"
_VERDICT = {"status": str, "relation": str, "statement": str, "latex": str, "justification": list,
            "seconds": (int, float), "trace": list, "residual": str, "uncited": list, "atom": str,
            "reason": str, "families": list, "explanation": str, "fixes": list,
            "inherited_from": (str, type(None)), "untested": str}
_CONCLUSION = {"proved": bool, "trace": list, "residual": str, "uncited": list, "atom": str}


@lru_cache(maxsize=1)
def environment() -> dict:
    """Versions and a source fingerprint: anything that could change a verdict."""
    h = hashlib.sha256()
    pkg = Path(__file__).resolve().parent
    for f in sorted(pkg.rglob("*.py")):
        try:
            body = f.read_bytes()
        except OSError:          # being replaced by an editor right now: key on its absence
            body = b"<unreadable>"
        h.update(f.relative_to(pkg).as_posix().encode() + b"\0" + body + b"\0")
    versions = {}
    for dist in ("mpmath", "hypothesis"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = ""
    return {"vi_sym": __version__, "source": h.hexdigest(), "sympy": sympy.__version__,
            "python": platform.python_version(), **versions}


def _plain(v):
    """Tuples as lists, recursively: what a JSON round trip gives back."""
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    return v


def _jsonable(v) -> bool:
    """True when ``v`` survives a JSON round trip unchanged (else it is not cached)."""
    try:
        return json.loads(json.dumps(v, allow_nan=False)) == _plain(v)
    except (TypeError, ValueError):
        return False


_NUMBER = (int, float)
_FIX = {"edit": str, "description": str, "statement": str, "verdict": str}
_CX = {"params": dict, "lhs": _NUMBER, "rhs": _NUMBER, "difference": _NUMBER}


def _typed(d, spec) -> bool:
    """``d`` is a dict whose every field in ``spec`` has its type (a bool is no number)."""
    return isinstance(d, dict) and all(
        isinstance(d.get(k), t) and not (isinstance(d.get(k), bool) and t is _NUMBER)
        for k, t in spec.items())


def _family_ok(f) -> bool:
    """One family entry, as the reports read it (terminal, JUnit, HTML, plots)."""
    if not _typed(f, {"family": str, "status": str}) or not isinstance(f.get("reason", ""), str):
        return False
    if f["status"] == "SPOT-CHECKED":
        return _typed(f, {"n_checked": int, "n_total": int, "max_error": _NUMBER})
    cx = f.get("counterexample")
    if cx is not None:
        return _typed(cx, _CX) and all(isinstance(k, str) for k in cx["params"])
    return True


def _fields_ok(d, spec) -> bool:
    """The fields have the types the report code relies on, item by item (a cache file is
    never trusted: anything off is a warning and the step is checked again)."""
    if not (isinstance(d, dict) and all(isinstance(d.get(k), t) for k, t in spec.items())):
        return False
    if not all(isinstance(t, list) and len(t) == 3 and all(isinstance(x, str) for x in t)
               for t in d["trace"]):
        return False
    if not all(isinstance(x, str) for x in d["uncited"] + d.get("justification", [])):
        return False
    if "status" in spec and d["status"] not in {s.value for s in Status}:
        return False
    if not all(_typed(fx, _FIX) and fx["verdict"] in ("PROVED", "SPOT-CHECKED") for fx in d.get("fixes", [])):
        return False
    return all(_family_ok(f) for f in d.get("families", []))


class Cache:
    """A directory of JSON verdicts.  ``hits``/``misses``/``stored`` count this run."""

    def __init__(self, directory=DEFAULT_DIR, warn=None):
        self.dir = Path(directory)
        self.hits = self.misses = self.stored = 0
        self._warn = warn or (lambda msg: print(f"vi_sym: warning: {msg}", file=sys.stderr))
        self._writable = self._readable = True
        self._sreprs: dict = {}     # id(expression) -> (expression, srepr), see _srepr

    def _srepr(self, expr) -> str:
        """``sympy.srepr(expr)``, once per expression object: a chain's expression is one step's
        right side and the next one's left side (by identity, not ==: the key is srepr's)."""
        hit = self._sreprs.get(id(expr))
        if hit is None or hit[0] is not expr:
            hit = self._sreprs[id(expr)] = (expr, sympy.srepr(expr))
        return hit[1]

    # ------------------------------------------------------------------ keys
    def _key(self, kind, settings, **canon) -> str:
        doc = {"format": FORMAT, "kind": kind, "env": environment(),
               "settings": {k: getattr(settings, k) for k in ("samples", "seed", "tol", "timeout")},
               **canon}
        return hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode()).hexdigest()

    @staticmethod
    def _context(ctx) -> dict:
        return {"latent": [sympy.srepr(v) for v in ctx.latent], "models": sorted(ctx.models),
                "domains": [list(d) for d in getattr(ctx, "domains", ())],
                "factors": [sympy.srepr(f) for f in getattr(ctx, "factors", ())],
                "copies": [[sympy.srepr(v) for v in g] for g in getattr(ctx, "copies", ())],
                "iid": [[sympy.srepr(v) for v in g] for g in getattr(ctx, "iid", ())],
                "fixed": [sympy.srepr(d) for d in getattr(ctx, "fixed", ())]}

    def step_key(self, step, families, settings, previous=None, kind="step") -> str:
        """Keyed on the step, the families asked for, the settings and the previous step's left
        side and relation, ``previous = (lhs, rel)`` (a step after a wrong one is judged from
        that left side too: an inherited failure, its likely fixes)."""
        if previous is not None and not isinstance(previous, tuple):
            previous = (previous, "=")
        prev = None if previous is None else [self._srepr(previous[0]), previous[1]]
        return self._key(kind, settings, lhs=self._srepr(step.lhs), rel=step.rel,
                         rhs=self._srepr(step.rhs), by=list(step.by), expect=step.expect,
                         context=self._context(step.context), families=list(families),
                         previous=prev, fixes=bool(getattr(settings, "fixes", True)),
                         **self._premises(step))

    def _premises(self, step) -> dict:
        """The premises a likely fix may try (:attr:`vi_sym.core.Step.premises`), when there are any
        (a step without them keeps the key it always had)."""
        premises = getattr(step, "premises", ())
        if not premises:
            return {}
        return {"premises": [[d, [[self._srepr(a), self._srepr(b)] for a, b in sub]] for d, sub in premises]}

    def conclusion_key(self, derivation, settings, conclusion=None) -> str:
        s, rel, t = derivation.claim
        c = conclusion or derivation.conclusion
        return self._key("conclusion", settings, chain=[sympy.srepr(s), rel, sympy.srepr(t)],
                         conclusion=[sympy.srepr(c.lhs), c.rel, sympy.srepr(c.rhs)],
                         context=self._context(derivation.context))

    # ------------------------------------------------------------------ files
    def _path(self, key) -> Path:
        return self.dir / f"{key}.json"

    def _load(self, key, kind, spec):
        path = self._path(key)
        try:
            raw = path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            self.misses += 1
            return None
        except OSError as err:
            if self._readable:
                self._warn(f"cannot read the cache in {self.dir}: {err.strerror or err}; ignored")
            self._readable = False
            self.misses += 1
            return None
        try:
            doc = json.loads(raw.decode("utf-8"))
            ok = (isinstance(doc, dict) and doc.get("format") == FORMAT and doc.get("key") == key
                  and doc.get("kind") == kind and _fields_ok(doc.get("value"), spec))
        except (UnicodeDecodeError, ValueError, RecursionError):
            ok = False
        if not ok:
            self._warn(f"ignoring corrupt or foreign cache file {path}")
            self.misses += 1
            return None
        self.hits += 1
        return doc["value"]

    def _save(self, key, kind, value) -> None:
        if not self._writable or not _jsonable(value):
            return
        doc = {"format": FORMAT, "key": key, "kind": kind, "value": value}
        tmp = None
        try:
            if not self.dir.is_dir():
                self.dir.mkdir(parents=True, exist_ok=True)
                (self.dir / ".gitignore").write_text("# created by vi_sym\n*\n", encoding="utf-8")
            fd, tmp = tempfile.mkstemp(dir=self.dir, prefix=".tmp-", suffix=".json")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(doc, fh, allow_nan=False)
            os.replace(tmp, self._path(key))
            tmp = None
            self.stored += 1
        except (OSError, TypeError, ValueError) as err:
            self._writable = False
            self._warn(f"cannot write the cache in {self.dir}: {getattr(err, 'strerror', None) or err}; "
                       "continuing without storing")
        finally:
            if tmp is not None and os.path.exists(tmp):
                os.unlink(tmp)

    # ------------------------------------------------------------------ steps
    def lookup_step(self, step, families, settings, previous_lhs=None, kind="step"):
        """The cached verdict fields of ``step`` (a dict for :meth:`restore_step`), or None
        (``kind="conclusion-spot"``: a conclusion's spot-checks)."""
        return self._load(self.step_key(step, families, settings, previous_lhs, kind), kind, _VERDICT)

    @staticmethod
    def restore_step(base, value):
        """``base`` (the step's fresh StepResult: names, source lines) with the cached verdict."""
        return dataclasses.replace(
            base, status=Status(value["status"]), relation=value["relation"],
            statement=value["statement"], latex=value["latex"],
            justification=tuple(value["justification"]), seconds=float(value["seconds"]),
            trace=[tuple(t) for t in value["trace"]], residual=value["residual"],
            uncited=tuple(value["uncited"]), atom=value["atom"], reason=value["reason"],
            families=value["families"], explanation=value["explanation"],
            fixes=value["fixes"], inherited_from=value["inherited_from"], untested=value["untested"])

    def store_step(self, step, families, settings, result, outcomes, previous_lhs=None, kind="step") -> None:
        """Store ``result`` unless a task timed out, crashed, raised or was interrupted."""
        if not all(o is not None and o.ok for o in outcomes):
            return
        value = {k: getattr(result, k) for k in _VERDICT}
        value["status"] = result.status.value
        if not _jsonable(value["fixes"]):
            return
        self._save(self.step_key(step, families, settings, previous_lhs, kind), kind, _plain(value))

    # ------------------------------------------------------------------ conclusions
    def lookup_conclusion(self, derivation, settings, conclusion=None):
        """The cached composition-check outcome of ``derivation``'s ``conclusion``, or None."""
        value = self._load(self.conclusion_key(derivation, settings, conclusion), "conclusion", _CONCLUSION)
        if value is None:
            return None
        seconds = value.pop("seconds", 0.0)
        value["trace"] = [tuple(t) for t in value["trace"]]
        value["uncited"] = tuple(value["uncited"])
        return Outcome(True, value, seconds=float(seconds) if isinstance(seconds, (int, float)) else 0.0)

    def store_conclusion(self, derivation, settings, outcome, conclusion=None) -> None:
        if outcome is None or not outcome.ok or not isinstance(outcome.value, dict):
            return
        value = dict(outcome.value, seconds=outcome.seconds)
        self._save(self.conclusion_key(derivation, settings, conclusion), "conclusion", _plain(value))
