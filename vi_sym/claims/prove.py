"""The claims prover: a step about ``define``d densities is PROVED when its two sides,
each defining integral closed by a textbook moment lemma (``vi_sym.moments``) or, for the
kinds in ``distributions.FAST``, by sympy's own integral, differ by exactly 0.

A ``>=`` (``<=``) step citing ``kl_nonnegative`` is PROVED when ``lhs - rhs`` (``rhs - lhs``)
is, by the same algebra, a nonnegative combination of KL divergences between normalised
densities over the same support and base measure (Gibbs' inequality).  No numeric value
ever makes a claim PROVED.
"""
from __future__ import annotations

import sympy
# sympy's simplify imports its physical units on first use (~0.2 s): loaded here, with the
# claims, before the checker's workers fork, so they share it instead of each paying for it
import sympy.physics.units  # noqa: F401
from sympy import Integral

from ..distributions import FAST, ConcreteDensity, Dist, is_density, is_written, support_contains
from ..distributions.domains import screen_point
from ..distributions.stats import unmet_conditions
from ..distributions.written import Singular, bounded_stand_ins, converging_integral, declared, split_positive_logs
from ..vocabulary import KL, Density, Entropy
from ..moments import Moment, expectation
from ..notation import to_unicode
from .windows import window, windowed_moments
from .structure import NotEvaluable, _groups, _kinds, _log_densities, _pieces, _unfold, defining_integrals, explicit
from .wording import condition_text

__all__ = ["prove_claim", "claim_residual", "closed_form_test"]


def _unmet_text(unmet) -> str:
    """What the lemmas that did not fire needed (their side conditions not shown), for the reason."""
    if not unmet:
        return ""
    conds = " and ".join(f"{to_unicode(e)} > 0" for e in unmet)
    return (f" (the lemma holds only where {conds}, which the declared domains do not show; "
            "a bound in the header, 'assume: …', may)")


def _sym_contains(outer, inner) -> bool:
    return support_contains(outer.support(), inner.support())


def _sym_integral_1d(c: Dist, t):
    sup = c.support()
    z = c.var
    if sup[0] == "finite":
        return sum((c.pdf() * t).subs(z, k) for k in sup[1])
    if sup[0] == "real":
        lo, hi = -sympy.oo, sympy.oo
    elif sup[0] == "interval":
        lo, hi = sup[1], sup[2]
    else:
        raise NotEvaluable(f"sympy path does not sum over {sup[0]} supports")
    if t.has(sympy.Heaviside):     # an explicit integral's window: each term over its own interval
        return sympy.Add(*(_sym_interval(c, *window(term, z, lo, hi)) for term in
                           sympy.Add.make_args(sympy.expand(t))))
    return _sym_interval(c, t, lo, hi)


def _sym_interval(c: Dist, t, lo, hi):
    """∫_lo^hi c.pdf · t, closed by sympy (only where it converges provably)."""
    z = c.var
    if lo == hi:
        return sympy.Integer(0)
    unproved: list = []
    val = converging_integral(sympy.expand(c.pdf() * t), z, lo, hi, unproved)
    if val is None and isinstance(unproved[0], Singular) and unproved[0].point is None:
        raise NotEvaluable(f"∫ {c.pdf() * t} d{z} is not shown to converge absolutely (an oscillating "
                           f"factor): E[{to_unicode(t)}] may not exist")
    if val is None and isinstance(unproved[0], Singular):
        raise NotEvaluable(f"{to_unicode(t)} is not finite at {z} = {to_unicode(unproved[0].point)}, inside the "
                           f"support of {c}: E[{to_unicode(t)}] may not exist (sympy's value across "
                           "that point would be a principal value, not an expectation)")
    if val is None:
        raise NotEvaluable(f"∫ {c.pdf() * t} d{z} converges only when {condition_text(unproved[0])}, "
                           "not shown from the declared domains (a header line such as "
                           "'assume: a > 1' states a bound)")
    if val.has(Integral):
        raise NotEvaluable(f"sympy left ∫ {c.pdf() * t} d{z} unevaluated")
    return val


