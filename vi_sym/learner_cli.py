"""The learner's commands: ``report`` (HTML), ``plot`` and ``explain``.

:func:`register` adds them to the ``vi_sym`` argument parser; each sets
``func`` so the command line dispatches without knowing them.
"""
from __future__ import annotations

import sys
from pathlib import Path

CATALOGUE = Path(__file__).resolve().parent.parent / "derivations"


def _check_options(p):
    p.add_argument("paths", nargs="*", help="*.vi files or directories (default: the shipped catalogue)")
    p.add_argument("--family", action="append", metavar="NAME",
                   help="spot-check in this family (repeatable; 'all' = every applicable family, 'none' = none)")
    p.add_argument("--samples", type=int, default=50, help="hypothesis draws per step and family (default 50)")
    p.add_argument("--seed", type=int, default=0, help="seed for the draws (default 0)")
    p.add_argument("--timeout", type=float, default=20.0, help="per-step time limit in seconds (default 20)")
    p.add_argument("--jobs", type=int, default=0, help="worker processes (default: the machine's cores)")
    p.add_argument("--no-fixes", action="store_true", help="do not search for likely fixes of FAILED steps")


def register(sub) -> None:
    r = sub.add_parser("report", help="check derivations and write a self-contained HTML report")
    _check_options(r)
    r.add_argument("-o", "--output", metavar="FILE", default="report.html",
                   help="where to write the report (default report.html)")
    r.add_argument("--title", default="vi_sym report", help="the report's title")
    r.add_argument("--plot", action="store_true",
                   help="draw both sides of each FAILED step along its counterexample's parameter")
    r.set_defaults(func=cmd_report)
    p = sub.add_parser("plot", help="draw the ELBO gap, Jensen's inequality, or a FAILED step's two sides")
    p.add_argument("what", choices=("elbo", "jensen", "step"))
    p.add_argument("rest", nargs="*", metavar="STEP [PATH]",
                   help="for 'step': DERIVATION::STEP, then *.vi files (default: the shipped catalogue)")
    p.add_argument("--family", default=None, metavar="NAME",
                   help="model family (default normal-normal; for 'step': the first that refutes it)")
    p.add_argument("--scale", type=float, default=None,
                   help="for 'elbo': q's scale s (default: the exact posterior's)")
    p.add_argument("-o", "--output", metavar="FILE", default=None, help="image file (default WHAT.png)")
    p.set_defaults(func=cmd_plot)
    e = sub.add_parser("explain", help="explain a rule (statement, side conditions, aliases, example) "
                                       "or a derivation (its chain, a sentence per step)")
    e.add_argument("name", help="a rule (or alias) or a derivation name")
    e.add_argument("paths", nargs="*", help="*.vi files to look for the derivation in (default: the catalogue)")
    e.set_defaults(func=cmd_explain)


def _error(msg: str) -> int:
    print(f"error: {msg}", file=sys.stderr)
    return 2


def _catalogue() -> list:
    try:
        return [str(CATALOGUE.relative_to(Path.cwd().resolve()))]
    except ValueError:
        return [str(CATALOGUE)]


def run_check(args):
    """Load and check ``args.paths`` as ``check`` would; returns (derivations, report) or an exit code."""
    # imported here, not at the top, for the command line's start-up time
    from .scheduler import check_derivations
    from .settings import SettingError, Settings, validate
    from .families import FAMILIES
    from .loader import load_paths
    try:
        validate(Settings(timeout=args.timeout, jobs=args.jobs, samples=args.samples, seed=args.seed),
                 flag=lambda name: f"--{name}")
    except SettingError as err:
        return _error(str(err))
    fams = args.family or ["all"]
    unknown = [f for f in fams if f not in ("all", "none") and f not in FAMILIES]
    if unknown:
        return _error(f"unknown family {unknown[0]!r}; known: all, none, {', '.join(sorted(FAMILIES))}")
    fams = [] if "none" in fams else fams
    derivs, errors = load_paths(args.paths or _catalogue())
    settings = Settings(timeout=args.timeout, jobs=args.jobs, families=tuple(fams),
                        samples=args.samples, seed=args.seed, fixes=not args.no_fixes)
    return derivs, check_derivations(derivs, settings, errors=errors)


def cmd_report(args) -> int:
    # imported here, not at the top, for the command line's start-up time
    from .html import write_report
    from .report import exit_code, print_errors
    out = run_check(args)
    if isinstance(out, int):
        return out
    derivs, report = out
    print_errors(report, sys.stderr)
    try:
        write_report(report, derivs, args.output, title=args.title, plots=args.plot)
    except OSError as err:
        return _error(f"cannot write {args.output}: {err.strerror or err}")
    print(f"wrote {args.output}: {len(report.results)} steps", file=sys.stderr)
    return exit_code(report)


