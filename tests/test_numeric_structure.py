"""The numeric layer stays below the model families and everything else: it imports only
the vocabulary and itself, and only at module top (except where a comment says the import
is deferred for start-up time)."""
import ast
import pathlib

import vi_sym

NUMERIC = pathlib.Path(vi_sym.__file__).parent / "numeric"
ALLOWED = {"vi_sym.vocabulary", "vi_sym.numeric"}


def _imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    lines = path.read_text(encoding="utf-8").splitlines()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = "vi_sym.numeric" if node.level == 1 else "vi_sym"
            yield node, (f"{base}.{node.module}" if node.module else base), lines[node.lineno - 1]
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
            for n in names:
                yield node, n, lines[node.lineno - 1]


def test_numeric_imports_nothing_above_it():
    for path in sorted(NUMERIC.glob("*.py")):
        for _, name, _ in _imports(path):
            if name.startswith("vi_sym"):
                assert any(name == a or name.startswith(a + ".") for a in ALLOWED), (path.name, name)


def test_numeric_imports_are_at_module_top_unless_marked():
    for path in sorted(NUMERIC.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top = {n.lineno for n in tree.body}
        for node, name, line in _imports(path):
            if node.lineno not in top:
                assert "start-up time" in line, (path.name, node.lineno, name)