def _sym_value(expr, integrate_1d=_sym_integral_1d):
    """The value of ``expr`` with each defining integral closed by ``integrate_1d(dist, t)``
    (sympy's integral, or the moment lemmas: see :func:`_by_moments`)."""
    expr = _unfold(expr)
    mapping = {}
    for I in defining_integrals(expr):
        total = sympy.Integer(0)
        for P, g in _pieces(I):
            g, needs = _log_densities(g, P)
            for outer, inner in needs:
                if not _sym_contains(outer, inner):
                    raise NotEvaluable(f"cannot show that the support of {inner} lies inside "
                                       f"that of {outer} (else the integral is infinite)")
            pc = P.components()
            for key, t in _groups(g, tuple(pc)).items():
                if len(key) > 1:
                    raise NotEvaluable("a term couples several latent variables")
                term = 1
                for v, c in pc.items():
                    term *= integrate_1d(c, t if v in key else sympy.Integer(1))
                if not key:
                    term *= t
                total += term
        mapping[I] = total
    out = expr.xreplace(mapping)
    if out.atoms(Density):
        raise NotEvaluable("a density is left outside any integral")
    return _closed_explicit(out)


def _closed_explicit(expr):
    """Explicit integrals and sums evaluated by sympy (``doit``) where it closes them; one left
    unevaluated stays in place (PROVED only if it cancels)."""
    def close(e):
        try:
            v = e.doit()
        except Exception:  # noqa: BLE001 -- sympy cannot: leave it as written
            return e
        return e if v.has(sympy.Sum, Integral, sympy.Piecewise) else v
    return expr.replace(explicit, close)


def _by_moments(lemmas):
    def integrate_1d(c, t):
        # a lemma's own condition (E[z^a] under Pareto(xm, α) needs a < α) is decided with each
        # bounded parameter as its stand-in (α = 1 + u, u > 0 under assume: α > 1), then mapped back
        t = sympy.sympify(t, strict=True)
        if t.has(sympy.Heaviside) and c.support()[0] in ("real", "interval"):
            return windowed_moments(c, t, integrate_1d, _sym_interval)
        subs, back = bounded_stand_ins(c.free_symbols | t.free_symbols, c.var)
        value, used = expectation(c.xreplace(subs), t.xreplace(subs))
        lemmas.extend(u for u in used if u not in lemmas)
        return value.xreplace(back) if back else value
    return integrate_1d


def _unit_to_positive(diff, domains):
    """Each ``unit`` parameter t (0 < t < 1) written as u/(1+u) with u > 0: a bijection onto
    (0, 1) that lets sympy see 1 - t = 1/(1+u) > 0 and split the logs of both."""
    subs = {}
    for sym in diff.free_symbols:
        if dict(domains).get(getattr(sym, "name", None)) == "unit":
            u = sympy.Dummy(f"{sym.name}_odds", positive=True)
            subs[sym] = u / (1 + u)
    if not subs:
        return None
    d = diff.xreplace(subs)
    return d.replace(lambda e: isinstance(e, sympy.log),
                     lambda e: sympy.log(sympy.factor(sympy.together(e.args[0]))))


def _maybe_zero(diff, domains) -> bool:
    """False when ``diff`` is clearly nonzero at one generic point of the declared domains
    (then no simplify is spent on it); True when it may be 0 or cannot be evaluated.  Only
    ever saves a proof attempt: it never proves anything."""
    point = screen_point(diff.free_symbols, dict(domains), exact=True)
    try:
        v = complex(diff.xreplace(point).evalf(20))
    except Exception:  # noqa: BLE001 -- cannot screen: the full test decides
        return True
    return not abs(v) >= 1e-9


def _zero_in_exponentials(d) -> bool:
    """A cheap exact test before simplify: hyperbolic functions written with exp, then the
    rational function in the exponentials cancelled (tanh(l/2)·coth(l/2) - 1 in well under a
    second, where simplify takes ten)."""
    if not d.has(sympy.sinh, sympy.cosh, sympy.tanh, sympy.coth, sympy.exp):
        return False
    try:
        return sympy.cancel(sympy.expand(d.rewrite(sympy.exp))) == 0
    except Exception:  # noqa: BLE001 -- not decided here: simplify decides
        return False


def _zero_by_domains(d, domains) -> bool:
    """Cheap exact tests before simplify: the logs split where the declared domains make their
    factors positive (a unit t as u/(1+u): log((1 - t1)/(1 - t2)) = log(1 - t1) - log(1 - t2)),
    then expanded; a rational function in the parameters cancelled."""
    u = _unit_to_positive(d, domains)
    if u is not None and sympy.expand(sympy.expand_log(u)) == 0:
        return True
    split = split_positive_logs(d)
    if split != d and sympy.expand(split) == 0:
        return True
    if not d.has(sympy.log, sympy.exp, sympy.Function):
        try:
            return sympy.cancel(sympy.together(d)) == 0
        except Exception:  # noqa: BLE001 -- not decided here: simplify decides
            return False
    return False


