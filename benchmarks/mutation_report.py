"""Full mutation report: every mutant of every correct catalogue step, checked.

    python benchmarks/mutation_report.py [--samples 20] [--seed 0] [--jobs N] [--out FILE]

Prints the table of ``python -m vi_sym mutate`` (generated, FAILED, UNKNOWN, wrongly
PROVED, equivalent, true mutants, survivors, per operator) and the wall time.  Not a
test: the suite runs a seeded sample (tests/test_mutate.py).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vi_sym.loader import load_paths  # noqa: E402
from vi_sym.mutate import run_mutation, table  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--out", help="also write the table to this file")
    args = ap.parse_args()
    derivs, errors = load_paths([str(ROOT / "derivations")])
    if errors:
        for e in errors:
            print(f"error: {e}", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    generated, results = run_mutation(derivs, samples=args.samples, seed=args.seed, jobs=args.jobs)
    text = table(generated, results) + f"\n\nwall time {time.perf_counter() - t0:.1f}s"
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    return 1 if any(r.outcome == "wrongly-proved" for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
