"""The collector's thresholds are vi_sym's own processes' business: set by the command line
and in each worker, never by importing vi_sym (a notebook's or pytest's process keeps its own)."""
import gc
import subprocess
import sys

from vi_sym import collector
from vi_sym.isolation import run_tasks


def test_importing_vi_sym_leaves_the_thresholds_alone():
    code = ("import gc; before = gc.get_threshold(); import vi_sym.cli, vi_sym.notebook, vi_sym.isolation; "
            "print(gc.get_threshold() == before)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"


def test_a_worker_runs_with_vi_syms_thresholds():
    before = gc.get_threshold()
    [out] = run_tasks([(gc.get_threshold, ())], jobs=1, timeout=30)
    assert out.ok and tuple(out.value) == collector.THRESHOLDS != before
    assert gc.get_threshold() == before


def test_the_command_line_sets_them_before_its_imports():
    code = ("import runpy, sys, gc; import vi_sym.collector as c; seen = []; "
            "orig = c.tune; c.tune = lambda: (orig(), seen.append('vi_sym.cli' in sys.modules)); "
            "sys.argv = ['vi_sym', '--help']\n"
            "try:\n    runpy.run_module('vi_sym', run_name='__main__')\n"
            "except SystemExit:\n    pass\n"
            "print(seen[0], gc.get_threshold() == c.THRESHOLDS)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip().splitlines()[-1] == "False True", out.stderr
