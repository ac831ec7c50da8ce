"""vi_sym's vocabulary printed in the learner's notation.

Four printers, all sympy printer subclasses with ``_print_<Class>`` methods:

* :class:`ViPrinter` -- the ``.vi`` text notation, read back by
  :func:`vi_sym.parse.parse_expression` (``∫ q(z)*log(p(x|z)) dz``,
  ``KL(q(z) || p(z|x))``, ``E_q(z)[f]``, ``ELBO(q(z), p(x,z))``, ``H(q(z))``);
* :class:`UnicodePrinter` -- the terminal: ``∫ q(z) log p(x|z) dz``,
  ``KL(q(z) ‖ p(z|x))``, ``E_q(z)[log p(x|z)]``, ``s²``, products by juxtaposition;
* :class:`LatexPrinter` -- LaTeX for notebooks (``\\operatorname{KL}``, ``\\mathbb{E}``);
* :class:`MathMLPrinter` -- presentation MathML, which browsers render natively.

An ELBO always keeps its joint, ``ELBO(q(z|x), p(x,z))``, so two models never
print alike.  In a product the logarithms come last (``q(z) log p(x|z)``, as a
learner writes it), and ``log p(x|z)`` drops its brackets only where nothing
follows it.  Nothing here edits printed strings after the fact.
"""
from __future__ import annotations

import sympy
from sympy import Mul, Pow, S, log
from sympy.printing.latex import LatexPrinter as _SympyLatex
from sympy.printing.mathml import MathMLPresentationPrinter as _SympyMathML
from sympy.printing.precedence import PRECEDENCE, precedence
from sympy.printing.str import StrPrinter

from .vocabulary import Density

__all__ = [
    "ViPrinter", "UnicodePrinter", "LatexPrinter", "MathMLPrinter",
    "to_vi", "to_unicode", "to_latex", "to_mathml",
    "relation_vi", "relation_unicode", "relation_latex", "relation_mathml",
    "REL_UNICODE", "REL_LATEX",
]

REL_UNICODE = {"=": "=", ">=": "≥", "<=": "≤"}
REL_LATEX = {"=": "=", ">=": r"\geq", "<=": r"\leq"}
REL_MATHML = {"=": "=", ">=": "&#x2265;", "<=": "&#x2264;"}
_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def _split_factors(expr):
    """A product as (numerator factors, denominator factors), logarithms last.

    The numeric coefficient splits into its numerator (first) and denominator.
    """
    coeff, rest = expr.as_coeff_Mul()
    num, den = [], []
    if coeff is not S.One and coeff.is_Rational:
        if coeff.p != 1:
            num.append(sympy.Integer(coeff.p))
        if coeff.q != 1:
            den.append(sympy.Integer(coeff.q))
    elif coeff is not S.One:
        num.append(coeff)
    for f in Mul.make_args(rest):
        b, e = f.as_base_exp()
        if f.is_Pow and e.is_Rational and e.is_negative:
            den.append(b if e == -1 else Pow(b, -e))
        else:
            num.append(f)
    key = lambda f: (f.is_Number is not True, isinstance(f, log))  # noqa: E731
    return sorted(num, key=key), sorted(den, key=key)


def _explicit(e) -> bool:
    return isinstance(e, sympy.Sum) or (isinstance(e, sympy.Integral) and any(len(lim) != 1 for lim in e.limits))


def _ordered_terms(printer, base, expr, order):
    """sympy orders the terms of a sum by their numeric values: it would evaluate an explicit
    infinite sum (Euler–Maclaurin, which can take minutes); such sums keep a structural order."""
    if any(_explicit(a) for a in sympy.preorder_traversal(expr)):
        return sorted(expr.args, key=sympy.default_sort_key)
    return base._as_ordered_terms(printer, expr, order=order)


