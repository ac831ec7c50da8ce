"""Distributions written inline in the LaTeX reader (:mod:`vi_sym.frontends.latex`).

``D_{\\mathrm{KL}}(\\mathcal{N}(\\mu_1, \\sigma_1^2) \\| \\mathcal{N}(0, 1))``,
``\\mathbb{H}[\\mathrm{Gamma}(a, b)]``, ``\\mathbb{E}_{z \\sim \\mathrm{Beta}(\\alpha, \\beta)}[\\log z]``,
``\\mathcal{N}(z \\mid m, s^2)``: ``\\mathcal{N}`` is the Normal with its **variance**, every other
kind is written ``\\mathrm{Kind}`` (also ``\\text``, ``\\operatorname``, ``\\textrm``, ``\\mathsf``) with
the names and conventions of :mod:`.distribution_forms`.  The names an argument introduces are
declared by the kind's domains (:func:`declare_written`) before the row is built.
"""
from __future__ import annotations

import re

import sympy
from lark import Token, Tree

from ..parse import ParseError
from ..vocabulary import Density
from .latex_meaning import BARE_P, BARE_Q
from .latex_diagonal import DiagCov
from .latex_functions import at, latex_name
from .distribution_forms import (ASSUME, DOMAIN_WORDS, LATEX_WORDS, DistributionFormError, argument_domains,
                                 split_arguments, whole_number_wanted)

__all__ = ["DIST_RULES", "DistsMixin", "declare_written", "with_written"]

#: the grammar's rules and terminals for written distributions (added to latex.GRAMMAR)
DIST_RULES = r"""
%extend atom_np: DIST "(" dist_var? expr (SEP expr)* ")"   -> dist
    | CHI2 "(" dist_var? expr ")"                            -> dist
    | CHI2 "_" "{" expr "}"                                  -> dist
    | CHI2 "_" chi_arg                                       -> dist
?chi_arg: NAME -> var
    | NUMBER -> number
dist_var: vname (";" | _BAR)
// the chi-squared distribution as written: \chi^2(k), \chi^2_k, \chi^{2}_{\nu}
CHI2.6: /\\chi\s*\^\s*(?:2|\{\s*2\s*\})(?=\s*[_(])/
DIST.5: /\\mathcal\s*\{\s*[NU]\s*\}|\\mathcal\s+[NU](?![a-zA-Z])/
      | /\\(mathrm|text|operatorname|textrm|mathsf|rm)\s*\{\s*(DISTWORDS)\s*\}/
""".replace("DISTWORDS", "|".join(LATEX_WORDS))

_WORD = re.compile(r"\{\s*([A-Za-z]+)\s*\}")
_NAMES = ("NAME", "NAME_SUB", "GREEK", "BOLD", "PI_SUB")


def alias_of(tok) -> str:
    """``\\mathcal{N}`` -> ``N``, ``\\mathcal{U}`` -> ``Unif``, ``\\mathrm{Gamma}`` -> ``Gamma``."""
    m = _WORD.search(str(tok))
    if str(tok).startswith("\\chi"):
        return "ChiSquared"
    if "mathcal" in str(tok):
        return "Unif" if str(tok).rstrip("} ").endswith("U") else "N"
    return m.group(1) if m else "N"


def _arguments(tree: Tree):
    """(the variable's tree or None, [argument trees]) of a ``dist`` node."""
    rest = [c for c in tree.children[1:] if not (isinstance(c, Token) and c.type == "SEP")]
    if rest and isinstance(rest[0], Tree) and rest[0].data == "dist_var":
        return rest[0], rest[1:]
    return None, rest


def _squared(args) -> bool:
    """Is the last written argument a square (``\\sigma^2``, ``\\sigma_1^{2}``)?  A ``Normal`` or
    ``LogNormal`` written without its variable then has its variance there."""
    last = args[-1] if args else None
    if not (isinstance(last, Tree) and last.data == "pow"):
        return False
    script = last.children[-1]
    values = [str(t) for t in (script.scan_values(lambda t: isinstance(t, Token)) if isinstance(script, Tree)
                               else [script])]
    return values == ["2"]


def _first_name(arg) -> str | None:
    """The name an argument is, when it is one bare name (``z`` in ``\\mathcal{N}(z, m, s^2)``)."""
    if isinstance(arg, Tree) and arg.data == "var" and len(arg.children) == 1:
        return str(arg.children[0])
    return None


