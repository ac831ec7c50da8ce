"""The pictures: their numbers come from vi_sym's family code and are asserted."""
import math

import matplotlib.image
import pytest
from sympy import log

from vi_sym.families import get_family
from vi_sym.loader import load_text
from vi_sym.numeric import evaluate
from vi_sym.plots import (EVIDENCE, JOINT, POST, Q, elbo_sweep, jensen_points, plot_elbo, plot_jensen,
                          plot_step)
from vi_sym.vocabulary import KL


@pytest.fixture(scope="module")
def sweep():
    return elbo_sweep("normal-normal", n=21)


def test_gap_is_the_separately_computed_kl(sweep):
    fam = get_family("normal-normal")
    for m, lev, elbo, kl, err in zip(sweep["m"], sweep["log_evidence"], sweep["elbo"], sweep["kl"],
                                     sweep["errors"]):
        assert abs((lev - elbo) - kl) <= 10 * err + 1e-12
        # and the KL is the closed form of two Gaussians, computed independently here
        mu, sd, s = sweep["mu"], sweep["sd"], sweep["s"]
        closed = math.log(sd / s) + (s * s + (m - mu) ** 2) / (2 * sd * sd) - 0.5
        assert kl == pytest.approx(closed, abs=1e-9)
    assert len(set(round(v, 12) for v in sweep["log_evidence"])) == 1     # flat in q
    assert fam.name == sweep["family"]


def test_gap_closes_only_at_the_posterior(sweep):
    i = sweep["m"].index(sweep["mu"])
    assert abs(sweep["log_evidence"][i] - sweep["elbo"][i]) < 1e-9
    assert sweep["kl"][i] == pytest.approx(0, abs=1e-9)
    assert all(k > 1e-6 for j, k in enumerate(sweep["kl"]) if j != i)
    assert max(sweep["elbo"]) == sweep["elbo"][i]


def test_a_wider_q_never_closes_the_gap():
    d = elbo_sweep("normal-normal", n=11, scale=2.0)
    assert min(d["kl"]) > 0.1
    assert all(e < lev for e, lev in zip(d["elbo"], d["log_evidence"]))


def test_plot_elbo_writes_the_picture(tmp_path, sweep):
    out = tmp_path / "elbo.png"
    d = plot_elbo(out, sweep=sweep)
    img = matplotlib.image.imread(out)
    assert img.shape[0] > 300 and img.shape[1] > 500
    assert d is sweep


def test_jensen_picture_numbers(tmp_path):
    d = jensen_points("normal-normal")
    fam = get_family("normal-normal")
    assert d["log_mean"] > d["mean_log"]                 # Jensen
    gap = float(evaluate(KL(Q, POST), fam, d["params"]).value)
    assert d["log_mean"] - d["mean_log"] == pytest.approx(gap, abs=1e-9)
    # the sampled Y average roughly to p(x) (quantile rule, so only roughly)
    mean_y = sum(d["y"]) / len(d["y"])
    assert abs(math.log(mean_y) - d["log_mean"]) < 0.2
    plot_jensen(tmp_path / "jensen.png")
    assert (tmp_path / "jensen.png").stat().st_size > 10_000
    assert float(evaluate(log(EVIDENCE), fam, d["params"]).value) == d["log_mean"]
    assert JOINT.vars


NOTE_41 = """
derivation line41
latent: z
observed: x
    integrate(q(z)*log(q(z)/p(z|x)), z)
  = integrate(q(z)*log(q(z)*p(x)/p(x|z)*p(z)), z)   by bayes_rule
"""


def test_failed_step_plot_marks_the_counterexample(tmp_path):
    (d,), errors = load_text(NOTE_41)
    step = d.steps[0]
    params = {"m0": 0.37, "s0": 1.3, "sigma": 0.8, "x": (0.93, -0.41, 2.17), "m": 0.37, "s": 1.3}
    out = plot_step(tmp_path / "step.png", step, "normal-normal", params)
    assert out["parameter"] in params and out["at"] == params[out["parameter"]]
    lhs, rhs = out["cx"]
    assert abs(lhs - rhs) > 1                           # the counterexample: 3.444 vs 0.081
    assert any(abs(a - b) > 1e-3 for a, b in zip(out["lhs"], out["rhs"]))
    assert len(out["values"]) > 20
    assert (tmp_path / "step.png").stat().st_size > 10_000


