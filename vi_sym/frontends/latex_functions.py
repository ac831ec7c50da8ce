"""Names and special functions of the LaTeX reader (:mod:`vi_sym.frontends.latex`).

Names: ``z_1``/``z_{1}`` is z1, ``\\theta_0`` θ0, ``\\mathbf{X}`` X, ``\\pi_1``/``\\pi_{2}`` π1, π2 (the
mixture weights of Blei et al. §3; a bare ``\\pi`` is the number π).  Functions closed forms use:
``\\Gamma(a)`` (Γ), ``\\psi(a)`` and ``\\digamma(a)`` (the digamma function ψ), ``\\psi_1(a)``, ``\\psi'(a)``,
``\\psi^{(1)}(a)`` (the trigamma function), ``\\mathrm{erf}(x)``,
``\\operatorname{erfc}(x)``, ``\\mathrm{B}(a, b)`` and ``\\operatorname{B}(a, b)`` (the Beta
function; a bare ``B(a, b)`` too: with a comma between its brackets it can be nothing else), each written with its brackets (``\\psi`` alone
is the Greek letter); the variance ``\\mathrm{Var}_{q(z)}[f]``, ``\\operatorname{Var}[f]``,
``\\mathbb{V}_{z \\sim \\mathcal{N}(\\mu, \\sigma^2)}[z]`` and the cross-entropy ``H(q, r)``,
``\\mathbb{H}[q, r]``, read as their definitions; integrals over explicit limits
``\\int_{a}^{b} f \\,dz``, ``\\int_t^\\infty``, ``\\int_{-\\infty}^{t}`` (``\\infty`` only as a limit).
"""
from __future__ import annotations

import re

import sympy
from lark import Token, v_args

from ..bounds import bounded_integral
from ..distributions import is_discrete
from ..parse_operators import drawn_of, under_drawn
from ..special import bounded_arg
from ..tokens import ParseError
from ..vocabulary import Density, Expectation, entropy, variance

__all__ = ["FUNCTION_RULES", "FunctionsMixin", "GREEK", "elementary", "latex_name", "unknown_commands"]