def _gradient(printer, e, form: str, brackets: str) -> str:
    """A first derivative in one variable as ``form`` (``{g}``: the printer's gradient sign, ``{v}``
    the variable, ``{f}`` the operand, in ``brackets`` when a sum or product); "" for any other."""
    if len(e.variable_count) != 1 or e.variable_count[0][1] != 1:
        return ""
    body = printer._print(e.expr)
    body = brackets.format(body) if e.expr.is_Add or e.expr.is_Mul else body
    return form.format(g=getattr(printer, "gradient", ""), v=printer._print(e.variables[0]), f=body)


class ViPrinter(StrPrinter):
    """The ``.vi`` notation: what the parser reads back to the same expression."""

    printmethod = "_vi_sym_vi"
    kl_bar = "||"

    def _as_ordered_terms(self, expr, order=None):
        return _ordered_terms(self, StrPrinter, expr, order)

    def _limits(self, name, e):
        text = self._print(e.function)
        for v, lo, hi in e.limits:
            text = f"{name}({text}, ({self._print(v)}, {self._print(lo)}, {self._print(hi)}))"
        return text

    def _print_Sum(self, e):
        return self._limits("sum", e)

    def _print_Product(self, e):
        return self._limits("prod", e)

    def _density(self, d):
        a = ",".join(self._print(v) for v in d.vars)
        if d.given:
            return f"{d.name}({a}|{','.join(self._print(v) for v in d.given)})"
        return f"{d.name}({a})"

    def _print_Density(self, d):
        return self._density(d)

    def _print_KL(self, e):
        return f"KL({self._print(e.P)} {self.kl_bar} {self._print(e.Q)})"

    def _print_Expectation(self, e):
        q = self._print(e.q)
        return f"E_{q if isinstance(e.q, Density) else '{' + q + '}'}[{self._print(e.f)}]"

    def _print_ELBO(self, e):
        return f"ELBO({self._print(e.q)}, {self._print(e.joint)})"

    def _print_Entropy(self, e):
        return f"H({self._print(e.q)})"

    def _print_Const(self, e):
        return f"const({self._print(e.target)})"

    gradient = "grad"

    def _print_Derivative(self, e):
        """``grad_φ f`` (the .vi notation; ``∇_φ f`` in Unicode), f bracketed when a sum or product."""
        return _gradient(self, e, "{g}_{v} {f}", "({})") or super()._print_Derivative(e)

    def _print_Indexed(self, e):
        return f"{self._print(e.base.label)}[{', '.join(self._print(i) for i in e.indices)}]"

    def _print_Exp1(self, e):
        return "exp(1)"

    def _print_polygamma(self, e):
        if e.args[0] == 0:
            return f"digamma({self._print(e.args[1])})"
        if e.args[0] == 1:
            return f"trigamma({self._print(e.args[1])})"
        return super()._print_Function(e)

    def _print_Integral(self, e):
        body = e.function
        if all(len(lim) == 3 for lim in e.limits):
            return self._limits("integrate", e)
        for lim in e.limits:
            if len(lim) != 1:
                return super()._print_Integral(e)
        text = self.parenthesize(body, PRECEDENCE["Mul"], strict=True)
        for (v,) in e.limits:
            text = f"∫ {text} d{self._print(v)}"
            if len(e.limits) > 1:
                text = f"({text})"
        return text

    mul_sep = "*"

    def _factor(self, f, last):
        return self.parenthesize(f, PRECEDENCE["Mul"], strict=True)

    def _product(self, factors, bare_log_last=True):
        n = len(factors)
        return self.mul_sep.join(self._factor(f, bare_log_last and i == n - 1)
                                 for i, f in enumerate(factors))

    def _print_Mul(self, e):
        if e.could_extract_minus_sign():
            inner = -e
            s = self._print(inner)
            return "-" + (s if precedence(inner) >= PRECEDENCE["Mul"] else f"({s})")
        num, den = _split_factors(e)
        if not den:
            return self._product(num)
        top = self._product(num, bare_log_last=False) if num else "1"
        bottom = self._product(den, bare_log_last=False)
        if len(den) > 1 or PRECEDENCE["Mul"] < precedence(den[0]) < PRECEDENCE["Pow"]:   # _factor wrapped a sum
            bottom = f"({bottom})"
        return f"{top}/{bottom}"

    def _print_Pow(self, e, rational=False):
        b, x = e.as_base_exp()
        if x is S.Half:
            return f"sqrt({self._print(b)})"
        if x.is_Rational and x.is_negative:
            return f"1/{self.parenthesize(Pow(b, -x), PRECEDENCE['Mul'], strict=False)}"
        base = self.parenthesize(b, PRECEDENCE["Pow"], strict=False)
        if isinstance(b, sympy.Number) and b < 0:
            base = f"({self._print(b)})"
        exp = self._print(x)
        if not (x.is_Integer and x >= 0 or x.is_Symbol):
            exp = f"({exp})"
        return f"{base}^{exp}"


