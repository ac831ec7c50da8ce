"""Erlang(z, k, rate): the time to the k-th event of a Poisson process; a Gamma(k, rate) whose
shape is a count.  Its closed forms are the Gamma's, which hold for every shape k > 0."""
from . import gamma  # noqa: F401  (the base kind is registered first)
from .reparametrised import reparametrised

SPEC = reparametrised("Erlang", ("shape", "rate"), ("positive", "positive"), "Gamma",
                      lambda k, lam: (k, lam), "Erlang(k, λ) = Gamma(k, λ)")
