"""Bounds on parameters (``assume: a > 1``): a closed form that holds only under a condition.

The bound narrows the parameter's domain: proofs work in it (a = 1 + u, u > 0) and the
spot-checks draw only from it.  These tests try to make it lie: a bound that is too wide
must not let a claim be PROVED, a wrong closed form under a bound is FAILED with a
counterexample inside the bound, every drawn and special point lies inside it, and a bound
that cannot be read is an input error naming the line.
"""
import pytest
import sympy
from hypothesis import given, settings

from vi_sym.claim_fixes import _screen_point
from vi_sym.distributions.domains import check_domains, stand_in_inverse, stand_ins
from vi_sym.distributions.intervals import BoundError, as_image, bounds_of, describe, narrowed
from vi_sym.judge import prove as prove_task
from vi_sym.loader import load_text
from vi_sym.spot.claims import special_points, spot_claim, value_strategy


def claim(header, lhs, rhs):
    (d,), errs = load_text(f"derivation c\nlatent: z\n{header}\n    {lhs}\n  = {rhs}\n", "c.vi")
    assert not errs, errs
    return d.steps[0]


def read_error(header):
    ds, errs = load_text(f"derivation c\nlatent: z\n{header}\n    E_q(z)[z]\n  = 1\n", "c.vi")
    assert errs and not ds
    return str(errs[0])


MGF = "parameters: t\ndefine q(z) = Exponential(z, 1)\n"


# --------------------------------------------------------------------------- proofs

@pytest.mark.parametrize("bound", ["t < 1/2", "t < 1", "-3 < t < 1", "t < -2"])
def test_a_bound_that_gives_the_convergence_condition_lets_the_claim_be_proved(bound):
    step = claim(MGF + f"assume: {bound}", "E_q(z)[exp(t*z)]", "1/(1 - t)")
    assert prove_task(step)["proved"]


def test_without_the_bound_the_same_claim_is_not_proved_and_the_condition_is_named():
    res = prove_task(claim(MGF, "E_q(z)[exp(t*z)]", "1/(1 - t)"))
    assert not res["proved"]
    assert "converges only when" in res["reason"] and "assume:" in res["reason"]


@pytest.mark.parametrize("bound", ["t < 2", "t <= 1", "t > 0", "t > -1"])
def test_a_bound_too_wide_for_convergence_proves_nothing(bound):
    """E[exp(tz)] under Exponential(1) is +∞ for t >= 1: a bound that lets t reach 1 must
    not make 1/(1 - t) PROVED."""
    assert not prove_task(claim(MGF + f"assume: {bound}", "E_q(z)[exp(t*z)]", "1/(1 - t)"))["proved"]


@pytest.mark.parametrize("rhs", ["1/(1 + t)", "1/(1 - t)^2", "1/(1 - 2*t)", "exp(t)"])
def test_a_wrong_closed_form_under_a_bound_is_failed_inside_the_bound(rhs):
    step = claim(MGF + "assume: t < 1/2", "E_q(z)[exp(t*z)]", rhs)
    assert not prove_task(step)["proved"]
    r = spot_claim(step, samples=30, seed=1)
    assert r.status == "FAILED", r.reason
    assert r.counterexample["params"]["t"] < 0.5


def test_the_inverse_gamma_mean_is_checked_only_where_it_exists():
    head = "positive: a b\nassume: a > 1\ndefine q(z) = InverseGamma(z, a, b)"
    right = spot_claim(claim(head, "E_q(z)[z]", "b/(a - 1)"), samples=30, seed=2)
    assert right.status == "SPOT-CHECKED", right.reason
    wrong = spot_claim(claim(head, "E_q(z)[z]", "b/(a + 1)"), samples=30, seed=2)
    assert wrong.status == "FAILED" and wrong.counterexample["params"]["a"] > 1


def test_a_bounded_parameter_meets_a_density_parameter_domain():
    """Gamma(z, a - 1, b) needs a - 1 > 0: shown from assume: a > 1, an input error without it."""
    ok = claim("positive: a b\nassume: a > 1\ndefine q(z) = Gamma(z, a - 1, b)", "E_q(z)[z]", "(a - 1)/b")
    assert prove_task(ok)["proved"]
    assert "shape" in read_error("positive: a b\ndefine q(z) = Gamma(z, a - 1, b)")


# --------------------------------------------------------------------------- points

KINDS = ["(1, oo)", "[2, oo)", "(-oo, 3)", "(-oo, -1]", "(1/2, 1)", "(-2, 5)"]


