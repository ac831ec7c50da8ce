"""Command line: ``python -m vi_sym check [PATH...]`` and ``python -m vi_sym rules``."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

DEFAULT_CATALOGUE = Path(__file__).resolve().parent.parent / "derivations"


def _catalogue() -> list:
    if DEFAULT_CATALOGUE.is_dir():
        return [str(DEFAULT_CATALOGUE)]
    return ["derivations"]


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="vi_sym", description="Check variational-inference derivations step by step.")
    sub = ap.add_subparsers(dest="command")
    c = sub.add_parser("check", help="check derivation files (default: the shipped catalogue)")
    c.add_argument("paths", nargs="*", help="*.vi files or directories")
    c.add_argument("--json", metavar="FILE", help="write the report as JSON (schema vi_sym.report/1); '-' for stdout")
    c.add_argument("--family", action="append", metavar="NAME",
                   help="spot-check in this family (repeatable; 'all' = every applicable family, 'none' = no spot-checks)")
    c.add_argument("--samples", type=int, default=50, help="hypothesis draws per step and family (default 50)")
    c.add_argument("--seed", type=int, default=0, help="seed for the draws (default 0)")
    c.add_argument("--timeout", type=float, default=20.0, help="per-step time limit in seconds (default 20)")
    c.add_argument("--jobs", type=int, default=0, help="worker processes (default: the machine's cores)")
    c.add_argument("-v", "--verbose", action="store_true", help="show every step's statement and proof")
    c.add_argument("-q", "--quiet", action="store_true", help="only show steps that are not as expected")
    sub.add_parser("rules", help="list the rules a step may cite")
    sub.add_parser("families", help="list the model families used for spot-checks")
    return ap


def cmd_check(args) -> int:
    from .checker import Settings, check_derivations
    from .loader import load_paths
    from .report import exit_code, print_report, write_json

    if args.samples < 1 or args.timeout <= 0 or args.jobs < 0:
        print("error: --samples and --timeout must be positive, --jobs >= 0", file=sys.stderr)
        return 2
    paths = args.paths or _catalogue()
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        print(f"error: no such file or directory: {', '.join(missing)}", file=sys.stderr)
        return 2
    fams = args.family or ["all"]
    if "none" in fams:
        fams = []
    else:
        from .families import FAMILIES
        unknown = [f for f in fams if f != "all" and f not in FAMILIES]
        if unknown:
            print(f"error: unknown family {unknown[0]!r}; known: {', '.join(sorted(FAMILIES))}", file=sys.stderr)
            return 2
    derivs, errors = load_paths(paths)
    settings = Settings(timeout=args.timeout, jobs=args.jobs, families=tuple(fams),
                        samples=args.samples, seed=args.seed)
    report = check_derivations(derivs, settings, errors=errors)
    print_report(report, verbose=args.verbose, quiet=args.quiet)
    if args.json:
        write_json(report, args.json)
    return exit_code(report)


def cmd_rules(args) -> int:
    from .rules import RULES
    for r in RULES.values():
        print(f"{r.name:<24} {r.kind:<10} {r.statement}")
        print(f"{'':<24} assumes: {'; '.join(r.assumptions)}")
    return 0


def cmd_families(args) -> int:
    from .families import FAMILIES
    for name, f in sorted(FAMILIES.items()):
        print(f"{name:<18} {getattr(f, 'description', '')}")
    return 0


def main(argv=None) -> int:
    ap = build_parser()
    args = ap.parse_args(argv)
    if args.command is None:
        ap.print_help()
        return 2
    return {"check": cmd_check, "rules": cmd_rules, "families": cmd_families}[args.command](args)