class UnicodePrinter(ViPrinter):
    """The terminal notation: ``∫ q(z) log p(x|z) dz``, ``KL(q(z) ‖ p(z|x))``."""

    printmethod = "_vi_sym_unicode"
    gradient = "∇"
    kl_bar = "‖"

    def _print_Moment(self, expr):
        """An expectation a claim's proof could not evaluate: E_Normal(z, m, s)[statistic]."""
        return expr._sympystr(self)

    def _print_Dist(self, expr):
        return expr._sympystr(self)

    def _print_Expectation(self, e):
        if getattr(e.q, "shown", None):      # a distribution written inline: E_{z~N(μ, σ²)}[…]
            return f"E_{{{self._print(e.q.vars[0])}~{self._print(e.q)}}}[{self._print(e.f)}]"
        return super()._print_Expectation(e)

    def __init__(self, settings=None):
        super().__init__(settings)
        self._bare_log = True
        self._e = "e"

    def doprint(self, expr):
        """Euler's number is ``e`` as a note writes it, ``exp(1)`` where a symbol e is printed beside it."""
        free = getattr(expr, "free_symbols", ())
        self._e = "exp(1)" if any(getattr(v, "name", None) == "e" for v in free) else "e"
        return super().doprint(expr)

    def _print_Exp1(self, e):
        return self._e

    def _print_Abs(self, e):
        return f"|{self._print(e.args[0])}|"

    def _print_Pi(self, e):
        return "π"

    def _print_EulerGamma(self, e):     # as notes write it (the parser reads γ as Euler's constant)
        return "γ"

    def _print_log(self, e):
        a = e.args[0]
        if self._bare_log and isinstance(a, (Density, sympy.Symbol)):
            return f"log {self._print(a)}"
        return f"log({self._print(a)})"

    mul_sep = " "

    def _factor(self, f, last):
        saved, self._bare_log = self._bare_log, last
        try:
            return self.parenthesize(f, PRECEDENCE["Mul"], strict=True)
        finally:
            self._bare_log = saved

    def _print_Pow(self, e, rational=False):
        b, x = e.as_base_exp()
        saved, self._bare_log = self._bare_log, False     # (log z)² is log(z)², never "log z²"
        try:
            if x.is_Integer and x > 1 and not (isinstance(b, sympy.Number) and b < 0):
                return self.parenthesize(b, PRECEDENCE["Pow"], strict=False) + str(x).translate(_SUPERSCRIPT)
            return super()._print_Pow(e, rational)
        finally:
            self._bare_log = saved


