"""i.i.d. data sets: log p(X|z) = Σ_n log p(x[n]|z) given every latent, never marginally; finite
sums commute with integrals; the index of a sum is a bound name."""
import pytest
from sympy import Indexed, IndexedBase, Integral, Sum, Symbol, log, oo

from vi_sym.frontends.vi import make_env, read_vi
from vi_sym.notation import to_unicode, to_vi
from vi_sym.parse import ParseError, parse_expression, parse_relation
from vi_sym.prover import prove_step
from vi_sym.rules import Context, get_rule
from vi_sym.vocabulary import Density

z, X, x = Symbol("z"), Symbol("X"), Symbol("x")
N = Symbol("N", positive=True)
n, m = Symbol("n", integer=True), Symbol("m", integer=True)
CTX = Context((z,), iid=((X, x, N),), domains=(("N", "positive"),))
ENV = make_env({"z": z, "X": X, "x": x, "N": N}, {"p", "q"})
RULES = [get_rule("iid_factorisation"), get_rule("sum_integral_swap")]


def proves(text, ctx=CTX):
    lhs, rel, rhs = parse_relation(text, ENV)
    return prove_step(lhs, rel, rhs, RULES, ctx).proved


def test_the_log_likelihood_of_the_data_set_is_a_sum_over_its_points():
    assert proves("log(p(X|z)) = sum(log(p(x[n]|z)), (n, 1, N))")
    assert proves("log(p(X|z)) = sum(log(p(x[m]|z)), (m, 1, N))")        # any index name
    assert proves("E_q(z)[log(p(X|z))] = sum(E_q(z)[log(p(x[n]|z))], (n, 1, N))")
    assert proves("E_q(z)[2*log(p(X|z))] = 2*sum(E_q(z)[log(p(x[n]|z))], (n, 1, N))")


@pytest.mark.parametrize("wrong", [
    "log(p(X)) = sum(log(p(x[n])), (n, 1, N))",                 # marginally the points are dependent
    "log(p(X|z)) = sum(log(p(x[n]|z)), (n, 0, N))",             # one point too many
    "log(p(X|z)) = sum(log(p(x[n]|z)), (n, 1, N - 1))",         # one point too few
    "log(p(X|z)) = N*log(p(x[n]|z))",                            # a free n: not a sum over the points
    "log(p(X|z)) = sum(log(p(x[n]|z)), (n, 1, oo))",
    "log(p(X|z)) = sum(log(q(x[n]|z)), (n, 1, N))",             # another density
])
def test_wrong_factorisations_are_not_proved(wrong):
    assert not proves(wrong)


def test_without_the_declaration_nothing_factorises():
    assert not proves("log(p(X|z)) = sum(log(p(x[n]|z)), (n, 1, N))", ctx=Context((z,)))


def test_with_two_latents_the_density_must_be_conditioned_on_both():
    z2 = Symbol("z2")
    ctx = Context((z, z2), iid=((X, x, N),))
    env = make_env({"z": z, "z2": z2, "X": X, "x": x, "N": N}, {"p", "q"})
    lhs, _, rhs = parse_relation("log(p(X|z)) = sum(log(p(x[n]|z)), (n, 1, N))", env)
    assert not prove_step(lhs, "=", rhs, RULES, ctx).proved
    lhs, _, rhs = parse_relation("log(p(X|z,z2)) = sum(log(p(x[n]|z,z2)), (n, 1, N))", env)
    assert prove_step(lhs, "=", rhs, RULES, ctx).proved


def test_an_infinite_sum_is_not_swapped_with_an_integral():
    q = Density("q", [z])
    f = log(Density("p", [Indexed(IndexedBase(x), n)], [z]))
    lhs = Integral(q * Sum(f, (n, 1, oo)), z)
    rhs = Sum(Integral(q * f, z), (n, 1, oo))
    assert not prove_step(lhs, "=", rhs, RULES, CTX).proved


def test_data_points_read_and_print_as_written():
    e = parse_expression("sum(log(p(x[n]|z)), (n, 1, N))", ENV)
    assert to_vi(e) == "sum(log(p(x[n]|z)), (n, 1, N))" or "x[n]" in to_vi(e)
    assert "x[n]" in to_unicode(e)
    with pytest.raises(ParseError, match="indexed by a name"):
        parse_expression("p(x[1]|z)", ENV)


@pytest.mark.parametrize("header, message", [
    ("iid: X = x", "reads 'X = x\\[1..N\\]'"),
    ("iid: X = x[1..M]", "not declared"),
    ("iid: z = x[1..N]", "latent"),
])
def test_iid_header_errors(header, message):
    text = f"derivation d\nlatent: z\nobserved: X x\npositive: N\n{header}\n\n    log(p(X|z))\n  = log(p(X|z))\n"
    _, errors = read_vi(text, "t.vi")
    assert errors and errors[0].line == 5
    import re
    assert re.search(message, errors[0].message)


def test_the_cache_key_depends_on_the_iid_declaration(tmp_path):
    """A step proved under 'iid:' must not be served from the cache to a derivation without it."""
    from vi_sym.cache import Cache
    from vi_sym.core import Step
    from vi_sym.settings import Settings
    lhs, _, rhs = parse_relation("log(p(X|z)) = sum(log(p(x[n]|z)), (n, 1, N))", ENV)
    cache, settings = Cache(tmp_path), Settings()
    keys = {cache.step_key(Step(lhs, "=", rhs, context=c), (), settings) for c in (CTX, Context((z,)))}
    assert len(keys) == 2
