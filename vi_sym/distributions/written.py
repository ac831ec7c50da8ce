"""Densities written by hand: ``define r(z) = <formula> on integers z >= 0`` (or ``on integers``,
``on integers a <= z <= b``, ``on (a, b)``, ``on (0, oo)``).

A written density is ``Dist("Written", z, Lambda(z, formula), lower, upper, discrete)``: its
density is the formula itself, its support the integers (counting measure) or the interval
(Lebesgue measure) between the two ends.  Nothing about it is assumed: its expectations are
sympy's own sums / integrals of formula × statistic (``Sum(...).doit()``), opaque when sympy
cannot close them -- also ``E[1]``, so a claim never silently uses a "density" that does not
normalise.  Whether it *is* a density (nonnegative, total mass 1) is a claim of its own that
vi_sym adds to the derivation (:func:`normalisation_claim`).
"""
from __future__ import annotations

import contextlib
import contextvars
import functools

import sympy
from sympy.calculus.singularities import singularities
from sympy import Integral, Lambda, Sum, log

from .base import Dist, Spec, register
from .domains import stand_in_inverse, stand_ins
from .intervals import BASE_KINDS
from .positivity import nonnegative_on, ordered_cuts
from .series import geometric_sum, provably_positive

__all__ = ["WRITTEN", "written", "closed_expectation", "converging_integral", "is_written", "total_mass", "is_density",
           "provably_positive", "split_positive_logs", "declared", "bounded_stand_ins",
           "inner_singularities", "Singular", "absolutely_convergent", "oscillates", "abs_majorant"]

WRITTEN = "Written"
#: the parameters' declared domains while a claim is proved (see :func:`declared`)
_DOMAINS: contextvars.ContextVar = contextvars.ContextVar("written_domains", default=())


def declared_domains() -> dict:
    """The declared domains of the step being proved ({} outside :func:`declared`)."""
    return dict(_DOMAINS.get())


@contextlib.contextmanager
def declared(domains):
    """Within the block, a written density's expectations are taken with each parameter in
    its declared domain (``unit`` t as u/(1+u), u > 0: so |1 - t| < 1 is provable)."""
    token = _DOMAINS.set(tuple(sorted(dict(domains).items())))
    try:
        yield
    finally:
        _DOMAINS.reset(token)


def is_written(dist) -> bool:
    return isinstance(dist, Dist) and dist.kind == WRITTEN


def _parts(params):
    L, lo, hi, discrete = params
    return L, lo, hi, bool(discrete)


def _pieces(dist, h):
    """[(body, variable, lower, upper)] of Σ / ∫ formula × h over the support; a two-sided
    range is split at 0 and its negative half reflected, so the variable is nonnegative on
    each piece (sympy then knows |z| = z)."""
    L, lo, hi, discrete = _parts(dist.params)
    z = dist.var
    body = L(z) * h
    kw = {"integer": True} if discrete else {"real": True}
    cuts = None if discrete else ordered_cuts(body, z, lo, hi)
    if cuts:
        return _kink_pieces(body, z, [lo, *cuts, hi])
    out = []
    if lo.is_extended_nonnegative:
        v = sympy.Dummy(z.name, nonnegative=True, **kw)
        return [(body.xreplace({z: v}), v, lo, hi)]
    v = sympy.Dummy(z.name, nonnegative=True, **kw)
    out.append((body.xreplace({z: -v}), v, 1 if discrete else 0, -lo))
    if hi.is_extended_nonnegative:
        w = sympy.Dummy(z.name, nonnegative=True, **kw)
        out.append((body.xreplace({z: w}), w, 0, hi))
    else:
        out = [(body, z, lo, hi)]
    return out


def _kink_pieces(body, z, ends):
    """[(body, v, 0, length)] of ∫ body over the pieces between ``ends`` (the support's ends and
    the formula's kinks, ordered), each with z written from a kink as ``z = b - v`` (the first
    piece, from its upper end) or ``z = a + v`` (the others, from their lower end), v >= 0: the
    argument of |z - kink| then has a sign sympy sees (|z - m| = v), and the Laplace density
    written by hand integrates."""
    out = []
    for i, (a, b) in enumerate(zip(ends, ends[1:])):
        v = sympy.Dummy(z.name, nonnegative=True, real=True)
        out.append((body.xreplace({z: b - v if i == 0 else a + v}), v, sympy.Integer(0), b - a))
    return out