#: the grammar's rules and terminals (added to latex.GRAMMAR)
FUNCTION_RULES = r"""
%extend atom_np: SPECIAL "(" expr ")"             -> special
    | BESSEL "(" expr ")"                         -> bessel
    | BETAFN "(" expr SEP expr ")"                -> beta_function
    | VAR "_" "{" under "}" "[" expr "]"          -> variance
    | VAR "_" DNAME "[" expr "]"                  -> variance_bare
    | VAR "[" expr "]"                            -> variance_plain
    | VAR "(" expr ")"                            -> variance_plain
    | EXPECT "(" expr ")"                         -> expectation_paren
    | ENTROPY "(" expr SEP expr ")"               -> cross_entropy
    | ENTROPY "[" expr SEP expr "]"               -> cross_entropy
    | INT "_" bound "^" bound expr DIFF           -> integral_bounded
    | INT "_" REALS expr DIFF                     -> integral_reals
    | INT "_" SPACE expr DIFF                     -> integral_space
    | PROB "(" vname (REL | STRICT) expr ")"      -> probability
    | MGF "(" expr ")"                            -> mgf
    | TESTFN "(" expr ("," expr)* ")"             -> test_function
    | PROB "[" vname (REL | STRICT) expr "]"      -> probability
    | PROB "(" vname (REL | STRICT) expr _BAR vname (REL | STRICT) expr ")" -> conditional_probability
bound: script | INFTY -> infinity | "{" "-" INFTY "}" -> minus_infinity | "{" "+"? INFTY "}" -> infinity
%extend atom_simple: PI_SUB -> var
SPECIAL.5: /\\psi\s*(_\s*\{?\s*1\s*\}?|'|ʹ|\^\s*(\\prime|\{\s*(\\prime|'|\(\s*1\s*\))\s*\}))(?=\s*(\\left\s*)?\()|\\(Gamma|psi|digamma|sinh|cosh|tanh|arctan|sin|cos|tan)(?![a-zA-Z])(?=\s*(\\left\s*)?\()|\\(mathrm|operatorname|text)\s*\{\s*trigamma\s*\}(?=\s*(\\left\s*)?\()|\\(mathrm|operatorname|text)\s*\{\s*(erfc|erf|sech)\s*\}(?=\s*(\\left\s*)?\()/
BESSEL.5: /I\s*_\s*(\{\s*[01]\s*\}|[01])(?=\s*(\\left\s*)?\()/
BETAFN.5: /\\(mathrm|operatorname|text|textrm)\s*\{\s*B\s*\}(?=\s*(\\left\s*)?\()|(?<![\\\w])B(?=\s*(\\left\s*)?\((?:[^(),]|\([^()]*\))*,)/
PI_SUB.4: /\\pi_(\{[0-9]+\}|[0-9])/
INFTY.5: /\\infty(?![a-zA-Z])|∞/
PROB.6: /\\Pr(?![a-zA-Z])|\\(mathbb|mathrm|operatorname)\s*\{\s*P\s*\}|P(?=\s*[(\[]\s*\\?[A-Za-z]+\s*(<|>|=|\\[gl]e))/
STRICT.3: "<" | ">"
TESTFN.3: /(?<![\\A-Za-z])[fgh](?=\s*(\\left\s*)?\()/
MGF.5: /M\s*_\s*(\{\s*[A-Za-z]\s*\}|[A-Za-z])(?=\s*(\\left\s*)?\()/
REALS.6: /\{\s*\\mathbb\s*\{\s*R\s*\}\s*\}|\\mathbb\s*\{\s*R\s*\}/
SPACE.6: /\{\s*(\\mathcal\s*\{\s*[A-Z]\s*\}|\\Omega)\s*\}|\\mathcal\s*\{\s*[A-Z]\s*\}|\\Omega(?![a-zA-Z])/
VAR.5: /\\(mathrm|operatorname|text|textrm)\s*\{\s*Var\s*\}|\\mathbb\s*\{\s*V\s*\}|Var(?=\s*[_\[(])/
"""

#: the relations of an upper event, P(X > t)
_UPPER = (">", "\\geq", "\\ge", "\\geqslant", ">=", "≥")
#: the relations an event P(X > t) may write
_EVENT = (">", "<", ">=", "<=", "≥", "≤", "\\geq", "\\ge", "\\leq", "\\le", "\\geqslant", "\\leqslant")
_SPECIAL = {"Gamma": sympy.gamma, "psi": sympy.digamma, "digamma": sympy.digamma, "erf": sympy.erf,
            "erfc": sympy.erfc, "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan, "sinh": sympy.sinh,
            "cosh": sympy.cosh, "tanh": sympy.tanh, "arctan": sympy.atan, "sech": lambda a: 1 / sympy.cosh(a)}
_WORD = re.compile(r"(Gamma|psi|digamma|erfc|erf|sech|sinh|cosh|tanh|arctan|sin|cos|tan)")
_TRIGAMMA = re.compile(r"\\psi\s*[_'ʹ^]|.*trigamma")


GREEK = {"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε",
          "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "θ", "iota": "ι", "kappa": "κ", "lambda": "λ",
          "mu": "μ", "nu": "ν", "xi": "ξ", "rho": "ρ", "sigma": "σ", "tau": "τ", "upsilon": "υ", "phi": "φ",
          "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
          # capitals that name quantities (a precision Λ, a covariance Σ); \Gamma, \Phi and \Pi are
          # left to the functions and the product they usually write
          "Lambda": "Λ", "Sigma": "Σ", "Delta": "Δ", "Theta": "Θ", "Psi": "Ψ", "Omega": "Ω", "Xi": "Ξ"}


BOLD_NAME = re.compile(r"\\(?:mathbf|boldsymbol|bm|mathbfit|vb)\s*\{\s*(.+?)\s*\}")


