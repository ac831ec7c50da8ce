"""The likely-fix search of a refuted closed form discards most candidates by a float64
value of the right side (each subexpression computed once across the candidates) before the
15-digit comparison (:func:`vi_sym.claim_fixes.claim_screen`), and screens and decides the
candidates one by one, likeliest first.  These tests try to make either lie:
the float64 value disagrees with the 15-digit one, the quick screen discards a candidate the
15-digit comparison keeps, or the search offers other fixes than screening every candidate with
the 15-digit comparison and deciding them all would."""
import math

import pytest
import sympy

import vi_sym.claim_fixes as cf
from vi_sym.deadline import Deadline
from vi_sym.loader import load_file
from vi_sym.vocabulary import Density

CATALOGUE = "derivations/closed_forms.vi"

a, b = sympy.symbols("a b", positive=True)
m = sympy.Symbol("m", real=True)
POINT = {"a": 0.7071, "b": 1.4142, "m": -1.3029}


@pytest.mark.parametrize("expr", [
    a * sympy.log(b) - sympy.loggamma(a) + (a - 1) * sympy.digamma(a),
    sympy.exp(-m / b) * sympy.gamma(1 + a / b) - sympy.Rational(1, 2),
    (m - 1) ** 2 / (2 * b ** 2) + sympy.log(a / b) + sympy.EulerGamma,
    sympy.polygamma(1, a) + sympy.erf(m) * sympy.pi + 1 / sympy.sinh(a / 2) ** 2,
    sympy.beta(a, b) + sympy.Abs(m) + sympy.atan(m) + sympy.sqrt(a),
])
def test_the_float64_value_is_the_15_digit_value(expr):
    v = cf._float_value(expr, POINT, {})
    exact = sympy.N(expr.xreplace({s: sympy.Float(POINT[s.name], 30) for s in expr.free_symbols}), 20)
    assert v is not None and math.isclose(v, float(exact), rel_tol=1e-12, abs_tol=1e-12)


@pytest.mark.parametrize("expr", [
    sympy.log(m),                          # log of a negative value
    m ** sympy.Rational(1, 2),             # a complex value
    sympy.zoo * a,                         # no number
    sympy.I * a,
    sympy.exp(sympy.Integer(10) ** 6 * a),  # overflows float64
    sympy.Symbol("c", positive=True),      # a parameter without a value
    sympy.log(Density("q", [sympy.Symbol("z")])),
    sympy.Sum(a ** sympy.Symbol("k"), (sympy.Symbol("k"), 0, 5)),
    sympy.Function("f")(a),
])
def test_no_float64_value_where_there_is_none_or_it_is_not_a_plain_expression(expr):
    assert cf._float_value(expr, POINT, {}) is None


def test_each_subexpression_is_computed_once_across_candidates():
    memo = {}
    base = sympy.loggamma(a) + sympy.digamma(b) * a
    cf._float_value(base, POINT, memo)
    n = len(memo)
    cf._float_value(base + 2 * sympy.loggamma(a), POINT, memo)   # shares loggamma(a), digamma(b)·a
    new = set(memo) - {base}
    assert len(memo) - n <= 3 and sympy.loggamma(a) in new


def _wrong(names=None):
    derivs, _ = load_file(CATALOGUE)
    steps = [d.steps[0] for d in derivs if d.name.endswith("_wrong")]
    return [s for s in steps if names is None or s.derivation in names]


@pytest.mark.parametrize("step", _wrong()[1::5], ids=lambda s: s.derivation)
def test_the_quick_screen_discards_only_what_the_15_digit_comparison_discards(step, monkeypatch):
    """Every candidate the float64 value discards is one ``holds_at`` discards too."""
    with cf.declared(step.context.domains):
        names = {s for s in step.lhs.free_symbols | step.rhs.free_symbols if not step.context.is_latent(s)}
        point = {k.name: v for k, v in cf._screen_point(names, dict(step.context.domains)).items()}
        if not cf.holds_at(step.lhs, step.lhs, "=", point):
            pytest.skip("the left side has no value at the screening point: no screen")
        far = cf._far_from(step.lhs, point)
        discarded = 0
        for op, desc, lhs, rel, rhs in cf.claim_candidates(step):
            if lhs == step.lhs and far(rhs):
                discarded += 1
                assert not cf.holds_at(lhs, rhs, "=", point), f"{desc}: discarded, yet it agrees"
        assert discarded > 0


def test_a_right_side_near_the_left_one_is_left_to_the_15_digit_comparison():
    step = _wrong({"kl_normal_wrong"})[0]
    with cf.declared(step.context.domains):
        names = {s for s in step.lhs.free_symbols if not step.context.is_latent(s)}
        point = {k.name: v for k, v in cf._screen_point(names, dict(step.context.domains)).items()}
        lv = float(cf.side_value(step.lhs, point)[0])
        far = cf._far_from(step.lhs, point)
        assert not far(sympy.Float(lv * (1 + 1e-5)))     # close: not discarded by float64
        assert far(sympy.Float(lv + 1))                   # far: discarded
        assert not far(step.lhs)                          # an integral: no float64 value


def _exhaustive(step, samples=20, seed=0):
    """The search as it was: every candidate screened by the 15-digit comparison alone,
    then those kept sorted likeliest first and decided until MAX_FIXES are proved."""
    proved, checked = [], []
    with cf.declared(step.context.domains), Deadline(None) as dl:
        screen = cf.claim_screen(step)
        kept = []
        for n, (op, desc, lhs, rel, rhs) in enumerate(cf.claim_candidates(step)):
            if n >= cf.MAX_CLAIM_CANDIDATES:
                break
            try:
                probe = type(step)(lhs, rel, rhs, step.by, context=step.context)
            except ValueError:
                continue
            if screen(lhs, rhs):
                kept.append((op, desc, probe))
        kept.sort(key=lambda c: cf._rank(c[0]))
        cf._decide_passed(step, kept, samples, seed, proved, checked, dl)
    return [(f.description, f.verdict) for f in (proved + checked)[:cf.MAX_FIXES]]


@pytest.mark.parametrize("name", ["kl_exponential_weibull_wrong", "kl_bernoulli_wrong", "entropy_exponential_wrong",
                                  "kl_gumbel_wrong", "entropy_uniform_wrong"])
def test_the_search_offers_the_fixes_of_the_exhaustive_one(name, monkeypatch):
    step = _wrong({name})[0]
    fast = [(f.description, f.verdict) for f in cf.claim_fixes(step, deadline=None)]
    monkeypatch.setattr(cf, "_far_from", lambda base, point: lambda rhs: False)   # 15 digits only
    assert fast and fast == _exhaustive(step)

