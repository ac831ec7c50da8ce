"""A counterexample whose sides are beyond the float range: the step is refuted in extended
precision (1e400*s <= 1e399*s), but its reported values read as inf (and their difference as
nan). The sentence must not print 'exceeds ... by nan', and the JSON report must stay strict
JSON (no Infinity, no NaN tokens)."""
import json

from vi_sym.explain import explain_counterexample
from vi_sym.loader import load_text
from vi_sym.report.json import write_json
from vi_sym.scheduler import Settings, check_derivations

INF = float("inf")


def _refuse(token):
    raise ValueError(f"non-standard JSON token {token}")


def test_the_sentence_says_the_values_are_beyond_floats_never_nan():
    entry = {"family": "algebra", "counterexample": {"params": {"s": 1.31}, "lhs": INF, "rhs": INF,
                                                     "difference": float("nan")}}
    for rel, verb in (("<=", "'<=' does not hold"), (">=", "'>=' does not hold"),
                      ("=", "the two sides are not equal")):
        text = explain_counterexample(entry, rel)
        assert "nan" not in text and " inf" not in text, text
        assert "beyond the floating-point range" in text and text.endswith(verb + "."), text
    finite = dict(entry, counterexample={"params": {"s": 1.0}, "lhs": 2.0, "rhs": 1.0, "difference": 1.0})
    assert explain_counterexample(finite, "<=").endswith("the left side exceeds the right by 1, so '<=' does not hold.")


def test_the_json_report_is_strict_json_when_a_side_is_beyond_floats(tmp_path):
    (ds,), errs = load_text("derivation d\nlatent: z\npositive: s\n\n    1e400*s\n  <= 1e399*s\n", "t.vi")
    assert not errs
    report = check_derivations([ds], Settings(families=("all",), samples=10, fixes=False, jobs=1))
    (r,) = report.results
    assert r.status.value == "FAILED"
    out = tmp_path / "r.json"
    write_json(report, str(out))
    data = json.loads(out.read_text(), parse_constant=_refuse)
    (fam,) = [f for f in data["results"][0]["families"] if f["status"] == "FAILED"]
    assert fam["counterexample"]["lhs"] == "inf" and fam["counterexample"]["difference"] in ("inf", "nan")