def _find_step(derivs, step_id):
    for d in derivs:
        for s in d.steps + ([d.conclusion] if d.conclusion else []):
            if s.id == step_id:
                return s
    return None


def cmd_plot(args) -> int:
    # imported here, not at the top, for the command line's start-up time
    from . import plots
    out = args.output or f"{args.what}.png"
    try:
        if args.what == "elbo":
            d = plots.plot_elbo(out, args.family or "normal-normal", scale=args.scale)
            i = d["m"].index(d["mu"])
            print(f"wrote {out}: gap KL(q ‖ p(z|x)) from {max(d['kl']):.3g} down to {d['kl'][i]:.2g} "
                  f"at the exact posterior mean {d['mu']:.4g}", file=sys.stderr)
            return 0
        if args.what == "jensen":
            d = plots.plot_jensen(out, args.family or "normal-normal")
            print(f"wrote {out}: log E_q[Y] = {d['log_mean']:.4g} ≥ E_q[log Y] = {d['mean_log']:.4g}",
                  file=sys.stderr)
            return 0
    except (KeyError, ValueError) as err:
        return _error(str(err).strip("'\""))
    except OSError as err:
        return _error(f"cannot write {out}: {err.strerror or err}")
    return _plot_step(args, out)


def _plot_step(args, out) -> int:
    # imported here, not at the top, for the command line's start-up time
    from .scheduler import check_derivations
    from .settings import Settings
    from .loader import load_paths
    from .plots import plot_step
    if not args.rest:
        return _error("plot step needs a step, e.g. 'plot step note_kl_route::2'")
    step_id, paths = args.rest[0], args.rest[1:] or _catalogue()
    derivs, errors = load_paths(paths)
    for e in errors:
        print(f"error: {e}", file=sys.stderr)
    step = _find_step(derivs, step_id)
    if step is None:
        return _error(f"no step {step_id!r} in {', '.join(map(str, paths))}")
    fams = (args.family,) if args.family else ("all",)
    (res,) = check_derivations([_alone(step)], Settings(families=fams, samples=20, fixes=False)).results[:1]
    cx = [f for f in res.families if f.get("status") == "FAILED" and f.get("counterexample")]
    if not cx:
        return _error(f"{step_id} is {res.status.value}: there is no counterexample to plot")
    d = plot_step(out, step, cx[0]["family"], cx[0]["counterexample"]["params"])
    print(f"wrote {out}: both sides of {step_id} along {d['parameter']} in {cx[0]['family']}", file=sys.stderr)
    return 0


def _alone(step):
    """A one-step derivation holding ``step``, so it is checked on its own."""
    from .core import Derivation  # for start-up time, like the imports above
    return Derivation(step.derivation, [step], context=step.context)


def cmd_explain(args) -> int:
    # imported here, not at the top, for the command line's start-up time
    import difflib

    from .describe import describe_derivation, describe_rule
    from .loader import load_paths
    from .rules import ALIASES, RULES
    if args.name in RULES or args.name in ALIASES:
        print(describe_rule(args.name))
        return 0
    derivs, errors = load_paths(args.paths or _catalogue())
    for d in derivs:
        if d.name == args.name:
            print(describe_derivation(d))
            return 0
    for e in errors:
        print(f"error: {e}", file=sys.stderr)
    names = list(RULES) + list(ALIASES) + [d.name for d in derivs]
    close = difflib.get_close_matches(args.name, names, n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    return _error(f"'{args.name}' is neither a rule nor a derivation{hint}; "
                  f"'python -m vi_sym rules' lists the rules")


def plot_failed(report, derivs, directory, stream) -> list:
    """``check --plot DIR``: one picture per FAILED step with a counterexample; returns the files."""
    # imported here, not at the top, for the command line's start-up time
    from .plots import NoPlot, draw_first, plot_step
    Path(directory).mkdir(parents=True, exist_ok=True)
    steps = {s.id: s for d in derivs for s in d.steps}
    written = []
    for r in report.results:
        cx = [f for f in r.families if f.get("status") == "FAILED" and f.get("counterexample")]
        step = steps.get(r.step_id)
        if r.status.value != "FAILED" or not cx or step is None:
            continue
        out = Path(directory) / (r.step_id.replace("::", "-") + ".png")
        try:
            draw_first(step, cx, lambda st, fam, params: plot_step(out, st, fam, params))
        except NoPlot as err:
            print(f"plot: {r.step_id}: not drawn ({err})", file=stream)
            continue
        written.append(out)
    print(f"plot: {len(written)} picture(s) in {directory}", file=stream)
    return written
