"""Distributions as notes write them: ``N(μ, σ^2)``, ``Gamma(z; a, b)``, ``\\mathcal{N}(z \\mid m, s^2)``.

Written where a density goes -- ``KL(N(μ1, σ1^2) || N(μ2, σ2^2))``, ``H(Gamma(a, b))``,
``E_{z~Beta(a, b)}[log z]`` -- a distribution is an
:class:`~vi_sym.distributions.inline.InlineDensity`: a concrete density, checked as a
``define``-d one is, printed as the note wrote it.  Both the plain-text reader and the LaTeX
grammar call :class:`WrittenDistributions`; the spellings are :data:`ALIASES`:

* ``N``, ``𝒩``, ``\\mathcal{N}``: Normal(mean, **variance**), as textbooks write it (PRML's
  N(x|μ, λ⁻¹) is variance 1/λ);
* ``Normal``, ``LogNormal``: the standard deviation (log-scale), as in ``.vi`` files; written
  without their variable they are refused (``Normal(m, s)``: the second argument could be
  either); a spread written as a square is a variance, the variable written or not
  (``LogNormal(μ, σ^2)``, as tables write it; see :func:`written_square`);
* every other kind by its vi_sym name (``Gamma``, ``Beta``, ``StudentT``, …), in the parameter
  order of the README's table, and the short names ``Gam``, ``Exp``, ``Bern``, ``Bin``, ``Pois``,
  ``Unif``, ``InvGamma``.  ``Gamma(a, b)`` is shape and rate (PRML's Gam(τ|a, b)), ``Exp(λ)`` a
  rate: those readings are said in a warning.

The variable is written first (``(z; …)``, ``(z | …)``, or ``(z, …)`` with one argument more
than the kind has parameters) or is the chain's latent.  Names an argument introduces are
declared by the kind's parameter domains (the mean real, a variance or a rate positive, a
probability in (0, 1)), and the reader says so.
"""
from __future__ import annotations

import re

import sympy

from ..distributions import SPECS, DefinitionError, check_domains, components, distribution_functions
from ..distributions.inline import InlineDensity
from ..notation import to_latex, to_unicode
from ..tokens import NAME_PATTERN, ParseError, normal_name
from ..vocabulary import Density
from .headers import NOTE_VARIABLE_KEYS

__all__ = ["ALIASES", "LATEX_WORDS", "DistributionFormError", "WrittenDistributions", "argument_domains",
           "written_names", "split_arguments", "ASSUME", "DOMAIN_WORDS", "names_in_text", "TextWritten", "WRITTEN_LINE",
           "split_top", "mentions_distribution"]

_SHORT = {"Gam": "Gamma", "Ga": "Gamma", "Exp": "Exponential", "Bern": "Bernoulli", "Ber": "Bernoulli",
          "Bin": "Binomial", "Binom": "Binomial", "Pois": "Poisson", "Poi": "Poisson", "Geom": "Geometric",
          "NegBin": "NegativeBinomial", "NB": "NegativeBinomial", "Unif": "Uniform", "InvGamma": "InverseGamma",
          "InvGauss": "InverseGaussian", "Lognormal": "LogNormal", "GenGamma": "GeneralizedGamma",
          "HypSecant": "HyperbolicSecant", "Semicircular": "Semicircle", "WignerSemicircle": "Semicircle",
          "Wald": "InverseGaussian", "Fisk": "LogLogistic", "DoubleExponential": "Laplace", "ParetoII": "Lomax",
          "Weib": "Weibull", "LN": "LogNormal", "U": "Uniform"}
#: kinds whose written form must name its variable (its spread could be read two ways)
_STATED = ("Normal", "LogNormal")


