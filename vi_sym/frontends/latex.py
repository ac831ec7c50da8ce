"""A grammar (lark, LALR) for the LaTeX of VI derivations, transformed into vi_sym's vocabulary.

One row of display math (``\\log p(x) &= \\int q(z) \\log \\frac{p(x,z)}{q(z)} \\,dz + …``) is
parsed into ``[(relation or None, expression, rules, label, line, column), …]``: the optional
leading expression and every ``= / \\geq / \\leq`` (possibly ``\\overset{\\text{Bayes}}{=}``)
with its right side.  Nothing is evaluated: every node is built from the parse tree.

Read: ``\\log``, ``\\ln``, ``\\exp``, ``\\sqrt``, ``\\frac``/``\\dfrac``/``\\tfrac``,
``\\int … \\,dz`` (no limits: the whole domain), ``\\mathbb{E}_{q(z)}[…]``,
``\\mathbb{E}_{z \\sim q}[…]``, ``D_{\\mathrm{KL}}(q \\| p)``, ``\\mathrm{KL}``, ``\\parallel``,
``\\mathcal{L}(q)``, ``\\mathrm{ELBO}``, densities ``p(x \\mid z)``, ``q(z)``, ``p(x, z)``;
``\\left``/``\\right``, sizes and spacing are ignored.  A bare ``\\log p(x)`` takes one density as
its argument (``\\log p(x|z) p(z)`` is ``\\log p(x|z) · p(z)``), numbers and symbols side by side
(``\\log 2\\pi\\sigma^2``, see :mod:`.latex_args`); bare ``q`` is q(z) and bare ``p``
the posterior p(z|x) (as in ``D_{KL}(q \\| p)``).  Sums ``\\sum_{j=1}^{J}``, indexed ``\\sigma_j``: :mod:`.latex_sums`.
"""
from __future__ import annotations

import functools
import re

import sympy
from lark import Lark, Token, Transformer, v_args
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput

from ..operators import ArgMax, ArgMin, ExpectationExcept
from .latex_args import log_takes_product
from .latex_encoder import encoder_outputs
from .latex_diagonal import DIAG_RULES, DiagonalMixin
from .latex_dists import DIST_RULES, DistsMixin, decorated_name, with_written
from .latex_abs import CLOSE, OPEN, mark_abs
from .latex_consts import ConstsMixin
from .latex_elbo import ElboMixin
from .latex_gradient import GRADIENT_RULES, GradientMixin
from .latex_functions import FUNCTION_RULES, GREEK as _GREEK, FunctionsMixin, at, elementary, latex_name
from .latex_sums import SUM_RULES, SumsMixin, check_indices, check_sums
from .latex_errors import expected_words as _expected, what_is_at as _what
from .latex_meaning import BARE_OVER, BARE_Q, UNNAMED_CONST, named_p, named_q
from ..parse import ParseError
from ..parse_operators import drawn_of, under_drawn
from ..vocabulary import KL, Const, Density, Entropy, Expectation, VocabularyError, describe_nonreal, nonreal_part

