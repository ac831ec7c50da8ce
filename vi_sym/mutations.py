"""Local edits of a step: the slips learners make, as operators on sympy trees.

The same operators serve two purposes:

* **likely fixes** (``vi_sym.fixes``): a FAILED step is edited once, and each
  edit under which the step holds is offered as "did you mean ...";
* **mutation testing** (``vi_sym.mutate``): every correct step is edited once,
  and the checker must never say PROVED for an edit that changes its meaning.

Each operator takes an expression and yields ``(description, edited)`` pairs,
one per place it applies.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Iterator

from sympy import Add, Indexed, Integral, Mul, Rational, log

from .rules.base import Context, whole_domain_variable
from .notation import to_unicode
from .vocabulary import KL, Density, VocabularyError

#: an expression as the descriptions show it; printed once: the operators print the same terms
#: again and again (each term of a sum in every operator, each pair of terms in flip_pair)
show = lru_cache(maxsize=4096)(to_unicode)


def _positions(expr, path=()):
    """Every subexpression with its path, preorder; densities are leaves."""
    yield path, expr
    if isinstance(expr, Density):
        return
    for i, a in enumerate(expr.args):
        yield from _positions(a, path + (i,))


def _replace(expr, path, new):
    if not path:
        return new
    i = path[0]
    args = list(expr.args)
    args[i] = _replace(args[i], path[1:], new)
    return expr.func(*args)


def _everywhere(expr, local) -> Iterator:
    seen = set()
    for path, sub in _positions(expr):
        for desc, new in local(sub):
            try:
                edited = _replace(expr, path, new)
            except (VocabularyError, TypeError, ValueError):
                continue  # an ill-typed edit (e.g. KL over different variables) is no candidate
            if edited != expr and edited not in seen:
                seen.add(edited)
                yield desc, edited


# ------------------------------------------------------------------ operators

def swap_conditioning(expr, ctx: Context):
    """p(z|x) <-> p(z) <-> p(x|z), p(x,z) -> p(x|z): the wrong density of the model."""
    def local(d):
        if not (isinstance(d, Density) and d.name in ctx.models):
            return
        alts = []
        if d.given:
            alts.append(Density(d.name, d.given, d.vars))      # p(z|x) -> p(x|z)
            if all(ctx.is_latent(v) for v in d.vars):
                alts.append(Density(d.name, d.vars))            # p(z|x) -> p(z)
        else:
            lat = [v for v in d.vars if ctx.is_latent(v)]
            obs = [v for v in d.vars if not ctx.is_latent(v)]
            if lat and obs:                                     # p(x,z) -> p(x|z), p(z|x)
                alts.append(Density(d.name, obs, lat))
                alts.append(Density(d.name, lat, obs))
            if d.vars == tuple(lat) and len(lat) == 1:
                # p(z) -> p(z|x), with the observed variables of the step
                obs = sorted({v for v in expr.free_symbols if not ctx.is_latent(v)}, key=str)
                if obs:
                    alts.append(Density(d.name, d.vars, obs))
        for a in alts:
            yield f"{show(a)} instead of {show(d)}", a
    return _everywhere(expr, local)


def swap_kl(expr, ctx):
    """KL(q||p) -> KL(p||q)."""
    def local(e):
        if isinstance(e, KL):
            yield f"{show(KL(e.Q, e.P))} instead of {show(e)}", KL(e.Q, e.P)
    return _everywhere(expr, local)


def reparenthesise(expr, ctx):
    """log(a)/b <-> log(a/b) and log(a)*b <-> log(a*b)."""
    def local(e):
        if isinstance(e, Mul):
            logs = [f for f in e.args if isinstance(f, log)]
            rest = [f for f in e.args if not isinstance(f, log) and not f.is_Number]
            num = Mul(*[f for f in e.args if f.is_Number])
            if len(logs) == 1 and rest:
                inner = logs[0].args[0] * Mul(*rest)
                yield f"{show(log(inner))} instead of {show(e)}", num * log(inner)
        if isinstance(e, log) and isinstance(e.args[0], Mul):
            n, d = e.args[0].as_numer_denom()
            if d != 1:
                yield f"{show(log(n) / d)} instead of {show(e)}", log(n) / d
    return _everywhere(expr, local)


def misplaced_division(expr, ctx):
    """a/b c read as (a/b)·c when a/(b·c) was meant: one density factor of a log's
    argument moved across the fraction bar."""
    def local(e):
        if isinstance(e, log) and isinstance(e.args[0], Mul):
            for f in e.args[0].args:
                base, ex = f.as_base_exp()
                if isinstance(base, Density):
                    new = e.args[0] / f ** 2
                    yield f"{show(log(new))} instead of {show(e)}", log(new)
    return _everywhere(expr, local)


def cancelled_density(expr, ctx):
    """q(z)·log(a)/q(z) cancels to log(a): the intended integrand was q(z)·log(a/q(z))."""
    def local(e):
        v = whole_domain_variable(e) if isinstance(e, Integral) else None
        if v is None or not isinstance(e.function, log):
            return
        qs = sorted((d for d in expr.atoms(Density) if d.vars == (v,) and d.name not in ctx.models), key=str)
        for q in qs or [Density("q", [v])]:
            a = e.function.args[0]
            yield f"{show(Integral(q * log(a / q), v))} instead of {show(e)} (q·log(a)/q cancels to log(a))", \
                Integral(q * log(a / q), v)
    return _everywhere(expr, local)


def flip_sign(expr, ctx):
    """One term of a sum with its sign flipped."""
    def local(e):
        if isinstance(e, Add):
            for t in e.args:
                yield f"{show(-t)} instead of {show(t)}", Add(*[(-u if u is t else u) for u in e.args])
    return _everywhere(expr, local)


def drop_term(expr, ctx):
    """One term of a sum left out."""
    def local(e):
        if isinstance(e, Add):
            for t in e.args:
                yield f"without the term {show(t)}", Add(*[u for u in e.args if u is not t])
    return _everywhere(expr, local)


def scale_term(expr, ctx):
    """A factor 2 or a missing 1/2 on one term (mutation only)."""
    def local(e):
        if isinstance(e, Add):
            for t in e.args:
                for c, what in ((2, "twice"), (Rational(1, 2), "half")):
                    yield f"{what} the term {show(t)}", Add(*[(c * u if u is t else u) for u in e.args])
    return _everywhere(expr, local)


def log_of_sum(expr, ctx):
    """log a + log b written as log(a + b) (a sum of logs is not the log of a sum)."""
    def local(e):
        if isinstance(e, Add):
            logs = [t for t in e.args if isinstance(t, log)]
            if len(logs) >= 2:
                a, b = logs[:2]
                rest = [t for t in e.args if t is not a and t is not b]
                yield f"{show(log(a.args[0] + b.args[0]))} instead of {show(a + b)}", Add(log(a.args[0] + b.args[0]), *rest)
    return _everywhere(expr, local)


def pull_out_dependent(expr, ctx):
    """A factor that depends on the latent pulled out of its integral."""
    def local(e):
        v = whole_domain_variable(e) if isinstance(e, Integral) else None
        if v is not None and isinstance(e.function, Mul):
            for f in e.function.args:
                if v in f.free_symbols and f.is_Number is not True:
                    rest = e.function / f
                    if rest != 1:
                        yield f"{show(f)} pulled out of the integral", f * Integral(rest, v)
    return _everywhere(expr, local)


def wrong_normalisation(expr, ctx):
    """Treat ∫ p(x|z) dz as 1: the likelihood is not a density in z."""
    def local(e):
        v = whole_domain_variable(e) if isinstance(e, Integral) else None
        if v is None or not isinstance(e.function, Mul):
            return
        for f in e.function.args:
            if isinstance(f, Density) and v in f.given:
                rest = e.function / f
                yield f"{show(Integral(f, v))} taken as 1", Integral(rest, v)
    return _everywhere(expr, local)


def swap_parameters(expr, ctx):
    """Two parameters of the same declared domain exchanged (m1 <-> m2, t1 <-> t2), in the
    whole expression or in one of its parts: a closed form written with the other
    density's parameter."""
    domains = dict(getattr(ctx, "domains", ()) or ())
    latent = set(getattr(ctx, "latent", ()) or ())
    names = sorted((a for a in expr.free_symbols if a not in latent), key=lambda a: a.name)
    dom = {a: domains.get(a.name, "positive" if a.is_positive else "real") for a in names}
    pairs = [(a, b) for i, a in enumerate(names) for b in names[i + 1:] if dom[a] == dom[b]]

    def local(e):
        if e.is_Atom or isinstance(e, Density):
            return
        for a, b in pairs:
            new = e.xreplace({a: b, b: a})
            if new != e:
                where = "" if e == expr else f" in {show(e)}"
                yield f"{b} and {a} exchanged{where}", new
    return _everywhere(expr, local)


