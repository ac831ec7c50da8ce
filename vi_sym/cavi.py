"""CAVI as a checkable claim: run the coordinate updates the catalogue derived, check what
theory promises.

The update formulas are not typed in here: they are read from the ``conclude:`` lines of the
catalogue's derivations (``derivations/prml_10_1_3.vi``, ``derivations/prml_10_1_2.vi``), parsed
by vi_sym's own ``.vi`` reader, so the algorithm run is the one the derivation proved.  A
conclusion ``E[log p] = −λ (v − m)²/2 + const(v)`` is read off as the Gaussian N(m, λ⁻¹)
(:func:`gaussian_read_off`); ``(a − 1) log v − b v + const(v)`` as Gam(a, b)
(:func:`gamma_read_off`).  Each model's ELBO and evidence are written independently of the
derivations (textbook closed forms), so a wrong update cannot agree with them by construction.

What a run is checked for (:func:`check_run`), each up to a stated float64 tolerance
``tol·(1 + |value|)``:

* **monotone**: the ELBO never decreases from one factor update to the next;
* **bound**: the ELBO stays ≤ log p(x) (Normal–Gamma: the closed-form evidence; the
  bivariate Gaussian target is normalised, log ∫ p = 0);
* **optimal**: right after a factor's update, moving any one of that factor's parameters a
  little (relative step ``h``) does not raise the ELBO -- each update maximises the ELBO in
  its own factor (the coordinate-ascent property);
* **fixed point**: after convergence each factor equals its own update.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import sympy
from scipy.special import digamma, gammaln

from .loader import load_paths
from .upto import UpTo, split_up_to

__all__ = ["CATALOGUE", "ReadOffError", "conclusion_of", "gaussian_read_off", "gamma_read_off",
           "NormalGamma", "BivariateGaussian", "Run", "run_cavi", "check_run", "TOL"]

#: the shipped catalogue (the repository's ``derivations/``)
CATALOGUE = Path(__file__).resolve().parent.parent / "derivations"
#: float64 tolerance of every comparison, relative: tol·(1 + |value|)
TOL = 1e-9


class ReadOffError(ValueError):
    """A conclusion is not of the form a factor's update is read off from."""


@lru_cache(maxsize=8)
def _derivations(path: str) -> tuple:
    derivs, errors = load_paths([path])
    if errors:
        raise ReadOffError(f"{path}: {errors[0]}")
    return tuple(derivs)


def conclusion_of(name: str, path: Path | str | None = None):
    """The ``conclude:`` step of derivation ``name`` (the file ``path`` or any file of the
    catalogue), as read by vi_sym's ``.vi`` parser (each file is read once per process)."""
    where = str(path) if path is not None else str(CATALOGUE)
    for d in _derivations(where):
        if d.name == name:
            if d.conclusion is None:
                raise ReadOffError(f"derivation {name} has no conclude: line")
            return d.conclusion
    raise ReadOffError(f"no derivation {name} in {where}")


def _body(rhs, var):
    """The right side of ``E[log p] = body + const(var)`` without its const."""
    claim = split_up_to(sympy.S.Zero, "=", rhs)
    if not isinstance(claim, UpTo) or claim.kind != "additive" or claim.targets != (var,):
        raise ReadOffError(f"expected 'expression + const({var})', got {rhs}")
    return claim.rhs


def gaussian_read_off(rhs, var):
    """``−λ (var − m)²/2 + const(var)`` (any quadratic in var) -> (λ, m), sympy expressions."""
    body = sympy.expand(_body(rhs, var))
    poly = sympy.Poly(body, var)
    if poly.degree() != 2:
        raise ReadOffError(f"log q({var}) is not quadratic in {var}: {body}")
    c2, c1 = poly.coeff_monomial(var ** 2), poly.coeff_monomial(var)
    if any(var in c.free_symbols for c in (c2, c1)):
        raise ReadOffError(f"the coefficients of {var} depend on {var}")
    precision = sympy.cancel(-2 * c2)
    return precision, sympy.cancel(c1 / precision)