GRAMMAR = r"""
row: expr? link+             -> chain
   | expr                    -> lone
link: rel expr
rel: REL                                         -> plain_rel
   | OVERSET "{" label "}" "{" REL "}"           -> labelled_rel

label: (TEXTCMD "{" TEXTBODY? "}")+              -> text_label
     | LABELCHARS                                -> raw_label

?expr: sum
    | ARGOPT "_" opt_target sum                  -> argopt
?sum: product
    | sum "+" product                            -> add
    | sum "-" product                            -> sub
?product: unary
    | product ("*" | CDOT) unary                 -> mul
    | product "/" unary                          -> div
    | product power                              -> jmul
    | product bigsum                             -> jmul
?unary: power
    | "-" unary                                  -> neg
    | "+" unary
    | bigsum
?power: atom
    | atom "^" script                            -> pow
    | FUNC farg                                  -> func
// \log \sigma^2 is log(σ²), \log(\sigma)^2 and sympy's \log{\left(\sigma\right)}^{2} are (log σ)²
?farg: atom_np
    | atom_np "^" script                         -> pow
    | FUNC farg                                  -> func
    | fparen
    | fparen "^" script                          -> pow
?fparen: FUNC "(" expr ")"                       -> pfunc
    | FUNC "{" expr "}"                          -> pfunc
?script: atom_simple | "{" expr "}"
?atom_simple: NUMBER -> number
    | NAME -> var
    | NAME_SUB -> var
    | DECORATED -> var
    | GREEK -> var
    | BOLD -> var
    | PI -> pi
    | NAME_IDX -> var_idx
    | GREEK_IDX -> var_idx
?atom: atom_np
    | "(" expr ")"
    | "{" expr "}"
    | fparen
?atom_np: atom_simple
    | "[" expr "]"
    | _LBRACE_ESC expr _RBRACE_ESC
    | LVERT expr RVERT                           -> abs
    | FRAC "{" expr "}" "{" expr "}"             -> frac
    | SQRT "{" expr "}"                          -> sqrt
    | DNAME "(" names ("|" names)? ")"           -> density
    | DNAME                                      -> bare_density
    | KLNAME "(" expr ksep expr ")"              -> kl
    | KLNAME "[" expr ksep expr "]"              -> kl
    | ELBONAME "(" expr ")"                      -> elbo
    | ELBONAME "(" expr SEP names ")"            -> elbo_given
    | ELBONAME "(" expr SEP names ";" names ")"  -> elbo_kw
    | ELBONAME "(" expr _BAR names ")"           -> elbo_data
    | ELBONAME "_" "{" names "}" ("(" names ")")?   -> elbo_sub
    | ELBONAME                                   -> bare_elbo
    | ENTROPY "(" expr ")"                       -> entropy
    | ENTROPY "[" expr "]"                       -> entropy
    | CONST                                      -> const_bare
    | CONST "_" "{" const_target "}"             -> const
    | CONST "_" (NAME | NAME_SUB | GREEK)        -> const_sub
    | CONST "(" const_target ")"                 -> const
    | DNAME_IDX "(" names ("|" names)? ")"       -> density_idx
    | EXPECT "_" "{" under "}" "[" expr "]"      -> expectation
    | EXPECT "_" "{" under "}" ebody             -> expectation
    | EXPECT "_" DNAME "[" expr "]"              -> expectation_bare
    | EXPECT "_" (NAME | NAME_SUB | GREEK) "[" expr "]"   -> expectation_over
    | EXPECT "[" expr "]"                        -> expectation_plain
    | EXPECT EXCEPT_OPEN except_target "}" "[" expr "]"   -> expectation_except
    | LANGLE expr RANGLE "_" "{" under "}"       -> angle_expectation
    | LANGLE expr RANGLE "_" DNAME               -> angle_expectation_bare
    | LANGLE expr RANGLE                         -> angle_expectation_plain
    | INT expr DIFF                              -> integral
    | IINT expr DIFF DIFF                        -> integral2
under: expr | (NAME | NAME_SUB | GREEK | BOLD) SIM expr | vname ("," vname)+ SIM expr -> under_many
// \mathbb{E}_{q(z)} \log p(x|z), no brackets: the expectation of the one function after it
?ebody: FUNC farg                                -> func
?ksep: SEP | MIDMID
const_target: vname | (DNAME | DNAME_IDX) "(" names ("|" names)? ")" -> const_density
    | QSUB                                       -> const_factor
    | DNAME                                      -> const_bare_density
names: vname ("," vname)*
vname: NAME | NAME_SUB | GREEK | BOLD | DECORATED | (NAME_IDX | GREEK_IDX) -> var_idx
except_target: NAME | NAME_SUB | GREEK | NUMBER
opt_target: DNAME                                -> target_name
    | NAME | NAME_SUB | GREEK                    -> target_var
    | "{" DNAME "}"                              -> target_name
    | "{" DNAME IN FAMILY "}"                    -> target_name
    | "{" (NAME | NAME_SUB | GREEK) "}"          -> target_var
    | "{" DNAME "(" names ("|" names)? ")" "}"   -> target_density
    | "{" DNAME "(" names ("|" names)? ")" IN FAMILY "}"   -> target_density_in

REL.3: "=:" | "=" | ":=" | "≔" | "≜" | "≡" | /\\(coloneqq|triangleq|equiv|defeq)(?![a-zA-Z])/
     | /\\propto(?![a-zA-Z])/ | "∝" | /\\geq(?![a-zA-Z])/ | /\\ge(?![a-zA-Z])/ | /\\leq(?![a-zA-Z])/ | /\\le(?![a-zA-Z])/
     | /\\geqslant/ | /\\leqslant/ | ">=" | "<=" | "≥" | "≤"
OVERSET.3: /\\(overset|stackrel|underset)(?![a-zA-Z])/
TEXTCMD.3: /\\(text|mathrm|textrm|textsf|mbox|operatorname)(?![a-zA-Z])/
TEXTBODY: /[^{}]+/
LABELCHARS: /[^{}\\]+/
CDOT.3: /\\(cdot|times)(?![a-zA-Z])/
FRAC.3: /\\[dtc]?frac(?![a-zA-Z])/
SQRT.3: /\\sqrt(?![a-zA-Z])/
FUNC.3: /\\(ln|exp|sin|cos|tan|sinh|cosh|tanh)(?![a-zA-Z])|\\log(?![a-zA-Z])(\s*_\s*(\{\s*[0-9]+\s*\}|[0-9]))?/
KLNAME.4: /(D|\\(mathrm|mathbb|mathcal|operatorname|mathsf)\s*\{\s*D\s*\})_\{?\s*(\\mathrm\{KL\}|\\text\{KL\}|\\rm\s*KL|\\operatorname\{KL\}|KL)\s*\}?/
        | /\\(mathrm|operatorname|text|mathbb)\{KL\}/ | /KL/
        | /\\mathcal\{D\}(?=\s*(\\left\s*|\\big[gl]?\s*|\\Big[gl]?\s*)?[\[(])/
ELBONAME.4: /\\mathcal\{L\}|\\mathcal\s+L|\\(mathrm|text|textrm|textsf|mathsf|operatorname)\{ELBO\}|ELBO/
ENTROPY.4: /\\mathbb\{H\}|\\mathrm\{H\}|\\mathcal\{H\}|\\operatorname\{H\}|H(?=\s*[(\[])/
          | /h(?=\s*[(\[]\s*(\\mathcal|\\mathrm|\\text|\\operatorname|[pq]\s*[(_]|[A-Z]\s*[)\]]))/
CONST.5: /\\(text|mathrm|operatorname|textrm|rm)\s*\{\s*const\.?\s*\}|\\const(?![a-zA-Z])|const(?![a-zA-Z])/
DNAME_IDX.4: /[pqPQ](_(\{[0-9a-zA-Z]+\}|[0-9a-zA-Z]|\{?\\(GREEKS)(?![a-zA-Z])\}?)(\^(\*|\{\*\}|\\star|\{\\star\}))?|\^(\*|\{\*\}|\\star|\{\\star\})(_(\{[0-9a-zA-Z]+\}|[0-9a-zA-Z]))?)(?=\s*\()/
IINT.4: /\\iint(?![a-zA-Z])/
EXPECT.5: /\\mathbb\{E\}|\\mathbb\s+E|\\(mathrm|operatorname)\{E\}|\\mathbf\{E\}(?=\s*[_\[])|E(?=_|\s*\[|\s*(\\left\s*)?\()/
INT.3: /\\int(?![a-zA-Z])/
ARGOPT.5: /\\arg\s*\\(max|min)(?![a-zA-Z])/ | /\\arg(max|min)(?![a-zA-Z])/
        | /\\(operatorname\*?|mathrm|text|mathop)\{\s*(\\(rm|mathrm)\s*)?arg\s*(\\[,;:! ]\s*)?(max|min)\s*\}/
EXCEPT_OPEN.5: /_\{\s*(-|[a-zA-Z]\s*(\\neq?(?![a-zA-Z])|≠))/
IN.3: /\\in(?![a-zA-Z])/ | "∈"
FAMILY.3: /\\mathcal\{[A-KM-Z]\}/ | /\\mathscr\{[A-Z]\}/
BOLD.4: /\\(mathbf|boldsymbol|bm|mathbfit|vb)\s*\{\s*(\\(GREEKS)(?![a-zA-Z])|[a-zA-Z])\s*\}/
PI.3: /\\pi(?![a-zA-Z])/
_LBRACE_ESC.3: /\\\{/
_RBRACE_ESC.3: /\\\}/
GREEK.3: /\\(GREEKS)(?![a-zA-Z])(_(\{[0-9]+\}|[0-9]|\{\s*\\(GREEKS)(?![a-zA-Z])\s*\}|\\(GREEKS)(?![a-zA-Z])))?ʹ?/
DECORATED.5: /(\\(GREEKS)(?![a-zA-Z])|\\(mathbf|boldsymbol|bm)\s*\{\s*(\\(GREEKS)|[a-zA-Z])\s*\}|[a-zA-Z])\s*[\^_]\s*\{\s*(\\(text|mathrm|rm|textrm)\s*\{\s*(?!KL\s*\})[a-zA-Z]{2,}\s*\}|[a-zA-Z]{3,})\s*\}/
NAME_SUB.3: /[a-zA-Z]_(\{[0-9]+\}|[0-9])ʹ?/
// a factor named without its argument where a const says what it is free of: const(q_1)
QSUB.4: /q_(\{[0-9]+\}|[0-9])(?!\s*\()/
DIFF.5: /(\\mathrm\{d\}|\\operatorname\{d\}|d)\s*([a-zA-Z](_(\{[0-9]+\}|[0-9]))?(?![a-zA-Z(_])|\\(mathbf|boldsymbol|bm)\s*\{\s*[a-zA-Z]\s*\}|\\(theta|mu|tau|phi|lambda|sigma|pi|epsilon|varepsilon|beta|alpha)(?![a-zA-Z]))/
MIDMID.4: /\\mid\s*\\mid(?![a-zA-Z])/
SEP.3: /\\\|/ | /\\parallel(?![a-zA-Z])/ | /\\Vert(?![a-zA-Z])/ | "||" | ","
LANGLE.3: /\\langle(?![a-zA-Z])/ | "⟨"
RANGLE.3: /\\rangle(?![a-zA-Z])/ | "⟩"
SIM.3: /\\sim(?![a-zA-Z])/
DNAME.2: "p" | "q" | /[PQ](?![a-zA-Z])/ | /r(?=\s*\(\s*(?:[zZ]|\\mathbf\s*\{\s*z\s*\})(?:_\{?[0-9]+\}?)?\s*(?:[,|)]|\\mid))/
NAME: /[a-zA-Z]ʹ?/
NUMBER: /[0-9]+(\.[0-9]+)?/
_BAR.3: "|" | /\\mid(?![a-zA-Z])/ | /\\vert(?![a-zA-Z])/
IGNORED.3: /\\(left|right|middle|bigl|bigr|Bigl|Bigr|biggl|biggr|big|Big|bigg|Bigg|displaystyle|nonumber|notag|limits)(?![a-zA-Z])/
         | /\\[,;:! ]/ | /\\q?quad(?![a-zA-Z])/ | "~" | "&" | /\\(label|tag\*?)\s*\{[^{}]*\}/
%import common.WS
// an absolute value: |a|, \vert a \vert, \lvert a \rvert, \left| a \right|
// (a bare | read as one is marked so before parsing, see .latex_abs)
LVERT.5: /\\lvert(?![a-zA-Z])|\\left\s*(\||\\vert(?![a-zA-Z])|\\lvert(?![a-zA-Z]))|\ue000/
RVERT.5: /\\rvert(?![a-zA-Z])|\\right\s*(\||\\vert(?![a-zA-Z])|\\rvert(?![a-zA-Z]))|\ue001/
%ignore WS
%ignore IGNORED
"""

