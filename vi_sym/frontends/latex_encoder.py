r"""An encoder's outputs at the data point: ``\mu_\phi(x)``, ``\sigma_\phi(x)``, ``\sigma^2_\phi(x)``.

A VAE note writes the amortised posterior as ``q_\phi(z|x) = \mathcal{N}(z; \mu_\phi(x),
\sigma_\phi^2(x))``: the mean and the standard deviation are functions of the data point x, with
the network's parameters φ as the subscript.  Every statement of the note is about one x, the
observed one, so each output is a number there: ``\mu_\phi(x)`` is read as the parameter μφ (real)
and ``\sigma_\phi(x)`` as σφ (positive, as a distribution's scale), and the closed forms written
with them are the closed forms of the Gaussian with that mean and scale.

Only a Greek letter *with a subscript* is read so, and only with the observed variable alone in
the brackets (``x``, ``\mathbf{x}``): ``\sigma(x)`` may be the logistic sigmoid, ``\mu(z)`` is a
function of the latent, and ``\mu_\phi(x + 1)`` is not an output at the data point; those are left
to the grammar.  The brackets are blanked, not removed, so every column still points at what the
note's author typed.
"""
from __future__ import annotations

import re

from ..parse import ParseError
from .latex_functions import GREEK, latex_name

__all__ = ["encoder_outputs"]

_GREEK = "|".join(sorted(GREEK, key=len, reverse=True))
#: a subscript of letters or a Greek letter (a digit, \mu_1, names one of several parameters)
_SUB = r"_\s*(?:\{\s*\\(?:%s)\s*\}|\\(?:%s)(?![a-zA-Z])|\{\s*[a-zA-Z][a-zA-Z0-9]*\s*\}|[a-zA-Z])" % (_GREEK, _GREEK)
_POW = r"\^\s*(?:\{\s*[0-9]+\s*\}|[0-9])"
_NAME = r"\\(?:%s)(?![a-zA-Z])\s*(?:%s\s*(?:%s)?|%s\s*%s)" % (_GREEK, _SUB, _POW, _POW, _SUB)
_BOLD = r"\\(?:mathbf|boldsymbol|bm)\s*\{\s*%s\s*\}"


def encoder_outputs(text: str, observed: str, written=None) -> tuple:
    """(``text`` with the brackets of every output at the data point blanked, [the outputs as
    written]) -- see the module docstring; ``observed``: the observed variable's name;
    ``written``: the file's written distributions, whose ``warnings`` get the reading."""
    if not observed or not re.fullmatch(r"[a-zA-Z]", observed):
        return text, []
    text, found = _blanked(text, observed)
    left = re.compile(r"(%s)\s*\(" % _NAME).search(text)
    if left:
        name = _shown(left.group(1))
        raise ParseError(f"{name}(…) is read only as an encoder's output at the observed {observed}, "
                         f"{name}({observed}): a function of anything else is not read (declare it: "
                         "<!-- vi_sym: functions: … -->, or write it as a name)", left.start() + 1, text)
    new = [w for w in dict.fromkeys(map(_shown, found)) if written is not None and ("encoder", w) not in written.said]
    if new:
        written.said.update(("encoder", w) for w in new)
        names = ", ".join(f"{w}({observed}) as {w.replace('_', '')}" for w in new)
        written.warnings.append(f"read {names}: the encoder's outputs at the observed {observed} (each one number "
                                "there; at another argument they are not read so)")
    return text, found


def _shown(written: str) -> str:
    """``\\sigma^2_{\\phi}(x)`` -> σ_φ: the output's name as the note writes it, in letters."""
    base, sub = re.sub(r"\s*\^\s*(\{\s*[0-9]+\s*\}|[0-9])|\(.*$", "", written).split("_", 1)
    return f"{latex_name(base.strip())}_{latex_name(sub.strip())}"


def _blanked(text: str, observed: str) -> tuple:
    arg = r"(?:%s|%s)" % (re.escape(observed), _BOLD % re.escape(observed))
    pattern = re.compile(r"(%s)\(\s*%s\s*\)" % (_NAME, arg))
    found = []

    def blank(m):
        found.append(m.group(0))
        name = m.group(1)
        power = re.match(r"(\\[a-zA-Z]+)\s*(%s)\s*(%s)$" % (_POW, _SUB), name)
        if power:       # \sigma^2_\phi is σφ², as \sigma_\phi^2: the same characters, reordered
            name = power.group(1) + power.group(3) + power.group(2)
            name += " " * (len(m.group(1)) - len(name))
        return name + " " * (m.end() - m.end(1))
    return pattern.sub(blank, text), found


def output_name(written: str) -> str:
    """The parameter an output is read as: ``\\mu_\\phi(x)`` -> μφ."""
    return latex_name(re.sub(r"\s*\^\s*(\{\s*[0-9]+\s*\}|[0-9])|\(.*$", "", written))


_TEXT_GREEK = "".join(sorted(set(GREEK.values())))
_TEXT_NAME = r"[%s](?:_(?:[%s]|[a-zA-Z][a-zA-Z0-9]*|\{[^{}()]*\}))(?:\^2|²)?" % (_TEXT_GREEK, _TEXT_GREEK)


def text_outputs(reader, no: int, code: str) -> str:
    """A plain-text note's ``μ_φ(x)``, ``σ_φ(x)^2``: the encoder's outputs at the observed x, read
    as the names μ_φ, σ_φ (see the module docstring), the brackets blanked; said once per line and
    name in ``reader.warnings``."""
    for x in dict.fromkeys(reader.observed):
        if not re.fullmatch(r"[a-zA-Z]", x):
            continue
        pattern = re.compile(r"(?<![\w.])(%s)\(\s*%s\s*\)" % (_TEXT_NAME, re.escape(x)))
        for m in pattern.finditer(code):
            name = m.group(1).rstrip("^2²")
            said = f"read {name}({x}) as {name}: the encoder's output at the observed {x} (one number there)"
            if (no, said) not in reader.warnings:
                reader.warnings.append((no, said))
        code = pattern.sub(lambda m: m.group(1) + " " * (m.end() - m.end(1)), code)
    return code
