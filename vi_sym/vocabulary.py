"""The vocabulary of a VI derivation, as sympy objects.

* ``Density(name, vars, given)`` -- a probability density ``p(x|z)``, ``p(x,z)``,
  ``p(z)``, ``q(z)``.  Every density is assumed strictly positive and finite on
  the support of the latent (the standing assumption of every log rewrite).
* ``KL(P, Q)`` -- ``KL(P||Q)``; unfolds by definition to ``∫ P log(P/Q) dv``.
* ``Expectation(q, f)`` -- ``E_q[f]``; unfolds to ``∫ q f dv``.
* ``ELBO(q, joint)`` -- ``L(q)``; unfolds to ``E_q[log(joint/q)]``.

Wherever a density is expected (the first or second argument of KL, the ``q`` of E,
ELBO and H) a *product* of densities may stand for the joint density it defines, e.g. the
mean-field ``q(z1)*q(z2)`` as a density of ``(z1, z2)``: the factors must be over disjoint
variables and be chained (each factor conditioned only on variables of earlier factors or
on variables outside the product), so the product integrates to 1 (:func:`joint_vars`).

Integrals are sympy's own unevaluated ``Integral(f, v)``.  vi_sym reads
``∫ · dv`` as integration against the latent's base measure, so every rule
stated for integrals holds verbatim for sums over a discrete latent.
"""
from __future__ import annotations

import sympy
from sympy import Expr, Indexed, Integral, Symbol, Tuple, log
from sympy.core.symbol import Str

from .memo import Memo

__all__ = [
    "Density", "KL", "Expectation", "ELBO", "Entropy", "Integral", "log", "density",
    "unfold_definitions", "VocabularyError", "VocabularyTypeError", "nonreal_part", "describe_nonreal",
    "joint_vars", "is_density_like", "is_optimum_name", "Const",
]


class VocabularyError(ValueError):
    """A vocabulary object was built from arguments that do not type-check."""


class VocabularyTypeError(VocabularyError, TypeError):
    """A vocabulary object was given an argument of the wrong Python type (``Density(3, …)``)."""


def _as_symbols(seq, what):
    if isinstance(seq, str):
        seq = [seq]                 # one variable's name, not its letters
    try:
        seq = list(seq)
    except TypeError:
        raise VocabularyTypeError(f"{what} must be a list of variables (sympy Symbols or names), "
                                  f"got {type(seq).__name__}") from None
    out = []
    for v in seq:
        if isinstance(v, str):
            if not v.isidentifier():
                raise VocabularyError(f"{what}: '{v}' is not a variable name")
            v = Symbol(v)
        if isinstance(v, Indexed) and isinstance(v.base.label, Symbol) and \
                all(isinstance(i, Symbol) or (i.is_Integer and i > 0) for i in v.indices):
            out.append(v)          # a data point x[n] of an i.i.d. data set, a coordinate z[j] or z[1]
            continue
        if not isinstance(v, Symbol):
            raise VocabularyTypeError(f"{what} must be variables (sympy Symbols or names), got {v!r}")
        out.append(v)
    return out


def _nonreal_node(e) -> bool:
    if not isinstance(e, Expr):
        return False
    if e.is_number:
        return bool(e.has(sympy.nan)) or e.is_extended_real is False
    if isinstance(e, sympy.Pow):        # (negative)^(not an integer), e.g. sqrt(-p(x))
        return e.base.is_negative is True and e.exp.is_integer is False
    if isinstance(e, log):              # log of a negative quantity
        return e.args[0].is_negative is True
    return False


def nonreal_part(expr, deep: bool = True):
    """The first part of ``expr`` that is provably not a real number -- the imaginary unit (from
    ``sqrt(-1)``, ``(-1)^(1/2)``, ``log(-1)``), ``(-8)^(1/3)``, ``zoo`` (``1/0``, ``log(0)``),
    ``nan``, the log or square root of a negative quantity -- or None.  ``deep=False`` looks at
    ``expr`` and its arguments only (enough for a node built from already-checked parts)."""
    if not isinstance(expr, sympy.Basic):
        return None
    nodes = sympy.preorder_traversal(expr) if deep else (expr, *expr.args)
    for e in nodes:
        if _nonreal_node(e):
            return e
    return None


