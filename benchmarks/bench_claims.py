"""Benchmark: every closed-form claim of the catalogue (``define``d densities), one at a time,
cold, against plain sympy ``integrate`` on the same claims.

    python benchmarks/bench_claims.py [--timeout S] [--no-sympy | --no-vi-sym] [--only SUBSTRING]

For each claim, a fresh process (nothing memoised from another claim) loads vi_sym and then
times, in CPU seconds of that process, what ``python -m vi_sym check`` does for the claim:
the proof by the moment lemmas, the spot-check against the defining integrals (every family
that applies, 50 draws, seed 0) and, for a FAILED claim, the likely-fix search.  The
interpreter start and the imports are not counted (they are the same for every claim; see
``bench_check.py`` for whole runs).  Plain sympy: ``simplify(integrate(lhs) - integrate(rhs))``
with each density's pdf written out and every integral definite over its support (the naive
check of ``bench_check.py``), under the same time limit; a claim is decided when that
difference is 0 (proved) or a nonzero number (refuted).  The time limit counts the child's CPU
seconds on both sides (the user-time timer, ``ITIMER_VIRTUAL``: a claim gets the same budget
whatever else the machine runs), and both sides' times are CPU seconds.  Not a test: nothing
is asserted.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CATALOGUE = ROOT / "derivations"


def claim_child(step_id: str, timeout: float) -> dict:
    """In a child process: vi_sym's check of one claim, CPU seconds after the imports."""
    from vi_sym import judge as J
    from vi_sym.core import Status
    from vi_sym.fixes import suggest_fixes
    from vi_sym.loader import load_paths
    from vi_sym.settings import Settings

    J.load()
    derivs, _ = load_paths([str(CATALOGUE)])
    step = {s.id: s for d in derivs for s in d.steps}[step_id]
    settings = Settings(families=("all",))

    def on_alarm(*_):
        raise TimeoutError

    signal.signal(signal.SIGVTALRM, on_alarm)
    signal.setitimer(signal.ITIMER_VIRTUAL, timeout, 0.05)   # re-fires if a handler swallows it
    c0 = time.process_time()
    status, fixes, fix_cpu = "UNKNOWN (timeout)", 0, 0.0
    try:
        result = J.judge(step, settings)
        status = result.status.value
        if result.status is Status.FAILED:
            f0 = time.process_time()
            fixes = len(suggest_fixes(step, settings.families, samples=20, seed=0))
            fix_cpu = time.process_time() - f0
    except TimeoutError:
        pass
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
    return {"id": step_id, "status": status, "cpu": time.process_time() - c0, "fix_cpu": fix_cpu,
            "fixes": fixes}


class _CPUTimeout(Exception):
    pass


def naive_child(step_id: str, timeout: float) -> dict:
    """In a child process: ``bench_check.py``'s plain-sympy check of one claim, under a limit of
    ``timeout`` CPU seconds (its own wall-clock alarm is set far beyond), timed in CPU seconds."""
    sys.path.insert(0, str(Path(__file__).parent))
    import types

    import bench_check

    def on_alarm(*_):
        raise _CPUTimeout

    signal.signal(signal.SIGVTALRM, on_alarm)
    start = []

    def clock():
        """The naive check's clock (it reads time.perf_counter() when its check starts, after
        loading the catalogue, and when it ends): CPU seconds; the limit is armed at the start."""
        if not start:
            start.append(time.process_time())
            signal.setitimer(signal.ITIMER_VIRTUAL, timeout, 0.05)   # re-fires if a handler swallows it
        return time.process_time()

    bench_check.time = types.SimpleNamespace(perf_counter=clock)
    try:
        res = bench_check.naive_step(step_id, 100 * timeout)
    except _CPUTimeout:
        res = {"id": step_id, "outcome": "timeout", "seconds": time.process_time() - start[0]}
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
    if res["outcome"] == f"error: {_CPUTimeout.__name__}":
        res["outcome"] = "timeout"
    return res


