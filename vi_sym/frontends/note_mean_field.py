"""A plain-text note's mean-field assumption and its latents, read as learners write them.

``mean-field: q(z1,z2) = q(z1)q(z2)``, the bare equation ``q(z1, z2) = q1(z1) q2(z2)`` on a line of
its own or inside a sentence, and a note that names no latent but writes its densities over
numbered ones (``p(x, z1, z2)``, ``q1(z1)``): the ``factorised:`` declaration and the latents, as
``latent: z1 z2`` declares them; a later line over a bare z reads the default latents again.
The reader (:mod:`.note`) calls :func:`read_mean_field` on every line.
"""
from __future__ import annotations

import re

from ..parse import parse_expression
from ..tokens import NAME_PATTERN, normal_name
from ..notation import to_unicode
from ..vocabulary import Density, VocabularyError
from .distribution_forms import joint_products
from .latex_meaning import resolve_bare_q
from .note_forms import NoteFormError, end_definitions

__all__ = ["written_mean_field", "mean_field", "numbered_latents", "declare_numbered", "read_mean_field",
           "read_formula", "expand_blocks", "indexed_definition"]

_NAME = NAME_PATTERN
_MEAN_FIELD = re.compile(r"^\s*(?:#|%|//)?\s*(?:mean[- ]?field(?:\s+(?:assumption|approximation|family|"
                         r"factori[sz]ation))?|평균\s*장(?:\s*(?:가정|근사|분해))?)\s*[:：]\s*(.+?)\s*$", re.I)
_JOINT = re.compile(rf"^\s*q\s*\(\s*({_NAME}(?:\s*,\s*{_NAME})*)\s*\)\s*=\s*(.+)$")
_FACTOR_VARS = re.compile(rf"\b[pq]\w*\s*\(\s*({_NAME}(?:\s*,\s*{_NAME})*)\s*\)")


#: ``q(z1,z2) = q1(z1) q2(z2)`` written as a line of its own: a product of unconditioned factors
_FACTORS = re.compile(rf"^(?:\s*\*?\s*[pq]\w*\s*\(\s*{_NAME}(?:\s*,\s*{_NAME})*\s*\))+\s*$")


def written_mean_field(line: str) -> bool:
    """Is ``line`` the mean-field assumption written as an equation, ``q(z1,z2) = q1(z1) q2(z2)``
    (the joint q of two or more latents, then a product of two or more factors that name each of
    them once)?  An assumption that defines the variational family, not a step to check."""
    joint = _JOINT.match(line)
    if not joint or not _FACTORS.match(joint.group(2)):
        return False
    names = [v.strip() for v in joint.group(1).split(",")]
    covered = [v.strip() for vs in _FACTOR_VARS.findall(joint.group(2)) for v in vs.split(",")]
    return len(_FACTOR_VARS.findall(joint.group(2))) > 1 and (sorted(names) == sorted(covered) or _block(names, covered))


def _block(names: list, covered: list) -> bool:
    """``q(z) = q1(z1) q2(z2)``: one name on the left that no factor names -- the vector of the
    latents the factors cover (PRML's Z = (Z_1, …, Z_M))."""
    return len(names) == 1 and names[0] not in covered and len(covered) > 1


#: the mean-field equation inside a sentence: the joint q, '=', then the factors
_EQUATION_IN_PROSE = re.compile(rf"\bq\s*\(\s*{_NAME}(?:\s*,\s*{_NAME})+\s*\)\s*=\s*"
                                rf"(?:\*?\s*[pq]\w*\s*\(\s*{_NAME}(?:\s*,\s*{_NAME})*\s*\)\s*)+")


def mean_field(line: str):
    """``mean-field: q(z1,z2) = q(z1)q(z2)`` (or ``mean field: q(z1)*q(z2)``, or the bare equation
    ``q(z1,z2) = q1(z1) q2(z2)`` on a line of its own) -> (latents, the product as a ``factorised:``
    value, the name of their vector or None: ``q(z) = q1(z1) q2(z2)``, z = (z1, z2)); None if the
    line is no such declaration; a NoteFormError when the joint's variables are not the factors'."""
    m = _MEAN_FIELD.match(line)
    if not m and not written_mean_field(line):
        return None
    text = m.group(1) if m else line.strip()
    joint = _JOINT.match(text)
    product = joint.group(2).strip() if joint else text
    covered = [v.strip() for vs in _FACTOR_VARS.findall(product) for v in vs.split(",")]
    if not covered:
        raise NoteFormError(f"mean-field: expected a product of densities, e.g. q(z1)q(z2); got '{product}'")
    block = None
    if joint:
        names = [v.strip() for v in joint.group(1).split(",")]
        block = names[0] if _block(names, covered) else None
        if sorted(names) != sorted(covered) and block is None:
            raise NoteFormError(f"mean-field: q({', '.join(names)}) is over {', '.join(names)}, but the "
                                f"factors cover {', '.join(covered)}: each latent in exactly one factor")
    return covered, product, block