def declare_written(tree: Tree, variables: dict, latents) -> dict:
    """{name: domain} of the undeclared names the written distributions in ``tree`` introduce:
    each takes the domain of the argument it first appears in (the mean real, a variance
    positive, a probability in (0, 1)); ``e`` stays Euler's number."""
    out: dict = {}
    for node in tree.iter_subtrees_topdown():
        if node.data != "dist":
            continue
        alias, (var, args) = alias_of(node.children[0]), _arguments(node)
        named = var is not None
        first = _first_name(args[0]) if args else None
        if not named and first is not None and split_arguments(alias, latex_name(first) in latents, len(args)):
            args, named = args[1:], True
        try:
            domains = argument_domains(alias, len(args), named, _squared(args))
        except DistributionFormError as err:
            raise ParseError(err.message, getattr(node.children[0], "column", None)) from None
        for i, (arg, domain) in enumerate(zip(args, domains)):
            toks = [arg] if isinstance(arg, Token) else list(arg.scan_values(lambda t: isinstance(t, Token)))
            for t in toks:
                if t.type not in _NAMES:
                    continue
                name = latex_name(t)
                if name == "I" and alias == "N" and i == 1:      # N(0, I): the identity (.latex_diagonal)
                    continue
                if name not in variables and domain == "posint":
                    raise ParseError(whole_number_wanted(alias, i, name), getattr(t, "column", None))
                if name not in variables and name not in out and name != "e":
                    out[name] = domain
    return out


_DECORATION = re.compile(r"^(.*?)\s*[\^_]\s*\{\s*(?:\\[a-z]+\s*\{\s*([a-zA-Z]+)\s*\}|([a-zA-Z]+))\s*\}$")


def decorated_name(tok) -> str:
    """EM's ``\\theta^{\\text{old}}``, ``\\boldsymbol{\\theta}_{\\text{new}}``, ``\\theta^{old}``: the name
    θold, θnew -- as ``\\theta_{old}`` declared in a header is named."""
    m = _DECORATION.match(str(tok))
    return latex_name(m.group(1)) + (m.group(2) or m.group(3))


def declare_decorated(tree: Tree, variables: dict, domains: dict) -> dict:
    """{name: domain} of the decorated names in ``tree`` (θ^{old}) that no header declares and whose
    base is a declared parameter: a parameter of the base's domain (EM's old and new θ)."""
    out: dict = {}
    for tok in tree.scan_values(lambda t: isinstance(t, Token) and t.type == "DECORATED"):
        base, name = latex_name(_DECORATION.match(str(tok)).group(1)), decorated_name(tok)
        if name not in variables and base in domains:
            out[name] = domains[base]
    return out


_SUBSCRIPT = re.compile(r"^[pqPQ]_\{?\s*(\\(?:theta|phi|psi|eta|lambda))\s*\}?")


def declare_subscripts(tree: Tree, variables: dict) -> dict:
    """{name: "real"} of the Greek subscripts of p and q no header declares, ``p_\\theta(x|z)``,
    ``q_{\\phi}(z|x)``: parameters (the density conditioned on them), as Kingma & Welling write them."""
    out: dict = {}
    for tok in tree.scan_values(lambda t: isinstance(t, Token) and t.type == "DNAME_IDX"):
        m = _SUBSCRIPT.match(str(tok))
        name = latex_name(m.group(1)) if m else None
        if name is not None and name not in variables:
            out[name] = "real"
    return out


def readings(new: dict, written, drawn) -> list:
    """What a row's reading declared, in words: ``new`` {name: domain} (the written distributions'
    arguments, decorated and subscript parameters: see ``written``) and the ``drawn`` latents."""
    out = []
    decorated = {n: d for n, d in new.items() if n in written.decorated}
    if decorated:
        out.append("read " + ", ".join(f"{n} as {DOMAIN_WORDS.get(d, d)}" for n, d in decorated.items())
                   + " (a declared parameter with a superscript or subscript word, θ^old)")
    subscripts = [n for n in new if n in written.subscripts]
    if subscripts:
        what = "a real parameter" if len(subscripts) == 1 else "real parameters"
        out.append(f"read {', '.join(subscripts)} as {what} (the subscript of p_θ, q_φ: the density is "
                   "conditioned on it, as Kingma & Welling write it)")
    rest = {n: d for n, d in new.items() if n not in decorated and n not in subscripts}
    if rest:
        out.append("read " + ", ".join(f"{n} as {DOMAIN_WORDS[d]}" for n, d in rest.items()) +
                   " (arguments of a distribution written in the formula)")
    if drawn:
        out.append(f"read {', '.join(drawn)} as {'a latent variable' if len(drawn) == 1 else 'latent variables'} "
                   "(drawn from a distribution written in the formula, or named as its variable: integrated over)")
    return out