@functools.lru_cache(maxsize=1)
def _parser() -> Lark:
    """The LALR parser, built on first use (building it takes a quarter of a second)."""
    grammar = (GRAMMAR + SUM_RULES + DIST_RULES + DIAG_RULES + FUNCTION_RULES + GRADIENT_RULES).replace('("|" names)', "(_BAR names)").replace("GREEKS", "|".join(_GREEK))
    return Lark(grammar, start="row", parser="lalr", propagate_positions=True, maybe_placeholders=False,
                lexer_callbacks={"DNAME": _lower_density, "DNAME_IDX": _lower_density})


class _Capital(Token):
    """A density written with a capital, P or Q (see :func:`_lower_density`)."""
    __slots__ = ()


def _lower_density(tok):
    """Doersch's (and the statisticians') upper-case P(X|z), Q(z|X) are vi_sym's densities p and q."""
    return _Capital.new_borrow_pos(tok.type, tok[0].lower() + tok[1:], tok) if tok[:1] in ("P", "Q") else tok

#: the target of a ``\\text{const}`` written without one; the reader names it from the chain
#: (:func:`resolve_const`)

MAX_DEPTH = 100        # brackets; deeper input is refused before parsing
REL_NORMAL = {"=": "=", ">=": ">=", "≥": ">=", "<=": "<=", "≤": "<="}
# "equal by definition" is equal: the definition a note states is checked against vi_sym's own
REL_NORMAL.update(dict.fromkeys(("=:", ":=", "≔", "≜", "≡", "\\coloneqq", "\\triangleq", "\\equiv", "\\defeq"), "="))


