"""vi_sym: a symbolic derivation verifier for variational inference."""
import importlib

__version__ = "0.1.0"



def __getattr__(name):
    # the notebook API (vi_sym.load_text, ...) lives in a higher layer: loaded by name on first
    # use, so that neither the command line nor the package's lowest layer imports it
    if name in ("load_text", "check_text", "parse_step"):
        return getattr(importlib.import_module("vi_sym.notebook"), name)
    raise AttributeError(f"module 'vi_sym' has no attribute {name!r}")


def load_ipython_extension(ipython):
    """``%load_ext vi_sym`` registers the ``%%vi_sym`` cell magic."""
    importlib.import_module("vi_sym.notebook").load_ipython_extension(ipython)
