"""``vi_sym explain RULE | DERIVATION``: a rule or a derivation told to a learner.

A rule: its statement, side conditions, the other names it answers to, what it
does, and a two-line example (a step vi_sym proves citing that rule alone -- the
tests check that it does).  A derivation: its calc chain in the learner's
notation, each step's justification in one sentence.
"""
from __future__ import annotations

from .loader import load_text
from .notation import REL_UNICODE, to_unicode
from .rules import ALIASES, RULES, get_rule

__all__ = ["EXAMPLES", "ACTIONS", "aliases_of", "example_step", "describe_rule", "describe_derivation",
           "justification_sentence"]

#: one .vi step per rule: ``lhs REL rhs`` proved by that rule alone (plus ring algebra)
EXAMPLES = {
    "bayes_rule": "p(z|x) = p(x|z)*p(z)/p(x)",
    "product_rule": "p(x,z) = p(x|z)*p(z)",
    "marginalisation": "integrate(p(x,z), z) = p(x)",
    "normalisation": "integrate(q(z), z) = 1",
    "log_of_product": "log(p(x|z)*p(z)) = log(p(x|z)) + log(p(z))",
    "log_of_quotient": "log(q(z)/p(z)) = log(q(z)) - log(p(z))",
    "log_of_power": "log(q(z)^2) = 2*log(q(z))",
    "linearity": "integrate(q(z)*log(q(z)) - q(z)*log(p(z)), z) = "
                 "integrate(q(z)*log(q(z)), z) - integrate(q(z)*log(p(z)), z)",
    "constant_out": "integrate(q(z)*log(p(x)), z) = log(p(x))*integrate(q(z), z)",
    "kl_definition": "KL(q(z) || p(z|x)) = integrate(q(z)*log(q(z)/p(z|x)), z)",
    "expectation_definition": "E_q(z)[log(p(x|z))] = integrate(q(z)*log(p(x|z)), z)",
    "elbo_definition": "ELBO(q(z), p(x,z)) = E_q(z)[log(p(x,z)/q(z))]",
    "entropy_definition": "H(q(z)) = -E_q(z)[log(q(z))]",
    "jensen": "log(E_q(z)[p(x,z)/q(z)]) >= E_q(z)[log(p(x,z)/q(z))]",
    "kl_nonnegative": "KL(q(z) || p(z|x)) >= 0",
    "integral_integral_swap": "integrate(integrate(q(z)*log(p(x|z)), x), z) = "
                              "integrate(integrate(q(z)*log(p(x|z)), z), x)",
    "log_of_exp": "log(exp(integrate(q(z)*log(p(x|z)), z))) = integrate(q(z)*log(p(x|z)), z)",
    "density_argument_order": "p(z,x) = p(x,z)",
}

#: what each rule does to a step, as a verb phrase for one sentence
ACTIONS = {
    "bayes_rule": "rewrite the posterior p(z|x) as p(x|z) p(z)/p(x) (Bayes' rule)",
    "product_rule": "factorise the joint p(x,z) as likelihood times prior, p(x|z) p(z)",
    "marginalisation": "integrate z out of the joint, ∫ p(x,z) dz = p(x)",
    "normalisation": "use that a density in z integrates to 1 over z",
    "log_of_product": "split the log of a product into a sum of logs",
    "log_of_quotient": "split the log of a quotient into a difference of logs",
    "log_of_power": "bring an exponent out of the log",
    "linearity": "split the integral of a sum into a sum of integrals",
    "constant_out": "take the factors that do not depend on z out of the integral",
    "kl_definition": "unfold the KL divergence into ∫ q log(q/p)",
    "expectation_definition": "write the expectation under q as an integral against q",
    "elbo_definition": "unfold the ELBO into E_q[log(p(x,z)/q(z))]",
    "entropy_definition": "unfold the entropy H(q) into -E_q[log q]",
    "jensen": "apply Jensen's inequality: log is concave, so log E_q[Y] ≥ E_q[log Y]",
    "kl_nonnegative": "drop a KL divergence, which is never negative (Gibbs' inequality)",
    "integral_integral_swap": "swap the order of two integrals over a product domain (Fubini–Tonelli)",
    "log_of_exp": "undo the exponential inside a log, log(exp(a)) = a",
    "density_argument_order": "write a density's variables in one order",
}


