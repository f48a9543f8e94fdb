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
from .measures import cross_entropy, entropy, kl_divergence
from .quantize import quantize
from .spec import parse_distribution
from . import models, sources  # noqa: E402  (after the names they use)
from .rates import conditional_entropy, cross_entropy_rate, empirical_conditional_entropy, entropy_rate

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