def _geometric(body, k):
    """exp(c k + d) -> exp(d) B^k with B a positive stand-in for exp(c): sympy sums powers,
    not exponentials.  Returns (body', {B: exp(c)})."""
    subs = {}

    def repl(e):
        u = sympy.expand(e.args[0])
        c = u.coeff(k, 1)
        d = sympy.expand(u - c * k)
        if c == 0 or c.has(k) or d.has(k):
            return e
        B = subs.setdefault(c, sympy.Dummy("B", positive=True))
        return sympy.exp(d) * B ** k
    out = body.replace(lambda e: isinstance(e, sympy.exp) and e.has(k), repl)
    return out, {B: sympy.exp(c) for c, B in subs.items()}


def _holds(cond) -> bool:
    """A convergence condition proved from the symbols' assumptions: ``a < b`` of positive
    quantities compared through their logs (exp(-l) < 1 because -l < 0)."""
    if cond is sympy.true:
        return True
    if isinstance(cond, sympy.And):
        return all(_holds(c) for c in cond.args)
    if isinstance(cond, sympy.Or):
        return any(_holds(c) for c in cond.args)
    if isinstance(cond, sympy.Ne):
        return bool((cond.lhs - cond.rhs).is_zero is False)
    if isinstance(cond, (sympy.StrictGreaterThan, sympy.GreaterThan)):
        flip = sympy.StrictLessThan if isinstance(cond, sympy.StrictGreaterThan) else sympy.LessThan
        return _holds(flip(cond.rhs, cond.lhs, evaluate=False))
    if isinstance(cond, (sympy.StrictLessThan, sympy.LessThan)):
        a, b = cond.lhs, cond.rhs
        if (b - a).is_positive or (isinstance(cond, sympy.LessThan) and (b - a).is_nonnegative):
            return True
        if a.is_positive and b.is_positive:
            d = sympy.expand_log(sympy.log(b) - sympy.log(a))
            return bool(d.is_positive or (isinstance(cond, sympy.LessThan) and d.is_nonnegative))
    return False


class Singular:
    """A reason an integral was not taken: its integrand is not finite at ``point`` inside
    the range (see :func:`inner_singularities`)."""

    def __init__(self, var, point):
        self.var, self.point = var, point


def converging_integral(body, v, lo, hi, unproved=None):
    """sympy's ∫_lo^hi body dv, or None when sympy gives its value only under convergence
    conditions that the symbols' assumptions do not prove (∫_0^∞ l e^{-lz} e^{tz} dz =
    l/(l - t) only when t < l: with t and l merely positive the integral may be +∞, and
    l/(l - t) is then no value of it).  ``unproved``, a list, receives that condition (in
    the parameters' own symbols)."""
    body, lo, hi = (sympy.sympify(e, strict=True) for e in (body, lo, hi))
    poles = inner_singularities(body, v, lo, hi)
    if poles:
        if unproved is not None:
            unproved.append(Singular(v, poles[0]))
        return None
    if not absolutely_convergent(body, v, lo, hi, False):
        if unproved is not None:
            unproved.append(Singular(v, None))
        return None
    subs, back = bounded_stand_ins((body + lo + hi).free_symbols, v)
    if subs:    # exp(-z) exp((1/2 - u) z) as one exp(-(u + 1/2) z): sympy then sees it converge
        body = sympy.powsimp(sympy.expand(body.xreplace(subs)))
    res = Integral(body, (v, lo.xreplace(subs), hi.xreplace(subs))).doit(conds="separate")
    val, cond = res if isinstance(res, tuple) else (res, sympy.true)
    if not _holds(cond):
        if unproved is not None:
            unproved.append(cond.xreplace(back) if back else cond)
        return None
    return _tidy(val.xreplace(back)) if back else val


