"""Pictures of variational inference, drawn from vi_sym's own numbers.

* :func:`elbo_sweep` / :func:`plot_elbo` -- the ELBO picture: sweep q's mean,
  log p(x) is flat, ELBO(q) lies below it, the gap is KL(q ‖ p(z|x)) and closes
  at the exact posterior.  All three curves are evaluated *separately* by
  :func:`vi_sym.numeric.evaluate` from their definitions in a concrete family, so
  the picture is itself a check of log p(x) = ELBO(q) + KL(q ‖ p(z|x)).
* :func:`jensen_points` / :func:`plot_jensen` -- Jensen's inequality for one q:
  the concave log, the values Y = p(x,z)/q(z) under q, log E_q[Y] = log p(x)
  above E_q[log Y] = ELBO(q).
* :func:`step_sweep` / :func:`plot_step` -- a FAILED step: both sides along the
  parameter of the counterexample that moves their difference most, the
  counterexample marked.

matplotlib runs with the Agg back-end (files only, no display).
"""
from __future__ import annotations

import io
import math

import matplotlib
import mpmath

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the back-end)
from sympy import Symbol, log  # noqa: E402

from .families import FAMILIES, get_family  # noqa: E402
from .notation import relation_unicode, to_unicode  # noqa: E402
from .numeric import NotEvaluable, evaluate  # noqa: E402
from .vocabulary import ELBO, KL, Density  # noqa: E402

__all__ = ["NoPlot", "NO_CURVE", "no_curve", "draw_first", "elbo_sweep", "plot_elbo", "jensen_points", "plot_jensen", "step_sweep", "plot_step",
           "ELBO_FAMILIES", "step_svg"]

X, Z = Symbol("x"), Symbol("z")
Q, JOINT, POST, EVIDENCE = Density("q", [Z]), Density("p", [X, Z]), Density("p", [Z], [X]), Density("p", [X])
#: families whose q has a location 'm' and scale 's' and whose posterior is known
ELBO_FAMILIES = {"normal-normal": {"m0": 0.37, "s0": 1.3, "sigma": 0.8, "x": (0.93, -0.41, 2.17)}}


def _base(family, params):
    if params is not None:
        return dict(params)
    if family.name not in ELBO_FAMILIES:
        raise ValueError(f"the ELBO picture needs a family with a known posterior: {', '.join(ELBO_FAMILIES)}")
    return dict(ELBO_FAMILIES[family.name])


def elbo_sweep(family="normal-normal", params=None, n=41, width=3.0, scale=None) -> dict:
    """log p(x), ELBO(q) and KL(q ‖ p(z|x)) for q = N(m, s²), m swept across the posterior mean.

    ``scale`` is q's s (default: the exact posterior's, so the gap closes at m = μ_n).
    Returns lists ``m``, ``log_evidence``, ``elbo``, ``kl``, ``errors`` (the largest error
    estimate of the three at each m) and the posterior ``mu``, ``sd``.
    """
    fam = get_family(family) if isinstance(family, str) else family
    base = _base(fam, params)
    mu, sd = fam.posterior_params({**base, "m": 0.0, "s": 1.0})
    s = sd if scale is None else float(scale)
    ms = [mu + width * sd * (2 * i / (n - 1) - 1) for i in range(n)]
    if mu not in ms:
        ms = sorted(ms + [mu])
    out = {"m": ms, "log_evidence": [], "elbo": [], "kl": [], "errors": [], "mu": mu, "sd": sd, "s": s,
           "family": fam.name, "params": base}
    for m in ms:
        p = {**base, "m": m, "s": s}
        vals = [evaluate(e, fam, p) for e in (log(EVIDENCE), ELBO(Q, JOINT), KL(Q, POST))]
        for key, v in zip(("log_evidence", "elbo", "kl"), vals):
            out[key].append(float(v.value))
        out["errors"].append(max(float(v.error) for v in vals))
    return out