def test_plot_command(tmp_path):
    from vi_sym.cli import main
    out = tmp_path / "elbo.png"
    assert main(["plot", "elbo", "--family", "normal-normal", "-o", str(out)]) == 0
    assert matplotlib.image.imread(out).shape[1] > 500
    assert main(["plot", "elbo", "--family", "beta-bernoulli", "-o", str(out)]) == 2
    assert main(["plot", "step", "no_such::1", "-o", str(out)]) == 2
    assert main(["plot", "step", "-o", str(out)]) == 2


def test_check_plot_draws_each_failed_step(tmp_path):
    from vi_sym.cli import main
    vi = tmp_path / "line41.vi"
    vi.write_text(NOTE_41, encoding="utf-8")
    code = main(["check", str(vi), "--family", "normal-normal", "--samples", "5", "--no-cache",
                 "--no-fixes", "--plot", str(tmp_path / "plots")])
    assert code == 1                                   # the step fails (it is not marked xfail)
    (png,) = (tmp_path / "plots").iterdir()
    assert png.name == "line41-1.png" and matplotlib.image.imread(png).shape[1] > 500


# ----------------------------------------------- counterexamples of the newer checkers
NEW_CHECKERS = [("optimisation.vi", "argmax_wrong", "optimum"),
                ("vae.vi", "vae_reparameterisation_wrong", "test-functions"),
                ("iid.vi", "iid_wrong", "-points"),
                ("iwae.vi", "iwae_wrong", "-copies"),
                ("vae.vi", "vae_kl_diagonal_wrong", "concrete-d"),
                ("cavi.vi", "prml_10_9_except_wrong", "two latents")]


@pytest.mark.parametrize("file, name, kind", NEW_CHECKERS)
def test_each_failed_step_gets_a_picture_or_a_line_saying_why_none(file, name, kind):
    """The HTML report (with plots) of a FAILED step of each newer checker: a picture, or
    "(no plot: …)" saying what its counterexample is instead -- never an error."""
    from pathlib import Path
    from vi_sym.core import Status
    from vi_sym.html import step_html
    from vi_sym.judge import judge
    from vi_sym.settings import Settings
    root = Path(__file__).resolve().parent.parent / "derivations"
    ds, errors = load_text((root / file).read_text(encoding="utf-8"), file)
    assert not errors
    (step,) = next(d for d in ds if d.name == name).steps
    r = judge(step, Settings(families=("all",), samples=8, fixes=False))
    assert r.status is Status.FAILED
    html = step_html(r, step, plots=True)
    assert "<svg" in html or "(no plot: " in html
    if "(no plot: " in html:
        line = html[html.index("(no plot: "):]
        assert "both values above" in line or "in " in line, line


def test_draw_first_takes_the_first_drawable_counterexample(tmp_path):
    from vi_sym.plots import NO_CURVE, NoPlot, draw_first
    (d,), _ = load_text(NOTE_41)
    step = d.steps[0]
    params = {"m0": 0.37, "s0": 1.3, "sigma": 0.8, "x": (0.93, -0.41, 2.17), "m": 0.37, "s": 1.3}
    opt = {"family": "optimum", "counterexample": {"params": {}}}
    nn = {"family": "normal-normal", "counterexample": {"params": params}}
    got = draw_first(step, [opt, nn], lambda st, fam, p: fam)
    assert got == "normal-normal"
    with pytest.raises(NoPlot, match="sets of optima"):
        draw_first(step, [opt], lambda st, fam, p: fam)
    assert "sets of optima" in NO_CURVE["optimum"]
    bad = {"family": "no-such-family", "counterexample": {"params": params}}
    with pytest.raises(NoPlot, match="no-such-family"):
        draw_first(step, [bad], lambda st, fam, p: get_family(fam))
