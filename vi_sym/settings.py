"""The settings of a check: everything that determines a report (and so keys the cache).

:func:`validate` is the one place where a setting's type and range are checked, whoever gives
it: the command line (``--timeout``, ``--samples``, ...), the pytest plugin
(``--vi-sym-timeout``, ...) and ``Step.check(...)`` / ``Derivation.check(...)`` in a notebook.
A bad value is a :class:`SettingError` (a ValueError, or a TypeError for a wrong type) whose
message names the setting and what it must be -- never a traceback deeper down (an infinite
time limit overflowing a timer, a NaN one disabling it).
"""
from __future__ import annotations

import math
import numbers
import os
from dataclasses import dataclass, fields

MAX_TIMEOUT = 86400.0          # a day: beyond it a "limit" is no limit (and overflows timers)
MAX_SAMPLES = 1_000_000
MAX_JOBS = 1024


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
    fix_timeout: float = 5.0       # seconds the likely-fix search of one step may take
    strict: bool = False           # an UNKNOWN verdict fails the run (exit 1)

    def resolved_jobs(self) -> int:
        return self.jobs if self.jobs > 0 else (os.cpu_count() or 1)


class SettingError(ValueError):
    """A setting out of range (a ValueError) -- see :class:`SettingTypeError` for a wrong type."""


class SettingTypeError(SettingError, TypeError):
    """A setting of the wrong type (both a TypeError and a ValueError)."""


def _int(name, value, lo, hi, flag):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise SettingTypeError(f"{flag(name)} must be a whole number, got {value!r}")
    if not lo <= value <= hi:
        raise SettingError(f"{flag(name)} must be between {lo} and {hi}, got {value}")
    return int(value)


def _real(name, value, lo, hi, flag, what):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise SettingTypeError(f"{flag(name)} must be a number ({what}), got {value!r}")
    value = float(value)
    if not math.isfinite(value) or not lo < value <= hi:
        raise SettingError(f"{flag(name)} must be {what}, got {value:g}")
    return value


def _families(value, flag):
    if isinstance(value, str) or not isinstance(value, (list, tuple)) or \
            not all(isinstance(f, str) for f in value):
        raise SettingTypeError(f"{flag('families')} must be a list of family names "
                               f"(e.g. [\"all\"] or [\"normal-normal\"]), got {value!r}")
    return tuple(value)


def _plain(name: str) -> str:
    return name


def validate(settings: Settings, flag=_plain) -> Settings:
    """``settings`` with every value checked (and numbers normalised), or a SettingError naming
    the setting as ``flag(name)`` (e.g. ``--timeout``) and what it must be."""
    s = settings
    s.timeout = _real("timeout", s.timeout, 0.0, MAX_TIMEOUT, flag,
                      f"a finite number of seconds in (0, {MAX_TIMEOUT:g}]")
    s.fix_timeout = _real("fix_timeout", s.fix_timeout, 0.0, MAX_TIMEOUT, flag,
                          f"a finite number of seconds in (0, {MAX_TIMEOUT:g}]")
    s.samples = _int("samples", s.samples, 1, MAX_SAMPLES, flag)
    s.jobs = _int("jobs", s.jobs, 0, MAX_JOBS, flag)
    s.seed = _int("seed", s.seed, -(2 ** 63), 2 ** 63 - 1, flag)
    s.tol = _real("tol", s.tol, 0.0, 1.0, flag, "a finite tolerance in (0, 1]")
    s.families = _families(s.families, flag)
    for name in ("fixes", "strict"):
        if not isinstance(getattr(s, name), bool):
            raise SettingTypeError(f"{flag(name)} must be True or False, got {getattr(s, name)!r}")
    return s


NAMES = tuple(f.name for f in fields(Settings))


def check_settings(**given) -> Settings:
    """The settings of ``Step.check(...)`` / ``Derivation.check(...)``: the command line's
    defaults (every applicable family) with ``given`` checked on top (see :func:`from_keywords`)."""
    return from_keywords(Settings(families=("all",)), **given)


def from_keywords(defaults: Settings | None = None, **given) -> Settings:
    """Settings from keyword arguments (the notebook's ``check(...)``): an unknown keyword is a
    TypeError listing the known ones; every value is checked by :func:`validate`."""
    unknown = sorted(set(given) - set(NAMES))
    if unknown:
        raise SettingTypeError(f"check() got an unexpected keyword argument {unknown[0]!r}; "
                               f"it takes {', '.join(NAMES)}")
    s = defaults or Settings()
    for k, v in given.items():
        setattr(s, k, v)
    return validate(s)