def drawn_latents(tree: Tree, variables: dict) -> list:
    """The undeclared names drawn from a written distribution, ``\\mathbb{E}_{\\epsilon \\sim
    \\mathcal{N}(0, 1)}[…]``, or named as its variable, PRML's ``\\mathbb{H}[\\mathrm{Gam}(\\tau \\mid a,
    b)]``: latent variables (what the expectation, entropy or divergence integrates over)."""
    out = []
    for node in tree.iter_subtrees_topdown():
        name = None
        if node.data == "under" and len(node.children) == 3 and isinstance(node.children[2], Tree) \
                and node.children[2].data == "dist":
            name = latex_name(node.children[0])
        elif node.data == "dist_var" and isinstance(node.children[0], Tree) and node.children[0].data == "vname" \
                and len(node.children[0].children) == 1:
            name = latex_name(node.children[0].children[0])
        if name is not None and name not in variables and name not in out:
            out.append(name)
    return out


def letter_parameters(tree: Tree) -> dict:
    """{p or q: domain} when ``tree`` writes a bare p or q as a written distribution's argument,
    as tables do (``\\mathrm{Bern}(p)``, ``\\mathrm{Geom}(p)``, ``D_{KL}(\\mathrm{Bern}(p) \\| \\mathrm{Bern}(q))``):
    there they are numbers, not the model's densities -- in that formula and its chain only."""
    out: dict = {}
    for node in tree.iter_subtrees_topdown():
        if node.data != "dist":
            continue
        alias, (var, args) = alias_of(node.children[0]), _arguments(node)
        try:
            domains = argument_domains(alias, len(args), var is not None, _squared(args))
        except DistributionFormError:
            continue
        for arg, domain in zip(args, domains):
            if isinstance(arg, Tree) and arg.data == "bare_density" and str(arg.children[0]) in ("p", "q"):
                out.setdefault(str(arg.children[0]), domain)
    return out


def _letters(tree: Tree, written) -> dict:
    """The letters p, q that are numbers in ``tree``'s chain (``written.active``: those of the
    chain so far, kept by a row that continues it)."""
    found = letter_parameters(tree)
    continues = tree.data != "lone" and tree.children and tree.children[0].data == "link"
    written.active = {**written.standing, **(written.active if continues else {}), **found}
    return written.active


def with_written(tree: Tree, variables: dict, latents, written) -> tuple:
    """(``variables``, ``latents``) with the names the written distributions of ``tree``
    introduce: their parameters (recorded in ``written.declared`` and ``written.domains``) and
    the variables drawn from them (``written.latents``); ``written`` None: as they are."""
    if written is None:
        return variables, latents
    drawn = drawn_latents(tree, variables)
    written.latents.extend(n for n in drawn if n not in written.latents)
    variables = {**variables, **{n: sympy.Symbol(n) for n in drawn}}
    new = declare_written(tree, variables, [*latents, *drawn])
    for found, kept in ((declare_decorated(tree, variables, written.domains), written.decorated),
                        (declare_subscripts(tree, variables), written.subscripts)):
        found = {n: d for n, d in found.items() if n not in new}
        kept.update(found)
        new.update(found)
    letters = _letters(tree, written)
    new.update(letters)
    written.declared.update(new)
    written.domains.update(new)
    return {**variables, **{n: sympy.Symbol(n, **ASSUME[d]) for n, d in new.items()}}, [*latents, *drawn]