@pytest.mark.parametrize("kind", KINDS)
def test_every_drawn_value_lies_in_the_bounded_domain(kind):
    inside = bounds_of(kind).contains
    seen = []

    @settings(max_examples=200, database=None, derandomize=True)
    @given(value_strategy(kind))
    def draw(v):
        seen.append(v)
        assert inside(v), v
    draw()
    assert len(seen) > 50


@pytest.mark.parametrize("kind", KINDS)
def test_special_and_screening_points_lie_in_the_bounded_domain(kind):
    names = ["_0", "_1", "_2"]
    for point in special_points(names, [kind] * 3):
        assert all(bounds_of(kind).contains(v) for v in point.values()), point
    a = sympy.Symbol("a")
    assert bounds_of(kind).contains(_screen_point({a}, {"a": kind})[a])


@pytest.mark.parametrize("kind", KINDS + ["unit", "positive", "real"])
def test_the_stand_in_maps_back_to_the_parameter(kind):
    a = sympy.Symbol("a", real=True)
    (e,) = stand_ins(a, {"a": kind}).values()
    (u,) = e.free_symbols
    assert sympy.simplify(e.xreplace({u: stand_in_inverse(kind, a)}) - a) == 0


# --------------------------------------------------------------------------- reading

@pytest.mark.parametrize("kind,rel,bound,expected", [
    ("positive", ">", 1, "(1, oo)"), ("positive", ">=", 2, "[2, oo)"), ("real", "<", 3, "(-oo, 3)"),
    ("unit", ">", sympy.Rational(1, 2), "(1/2, 1)"), ("positive", "<", 3, "(0, 3)"),
    ("positive", ">", -1, "positive"), ("real", ">", 0, "positive"), ("real", ">=", 0, "nonnegative"),
])
def test_a_bound_narrows_the_declared_domain(kind, rel, bound, expected):
    assert narrowed(kind, rel, sympy.Rational(bound)) == expected


@pytest.mark.parametrize("kind,rel,bound", [("unit", ">", 1), ("positive", "<", 0), ("nonnegative", "<", 3),
                                            ("positive", "<=", 0)])
def test_a_bound_that_leaves_no_usable_domain_is_refused(kind, rel, bound):
    with pytest.raises(BoundError):
        narrowed(kind, rel, sympy.Rational(bound))


def test_a_bound_may_be_written_in_scientific_notation():
    step = claim("positive: a b\nassume: a > 1e-3, b < 2.5E2\ndefine q(z) = Gamma(z, a, b)", "E_q(z)[z]", "a/b")
    assert dict(step.context.domains) == {"a": "(1/1000, oo)", "b": "(0, 250)"}


def test_the_header_reads_chained_and_separated_bounds():
    step = claim("positive: a b\nparameters: t\nassume: a > 1, 0 < t < 1/2 and b >= 3\n"
                 "define q(z) = Gamma(z, a, b)", "E_q(z)[z]", "a/b")
    doms = dict(step.context.domains)
    assert doms == {"a": "(1, oo)", "b": "[3, oo)", "t": "(0, 1/2)"}
    assert describe(doms["a"]) == "> 1" and as_image(doms["t"])[0] == "unit"


@pytest.mark.parametrize("line,message", [
    ("assume: t < l", "compares two parameters"),
    ("assume: w > 1", "'w' is not a declared parameter"),
    ("assume: a > 1 +", "cannot read"),
    ("assume: a ~ 1", "cannot read"),
    ("assume: a > one", "'one' in 'a > one' is not a declared parameter"),
    ("assume: a > pi", "'pi' in 'a > pi' is not a declared parameter"),
    ("assume: a > 1/0", "'1/0' in 'a > 1/0' is not a number"),
    ("assume: a > " + "9" * 1001, "digits"),
    ("assume: p > 1", "leaves no value"),
    ("assume: a >= 1, a <= 2", "both ends"),
])
def test_a_bound_that_cannot_be_used_is_an_input_error_on_its_line(line, message):
    head = "positive: a l\nparameters: t\nunit: p\n" + line + "\ndefine q(z) = Gamma(z, a, l)"
    err = read_error(head)
    assert message in err and "c.vi:6" in err, err


def test_check_domains_words_a_bounded_declaration():
    a = sympy.Symbol("a")
    from vi_sym.distributions.base import Dist
    msgs = check_domains(Dist("Exponential", sympy.Symbol("z"), a - 4), {"a": "(1, oo)"})
    assert msgs and "Exponential" in msgs[0]


# --------------------------------------------------------------------------- the catalogue

def _catalogue_blocks():
    from pathlib import Path
    text = (Path(__file__).resolve().parent.parent / "derivations" / "closed_forms_with_bounds.vi").read_text()
    return [b for b in text.split("\nderivation ")[1:] if "xfail:" not in b]


