"""Front-ends: text -> derivation records, one reader per input format, chosen by file suffix.

A reader is a callable ``reader(text, file) -> (records, errors)``: ``text`` is the file decoded
as UTF-8, ``records`` a list of :class:`~vi_sym.records.DerivationRecord`, ``errors`` a list of
:class:`~vi_sym.records.LoadError`.  A reader that takes a third argument also hears the
caller's :class:`~vi_sym.records.ReadOptions` (``--latent``/``--observed``).  A new input format is one module plus one call::

    register_reader(".toy", read_toy)

:func:`load_paths` finds every file a reader is registered for, reads it and hands its records
to :mod:`vi_sym.assemble` — the same chain composition for every format.
"""
from __future__ import annotations

import importlib
import inspect
from pathlib import Path
from typing import Callable, Union

from ..assemble import assemble_all, qualify_shared_names
from ..records import DerivationRecord, LoadError, ReadOptions, StepRecord
from .vi import read_vi

__all__ = ["register_reader", "reader_for", "suffixes", "discover", "load_file", "load_text",
           "load_paths", "LoadError", "StepRecord", "DerivationRecord", "ReadOptions", "MAX_BYTES"]

MAX_BYTES = 2_000_000           # a larger file is refused with a clear error, not read
_READERS: dict[str, Union[Callable, str]] = {}
_SCANNED: set = set()           # suffixes looked for in directories (others only when named)


def register_reader(suffix: str, reader: Union[Callable, str], scan: bool = True) -> None:
    """Read files ending in ``suffix`` (e.g. ``".vi"``) with ``reader(text, file)`` — a callable,
    or ``"module:function"`` imported on first use (so a format's dependencies load only when
    a file of that format is read); ``scan``:
    also pick such files up when a directory is given (``False`` for formats like ``.txt`` whose
    files are mostly not derivations: they are read only when named)."""
    if not suffix.startswith(".") or len(suffix) < 2:
        raise ValueError(f"a suffix starts with '.', got {suffix!r}")
    _READERS[suffix.lower()] = reader
    (_SCANNED.add if scan else _SCANNED.discard)(suffix.lower())


def reader_for(path):
    """The reader registered for ``path``'s suffix, or None."""
    suffix = Path(path).suffix.lower()
    reader = _READERS.get(suffix)
    if isinstance(reader, str):
        module, _, name = reader.partition(":")
        reader = _READERS[suffix] = getattr(importlib.import_module(module, __name__), name)
    return reader


def suffixes() -> tuple:
    """Every registered suffix, sorted."""
    return tuple(sorted(_READERS))


def discover(paths) -> list:
    """Every file with a scanned suffix under the given directories (sorted), and every file
    given by name (whatever its suffix: :func:`load_file` says if no reader knows it)."""
    files = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in _SCANNED))
        else:
            files.append(p)
    return files


def _takes_options(reader) -> bool:
    try:
        params = inspect.signature(reader).parameters.values()
    except (TypeError, ValueError):
        return False
    return sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params) >= 3 or \
        any(p.kind == p.VAR_POSITIONAL for p in params)


def load_text(text: str, file: str = "<text>", reader: Callable = read_vi, options: ReadOptions | None = None):
    """Read ``text`` with ``reader`` (default: ``.vi``) and assemble; returns (derivations, errors).
    A UTF-8 byte-order mark at the start is ignored; ``options`` go to a reader that takes them."""
    text = text[1:] if text.startswith("\ufeff") else text
    try:
        drecs, errors = reader(text, file, options) if options else reader(text, file)
    except Exception as exc:  # noqa: BLE001 -- a fault of a reader is one file's error, never a traceback
        return [], [LoadError(file, 0, "", "", f"this file could not be read: the reader failed ({type(exc).__name__}: "
                                               f"{exc}) -- a fault of vi_sym, please report it; other files are checked")]
    return assemble_all(drecs, errors), errors


def load_file(path, options: ReadOptions | None = None) -> tuple:
    """Read one file with the reader of its suffix; returns (derivations, errors)."""
    path = Path(path)
    reader = reader_for(path)
    if reader is not None and options and not _takes_options(reader):
        return [], [LoadError(str(path), 0, "", "", f"the reader of '{path.suffix}' files takes no "
                                                    "--latent/--observed")]
    if reader is None:
        known = ", ".join(suffixes())
        return [], [LoadError(str(path), 0, "", "", f"no reader for '{path.suffix or path.name}' files "
                                                    f"(known: {known})")]
    try:
        if path.stat().st_size > MAX_BYTES:
            return [], [LoadError(str(path), 0, "", "", f"file too large to be a derivation or a note "
                                                        f"(over {MAX_BYTES // 1_000_000} MB); not read")]
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
    derivs, errors = load_text(text, str(path), reader, options)
    unread = all(e.message.startswith("no step read here") for e in errors)
    if not derivs and unread:   # nothing at all, or only lines a note reader could not read
        hint = "" if reader is read_vi or options else \
            " (no relation between expressions vi_sym can read; z, Z are latent and x, X observed " \
            "unless a 'latent:' line or --latent/--observed say otherwise)"
        errors.insert(0, LoadError(str(path), 0, "", "", "the file holds no derivation" + hint))
    return derivs, errors


def load_paths(paths, options: ReadOptions | None = None):
    """Every derivation under ``paths`` (files or directories); returns (derivations, errors)."""
    derivs, errors, seen = [], [], set()
    for f in discover(paths):
        if f.resolve() in seen:        # named twice (a file and its directory): read once
            continue
        seen.add(f.resolve())
        d, e = load_file(f, options)
        derivs.extend(d)
        errors.extend(e)
    return qualify_shared_names(derivs, errors), errors


register_reader(".vi", read_vi)
register_reader(".txt", ".note:read_note", scan=False)
register_reader(".md", ".markdown:read_markdown", scan=False)
register_reader(".markdown", ".markdown:read_markdown", scan=False)
register_reader(".tex", ".tex:read_tex", scan=False)
register_reader(".ipynb", ".notebook:read_notebook", scan=False)
