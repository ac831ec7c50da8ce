"""Front-ends: text -> derivation records, one reader per input format, chosen by file suffix.

A reader is a callable ``reader(text, file) -> (records, errors)``: ``text`` is the file decoded
as UTF-8, ``records`` a list of :class:`~vi_sym.records.DerivationRecord`, ``errors`` a list of
:class:`~vi_sym.records.LoadError`.  A new input format is one module plus one call::

    register_reader(".toy", read_toy)

:func:`load_paths` finds every file a reader is registered for, reads it and hands its records
to :mod:`vi_sym.assemble` — the same chain composition for every format.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..assemble import assemble_all
from ..records import DerivationRecord, LoadError, StepRecord
from .vi import read_vi

__all__ = ["register_reader", "reader_for", "suffixes", "discover", "load_file", "load_text",
           "load_paths", "LoadError", "StepRecord", "DerivationRecord", "MAX_BYTES"]

MAX_BYTES = 20_000_000          # a larger file is refused with a clear error, not read
_READERS: dict[str, Callable] = {}


def register_reader(suffix: str, reader: Callable) -> None:
    """Read files ending in ``suffix`` (e.g. ``".vi"``) with ``reader(text, file)``."""
    if not suffix.startswith(".") or len(suffix) < 2:
        raise ValueError(f"a suffix starts with '.', got {suffix!r}")
    _READERS[suffix.lower()] = reader


def reader_for(path):
    """The reader registered for ``path``'s suffix, or None."""
    return _READERS.get(Path(path).suffix.lower())


def suffixes() -> tuple:
    """Every registered suffix, sorted."""
    return tuple(sorted(_READERS))


def discover(paths) -> list:
    """Every file with a registered suffix under the given directories (sorted), and every file
    given by name (whatever its suffix: :func:`load_file` says if no reader knows it)."""
    files = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(sorted(f for f in p.rglob("*") if f.is_file() and reader_for(f)))
        else:
            files.append(p)
    return files


def load_text(text: str, file: str = "<text>", reader: Callable = read_vi):
    """Read ``text`` with ``reader`` (default: ``.vi``) and assemble; returns (derivations, errors)."""
    drecs, errors = reader(text, file)
    return assemble_all(drecs, errors), errors


def load_file(path) -> tuple:
    """Read one file with the reader of its suffix; returns (derivations, errors)."""
    path = Path(path)
    reader = reader_for(path)
    if reader is None:
        known = ", ".join(suffixes())
        return [], [LoadError(str(path), 0, "", "", f"no reader for '{path.suffix or path.name}' files "
                                                    f"(known: {known})")]
    try:
        if path.stat().st_size > MAX_BYTES:
            return [], [LoadError(str(path), 0, "", "", f"file too large (over {MAX_BYTES // 1_000_000} MB)")]
        raw = path.read_bytes()
    except OSError as err:
        return [], [LoadError(str(path), 0, "", "", f"cannot read: {err.strerror or err}")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[:err.start].count(b"\n") + 1
        return [], [LoadError(str(path), line, "", "", "not valid UTF-8 text")]
    if "\x00" in text:
        line = text[:text.index("\x00")].count("\n") + 1
        return [], [LoadError(str(path), line, "", "", "binary data (a NUL byte), not text")]
    derivs, errors = load_text(text, str(path), reader)
    if not derivs and not errors:
        errors.append(LoadError(str(path), 0, "", "", "the file holds no derivation"))
    return derivs, errors


def load_paths(paths):
    """Every derivation under ``paths`` (files or directories); returns (derivations, errors)."""
    derivs, errors = [], []
    for f in discover(paths):
        d, e = load_file(f)
        derivs.extend(d)
        errors.extend(e)
    return derivs, errors


register_reader(".vi", read_vi)