def bounded_stand_ins(symbols, v=None) -> tuple:
    """(subs, back): each of ``symbols`` (but ``v``) that is a parameter whose declared
    domain is bounded (``assume: a > 1``; see :func:`declared`) replaced by its stand-in
    (a = 1 + u, u > 0), and the map back; parameters in a base domain keep their symbols."""
    domains = dict(_DOMAINS.get())
    subs, back = {}, {}
    for sym in symbols:
        kind = domains.get(sym.name)
        if sym == v or isinstance(sym, sympy.Dummy) or kind is None or kind in BASE_KINDS:
            continue
        (e,) = stand_ins(sym, {sym.name: kind}).values()
        (u,) = e.free_symbols
        subs[sym], back[u] = e, stand_in_inverse(kind, sym)
    return subs, back


def _settle(v):
    """A Piecewise whose first condition is proved is its first branch."""
    if isinstance(v, sympy.Piecewise):
        expr, cond = v.args[0]
        if _holds(cond):
            return expr
    return v


def _under(dist, h, domains):
    """(dist, h, back): the density and statistic with each parameter replaced by a stand-in
    carrying its declared domain, and the map back to the parameters."""
    L, lo, hi, discrete = _parts(dist.params)
    z = dist.var
    subs = {k: v for k, v in stand_ins(L(z) + lo + hi + h, dict(domains)).items() if k != z}
    d = written(z, L(z).xreplace(subs), lo.xreplace(subs), hi.xreplace(subs), discrete)
    return d, h.xreplace(subs), _back(subs, domains)


def _back(subs, domains) -> dict:
    """The map from each stand-in's variable back to its parameter (t = u/(1+u) gives
    u = t/(1 - t); a = 1 + u gives u = a - 1)."""
    back = {}
    for sym, e in subs.items():
        (u,) = e.free_symbols
        back[u] = stand_in_inverse(dict(domains).get(sym.name, "real"), sym)
    return back


def _tidy(val):
    """A value as a cancelled rational function of its generators when that is shorter (the
    stand-ins' u/(1+u) cancel before the map back makes them t/(1 - t))."""
    try:
        c = sympy.cancel(sympy.together(val))
    except Exception:  # noqa: BLE001 -- keep it as it is
        return val
    return c if sympy.count_ops(c) <= sympy.count_ops(val) else val


def inner_singularities(body, v, lo, hi) -> list:
    """The points of the open range (lo, hi) where ``body`` is not finite (1/z at z = 0 on the
    real line) -- and those not shown to lie outside it, or to be integrable singularities
    (log|z| at 0 is one: see :func:`_integrable_at`).  sympy's definite integral across such
    a point is a principal value at best (it gives ∫ N(z; 0, s) / z dz = 0 by symmetry), not
    the value of an integral: the expectation may not exist there.  A set of singular points
    sympy cannot list (tan z) counts, unless it is shown to miss the range."""
    try:
        found = singularities(body, v, sympy.S.Reals)
    except Exception:  # noqa: BLE001 -- sympy cannot tell: nothing found
        return []
    if found is sympy.S.EmptySet:
        return []
    if not isinstance(found, sympy.FiniteSet):
        try:
            rest = found.intersect(sympy.Interval.open(lo, hi))
        except Exception:  # noqa: BLE001
            rest = found
        return [] if rest is sympy.S.EmptySet else [rest]

    def outside(p):
        return bool((lo is not -sympy.oo and (p - lo).is_nonpositive)
                    or (hi is not sympy.oo and (hi - p).is_nonpositive))
    return [p for p in found if not outside(p) and not _integrable_at(body, v, p)]


#: a singular point p is integrable when |z - p|^ORDER · body stays finite on both sides of p
#: (then |body| <= C |z - p|^(-9/10) near p): log|z| and 1/sqrt|z| at 0 are, 1/z and 1/(z log|z|) not
ORDER = sympy.Rational(9, 10)


def _integrable_at(body, v, p) -> bool:
    """Is ``body`` shown absolutely integrable near its singular point ``p`` (see ORDER)?"""
    h = sympy.Dummy("h", positive=True)
    try:
        for side in (1, -1):
            lim = sympy.limit(h ** ORDER * body.subs(v, p + side * h), h, 0, "+")
            if not (lim.is_finite or lim.is_zero):
                return False
    except Exception:  # noqa: BLE001 -- not shown
        return False
    return True