def elementary(f: str, a, column=None):
    """``\\log``, ``\\ln``, ``\\exp`` (and ``\\sin z``, ``\\cosh z``: the one factor after it, as for
    ``\\log``) of ``a``; ``\\log_2``, ``\\log_{10}``: the logarithm to that base
    (an entropy in bits), log(a)/log(b)."""
    name, _, base = f.partition("_")
    out = {"\\log": sympy.log, "\\ln": sympy.log, "\\exp": sympy.exp, "\\sin": sympy.sin, "\\cos": sympy.cos,
           "\\tan": sympy.tan, "\\sinh": sympy.sinh, "\\cosh": sympy.cosh, "\\tanh": sympy.tanh}[name.strip()](a)
    if not base:
        return out
    b = int(base.strip(" {}"))
    if b < 2:
        raise ParseError(f"a logarithm to the base {b}: the base must be 2 or more", column)
    return out / sympy.log(b)


def at(tok) -> int | None:
    """Where ``tok`` stands in its row, 1-based from the row's first character (an error's column: a
    row may run over several lines, and the reader maps the offset back to the line and column)."""
    pos = getattr(tok, "start_pos", None)
    return pos + 1 if pos is not None else getattr(tok, "column", None)


def latex_name(tok) -> str:
    """A variable's name as in ``.vi`` files: ``z_1``/``z_{1}`` -> ``z1``, ``\\theta`` -> ``θ`` (a command
    that is no Greek letter, ``\\ttau``, is its word: ``ttau``; the readers say so where it is declared)."""
    t = str(tok)
    bold = BOLD_NAME.fullmatch(t)          # \mathbf{X} is X, \boldsymbol{\theta} is θ
    if bold:
        t = bold.group(1)
    greek = re.match(r"\\([a-zA-Z]+)(.*)$", t)      # \theta_0 is θ0, \mu_\phi is μφ
    if greek:
        return {**GREEK, "pi": "π"}.get(greek.group(1), greek.group(1)) + _plain_sub(greek.group(2))
    return _plain_sub(t)


def _plain_sub(t: str) -> str:
    """A subscript's letters without ``_`` and braces, a Greek one (``\\phi``) as its letter."""
    t = re.sub(r"\{\s*\\([a-zA-Z]+)(?![a-zA-Z])\s*\}|\\([a-zA-Z]+)(?![a-zA-Z])\s*",
               lambda m: GREEK.get(m.group(1) or m.group(2), m.group(0)), t)
    return t.replace("_", "").replace("{", "").replace("}", "")


def unknown_commands(text: str) -> list:
    """The commands of a declaration's names that are no Greek letter (``\\ttau``), in order."""
    return [m.group() for m in re.finditer(r"\\([a-zA-Z]+)", text) if m.group(1) not in GREEK and m.group(1) != "pi"
            and not BOLD_NAME.match(text, m.start())]