def _rel(tok: str) -> str:
    t = tok.strip()
    if t in ("\\propto", "∝"):
        return "="
    if t in REL_NORMAL:
        return REL_NORMAL[t]
    return ">=" if t.startswith("\\g") else "<="


class _Build(DiagonalMixin, SumsMixin, DistsMixin, FunctionsMixin, ElboMixin, GradientMixin, ConstsMixin, Transformer):
    """Parse tree -> vi_sym expressions (``env``: variables, the latent and observed names;
    ``written``: the file's distributions written inline, :mod:`.latex_dists`)."""

    def __init__(self, variables: dict, latent: str, observed: str, latents=(), joint=(), written=None):
        super().__init__()
        self.written, self.implicit = written, {}
        self.joint = [variables[n] for n in joint if n in variables]    # bare q is q(z1, z2)
        self.v, self.z, self.x = variables, variables[latent], variables[observed]
        self.latent = {variables[n] for n in latents if n in variables} or {self.z}

    def _call_userfunc(self, tree, new_children=None):
        """Every node as it is built: a part that is provably not real (``\\sqrt{-1}``,
        ``\\log(-1)``, ``\\frac{1}{0}``) is an error where it is written."""
        out = super()._call_userfunc(tree, new_children)
        bad = nonreal_part(out, deep=False)
        if bad is not None:
            col = at(getattr(tree, "meta", None))
            raise ParseError(f"this gives {describe_nonreal(bad)}: expressions must be real-valued", col)
        return out

    def _name(self, tok):
        name = decorated_name(tok) if getattr(tok, "type", "") == "DECORATED" else latex_name(tok)
        if name not in self.v:
            raise ParseError(f"unknown variable '{name}' (declare it: <!-- vi_sym: parameters: {name} -->, "
                             "or latent:, observed:, positive:)",
                             at(tok))
        return self.v[name]

    vname = v_args(inline=True)(lambda self, t: self._name(t))
    target_var = v_args(inline=True)(lambda self, t: self._name(t))
    target_name = v_args(inline=True)(lambda self, t, *family: str(t))

    def target_density(self, items):
        return self.density(items)

    def target_density_in(self, items):      # \arg\min_{q(z) \in \mathscr{Q}}: the family is a remark
        return self.density(items[:-2])

    @v_args(inline=True)
    def except_target(self, t):
        if t.type == "NUMBER":
            if not str(t).isdigit() or int(str(t)) < 1:
                raise ParseError("E_{-j} leaves out a factor by its position, a whole number from 1", at(t))
            return int(str(t))
        var = self._name(t)
        if var not in self.latent:
            raise ParseError(f"E_{{-j}} (E_{{i \\neq j}}) leaves out a latent or a factor by its position; "
                             f"'{latex_name(t)}' is not a latent", at(t))
        return var

    @v_args(inline=True)
    def expectation_except(self, _, __, which, body):
        return ExpectationExcept(which, body)

    @v_args(inline=True)
    def argopt(self, word, target, body):
        return (ArgMax if "max" in str(word) else ArgMin)(body, target)

    number = v_args(inline=True)(lambda self, t: sympy.Rational(str(t)))
    pi = v_args(inline=True)(lambda self, t: sympy.pi)
    var = v_args(inline=True)(lambda self, t: sympy.E if str(t) == "e" and "e" not in self.v else
                              sympy.EulerGamma if latex_name(t) == "γ" and "γ" not in self.v else
                              self._factor(t) or self.identity(t) or self.drawn_entropy(t) or self._name(t))

    def _factor(self, tok):
        """``q_2`` written without its argument (``\\mathbb{E}_{q_2}[f]``, Bishop's and Blei's
        factor q_j(z_j)): the density q2 over the one latent numbered 2 (z_2) -- in a note with no
        numbered latent, over its latent (``q_1(z) = \\beta e^{-\\beta z}`` defined, then
        ``\\mathbb{E}_{q_1}[z]``); None when the name is a declared variable or no single latent
        carries its number."""
        name = latex_name(tok)
        found = re.fullmatch(r"q(\d+)", name)
        if found is None or name in self.v:
            return None
        over = [v for v in self.latent if re.fullmatch(rf"\D+{found.group(1)}", v.name)]
        if not over and not any(re.search(r"\d$", v.name) for v in self.latent):
            over = [self.z]       # no numbered latents: a q_1 the note defines, of its one latent
        return Density(name, over) if len(over) == 1 else None
    abs = v_args(inline=True)(lambda self, *items: sympy.Abs(next(i for i in items if not isinstance(i, Token))))
    add = v_args(inline=True)(lambda self, a, b: a + b)
    sub = v_args(inline=True)(lambda self, a, b: a - b)
    neg = v_args(inline=True)(lambda self, a: -a)
    frac = v_args(inline=True)(lambda self, _, a, b: a / b)
    sqrt = v_args(inline=True)(lambda self, _, a: sympy.sqrt(a))
    names = lambda self, ts: [t if isinstance(t, sympy.Indexed) else self._name(t) for t in ts]  # noqa: E731
    bare_density = v_args(inline=True)(lambda self, t: self.letter(t) or self.capital(t) or self.density_named(str(t)))
    kl = v_args(inline=True)(lambda self, _, a, sep, b: KL(self.density_slot(a), self.density_slot(b)))
    bare_elbo = v_args(inline=True)(lambda self, _: self.elbo_of(self.bare_q()))
    elbo = v_args(inline=True)(lambda self, _, q: self.elbo_of(q))
    entropy = v_args(inline=True)(lambda self, _, q: Entropy(drawn_of(getattr(self, "sampled", {}), q, q)))   # H[X], X ~ …
    expectation = v_args(inline=True)(lambda self, _, q, body: Expectation(q, body))
    expectation_bare = v_args(inline=True)(lambda self, _, d, body: Expectation(self.named(d), body))
    expectation_over = v_args(inline=True)(lambda self, _, v, body: Expectation(self.over(self._name(v), at(v)), body))
    # Blei et al.'s E[log p(z, x)]: "all expectations are taken with respect to q"
    expectation_plain = v_args(inline=True)(lambda self, _, body: Expectation(under_drawn(getattr(self, "sampled", None), self.bare_q(), body), body))
    # the physicists' and Winn & Bishop's ⟨f⟩_{q(z)}: E_q(z)[f]; a bare ⟨f⟩ is under q, as E[f] is
    angle_expectation = v_args(inline=True)(lambda self, _, body, __, q: Expectation(q, body))
    angle_expectation_bare = v_args(inline=True)(lambda self, _, body, __, d: Expectation(self.named(d), body))
    angle_expectation_plain = v_args(inline=True)(lambda self, _, body, __: Expectation(under_drawn(getattr(self, "sampled", None), self.bare_q(), body), body))

    def named(self, d):
        """The density a bare subscript names, ``\\mathbb{E}_q``, ``\\mathbb{E}_p``: q is the bare q."""
        return self.bare_q() if str(d) == "q" else Density(str(d), [self.z])

    def bare_q(self):
        """A bare ``q``: the variational density over every latent of the note (see :func:`named_q`)."""
        return Density(BARE_Q, list(self.joint) or [self.z])

    def mul(self, items):
        items = [i for i in items if not isinstance(i, Token)]
        return items[0] * items[1]

    @v_args(inline=True)
    def div(self, a, b):
        return a / b

    @v_args(inline=True)
    def pow(self, a, b):
        if b.is_Number and abs(b) > 1000:
            raise ParseError("exponent too large")
        return a ** b

    @v_args(inline=True)
    def func(self, f, a):
        return elementary(str(f), a, at(f))

    jmul, pfunc = mul, func     # juxtaposed, and a bracketed argument (see latex_args)

    def density(self, items):
        name, groups = items[0], items[1:]
        self.capital(name)
        return Density(str(name), self.blocks_of(groups[0]), self.blocks_of(groups[1]) if len(groups) > 1 else [])

    def blocks_of(self, names) -> list:
        """``p(z)`` in a note that reads z_1, z_2 as the blocks of z: z is all of them, p(z_1, z_2)."""
        if len(self.joint) < 2:
            return names
        out = []
        for v in names:
            parts = [b for b in self.joint if str(v) in ("z", "Z") and re.fullmatch(rf"{v}\d+", str(b))]
            out += parts if len(parts) >= 2 and v not in self.joint else [v]
        return out

    def capital(self, tok):
        """A capital P or Q is a density, p or q, unless the note declares it a variable: then an error
        (a bare P would otherwise be read as the posterior p(z|x), silently)."""
        if isinstance(tok, _Capital) and str(tok)[0].upper() in self.v:
            raise ParseError(f"'{str(tok)[0].upper()}' is a declared variable, and written as here it reads as the "
                             f"density {tok}: rename the variable", at(tok))

    def under(self, items):
        # E_{z ~ q(z)}: the density; E_{z ~ N(0, 1)}: a distribution of z; E_{z_1}: over a latent
        return self.drawn(items[0], items[-1]) if len(items) == 3 else self.over(items[-1])

    def over(self, var, column=None):
        """The distribution of ``\\mathbb{E}_{z}[f]``, ``\\mathbb{E}_{z_1}[f]`` (the expectation over a
        latent): q over every latent of the note when it is all of them (a bare q), else q's
        factor over it (see :func:`named_q`); anything else is left for the expectation to refuse."""
        if isinstance(var, sympy.Symbol) and var not in self.latent or isinstance(var, sympy.Number):
            raise ParseError(f"the subscript of \\mathbb{{E}} is the density (\\mathbb{{E}}_{{q(z)}}) or a latent the "
                             f"expectation is over (\\mathbb{{E}}_{{z}}); '{var}' is not a latent", column)
        if not isinstance(var, sympy.Symbol):
            return var
        return self.bare_q() if [var] == (list(self.joint) or [self.z]) else Density(BARE_OVER, [var])

    def _diff_var(self, diff):
        """The variable of a differential: ``dz``, ``dz_1``, ``\\mathrm{d}\\theta``."""
        text = re.sub(r"^(\\mathrm\{d\}|\\operatorname\{d\}|d)\s*", "", str(diff))
        return self._name(Token("NAME", text, start_pos=diff.start_pos, column=diff.column))

    @v_args(inline=True)
    def integral(self, _, body, diff):
        return sympy.Integral(body, self._diff_var(diff))

    @v_args(inline=True)
    def integral2(self, _, body, inner, outer):
        """``\\iint f \\,dz_1 dz_2``: the iterated integral, innermost variable first."""
        return sympy.Integral(sympy.Integral(body, self._diff_var(inner)), self._diff_var(outer))

    def density_idx(self, items):
        """``q_1(z_1)`` is the density named q1, ``q^*(z)`` q_star, ``q_j^*`` qj_star; a subscript
        that is a declared parameter (``p_\\theta(x|z)``, Kingma & Welling) conditions on it:
        p(x|z, θ)."""
        tok, groups = items[0], items[1:]
        self.capital(tok)
        text = re.sub(r"^([pq])(\^(?:\*|\{\*\}|\\star|\{\\star\}))(_.+)$", r"\1\3\2", str(tok))  # q^*_1: q_1^*
        m = re.match(r"([pq])(?:_\{?([^{}^]+?)\}?)?(\^.*)?$", text)
        base, sub, star = m.group(1), m.group(2), m.group(3)
        given = list(groups[1]) if len(groups) > 1 else []
        name = base
        if sub:
            sub_name = latex_name(sub.strip())
            sym = self.v.get(sub_name)
            if sym is not None and sym.is_real is True:     # a declared parameter (real, not random)
                given.append(sym)
            else:
                name += sub_name
        if star:
            name += "_star"
        return Density(name, groups[0], given)


