"""CAVI as a checkable claim: run the coordinate updates the catalogue derived, check what
theory promises.

The update formulas are not typed in here: they are read from the ``conclude:`` lines of the
catalogue's derivations (``derivations/prml_10_1_3.vi``, ``derivations/prml_10_1_2.vi``,
``derivations/blei_gmm.vi``), parsed
by vi_sym's own ``.vi`` reader, so the algorithm run is the one the derivation proved.  A
conclusion ``E[log p] = −λ (v − m)²/2 + const(v)`` is read off as the Gaussian N(m, λ⁻¹)
(:func:`gaussian_read_off`); ``(a − 1) log v − b v + const(v)`` as Gam(a, b)
(:func:`gamma_read_off`); ``body(c) + const(c)`` for c ∈ {0, 1} as Bernoulli with log-odds
body(1) − body(0) (:func:`bernoulli_read_off`).  Each model's ELBO and evidence are written independently of the
derivations (textbook closed forms), so a wrong update cannot agree with them by construction.

What a run is checked for (:func:`check_run`), each up to a stated float64 tolerance
``tol·(1 + |value|)``:

* **monotone**: the ELBO never decreases from one factor update to the next;
* **bound**: the ELBO stays ≤ log p(x) (Normal–Gamma: the closed-form evidence; the
  bivariate Gaussian target is normalised, log ∫ p = 0; the mixture: a sum over
  assignments of conjugate evidences);
* **optimal**: right after a factor's update, moving any one of that factor's parameters a
  little (relative step ``h``) does not raise the ELBO -- each update maximises the ELBO in
  its own factor (the coordinate-ascent property);
* **fixed point**: after convergence each factor equals its own update.
"""
from __future__ import annotations

from .mixture import GaussianMixture
from .models import BivariateGaussian, NormalGamma
from .readoff import (CATALOGUE, ReadOffError, bernoulli_read_off, conclusion_of, gamma_read_off,
                      gaussian_read_off)
from .runs import TOL, Run, check_run, run_cavi

__all__ = ["CATALOGUE", "ReadOffError", "conclusion_of", "gaussian_read_off", "gamma_read_off",
           "bernoulli_read_off", "NormalGamma", "BivariateGaussian", "GaussianMixture", "Run",
           "run_cavi", "check_run", "TOL"]