class LatexPrinter(_SympyLatex):
    """LaTeX in the learner's notation (for notebooks and MathJax/KaTeX)."""

    def _as_ordered_terms(self, expr, order=None):
        return _ordered_terms(self, _SympyLatex, expr, order)

    def _print_Infinity(self, e):
        return r"\infty"

    def _print_NegativeInfinity(self, e):
        return r"-\infty"

    printmethod = "_vi_sym_latex"

    def _print_Derivative(self, e):
        return _gradient(self, e, "\\nabla_{{{v}}} {f}", "\\left({}\\right)") or super()._print_Derivative(e)

    def _print_Density(self, d):
        a = ", ".join(self._print(v) for v in d.vars)
        if d.given:
            return rf"{d.name}({a} \mid {', '.join(self._print(v) for v in d.given)})"
        return rf"{d.name}({a})"

    def _print_KL(self, e):
        return (rf"\operatorname{{KL}}\left({self._print(e.P)} \,\middle\|\, "
                rf"{self._print(e.Q)}\right)")

    def _print_Expectation(self, e):
        q = self._print(e.q)
        if getattr(e.q, "shown", None):      # a distribution written inline: z \sim \mathcal{N}(…)
            q = rf"{self._print(e.q.vars[0])} \sim {q}"
        return rf"\mathbb{{E}}_{{{q}}}\left[{self._print(e.f)}\right]"

    def _print_ELBO(self, e):
        return rf"\operatorname{{ELBO}}\left({self._print(e.q)}, {self._print(e.joint)}\right)"

    def _print_Entropy(self, e):
        return rf"\operatorname{{H}}\left({self._print(e.q)}\right)"

    def _print_Const(self, e):
        return rf"\operatorname{{const}}_{{{self._print(e.target)}}}"

    def _print_log(self, e, exp=None):
        a = e.args[0]
        inner = self._print(a)
        text = rf"\log {inner}" if isinstance(a, (Density, sympy.Symbol)) else rf"\log\left({inner}\right)"
        return text if exp is None else rf"\left({text}\right)^{{{exp}}}"

    def _print_Integral(self, e):
        if any(len(lim) != 1 for lim in e.limits):
            return super()._print_Integral(e)
        body = self.parenthesize(e.function, PRECEDENCE["Mul"], strict=True)
        ds = r"\, ".join(rf"d{self._print(v)}" for (v,) in reversed(e.limits))
        return r"\int " * len(e.limits) + rf"{body} \, {ds}"

    def _print_Mul(self, e):
        if e.could_extract_minus_sign():
            inner = -e
            s = self._print(inner)
            return "-" + (s if precedence(inner) >= PRECEDENCE["Mul"] else rf"\left({s}\right)")
        num, den = _split_factors(e)

        def product(fs):
            if len(fs) == 1 and den:
                return self._print(fs[0])
            return " ".join(self.parenthesize(f, PRECEDENCE["Mul"], strict=False) for f in fs) or "1"
        if not den:
            return product(num)
        return rf"\frac{{{product(num)}}}{{{product(den)}}}"