def _positive_functions(e):
    """Each ``besseli(n, x)`` with n >= 0 and x > 0 and each ``beta(a, b)`` with a, b > 0
    replaced by a positive symbol (both are > 0 there; sympy does not know it, so
    log(I0(a)/I0(b)) or log(B(a2, b2)/B(a1, b1)) would not split): an expression that is 0 for
    every positive value of those symbols is 0 for theirs."""
    atoms = [b for b in e.atoms(sympy.besseli) if b.args[0].is_nonnegative and b.args[1].is_positive]
    atoms += [b for b in e.atoms(sympy.beta) if all(a.is_positive for a in b.args)]
    reps = {b: sympy.Dummy(f"F{i}", positive=True)
            for i, b in enumerate(sorted(atoms, key=sympy.default_sort_key))}
    return e.xreplace(reps) if reps else e


def _is_zero(diff, domains=()) -> bool:
    """diff == 0 by expansion (logs split only where sympy knows the factors are positive,
    from the parameters' declared domains), then simplify; failing that, once more with log Γ
    written one way (see :func:`_loggamma_as_log`), with the Bessel and Beta functions as
    positive symbols (see :func:`_positive_functions`), and with the Beta functions as Γ ratios."""
    if diff.has(sympy.erfc):      # erfc(x) = 1 - erf(x): a tail and a CDF written two ways
        diff = diff.replace(lambda e: isinstance(e, sympy.erfc), lambda e: 1 - sympy.erf(e.args[0]))
    if _is_zero_as_is(diff, domains):
        return True
    logs = _loggamma_as_log(diff)
    if any(v != diff and _is_zero_as_is(v, domains) for v in (logs, _positive_functions(logs))):
        return True
    return _zero_as_gammas(diff)


def _zero_as_gammas(diff) -> bool:
    """diff == 0 once its Beta functions are written as Γ ratios and those simplified (B(a+1, b−1)/B(a, b)
    = a/(b−1): an F distribution's mean from its moment lemma); small expressions only."""
    if not diff.has(sympy.beta, sympy.gamma) or sympy.count_ops(diff) > 150:
        return False
    return sympy.gammasimp(diff.rewrite(sympy.gamma)) == 0


def _loggamma_as_log(e):
    """``loggamma(x)`` as ``log(gamma(x))`` where x > 0 (Γ(x) > 0 there, so they are equal): a
    learner's log Γ(a) and a kind's log-density's loggamma(a) then cancel."""
    reps = {g: sympy.log(sympy.gamma(g.args[0])) for g in e.atoms(sympy.loggamma) if g.args[0].is_positive}
    return e.xreplace(reps) if reps else e


def _is_zero_as_is(diff, domains=()) -> bool:
    d = sympy.expand(sympy.expand_log(diff))
    if d == 0 or _zero_in_exponentials(d):
        return True
    if not _maybe_zero(d, domains):
        return False
    if _zero_by_domains(d, domains):
        return True
    simple = sympy.simplify(d)
    if simple == 0 or sympy.simplify(sympy.expand_log(simple)) == 0:
        return True
    if d.has(sympy.sinh, sympy.cosh, sympy.tanh, sympy.coth) and sympy.simplify(d.rewrite(sympy.exp)) == 0:
        return True     # tanh(l/2)·coth(l/2): sympy's simplify leaves hyperbolic products alone
    split = split_positive_logs(d)    # log(1/(1 - exp(-l))) = -log(1 - exp(-l)): 1 - exp(-l) > 0
    if split != d and sympy.simplify(sympy.expand(split)) == 0:
        return True
    u = _unit_to_positive(d, domains)
    return u is not None and (sympy.expand(sympy.expand_log(u)) == 0 or sympy.simplify(u) == 0)


def prove_claim(step) -> dict:
    """Worker body for a concrete step.

    First the moment lemmas (``vi_sym.moments``: every kind, fast); when a statistic
    without a lemma is left over, sympy's own integral for the kinds in ``FAST``.
    PROVED when lhs - rhs expands/simplifies to 0; the trace names the lemmas used.
    A density written by hand has its sums taken with each parameter in its declared domain.
    """
    with declared(step.context.domains):
        return _prove_claim(step)


