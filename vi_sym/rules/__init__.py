"""The rule registry: every justification a step may cite, by name.

One module per rule family: ``densities`` (Bayes, product, marginalisation,
normalisation), ``logs``, ``integrals`` (linearity, constant_out), ``fubini`` (iterated
integrals over several latents),
``definitions`` (KL, E, ELBO) and ``inequalities`` (Jensen, KL >= 0).
"""
from __future__ import annotations

from .base import Context, Rule
from .definitions import elbo_definition, entropy_definition, expectation_definition, kl_definition
from .densities import bayes_rule, density_argument_order, marginalisation, normalisation, product_rule
from .fubini import integral_integral_swap
from .inequalities import jensen, kl_nonnegative
from .integrals import constant_out, linearity
from .logs import log_of_exp, log_of_power, log_of_product, log_of_quotient

#: The order in which equality rules are tried when normalising an expression:
#: unfold definitions, rewrite densities, split logs, then split integrals.
EQUALITY_RULES = (
    kl_definition, expectation_definition, elbo_definition, entropy_definition,
    density_argument_order,
    bayes_rule, product_rule,
    log_of_quotient, log_of_product, log_of_power, log_of_exp,
    linearity, constant_out, integral_integral_swap, normalisation, marginalisation,
)
INEQUALITY_RULES = (jensen, kl_nonnegative)

RULES = {r.name: r for r in EQUALITY_RULES + INEQUALITY_RULES}

#: Names a learner may reasonably write, mapped to the canonical rule.
ALIASES = {
    "bayes": "bayes_rule", "bayes_theorem": "bayes_rule",
    "chain_rule": "product_rule", "kl_def": "kl_definition",
    "gibbs_inequality": "kl_nonnegative", "kl_nonneg": "kl_nonnegative",
    "jensen_log": "jensen", "jensen_inequality": "jensen",
    "expectation": "expectation_definition", "elbo": "elbo_definition", "entropy": "entropy_definition",
    "normalization": "normalisation", "marginalization": "marginalisation",
    "fubini": "integral_integral_swap", "tonelli": "integral_integral_swap",
    "fubini_swap": "integral_integral_swap", "swap_integrals": "integral_integral_swap",
    "conditional_density": "bayes_rule", "tower_rule": "bayes_rule",
}


class UnknownRule(KeyError):
    def __str__(self):
        return self.args[0]


def get_rule(name: str) -> Rule:
    key = ALIASES.get(name, name)
    if key not in RULES:
        import difflib
        close = difflib.get_close_matches(name, list(RULES) + list(ALIASES), n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise UnknownRule(f"unknown rule '{name}'{hint}; known rules: {', '.join(sorted(RULES))}")
    return RULES[key]


__all__ = ["Context", "Rule", "RULES", "EQUALITY_RULES", "INEQUALITY_RULES", "get_rule", "UnknownRule"]
