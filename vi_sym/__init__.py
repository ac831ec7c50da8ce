"""vi_sym: a symbolic derivation verifier for variational inference."""
__version__ = "0.1.0"


def __getattr__(name):
    # the notebook API, imported on first use so the command line does not pay for it
    if name in ("load_text", "check_text", "parse_step"):
        from . import notebook
        return getattr(notebook, name)
    raise AttributeError(f"module 'vi_sym' has no attribute {name!r}")


def load_ipython_extension(ipython):
    """``%load_ext vi_sym`` registers the ``%%vi_sym`` cell magic."""
    from .notebook import load_ipython_extension as load
    load(ipython)