@pytest.mark.parametrize("block", _catalogue_blocks(), ids=lambda b: b.split("\n")[0])
def test_each_bounded_closed_form_is_proved_with_its_bound_and_not_without_it(block):
    """The shipped closed forms that need a bound: PROVED with it; with the bound dropped (or
    moved one unit the wrong way) the proof must not go through."""
    (d,), errs = load_text("derivation " + block, "b.vi")
    assert not errs and prove_task(d.steps[0])["proved"]
    line = next(ln for ln in block.splitlines() if ln.startswith("assume:"))
    name, rel, bound = line.split()[1:4]
    wider = f"assume: {name} {rel} {int(bound) + (1 if rel == '<' else -1)}"
    for variant in (block.replace(line + "\n", ""), block.replace(line, wider)):
        (d,), errs = load_text("derivation " + variant, "b.vi")
        assert not errs, errs
        assert not prove_task(d.steps[0])["proved"], variant


def test_a_lemma_side_condition_is_decided_by_the_bound_alone():
    from vi_sym.distributions import Dist
    from vi_sym.moments import lemma
    z, a, b, u = (sympy.Symbol(n, positive=True) for n in "zabu")
    assert lemma(Dist("Gamma", z, a, b), 1 / z) is None            # a merely positive: E[1/z] may be +∞
    assert lemma(Dist("Gamma", z, 1 + u, b), 1 / z) is not None   # a = 1 + u: finite
    assert lemma(Dist("InverseGamma", z, 1 + u, b), z ** 2) is None   # needs a > 2


# --------------------------------------------------------------------------- every domain table

def test_every_per_domain_table_covers_every_base_domain():
    """A table of values per domain (special, generic, screening points) must cover each base
    domain: a bounded domain takes its base's values, moved in (a missing key was a KeyError)."""
    from vi_sym.distributions.domains import SCREEN
    from vi_sym.distributions.intervals import BASE_KINDS
    from vi_sym.spot import algebra, claims
    tables = [algebra._APART, algebra._GENERIC, SCREEN] + list(claims._SPECIAL.values())
    for table in tables:
        assert set(BASE_KINDS) <= set(table), table


def test_an_algebra_step_under_a_bound_is_checked_inside_it():
    from vi_sym.spot.algebra import spot_algebra

    def step(rhs):
        (d,), errs = load_text(f"derivation g\nlatent: z\npositive: x\nassume: x > 1\n"
                               f"    log(x - 1)\n  = {rhs}\n", "g.vi")
        assert not errs, errs
        return d.steps[0]
    right = spot_algebra(step("log(x) + log(1 - 1/x)"), samples=20, seed=0)
    assert right.status == "SPOT-CHECKED" and right.n_checked == right.n_total, right.reason
    wrong = spot_algebra(step("log(x) + log(1 + 1/x)"), samples=20, seed=0)
    assert wrong.status == "FAILED" and wrong.counterexample["params"]["x"] > 1


# --------------------------------------------------------------------------- notes

def _note(tmp_path, name, text):
    from vi_sym.frontends import load_file
    path = tmp_path / name
    path.write_text(text)
    return load_file(path)


@pytest.mark.parametrize("name,text", [
    ("n.txt", "positive: x\nassume: x > 1\n\nlog(x - 1) = log(x) + log(1 - 1/x)\n"),
    ("n.md", "<!-- vi_sym: positive: x -->\n<!-- vi_sym: assume: x > 1 -->\n\n"
             "$$\\log(x - 1) = \\log x + \\log(1 - 1/x)$$\n"),
])
def test_a_note_states_a_bound_as_a_vi_file_does(tmp_path, name, text):
    from vi_sym.spot.algebra import spot_algebra
    ds, errs = _note(tmp_path, name, text)
    assert not errs and ds, errs
    step = ds[0].steps[0]
    assert dict(step.context.domains)["x"] == "(1, oo)"
    res = spot_algebra(step, samples=20, seed=0)
    assert res.status == "SPOT-CHECKED" and res.n_checked == res.n_total, res.reason


def test_a_bound_a_note_cannot_use_is_skipped_with_its_reason(tmp_path):
    text = "positive: x\nassume: x > 1/0\n\nlog(x - 1) = log(x) + log(1 - 1/x)\n"
    ds, errs = _note(tmp_path, "n.txt", text)
    assert ds and dict(ds[0].steps[0].context.domains)["x"] == "positive"     # the bound is ignored
    reasons = [str(getattr(n, "reason", n)) for d in ds for n in d.skipped]
    assert any("'1/0'" in r and "is not a number" in r and "ignored" in r for r in reasons), reasons
