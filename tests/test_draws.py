"""The spot-checks' draws depend on the strategy and the seed alone -- not on which modules
happen to be loaded (hypothesis mixes numbers from the source of loaded local modules into
its draws; vi_sym switches that pool off while it draws)."""
import importlib.util
import sys

from hypothesis import strategies as st

from vi_sym.spot.driver import draws

STRATEGY = st.tuples(st.floats(-1e3, 1e3, allow_nan=False), st.floats(1e-3, 1e3), st.integers(0, 10 ** 6))


def _load_module_with_constants(tmp_path, name):
    path = tmp_path / f"{name}.py"
    consts = ", ".join(f"{0.1234567 + k / 97:.9f}" for k in range(200))
    path.write_text(f"VALUES = [{consts}]\nINTS = [{', '.join(str(7919 * k) for k in range(200))}]\n")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_draws_do_not_depend_on_the_modules_loaded(tmp_path):
    before = draws(STRATEGY, 200, seed=3)
    _load_module_with_constants(tmp_path, "vi_sym_draws_probe_constants")
    try:
        after = draws(STRATEGY, 200, seed=3)
    finally:
        sys.modules.pop("vi_sym_draws_probe_constants", None)
    assert after == before
    assert not any(v[0] in {0.1234567 + k / 97 for k in range(200)} for v in after)


def test_draws_depend_on_the_seed():
    assert draws(STRATEGY, 50, seed=1) != draws(STRATEGY, 50, seed=2)
