"""``rewrite_everywhere`` remembers the subexpressions it rewrote: a pure match/apply pair met
again (same code, same values in its closure) walks only the nodes it has not seen, and gives
exactly what a fresh walk gives."""

import sympy
from sympy import Dummy, log

from vi_sym.rules import base
from vi_sym.rules.base import Context, rewrite_everywhere

x, y, w = sympy.symbols("x y w")
CALLS = []      # module level: a closure holding a list would not be memoised


def _is_log(e):
    return isinstance(e, log)


def _split(e):
    CALLS.append(e)
    arg = e.args[0]
    return sympy.Add(*[log(f) for f in arg.args]) if isinstance(arg, sympy.Mul) else None


def test_a_known_subexpression_is_not_walked_again():
    base._WALKED.clear()
    CALLS.clear()
    assert rewrite_everywhere(log(x * y) + 1, _is_log, _split) == log(x) + log(y) + 1
    first = len(CALLS)
    again = rewrite_everywhere(w * log(x * y) + log(x * y), _is_log, _split)
    assert sympy.expand(again - (w + 1) * (log(x) + log(y))) == 0
    assert len(CALLS) == first          # log(x*y) and its parts were known
    assert rewrite_everywhere(log(x * w), _is_log, _split) == log(x) + log(w)
    assert len(CALLS) > first           # a new one is rewritten


def _shift_by(ctx):
    def apply(e):
        return e + len(ctx.latent)
    return apply


def test_closures_over_different_contexts_are_kept_apart():
    one, two = Context(latent=(x,)), Context(latent=(x, y))
    assert rewrite_everywhere(log(w), _is_log, _shift_by(one)) == log(w) + 1
    assert rewrite_everywhere(log(w), _is_log, _shift_by(two)) == log(w) + 2
    assert rewrite_everywhere(log(w), _is_log, _shift_by(one)) == log(w) + 1


def test_a_closure_holding_a_list_is_not_memoised():
    seen = []

    def apply(e):
        seen.append(e)
        return None
    rewrite_everywhere(log(w) + 1, _is_log, apply)
    rewrite_everywhere(log(w) + 1, _is_log, apply)
    assert seen == [log(w), log(w)]


def _fresh(e):
    return e + Dummy("j")


def test_a_fresh_dummy_is_not_shared_between_two_walks():
    a = rewrite_everywhere(log(w) + 1, _is_log, _fresh)
    b = rewrite_everywhere(log(w) + 1, _is_log, _fresh)
    assert a.atoms(Dummy) and a.atoms(Dummy) != b.atoms(Dummy)