def gamma_read_off(rhs, var):
    """``(a − 1) log var − b var + const(var)`` -> (a, b), sympy expressions."""
    body = sympy.expand(sympy.expand_log(_body(rhs, var), force=False))
    a1 = body.coeff(sympy.log(var))
    rest = sympy.expand(body - a1 * sympy.log(var))
    b = -rest.coeff(var)
    left = sympy.expand(rest + b * var)
    if var in (a1.free_symbols | b.free_symbols | left.free_symbols):
        raise ReadOffError(f"log q({var}) is not linear in log {var} and {var}: {body}")
    return sympy.expand(a1 + 1), sympy.expand(b)


def _numeric(expr, names):
    """A float function of keyword arguments named as the expression's symbols."""
    by_name = {s.name: s for s in expr.free_symbols}
    unknown = set(by_name) - set(names)
    if unknown:
        raise ReadOffError(f"the update uses {', '.join(sorted(unknown))}, which the model does not have")
    args = [by_name.get(n, sympy.Symbol(n)) for n in names]
    f = sympy.lambdify(args, expr, modules="math")
    return lambda **kw: float(f(*[kw[n] for n in names]))


# ------------------------------------------------------------------------------ models
@dataclass
class NormalGamma:
    """PRML §10.1.3 with N = 2 points (as in the derivation): x_n ~ N(μ, τ⁻¹),
    μ ~ N(μ0, (λ0 τ)⁻¹), τ ~ Gam(a0, b0); q(μ) = N(mN, sN²), q(τ) = Gam(aN, bN).
    State: {'mN', 'sN', 'aN', 'bN'}."""

    x: tuple
    mu0: float
    lam0: float
    a0: float
    b0: float
    updates: dict = field(default_factory=dict)
    factors = (("mN", "sN"), ("aN", "bN"))

    @classmethod
    def from_catalogue(cls, x, mu0, lam0, a0, b0, q_mu=None, q_tau=None, path=None):
        """The model with the updates read from the catalogue's conclusions (or from the
        given conclusions' right sides ``q_mu``, ``q_tau``: how a test plants a wrong one)."""
        if q_mu is None:
            q_mu = conclusion_of("prml_10_1_3_q_mu", path or CATALOGUE / "prml_10_1_3.vi").rhs
        if q_tau is None:
            q_tau = conclusion_of("prml_10_1_3_q_tau", path or CATALOGUE / "prml_10_1_3.vi").rhs
        return cls(tuple(x), mu0, lam0, a0, b0, _normal_gamma_updates(q_mu, q_tau))

    def _env(self, s):
        return {"x1": self.x[0], "x2": self.x[1], "μ0": self.mu0, "λ0": self.lam0, "a0": self.a0,
                "b0": self.b0, **s}

    def update(self, s, k):
        env = self._env(s)
        if k == 0:
            lam = self.updates["λ"](**env)
            return {**s, "mN": self.updates["m"](**env), "sN": 1 / math.sqrt(lam)}
        return {**s, "aN": self.updates["a"](**env), "bN": self.updates["b"](**env)}

    def elbo(self, s):
        """E_q[log p(x, μ, τ)] + H(q(μ)) + H(q(τ)), PRML (10.21)–(10.23) in closed form."""
        m, v, a, b = s["mN"], s["sN"] ** 2, s["aN"], s["bN"]
        if min(v, a, b) <= 0:
            return -math.inf
        n = len(self.x)
        elog, e = digamma(a) - math.log(b), a / b
        sq = sum((xn - m) ** 2 + v for xn in self.x)
        logp = ((n + 1) / 2 + self.a0 - 1) * elog - (n + 1) / 2 * math.log(2 * math.pi) \
            - e * sq / 2 + math.log(self.lam0) / 2 - self.lam0 * e * ((m - self.mu0) ** 2 + v) / 2 \
            + self.a0 * math.log(self.b0) - gammaln(self.a0) - self.b0 * e
        h_mu = math.log(2 * math.pi * math.e * v) / 2
        h_tau = a - math.log(b) + gammaln(a) + (1 - a) * digamma(a)
        return float(logp + h_mu + h_tau)

    def log_evidence(self):
        """log p(x) in closed form (the Normal–Gamma prior is conjugate)."""
        n, xs = len(self.x), self.x
        xbar = sum(xs) / n
        lam = self.lam0 + n
        a = self.a0 + n / 2
        b = self.b0 + sum((xn - xbar) ** 2 for xn in xs) / 2 \
            + self.lam0 * n * (xbar - self.mu0) ** 2 / (2 * lam)
        return float(gammaln(a) - gammaln(self.a0) + self.a0 * math.log(self.b0) - a * math.log(b)
                     + math.log(self.lam0 / lam) / 2 - n / 2 * math.log(2 * math.pi))


