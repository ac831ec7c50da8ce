"""The names a plain-text formula's written distributions introduce (``N(μ, σ^2)``: μ real, σ > 0;
``N(ε; 0, 1)``: ε drawn, a latent; ``Bern(p)``: p a number there, not the model's density), declared
in the note from that line on, and said in words."""
from __future__ import annotations

from .distribution_forms import DOMAIN_WORDS, drawn_in_text, letters_in_text, mentions_distribution, names_in_text

__all__ = ["declare_text_distributions"]


def declare_text_distributions(note, code: str) -> list:
    """Declare in ``note`` (a plain-text reader) the names ``code``'s distributions introduce; the
    readings, in words."""
    if not mentions_distribution(code):
        return []
    env = note.env(code, factors=False)
    known = set(env.variables) | set(env.functions) | set(env.constants) | set(env.densities) | \
        {"pi", "π", "e"} | set(note.declared)
    said = []
    for alias, name in drawn_in_text(code):       # N(ε; 0, 1): ε is integrated over
        if name not in known and alias not in known:
            note.latent.append(name)
            known.add(name)
            said.append(f"read {name} as a latent variable (drawn from {alias}(…))")
    for alias, new in names_in_text(code, known, note.latent):
        new = {n: d for n, d in new.items() if n not in known}
        note.declared.update(new)
        known |= set(new)
        if new:
            said.append(f"read {', '.join(f'{n} as {DOMAIN_WORDS[d]}' for n, d in new.items())} "
                        f"(arguments of {alias}(…))")
    letters = letters_in_text(code)
    if letters:
        said.append(f"read {', '.join(f'{n} as {DOMAIN_WORDS[d]}' for n, d in letters.items())} in this "
                    f"formula and its chain (a distribution's argument there: a number, not a density)")
    return said
