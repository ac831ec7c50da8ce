"""Jensen's inequality for a finite average: the log of a mean is at least the mean of the logs.

    log(Σ_i λ_i a_i) >= Σ_i λ_i log a_i      for a_i > 0, λ_i > 0 numbers with Σ_i λ_i = 1

(log is concave).  Integrated against a density the gap stays nonnegative, so the rule offers,
for every ``log(Σ λ_i a_i)`` of the step, the gap itself and the gap under every expectation
``E_q[log(Σ λ_i a_i)]`` it stands in:

    E_q[log((w1 + w2)/2)] >= E_q[(log w1 + log w2)/2]

which, with w1, w2 i.i.d. copies (``copies: z1 z2``), is the importance-weighted bound's second
inequality ``E[log((w1 + w2)/2)] >= ELBO``.  The weights must be numbers (the step's own
``(w1 + w2)/2``), every a_i provably positive; the direction is checked like Jensen's.
"""
from __future__ import annotations

from sympy import Add, Integer, log, preorder_traversal
from sympy import expand as sympy_expand

from ..notation import to_unicode as u
from ..vocabulary import Expectation
from .base import Rule


def _average(arg):
    """[(λ_i, a_i)] when ``arg`` is Σ λ_i a_i with numeric λ_i > 0 summing to 1 and a_i > 0
    (two terms or more), else None."""
    terms = Add.make_args(sympy_expand(arg, deep=False, log=False, power_exp=False, power_base=False))
    if len(terms) < 2:
        return None
    out = []
    for t in terms:
        lam, a = t.as_coeff_Mul()
        if not (lam.is_Rational and lam.is_positive) or a.is_positive is not True:
            return None
        out.append((lam, a))
    if sum(lam for lam, _ in out) != Integer(1):
        return None
    return out


def _mean_of_logs(parts):
    return Add(*[lam * log(a) for lam, a in parts])


def log_of_mean_atoms(lhs, rhs, ctx):
    """log(Σ λ_i a_i) − Σ λ_i log a_i >= 0, also under each E_q it stands in."""
    atoms = {}
    for e in (lhs, rhs):
        for sub in preorder_traversal(e):
            if isinstance(sub, log):
                parts = _average(sub.args[0])
                if parts:
                    atoms.setdefault(sub - _mean_of_logs(parts),
                                     f"{u(sub)} ≥ {u(_mean_of_logs(parts))}")
            if isinstance(sub, Expectation) and isinstance(sub.f, log):
                parts = _average(sub.f.args[0])
                if parts:
                    lower = Expectation(sub.q, _mean_of_logs(parts))
                    atoms.setdefault(sub - lower, f"{u(sub)} ≥ {u(lower)} (log is concave)")
    return list(atoms.items())


log_of_mean_ge_mean_of_logs = Rule(
    "log_of_mean_ge_mean_of_logs", "inequality", "log(Σ λ_i a_i) >= Σ λ_i log a_i",
    ("a_i > 0", "λ_i > 0 are numbers with Σ λ_i = 1", "log is concave",
     "under E_q: q a normalised density, both sides q-integrable"),
    log_of_mean_atoms,
    doc="Jensen's inequality for a finite average (log of the mean >= mean of the logs).",
    example="log((p(x|z) + p(z))/2) >= (log(p(x|z)) + log(p(z)))/2",
    action="bound the log of an average below by the average of the logs (Jensen, log concave)")