def describe_nonreal(part) -> str:
    """What a part found by :func:`nonreal_part` is, in words."""
    if part.has(sympy.zoo):
        return "an infinite value of no definite sign (such as 1/0 or log(0))"
    if part.has(sympy.nan):
        return "an undefined value"
    if part == sympy.I:
        return "the imaginary unit I"
    if part.has(sympy.I):
        return f"the imaginary number {part}"
    return f"{part}, which is not a real number"


class Density(Expr):
    """A density ``name(vars | given)``, e.g. ``p(x|z)``; strictly positive."""

    is_commutative = True

    def __new__(cls, name, vars, given=()):
        if isinstance(name, Str):
            name = name.name
        if not isinstance(name, str):
            raise VocabularyTypeError(f"the name of a density must be text such as 'p' or 'q', "
                                      f"got {type(name).__name__} {name!r}")
        if not name.isidentifier():
            raise VocabularyError(f"'{name}' is not a density name")
        name = Str(name)
        vs = _as_symbols(vars, "density arguments")
        gs = _as_symbols(given, "conditioning variables")
        if not vs:
            raise VocabularyError(f"density {name} needs at least one argument")
        if set(vs) & set(gs):
            raise VocabularyError(f"density {name}: a variable is both an argument and conditioned on")
        if len(set(vs)) != len(vs) or len(set(gs)) != len(gs):
            raise VocabularyError(f"density {name}: repeated variable")
        return Expr.__new__(cls, name, Tuple(*vs), Tuple(*gs))

    @property
    def name(self) -> str:
        return self.args[0].name

    @property
    def vars(self) -> tuple:
        return tuple(self.args[1])

    @property
    def given(self) -> tuple:
        return tuple(self.args[2])

    # Standing assumption: densities are positive and finite.
    def _eval_is_positive(self):
        return True

    def _eval_is_extended_real(self):
        return True

    def _eval_is_finite(self):
        return True

    def _eval_is_zero(self):
        return False

    def _label(self, sep=","):
        a = sep.join(str(v) for v in self.vars)
        if self.given:
            return f"{self.name}({a}|{sep.join(str(v) for v in self.given)})"
        return f"{self.name}({a})"

    def _sympystr(self, printer):
        return self._label()

    def _latex(self, printer):
        a = ", ".join(printer._print(v) for v in self.vars)
        if self.given:
            g = ", ".join(printer._print(v) for v in self.given)
            return rf"{self.name}\left({a} \mid {g}\right)"
        return rf"{self.name}\left({a}\right)"


def density(name: str, spec: str) -> Density:
    """``density('p', 'x|z')`` -> ``p(x|z)``; ``density('p', 'x,z')`` -> ``p(x,z)``."""
    left, _, right = spec.partition("|")
    vs = [s.strip() for s in left.split(",") if s.strip()]
    gs = [s.strip() for s in right.split(",") if s.strip()]
    return Density(name, vs, gs)


def _as_expr(value, what):
    """A sympy expression or a number; text is refused (it is never evaluated here: the
    parsers build expressions from text)."""
    if isinstance(value, bool) or not isinstance(value, (Expr, int, float)):
        raise VocabularyTypeError(f"{what} must be a sympy expression or a number, got "
                                  f"{type(value).__name__} {value!r}")
    return sympy.sympify(value, strict=True)


def _chain_order(factors):
    """The factors in an order where each is conditioned only on variables of earlier
    factors or of none of them, or None if there is no such order (q(z1|z2) q(z2|z1))."""
    every = {v for f in factors for v in f.vars}
    covered, left, out = set(), list(factors), []
    while left:
        nxt = next((f for f in left if (set(f.given) & every) <= covered), None)
        if nxt is None:
            return None
        out.append(nxt)
        left.remove(nxt)
        covered |= set(nxt.vars)
    return out