def _majorant(term, v):
    """(M, replaced): M >= |term| up to its sign, with each factor of modulus at most 1 that
    oscillates in ``v`` (sin, cos, their positive powers) set to 1 and (-c)^v made c^v;
    ``replaced`` says whether there was one.  (None, True) when an oscillating part is not
    such a factor (exp(sin z), sin z + 2): no majorant is made."""
    out, replaced = [], False
    for f in sympy.Mul.make_args(term):
        base, ex = (f.base, f.exp) if f.is_Pow else (f, sympy.Integer(1))
        if isinstance(base, (sympy.sin, sympy.cos)) and base.has(v) and ex.is_nonnegative:
            replaced = True
            continue
        if f.is_Pow and f.exp.has(v) and base.is_negative:
            out.append(sympy.Pow(-base, f.exp))
            replaced = True
            continue
        if f.has(sympy.sin, sympy.cos) and any(a.has(v) for a in f.atoms(sympy.sin, sympy.cos)):
            return None, True
        out.append(f)
    return sympy.Mul(*out), replaced


def oscillates(expr, v) -> bool:
    """Has ``expr`` a factor that changes sign as ``v`` grows ((-1)^k, cos(πk), sin z)?  Then
    its sum or integral may converge without converging absolutely (see
    :func:`absolutely_convergent`)."""
    return any(_majorant(t, v)[1] for t in sympy.Add.make_args(sympy.expand(expr)))


def abs_majorant(expr, v):
    """An expression >= |expr| with no oscillating factor (Σ over its terms of |majorant|), or
    None (see :func:`_majorant`): E[it] finite shows E[|expr|] finite."""
    parts = [_majorant(t, v)[0] for t in sympy.Add.make_args(sympy.expand(expr))]
    return None if any(p is None for p in parts) else sympy.Add(*[sympy.Abs(p) for p in parts])


def absolutely_convergent(body, v, lo, hi, discrete) -> bool:
    """Is Σ / ∫ of ``body`` over [lo, hi] shown to converge absolutely, as an expectation must?
    A body with no oscillating factor has an eventually constant sign: its sum or integral
    converges absolutely when it converges (sympy's own conditions decide).  One with such a
    factor ((-1)^k, cos(πk), sin z) converges absolutely when each term's majorant (see
    :func:`_majorant`) has a finite sum / integral: Σ 6(-1)^k k/(π²k²) converges to
    -6 log 2/π², but Σ 6/(π²k) does not, so E[(-1)^z z] does not exist."""
    majorants = []
    for term in sympy.Add.make_args(sympy.expand(body)):
        m, replaced = _majorant(term, v)
        if m is None:
            return False
        if replaced:
            majorants.append(m)
    for m in majorants:
        if discrete:
            val = Sum(m, (v, lo, hi)).doit()
        else:
            val = converging_integral(m, v, lo, hi)
            if val is None:
                return False
        if val.has(Sum, Integral, sympy.Piecewise) or val.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
            return False
    return True


@functools.lru_cache(maxsize=1024)
def closed_expectation(dist, h, domains=()):
    """Σ_z r(z) h(z) (∫ for a pdf) -- a geometric-type series by the lemma of
    :mod:`.series`, otherwise sympy's sum or integral -- or None when it stays unevaluated.
    ``domains``: the parameters' declared domains, (name, domain) pairs."""
    if domains:
        dist, h, back = _under(dist, h, domains)
        val = closed_expectation(dist, h)
        return None if val is None else _tidy(val).xreplace(back)
    total = sympy.Integer(0)
    discrete = bool(dist.params[3])
    L, lo, hi, _ = _parts(dist.params)
    if not discrete and inner_singularities(L(dist.var) * h, dist.var, lo, hi):
        return None     # the reflected halves would cancel a pole: a principal value, not a value
    try:
        for body, v, lo, hi in _pieces(dist, h):
            if not absolutely_convergent(body, v, lo, hi, discrete):
                return None     # (-1)^z z under 1/z²: a conditionally convergent sum is no expectation
            val = geometric_sum(body, v, lo, hi) if discrete else None
            if val is not None:
                total += val
                continue
            if discrete:
                g, back = _geometric(body, v)
                val = Sum(g, (v, lo, hi)).doit().xreplace(back)
                val = val.replace(lambda e: isinstance(e, sympy.Piecewise), _settle)
            else:
                val = converging_integral(body, v, lo, hi)
                if val is None:
                    return None
            total += val
    except Exception:  # noqa: BLE001 -- sympy cannot: no lemma
        return None
    if total.has(Sum, Integral, sympy.Piecewise) or total.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        return None
    return total


