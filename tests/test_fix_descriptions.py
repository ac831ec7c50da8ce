"""The descriptions of edits print each expression once (:data:`vi_sym.mutations.show` is
memoised): they must read exactly as printing each afresh would, even for expressions that
sympy hashes alike but that print differently (2.0·x and 2·x, 1.0 and 1)."""
import sympy

from vi_sym import mutations
from vi_sym.notation import to_unicode
from vi_sym.rules.base import Context

x, y = sympy.symbols("x y", positive=True)


def test_expressions_hashed_alike_are_printed_each_as_itself():
    pairs = [(sympy.Float(2.0) * x, 2 * x), (sympy.Float(1.0), sympy.Integer(1)), (x + sympy.Float(1.0), x + 1)]
    for a, b in pairs:
        assert hash(a) == hash(b) or a != b
        assert mutations.show(a) == to_unicode(a) and mutations.show(b) == to_unicode(b)
        assert mutations.show(a) != mutations.show(b)


def test_every_description_reads_as_printed_afresh(monkeypatch):
    expr = sympy.log(x) - 2 * sympy.log(y) + sympy.Float(1.0) * x / y + x ** 2 / 2 - 1
    ops = mutations.MUTATION_OPERATORS + mutations.CLAIM_OPERATORS
    memoised = list(mutations.edits(expr, Context(), ops))
    monkeypatch.setattr(mutations, "show", to_unicode)
    afresh = list(mutations.edits(expr, Context(), ops))
    assert memoised == afresh and len(afresh) > 10


def test_two_fixes_worded_alike_are_shown_once():
    """6z(1 - z)'s entropy written 5/3 + log 6: restoring the sign inside the log and flipping the
    sign of the term are both "-log(6) instead of log(6) on the right" -- one line, not two."""
    from vi_sym.claim_fixes import Fix, _bounded

    def search(proved, checked, dl):
        proved += [Fix("restore_term", "the missing term -2 log(6) restored on the right", "s", "PROVED"),
                   Fix("restore_in_log", "-log(6) instead of log(6) on the right", "s", "PROVED"),
                   Fix("flip_sign", "-log(6) instead of log(6) on the right", "s", "PROVED")]
        checked.append(Fix("scale", "half the term on the right", "t", "SPOT-CHECKED"))
    fixes = _bounded(search, None)
    assert [f.description for f in fixes] == ["the missing term -2 log(6) restored on the right",
                                              "-log(6) instead of log(6) on the right",
                                              "half the term on the right"]
