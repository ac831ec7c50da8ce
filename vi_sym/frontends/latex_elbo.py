"""The LaTeX builder's bounds (:mod:`vi_sym.frontends.latex`): ``\\mathcal{L}(q)``, ``\\mathrm{ELBO}(q)``,
Blei's ``\\mathrm{ELBO}(\\lambda)``, PRML's ``\\mathcal{L}(q, \\theta)``, Kingma & Welling's
``\\mathcal{L}(\\theta, \\phi; x)`` and Murphy's ``\\mathcal{L}(\\psi \\mid x)``, each the ELBO it writes."""
from __future__ import annotations

import sympy
from lark import v_args

from ..tokens import ParseError
from ..vocabulary import ELBO, Density
from .latex_functions import at
from .latex_meaning import BARE_Q

__all__ = ["ElboMixin"]


class ElboMixin:
    """The builder's methods for bounds (``self.joint``, ``self.z``, ``self.x``: the note's latents,
    latent and observed variable)."""

    def _parameters(self, names, sep=","):
        if str(sep).strip() != ",":
            raise ParseError(f"\\mathcal{{L}}(q, \\theta) separates its arguments by ',', not '{sep}'", at(sep))
        for v in names:
            if v.is_real is not True:
                raise ParseError(f"'{v}' after the density in \\mathcal{{L}}(q, θ) must be a declared parameter "
                                 "(<!-- vi_sym: parameters: \\theta -->)")
        return names

    @v_args(inline=True)
    def elbo_given(self, _, q, sep, params):
        """PRML's ``\\mathcal{L}(q, \\theta)``: the bound on ln p(X|θ); with two parameters and no
        density, ``\\mathcal{L}(\\theta, \\phi)``, Kingma & Welling's bound without its data (see
        :meth:`elbo_sub`: the model's parameter first, φ the variational one)."""
        if isinstance(q, sympy.Symbol) and q.is_real is True and len(params) == 1:
            return self._kw(self._parameters([q, *params], sep), [self.x])
        out = self.elbo_of(q)
        return ELBO(out.q, Density("p", out.joint.vars, self._parameters(params, sep)))

    @v_args(inline=True)
    def elbo_kw(self, _, theta, sep, phi, data):
        """Kingma & Welling's ``\\mathcal{L}(\\theta, \\phi; x)``: E_{q_φ(z|x)}[log p_θ(x,z)/q_φ(z|x)]."""
        theta = self._parameters([theta], sep)
        q = Density("q", list(self.joint) or [self.z], [*data, *self._parameters(phi)])
        return ELBO(q, Density("p", [*data, *q.vars], theta))

    def elbo_sub(self, items):
        """``\\mathcal{L}_{\\theta,\\phi}(x)`` (the data x when no bracket follows): Kingma & Welling's bound
        with its parameters below -- φ the variational one (q_φ), θ the model's; written with other letters,
        the model's first, as in ``\\mathcal{L}(\\theta, \\phi; x)``."""
        params, data = self._parameters(items[1]), items[2] if len(items) > 2 else [self.x]
        if len(params) != 2:
            raise ParseError("\\mathcal{L}_{\\theta,\\phi}: below the L come the model's parameter and the "
                             f"variational one, two of them; got {len(params)}")
        return self._kw(params, data)

    def _kw(self, params, data):
        """Kingma & Welling's bound of the parameters ``params`` (the model's, the variational one;
        φ is the variational one wherever it stands) for ``data``."""
        theta, phi = params[::-1] if str(params[0]) == "φ" else params
        q = Density("q", list(self.joint) or [self.z], [*data, phi])
        return ELBO(q, Density("p", [*data, *q.vars], [theta]))

    @v_args(inline=True)
    def elbo_data(self, _, q, data):
        """Murphy's ``\\mathcal{L}(\\psi \\mid \\mathbf{x})``: the bound of q_ψ for the data x (what its
        joint p(x, z) is over already)."""
        if list(data) != [self.x]:
            raise ParseError(f"\\mathcal{{L}}(… \\mid {', '.join(map(str, data))}): after the bar comes the "
                             f"observed variable the bound is for ({self.x})")
        return self.elbo_of(q)

    def elbo_of(self, q):
        if isinstance(q, sympy.Symbol) and q.is_real is True:
            # Blei et al.'s and the tutorials' ELBO(λ), \mathcal{L}(\lambda): the bound of the q with
            # variational parameter λ -- the q_λ the chain names (q(z|λ) when it names none)
            q = Density(BARE_Q, list(self.joint) or [self.z], [q])
        factors = sympy.Mul.make_args(q)
        if not all(isinstance(f, Density) for f in factors):
            raise ParseError("the argument of the ELBO must be a density q(z) or a product q_1(z_1) q_2(z_2)")
        every = [v for f in factors for v in f.vars]
        return ELBO(q, Density("p", [self.x, *every]))
