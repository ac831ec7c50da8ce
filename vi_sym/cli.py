"""Command line: ``python -m vi_sym check [PATH...]``, ``mutate [PATH...]``, ``rules``, ``families``.

Exit codes of ``check``: 0 every step as expected; 1 a step FAILED (or an
``xfail`` step did not fail) or a verdict fell below the ``--baseline`` lock;
2 bad usage or bad input (the message names file, line and step); 130
interrupted by Ctrl-C (the partial report is still printed and written).
"""
from __future__ import annotations

import argparse
import atexit
import os
import sys
from pathlib import Path

from .cache import DEFAULT_DIR, Cache
from .collector import tune
from .frontends import load_file
from .frontends.notes import input_notes, reading_lines
from .frontends.transcribe import transcribe
from .loader import LoadError, discover, load_paths
from .mutate import run_mutation, table
from .progress import ProgressLine
from .records import ReadOptions
from .report import EXIT_INTERRUPTED, exit_code, print_report, write_json
from .report.baseline import LockError, compare, diff_lines, entries, read_lock, write_lock
from .report.junit import write_junit
from . import learner_cli
from .rules import ALIASES, RULES
from .scheduler import check_derivations
from .settings import SettingError, Settings, validate
from .tokens import NAME_RE, normal_name

DEFAULT_CATALOGUE = Path(__file__).resolve().parent.parent / "derivations"
DEFAULT_LOCK = "proofs.lock"


def _catalogue() -> list:
    """The shipped catalogue, as a relative path when under the current directory
    (so reports, JUnit ``file=`` attributes and CI annotations name repository paths)."""
    if not DEFAULT_CATALOGUE.is_dir():
        return ["derivations"]
    try:
        return [str(DEFAULT_CATALOGUE.relative_to(Path.cwd().resolve()))]
    except ValueError:
        return [str(DEFAULT_CATALOGUE)]


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="vi_sym", description="Check variational-inference derivations step by step.")
    sub = ap.add_subparsers(dest="command")
    c = sub.add_parser("check", help="check derivation files (default: the shipped catalogue)")
    c.add_argument("paths", nargs="*", help="*.vi files or directories")
    c.add_argument("--json", metavar="FILE", help="write the report as JSON (schema vi_sym.report/1); '-' for stdout")
    c.add_argument("--junit", metavar="FILE", help="write the report as JUnit XML for CI test viewers; '-' for stdout")
    c.add_argument("--baseline", metavar="LOCK", help="fail (exit 1) if a verdict is weaker than in this lock file")
    c.add_argument("--update-baseline", action="store_true",
                   help=f"rewrite the lock file (--baseline, default {DEFAULT_LOCK}) from this run")
    c.add_argument("--cache-dir", metavar="DIR", default=None,
                   help="reuse verdicts of unchanged steps from DIR (default .vi_sym_cache)")
    c.add_argument("--no-cache", action="store_true", help="check every step afresh; read and write no cache")
    c.add_argument("--family", action="append", metavar="NAME",
                   help="spot-check in this family (repeatable; 'all' = every applicable family, 'none' = no spot-checks)")
    c.add_argument("--samples", type=int, default=50, help="hypothesis draws per step and family (default 50)")
    c.add_argument("--seed", type=int, default=0, help="seed for the draws (default 0)")
    c.add_argument("--timeout", type=float, default=20.0, help="per-step time limit in seconds (default 20)")
    c.add_argument("--jobs", type=int, default=0, help="worker processes (default: the machine's cores)")
    c.add_argument("-v", "--verbose", action="store_true", help="show every step's statement and proof")
    c.add_argument("-q", "--quiet", action="store_true", help="only show steps that are not as expected")
    c.add_argument("--no-fixes", action="store_true", help="do not search for likely fixes of FAILED steps")
    c.add_argument("--fix-timeout", type=float, default=5.0,
                   help="seconds the likely-fix search of one FAILED step may take (default 5)")
    c.add_argument("--strict", action="store_true",
                   help="an UNKNOWN verdict fails the run (exit 1), as a FAILED one does")
    c.add_argument("--plot", metavar="DIR", default=None,
                   help="draw both sides of each FAILED step along its counterexample, one PNG per step in DIR")
    _variable_options(c)
    i = sub.add_parser("import", help="write the .vi transcription of a note (.txt), Markdown file or notebook")
    i.add_argument("file", help="the note, .md or .ipynb file")
    i.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    i.add_argument("--samples", type=int, default=20, help="hypothesis draws per step and family (default 20)")
    _variable_options(i)
    m = sub.add_parser("mutate", help="mutation-test the checker: mutate every correct step, check each mutant")
    m.add_argument("paths", nargs="*", help="*.vi files or directories (default: the shipped catalogue)")
    m.add_argument("--family", action="append", metavar="NAME",
                   help="spot-check mutants in this family (repeatable; default all)")
    m.add_argument("--samples", type=int, default=20, help="hypothesis draws per mutant and family (default 20)")
    m.add_argument("--seed", type=int, default=0, help="seed for the draws and the sample (default 0)")
    m.add_argument("--sample", type=int, default=None, metavar="N",
                   help="check a seeded random sample of N mutants (default: every mutant)")
    m.add_argument("--jobs", type=int, default=0, help="worker processes (default: the machine's cores)")
    m.add_argument("--timeout", type=float, default=60.0, help="time limit per mutant in seconds (default 60)")
    sub.add_parser("rules", help="list the rules a step may cite")
    sub.add_parser("families", help="list the model families used for spot-checks")
    learner_cli.register(sub)
    return ap


