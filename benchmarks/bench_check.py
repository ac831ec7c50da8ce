"""Benchmark: vi_sym on its catalogue, timed as whole processes, against a naive sympy check.

    python benchmarks/bench_check.py [--runs N] [--timeout S] [--family NAME ...] [--naive-runs M]

Times (median of N runs, each a fresh ``python -m vi_sym check`` process):

* ``python -c "import sympy"`` (the floor: every run imports sympy);
* the default check, cold (``--no-cache``) and warm (a primed ``--cache-dir``), and
  ``--family none`` (cold: proofs only);
* the catalogue with ``--jobs 1`` and ``--jobs 2`` (cold);
* the default check, cold, with vi_sym's modules compiled from source at start-up (every
  other row runs them byte-compiled, as pip installs them; see :func:`compile_package`);
* the pytest plugin on the catalogue, without and with pytest-xdist (``-n 2``), and without
  xdist but with a worker per core (``--vi-sym-jobs 0``), cold;
* a naive approach: for each catalogue step (and conclusion), in its own
  subprocess with the same per-step time limit,
  ``sympy.simplify(lhs.doit() - rhs.doit())`` -- the definitions (KL, E, ELBO)
  unfolded to integrals, every density an abstract positive sympy Function
  (``p_x_given_z(x, z)``), the integrals handed to ``sympy.integrate``.  A step
  is decided when the difference simplifies to 0 (``=``) or provably has the
  right sign (``>=``, ``<=``).  Its total wall time includes one interpreter
  start per step; the compute-only time is shown as well.

Each row has the wall time, the CPU time (user + system, the process and every
worker it started), the wall time over that of ``import sympy`` and the load average it
ran under.  Prints a table with the medians, the ratio vi_sym/naive and the ten slowest
steps (from ``--json`` of a cold run).  Not a test: nothing is asserted.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))      # vi_sym from this checkout, installed or not
CATALOGUE = ROOT / "derivations"


# --------------------------------------------------------------------------- naive child

def naive_step(step_id: str, timeout: float, catalogue=CATALOGUE) -> dict:
    """In a child process: the naive check of one step, under an alarm of ``timeout`` seconds."""
    import signal

    import sympy

    from vi_sym.loader import load_paths
    from vi_sym.vocabulary import Density, unfold_definitions

    derivs, _ = load_paths([str(catalogue)])
    steps = {s.id: s for d in derivs for s in d.steps + ([d.conclusion] if d.conclusion else [])}
    step = steps[step_id]

    from vi_sym.distributions import ConcreteDensity

    def concrete(expr):
        """A claim on defined densities, the naive way: each density its pdf, each
        integral a definite one over the support (a sum over a finite support)."""
        supports = {}
        for d in expr.atoms(ConcreteDensity):
            for v, c in d.components().items():
                supports.setdefault(v, c.support())
        expr = expr.xreplace({d: sympy.Mul(*[c.pdf() for c in d.components().values()])
                              for d in expr.atoms(ConcreteDensity)})

        def bound(integral):
            f = integral.function
            for (v,) in integral.limits:
                sup = supports.get(v, ("real",))
                if sup[0] == "finite":
                    f = sympy.Add(*[f.subs(v, k) for k in sup[1]])
                elif sup[0] == "count":
                    f = sympy.Sum(f, (v, 0, sympy.oo))
                else:
                    lo, hi = (-sympy.oo, sympy.oo) if sup[0] == "real" else sup[1:]
                    f = sympy.Integral(f, (v, lo, hi))
            return f
        return expr.replace(lambda e: isinstance(e, sympy.Integral), bound)

    def abstract(expr):
        if expr.atoms(ConcreteDensity):
            return concrete(expr)
        reps = {}
        for d in expr.atoms(Density):
            label = f"{d.name}_{''.join(map(str, d.vars))}"
            if d.given:
                label += f"_given_{''.join(map(str, d.given))}"
            reps[d] = sympy.Function(label, positive=True)(*d.vars, *d.given)
        return expr.xreplace(reps)

    class Timeout(Exception):
        pass

    def on_alarm(*_):
        raise Timeout

    signal.signal(signal.SIGALRM, on_alarm)
    t0 = time.perf_counter()
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        lhs, rhs = abstract(unfold_definitions(step.lhs)), abstract(unfold_definitions(step.rhs))
        # .doit() hands every unfolded integral to sympy.integrate (integrate(f) alone
        # refuses an expression in several symbols)
        diff = sympy.simplify(lhs.doit() - rhs.doit())
        if step.rel == "=":
            outcome = "proved" if diff == 0 else ("refuted" if diff.is_number else "undecided")
        else:
            sign = diff if step.rel == ">=" else -diff
            outcome = ("proved" if sign.is_nonnegative is True else
                       "refuted" if sign.is_negative is True else "undecided")
    except Timeout:
        outcome = "timeout"
    except Exception as exc:  # noqa: BLE001 -- a crash is an outcome
        outcome = f"error: {type(exc).__name__}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return {"id": step_id, "outcome": outcome, "seconds": time.perf_counter() - t0}


# --------------------------------------------------------------------------- parent

def _env(**extra):
    return dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
                NO_COLOR="1", **extra)


def compile_package() -> None:
    """Byte-compile vi_sym, as pip does when it installs a package (sympy, hypothesis and
    numpy are timed from their compiled modules too).  Without it, where
    PYTHONDONTWRITEBYTECODE is set, every run would compile vi_sym's modules from source
    again; the row "no bytecode" times that case."""
    import compileall
    compileall.compile_dir(str(ROOT / "vi_sym"), quiet=1)


def _cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def timed(cmd, env=None) -> tuple:
    """(wall seconds, CPU seconds of the process and its workers, CompletedProcess)."""
    c0, t0 = _cpu(), time.perf_counter()
    p = subprocess.run(cmd, cwd=ROOT, env=env or _env(), capture_output=True, text=True)
    return time.perf_counter() - t0, _cpu() - c0, p


LAST_CPU = [0.0]
LOAD = ["?"]
LOADS: list = []       # the 1-minute load average as each row's runs began


def run_vi_sym(args: list, json_path=None, catalogue=CATALOGUE) -> tuple:
    """(wall seconds, exit code, parsed JSON or None, verdicts reused from the cache);
    the CPU seconds are left in ``LAST_CPU``."""
    cmd = [sys.executable, "-m", "vi_sym", "check", str(catalogue), *args]
    if json_path:
        cmd += ["--json", str(json_path)]
    wall, LAST_CPU[0], p = timed(cmd)
    data = None
    if json_path and Path(json_path).exists():
        data = json.loads(Path(json_path).read_text())
        Path(json_path).unlink()
    if p.returncode not in (0, 1) or (json_path and data is None):
        tail = (p.stderr.strip().splitlines() or ["?"])[-1]
        print(f"  ! vi_sym {' '.join(args)} exited {p.returncode}: {tail}", file=sys.stderr)
    m = re.search(r"^cache: (\d+) verdict", p.stdout, re.M)
    return wall, p.returncode, data, int(m.group(1)) if m else 0


def run_naive(step_ids, timeout: float, catalogue=CATALOGUE) -> tuple:
    """(total wall seconds, {id: result}) of the naive check, one subprocess per step."""
    results, t0 = {}, time.perf_counter()
    for sid in step_ids:
        cmd = [sys.executable, __file__, "--naive-step", sid, "--timeout", str(timeout),
               "--catalogue", str(catalogue)]
        s0 = time.perf_counter()
        try:
            p = subprocess.run(cmd, cwd=ROOT, env=_env(), capture_output=True, text=True,
                               timeout=timeout + 60)
            res = json.loads(p.stdout.strip().splitlines()[-1]) if p.returncode == 0 else \
                {"id": sid, "outcome": f"crash (exit {p.returncode})", "seconds": 0.0}
        except subprocess.TimeoutExpired:
            res = {"id": sid, "outcome": "hang (killed)", "seconds": timeout + 60}
        res["wall"] = time.perf_counter() - s0
        results[sid] = res
        print(f"  naive {sid:<36} {res['outcome']:<10} {res['seconds']:6.2f}s", file=sys.stderr)
    return time.perf_counter() - t0, results


def _stats(walls):
    return statistics.median(walls), min(walls), max(walls)


def _row(label, runs, run) -> tuple:
    walls, cpus, codes = [], [], set()
    LOADS.append(os.getloadavg()[0])
    for _ in range(runs):
        wall, cpu, p = run()
        walls.append(wall)
        cpus.append(cpu)
        codes.add(p.returncode)
    print(f"  {label}: {[round(w, 2) for w in walls]}", file=sys.stderr)
    return (label, *_stats(walls), statistics.median(cpus), "/".join(map(str, sorted(codes))))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3, help="runs per vi_sym configuration (median; default 3)")
    ap.add_argument("--timeout", type=float, default=20.0, help="per-step time limit, both approaches (default 20)")
    ap.add_argument("--family", action="append", default=[], help="passed to vi_sym check (default: its default)")
    ap.add_argument("--naive-runs", type=int, default=1,
                    help="runs of the naive approach (default 1: it is dominated by time-outs)")
    ap.add_argument("--no-naive", action="store_true", help="skip the naive approach")
    ap.add_argument("--catalogue", default=str(CATALOGUE),
                    help="the directory of derivations to check (default: derivations/)")
    ap.add_argument("--at", metavar="REV",
                    help="check derivations/ as it was at git revision REV (e.g. the 68-step "
                         "catalogue of issue 8: --at 8e93342^), extracted to a temporary directory")
    ap.add_argument("--naive-step", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.naive_step:
        print(json.dumps(naive_step(a.naive_step, a.timeout, Path(a.catalogue))))
        return 0
    if a.at:
        with tempfile.TemporaryDirectory() as tmp:
            archive = subprocess.run(["git", "archive", a.at, "derivations"], cwd=ROOT,
                                     capture_output=True, check=True).stdout
            subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
            return _bench(a, Path(tmp) / "derivations")
    return _bench(a, Path(a.catalogue))


def _bench(a, catalogue: Path) -> int:
    """The benchmark of the derivations in ``catalogue`` (see the module docstring)."""
    LOAD[0] = f"{os.getloadavg()[0]:.1f}"
    common = ["--timeout", str(a.timeout)] + [x for f in a.family for x in ("--family", f)]
    rows, slow = [], None
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"
        jpath = Path(tmp) / "report.json"
        configs = [
            ("vi_sym default, cold (--no-cache)", ["--no-cache"]),
            ("vi_sym default, warm", ["--cache-dir", str(cache)]),
            ("vi_sym --family none, cold", ["--no-cache", "--family", "none"]),
            ("vi_sym --jobs 1, cold", ["--no-cache", "--jobs", "1"]),
            ("vi_sym --jobs 2, cold", ["--no-cache", "--jobs", "2"]),
        ]
        compile_package()
        rows.append(_row('python -c "import sympy"', a.runs,
                         lambda: timed([sys.executable, "-c", "import sympy"])))
        run_vi_sym(common + ["--cache-dir", str(cache)], None, catalogue)   # prime the warm cache
        for label, extra in configs:
            walls, cpus, codes, reused = [], [], set(), set()
            LOADS.append(os.getloadavg()[0])
            for i in range(a.runs):
                wall, code, data, hits = run_vi_sym(common + extra, jpath if i == 0 else None, catalogue)
                walls.append(wall)
                cpus.append(LAST_CPU[0])
                codes.add(code)
                reused.add(hits)
                if data is not None and slow is None and "cold" in label:
                    slow = data
            if "warm" in label:
                label += f", {'/'.join(map(str, sorted(reused)))} reused"
            rows.append((label, *_stats(walls), statistics.median(cpus), "/".join(map(str, sorted(codes)))))
            print(f"  {label}: {[round(w, 2) for w in walls]}", file=sys.stderr)
        # vi_sym's modules compiled from source at every start (a copy without bytecode, never
        # written): a checkout run where PYTHONDONTWRITEBYTECODE is set
        src = Path(tmp) / "nobytecode"
        shutil.copytree(ROOT / "vi_sym", src / "vi_sym", ignore=shutil.ignore_patterns("__pycache__"))
        nobc = dict(_env(PYTHONDONTWRITEBYTECODE="1"), PYTHONPATH=str(src))
        rows.append(_row("vi_sym default, cold, no bytecode", a.runs, lambda: timed(
            [sys.executable, "-m", "vi_sym", "check", str(catalogue), *common, "--no-cache"], nobc)))
        plugin = [sys.executable, "-m", "pytest", str(catalogue), "-q", "-p", "no:cacheprovider",
                  "-p", "no:vi_sym", "-p", "vi_sym.pytest_plugin", "--vi-sym-timeout", str(a.timeout)]
        runs = iter(range(10 ** 6))
        for label, extra in (("-n 0", ["-n", "0"]), ("-n 2", ["-n", "2"]),
                             ("-n 0 --vi-sym-jobs 0", ["-n", "0", "--vi-sym-jobs", "0"])):
            # cold: each run starts from an empty cache directory (as a CI job without a
            # restored cache); the xdist workers share it.  Without -n the plugin checks in
            # one worker process; --vi-sym-jobs 0 gives it one per core instead
            rows.append(_row(f"pytest derivations/ {label}, cold", a.runs, lambda extra=extra: timed(
                plugin + ["-p", "xdist", *extra, "--vi-sym-cache-dir", str(Path(tmp) / f"pc{next(runs)}")])))

    from vi_sym.loader import load_paths
    derivs, _ = load_paths([str(catalogue)])
    ids = [s.id for d in derivs for s in d.steps + ([d.conclusion] if d.conclusion else [])]
    naive_walls, naive = [], {}
    for _ in range(0 if a.no_naive else max(1, a.naive_runs)):
        wall, naive = run_naive(ids, a.timeout, catalogue)
        naive_walls.append(wall)
    n_med, n_min, n_max = _stats(naive_walls or [float("nan")])
    compute = sum(r["seconds"] for r in naive.values())
    counts = {}
    for r in naive.values():
        key = r["outcome"].split(":")[0].split(" (")[0]
        counts[key] = counts.get(key, 0) + 1

    print()
    print(f"vi_sym benchmark: {len(ids)} steps and conclusions in {catalogue}, "
          f"time limit {a.timeout:g} s per step, {os.cpu_count()} CPUs, "
          f"load average before/after {LOAD[0]} / {os.getloadavg()[0]:.1f}, "
          f"vi_sym flags: {' '.join(common)}")
    print()
    floor = rows[0][1]
    naive_col = bool(naive)
    head = f" {'vi_sym/naive':>12} |" if naive_col else ""
    print(f"| {'configuration':<40} | {'median s':>8} | {'min s':>7} | {'max s':>7} | {'CPU s':>6} | "
          f"{'× sympy':>7} | {'load':>5} | {'exit':>4} |" + head)
    print(f"|{'-' * 42}|{'-' * 10}|{'-' * 9}|{'-' * 9}|{'-' * 8}|{'-' * 9}|{'-' * 7}|{'-' * 6}|"
          + (f"{'-' * 14}|" if naive_col else ""))
    for (label, med, lo, hi, cpu, codes), load in zip(rows, LOADS):
        print(f"| {label:<40} | {med:8.2f} | {lo:7.2f} | {hi:7.2f} | {cpu:6.2f} | {med / floor:7.1f} | "
              f"{load:5.1f} | {codes:>4} |" + (f" {med / n_med:12.4f} |" if naive_col else ""))
    if naive_col:
        print(f"| {'naive simplify(integrate), 1 proc/step':<40} | {n_med:8.2f} | {n_min:7.2f} | {n_max:7.2f} | "
              f"{'':>6} | {'':>7} | {'':>5} | {'':>4} | {1:12.4f} |")
        print(f"| {'  naive, compute only (no start-up)':<40} | {compute:8.2f} | {'':>7} | {'':>7} | {'':>6} | "
              f"{'':>7} | {'':>5} | {'':>4} | {rows[1][1] / compute if compute else float('nan'):12.4f} |")
    print()
    print("CPU s: user + system time of the process and every worker it started; × sympy: the "
          "median wall time over that of `python -c \"import sympy\"`; load: the 1-minute load "
          "average as the row's runs began (wall times on a shared machine are inflated by it).")
    print()
    if slow:
        s = slow["summary"]
        decided = s["PROVED"] + s["SPOT-CHECKED"] + s["FAILED"]
        print(f"vi_sym decides {decided}/{s['total']} (PROVED {s['PROVED']}, SPOT-CHECKED {s['SPOT-CHECKED']}, "
              f"FAILED {s['FAILED']}, UNKNOWN {s['UNKNOWN']}, ERROR {s['ERROR']})", end="; " if naive else "\n")
    if naive:
        print("naive: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) + f" of {len(ids)}")
    if slow:
        print()
        print("ten slowest steps (vi_sym cold run, --json 'seconds'; naive outcome and time alongside):")
        print()
        print(f"| {'step':<36} | {'vi_sym':<12} | {'s':>6} | {'naive':<10} | {'s':>6} |")
        print(f"|{'-' * 38}|{'-' * 14}|{'-' * 8}|{'-' * 12}|{'-' * 8}|")
        for r in sorted(slow["results"], key=lambda r: -r["seconds"])[:10]:
            n = naive.get(r["id"], {"outcome": "-", "seconds": float("nan")})
            print(f"| {r['id']:<36} | {r['status']:<12} | {r['seconds']:6.2f} | {n['outcome']:<10} | "
                  f"{n['seconds']:6.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