def is_optimum_name(name: str) -> bool:
    """``q_star`` (LaTeX ``q^*``, ``q_1^\\star``): the optimum of some objective -- one
    particular density, so a model family may not stand in for it as for an arbitrary one."""
    return name == "star" or name.endswith("_star") or name.endswith("star") and name[:-4] in ("q", "p")


def joint_vars(d):
    """The variables of a density or of a chained product of densities
    (``q(z1)*q(z2)`` -> ``(z1, z2)``), sorted by name; None for anything else."""
    if isinstance(d, Density):
        return d.vars
    if not isinstance(d, sympy.Mul):
        return None
    factors = d.args
    if len(factors) < 2 or not all(isinstance(f, Density) for f in factors):
        return None
    vs = [v for f in factors for v in f.vars]
    if len(set(vs)) != len(vs) or _chain_order(factors) is None:
        return None
    return tuple(sorted(vs, key=str))


def is_density_like(d) -> bool:
    """A density, or a product of densities that is the density of its variables."""
    return joint_vars(d) is not None


def _need_density(d, what):
    if joint_vars(d) is None:
        if isinstance(d, sympy.Mul) and all(isinstance(f, Density) for f in d.args):
            raise VocabularyError(
                f"{what}: {d} is not a density of its variables (the factors must be over "
                "different variables, each conditioned only on variables of earlier factors)")
        raise VocabularyError(f"{what} must be a density such as q(z) or q(z1)*q(z2), got {d}")
    return d


class KL(Expr):
    """``KL(P||Q) = ∫ P log(P/Q) dv``: both densities over the same variables."""

    def __new__(cls, P, Q):
        _need_density(P, "the first argument of KL")
        _need_density(Q, "the second argument of KL")
        if set(joint_vars(P)) != set(joint_vars(Q)):
            raise VocabularyError(
                f"KL({P}||{Q}): both densities must be over the same variables, "
                f"got {joint_vars(P)} and {joint_vars(Q)}")
        return Expr.__new__(cls, P, Q)

    @property
    def P(self):
        return self.args[0]

    @property
    def Q(self):
        return self.args[1]

    @property
    def variable(self):
        vs = joint_vars(self.P)
        return vs[0] if len(vs) == 1 else vs

    def _eval_is_extended_real(self):
        return True

    def unfold(self):
        P, Q = self.P, self.Q
        return Integral(P * log(P / Q), *joint_vars(P))

    def _sympystr(self, printer):
        return f"KL({printer._print(self.P)}||{printer._print(self.Q)})"

    def _latex(self, printer):
        return rf"\operatorname{{KL}}\left({printer._print(self.P)} \,\middle\|\, {printer._print(self.Q)}\right)"


class Expectation(Expr):
    """``E_q[f] = ∫ q f dv`` where ``v`` are the variables of ``q``."""

    def __new__(cls, q, f):
        _need_density(q, "the distribution of an expectation")
        f = _as_expr(f, "the body of an expectation")
        return Expr.__new__(cls, q, f)

    @property
    def q(self):
        return self.args[0]

    @property
    def f(self):
        return self.args[1]

    def _eval_is_extended_real(self):
        return self.f.is_extended_real

    def unfold(self):
        return Integral(self.q * self.f, *joint_vars(self.q))

    def _sympystr(self, printer):
        if isinstance(self.q, Density):
            return f"E_{printer._print(self.q)}[{printer._print(self.f)}]"
        return f"E_{{{printer._print(self.q)}}}[{printer._print(self.f)}]"

    def _latex(self, printer):
        return rf"\mathbb{{E}}_{{{printer._print(self.q)}}}\left[{printer._print(self.f)}\right]"