def plot_elbo(path, family="normal-normal", params=None, n=41, scale=None, sweep=None) -> dict:
    """Draw the ELBO picture to ``path`` (PNG, SVG, PDF by extension); returns the sweep."""
    d = sweep or elbo_sweep(family, params, n=n, scale=scale)
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=110)
    ax.plot(d["m"], d["log_evidence"], color="#1d2330", lw=2, label=f"{to_unicode(log(EVIDENCE))}  (flat in q)")
    ax.plot(d["m"], d["elbo"], color="#17708f", lw=2, label=to_unicode(ELBO(Q, JOINT)))
    ax.fill_between(d["m"], d["elbo"], d["log_evidence"], color="#b3261e", alpha=0.18,
                    label=f"gap = {to_unicode(KL(Q, POST))}")
    i = d["m"].index(d["mu"])
    ax.plot([d["mu"]], [d["elbo"][i]], "o", color="#1d7a3a", ms=8,
            label=f"optimum: q = exact posterior (m = {d['mu']:.3g}, KL = 0)")
    j = len(d["m"]) // 6                  # label the gap well left of the optimum
    mid = (d["elbo"][j] + d["log_evidence"][j]) / 2
    ax.annotate(to_unicode(KL(Q, POST)), (d["m"][j], mid), xytext=(d["m"][j] + 0.3 * d["sd"], mid),
                color="#b3261e", fontsize=10)
    ax.set_xlabel(f"mean m of q(z) = N(m, {d['s']:.3g}²)")
    ax.set_ylabel("nats")
    ax.set_title(f"{to_unicode(log(EVIDENCE))} = {to_unicode(ELBO(Q, JOINT))} + {to_unicode(KL(Q, POST))}"
                 f"   ({d['family']} model)", fontsize=10)
    lo = min(d["elbo"])
    ax.set_ylim(max(lo, d["log_evidence"][0] - 6 * max(1.0, abs(d["log_evidence"][0]) * 0.1)),
                d["log_evidence"][0] + 0.15 * (d["log_evidence"][0] - lo + 1))
    ax.legend(loc="lower center", fontsize=8, framealpha=0.9)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return d


def jensen_points(family="normal-normal", params=None, m=None, s=None, n=25) -> dict:
    """Y = p(x,z)/q(z) at n quantiles of q = N(m, s²); log E_q[Y] = log p(x) and E_q[log Y] = ELBO(q)."""
    fam = get_family(family) if isinstance(family, str) else family
    base = _base(fam, params)
    mu, sd = fam.posterior_params({**base, "m": 0.0, "s": 1.0})
    p = {**base, "m": mu + sd if m is None else m, "s": 1.5 * sd if s is None else s}
    zs = [p["m"] + p["s"] * math.sqrt(2) * _erfinv(2 * (k + 0.5) / n - 1) for k in range(n)]
    ys = [math.exp(float(fam.log_density(p, JOINT, z) - fam.log_density(p, Q, z))) for z in zs]
    return {"z": zs, "y": ys, "params": p,
            "log_mean": float(evaluate(log(EVIDENCE), fam, p).value),
            "mean_log": float(evaluate(ELBO(Q, JOINT), fam, p).value)}


def _erfinv(y):
    return float(mpmath.erfinv(y))


