"""Definitions: KL divergence, expectation and ELBO unfold into integrals over the latent."""
from __future__ import annotations

from ..vocabulary import ELBO, KL, Entropy, Expectation, unfold_definitions
from .base import Rule


def kl_definition_rewrite(expr, ctx):
    """KL(q||p) = ∫ q(z) log(q(z)/p(z)) dz."""
    return unfold_definitions(expr, (KL,))


def expectation_definition_rewrite(expr, ctx):
    """E_q[f] = ∫ q(z) f(z) dz."""
    return unfold_definitions(expr, (Expectation,))


def elbo_definition_rewrite(expr, ctx):
    """L(q) = E_q[log(p(x,z)/q(z))]."""
    return unfold_definitions(expr, (ELBO,))


kl_definition = Rule(
    "kl_definition", "equality", "KL(q||p) = ∫ q(z) log(q(z)/p(z)) dz",
    ("q and p are densities over the same variable", "q is absolutely continuous w.r.t. p"),
    kl_definition_rewrite, definition=True, doc="Unfolds (or, read backwards, folds) the KL divergence.")

expectation_definition = Rule(
    "expectation_definition", "equality", "E_q[f] = ∫ q(z) f(z) dz",
    ("f is q-integrable",), expectation_definition_rewrite, definition=True,
    doc="Unfolds (or folds) an expectation under q.")

elbo_definition = Rule(
    "elbo_definition", "equality", "ELBO(q) = L(q) = E_q[log(p(x,z)/q(z))]",
    ("log(p(x,z)/q(z)) is q-integrable",), elbo_definition_rewrite, definition=True,
    doc="Unfolds (or folds) the evidence lower bound.")


def entropy_definition_rewrite(expr, ctx):
    """H(q) = -E_q[log q(z)]."""
    return unfold_definitions(expr, (Entropy,))


entropy_definition = Rule(
    "entropy_definition", "equality", "H(q) = -E_q[log q(z)]",
    ("q log q is integrable",), entropy_definition_rewrite, definition=True,
    doc="Unfolds (or folds) the entropy of q.")
