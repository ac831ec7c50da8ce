"""The Jupyter reader (``.ipynb``): the LaTeX of every markdown cell, read as Markdown.

The notebook is read with nbformat (never executed).  Positions are ``FILE#cellN:LINE``: the
cell's number (1-based, counting every cell) and the line within the cell's source.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat

from ..records import LoadError
from .markdown import declarations, markdown_chains


def read_notebook(text: str, file: str, options=None):
    """A notebook's JSON text -> (derivation records, errors)."""
    try:
        nb = nbformat.reads(text, as_version=4)
    except (json.JSONDecodeError, nbformat.reader.NotJSONError) as err:
        return [], [LoadError(file, getattr(err, "lineno", 0) or 0, "", "", f"not a notebook (invalid JSON: {err})")]
    except Exception as err:  # noqa: BLE001 -- nbformat raises many kinds on a malformed notebook
        return [], [LoadError(file, 0, "", "", f"not a readable notebook: {type(err).__name__}: {err}")]
    stem = re.sub(r"\W", "_", Path(file).stem) or "notebook"
    out, errors, skipped, preamble = [], [], [], ""
    for n, cell in enumerate(nb.get("cells", []), 1):
        if cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(source)
        where = f"{file}#cell{n}"
        drecs, skips = markdown_chains(source, where, options, preamble)
        preamble += declarations(source)
        skipped.extend((where, line, reason) for line, reason in skips)
        for d in drecs:
            d.name = f"{stem}_cell{n}_" + d.name.rsplit("_", 1)[-1]
            out.append(d)
    if out:
        out[0].skipped = skipped
    return out, errors