# rules registered in modules of their own carry their example and sentence
EXAMPLES.update({r.name: r.example for r in RULES.values() if r.example})
ACTIONS.update({r.name: r.action for r in RULES.values() if r.action})


def aliases_of(name: str) -> list:
    """The other names a step may cite for the rule ``name``."""
    return sorted(a for a, target in ALIASES.items() if target == name)


def example_step(name: str):
    """The rule's example as a one-step derivation (read by the .vi grammar)."""
    *header, step = EXAMPLES[name].split("\n")
    if not any(h.startswith("latent:") for h in header):
        header = ["latent: z", "observed: x", *header]
    lhs, rel, rhs = _lhs_rel_rhs(step)
    head = "\n".join(header)
    text = f"derivation example_{name}\n{head}\n\n    {lhs}\n  {rel} {rhs}   by {name}\n"
    derivs, errors = load_text(text, f"<example of {name}>")
    if errors:
        raise ValueError(f"the example of {name} does not read: {errors[0]}")
    return derivs[0].steps[0]


def _lhs_rel_rhs(text):
    for rel in (">=", "<=", "="):
        if f" {rel} " in text:
            lhs, rhs = text.split(f" {rel} ", 1)
            return lhs, rel, rhs
    raise ValueError(text)


def describe_rule(name: str) -> str:
    """The rule ``name`` (or an alias of it) explained; raises UnknownRule otherwise."""
    rule = get_rule(name)
    lines = [f"{rule.name}  ({rule.kind})", "", f"  {rule.statement}", ""]
    if name != rule.name:
        lines.insert(1, f"  ('{name}' is another name for {rule.name})")
    lines.append("  side conditions:")
    lines += [f"    - {a}" for a in rule.assumptions] or ["    (none)"]
    al = aliases_of(rule.name)
    lines.append(f"  also cited as: {', '.join(al) if al else '(no other name)'}")
    if rule.doc:
        lines.append(f"  what it does: {rule.doc}")
    if rule.definition:
        lines.append("  a definition: it unfolds freely, so citing it is good style but never required")
    if rule.name in EXAMPLES:
        st = example_step(rule.name)
        lines += ["", "  example:", f"      {to_unicode(st.lhs)}",
                  f"    {REL_UNICODE[st.rel]} {to_unicode(st.rhs)}      by {rule.name}"]
    return "\n".join(lines)


def justification_sentence(by) -> str:
    """One sentence saying what the cited rules do, in order."""
    if not by:
        return "No rule is cited: vi_sym looks for one (a proof that needs rules is named in the report)."
    acts = [ACTIONS.get(get_rule(r).name, f"apply {r}") for r in by]
    text = acts[0] if len(acts) == 1 else ", ".join(acts[:-1]) + ", then " + acts[-1]
    return text[0].upper() + text[1:] + "."


def describe_derivation(d) -> str:
    """The chain of ``d`` in the learner's notation, a sentence per step."""
    lines = [f"{d.name}" + (f": {d.title}" if d.title else "")]
    if d.file:
        lines.append(f"  ({d.file})")
    lines.append("")
    for i, s in enumerate(d.steps):
        if s.error:
            lines.append(f"  step {s.name} could not be read: {s.error}")
            continue
        if i == 0:
            lines.append(f"      {to_unicode(s.lhs)}")
        note = f"   (note line {s.source.note_line})" if s.source.note_line is not None else ""
        lines.append(f"  {s.name:>2}. {REL_UNICODE[s.rel]} {to_unicode(s.rhs)}{note}")
        lines.append(f"        {justification_sentence(s.by)}")
        if s.expect == "fails":
            lines.append(f"        (known to be wrong: {s.expect_reason or 'marked xfail'})")
    rel = d.relation
    if d.claim is not None and rel:
        start, _, end = d.claim
        lines += ["", f"  so: {to_unicode(start)} {REL_UNICODE[rel]} {to_unicode(end)}"]
    c = d.conclusion
    if c is not None and not c.error:
        lines.append(f"  conclusion stated: {to_unicode(c.lhs)} {REL_UNICODE[c.rel]} {to_unicode(c.rhs)}")
    return "\n".join(lines)

