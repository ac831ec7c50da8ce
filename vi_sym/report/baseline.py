"""Proof-regression baseline: a lock file of verdicts, and the diff against it.

The lock (``proofs.lock``) holds one line per step and one per (step, family)
spot-check, sorted, so that a change of verdict is a one-line diff::

    # vi_sym.lock/1 -- proof-regression baseline ...
    kl_route::3  PROVED
    kl_route::3 [normal-normal]  SPOT-CHECKED
    notes::2  FAILED  xfail

Verdicts are ordered PROVED > SPOT-CHECKED > UNKNOWN > FAILED (ERROR counts as
FAILED; a family status other than these ranks as UNKNOWN).  A step marked
``xfail`` (expected to fail) ranks the other way round, FAILED > UNKNOWN/ERROR >
SPOT-CHECKED/PROVED (losing the counterexample is a regression), and its family
lines are informational.  Downgrades fail the run; upgrades, steps new
to the lock and steps gone from it are reported (gone ones as a warning).
"""
from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field

from ..core import Status

FORMAT = "vi_sym.lock/1"
HEADER = (f"# {FORMAT} -- proof-regression baseline: ID [FAMILY]  STATUS  [xfail]\n"
          "# regenerate: python -m vi_sym check --update-baseline --baseline proofs.lock\n")
_STATUSES = {s.value for s in Status}
#: for a step expected to fail, a counterexample is the strongest verdict
XRANK = {"FAILED": 2, "UNKNOWN": 1, "ERROR": 1, "SPOT-CHECKED": 0, "PROVED": 0}
_LINE = re.compile(r"^(\S+)(?: \[([^\]\s]+)\])?\s+([A-Z][A-Z-]*)(?:\s+(xfail))?\s*$")


class LockError(Exception):
    """A lock file that is missing or cannot be read (message names the line)."""


@dataclass(frozen=True)
class Entry:
    status: str
    xfail: bool = False       # the step is expected to fail
    ok: bool = True           # as expected (only meaningful when xfail)


@dataclass
class Diff:
    downgrades: list = field(default_factory=list)   # (key, old, new)
    upgrades: list = field(default_factory=list)
    changed: list = field(default_factory=list)      # informational (xfail steps' families, expectation)
    new: list = field(default_factory=list)          # (key, entry)
    gone: list = field(default_factory=list)

    @property
    def regressed(self) -> bool:
        return bool(self.downgrades)


def _natural(key):
    sid, fam = key
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", sid)], fam or ""


def entries(report) -> dict:
    """{(step id, family or None): Entry} for every result of the report."""
    out = {}
    for r in report.results:
        xf = r.expect == "fails"
        out[(r.step_id, None)] = Entry(r.status.value, xf, r.as_expected)
        for f in r.families:
            out[(r.step_id, str(f["family"]))] = Entry(str(f["status"]), xf)
    return out


def _made_with(settings) -> str:
    fams = ",".join(settings.families) or "none"
    return (f"# made with: --family {fams} --samples {settings.samples} --seed {settings.seed} "
            f"(tol {settings.tol:g})\n")


def format_lock(ents: dict, settings=None) -> str:
    """The lock text: header, the settings it was made with, then sorted entry lines."""
    lines = [HEADER] + ([_made_with(settings)] if settings is not None else [])
    for key in sorted(ents, key=_natural):
        sid, fam = key
        e = ents[key]
        name = f"{sid} [{fam}]" if fam else sid
        lines.append(f"{name}  {e.status}{'  xfail' if e.xfail and fam is None else ''}\n")
    return "".join(lines)