class FunctionsMixin:
    """The transformer's methods for the special functions, the variance ``\\mathrm{Var}_{q}[f]``
    (E_q[f²] - E_q[f]², under q without a subscript) and the cross-entropy ``H(q, r)``
    (-E_q[log r]), each read as its definition."""

    infinity = v_args(inline=True)(lambda self, _: sympy.oo)
    minus_infinity = v_args(inline=True)(lambda self, _: -sympy.oo)
    bound = v_args(inline=True)(lambda self, b: b)

    @v_args(inline=True)
    def integral_bounded(self, _, lo, hi, body, diff):
        """``\\int_{a}^{b} f \\,dz``, ``\\int_t^\\infty``, ``\\int_{-\\infty}^{t}``: over explicit limits
        (``\\int_{-\\infty}^{\\infty}``: over all of z, see :func:`vi_sym.bounds.bounded_integral`)."""
        return bounded_integral(body, self._diff_var(diff), lo, hi)

    @v_args(inline=True)
    def integral_reals(self, _, __, body, diff):
        """``\\int_{\\mathbb{R}} f \\,dz``: over the real line, as ``\\int_{-\\infty}^{\\infty}``."""
        return bounded_integral(body, self._diff_var(diff), -sympy.oo, sympy.oo)

    @v_args(inline=True)
    def integral_space(self, _, __, body, diff):
        """``\\int_{\\mathcal{Z}} f \\,dz``, ``\\int_\\Omega``: over the variable's whole space, as ``\\int f \\,dz``."""
        return sympy.Integral(body, self._diff_var(diff))

    @v_args(inline=True)
    def expectation_paren(self, e, body):
        """``\\mathbb{E}(X)``, ``E(X)``: the expectation of a variable drawn in a sampling statement
        (:mod:`.sampled`); with no such statement, an error at ``E`` (an energy E(z) is no expectation)."""
        drawn = under_drawn(getattr(self, "sampled", None), None, body)
        if drawn is None:
            raise ParseError(f"{e}(…) with round brackets is read as an expectation of a variable drawn in a "
                             "sampling statement (X \\sim \\mathrm{Gamma}(a, b)); write \\mathbb{E}[…] for the note's q", at(e))
        return Expectation(drawn, body)

    @v_args(inline=True)
    def conditional_probability(self, p, var, rel, bound, given, rel2, bound2):
        """``P(X > s + t \\mid X > s)``: P(A and B)/P(B) for two bounds on one drawn variable, the event
        A and B read as one bound or an interval when which bound is the stronger is provable
        (from the parameters' domains: t ≥ 0 makes s + t the stronger); else an error at P."""
        if given != var:
            raise ParseError(f"{p}({var} … \\mid {given} …): a conditional probability is read for one variable "
                             "bounded twice", at(p))
        up1, up2 = (str(r).strip() in _UPPER for r in (rel, rel2))
        if up1 == up2:
            gap = (bound - bound2) if up1 else (bound2 - bound)     # ≥ 0: the first event is the stronger
            if not (gap.is_nonnegative or (-gap).is_nonnegative):
                raise ParseError(f"{p}({var} {rel} … \\mid {var} {rel2} …): which bound is the stronger is not "
                                 "known (say it, e.g. t \\geq 0)", at(p))
            both = bound if gap.is_nonnegative else bound2
            joint = self.probability(p, var, rel if gap.is_nonnegative else rel2, both)
        else:
            lo, hi = (bound, bound2) if up1 else (bound2, bound)
            if not (hi - lo).is_nonnegative:
                raise ParseError(f"{p}(… \\mid …): the interval of the two events is empty or of unknown order", at(p))
            d = drawn_of(getattr(self, "sampled", {}), var)
            joint = bounded_integral(d, var, lo, hi) if d is not None else self.probability(p, var, rel, bound)
        return joint / self.probability(p, var, rel2, bound2)

    @v_args(inline=True)
    def probability(self, p, var, rel, bound):
        """``P(X > t)``, ``\\Pr(X \\leq t)``, ``\\mathbb{P}[X < t]`` of a variable a sampling statement
        draws from a continuous distribution D (:mod:`.sampled`): ``∫_t^∞ D dX``, ``∫_{-∞}^t D dX``."""
        d = drawn_of(getattr(self, "sampled", {}), var)
        if d is None:
            raise ParseError(f"{p}({var} {rel} …) is read for a variable drawn from a distribution written "
                             f"before it ({var} \\sim \\mathrm{{Exp}}(\\lambda)); {var} is not", at(p))
        if str(rel).strip() not in _EVENT:
            raise ParseError(f"{p}({var} {rel} …): an event is one side of a bound (>, <, \\geq, \\leq)", at(p))
        if any(is_discrete(c.support()) for c in d.components().values()):
            raise ParseError(f"{p}({var} {rel} …) under a discrete distribution: write the sum of its "
                             "probabilities (its ends count)", at(p))
        upper = str(rel).strip() in (">", "\\geq", "\\ge", "\\geqslant", ">=", "≥")
        return bounded_integral(d, var, bound, sympy.oo) if upper else bounded_integral(d, var, -sympy.oo, bound)

    def drawn_entropy(self, tok):
        """A bare ``H`` (``H = \\frac{1}{2}\\log(2\\pi e\\sigma^2)``) where one variable is drawn in a sampling
        statement and no H is declared: that variable's entropy; else None."""
        drawn = {v: d for v, d in (getattr(self, "sampled", None) or {}).items() if isinstance(d, Density)}
        if str(tok) != "H" or "H" in self.v or len(drawn) != 1:
            return None
        return entropy(next(iter(drawn.values())))

    def test_function(self, items):
        """``f(z)``, ``g(x, z)``, ``h(\\mu + \\sigma\\epsilon)``: an arbitrary real function (a test function,
        as ``functions: f`` declares one in a ``.vi`` file) -- unless the note declares the letter a
        variable, when ``f(1 - f)`` is a product."""
        tok, args = items[0], [i for i in items[1:] if not isinstance(i, Token)]
        name = str(tok)
        if name in self.v:
            if len(args) != 1:
                raise ParseError(f"'{name}' is a declared variable, not a function of {len(args)} arguments", at(tok))
            return self.v[name] * args[0]
        said = f"read {name} as an arbitrary real function (a test function, as 'functions: {name}' declares one)"
        if self.written is not None and said not in self.written.warnings:
            self.written.warnings.append(said)
        return sympy.Function(name, real=True)(*args)

    @v_args(inline=True)
    def mgf(self, m, t):
        """``M_X(t)``, the tables' moment-generating function of a variable X drawn in a sampling
        statement: its definition, E[e^{tX}] under X's distribution."""
        name = re.sub(r"[\s{}]", "", str(m))[2:]
        var = self.v.get(name)
        body = sympy.exp(t * var) if var is not None else None
        drawn = under_drawn(getattr(self, "sampled", None), None, body) if body is not None else None
        if drawn is None:
            raise ParseError(f"{m}(t) is read as the moment-generating function E[e^{{t{name}}}] of a variable drawn "
                             f"from a distribution written before it ({name} \\sim \\mathrm{{Pois}}(\\lambda)); "
                             f"{name} is not", at(m))
        return Expectation(drawn, body)

    @v_args(inline=True)
    def variance(self, _, q, body):
        return variance(q, body)

    @v_args(inline=True)
    def variance_bare(self, _, d, body):
        return variance(Density(str(d), [self.z]), body)

    @v_args(inline=True)
    def variance_plain(self, _, body):
        return variance(under_drawn(getattr(self, "sampled", None), self.bare_q(), body), body)     # Var[X], X ~ Gamma(a, b)

    @v_args(inline=True)
    def cross_entropy(self, _, q, sep, r):
        if str(sep).strip() != ",":
            raise ParseError(f"the cross-entropy H(q, r) separates its densities by ',', not '{sep}'", at(sep))
        return entropy(q, r)

    @v_args(inline=True)
    def special(self, name, a):
        if _TRIGAMMA.match(str(name)):      # ψ_1, ψ', ψ^{(1)}: the trigamma function
            return sympy.polygamma(1, bounded_arg(a))
        return _SPECIAL[_WORD.findall(str(name))[-1]](bounded_arg(a))

    @v_args(inline=True)
    def bessel(self, name, a):
        """The von Mises tables' ``I_0(\\kappa)``, ``I_1(\\kappa)``: the modified Bessel functions."""
        return sympy.besseli(int(re.sub(r"\D", "", str(name))), bounded_arg(a))

    @v_args(inline=True)
    def beta_function(self, _, a, sep, b):
        if str(sep).strip() != ",":
            raise ParseError(f"B(a, b) separates its arguments by ',', not '{sep}'", at(sep))
        return sympy.beta(bounded_arg(a), bounded_arg(b))
