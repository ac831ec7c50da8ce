"""Density roles: which abstract density of a derivation means which density of a model
family (see :mod:`vi_sym.families.base`), and the hashable key of a parameter point."""
from __future__ import annotations

from fractions import Fraction

import mpmath
from mpmath import mpf

from ..numeric.common import LATENT, NotEvaluable
from ..vocabulary import Density

__all__ = ["UnsupportedDensity", "density_role", "freeze", "to_mpf"]

_ROLE_TABLE = {
    ("p", ("x",), ("z",)): "likelihood",
    ("p", ("z",), ()): "prior",
    ("p", ("x", "z"), ()): "joint",
    ("p", ("z", "x"), ()): "joint",
    ("p", ("x",), ()): "evidence",
    ("p", ("z",), ("x",)): "posterior",
    ("q", ("z",), ()): "q",
    ("q", ("z",), ("x",)): "q",
}


class UnsupportedDensity(NotEvaluable):
    """The family gives no meaning to this density (e.g. ``p(x|w)``)."""

    def __init__(self, reason):
        super().__init__(reason, structural=True)


def density_role(d) -> str:
    """The role (see the module table) of an abstract density, or raise UnsupportedDensity."""
    if not isinstance(d, Density):
        raise UnsupportedDensity(f"{d} is not a density")
    key = (d.name, tuple(v.name for v in d.vars), tuple(g.name for g in d.given))
    role = _ROLE_TABLE.get(key)
    if role is None:
        raise UnsupportedDensity(
            f"density {d} is not one of p(x|z), p(z), p(x,z), p(x), p(z|x), q(z)")
    return role


def _freeze_value(v):
    if isinstance(v, (list, tuple)):
        return tuple(_freeze_value(u) for u in v)
    if isinstance(v, dict):
        return tuple(sorted((k, _freeze_value(u)) for k, u in v.items()))
    if isinstance(v, mpmath.mpf):
        return ("mpf", repr(v))
    return v


def freeze(params: dict):
    """A hashable key for a params dict (annotation keys ``_...`` and the latent ``z`` ignored)."""
    return tuple(sorted((k, _freeze_value(v)) for k, v in params.items()
                        if not k.startswith("_") and k != LATENT))


def to_mpf(v) -> mpf:
    """A params value (int, float, Fraction, 'a/b' string, mpf) as an mpf at working precision."""
    if isinstance(v, mpmath.mpf):
        return +v
    if isinstance(v, Fraction):
        return mpf(v.numerator) / v.denominator
    if isinstance(v, str):
        f = Fraction(v)
        return mpf(f.numerator) / f.denominator
    return mpf(v)