class ELBO(Expr):
    """``L(q) = E_q[log(p(x,z)/q(z))]``, the evidence lower bound."""

    def __new__(cls, q, joint):
        _need_density(q, "the argument of ELBO")
        _need_density(joint, "the joint of ELBO")
        if not set(joint_vars(q)) <= set(joint_vars(joint)):
            raise VocabularyError(
                f"ELBO({q}; {joint}): the joint must contain the latent {joint_vars(q)}")
        return Expr.__new__(cls, q, joint)

    @property
    def q(self):
        return self.args[0]

    @property
    def joint(self):
        return self.args[1]

    def _eval_is_extended_real(self):
        return True

    def unfold(self):
        return Expectation(self.q, log(self.joint / self.q))

    def _sympystr(self, printer):
        return f"ELBO({printer._print(self.q)})"

    def _latex(self, printer):
        return rf"\mathcal{{L}}\left({printer._print(self.q)}\right)"


class Entropy(Expr):
    """``H(q) = -E_q[log q]``, the (differential) entropy of ``q``."""

    def __new__(cls, q):
        _need_density(q, "the argument of H")
        return Expr.__new__(cls, q)

    @property
    def q(self):
        return self.args[0]

    def _eval_is_extended_real(self):
        return True

    def unfold(self):
        return -Expectation(self.q, log(self.q))

    def _sympystr(self, printer):
        return f"H({printer._print(self.q)})"

    def _latex(self, printer):
        return rf"\operatorname{{H}}\left({printer._print(self.q)}\right)"


def entropy(*densities):
    """``H(q)``, and the cross-entropy ``H(q, r) = -E_q[log r]`` (read as its definition)."""
    if len(densities) == 1:
        return Entropy(densities[0])
    if len(densities) == 2:
        q, r = densities
        _need_density(r, "the second argument of the cross-entropy H(q, r)")
        return -Expectation(q, log(r))
    raise VocabularyError(f"H() takes a density, or two for the cross-entropy H(q, r) = -E_q[log r]; "
                          f"got {len(densities)} arguments")


def variance(q, f):
    """``Var_q[f] = E_q[f²] - E_q[f]²`` (read as its definition)."""
    return Expectation(q, f ** 2) - Expectation(q, f) ** 2


class Const(Expr):
    """``const(z1)``: some quantity that does not depend on ``z1`` -- a latent variable, or a
    density such as ``q(z1)`` (then: does not depend on the choice of that density).

    It may only be *added* to a side (``log q(z1) = E_q(z2)[log p(x,z1,z2)] + const(z1)``:
    equal up to an additive term free of z1) or *multiply* it (``q(z1) = exp(...) * const(z1)``:
    proportional in z1).  The prover drops every const of a step and proves that what is left
    of ``lhs - rhs`` (of ``log lhs - log rhs``) is free of the target: one const never cancels
    another.
    """

    is_commutative = True

    def __new__(cls, target):
        if not (isinstance(target, Symbol) or joint_vars(target) is not None):
            raise VocabularyError(f"const(...) takes a variable or a density, e.g. const(z1) or "
                                  f"const(q(z1)); got {target}")
        return Expr.__new__(cls, target)

    @property
    def target(self):
        return self.args[0]

    def _eval_is_extended_real(self):
        return True

    def _sympystr(self, printer):
        return f"const({printer._print(self.target)})"

    def _latex(self, printer):
        return rf"\operatorname{{const}}_{{{printer._print(self.target)}}}"


DEFINED = (KL, Expectation, ELBO, Entropy)


_UNFOLDED = Memo(8192)      # (expr, kinds) -> unfolded: a step's sides are unfolded by every check


def unfold_definitions(expr, kinds=DEFINED):
    """Replace every KL / E / ELBO of the given kinds by its definition, innermost first
    (remembered per expression: a definition's unfolding is pure, and creates no Dummy)."""
    key = (expr, kinds)
    hit = _UNFOLDED.get(key)
    if hit is None:
        hit = expr
        for _ in range(10):
            new = hit.replace(lambda e: isinstance(e, kinds), lambda e: e.unfold())
            if new == hit:
                break
            hit = new
        _UNFOLDED.put(key, hit)
    return hit
