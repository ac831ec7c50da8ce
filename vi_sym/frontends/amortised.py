"""``q(z|x) = N(μ, σ²)`` in a note: an amortised variational density.

A VAE note writes the encoder's distribution as ``q(z|x) = N(μ, σ²)`` (or ``q_φ(z|x) =
\\mathcal{N}(z; μ, σ^2)`` in LaTeX): a density of the latent z for each observed x, its
parameters μ, σ the encoder's outputs at x.  The line is read as ``q(z) = N(…)`` is (by
:func:`.note_forms.read_normal_line` or :func:`.note_forms.read_written_line`), then bound
with the bar: the note's ``q(z|x)`` is then that density (:class:`vi_sym.conditional.AmortisedDensity`,
as ``define q(z|x) = Normal(z, m, s)`` in a ``.vi`` file), and ``q(z)`` written alone is an
input error that says so.  Right of the bar only the note's observed variables may stand.
"""
from __future__ import annotations

import re

from ..conditional import AMORTISED, amortised_definition_error
from ..tokens import NAME_PATTERN, normal_name
from ..vocabulary import Density

__all__ = ["AMORTISED", "AMORTISED_HEAD", "amortised_error", "read_amortised_line", "conditioned_qs"]

#: ``q(z | x) =`` / ``q(z|x,y) =`` at the start of a line: (before the bar, the given names, the rest)
_HEAD_NAME = re.compile(rf"\s*([qr]\w*)\s*\(\s*({NAME_PATTERN})")
AMORTISED_HEAD = re.compile(rf"^(\s*[qr]\w*\s*\(\s*{NAME_PATTERN}\s*)\|\s*({NAME_PATTERN}(?:\s*,\s*"
                            rf"{NAME_PATTERN})*)\s*(\)\s*=.*)$")


def _not_observed(label: str, name) -> str:
    return (f"{label}: {name} right of the bar is not an observed variable (a line 'observed: {name}' "
            "declares it); an amortised q(z|x) is a density of a latent for each value of the observed data")


def amortised_error(label: str, d, definition, latent, observed, domains):
    """What is wrong with reading ``d`` (a density ``q(z|x)`` as written) as ``definition``,
    an amortised density (None: nothing): the variables right of the bar must be observed ones (or
    parameters: q_φ(z|x) is q(z|x,φ), its encoder's weights φ)."""
    stray = [g for g in d.given if str(g) not in observed and g.is_real is not True]
    if stray:
        return _not_observed(label, stray[0])
    why = amortised_definition_error(label, d.vars, d.given, definition,
                                     tuple(v for v in definition.free_symbols | set(d.vars) if str(v) in latent),
                                     domains)
    return None if why is None else why[0]


def read_amortised_line(note, line: int, col: int, code: str, readers) -> bool:
    """``q(z|x) = <distribution>`` in a note: read by one of ``readers`` (called as
    ``reader(note, line, col, code_without_the_bar)``, which speak of ``q(z)``) and bound to the
    observed variables right of the bar; True if the line was one (read, or skipped with the
    reason, which names ``q(z|x)`` as the note wrote it)."""
    m = AMORTISED_HEAD.match(code)
    if not m:
        return False
    name, var = _HEAD_NAME.match(m.group(1)).groups()
    names = [normal_name(g.strip()) for g in m.group(2).split(",")]
    plain, label = f"{name}({normal_name(var)})", f"{name}({normal_name(var)}|{','.join(names)})"
    stray = [g for g in names if g not in note.observed]
    if stray:
        note.close()
        note.skip(line, f"cannot read: {_not_observed(label, stray[0])}")
        return True
    before = note.normals.get(name)
    if not any(read(note, line, col, m.group(1) + m.group(3)) for read in readers):
        return False
    why = None
    if note.normals.get(name) is not before:      # read now (not a definition of an earlier line)
        vs, definition = note.normals[name][:2]
        env = note.env(code, factors=False)
        gs = tuple(env.variables[g] for g in names)
        domains = {**{n: "real" for n in note.parameters}, **note.declared}
        why = amortised_definition_error(label, vs, gs, definition,
                                         tuple(env.variables[v] for v in note.latent if v in env.variables),
                                         domains)
        if why is None:
            note.normals[name] = (vs, definition, gs, AMORTISED)
        else:
            del note.normals[name]
    said = f"cannot read: {why[0]}" if why else note.skipped[-1][1].replace(f"{plain} =", f"{label} =", 1)
    note.skipped[-1] = (line, said)
    return True


def conditioned_qs(defined: dict) -> set:
    """The q densities a note defines with a bar (a VAE's encoder ``q(z|x) = N(μ, σ²)``): a bare q
    (``ELBO``, ``E_q``, ``KL(q||p)``) after the definition is that q, as one its chain names is."""
    return {Density(name, spec[0], spec[2]) for name, spec in defined.items()
            if name.startswith("q") and len(spec) > 2 and spec[2]}
