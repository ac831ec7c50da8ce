"""The garbage collector's thresholds in vi_sym's own processes: the command line's and
each worker's (never in a process that only imports vi_sym, a notebook's or pytest's).

sympy builds and drops a great many small containers; at Python's default thresholds
(a young-generation collection every 700 allocations) a default check spent about
0.2 s of CPU in collections, in its own process and its workers.  Cyclic garbage is
still collected, only less often.
"""
import gc

#: ``gc.set_threshold`` arguments (Python's default: 700, 10, 10)
THRESHOLDS = (20000, 20, 20)


def tune() -> None:
    """Set :data:`THRESHOLDS` in this process."""
    gc.set_threshold(*THRESHOLDS)