def plot_jensen(path, family="normal-normal", params=None, m=None, s=None) -> dict:
    d = jensen_points(family, params, m, s)
    ys = d["y"]
    ev = math.exp(d["log_mean"])
    lo, hi = min(ys + [ev]) * 0.5, max(ys + [ev]) * 1.1
    grid = [lo + (hi - lo) * k / 199 for k in range(200)]
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=110)
    ax.plot(grid, [math.log(g) for g in grid], color="#1d2330", lw=1.5, label="log y (concave)")
    ax.plot(ys, [math.log(y) for y in ys], "o", color="#17708f", ms=4, alpha=0.7,
            label="Y = p(x,z)/q(z) at quantiles of q")
    ax.plot([ev], [d["log_mean"]], "s", color="#1d7a3a", ms=8, label=f"log E_q[Y] = log p(x) = {d['log_mean']:.3f}")
    ax.plot([ev], [d["mean_log"]], "v", color="#b3261e", ms=8,
            label=f"E_q[log Y] = ELBO(q) = {d['mean_log']:.3f}")
    ax.vlines(ev, d["mean_log"], d["log_mean"], color="#b3261e", lw=1, linestyles="dashed")
    ax.set_xlabel("y")
    ax.set_ylabel("log y")
    ax.set_title("Jensen: log E_q[Y] ≥ E_q[log Y]; the gap is KL(q(z) ‖ p(z|x))", fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return d


def _scalars(params):
    return [k for k, v in params.items() if not k.startswith("_") and isinstance(v, (int, float))
            and not isinstance(v, bool)]


def step_sweep(step, family, params, n=41) -> dict:
    """Both sides of ``step`` along the counterexample's parameter that moves lhs − rhs most."""
    fam = get_family(family) if isinstance(family, str) else family
    params = {k: v for k, v in params.items() if not k.startswith("_")}

    def diff(p):
        return float(evaluate(step.lhs, fam, p).value) - float(evaluate(step.rhs, fam, p).value)

    d0 = diff(params)
    best, spread = None, -1.0
    for k in _scalars(params):
        h = 0.1 * max(abs(params[k]), 0.1)
        try:
            change = abs(diff({**params, k: params[k] + h}) - d0)
        except (NotEvaluable, ValueError):
            continue
        if change > spread:
            best, spread = k, change
    if best is None:
        raise ValueError("no numeric parameter of the counterexample can be moved")
    c = params[best]
    half = max(abs(c), 1.0)
    out = {"parameter": best, "at": c, "values": [], "lhs": [], "rhs": []}
    for i in range(n):
        v = c - half + 2 * half * i / (n - 1)
        try:
            lv, rv = (float(evaluate(e, fam, {**params, best: v}).value) for e in (step.lhs, step.rhs))
        except (NotEvaluable, ValueError):
            continue
        out["values"].append(v)
        out["lhs"].append(lv)
        out["rhs"].append(rv)
    out["cx"] = (float(evaluate(step.lhs, fam, params).value), float(evaluate(step.rhs, fam, params).value))
    return out


def plot_step(path, step, family, params, n=41, fmt=None) -> dict:
    """Both sides of a FAILED step along one parameter, the counterexample marked.
    ``path`` may be a file object (then ``fmt``, e.g. ``"svg"``, names the format)."""
    d = step_sweep(step, family, params, n)
    fam = family if isinstance(family, str) else family.name
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=110)
    ax.plot(d["values"], d["lhs"], color="#17708f", lw=2, label=f"left:  {_clip(to_unicode(step.lhs))}")
    ax.plot(d["values"], d["rhs"], color="#b3261e", lw=2, label=f"right: {_clip(to_unicode(step.rhs))}")
    ax.plot([d["at"]] * 2, list(d["cx"]), "ko", ms=6, label=f"counterexample ({d['parameter']} = {d['at']:.3g})")
    ax.set_xlabel(f"{d['parameter']}  (other parameters as in the counterexample, {fam} model)")
    ax.set_title(_clip(relation_unicode(step.lhs, step.rel, step.rhs), 90), fontsize=9)
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, format=fmt)
    plt.close(fig)
    return d


class NoPlot(ValueError):
    """No counterexample of a step can be drawn; the message says why (for the report)."""


#: checkers whose counterexample is one point, not a curve, and why (said instead of a picture)
NO_CURVE = {
    "optimum": "an optimisation statement compares two sets of optima: its counterexample is the "
               "other side's objective at the drawn q and at the certified optimum (both values above)",
    "test-functions": "the step is about every function f: its counterexample is the test function "
                      "named above at one point of the closed forms (both values above)",
    "concrete": "a claim about defined densities: its counterexample is one point of the "
                "parameters (both values above)",
    "algebra": "an identity in the parameters: its counterexample is one point (both values above)",
    "concrete-d": "a claim for every dimension d: its counterexample is one written-out d at one "
                  "point (both values above)",
}


def no_curve(name: str) -> str:
    """Why the counterexample of checker ``name`` is not drawn ("" when it can be)."""
    if name in NO_CURVE:
        return NO_CURVE[name]
    for suffix, what in (("-copies", "independent copies of the latent of"),
                         ("-points", "the data set of N points of")):
        if name.endswith(suffix):
            return (f"the sides are integrals over {what} the {name[:-len(suffix)]} model, "
                    "evaluated at the counterexample only (both values above)")
    fam = FAMILIES.get(name)
    if fam is not None and len(getattr(fam, "latents", ())) > 1:
        return (f"the sides are integrals over the two latents of the {name} model on its "
                "quadrature grids, evaluated at the counterexample only (both values above)")
    return ""


def draw_first(step, counterexamples, draw):
    """``draw(step, family, params)`` for the first FAILED family entry of ``counterexamples``
    that can be drawn along a parameter; :class:`NoPlot` saying why when none can."""
    reasons = []
    for f in counterexamples:
        why = no_curve(f["family"])
        if why:
            reasons.append(why)
            continue
        try:
            return draw(step, f["family"], f["counterexample"]["params"])
        except (NotEvaluable, ValueError, KeyError) as err:
            reasons.append(f"in {f['family']}: {err}")
    raise NoPlot("; ".join(dict.fromkeys(reasons)) or "no counterexample to draw")


def _clip(text, width=60):
    return text if len(text) <= width else text[: width - 1] + "…"


def step_svg(step, family, params, n=25) -> str:
    """:func:`plot_step` as an inline ``<svg>`` element (for the HTML report)."""
    buf = io.StringIO()
    plot_step(buf, step, family, params, n=n, fmt="svg")
    text = buf.getvalue()
    return text[text.index("<svg"):]