#: a density written in a plain-text note, its arguments (group 1)
_DENSITY_CALL = re.compile(r"(?<![\w.])[pq]\w*\*?\s*\(([^()]*)\)")
_NUMBERED = re.compile(r"[zZ]_?\d+")
_LATENT_LINE = re.compile(r"^\s*(?:#|%|//)?\s*latent\s*[:：]", re.I | re.M)


def numbered_latents(text: str) -> list:
    """The latents of a note that writes its densities over numbered ones, ``p(x, z1, z2)``,
    ``q1(z1)``, and never over a bare z (nor declares its latents in a ``latent:`` line):
    ``['z1', 'z2']``, as ``latent: z1 z2`` declares them; [] otherwise."""
    if _LATENT_LINE.search(text):
        return []
    names = [normal_name(a.strip()) for m in _DENSITY_CALL.finditer(text) for a in re.split(r"[,|;]", m.group(1))]
    if any(n in ("z", "Z") for n in names):
        return []
    found = sorted({n for n in names if _NUMBERED.fullmatch(n)}, key=lambda n: (n[0], int(re.sub(r"\D", "", n)), n))
    return found if len({n[0] for n in found}) == 1 and len(found) > 1 else []


def _latent_scope(note, text: str) -> None:
    """A note whose latents were not declared but read from its formulas (numbered ones, or those
    a mean-field equation names: ``note.inferred``) and that also writes densities over a bare z
    (an EM section after a mean-field one): a line over the bare z reads the default latents, one
    over the numbered ones those (the chain being read is closed first).  After ``q(z) = q1(z1)
    q2(z2)`` the bare z is (z1, z2) up to the next blank line (``note.blocks``)."""
    inferred = getattr(note, "inferred", None)
    if not inferred:
        return
    if not text.strip():             # a blank line: a bare z after it is the note's z again
        note.blocks_open = False
        return
    names = {normal_name(a.strip()) for m in _DENSITY_CALL.finditer(text) for a in re.split(r"[,|;]", m.group(1))}
    if getattr(note, "blocks_open", False):     # q(z) = q1(z1) q2(z2) just above: q(z) is q(z1, z2)
        names = {n for v in names for n in note.blocks.get(v, [v])}
    if names & {"z", "Z"} and not names & set(inferred) and note.latent != ["z", "Z"]:
        note.close()
        note.latent, note.several, note.blocks = ["z", "Z"], False, {}
        note.kept = {k: note.structure.pop(k) for k in ("factorised", "factorized") if k in note.structure}
    elif names & set(inferred) and not names & {"z", "Z"} and note.latent != inferred:
        note.close()
        note.latent, note.several = list(inferred), len(inferred) > 1
        note.structure.update(getattr(note, "kept", {}))       # the mean-field assumption is theirs


def declare_numbered(note, text: str, options) -> None:
    """A note whose densities are over numbered latents (:func:`numbered_latents`) and that gives
    no latent variables (no ``latent:`` line, no ``--latent``) has them as its latents, said at the
    first line that writes one."""
    found = [] if getattr(options, "latent", None) else numbered_latents(text)
    if found:
        note.latent, note.several, note.inferred = found, True, found
        first = next((no for no, line in enumerate(text.splitlines(), 1) if found[0] in normal_name(line)), 1)
        note.warnings.append((first, f"read {', '.join(found)} as the latent variables (the note's densities are "
                                     f"over them, never over a bare z; a latent: line says otherwise)"))