def _prove_claim(step) -> dict:
    res = {"proved": False, "trace": [], "residual": "", "uncited": (), "atom": "", "reason": ""}
    kinds = _kinds(step.lhs) | _kinds(step.rhs)
    written, why = _written_densities(step)
    if why:
        res["reason"] = why
        return res
    if step.rel != "=":
        return _prove_inequality(step, res)
    reasons = []
    try:
        lemmas: list = []
        with unmet_conditions() as unmet:
            lv = _sym_value(step.lhs, _by_moments(lemmas))
            rv = _sym_value(step.rhs, _by_moments(lemmas))
        diff = lv - rv
        if _is_zero(diff, step.context.domains):
            res.update(proved=True, trace=[("both", "linearity of E", "")] + written
                       + [("both", name, "") for name in lemmas] + [("both", "expand + simplify", "0")],
                       atom="the defining integrals, by the moment lemmas")
            return res
        opaque = diff.atoms(Moment)
        res["residual"] = to_unicode(sympy.expand(sympy.expand_log(diff)))
        if not opaque:
            res["reason"] = "the moment lemmas leave a nonzero residual"
            return res
        reasons.append(f"no lemma for {', '.join(sorted(map(to_unicode, opaque)))}" + _unmet_text(unmet))
    except NotEvaluable as ex:
        reasons.append(f"moments: {ex.reason}")
    except Exception as ex:  # noqa: BLE001 -- any sympy failure is a non-proof
        reasons.append(f"moments: sympy raised {type(ex).__name__}: {ex}")
    slow = sorted(kinds - FAST)
    if slow:
        res["reason"] = "; ".join(reasons + [f"sympy integrate not attempted for {', '.join(slow)} "
                                             "(known to hang or raise); see the numeric check"])
        return res
    try:
        lv, rv = _sym_value(step.lhs), _sym_value(step.rhs)
        diff = lv - rv
        if _is_zero(diff, step.context.domains):
            res.update(proved=True, trace=[("both", "sympy integrate + simplify", "0")],
                       atom="the defining integrals, evaluated by sympy")
            return res
        res["residual"] = to_unicode(sympy.simplify(diff))
        reasons.append("sympy integrate + simplify leaves a nonzero residual")
    except NotEvaluable as ex:
        reasons.append(f"sympy: {ex.reason}")
    except Exception as ex:  # noqa: BLE001 -- any sympy failure is a non-proof
        reasons.append(f"sympy raised {type(ex).__name__}: {ex}")
    res["reason"] = "; ".join(reasons)
    return res


def _written_densities(step) -> tuple:
    """([trace entries], reason): each density written by hand in the step must be shown to
    be a density (nonnegative, total mass 1) before any claim about it is PROVED."""
    trace, seen = [], set()
    for side in (step.lhs, step.rhs):
        for d in sympy.sympify(side, strict=True).atoms(ConcreteDensity):
            for c in d.components().values():
                if not is_written(c) or c in seen:
                    continue
                seen.add(c)
                ok, why = is_density(c, step.context.domains)
                if not ok:
                    return [], (f"{d} is not shown to be a density: {why} (claims about it are "
                                "spot-checked only)")
                trace.append(("both", f"{d} is a density: {c.pdf()} >= 0 and its total mass is 1", ""))
    return trace, ""


def _kl_finite_support(K) -> str | None:
    """None when KL(P||Q) is between defined densities over the same variables whose
    supports nest under one base measure (so Gibbs' inequality applies), else why not."""
    P, Q = K.args
    if not (isinstance(P, ConcreteDensity) and isinstance(Q, ConcreteDensity)):
        return f"{K} is not between two defined densities"
    pc, qc = P.components(), Q.components()
    if set(pc) != set(qc):
        return f"{K}: the two densities are not over the same variables"
    for v, c in pc.items():
        if not _sym_contains(qc[v], c):
            return (f"cannot show that the support of {c} lies inside that of {qc[v]} under the "
                    "same base measure")
    return None


def _entropy_bounds(diff) -> dict:
    """{H(q): (log K, u, lemma)} for each entropy of a defined density on a finite support of
    K points: H(q) = log K - u with u = KL(q || uniform on those points) >= 0 (Gibbs)."""
    out = {}
    for i, H in enumerate(sorted(diff.atoms(Entropy), key=str)):
        D = H.q
        if not isinstance(D, ConcreteDensity):
            continue
        sups = [c.support() for c in D.components().values()]
        if not all(sup[0] == "finite" for sup in sups):
            continue
        K = 1
        for sup in sups:
            K *= len(sup[1])
        out[H] = (sympy.log(K), sympy.Dummy(f"KLU{i}", nonnegative=True),
                  f"{H} = log {K} - KL({D} || uniform on its {K} points)")
    return out


