"""vi_sym: a symbolic derivation verifier for variational inference."""
__version__ = "0.1.0"