class MathMLPrinter(_SympyMathML):
    """Presentation MathML in the learner's notation."""

    printmethod = "_vi_sym_mathml"

    def _as_ordered_terms(self, expr, order=None):
        return _ordered_terms(self, _SympyMathML, expr, order)

    def _el(self, tag, text=None, **attrs):
        el = self.dom.createElement(tag)
        for k, v in attrs.items():
            el.setAttribute(k, v)
        if text is not None:
            el.appendChild(self.dom.createTextNode(text))
        return el

    def _row(self, *children):
        row = self.dom.createElement("mrow")
        for c in children:
            row.appendChild(c)
        return row

    def _call(self, name, *args, sep=","):
        """``name(a sep b ...)``; a name of more than one letter is upright."""
        parts = [self._el("mi", name, mathvariant="normal")] if len(name) > 1 else [self._el("mi", name)]
        parts.append(self._el("mo", "("))
        for i, a in enumerate(args):
            if i:
                parts.append(self._el("mo", sep))
            parts.append(a if not isinstance(a, sympy.Basic) else self._print(a))
        parts.append(self._el("mo", ")"))
        return self._row(*parts)

    def _print_Density(self, d):
        parts = [self._el("mi", d.name), self._el("mo", "(")]
        for i, v in enumerate(d.vars):
            if i:
                parts.append(self._el("mo", ","))
            parts.append(self._print(v))
        if d.given:
            parts.append(self._el("mo", "|", stretchy="false"))
            for i, v in enumerate(d.given):
                if i:
                    parts.append(self._el("mo", ","))
                parts.append(self._print(v))
        parts.append(self._el("mo", ")"))
        return self._row(*parts)

    def _print_KL(self, e):
        return self._call("KL", e.P, e.Q, sep="\u2016")

    def _print_ELBO(self, e):
        return self._call("ELBO", e.q, e.joint)

    def _print_Entropy(self, e):
        return self._call("H", e.q)

    def _print_Expectation(self, e):
        sub = self.dom.createElement("msub")
        sub.appendChild(self._el("mi", "\U0001D53C"))   # double-struck E
        sub.appendChild(self._print(e.q))
        return self._row(sub, self._el("mo", "["), self._print(e.f), self._el("mo", "]"))

    def _print_log(self, e):
        a = e.args[0]
        if isinstance(a, (Density, sympy.Symbol)):
            return self._row(self._el("mi", "log"), self._el("mo", "\u2061"),
                             self._el("mspace", width="0.17em"), self._print(a))
        return self._call("log", a)

    def _print_Integral(self, e):
        if any(len(lim) != 1 for lim in e.limits):
            return super()._print_Integral(e)
        parts = [self._el("mo", "\u222B") for _ in e.limits]
        parts.append(self.parenthesize(e.function, PRECEDENCE["Mul"], strict=True))
        for (v,) in reversed(e.limits):
            parts.append(self._el("mspace", width="0.2em"))
            parts.append(self._el("mi", "d", mathvariant="normal"))
            parts.append(self._print(v))
        return self._row(*parts)

    def _print_Mul(self, e):
        if e.could_extract_minus_sign():
            inner = -e
            body = self.parenthesize(inner, PRECEDENCE["Mul"], strict=True)
            return self._row(self._el("mo", "-"), body)
        num, den = _split_factors(e)

        def product(fs):
            if not fs:
                return self._el("mn", "1")
            parts = []
            for i, f in enumerate(fs):
                if i:
                    parts.append(self._el("mo", "\u2062"))   # invisible times
                    parts.append(self._el("mspace", width="0.17em"))
                parts.append(self.parenthesize(f, PRECEDENCE["Mul"]))
            return self._row(*parts)
        if not den:
            return product(num)
        frac = self.dom.createElement("mfrac")
        frac.appendChild(product(num))
        frac.appendChild(product(den))
        return frac

    def _print_Exp1(self, e):
        return self._el("mi", "e")


def to_vi(expr) -> str:
    """``expr`` in the ``.vi`` notation (parseable by :func:`vi_sym.parse.parse_expression`)."""
    return ViPrinter().doprint(expr)


def to_unicode(expr) -> str:
    """``expr`` as a learner writes it, in unicode: ``∫ q(z) log p(x|z) dz``."""
    return UnicodePrinter().doprint(expr)


def to_latex(expr) -> str:
    """``expr`` in LaTeX: ``\\int q(z) \\log p(x \\mid z) \\, dz``."""
    return LatexPrinter().doprint(expr)


def _math(inner: str, display: str) -> str:
    return f'<math xmlns="http://www.w3.org/1998/Math/MathML" display="{display}">{inner}</math>'


def to_mathml(expr, display: str = "inline") -> str:
    """``expr`` as a ``<math>`` element (presentation MathML; no script needed)."""
    return _math(MathMLPrinter().doprint(expr), display)


def relation_vi(lhs, rel, rhs) -> str:
    return f"{to_vi(lhs)} {rel} {to_vi(rhs)}"


def relation_unicode(lhs, rel, rhs) -> str:
    return f"{to_unicode(lhs)} {REL_UNICODE[rel]} {to_unicode(rhs)}"


def relation_latex(lhs, rel, rhs) -> str:
    return f"{to_latex(lhs)} {REL_LATEX[rel]} {to_latex(rhs)}"


def relation_mathml(lhs, rel, rhs, display: str = "block") -> str:
    p = MathMLPrinter()
    inner = (f"<mrow>{p.doprint(lhs)}<mo>{REL_MATHML[rel]}</mo>"
             f"{MathMLPrinter().doprint(rhs)}</mrow>")
    return _math(inner, display)

