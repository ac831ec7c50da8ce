"""The spot-checker protocol and its registry.

A :class:`SpotChecker` evaluates one derivation step numerically at many parameter points
and says SPOT-CHECKED, FAILED (with a certified counterexample), UNKNOWN or NOT-APPLICABLE.
Model families (:mod:`vi_sym.spot.families`) and claims about ``define``d densities
(:mod:`vi_sym.spot.claims`) implement it; both search with the one driver of
:mod:`vi_sym.spot.driver`.

A new kind of checker is one module plus one :func:`register_checker` call (a checker, or a
*provider*: a function returning checkers, read afresh at every call so that it follows a
registry of its own, such as :data:`vi_sym.families.FAMILIES`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Protocol, runtime_checkable
from sympy import Derivative
from sympy.core.function import AppliedUndef

from ..operators import ArgOpt

__all__ = ["SpotResult", "SpotChecker", "register_checker", "unregister_checker",
           "registered_checkers", "applicable_checkers"]


@dataclass
class SpotResult:
    family: str
    status: str            # 'SPOT-CHECKED' | 'FAILED' | 'UNKNOWN' | 'NOT-APPLICABLE'
    n_checked: int         # points where both sides evaluated
    n_total: int           # points tried
    max_error: float       # max |lhs-rhs| ('='), max violation (inequalities, 0 if none)
    counterexample: dict | None   # {'params', 'lhs', 'rhs', 'difference', ...}
    reason: str            # why UNKNOWN / NOT-APPLICABLE, or a one-line summary


@runtime_checkable
class SpotChecker(Protocol):
    """What the judge needs of a numeric checker.

    ``name``: the name shown in reports and selectable with ``--family``;
    ``batch``: checks with the same key may run as one batch sharing their draws (None: on
    its own); a checker whose draws depend on the step may instead have ``batch_of(step)``
    (optional), the key for that step's check;
    ``always``: True when the checker runs whatever families are selected (as long as
    spot-checking is on at all) -- claims about defined densities are checked against their
    own integrals, not in a model family;
    ``applies(step)``: can this checker give the step a meaning (cheap, never raises);
    ``check(step, samples, seed, tol)``: the verdict (deterministic for a given seed).
    """

    name: str
    always: bool
    batch: object

    def applies(self, step) -> bool: ...

    def check(self, step, samples: int = 50, seed: int = 0, tol: float = 1e-6) -> SpotResult: ...


_REGISTRY: list = []   # SpotChecker instances or providers () -> iterable of SpotCheckers


def register_checker(checker_or_provider) -> None:
    """Register a :class:`SpotChecker` (or a zero-argument function returning checkers)."""
    if not (isinstance(checker_or_provider, SpotChecker) or callable(checker_or_provider)):
        raise TypeError(f"expected a SpotChecker or a provider of them, got {checker_or_provider!r}")
    if checker_or_provider not in _REGISTRY:
        _REGISTRY.append(checker_or_provider)


def unregister_checker(checker_or_provider) -> None:
    """Undo :func:`register_checker` (a no-op when it was not registered)."""
    if checker_or_provider in _REGISTRY:
        _REGISTRY.remove(checker_or_provider)


def registered_checkers() -> list:
    """Every registered checker, providers expanded, in registration order."""
    out = []
    for entry in _REGISTRY:
        items: Iterable = [entry] if isinstance(entry, SpotChecker) else entry()
        out.extend(c for c in items if all(c.name != o.name for o in out))
    return out


def applicable_checkers(step, families: Iterable[str] = ("all",)) -> list:
    """The checkers to run on ``step``: those named in ``families`` (``"all"`` = every
    registered checker; names kept in the order given) plus the ``always`` ones, that
    apply to the step.  An empty ``families`` turns spot-checking off (``[]``); an unknown
    name raises KeyError listing the known ones."""
    families = tuple(families)
    if not families:
        return []
    every = registered_checkers()
    by_name = {c.name: c for c in every}
    chosen: list = [c for c in every if getattr(c, "always", False)]
    for name in families:
        if name == "all":
            picks = every
        elif name in by_name:    # a family's lifted checkers come with it
            picks = [by_name[name]] + [c for c in every if getattr(c, "base_family", None) == name]
        else:
            raise KeyError(f"unknown family {name!r}; known: "
                           f"{', '.join(c.name for c in every if not getattr(c, 'always', False))}")
        chosen.extend(c for c in picks if c not in chosen)
    if _optimisation(step):  # only a checker that refutes sets through a certified member
        chosen = [c for c in chosen if getattr(c, "takes_optimisation", False)]
    if _functions(step):     # f has no value: only a checker that substitutes test functions
        chosen = [c for c in chosen if getattr(c, "takes_functions", False)]
    if has_gradient(step):   # ∇_φ: only a checker that differentiates (none yet: see judge.why_untested)
        chosen = [c for c in chosen if getattr(c, "takes_gradients", False)]
    return [c for c in chosen if _applies(c, step)]


def _optimisation(step) -> bool:
    """An argmax/argmin statement compares sets of maximisers, not numbers: no family
    evaluates it, only a checker that ``takes_optimisation`` (``judge.why_untested`` says so
    once, not once per family, when none applies)."""
    return any(getattr(side, "has", lambda *_: False)(ArgOpt) for side in (step.lhs, step.rhs))


def has_gradient(step) -> bool:
    """Does the step take a gradient (``∇_φ f``)?  The model families draw their parameters but
    evaluate no derivative in them: a gradient step is proved or left UNKNOWN, never evaluated
    through a renaming of φ onto a family's coordinates."""
    return any(getattr(side, "has", lambda *_: False)(Derivative) for side in (step.lhs, step.rhs))


def _functions(step) -> bool:
    """Does the step apply a declared function (``functions: f``)?"""
    return any(side.atoms(AppliedUndef) for side in (step.lhs, step.rhs))


def _applies(checker, step) -> bool:
    try:
        return bool(checker.applies(step))
    except Exception:  # noqa: BLE001 -- a checker that cannot tell does not apply
        return False


Provider = Callable[[], Iterable[SpotChecker]]
