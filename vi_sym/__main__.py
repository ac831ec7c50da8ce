"""``python -m vi_sym``: the command line (:func:`vi_sym.cli.console`)."""
from .cli import console

console()