def _child(args, timeout):
    try:
        p = subprocess.run([sys.executable, __file__, *args], cwd=ROOT, capture_output=True, text=True,
                           timeout=100 * timeout + 600)    # wall: only a hang; the limit is CPU time
    except subprocess.TimeoutExpired:     # a computation that ignored the alarm: undecided
        return {"id": args[1], "status": "UNKNOWN (hung)", "cpu": timeout, "fix_cpu": 0.0, "fixes": 0,
                "outcome": "hang (killed)", "seconds": timeout}
    if p.returncode != 0:
        return None
    return json.loads(p.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--timeout", type=float, default=20.0,
                    help="per-claim limit in CPU seconds, both (default 20)")
    ap.add_argument("--no-sympy", action="store_true", help="skip plain sympy integrate")
    ap.add_argument("--no-vi-sym", action="store_true", help="only plain sympy integrate")
    ap.add_argument("--json", help="also write every row to this file")
    ap.add_argument("--shard", default="0/1", help="J/K: only the claims whose position is J modulo K "
                                                   "(run K shards side by side; times are CPU seconds)")
    ap.add_argument("--skip", help="a file of claim ids (one a line) not to run again")
    ap.add_argument("--only", default="", help="claims whose id contains this")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--naive-child", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        print(json.dumps(claim_child(a.child, a.timeout)))
        return 0
    if a.naive_child:
        print(json.dumps(naive_child(a.naive_child, a.timeout)))
        return 0

    from vi_sym.claims import is_concrete
    from vi_sym.loader import load_paths

    derivs, _ = load_paths([str(CATALOGUE)])
    ids = [s.id for d in derivs for s in d.steps if not s.error and is_concrete(s) and a.only in s.id]
    j, k = (int(x) for x in a.shard.split("/"))
    skip = set(Path(a.skip).read_text().split()) if a.skip else set()
    ids = [sid for i, sid in enumerate(ids) if i % k == j and sid not in skip]
    load0 = os.getloadavg()[0]
    rows = []
    for sid in ids:
        mine = {"status": "-", "cpu": float("nan"), "fix_cpu": 0.0, "fixes": 0}
        if not a.no_vi_sym:
            mine = _child(["--child", sid, "--timeout", str(a.timeout)], a.timeout) or \
                dict(mine, status="crash")
        plain = {"outcome": "-", "seconds": float("nan")}
        if not a.no_sympy:
            plain = _child(["--naive-child", sid, "--timeout", str(a.timeout)], a.timeout) or \
                {"outcome": "crash", "seconds": float("nan")}
        rows.append((sid, mine, plain))
        print(f"  {sid:<40} {mine['status']:<13} {mine['cpu']:6.2f}s (fixes {mine['fix_cpu']:.2f}s, "
              f"{mine['fixes']})  sympy: {plain['outcome']:<10} {plain['seconds']:6.2f}s", file=sys.stderr)
    if a.json:
        Path(a.json).write_text(json.dumps([{"id": sid, "vi_sym": m, "sympy": p} for sid, m, p in rows],
                                           indent=1))
    _print(rows, a, load0)
    return 0


def _print(rows, a, load0):
    cpus = [m["cpu"] for _, m, _ in rows if m["cpu"] == m["cpu"]]
    decided = [m for _, m, _ in rows if m["status"] in ("PROVED", "SPOT-CHECKED", "FAILED")]
    plain_decided = [p for _, _, p in rows if p["outcome"] in ("proved", "refuted")]
    plain_time = sum(p["seconds"] for _, _, p in rows if p["seconds"] == p["seconds"])
    print()
    print(f"closed-form claims: {len(rows)} in {CATALOGUE.name}/, time limit {a.timeout:g} s, "
          f"{os.cpu_count()} CPUs, load average {load0:.1f} before / {os.getloadavg()[0]:.1f} after")
    print()
    print("| | claims decided | median s | worst s | ≤ 1 s | ≤ 3 s | total s |")
    print("|---|---|---|---|---|---|---|")
    if cpus and not a.no_vi_sym:
        print(f"| vi_sym (proof + spot-check + fixes, CPU) | {len(decided)}/{len(rows)} | "
              f"{statistics.median(cpus):.2f} | {max(cpus):.2f} | {sum(c <= 1 for c in cpus)} | "
              f"{sum(c <= 3 for c in cpus)} | {sum(cpus):.1f} |")
    if not a.no_sympy:
        secs = [p["seconds"] for _, _, p in rows if p["seconds"] == p["seconds"]]
        print(f"| plain sympy integrate + simplify (CPU) | {len(plain_decided)}/{len(rows)} | "
              f"{statistics.median(secs):.2f} | {max(secs):.2f} | {sum(c <= 1 for c in secs)} | "
              f"{sum(c <= 3 for c in secs)} | {plain_time:.1f} |")
    print()
    if a.no_vi_sym:
        return
    print("slowest claims (vi_sym CPU s):", ", ".join(
        f"{sid} {m['cpu']:.2f}" for sid, m, _ in sorted(rows, key=lambda r: -r[1]["cpu"])[:8]))


if __name__ == "__main__":
    sys.exit(main())
