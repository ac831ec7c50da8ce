"""A kind that is another kind under other parameters: ``Erlang(z, k, rate)`` is ``Gamma(z, k,
rate)``, ``InverseChiSquared(z, nu)`` is ``InverseGamma(z, nu/2, 1/2)``.

:func:`reparametrised` builds its :class:`~.base.Spec` from the base kind's: the same support,
log-density, density, break points, quadrature hints and moment lemmas, at the mapped
parameters.  A lemma keeps the base kind's statement and says which kind it is read through,
so a proof names the textbook fact it rests on.
"""
from __future__ import annotations

from typing import Callable

from .base import SPECS, Spec, register

__all__ = ["reparametrised"]


def reparametrised(kind: str, params: tuple, domains: tuple, base: str, to_base: Callable, shown: str,
                   doc: str = "") -> Spec:
    """Register ``kind(z, *params)`` as ``base(z, *to_base(*params))``; ``shown`` is the identity
    as words (``"Erlang(k, λ) = Gamma(k, λ)"``), appended to each lemma's name."""
    b = SPECS[base]

    def lemma(z, ps, h):
        found = b.lemma(z, tuple(to_base(*ps)), h)
        return None if found is None else (found[0], f"{found[1]}, with {shown}")

    return register(Spec(
        kind, params, domains,
        lambda z, *p: b.logpdf(z, *to_base(*p)), lambda z, *p: b.pdf(z, *to_base(*p)),
        lambda *p: b.support(*to_base(*p)), lemma,
        breaks=lambda *p: b.breaks(*to_base(*p)), hint=lambda *p: b.hint(*map(float, to_base(*p))),
        constraints=lambda *p: b.constraints(*to_base(*p)), fast=b.fast, doc=doc or shown))
