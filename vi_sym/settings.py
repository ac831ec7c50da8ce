"""The settings of a check: everything that determines a report (and so keys the cache)."""
from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass
class Settings:
    """Everything that determines a report (and so keys the cache)."""

    timeout: float = 20.0
    jobs: int = 0                  # 0: the machine's cores
    families: tuple = ()           # family names to spot-check in ("all" expands)
    samples: int = 50
    seed: int = 0
    tol: float = 1e-6
    fixes: bool = True             # look for likely fixes of FAILED steps

    def resolved_jobs(self) -> int:
        return self.jobs if self.jobs > 0 else (os.cpu_count() or 1)