def _file_mode(path) -> int:
    """The mode of the file being replaced, else what the umask gives a new file."""
    try:
        return os.stat(path).st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_lock(report, path) -> None:
    """Rewrite the lock atomically from the report's verdicts."""
    text = format_lock(entries(report), report.settings)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".proofs-lock-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.chmod(tmp, _file_mode(path))
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def read_lock(path) -> dict:
    """Parse a lock file; raises :class:`LockError` naming the file and line."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        raise LockError(f"{path}: no such baseline; create it with "
                        f"'python -m vi_sym check --update-baseline --baseline {path}'") from None
    except OSError as err:
        raise LockError(f"{path}: cannot read: {err.strerror or err}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[:err.start].count(b"\n") + 1
        raise LockError(f"{path}:{line}: not valid UTF-8 text") from None
    lines = text.splitlines()
    first = lines[0].strip() if lines else ""
    m = re.match(r"^#\s*vi_sym\.lock/(\d+)\b", first)
    if not m:
        raise LockError(f"{path}:1: not a vi_sym lock file (expected '# {FORMAT}' on line 1)")
    if m.group(1) != FORMAT.rsplit("/", 1)[1]:
        raise LockError(f"{path}:1: lock format version {m.group(1)} is not supported "
                        f"(this vi_sym reads {FORMAT}); regenerate it with --update-baseline")
    out = {}
    for no, line in enumerate(lines[1:], 2):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = _LINE.match(line.strip())
        if not m:
            raise LockError(f"{path}:{no}: cannot read {line.strip()[:60]!r} "
                            "(expected 'ID [FAMILY]  STATUS  [xfail]')")
        sid, fam, status, xf = m.groups()
        if fam is None and status not in _STATUSES:
            raise LockError(f"{path}:{no}: unknown verdict {status!r}")
        if (sid, fam) in out:
            raise LockError(f"{path}:{no}: {sid}{f' [{fam}]' if fam else ''} is listed twice")
        xfail = bool(xf)
        out[(sid, fam)] = Entry(status, xfail, status == "FAILED" if xfail else True)
    for (sid, fam), e in list(out.items()):     # family lines inherit their step's expectation
        if fam and (sid, None) in out:
            out[(sid, fam)] = Entry(e.status, out[(sid, None)].xfail)
    return out


def _rank(e: Entry) -> int:
    return Status(e.status).rank if e.status in _STATUSES else Status.UNKNOWN.rank


def _xrank(e: Entry) -> int:
    return XRANK.get(e.status, 1)


def compare(old: dict, new: dict) -> Diff:
    """What changed from the lock ``old`` to the run ``new``."""
    d = Diff()
    for key in sorted(set(old) | set(new), key=_natural):
        o, n = old.get(key), new.get(key)
        if o is None:
            d.new.append((key, n))
        elif n is None:
            d.gone.append((key, o))
        elif o.status == n.status and o.xfail == n.xfail:
            continue
        elif key[1] is None and o.xfail and n.xfail:
            # an expected failure is strongest when refuted: FAILED > UNKNOWN/ERROR > holds
            if _xrank(n) < _xrank(o):
                d.downgrades.append((key, o, n))
            elif _xrank(n) > _xrank(o):
                d.upgrades.append((key, o, n))
            else:
                d.changed.append((key, o, n))
        elif o.xfail or n.xfail:
            d.changed.append((key, o, n))
        elif _rank(n) < _rank(o):
            d.downgrades.append((key, o, n))
        elif _rank(n) > _rank(o):
            d.upgrades.append((key, o, n))
        else:
            d.changed.append((key, o, n))
    return d


def _name(key) -> str:
    sid, fam = key
    return f"{sid} [{fam}]" if fam else sid


def _verdict(e: Entry) -> str:
    if e.xfail and e.ok and e.status in ("FAILED", "ERROR"):
        return f"{e.status} (expected)"
    return e.status + (" (expected to fail)" if e.xfail else "")


def diff_lines(diff: Diff, path) -> list:
    """Diff-like lines: '- id  OLD -> NEW' downgrades, '+' upgrades, '~' other changes."""
    lines = [f"baseline {path}: {len(diff.downgrades)} downgrade(s), {len(diff.upgrades)} "
             f"upgrade(s), {len(diff.new)} new, {len(diff.gone)} gone"]
    for sign, rows in (("-", diff.downgrades), ("+", diff.upgrades), ("~", diff.changed)):
        lines += [f"{sign} {_name(k)}  {_verdict(o)} -> {_verdict(n)}" for k, o, n in rows]
    lines += [f"  new: {_name(k)}  {_verdict(e)}" for k, e in diff.new]
    lines += [f"warning: gone from this run but in the lock: {_name(k)}  {_verdict(e)}"
              for k, e in diff.gone]
    return lines
