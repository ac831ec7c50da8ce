"""Concrete model families in which a VI derivation step is spot-checked numerically.

Each family (see :mod:`vi_sym.families.base`) models observed data ``x`` and a
scalar latent ``z`` and gives a numeric log-density for each of ``p(x|z)``,
``p(z)``, ``p(x,z)``, ``p(x)``, ``p(z|x)`` and ``q(z)``:

* ``normal-normal``   -- Gaussian prior on a mean, Gaussian observations, Gaussian q (conjugate)
* ``beta-bernoulli``  -- Beta prior, Bernoulli observations, Beta q (conjugate)
* ``gamma-poisson``   -- Gamma prior on a rate, Poisson counts, Gamma q (conjugate)
* ``categorical``     -- finite latent, categorical prior and q, a likelihood table (exact rationals)
* ``logistic-normal`` -- Gaussian prior on a logistic-regression weight, Gaussian q
  (non-conjugate: evidence and posterior by quadrature)

With two latents z1, z2 (:mod:`vi_sym.families.multi`; densities over any subset of
{x, z1, z2}):

* ``bivariate-gaussian`` -- correlated Gaussian latents, linear-Gaussian data (PRML §10.1.2)
* ``normal-gamma``       -- unknown mean and precision of Gaussian data (PRML §10.1.3)
* ``gaussian-mixture``   -- two components ±μ and a discrete assignment c (Blei et al. §3)

With a non-random parameter θ (``parameters: θ θ0``, EM's ``p(x, z | θ)``):

* ``normal-normal-theta`` -- Gaussian prior N(θ, s0²) on a mean, Gaussian observations

A new family is one module (a :class:`Family` subclass: its log-densities, a hypothesis
strategy, its special points) plus one line here: ``register_family(MyFamily())``.
"""
from __future__ import annotations

from ..numeric.common import FAMILY_NAMES
from ..vocabulary import Density, unfold_definitions
from .base import (DATA, LATENT, ROLES, Family, QuadPlan, UnsupportedDensity, density_role,
                   freeze)
from .beta_bernoulli import BetaBernoulli
from .bivariate_gaussian import BivariateGaussian
from .categorical import Categorical
from .gamma_poisson import GammaPoisson
from .logistic_normal import LogisticNormal
from .mixture import GaussianMixture
from .normal_gamma import NormalGamma
from .normal_normal import NormalNormal
from .normal_theta import NormalTheta

__all__ = [
    "FAMILIES", "register_family", "unregister_family", "get_family", "applicable_families", "Family", "UnsupportedDensity", "QuadPlan",
    "density_role", "freeze", "ROLES", "DATA", "LATENT",
    "NormalNormal", "BetaBernoulli", "GammaPoisson", "Categorical", "LogisticNormal",
    "BivariateGaussian", "NormalGamma", "GaussianMixture", "NormalTheta",
]

#: the registered families, in registration order (``"all"`` means these)
FAMILIES: dict[str, Family] = {}


def register_family(family: Family, replace: bool = False) -> Family:
    """Make ``family`` known by its name: to ``--family``, ``applicable_families``, the
    spot-checker and the numeric evaluator.  A second family of the same name is a
    ValueError unless ``replace``."""
    if not isinstance(family, Family) or not family.name:
        raise TypeError(f"{family!r} is not a named Family")
    if family.name in FAMILIES and not replace:
        raise ValueError(f"a family called {family.name!r} is already registered")
    FAMILIES[family.name] = family
    FAMILY_NAMES[family.name] = family
    return family


def unregister_family(name: str) -> None:
    """Forget the family called ``name`` (for tests that register a toy family)."""
    FAMILIES.pop(name, None)
    FAMILY_NAMES.pop(name, None)


register_family(NormalNormal())
register_family(BetaBernoulli())
register_family(GammaPoisson())
register_family(Categorical())
register_family(LogisticNormal())
register_family(BivariateGaussian())
register_family(NormalGamma())
register_family(GaussianMixture())
register_family(NormalTheta())


def get_family(name: str) -> Family:
    """The registered family called ``name`` (KeyError listing the known names otherwise)."""
    try:
        return FAMILIES[name]
    except KeyError:
        raise KeyError(f"unknown family {name!r}; known: {', '.join(FAMILIES)}") from None


def applicable_families(step, requested=("all",)) -> list:
    """The names among ``requested`` of the families that give a meaning to every density
    of ``step`` (an object with ``lhs`` and ``rhs``, or an iterable of expressions).

    ``"all"`` expands to every registered family (registry order); names are kept in the
    order given, without repeats; an unknown name raises KeyError.  A family left out
    here would report NOT-APPLICABLE from :func:`vi_sym.spotcheck.spot_check`.
    """
    names = []
    for n in requested:
        for m in (FAMILIES if n == "all" else [get_family(n).name]):
            if m not in names:
                names.append(m)
    exprs = [step.lhs, step.rhs] if hasattr(step, "lhs") else list(step)
    densities = set()
    for e in exprs:
        try:
            densities |= unfold_definitions(e).atoms(Density)
        except Exception:  # a malformed expression: let the spot-checker report it
            pass
    out = []
    for n in names:
        fam = FAMILIES[n]
        try:
            for d in densities:
                fam.role(d)
        except UnsupportedDensity:
            continue
        out.append(n)
    return out
