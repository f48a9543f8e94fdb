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
from .measures import cross_entropy, entropy, kl_divergence
from .quantize import quantize
from .spec import parse_distribution

__version__ = "0.1.0"

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