class DistsMixin:
    """The transformer's methods for written distributions (``self.written``: the file's
    :class:`~.distribution_forms.WrittenDistributions`, or None)."""

    def letter(self, tok):
        """A bare p or q that is a number in this formula's chain (:func:`letter_parameters`), else None."""
        active = getattr(self.written, "active", {})
        return self.v.get(str(tok)) if str(tok) in active else None

    def density_slot(self, e):
        """An argument of KL, which only a density can be: a bare p or q that this chain reads
        as a number (a ``Geom(p)`` stated before) is the density there, ``KL(q \\| p)``."""
        if isinstance(e, sympy.Symbol) and e.name in getattr(self.written, "active", {}) and e.name in ("p", "q"):
            return self.density_named(e.name)
        return e

    def density_named(self, name: str):
        """A bare ``q`` (the variational density) or ``p`` (the posterior, see :mod:`.latex_meaning`)."""
        return self.bare_q() if name == "q" else Density(BARE_P, list(self.joint) or [self.z], [self.x])

    def dist_var(self, items):
        return ("variable", items[0])

    def dist(self, items):
        column = getattr(items[0], "column", None)
        bad = [t for t in items[1:] if isinstance(t, Token) and t.type == "SEP" and str(t).strip() != ","]
        if bad:
            raise ParseError(f"the parameters of {items[0]}(…) are separated by ',', not '{bad[0]}'", at(bad[0]))
        alias = alias_of(items[0])
        rest = [t for t in items[1:] if not (isinstance(t, Token) and t.type == "SEP")]
        if self.written is None:
            raise ParseError(f"{items[0]}(…): a distribution is read only in notes", column)
        named = bool(rest) and isinstance(rest[0], tuple)
        if named:
            var = rest.pop(0)[1]
            if isinstance(var, sympy.Indexed) and var.base.label in self.latent:   # N(z_j; μ_j, σ_j^2) in a ∏_j
                u = sympy.Dummy("u")       # read over plain names (σ_j as σ, its declared domain), then back
                plain = {c: c.base.label for v in rest for c in v.atoms(sympy.Indexed)}
                try:
                    out = self.written.density(alias, u, [v.xreplace(plain) for v in rest], True).definition
                except DistributionFormError as err:
                    raise ParseError(err.message, column) from None
                return out.xreplace({u: var, **{s: c for c, s in plain.items()}})
            if self.blocks_of([var]) != [var]:        # N(z | μ, Λ^{-1}) over z = (z_1, z_2)
                raise ParseError(f"{items[0]}({var} \\mid …): {var} is the vector of the blocks "
                                 f"{', '.join(map(str, self.blocks_of([var])))}, and a distribution is read over "
                                 "one variable only", column)
            if var not in self.latent:
                raise ParseError(f"{items[0]}({var} \\mid …): '{var}' is not a latent variable", column)
        elif split_arguments(alias, rest[0] in self.latent, len(rest)):
            var, rest, named = rest[0], rest[1:], True
        elif self.joint:
            raise ParseError(f"which latent is {items[0]}(…) a density of? write {items[0]}(z_1 \\mid …)", column)
        else:
            var = self.z
        if alias in ("N", "Normal") and any(isinstance(a, sympy.Basic) and a.has(DiagCov) for a in rest):
            return self.diagonal_normal(items[0], var, rest)
        try:
            out = self.written.density(alias, var, rest, named)
        except DistributionFormError as err:
            raise ParseError(err.message, column) from None
        if not named:
            self.implicit[out] = (alias, rest)
        return out

    def under_many(self, items):
        """``\\mathbb{E}_{z_1, z_2 \\sim q}``: latents drawn i.i.d. from one density -- the expectation
        under the product of its copies, q(z_1) q(z_2) (the importance-weighted bound's)."""
        *names, _, density = items
        if type(density) is not Density or len(density.vars) != 1:
            raise ParseError("the variables drawn together, z_1, z_2 \\sim q, are read from one density of one "
                             f"variable; got {getattr(density, 'shown', density)}", at(items[-2]))
        out = sympy.Integer(1)
        for var in names:
            if var not in self.latent:
                raise ParseError(f"'{var}' drawn from {density} is not a latent variable", at(items[-2]))
            out *= Density("q" if density.name == BARE_Q else density.name, [var], density.given)
        return out

    def drawn(self, name, density):
        """``\\mathbb{E}_{w \\sim \\mathcal{N}(0, 1)}``: a distribution written without its variable
        is a density of the variable drawn (``density`` as it is otherwise)."""
        if latex_name(name) not in self.v:
            raise ParseError(f"'{latex_name(name)}' drawn from {getattr(density, 'shown', density)} is not a declared "
                             "latent variable (<!-- vi_sym: latent: … -->)", at(name))
        var = self._name(name)
        if type(density) is Density and density.name == BARE_Q and list(density.vars) != [var] \
                and var in self.latent:       # z_1 \sim q: the bare q of the latent drawn, q(z_1)
            return Density("q", [var], density.given)
        if density in self.implicit and var != density.vars[0]:
            alias, values = self.implicit[density]
            if var not in self.latent:
                raise ParseError(f"'{name}' drawn from {density.shown} is not a latent variable", at(name))
            return self.written.density(alias, var, values, True)
        return density
