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
    r.set_defaults(func=cmd_report)


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
    from .checker import Settings, check_derivations
    from .families import FAMILIES
    from .loader import load_paths
    if args.samples < 1 or args.timeout <= 0 or args.jobs < 0:
        return _error("--samples and --timeout must be positive, --jobs non-negative")
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
        write_report(report, derivs, args.output, title=args.title)
    except OSError as err:
        return _error(f"cannot write {args.output}: {err.strerror or err}")
    print(f"wrote {args.output}: {len(report.results)} steps", file=sys.stderr)
    return exit_code(report)