def parse_row(text: str, variables: dict, latent: str, observed: str, latents=(), joint=(), indexed=(),
              written=None, chain_q=(), drawn=None):
    """A row of display math -> [(relation|None, expr, label, line, column)], positions 1-based
    within ``text``; ``indexed``: the names of vectors and data-set points (``\\sigma_j``, ``x_n``);
    ``written``: the file's :class:`~.distribution_forms.WrittenDistributions` (None: a
    distribution written inline is an error), whose ``declared`` gets the names their arguments
    introduce; ``chain_q``: the densities named before in the chain (:func:`named_q`, :func:`named_p`);
    ``drawn``: {name: density}, the sampling statements in force (:mod:`.sampled`); ParseError if unread."""
    check_sums(text, latents or [latent])
    text, written_as = mark_abs(encoder_outputs(text, observed, written)[0]), text   # same columns
    depth = 0
    for i, c in enumerate(text):
        depth += (c in "([{") - (c in ")]}")
        if depth > MAX_DEPTH:
            raise ParseError("the formula is nested too deeply", i + 1, written_as)
    try:
        tree = log_takes_product(_parser().parse(text))
        tree = check_indices(tree, variables, indexed, latex_name)
    except UnexpectedEOF as err:
        raise ParseError(f"the formula ends too early; expected {_expected(err, text)}", len(text)) from None
    except UnexpectedCharacters as err:
        raise ParseError(f"unexpected {_what(written_as, err.pos_in_stream)}; expected {_expected(err, text)}",
                         err.pos_in_stream + 1, written_as) from None
    except UnexpectedInput as err:
        tok = getattr(err, "token", None)
        if tok is None or tok.type == "$END":
            what = "end of formula"
        elif tok.type in ("TEXTBODY", "LABELCHARS"):
            what = _what(written_as, tok.start_pos)
        else:
            what = f"'{str(tok).replace(OPEN, '|').replace(CLOSE, '|')}'"
        where = at(tok) if tok is not None and tok.type != "$END" else getattr(err, "column", None)
        raise ParseError(f"unexpected {what}; expected {_expected(err, text)}", where, written_as) from None
    variables, latents = with_written(tree, variables, latents, written)
    build = _Build(variables, latent, observed, latents, joint, written)
    build.sampled = {variables[n]: d for n, d in (drawn or {}).items() if n in variables}
    build.diagonal, build.vectors = getattr(written, "diagonal", None), set(indexed)     # N(μ, diag(σ²))
    out = []
    try:
        items = tree.children
        if tree.data == "lone":
            return named_p(named_q([(None, build.transform(items[0]), "", 1, 1)], chain_q), chain_q)
        for item in items:
            if item.data == "link":
                rel, expr = item.children
                label = "".join(str(t) for t in rel.scan_values(lambda t: t.type in ("TEXTBODY",
                                                                                   "LABELCHARS")))
                reltok = next(rel.scan_values(lambda t: t.type == "REL"))
                rhs = build.transform(expr)
                if str(reltok).strip() in ("\\propto", "∝"):    # proportional: = rhs · const
                    rhs = rhs * Const(UNNAMED_CONST)
                out.append((_rel(reltok), rhs, label.strip(), reltok.line, reltok.column))
            else:
                out.append((None, build.transform(item), "", item.meta.line, item.meta.column))
    except LarkError as err:       # a ParseError or VocabularyError raised while building
        inner = getattr(err, "orig_exc", err)
        if isinstance(inner, ParseError):
            raise inner from None
        if isinstance(inner, (VocabularyError, TypeError, ValueError)):
            raise ParseError(str(inner)) from None
        raise ParseError(f"cannot build the expression: {inner}") from None
    return named_p(named_q(out, chain_q), chain_q)