def total_mass(dist):
    return closed_expectation(dist, sympy.Integer(1))


def split_positive_logs(e):
    """log(a·b / c) -> log a + log b - log c wherever every factor is provably positive."""
    def split(x):
        a = x.args[0]
        return sympy.expand_log(x, force=True) if provably_positive(a) else x
    return e.replace(lambda x: isinstance(x, sympy.log), split)


def is_density(dist, domains=()) -> tuple:
    """(proved, why not), memoised: see :func:`_is_density`."""
    return _is_density(dist, tuple(sorted(dict(domains).items())))


def _exactly_one(mass) -> bool:
    m = mass - 1
    if sympy.cancel(sympy.expand(m.rewrite(sympy.exp))) == 0:
        return True
    return any(sympy.simplify(x) == 0 for x in (m, m.rewrite(sympy.exp)))


@functools.lru_cache(maxsize=256)
def _is_density(dist, domains) -> tuple:
    """(proved, why not): the formula is nonnegative on its support and its total mass is
    exactly 1, both shown by sympy with each parameter given its declared domain (a unit
    parameter t as u/(1+u), u > 0)."""
    L, lo, hi, discrete = _parts(dist.params)
    z = dist.var
    kw = {"integer": True} if discrete else {"real": True}
    if lo.is_extended_nonnegative:
        kw["nonnegative" if discrete else "positive"] = True
    zz = sympy.Dummy(z.name, **kw)
    body = L(z).xreplace({z: zz})
    subs = {k: v for k, v in stand_ins(body, dict(domains)).items() if k != zz}
    body = body.xreplace(subs)
    mass = total_mass(written(z, body.xreplace({zz: z}), lo.xreplace(subs), hi.xreplace(subs), discrete))
    if mass is None:
        return False, f"sympy does not close the total mass of {dist.pdf()}"
    if not _exactly_one(mass):
        shown = sympy.simplify(mass.xreplace(_back(subs, domains)))      # in the learner's names
        return False, f"the total mass of {dist.pdf()} is {shown}, not shown to be 1"
    if not (provably_positive(body, strict=False) or provably_positive(sympy.factor(body), strict=False)
            or (not discrete and nonnegative_on(body, zz, lo.xreplace(subs), hi.xreplace(subs)))):
        return False, f"{dist.pdf()} sums to 1 (proved), but its nonnegativity is not proved"
    return True, ""


def _lemma(z, params, h):
    L, lo, hi, discrete = _parts(params)
    d = Dist(WRITTEN, z, *params)
    v = closed_expectation(d, h, _DOMAINS.get())
    if v is None:
        return None
    what = "Σ" if discrete else "∫"
    return v, f"{what} r(z)·{h} over the support, closed by sympy"


def _support(L, lo, hi, discrete):
    if discrete:
        return ("integers", lo, hi)
    if lo is sympy.S.NegativeInfinity and hi is sympy.oo:
        return ("real",)
    return ("interval", lo, hi)


SPEC = register(Spec(
    WRITTEN, ("formula", "lower end", "upper end", "discrete"), ("any",) * 4,
    lambda z, L, lo, hi, d: sympy.expand_log(log(L(z))),
    lambda z, L, lo, hi, d: L(z),
    _support, _lemma, written=True,
    doc="a density written by hand: its formula on the integers or an interval"))


def written(var, formula, lo, hi, discrete: bool) -> Dist:
    """The Dist of a density written by hand (``formula`` in ``var``)."""
    return Dist(WRITTEN, var, Lambda(var, formula), lo, hi, sympy.true if discrete else sympy.false)
