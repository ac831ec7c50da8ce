"""Claims about concrete densities: ``KL(q(z)||r(z)) = closed form`` with q, r ``define``d.

* :mod:`vi_sym.claims.structure` -- what a claim's KL / E / H / ELBO objects unfold into,
  and which supports (and base measures) must nest;
* :mod:`vi_sym.claims.prove` -- the prover (moment lemmas, sympy's integral for the kinds it
  closes quickly, Gibbs' inequality for ``kl_nonnegative``);
* :mod:`vi_sym.claims.compile` -- the numeric values of the defining integrals.

The numeric spot-check of a claim is :func:`vi_sym.spot.claims.spot_claim`.
"""
from .prove import prove_claim
from .structure import FAMILY, NotEvaluable, is_concrete

__all__ = ["FAMILY", "NotEvaluable", "is_concrete", "prove_claim", "spot_claim"]


def __getattr__(name):
    """``vi_sym.claims.spot_claim`` stays importable; the spot-checker itself lives in
    :mod:`vi_sym.spot.claims`, which imports this package's submodules -- so it is looked
    up on first use, not at import (an import here would be circular)."""
    if name == "spot_claim":
        from ..spot.claims import spot_claim   # noqa: PLC0415 -- see the docstring
        return spot_claim
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