def _variable_options(parser) -> None:
    for name, usual in (("latent", "z, Z"), ("observed", "x, X")):
        parser.add_argument(f"--{name}", metavar="NAMES", default="",
                            help=f"{name} variables of a note (.txt, .md, .tex, .ipynb), e.g. 'Z' or 'w v' "
                                 f"(default: {usual}); .vi files declare theirs in their header")


def _read_options(args):
    """(ReadOptions, None) from --latent/--observed, or (None, error message)."""
    latent, observed = (tuple(map(normal_name, getattr(args, k).replace(",", " ").split()))
                        for k in ("latent", "observed"))
    bad = [n for n in latent + observed if not NAME_RE.match(n)]
    if bad:
        return None, f"--latent/--observed: '{bad[0]}' is not a variable name"
    if set(latent) & set(observed):
        return None, f"'{sorted(set(latent) & set(observed))[0]}' is given as both latent and observed"
    return ReadOptions(latent, observed), None


def _usage_error(msg: str) -> int:
    print(f"error: {msg}", file=sys.stderr)
    return 2


def _families(requested):
    """The --family list as Settings.families, or an error message."""
    fams = requested or ["all"]
    if "none" in fams:
        return [], None
    if all(f == "all" for f in fams):
        return fams, None
    from .families import FAMILIES  # here, for start-up time: it loads numpy
    unknown = [f for f in fams if f != "all" and f not in FAMILIES]
    if unknown:
        return None, f"unknown family {unknown[0]!r}; known: all, none, {', '.join(sorted(FAMILIES))}"
    return fams, None


def _read_baseline(args):
    """(lock entries or None, error message or None), read before the run so a bad lock fails fast."""
    path = args.baseline or DEFAULT_LOCK
    try:
        return read_lock(path), None
    except LockError as err:
        if not args.update_baseline:
            return None, str(err)
        if Path(path).exists():
            print(f"warning: {err}; it will be rewritten", file=sys.stderr)
        return None, None


def _baseline(args, old, report, stream) -> int:
    """Compare with (or rewrite) the lock; returns the exit code it asks for (0, 1 or 2)."""
    path = args.baseline or DEFAULT_LOCK
    diff = compare(old, entries(report)) if old is not None else None
    if diff is not None:
        for line in diff_lines(diff, path):
            print(line, file=stream)
    if args.update_baseline:
        if report.interrupted or report.errors:
            why = "an interrupted run" if report.interrupted else "a run with input errors"
            print(f"error: not rewriting {path} from {why}", file=sys.stderr)
            return 2
        write_lock(report, path)
        print(f"baseline {path}: rewritten ({len(entries(report))} entries)", file=stream)
        return 0
    return 1 if diff.regressed else 0


def _flag(name: str) -> str:
    return f"--{name}"


