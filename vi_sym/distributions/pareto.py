"""Pareto(z, xm, alpha): scale (minimum) xm > 0, shape alpha > 0, on (xm, ∞)."""
from sympy import log, oo

from .base import Spec, register
from .stats import is_log, real_power


def lemma(z, params, h):
    xm, al = params
    if is_log(h, z):
        return log(xm) + 1 / al, "E[log z] = log xm + 1/α of Pareto(xm, α)"
    rp = real_power(h, z)
    if rp and (al - rp[1]).is_positive:
        c, a = rp
        return c * al * xm ** a / (al - a), "E[z^a] = α xm^a/(α - a), a < α, of Pareto(xm, α)"
    return None


SPEC = register(Spec(
    "Pareto", ("minimum", "shape"), ("positive", "positive"),
    lambda z, xm, al: log(al) + al * log(xm) - (al + 1) * log(z),
    lambda z, xm, al: al * xm ** al / z ** (al + 1),
    lambda xm, al: ("interval", xm, oo), lemma, hint=lambda xm, al: (xm, (2 * xm,))))
