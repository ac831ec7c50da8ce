"""Under pytest-xdist the derivations of a file are dealt out in a few groups: every step of a
derivation in one group (checked once, by one worker), and a group checked in one go."""
from vi_sym.pytest_plugin import GROUPS_PER_FILE, _scope


def test_the_steps_of_a_derivation_share_a_scope():
    ids = [f"derivations/closed_forms.vi::kl_normal::{n}" for n in (1, 2, 3)]
    ids.append("derivations/closed_forms.vi::kl_normal::conclusion")
    assert len({_scope(i) for i in ids}) == 1


def test_a_file_s_derivations_fall_into_a_bounded_number_of_groups():
    names = [f"d{k}" for k in range(200)]
    scopes = {_scope(f"cat.vi::{n}::1") for n in names}
    assert 2 <= len(scopes) <= GROUPS_PER_FILE
    assert all(s.startswith("cat.vi::") for s in scopes)
    # other files never share a group with this one
    assert not scopes & {_scope(f"other.vi::{n}::1") for n in names}


def test_the_grouping_is_stable_between_processes():
    # the controller and every worker must agree: a stable hash, not Python's salted hash()
    assert _scope("a.vi::kl_route::1") == "a.vi::group 3"


def test_a_python_test_is_its_own_scope():
    assert _scope("tests/test_x.py::test_y") == "tests/test_x.py::test_y"