def _settings(args, fams=("all",)):
    """(Settings from the options, or None; the error message, or None): every numeric option
    checked (finite, in range) by :func:`settings.validate`."""
    try:
        return validate(Settings(timeout=args.timeout, jobs=args.jobs, families=tuple(fams),
                                 samples=args.samples, seed=args.seed,
                                 fixes=not getattr(args, "no_fixes", False),
                                 fix_timeout=getattr(args, "fix_timeout", 5.0),
                                 strict=bool(getattr(args, "strict", False))), flag=_flag), None
    except SettingError as err:
        return None, str(err)


def _load(paths, options=None) -> tuple:
    """(derivations, errors) of ``paths``: a missing path, or a directory without derivation
    files, is an error of its own and every other path is still read."""
    present, errors = [], []
    for p in paths:
        if not Path(p).exists():
            errors.append(LoadError(p, 0, "", "", "no such file or directory"))
        elif Path(p).is_dir() and not discover([p]):
            errors.append(LoadError(p, 0, "", "", "no derivations found (a directory is searched for *.vi files)"))
        else:
            present.append(p)
    derivs, more = load_paths(present, options) if present else ([], [])
    return derivs, errors + more


def cmd_check(args) -> int:
    settings, problem = _settings(args)
    if problem:
        return _usage_error(problem)
    if args.json == "-" and args.junit == "-":
        return _usage_error("--json - and --junit - cannot both write to stdout")
    if args.no_cache and args.cache_dir:
        return _usage_error("--no-cache and --cache-dir contradict each other")
    paths = args.paths or _catalogue()
    fams, problem = _families(args.family)
    if problem:
        return _usage_error(problem)
    lock = None
    if args.baseline or args.update_baseline:
        lock, problem = _read_baseline(args)
        if problem:
            return _usage_error(problem)
    # machine-readable output on stdout moves the human report to stderr
    human = sys.stderr if "-" in (args.json, args.junit) else sys.stdout
    cache = None
    if not args.no_cache:
        cache = Cache(args.cache_dir or DEFAULT_DIR)

    options, problem = _read_options(args)
    if problem:
        return _usage_error(problem)
    derivs, errors = _load(paths, options)
    if not derivs and not errors:
        return _usage_error(f"no derivations found in {', '.join(paths)} (a directory is searched for "
                            f"*.vi files; name a note, .md or .ipynb file to read it)")
    if not derivs and all(e.line == 0 and not e.derivation for e in errors):
        for e in errors:
            print(f"error: {e}", file=sys.stderr)
        return 2
    for line in [] if args.quiet else input_notes(derivs, verbose=args.verbose):
        print(line, file=human)
    settings.families = tuple(fams)
    progress = ProgressLine(sys.stderr)
    try:
        report = check_derivations(derivs, settings, errors=errors, cache=cache, on_progress=progress)
    finally:
        progress.clear()
    print_report(report, stream=human, verbose=args.verbose, quiet=args.quiet, err_stream=sys.stderr)
    if args.plot:
        learner_cli.plot_failed(report, derivs, args.plot, human)
    for line in reading_lines(derivs, report.results):
        print(line, file=human)
    if cache is not None and (cache.hits or args.verbose) and not args.quiet:
        print(f"cache: {cache.hits} verdict(s) reused, {cache.misses} checked, {cache.stored} stored "
              f"in {cache.dir}", file=human)
    if report.interrupted:
        print("interrupted: the report above is partial (exit 130)", file=sys.stderr)
    code = exit_code(report)
    for path, write in ((args.json, write_json), (args.junit, write_junit)):
        if path:
            try:
                write(report, path)
            except OSError as err:
                print(f"error: cannot write {path}: {err.strerror or err}", file=sys.stderr)
                code = max(code, 2) if code != EXIT_INTERRUPTED else code
    if args.baseline or args.update_baseline:
        code = max(code, _baseline(args, lock, report, human)) if code != EXIT_INTERRUPTED else code
    return code


