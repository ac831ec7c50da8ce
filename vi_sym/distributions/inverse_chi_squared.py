"""InverseChiSquared(z, nu) = InverseGamma(nu/2, 1/2) and ScaledInverseChiSquared(z, nu, t2) =
InverseGamma(nu/2, nu t2/2) (the conjugate prior of a Gaussian variance), on (0, ∞)."""
from sympy import Rational

from . import inverse_gamma  # noqa: F401  (the base kind is registered first)
from .reparametrised import reparametrised

INVERSE = reparametrised("InverseChiSquared", ("degrees of freedom",), ("positive",), "InverseGamma",
                         lambda nu: (nu / 2, Rational(1, 2)), "InverseChiSquared(ν) = InverseGamma(ν/2, 1/2)")

SCALED = reparametrised("ScaledInverseChiSquared", ("degrees of freedom", "scale²"), ("positive", "positive"),
                        "InverseGamma", lambda nu, t2: (nu / 2, nu * t2 / 2),
                        "ScaledInverseChiSquared(ν, τ²) = InverseGamma(ν/2, ν τ²/2)")
