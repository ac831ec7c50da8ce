"""Which closed forms ``derivations/closed_forms.vi`` (and ``closed_forms_more_kinds.vi``, the
kinds added after it) ships, listed mechanically: for every
distribution kind its KL against itself (where one has a closed form) and its entropy, the
cross-kind KLs, each PROVED and SPOT-CHECKED in ``proofs.lock``, each with a wrong variant
(``xfail:``) that is FAILED there with its spot-check FAILED too (a counterexample).

    python tests/test_catalogue_coverage.py      # prints the gaps (nothing when complete)
"""
from __future__ import annotations

import sys
from pathlib import Path

import sympy

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vi_sym.distributions import SPECS, ConcreteDensity  # noqa: E402
from vi_sym.loader import load_file  # noqa: E402
from vi_sym.vocabulary import KL, Entropy  # noqa: E402

CATALOGUE = ROOT / "derivations" / "closed_forms.vi"
CATALOGUES = (CATALOGUE, ROOT / "derivations" / "closed_forms_more_kinds.vi",
              ROOT / "derivations" / "closed_forms_five_kinds.vi", ROOT / "derivations" / "closed_forms_reparametrised.vi",
              ROOT / "derivations" / "closed_forms_triangular.vi", ROOT / "derivations" / "closed_forms_four_kinds.vi",
              ROOT / "derivations" / "closed_forms_truncated_normal.vi")
LOCK = ROOT / "proofs.lock"

#: kinds without a closed-form KL against themselves (the Student-t's KL is an integral; the
#: logistic's and the Kumaraswamy's are infinite series; the generalized normal's needs E|z - m2|^b2
#: under another centre and shape, the F's E[log(1 + c z)] for another c; the log-ratio of two
#: triangulars changes its form at both modes; the half-logistic's and the hyperbolic secant's
#: need E[log(1 + e^(-z/s2))] and E[log cosh(π(z - m2)/(2 s2))] at another scale, and the
#: semicircle's E[log(R2² - (z - m2)²)] for another circle, none of them a lemma)
NO_SELF_KL = {"StudentT", "Logistic", "Kumaraswamy", "GeneralizedNormal", "FDistribution", "LogLogistic",
              "Triangular", "HalfLogistic", "HyperbolicSecant", "Semicircle"}
#: kinds without an elementary closed-form entropy (the inverse Gaussian's needs the derivative
#: of a Bessel K function in its order)
NO_ENTROPY = {"InverseGaussian"}
#: kinds that are not listed here: densities written by hand are claims of their own
NOT_KINDS = {"Written", "DirichletMarginal"}
#: the cross-kind KLs the catalogue must ship (issue 11 names the first six)
CROSS = [("Exponential", "Gamma"), ("Gamma", "Normal"), ("Beta", "Exponential"), ("Uniform", "Normal"),
         ("Laplace", "Normal"), ("Gumbel", "Normal"), ("HalfNormal", "Exponential"),
         ("Normal", "Laplace"), ("Exponential", "Weibull"), ("HalfNormal", "Gamma"),
         ("Bernoulli", "Geometric"), ("Binomial", "Poisson")]


def _kind(density) -> str | None:
    """The kind of a density of one variable (a Dirichlet counts as one), else None."""
    if not isinstance(density, ConcreteDensity):
        return None
    kinds = {c.kind for c in density.components().values()}
    if kinds == {"DirichletMarginal"}:
        return "Dirichlet"
    return kinds.pop() if len(kinds) == 1 and len(density.components()) == 1 else None


def _what(step) -> tuple | None:
    """("KL", kind_q, kind_r) or ("H", kind) for a claim ``KL(q || r) = …`` / ``H(q) = …``."""
    lhs = sympy.sympify(step.lhs, strict=True)
    if isinstance(lhs, KL):
        q, r = _kind(lhs.args[0]), _kind(lhs.args[1])
        return ("KL", q, r) if q and r else None
    if isinstance(lhs, Entropy) and step.rel == "=":
        q = _kind(lhs.q)
        return ("H", q) if q else None
    return None


def _lock() -> dict:
    """{step id: {"": status line, family: status}} from proofs.lock."""
    out: dict = {}
    for line in LOCK.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split()
        sid, rest = parts[0], parts[1:]
        fam = rest[0][1:-1] if rest and rest[0].startswith("[") else ""
        out.setdefault(sid, {})[fam] = " ".join(rest[1:] if fam else rest)
    return out


def catalogue() -> dict:
    """{("KL", q, r) | ("H", q): {"right": [step ids], "wrong": [step ids]}}."""
    derivs, errors = [], []
    for path in CATALOGUES:
        d, e = load_file(str(path))
        derivs, errors = derivs + d, errors + e
    assert not errors, errors
    out: dict = {}
    for d in derivs:
        for step in d.steps:
            what = _what(step)
            if what is not None:
                slot = out.setdefault(what, {"right": [], "wrong": []})
                slot["wrong" if step.expect == "fails" else "right"].append(step.id)
    return out


def wanted() -> list:
    kinds = sorted(set(SPECS) - NOT_KINDS) + ["Dirichlet"]
    out = [("KL", k, k) for k in kinds if k not in NO_SELF_KL] + [("H", k) for k in kinds if k not in NO_ENTROPY]
    return out + [("KL", q, r) for q, r in CROSS]


def gaps() -> list:
    """Every missing or not-as-required entry, as a sentence."""
    cat, lock, out = catalogue(), _lock(), []
    for what in wanted():
        name = f"KL({what[1]} || {what[2]})" if what[0] == "KL" else f"H({what[1]})"
        slot = cat.get(what)
        if not slot or not slot["right"]:
            out.append(f"{name}: no claim")
        elif not slot["wrong"]:
            out.append(f"{name}: no wrong variant")
        for sid in (slot or {}).get("right", []):
            entry = lock.get(sid, {})
            if entry.get("") != "PROVED" or entry.get("concrete") != "SPOT-CHECKED":
                out.append(f"{name}: {sid} is {entry or 'not in the lock'} (wanted PROVED, SPOT-CHECKED)")
        for sid in (slot or {}).get("wrong", []):
            entry = lock.get(sid, {})
            if entry.get("") != "FAILED xfail" or entry.get("concrete") != "FAILED":
                out.append(f"{name}: {sid} is {entry or 'not in the lock'} (wanted FAILED with a counterexample)")
    return out


def test_every_kind_has_its_kl_and_entropy_right_and_wrong_in_the_catalogue():
    assert gaps() == []


def test_the_gap_list_sees_a_missing_claim_and_a_wrong_status(monkeypatch):
    """The audit itself can fail: a kind it does not find, a claim the lock does not prove."""
    monkeypatch.setattr(sys.modules[__name__], "CROSS", CROSS + [("Pareto", "Normal")])
    assert "KL(Pareto || Normal): no claim" in gaps()
    real = _lock()
    monkeypatch.setattr(sys.modules[__name__], "_lock",
                        lambda: {**real, "kl_normal::1": {"": "UNKNOWN", "concrete": "SPOT-CHECKED"}})
    assert any(g.startswith("KL(Normal || Normal): kl_normal::1 is") for g in gaps())


if __name__ == "__main__":
    found = gaps()
    print("\n".join(found) or "no gaps")
    sys.exit(1 if found else 0)
