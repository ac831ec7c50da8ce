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
from .calculus import derivative_under_integral, integral_of_derivative_of_density
from .fubini import integral_integral_swap
from .inequalities import jensen, kl_nonnegative
from .integrals import constant_out, linearity
from .finite_jensen import log_of_mean_ge_mean_of_logs
from .iid import iid_factorisation, sum_integral_swap
from .indexed import entropy_of_product, expectation_of_sum_over_product, kl_of_product
from .logs import log_of_exp, log_of_power, log_of_product, log_of_quotient
from .meanfield import expectation_except_definition
from .optimal_factor import optimal_factor
from .optimisation import argmax_of_shifted, argmin_definition
from .parameters import prior_free_of_parameters
from .renaming import rename_bound_variable
from .reparameterisation import change_of_variables
from .signs import nonnegative_quotient

#: The order in which equality rules are tried when normalising an expression:
#: unfold definitions, rewrite densities, split logs, then split integrals.
#: (Lists, changed in place by :func:`register_rule`, so every importer sees a new rule.)
EQUALITY_RULES = [
    kl_definition, expectation_definition, elbo_definition, entropy_definition,
    density_argument_order,
    bayes_rule, product_rule, prior_free_of_parameters,
    log_of_quotient, log_of_product, log_of_power, log_of_exp,
    linearity, constant_out, integral_integral_swap, normalisation, marginalisation,
]
INEQUALITY_RULES = [jensen, kl_nonnegative]

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


def register_rule(rule: Rule, *, before: str | None = None, aliases=()) -> Rule:
    """Make ``rule`` citable: one :class:`Rule` (statement, side conditions, rewrite or
    inequality atoms) plus this call.  An equality rule is tried, when normalising, just
    before the rule named ``before`` (default: after every other).  Returns the rule."""
    if rule.name in RULES or rule.name in ALIASES:
        raise ValueError(f"a rule named '{rule.name}' is already registered")
    if rule.kind not in ("equality", "inequality"):
        raise ValueError(f"rule '{rule.name}': kind must be 'equality' or 'inequality'")
    table = EQUALITY_RULES if rule.kind == "equality" else INEQUALITY_RULES
    at = len(table) if before is None else table.index(get_rule(before))
    table.insert(at, rule)
    RULES[rule.name] = rule
    for alias in aliases:
        ALIASES[alias] = rule.name
    return rule


def unregister_rule(name: str) -> None:
    """Remove a rule added by :func:`register_rule` (and its aliases)."""
    rule = RULES.pop(name)
    (EQUALITY_RULES if rule.kind == "equality" else INEQUALITY_RULES).remove(rule)
    for alias in [a for a, n in ALIASES.items() if n == name]:
        del ALIASES[alias]


def get_rule(name: str) -> Rule:
    key = ALIASES.get(name, name)
    if key not in RULES:
        import difflib
        close = difflib.get_close_matches(name, list(RULES) + list(ALIASES), n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise UnknownRule(f"unknown rule '{name}'{hint}; known rules: {', '.join(sorted(RULES))}")
    return RULES[key]


# Rules added in modules of their own (vocabulary beyond one latent's KL/E/ELBO/H).
register_rule(expectation_except_definition, before="bayes_rule", aliases=("e_minus_j",))
register_rule(optimal_factor, before="kl_definition",
              aliases=("cavi_update", "optimal_factor_update", "mean_field_optimum", "coordinate_ascent"))
register_rule(rename_bound_variable, before="normalisation",
              aliases=("alpha_equivalence", "rename_integration_variable", "change_of_name"))
register_rule(argmin_definition, aliases=("argmin_as_argmax",))
register_rule(argmax_of_shifted, aliases=("argmax_shift", "argmin_of_shifted"))
register_rule(change_of_variables, before="normalisation",
              aliases=("reparameterisation", "reparameterization", "reparameterisation_trick"))
#: rules about densities bound by ``define``: a claim citing one is also tried by the rules
CONCRETE_RULES = {"change_of_variables"}
register_rule(iid_factorisation, before="linearity", aliases=("iid", "independent_data"))
register_rule(sum_integral_swap, before="normalisation", aliases=("sum_linearity", "finite_sum_swap"))
register_rule(log_of_mean_ge_mean_of_logs,
              aliases=("jensen_finite", "jensen_average", "jensen_finite_average"))
register_rule(nonnegative_quotient, aliases=("sign_rules",))
register_rule(kl_of_product, before="kl_definition", aliases=("kl_of_independent_factors", "kl_factorisation"))
register_rule(entropy_of_product, before="kl_definition", aliases=("entropy_of_independent_factors",))
register_rule(expectation_of_sum_over_product, before="kl_definition")
register_rule(derivative_under_integral, before="linearity",
              aliases=("leibniz_rule", "differentiation_under_the_integral", "leibniz_integral_rule"))
register_rule(integral_of_derivative_of_density, before="normalisation",
              aliases=("score_function_mean_zero", "expected_score_is_zero", "log_derivative_trick_mean"))

__all__ = ["Context", "Rule", "RULES", "CONCRETE_RULES", "EQUALITY_RULES", "INEQUALITY_RULES", "get_rule", "UnknownRule",
           "register_rule", "unregister_rule"]
