"""The breakpoints of a log-concave bump: where its log-density has fallen by each of
FAST_DROPS, on both sides of the mode, found for a whole batch at once."""
import numpy as np
import pytest

from vi_sym.families.grid import FAST_DROPS, drop_breakpoints


def _softplus(u):
    return np.logaddexp(0.0, u)


def _beta_in_logit(al, be):
    """A Beta(al, be) bump in u = logit z (log-concave): its mode and its drop."""
    mode = np.log(al / be)
    top = -al * _softplus(-mode) - be * _softplus(mode)
    return mode, lambda t: top + al * _softplus(-(mode + t)) + be * _softplus(mode + t)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_each_breakpoint_is_where_the_log_density_has_fallen_by_its_drop(seed):
    rng = np.random.default_rng(seed)
    al = np.exp(rng.uniform(-4, 4, (7, 1)))
    be = np.exp(rng.uniform(-4, 4, (7, 1)))
    mode, drop = _beta_in_logit(al, be)
    pts = drop_breakpoints(mode, drop, np.sqrt(1 / al + 1 / be))
    k = len(FAST_DROPS)
    assert pts.shape == (7, 2 * k + 1)
    assert np.array_equal(pts[:, k], mode[:, 0])
    assert np.all(np.diff(pts, axis=1) > 0)          # left drops, the mode, right drops, in order
    left, right = pts[:, :k][:, ::-1], pts[:, k + 1:]
    for side in (left, right):
        fell = drop(side - mode)
        assert np.allclose(fell, np.asarray(FAST_DROPS)[None, :], rtol=1e-9, atol=1e-9)


def test_a_side_that_needs_more_bracketing_does_not_disturb_the_other():
    """A very skewed bump: one side is found after many doublings, the other at once."""
    mode = np.array([[0.0]])
    drop = lambda t: np.where(t < 0, 1e-6 * t * t, t * t)     # noqa: E731 -- wide left, narrow right
    pts = drop_breakpoints(mode, drop, 1.0)
    d = np.asarray(FAST_DROPS)
    assert np.allclose(pts[0, :5][::-1], -np.sqrt(d / 1e-6), rtol=1e-9)
    assert np.allclose(pts[0, 6:], np.sqrt(d), rtol=1e-9)