def cmd_mutate(args) -> int:
    """Exit 0 when no mutant is wrongly PROVED and every non-equivalent one that is not
    killed is reported (survivors and UNKNOWNs are listed with their reason); 1 otherwise."""
    _, problem = _settings(args)
    if problem:
        return _usage_error(problem)
    if args.sample is not None and args.sample < 1:
        return _usage_error("--sample must be positive")
    fams, problem = _families(args.family or ["all"])
    if problem:
        return _usage_error(problem)
    paths = args.paths or _catalogue()
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        return _usage_error(f"{missing[0]}: no such file or directory")
    derivs, errors = load_paths(paths)
    for e in errors:
        print(f"error: {e}", file=sys.stderr)
    generated, results = run_mutation(derivs, families=tuple(fams), samples=args.samples, seed=args.seed,
                                      jobs=args.jobs or os.cpu_count() or 1, timeout=args.timeout,
                                      sample=args.sample)
    print(table(generated, results))
    if errors:
        return 2
    return 1 if any(r.outcome == "wrongly-proved" for r in results) else 0


def cmd_import(args) -> int:
    """Read FILE with its reader, check it, print or write the ``.vi`` transcription."""
    try:
        validate(Settings(samples=args.samples), flag=_flag)
    except SettingError as err:
        return _usage_error(str(err))
    from .families import FAMILIES  # here, for start-up time: it loads numpy
    options, problem = _read_options(args)
    if problem:
        return _usage_error(problem)
    derivs, errors = load_file(args.file, options)
    for e in errors:
        print(f"error: {e}", file=sys.stderr)
    if not derivs:
        print(f"error: {args.file}: nothing to transcribe", file=sys.stderr)
        return 2
    report = check_derivations(derivs, Settings(families=tuple(sorted(FAMILIES)), samples=args.samples,
                                                fixes=False))
    text = f"# transcribed from {Path(args.file).name} by 'python -m vi_sym import'\n\n" + \
        transcribe(derivs, report.results)
    if args.output in (None, "-"):
        sys.stdout.write(text)
    else:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output}: {sum(len(d.steps) for d in derivs)} step(s)", file=sys.stderr)
    return 2 if errors else 0


def cmd_rules(args) -> int:
    for r in RULES.values():
        print(f"{r.name:<24} {r.kind:<10} {r.statement}")
        print(f"{'':<24} assumes: {'; '.join(r.assumptions)}")
        aliases = sorted(a for a, target in ALIASES.items() if target == r.name)
        if aliases:
            print(f"{'':<24} also:    {', '.join(aliases)}")
    return 0


def cmd_families(args) -> int:
    from .families import FAMILIES  # here, for start-up time: it loads numpy
    for name, f in sorted(FAMILIES.items()):
        print(f"{name:<18} {getattr(f, 'description', '')}")
    return 0


def main(argv=None) -> int:
    ap = build_parser()
    args = ap.parse_args(argv)
    if args.command is None:
        ap.print_help()
        return 2
    try:
        if hasattr(args, "func"):
            return args.func(args)
        return {"check": cmd_check, "mutate": cmd_mutate, "rules": cmd_rules, "import": cmd_import,
                "families": cmd_families}[args.command](args)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:      # `vi_sym check | head`
        sys.stderr.close()
        return 1


#: the exit code when the output cannot be written at exit (as Python's own teardown)
UNWRITTEN = 120


def leave(code: int) -> None:
    """Run the atexit handlers, flush stdout and stderr, and end the process with ``code``."""
    run = getattr(atexit, "_run_exitfuncs", None)
    if run is not None:
        run()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None and not stream.closed:
                stream.flush()
        except (OSError, ValueError):     # a closed pipe (`vi_sym check | head`), a full disk
            if stream is sys.stdout and not code:
                code = UNWRITTEN
    os._exit(code)


def console() -> None:
    """``python -m vi_sym`` and the ``vi-sym`` script: :func:`main`, then :func:`leave`.

    A check leaves a large heap behind (sympy's caches, the parsed derivations, the
    numeric memos); freeing it object by object at exit took a quarter of a second
    of every run, after the report was printed.  Here the handlers registered with
    :mod:`atexit` still run (logging, multiprocessing, coverage) and both streams are
    flushed; only the freeing is skipped, by ``os._exit``.  An exception that escapes
    ``main`` takes the ordinary way out, traceback and all.
    """
    tune()      # (``python -m vi_sym`` set them before its imports)
    leave(int(main() or 0))
