"""``python -m vi_sym``: the command line (:mod:`vi_sym.cli`), left without the
interpreter's teardown.

A check leaves a large heap behind (sympy's caches, the parsed derivations, the
numeric memos); freeing it object by object at exit took a quarter of a second
of every run, after the report was printed.  Here the handlers registered with
:mod:`atexit` still run (logging, multiprocessing, coverage) and both streams are
flushed; only the freeing is skipped, by ``os._exit``.  An exception that escapes
``main`` takes the ordinary way out, traceback and all.
"""
import atexit
import os
import sys

from .cli import main

#: the exit code when the output cannot be written at exit (as Python's own teardown)
UNWRITTEN = 120


def leave(code: int) -> None:
    """Run the atexit handlers, flush stdout and stderr, and end the process with ``code``."""
    run = getattr(atexit, "_run_exitfuncs", None)
    if run is not None:
        run()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None and not stream.closed:
                stream.flush()
        except (OSError, ValueError):     # a closed pipe (`vi_sym check | head`), a full disk
            if stream is sys.stdout and not code:
                code = UNWRITTEN
    os._exit(code)


leave(int(main() or 0))