@dataclass
class BivariateGaussian:
    """PRML §10.1.2: p(z) = N(z | μ, Λ⁻¹), q(z1) = N(m1, s1²), q(z2) = N(m2, s2²).
    State: {'m1', 's1', 'm2', 's2'}.  The z2 update is the z1 update with the indices
    exchanged (the derivation is symmetric in them)."""

    mu: tuple
    L11: float
    L12: float
    L22: float
    updates: dict = field(default_factory=dict)
    factors = (("m1", "s1"), ("m2", "s2"))

    @classmethod
    def from_catalogue(cls, mu, L11, L12, L22, q_z1=None, path=None):
        if q_z1 is None:
            q_z1 = conclusion_of("prml_10_1_2_q_z1", path or CATALOGUE / "prml_10_1_2.vi").rhs
        return cls(tuple(mu), L11, L12, L22, _bivariate_updates(q_z1))

    def update(self, s, k):
        mine, other = (1, 2) if k == 0 else (2, 1)
        mu = {1: self.mu[0], 2: self.mu[1]}
        diag = {1: self.L11, 2: self.L22}
        env = {"μ1": mu[mine], "μ2": mu[other], "L11": diag[mine], "L12": self.L12,
               "L22": diag[other], "m2": s[f"m{other}"], "s2": s[f"s{other}"]}
        lam = self.updates["λ"](**env)
        return {**s, f"m{mine}": self.updates["m"](**env), f"s{mine}": 1 / math.sqrt(lam)}

    def elbo(self, s):
        """E_q[log N(z | μ, Λ⁻¹)] + H(q(z1)) + H(q(z2)) in closed form."""
        v1, v2 = s["s1"] ** 2, s["s2"] ** 2
        if min(v1, v2) <= 0:
            return -math.inf
        d1, d2 = s["m1"] - self.mu[0], s["m2"] - self.mu[1]
        det = self.L11 * self.L22 - self.L12 ** 2
        quad = self.L11 * (d1 ** 2 + v1) + 2 * self.L12 * d1 * d2 + self.L22 * (d2 ** 2 + v2)
        logp = -math.log(2 * math.pi) + math.log(det) / 2 - quad / 2
        return logp + math.log(2 * math.pi * math.e * v1) / 2 + math.log(2 * math.pi * math.e * v2) / 2

    def log_evidence(self):
        """The target is a normalised density: log ∫ p(z) dz = 0."""
        return 0.0


@lru_cache(maxsize=32)
def _normal_gamma_updates(q_mu, q_tau) -> dict:
    """q(μ)'s precision and mean, q(τ)'s shape and rate, read off and compiled (once per
    pair of conclusions)."""
    lam, m = gaussian_read_off(q_mu, _same_symbol(q_mu, sympy.Symbol("μ")))
    a, b = gamma_read_off(q_tau, _same_symbol(q_tau, sympy.Symbol("τ")))
    names = ("x1", "x2", "μ0", "λ0", "a0", "b0", "mN", "sN", "aN", "bN")
    return {"λ": _numeric(lam, names), "m": _numeric(m, names),
            "a": _numeric(a, names), "b": _numeric(b, names)}