def read_mean_field(note, line: int, text: str) -> bool:
    """``mean-field: q(z1,z2) = q(z1)q(z2)`` in a note: the ``factorised:`` declaration, and the
    latent variables it names when the note has not named any (as ``latent: z1 z2``); True if
    the line was one (read or skipped with the reason).  The bare equation may stand in a
    sentence, "q(z1, z2) = q1(z1) q2(z2) 로 근사한다." (the words around it are prose)."""
    _latent_scope(note, text)
    try:
        found = mean_field(text)
        if found is None:
            segment = _EQUATION_IN_PROSE.search(text)
            found = mean_field(segment.group().rstrip(" .,;:。")) if segment else None
    except NoteFormError as err:
        note.close()
        note.skip(line, f"cannot read: {err}")
        return True
    if found is None:
        return False
    note.close()
    latents, product, block = found
    said = ""
    if block is not None:          # q(z) = q1(z1) q2(z2): z is (z1, z2) in the formulas below
        note.blocks, note.blocks_open = {normal_name(block): [normal_name(v) for v in latents]}, True
        said = f"; {block} read as ({', '.join(latents)}) below"
    if not set(latents) <= set(note.latent):
        if note.latent != ["z", "Z"]:
            note.skip(line, f"cannot read: mean-field: {', '.join(v for v in latents if v not in note.latent)} "
                            f"is not a declared latent variable (latent: {' '.join(note.latent)})")
            return True
        note.latent, note.several = list(latents), len(latents) > 1
        said = f"; latent variables set to {', '.join(latents)}" + said
        note.inferred = list(latents)
        said += end_definitions(note)
    note.structure["factorised"] = (line, product)
    if written_mean_field(text):       # an equation: say why it is not checked
        return note.skip(line, f"read as the mean-field assumption, not a step: factorised: {product} "
                               f"declared{said}") or True
    note.skip(line, f"mean-field: factorised: {product} declared{said}")
    return True


def expand_blocks(expr, blocks: dict, variables: dict):
    """``expr`` with each density over a vector of latents (``blocks``: {name: [its latents]}, from
    ``q(z) = q1(z1) q2(z2)``) over those latents: p(x, z) is p(x, z1, z2), p(z|x) p(z1, z2|x)."""
    if not blocks:
        return expr
    parts = {variables[b]: [variables[n] for n in ns if n in variables] for b, ns in blocks.items() if b in variables}

    def spread(vs):
        return [w for v in vs for w in parts.get(v, [v])]
    return expr.replace(lambda e: type(e) is Density and any(v in parts for v in (*e.vars, *e.given)),
                        lambda e: Density(e.name, spread(e.vars), spread(e.given)))


def read_formula(note, text: str, env, named):
    """A plain-text formula of ``note`` as an expression: its bare q resolved, its written
    distributions' products joined, its densities over a vector of latents spread over them."""
    expr = joint_products(parse_expression(text, env)).xreplace(note.written.ordered)
    return expand_blocks(resolve_bare_q(expr, named), getattr(note, "blocks", {}), env.variables)


#: ``w_k = p(x, z_k)/q(z_k)``: a quantity defined for every index k (the IWAE's weights)
_INDEXED_DEFINITION = re.compile(r"^\s*([^\W\d_]+)_([a-z])\s*(?::=|=)(?!=)\s*(.+?)\s*$")


def indexed_definition(note, line: int, col: int, code: str) -> bool:
    """``w_k = p(x, z_k)/q(z_k)`` in a plain-text note: w1, w2, … -- each number the note writes
    after w -- defined with k read as that number (z_k as z1), used with that meaning below, as
    ``w = …`` defines w; True if the line was one (read, or skipped with the reason)."""
    m = _INDEXED_DEFINITION.match(code)
    if m is None or not re.search(rf"(?<![\w.])[^\W\d_]+_{m.group(2)}(?!\w)", m.group(3)):
        return False
    name, k, rhs = m.groups()
    numbers = sorted({int(n) for n in re.findall(rf"(?<![\w.]){re.escape(name)}_?(\d+)(?!\w)", note.text)})
    known = {*note.latent, *note.observed, *note.parameters, *note.declared}
    if not numbers or {f"{name}_{k}", f"{name}{k}", name} & known:
        return False            # no w1, w2 written, or a declared name: not such a definition
    try:
        for n in numbers:
            text = re.sub(rf"(?<![\w.])([^\W\d_]+)_{k}(?!\w)", lambda v: f"{v.group(1)}{n}", rhs)
            note.defined[f"{name}{n}"] = ((), note.parse(text, col + code.index(rhs), line)[0])
    except (ValueError, VocabularyError) as err:
        return note.skip(line, f"defines {name}_{k}, but its right side cannot be read: {err}") or True
    note.skip(line, f"defines {name}_{k} for {k} = {', '.join(map(str, numbers))} ({name}{numbers[0]} = "
                    f"{to_unicode(note.defined[f'{name}{numbers[0]}'][1])}, …): used with this meaning below")
    return True