def log_square(expr, ctx):
    """log σ written for log σ² (or the other way round): a parameter's power inside a log
    halved or doubled (σ² <-> σ, 1/σ² <-> 1/σ)."""
    latent = set(getattr(ctx, "latent", ()) or ())

    def local(e):
        if not isinstance(e, log):
            return
        factors = Mul.make_args(e.args[0])
        for i, f in enumerate(factors):
            base, ex = f.as_base_exp()
            coordinate = isinstance(base, Indexed) and str(base.base.label) not in map(str, latent)  # s[j]
            if not (base.is_Symbol and base not in latent or coordinate) or ex not in (1, -1, 2, -2):
                continue
            new_f = base ** (ex * 2 if abs(ex) == 1 else ex // 2)
            new = log(Mul(*factors[:i], new_f, *factors[i + 1:]))
            yield f"{show(new)} instead of {show(e)}", new
    return _everywhere(expr, local)


def power_slip(expr, ctx):
    """A parameter written to the wrong power in a term, outside a log: ``a/b`` for ``a/b²`` (a
    Gamma's variance), ``σ`` for ``σ²`` (a spread for a variance), ``b²`` for ``b`` -- its power halved
    or doubled (``log_square`` does the same inside a log)."""
    latent = set(getattr(ctx, "latent", ()) or ())

    def local(e):
        if not (isinstance(e, Mul) or e.is_Symbol or e.is_Pow):
            return
        factors = Mul.make_args(e)
        for i, f in enumerate(factors):
            base, ex = f.as_base_exp()
            if not (base.is_Symbol and base not in latent) or ex not in (1, -1, 2, -2):
                continue
            new = Mul(*factors[:i], base ** (ex * 2 if abs(ex) == 1 else ex // 2), *factors[i + 1:])
            yield f"{show(new)} instead of {show(e)}", new
    return _everywhere(expr, local)


def flip_pair(expr, ctx):
    """The signs of two terms of a sum flipped together: a bracket -(a + b) expanded as
    -a + b, or a group of terms written with the other sign."""
    def local(e):
        if isinstance(e, Add):
            terms = e.args
            for i, a in enumerate(terms):
                for b in terms[i + 1:]:
                    yield (f"{show(-a)} and {show(-b)} instead of {show(a)} and {show(b)}",
                           Add(*[(-u if u is a or u is b else u) for u in terms]))
    return _everywhere(expr, local)


#: operators that model a learner's slip (used for likely fixes, in this order)
FIX_OPERATORS = (swap_conditioning, swap_kl, reparenthesise, misplaced_division, cancelled_density,
                 flip_sign, drop_term)
#: operators for mutation testing of the checker
MUTATION_OPERATORS = FIX_OPERATORS + (scale_term, log_of_sum, pull_out_dependent, wrong_normalisation)

#: extra operators for closed forms about defined densities (likely fixes of claims)
CLAIM_OPERATORS = (flip_sign, scale_term, swap_parameters, log_square, drop_term, flip_pair, power_slip)

FLIP_RELATION = {">=": "<=", "<=": ">="}


def edits(expr, ctx: Context, operators=FIX_OPERATORS):
    """Every single edit of ``expr``: (operator name, description, edited)."""
    seen = {expr}
    for op in operators:
        for desc, new in op(expr, ctx):
            if new not in seen:
                seen.add(new)
                yield op.__name__, desc, new