@lru_cache(maxsize=32)
def _bivariate_updates(q_z1) -> dict:
    lam, m = gaussian_read_off(q_z1, _same_symbol(q_z1, sympy.Symbol("z1")))
    names = ("μ1", "μ2", "L11", "L12", "L22", "m2", "s2")
    return {"λ": _numeric(lam, names), "m": _numeric(m, names)}


def _same_symbol(expr, sym):
    """The symbol of ``expr`` named like ``sym`` (the parser's, with its assumptions)."""
    for s in expr.free_symbols:
        if s.name == sym.name:
            return s
    return sym


# ------------------------------------------------------------------------------ runs
@dataclass
class Run:
    """A CAVI run: the state and ELBO after every single factor update (index 0: the start)."""
    states: list
    elbos: list
    factor: list          # which factor each entry updated (None for the start)
    converged: bool


def run_cavi(model, state, sweeps=200, tol=1e-13) -> Run:
    """Update each factor in turn until a whole sweep changes no parameter by more than
    ``tol`` (relative), or ``sweeps`` sweeps."""
    states, elbos, factor = [dict(state)], [model.elbo(state)], [None]
    s = dict(state)
    for _ in range(sweeps):
        before = dict(s)
        for k in range(len(model.factors)):
            s = model.update(s, k)
            states.append(s)
            elbos.append(model.elbo(s))
            factor.append(k)
        if all(abs(s[n] - before[n]) <= tol * (1 + abs(before[n])) for n in s):
            return Run(states, elbos, factor, True)
    return Run(states, elbos, factor, False)


def _close(a, b, tol):
    return abs(a - b) <= tol * (1 + abs(a) + abs(b))


def check_run(model, run: Run, tol=TOL, h=1e-3) -> list:
    """What theory promises of a CAVI run, as a list of violations (empty: all hold)."""
    out = []
    logz = model.log_evidence()
    for i in range(1, len(run.elbos)):
        prev, cur = run.elbos[i - 1], run.elbos[i]
        if cur < prev - tol * (1 + abs(prev)):
            out.append(f"monotone: update {i} (factor {run.factor[i]}) lowered the ELBO "
                       f"from {prev:.12g} to {cur:.12g}")
    for i, e in enumerate(run.elbos):
        if e > logz + tol * (1 + abs(logz)):
            out.append(f"bound: ELBO {e:.12g} exceeds log p(x) = {logz:.12g} after update {i}")
    for i in range(1, len(run.states)):
        out += _optimality(model, run.states[i], run.factor[i], run.elbos[i], tol, h)
    if run.converged:
        s = run.states[-1]
        for k in range(len(model.factors)):
            again = model.update(s, k)
            for n in model.factors[k]:
                if not _close(again[n], s[n], 1e3 * tol):
                    out.append(f"fixed point: factor {k}'s update moves {n} from {s[n]:.12g} "
                               f"to {again[n]:.12g}")
    return out


def _optimality(model, s, k, value, tol, h) -> list:
    """Moving one parameter of the factor just updated must not raise the ELBO (moves of
    h, h/10 and h/100 relative: a small error of an update is overshot by a large move)."""
    out = []
    for n, scale in ((n, scale) for n in model.factors[k] for scale in (1, 0.1, 0.01)):
        step = scale * h * (1 + abs(s[n]))
        for sign in (1, -1):
            moved = {**s, n: s[n] + sign * step}
            e = model.elbo(moved)
            if e > value + tol * (1 + abs(value)):
                out.append(f"optimal: after factor {k}'s update, moving {n} by {sign * step:.3g} "
                           f"raises the ELBO from {value:.12g} to {e:.12g}")
                return out
    return out