def _aliases() -> dict:
    """written name -> (kind, convention): "variance" (the last argument is a variance),
    "stated" (the variable must be written), "" (the kind's own parameters)."""
    out = {k: (k, "stated" if k in _STATED else "") for k, s in SPECS.items() if not (s.written or s.variadic)}
    out.update({a: (k, "stated" if k in _STATED else "") for a, k in _SHORT.items()})
    out.update({"N": ("Normal", "variance"), "𝒩": ("Normal", "variance"), "Gaussian": ("Normal", "variance")})
    return out


ALIASES = _aliases()
#: the LaTeX commands for them: \mathcal{N}, and \mathrm{Gamma} / \text{Beta} / \operatorname{Exp}
LATEX_WORDS = tuple(sorted((a for a in ALIASES if a.isascii() and a != "N"), key=len, reverse=True))
#: readings worth a warning: the kinds two conventions write alike
READINGS = {"Gamma": "shape {0}, rate {1} (mean {0}/{1})", "Exponential": "rate {0} (mean 1/{0})",
            "Geometric": "the failures before the first success, success probability {0}",
            "NegativeBinomial": "the failures before the {0}-th success, success probability {1}",
            "Weibull": "shape {0}, scale {1}",
            "GeneralizedGamma": "scale {0}, shapes d = {1} and p = {2} (density ∝ z^(d-1) exp(-(z/{0})^p))",
            "HyperbolicSecant": "location {0}, standard deviation {1}",
            "TruncatedNormal": "mean {0}, standard deviation {1}, truncated to ({2}, {3})",
            "InverseGamma": "shape {0}, scale {1} (mean {1}/({0} - 1))"}


_THETA = re.compile(r"(?:θ|theta)(?:_?\w+)?")
_LAMBDA = re.compile(r"(?:λ|lambda)(?:_?\w+)?")
_K = re.compile(r"k(?:_?\w+)?")


def by_names(kind: str, values: list, params: list) -> tuple:
    """(params, words) of the two conventions the parameters' names tell apart, as the tables
    that use them name them: ``Gamma(k, θ)`` is Wikipedia's shape-scale (θ the scale: rate 1/θ),
    ``Weibull(λ, k)`` its scale-then-shape; else (params, "").  Said in a warning, and a formula
    written in the other convention gets the other reading as its likely fix
    (:mod:`vi_sym.distributions.conventions`)."""
    names = [v.name if isinstance(v, sympy.Symbol) else "" for v in values]
    if kind == "Gamma" and len(values) == 2 and _THETA.fullmatch(names[1]):
        a, t = map(to_unicode, values)
        return [params[0], 1 / params[1]], (f"shape {a}, scale {t} (rate 1/{t}, mean {a} {t}): θ names the scale, "
                                            f"as in the shape-scale tables")
    if kind == "Weibull" and len(values) == 2 and _LAMBDA.fullmatch(names[0]) and _K.fullmatch(names[1]):
        lam, k = map(to_unicode, values)
        return [params[1], params[0]], f"scale {lam}, shape {k}, as the tables that name them so write them"
    return params, ""


#: the assumptions of a symbol declared in each domain (as a note's declaration lines give them)
ASSUME = {domain: assumptions for _, assumptions, domain in NOTE_VARIABLE_KEYS if domain}
DOMAIN_WORDS = {"real": "a real parameter", "positive": "a positive parameter", "unit": "a parameter in (0, 1)"}


