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
    SpecError,
)
from .quantize import quantize
from .spec import parse_distribution

__version__ = "0.1.0"

_LAZY = {"cross_entropy": "measures", "entropy": "measures", "kl_divergence": "measures"}
"""Imported on first use (SciPy is slow to import; ``codebook --help`` should not wait for it)."""


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
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
    "SpecError",
    "cross_entropy",
    "entropy",
    "kl_divergence",
    "parse_distribution",
    "quantize",
]
