"""Running CAVI and checking what theory promises of a run."""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Run", "run_cavi", "check_run", "TOL"]

#: float64 tolerance of every comparison, relative: tol·(1 + |value|)
TOL = 1e-9


@dataclass
class Run:
    """A CAVI run: the state and ELBO after every single factor update (index 0: the start)."""
    states: list
    elbos: list
    factor: list          # which factor each entry updated (None for the start)
    converged: bool
    error: str | None = None   # an update that gave no valid factor (e.g. a negative precision)


def run_cavi(model, state, sweeps=200, tol=1e-13) -> Run:
    """Update each factor in turn until a whole sweep changes no parameter by more than
    ``tol`` (relative), or ``sweeps`` sweeps."""
    states, elbos, factor = [dict(state)], [model.elbo(state)], [None]
    s = dict(state)
    for _ in range(sweeps):
        before = dict(s)
        for k in range(len(model.factors)):
            try:
                s = model.update(s, k)
            except (ValueError, ZeroDivisionError, OverflowError) as err:
                return Run(states, elbos, factor, False, f"factor {k}'s update: {err}")
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
    out = [f"invalid: {run.error}"] if run.error else []
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