def _prove_inequality(step, res) -> dict:
    """``lhs >= rhs`` (or ``<=``) PROVED when the difference is exactly a nonnegative
    combination of KL divergences between defined densities (Gibbs' inequality,
    ``kl_nonnegative``), the rest cancelling by the moment lemmas."""
    diff = sympy.sympify(step.lhs, strict=True) - sympy.sympify(step.rhs, strict=True)
    if step.rel == "<=":
        diff = -diff
    kls = sorted(diff.atoms(KL), key=str)
    bounds = _entropy_bounds(diff)
    if not kls and not bounds:
        res["reason"] = ("an inequality about defined densities is proved only as a nonnegative "
                         "combination of KL divergences (kl_nonnegative; H(q) = log K - KL(q || uniform) "
                         "on K points)")
        return res
    for K in kls:
        why = _kl_finite_support(K)
        if why:
            res["reason"] = why
            return res
    atoms = {K: sympy.Dummy(f"KL{i}", nonnegative=True) for i, K in enumerate(kls)}
    lemmas: list = [name for _, _, name in bounds.values()]
    entropies = {H: logK - u for H, (logK, u, _) in bounds.items()}
    atoms.update({H: u for H, (_, u, _) in bounds.items()})
    try:
        value = sympy.expand(_sym_value(diff.xreplace(entropies).xreplace(
            {K: a for K, a in atoms.items() if isinstance(K, KL)}), _by_moments(lemmas)))
        rest = value
        for K, k in atoms.items():
            c = sympy.diff(value, k)
            if c.free_symbols & set(atoms.values()) or not c.is_nonnegative:
                res["reason"] = f"the coefficient {c} of {K} is not shown to be nonnegative"
                return res
            rest -= c * k
        if not _is_zero(rest, step.context.domains):
            res["residual"] = to_unicode(rest)
            res["reason"] = "what is left besides the KL divergences is not 0"
            return res
    except NotEvaluable as ex:
        res["reason"] = f"moments: {ex.reason}"
        return res
    except Exception as ex:  # noqa: BLE001 -- any sympy failure is a non-proof
        res["reason"] = f"sympy raised {type(ex).__name__}: {ex}"
        return res
    uncited = () if "kl_nonnegative" in getattr(step, "by", ()) else ("kl_nonnegative",)
    nonneg = [str(K) for K in kls] + [f"KL({H.q} || uniform)" for H in bounds]
    res.update(proved=True, uncited=uncited,
               trace=[("both", name, "") for name in lemmas]
               + [("both", "kl_nonnegative", f"{' + '.join(nonneg)} >= 0")],
               atom=" + ".join(nonneg))
    return res


def claim_residual(step):
    """lhs - rhs of an equation about defined densities after the moment lemmas (a sympy
    expression, expanded), or None when a statistic has no lemma or sympy fails: what a
    closed form is missing (the likely fixes restore it when it is one term)."""
    if step.rel != "=":
        return None
    try:
        diff = _sym_value(step.lhs, _by_moments([])) - _sym_value(step.rhs, _by_moments([]))
        if diff.atoms(Moment):
            return None
        return sympy.expand(sympy.expand_log(diff))
    except Exception:  # noqa: BLE001 -- no residual is no suggestion
        return None


def closed_form_test(step):
    """A test ``(lhs, rhs) -> bool`` that proves an edited equation about the densities of
    ``step`` by the moment lemmas (the same proof as :func:`prove_claim`); a candidate is
    first screened at one generic numeric point, so a wrong one costs no ``simplify``.
    The value of each side is computed once."""
    domains = dict(step.context.domains)
    memo: dict = {}

    def value(side):
        if side not in memo:
            try:
                v = _sym_value(side, _by_moments([]))
                memo[side] = None if v.atoms(Moment) else v
            except Exception:  # noqa: BLE001 -- no value, no proof
                memo[side] = None
        return memo[side]

    def test(lhs, rhs) -> bool:
        lv, rv = value(lhs), value(rhs)
        if lv is None or rv is None:
            return False
        diff = lv - rv
        try:
            return _is_zero(diff, step.context.domains)
        except Exception:  # noqa: BLE001 -- any sympy failure is a non-proof
            return False
    return test