class DistributionFormError(ValueError):
    """A written distribution that cannot be read (the message says why)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _spec(alias: str):
    kind, convention = ALIASES[alias]
    return kind, convention, SPECS[kind]


#: a written argument that is a square: σ^2, σ^{2}, σ**2, σ², (a b)^2
_SQUARE = re.compile(r"\s*(?:\\?\w+(?:_\{?\w+\}?)?|\([^()]*\)|\{[^{}]*\})\s*(?:\^\s*(?:2|\{\s*2\s*\})|\*\*\s*2|²)\s*")


def written_square(text: str) -> bool:
    """Is a written argument (its text) a square -- ``σ^2``, ``σ_1^{2}``, ``s**2``, ``σ²``?  The
    spread of a ``Normal``/``LogNormal`` written so is a variance: nobody writes a standard
    deviation as a square."""
    return _SQUARE.fullmatch(text) is not None


def _as_variance(convention: str, squared: bool) -> str:
    """The convention of a "stated" kind whose spread is written as a square: the variance (as
    ``N``'s), its variable written or not (``LogNormal(μ, σ^2)``, ``z ~ Normal(m, s^2)``)."""
    return "variance" if convention == "stated" and squared else convention


def argument_domains(alias: str, count: int, named: bool, squared: bool = False) -> list:
    """The domain of each written argument (after the variable): the kind's, a variance
    positive; ``named``: the variable was written; ``squared``: the last argument is written as
    a square (:func:`written_square`).  A DistributionFormError when the count or the
    convention does not fit."""
    kind, convention, spec = _spec(alias)
    convention = _as_variance(convention, squared)
    n = len(spec.params)
    if convention == "stated" and not named:
        raise DistributionFormError(f"{alias}(…) without its variable is ambiguous: write N(mean, variance), "
                                    f"{alias}(mean, σ^2) with the variance as a square, "
                                    f"or {alias}(z, mean, standard deviation) as in .vi files"
                                    if kind == "Normal" else
                                    f"{alias}(…) without its variable is ambiguous: write {alias}(log-mean, σ^2) "
                                    f"with the log-variance as a square, or {alias}(z, log-mean, log-scale) as "
                                    "in .vi files (the log-scale is a standard deviation)")
    if count != n:
        raise DistributionFormError(f"{alias}(…) takes {n} parameter{'s' * (n != 1)} "
                                    f"({', '.join(spec.params)}), got {count}")
    return ["positive" if convention == "variance" and i == n - 1 else d for i, d in enumerate(spec.domains)]


def whole_number_wanted(alias: str, index: int, name: str) -> str:
    """Why a name cannot stand as the whole-number argument ``index`` of ``alias(…)`` (the trials
    of a Binomial: its support is summed term by term, so the count must be written out)."""
    param = _spec(alias)[2].params[index]
    return (f"{alias}(…): its {param} must be a whole number written out, not '{name}' "
            f"(e.g. {alias}(4, …)): vi_sym sums over its support term by term")


def split_arguments(alias: str, first_is_latent: bool, count: int) -> bool:
    """True when ``alias(a, b, …)`` of ``count`` arguments names its variable first (a latent,
    and one argument more than the kind's parameters)."""
    return first_is_latent and count == len(_spec(alias)[2].params) + 1


class WrittenDistributions:
    """The distributions one file writes inline: each distinct one gets one name (Normal1,
    Normal2, Gamma1, …), so a chain that writes N(μ, σ^2) twice means one density.
    ``domains``: {name: domain} of the declared parameters (the reader keeps it current);
    ``warnings``: readings said once per file."""

    def __init__(self):
        self.names: dict = {}
        self.domains: dict = {}
        self.said: set = set()
        self.warnings: list = []
        self.declared: dict = {}      # names the arguments introduced (the LaTeX reader's)
        self.ordered: dict = {}       # b -> a + (b − a): an end a distribution needs above another
        self.gaps: dict = {}          # (b − a) -> "positive": the parameters those readings introduce
        self.latents: list = []       # names drawn from them, E_{ε ~ N(0, 1)} (the LaTeX reader's)
        self.decorated: dict = {}     # θ^{old} -> the domain of θ, a declared parameter (the LaTeX reader's)
        self.subscripts: dict = {}    # θ of p_θ(x|z), undeclared: a real parameter (the LaTeX reader's)
        self.active: dict = {}        # p, q written as a distribution's argument in this chain: numbers
        self.standing: dict = {}      # ... and in the distributions of the sampling statements in force

    def density(self, alias: str, var, values: list, named: bool) -> InlineDensity:
        """``alias(values)`` as a density of ``var``; DistributionFormError when it is not one."""
        kind, convention, spec = _spec(alias)
        squared = bool(values) and isinstance(values[-1], sympy.Pow) and values[-1].exp == 2
        argument_domains(alias, len(values), named, squared)
        if _as_variance(convention, squared) != convention:
            convention = "variance"
            self._say(alias, values, f"{kind} with the variance {to_unicode(values[-1])} of "
                      f"{'its log' if kind == 'LogNormal' else 'the variable'} (written as a square)")
        for v in values:
            for d in sorted(v.atoms(Density), key=str):
                example = f"{alias}(π)" if len(values) == 1 else f"{alias}(α, β)"
                raise DistributionFormError(f"{alias}(…): its parameters are numbers, but '{d.name}' is a density "
                                            f"here ({to_unicode(d)}); name the parameter otherwise, e.g. {example}")
        params = [sympy.sqrt(v) if convention == "variance" and i == len(values) - 1 else v
                  for i, v in enumerate(values)]
        params, named_reading = by_names(kind, values, params)
        if named_reading:
            self._say(alias, values, f"{kind}: {named_reading}")
        try:
            params = [p.xreplace(self.ordered) for p in params]
            definition = distribution_functions()[kind](var, *params)
            problems = [p for c in components(definition) for p in check_domains(c, self.domains)]
            if problems and self.order(alias, spec, params, values):
                params = [p.xreplace(self.ordered) for p in params]
                definition = distribution_functions()[kind](var, *params)
                problems = [p for c in components(definition) for p in check_domains(c, self.domains)]
        except (DefinitionError, TypeError, ValueError) as err:
            raise DistributionFormError(f"{alias}(…): {err}") from None
        if problems:
            raise DistributionFormError(f"{alias}(…): {problems[0]}")
        shown = f"{alias}({', '.join(map(to_unicode, values))})"
        head = r"\mathcal{N}" if convention == "variance" and kind == "Normal" else rf"\mathrm{{{alias}}}"
        shown_latex = rf"{head}\left({', '.join(map(to_latex, values))}\right)"
        key = sympy.srepr(definition)
        if key not in self.names:
            count = sum(1 for n in self.names.values() if re.fullmatch(rf"{kind}\d+", n))
            self.names[key] = f"{kind}{count + 1}"
        if kind in READINGS and not named_reading:
            self._say(alias, values, f"{kind}: {READINGS[kind].format(*map(to_unicode, values))}")
        return InlineDensity(self.names[key], (var,), (), definition, shown, shown_latex)

    def _say(self, alias: str, values: list, reading: str) -> None:
        """Warn once per written distribution how it is read."""
        if (alias, tuple(values)) not in self.said:
            self.said.add((alias, tuple(values)))
            self.warnings.append(f"{alias}({', '.join(map(to_unicode, values))}) read as {reading}")

    def order(self, alias: str, spec, params: list, values: list) -> bool:
        """Read an end a distribution needs above another -- ``Uniform(a, b)``: b > a -- as the
        other plus a new positive parameter named by the difference, ``b = a + (b − a)``, as the
        published closed forms mean it ("for a < b"); only for an end written as a bare name
        with no domain but the real line (a declared positive end, or a formula, is left to
        the error that asks for it).  True when an end was so read (see :attr:`ordered`)."""
        done = False
        for expr, _ in spec.constraints(*params):
            terms = sympy.Add.make_args(sympy.expand(expr))
            ends = [t for t in terms if isinstance(t, sympy.Symbol) and self.domains.get(t.name, "real") == "real"
                    and t not in self.ordered]
            if len(ends) != 1 or ends[0] in (expr - ends[0]).free_symbols:
                continue
            hi, lo = ends[0], ends[0] - expr
            gap = sympy.Symbol(f"({hi} − {to_unicode(lo.xreplace({v: k for k, v in self.ordered.items()}))})",
                               positive=True)
            if gap.name in self.domains:
                continue
            self.ordered[hi] = lo.xreplace(self.ordered) + gap
            self.domains[gap.name] = self.declared[gap.name] = self.gaps[gap.name] = "positive"
            self.warnings.append(f"{alias}({', '.join(map(to_unicode, values))}) needs {hi} > {to_unicode(lo)}: "
                                 f"{hi} read as {to_unicode(lo)} + {gap.name}, {gap.name} > 0")
            done = True
        return done


_NAME = re.compile(NAME_PATTERN)


def written_names(alias: str, parts: list, known, first_is_latent: bool, named: bool) -> dict:
    """{name: domain} of the undeclared names in the written arguments ``parts`` (texts, after
    the variable when ``named``): each takes the domain of the argument it first appears in.
    Names followed by '(' (functions) and ``known`` ones are left alone.  A
    DistributionFormError when the arguments do not fit the kind."""
    if not named and split_arguments(alias, first_is_latent, len(parts)):
        parts, named = parts[1:], True
    domains = argument_domains(alias, len(parts), named, bool(parts) and written_square(parts[-1]))
    out: dict = {}
    for i, (text, domain) in enumerate(zip(parts, domains)):
        for m in _NAME.finditer(text):
            w = normal_name(m.group())
            if w == "oo":        # an infinite end (TruncatedNormal(0, 1, 0, oo)): no name
                continue
            call = text[m.end():].lstrip().startswith("(")
            if not call and w not in known and domain == "posint":
                raise DistributionFormError(whole_number_wanted(alias, i, w))
            if not call and w not in known and w not in out:
                out[w] = domain
    return out


#: ``q(z) = Gamma(z; a, b)``: a line defining a density as a written distribution
WRITTEN_LINE = re.compile(r"^\s*([pqr]\w*)\s*\(\s*(" + NAME_PATTERN + r")\s*\)\s*=\s*((" +
                          "|".join(sorted(map(re.escape, ALIASES), key=len, reverse=True)) + r")\s*\(.*\))\s*$")
_CALL = re.compile(r"(?<![\w.])(" + "|".join(sorted(map(re.escape, ALIASES), key=len, reverse=True)) + r")\s*\(")


def joint_products(expr):
    """``N(z1; m1, s1^2) N(z2; m2, s2^2)`` written as one density (``H(…)``, ``KL(… || …)``): the
    mean-field density of (z1, z2) whose definition is the product, as a ``.vi`` file's
    ``define q(z1, z2) = Normal(z1, m1, s1)*Normal(z2, m2, s2)``."""
    def product(e):
        fs = sorted(e.args, key=lambda f: str(f.vars[0]))
        if len({f.vars[0] for f in fs}) != len(fs):
            return e          # two distributions of one variable: not a density (left to the checks)
        return InlineDensity("_".join(f.name for f in fs), [f.vars[0] for f in fs], (),
                             sympy.Mul(*(f.definition for f in fs)), " ".join(f.shown for f in fs),
                             r" \, ".join(f.shown_latex for f in fs))
    if expr is None or not expr.has(InlineDensity):
        return expr
    return expr.replace(lambda e: isinstance(e, sympy.Mul) and len(e.args) > 1 and
                        all(isinstance(f, InlineDensity) and len(f.vars) == 1 for f in e.args), product)


_DRAWN = re.compile(_CALL.pattern + r"\s*(" + NAME_PATTERN + r")\s*[;|]")


def mentions_distribution(code: str) -> bool:
    """Does a plain-text formula write a distribution's name before '(' (N(…), Gamma(…))?"""
    return _CALL.search(code) is not None


def drawn_in_text(code: str) -> list:
    """[(alias, name)] of the variables written first in a plain-text formula's distributions:
    ``N(ε; 0, 1)`` (also ``E_{ε~N(0, 1)}`` once spelled so)."""
    return [(m.group(1), normal_name(m.group(2))) for m in _DRAWN.finditer(code)]


def split_top(text: str, seps: str) -> list:
    """(start, part) of ``text`` cut at the separators outside brackets."""
    out, depth, start = [], 0, 0
    for i, c in enumerate(text):
        depth += (c in "([{") - (c in ")]}")
        if depth == 0 and c in seps:
            out.append((start, text[start:i]))
            start = i + 1
    out.append((start, text[start:]))
    return out


def letters_in_text(code: str) -> dict:
    """{p or q: domain} when a plain-text formula writes a bare p or q as a distribution's argument,
    as tables do (``KL(Bern(p) || Bern(q))``, ``Geom(p)``): there they are numbers, not densities."""
    out: dict = {}
    for m in _CALL.finditer(code):
        depth, end = 0, len(code)
        for i in range(m.end() - 1, len(code)):
            depth += (code[i] == "(") - (code[i] == ")")
            if depth == 0:
                end = i
                break
        parts = [t.strip() for _, t in split_top(code[m.end():end], ",;|")]
        named = ";" in code[m.end():end] or "|" in code[m.end():end]
        try:
            domains = argument_domains(m.group(1), len(parts) - named, named, written_square(parts[-1]))
        except DistributionFormError:
            continue
        for text, domain in zip(parts[named:], domains):
            if text in ("p", "q"):
                out.setdefault(text, domain)
    return out


def names_in_text(code: str, known, latents) -> list:
    """[(alias, {name: domain})] of the distributions written in a plain-text formula: the
    names their arguments introduce (see :func:`written_names`).  A ParseError at the first
    whose arguments do not fit its kind."""
    out = []
    for m in _CALL.finditer(code):
        if m.group(1) in known:         # N declared as a count: N(…) is not a distribution
            continue
        depth, end = 0, None
        for i in range(m.end() - 1, len(code)):
            depth += (code[i] in "([{") - (code[i] in ")]}")
            if depth == 0:
                end = i
                break
        if end is None:
            continue
        head = split_top(code[m.end():end], ";|")
        named = len(head) == 2
        parts = [p for _, p in split_top(head[-1][1], ",")]
        first = parts[0].strip() in latents
        try:
            new = written_names(m.group(1), parts, known, first, named)
        except DistributionFormError as err:
            raise ParseError(err.message, m.start() + 1, code) from None
        if new:
            out.append((m.group(1), new))
    return out


class TextWritten:
    """``env.written`` for the plain-text reader: (alias token, variable token or None, [(token,
    value)]) -> an InlineDensity of the variable written, or of ``default`` (None: the note
    has several latents and must say which)."""

    aliases = frozenset(ALIASES)

    @staticmethod
    def infinite_ends(alias: str) -> bool:
        """May ``alias(…)`` take ``oo`` among its arguments (TruncatedNormal(0, 1, 0, oo))?"""
        return alias in ALIASES and SPECS[ALIASES[alias][0]].infinite_ends

    def __init__(self, registry: WrittenDistributions, variables: dict, latents, default):
        self.registry, self.variables, self.default = registry, variables, default
        self.latents = {variables[n] for n in latents if n in variables}

    def __call__(self, t, var_tok, args):
        values = [v for _, v in args]
        named = var_tok is not None
        if named:
            var = self.variables.get(var_tok.value)
            if var not in self.latents:
                raise ParseError(f"{t.value}({var_tok.value}; …): '{var_tok.value}' is not a latent variable "
                                 f"(a line 'latent: {var_tok.value}' declares it)", var_tok.col)
        elif split_arguments(t.value, values[0] in self.latents, len(values)):
            var, values, named = values[0], values[1:], True
        elif self.default is None:
            raise ParseError(f"which latent is {t.value}(…) a density of? write {t.value}(z1; …)", t.col)
        else:
            var = self.default
        try:
            return self.registry.density(t.value, var, values, named)
        except DistributionFormError as err:
            raise ParseError(err.message, t.col) from None
