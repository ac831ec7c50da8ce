"""Compatibility names for reading derivation files; the readers live in :mod:`vi_sym.frontends`
and chain composition in :mod:`vi_sym.assemble`."""
from __future__ import annotations

from .frontends import discover, load_file, load_paths, load_text
from .records import LoadError

__all__ = ["LoadError", "discover", "load_file", "load_paths", "load_text"]
