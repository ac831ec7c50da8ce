"""``python -m vi_sym``: the command line (:func:`vi_sym.cli.console`)."""
from .collector import tune

tune()      # before the imports below, which allocate much (see vi_sym.collector)

from .cli import console  # noqa: E402 -- after the collector's thresholds are set

console()
