"""Concrete distributions for ``define`` lines: ``define q(z) = Normal(z, m, s)``.

A constructor such as ``Normal(z, mu, sigma)`` builds a :class:`Dist` -- an inert
sympy object ``Dist(kind, variable, *params)``; a product ``Normal(z1, a, s) *
Normal(z2, b, t)`` of distributions over distinct variables is a mean-field
(independent) density.  A name bound by ``define`` becomes a
:class:`ConcreteDensity`: a :class:`~vi_sym.vocabulary.Density` (so KL, E, H and
the rules accept it) that carries its definition, so two derivations with
different definitions never look alike (the cache keys on ``srepr``).

Each kind is one module of this package that registers a :class:`~.base.Spec`
(support, parameter domains, log-density, moment lemmas, quadrature hints); the
kinds are listed in ``SPECS``.  ``FAST`` are the kinds whose defining integrals
sympy closes quickly; the others go to the moment lemmas and the numeric path only.

:func:`check_domains` checks that a definition's parameters stay in their domains
under the derivation's declarations; :func:`support_contains` decides (symbolically,
proof-grade) whether one support lies inside another.
"""
from __future__ import annotations

# importing a kind module registers its kind
from . import (arcsine, bernoulli, beta, beta_prime, binomial, categorical, chi, chi_squared,  # noqa: F401
               dirichlet, erlang, exponential, f_distribution, frechet, gamma, generalized_gamma,
               generalized_normal, geometric, gumbel, half_cauchy, half_logistic, halfnormal,
               hyperbolic_secant, inverse_chi_squared, inverse_gamma, inverse_gaussian,
               kumaraswamy, laplace, levy, log_logistic, logistic, lognormal, lomax,
               negative_binomial, normal, pareto, poisson, semicircle, student_t, triangular,
               truncated_normal, uniform, von_mises, weibull, written)
from .base import (SPECS, ConcreteDensity, DefinitionError, Dist, Spec, components, constructor,
                   is_discrete, register)
from .domains import check_domains, support_contains
from .written import closed_expectation, is_density, is_written, total_mass

__all__ = ["Dist", "ConcreteDensity", "SPECS", "FAST", "Spec", "register", "distribution_functions",
           "components", "DefinitionError", "check_domains", "support_contains", "is_discrete",
           "is_written", "is_density", "closed_expectation", "total_mass"]

#: kinds whose defining integrals/sums sympy closes in well under a second or two
FAST = frozenset(k for k, s in SPECS.items() if s.fast)


def distribution_functions() -> dict:
    """Entries for a :class:`~vi_sym.parse.ParseEnv` function table (``define`` lines).
    Each entry checks its own number of arguments (the Categorical takes any number)."""
    return {**{k: constructor(s) for k, s in SPECS.items() if not s.written},
            "Dirichlet": dirichlet.dirichlet}
