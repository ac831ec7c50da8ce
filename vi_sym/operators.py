"""Operators of VI statements beyond KL, E, ELBO and H.

* ``ArgMax(f, target)`` / ``ArgMin(f, target)`` -- ``argmax_q f``, ``argmin_θ f``: the *set* of
  maximisers (minimisers) of ``f`` as ``target`` varies.  The target is a declared parameter
  (``θ``), a density (``q(z1)``: its choice varies, every other factor stays fixed) or a density
  name (``q``: every density of that name varies).  An optimisation statement is an ``=`` between
  two such sets, ``argmin_q KL(q(z) || p(z|x)) = argmax_q ELBO(q(z), p(x,z))``; it never stands
  inside arithmetic.
* ``ExpectationExcept(j, f)`` -- ``E_{-z1}[f]``: the expectation of ``f`` under every factor of
  the declared mean-field ``q`` except the one over ``z1`` (``E_{-1}``: except the first factor).
  It unfolds only against a derivation's declared factorisation (``factorised: q(z1)*q(z2)``).
"""
from __future__ import annotations

import sympy
from sympy import Expr, Integer, Symbol
from sympy.core.symbol import Str

from .vocabulary import Expectation, VocabularyError, joint_vars

__all__ = ["ArgOpt", "ArgMax", "ArgMin", "ExpectationExcept", "is_optimum", "target_label"]


def _check_target(target):
    if isinstance(target, str):
        target = Str(target)
    if isinstance(target, Str):
        if not target.name.isidentifier():
            raise VocabularyError(f"'{target.name}' is not a density name")
        return target
    if isinstance(target, Symbol) or joint_vars(target) is not None:
        return target
    raise VocabularyError("argmax/argmin is taken over a parameter (θ), a density (q(z1)) or a "
                          f"density name (q); got {target}")


def target_label(target) -> str:
    """The subscript as a learner writes it: ``q``, ``q(z1)``, ``θ``."""
    return target.name if isinstance(target, Str) else str(target)


class ArgOpt(Expr):
    """``argmax``/``argmin`` of ``f`` over ``target`` (see the module docstring)."""

    word = ""
    is_commutative = True

    def __new__(cls, f, target):
        if isinstance(f, bool) or not isinstance(f, (Expr, int, float)):
            raise VocabularyError(f"the objective of {cls.word} must be an expression, got {f!r}")
        f = sympy.sympify(f, strict=True)
        if f.has(ArgOpt):
            raise VocabularyError(f"{cls.word} cannot be nested inside another argmax/argmin")
        return Expr.__new__(cls, f, _check_target(target))

    @property
    def f(self):
        return self.args[0]

    @property
    def target(self):
        return self.args[1]

    def _sympystr(self, printer):
        return f"{self.word}_{{{target_label(self.target)}}} {printer._print(self.f)}"

    _vi_sym_vi = _vi_sym_unicode = _sympystr

    def _latex(self, printer):
        t = self.target.name if isinstance(self.target, Str) else printer._print(self.target)
        return rf"\operatorname*{{{self.word}}}_{{{t}}} {printer._print(self.f)}"

    _vi_sym_latex = _latex

    def _vi_sym_mathml(self, printer):
        sub = printer.dom.createElement("munder")
        sub.appendChild(printer._el("mo", self.word))
        sub.appendChild(printer._el("mi", target_label(self.target)))
        return printer._row(sub, printer._print(self.f))


class ArgMax(ArgOpt):
    word = "argmax"


class ArgMin(ArgOpt):
    word = "argmin"


def is_optimum(e) -> bool:
    return isinstance(e, ArgOpt)


class ExpectationExcept(Expr):
    """``E_{-j}[f]``: the expectation under every declared factor but the one over ``j`` (a
    latent variable) or the ``j``-th (a positive integer)."""

    is_commutative = True

    def __new__(cls, j, f):
        if isinstance(j, int) and not isinstance(j, bool):
            j = Integer(j)
        if not (isinstance(j, Symbol) or (isinstance(j, Integer) and j > 0)):
            raise VocabularyError(f"E_{{-j}} leaves out a latent variable (E_{{-z1}}) or a factor by "
                                  f"its position (E_{{-1}}); got {j}")
        if isinstance(f, bool) or not isinstance(f, (Expr, int, float)):
            raise VocabularyError(f"the body of an expectation must be an expression, got {f!r}")
        return Expr.__new__(cls, j, sympy.sympify(f, strict=True))

    @property
    def j(self):
        return self.args[0]

    @property
    def f(self):
        return self.args[1]

    def _eval_is_extended_real(self):
        return self.f.is_extended_real

    def factors_left(self, factors):
        """The declared factors other than the one left out, or None when ``j`` names no factor."""
        factors = list(factors)
        if isinstance(self.j, Integer):
            k = int(self.j)
            return None if k > len(factors) else factors[:k - 1] + factors[k:]
        left = [d for d in factors if self.j not in d.vars]
        return None if len(left) == len(factors) else left

    def unfold(self, factors):
        """``E_{∏_{i≠j} q_i}[f]`` (just ``f`` when no factor is left), or None."""
        left = self.factors_left(factors)
        if left is None:
            return None
        if not left:
            return self.f
        return Expectation(sympy.Mul(*left) if len(left) > 1 else left[0], self.f)

    def _sympystr(self, printer):
        return f"E_{{-{printer._print(self.j)}}}[{printer._print(self.f)}]"

    _vi_sym_vi = _vi_sym_unicode = _sympystr

    def _latex(self, printer):
        return rf"\mathbb{{E}}_{{-{printer._print(self.j)}}}\left[{printer._print(self.f)}\right]"

    _vi_sym_latex = _latex

    def _vi_sym_mathml(self, printer):
        sub = printer.dom.createElement("msub")
        sub.appendChild(printer._el("mi", "\U0001D53C"))
        sub.appendChild(printer._el("mi", f"-{self.j}"))
        return printer._row(sub, printer._el("mo", "["), printer._print(self.f), printer._el("mo", "]"))

