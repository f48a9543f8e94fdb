"""Context mixing: the strongest byte model of codebook (PAQ/lpaq family), coded exactly.

>>> from codebook.contextmix import ContextMixingCoder
>>> code = ContextMixingCoder()
>>> text = b"abracadabra abracadabra abracadabra"
>>> bits = code.encode(text)
>>> code.decode(bits, len(text), dtype="uint8").tobytes() == text
True
>>> lo, hi = code.excess_bounds(len(text))
>>> lo <= len(bits) - code.log_loss(text) <= hi
True

See :mod:`codebook.contextmix.coder` for the model, the length bound and the memory use.
"""

from .coder import (
    DEFAULT_MEMORY,
    FAST_FROM,
    MAX_MEMORY,
    MIN_MEMORY,
    PARALLEL_MIN,
    PROFILES,
    ContextMixingCoder,
    Profile,
)

__all__ = ["DEFAULT_MEMORY", "FAST_FROM", "MAX_MEMORY", "MIN_MEMORY", "PARALLEL_MIN", "PROFILES", "ContextMixingCoder",
           "Profile"]
