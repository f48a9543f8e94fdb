"""codebook: build a code from q, encode data from p, count the bits against H(p, q)."""

from .distributions import Distribution
from .errors import (
    AlphabetMismatchError,
    CodebookError,
    CodeTableError,
    ContainerError,
    DecodeError,
    DistributionError,
    EncodeError,
    ModelError,
    SpecError,
)
from .quantize import quantize
from .spec import parse_distribution

__version__ = "0.1.0"

_LAZY = {"cross_entropy": "measures", "entropy": "measures", "kl_divergence": "measures",
         "entropy_rate": "rates", "cross_entropy_rate": "rates", "conditional_entropy": "rates",
         "empirical_conditional_entropy": "rates", "models": None, "sources": None, "rates": None}
"""Imported on first use (SciPy and numba are slow to import; ``codebook --help`` should not
wait for them). ``None``: the submodule itself."""


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        where = _LAZY[name]
        value = importlib.import_module(f".{where or name}", __name__)
        if where is not None:
            value = getattr(value, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "AlphabetMismatchError",
    "CodeTableError",
    "CodebookError",
    "ContainerError",
    "DecodeError",
    "Distribution",
    "DistributionError",
    "EncodeError",
    "ModelError",
    "SpecError",
    "conditional_entropy",
    "cross_entropy",
    "cross_entropy_rate",
    "empirical_conditional_entropy",
    "entropy",
    "entropy_rate",
    "kl_divergence",
    "models",
    "parse_distribution",
    "quantize",
    "sources",
]
