"""Exceptions raised by codebook.

Every error a caller can cause is a :class:`ValueError` subclass whose message names the rule,
the offending value and where it is (index, symbol position or bit position), in the style of
bitarray's ``util`` module: "`q` must be non-negative; q[3] = -0.2". Broken internal invariants
are assertions, not these.
"""

from __future__ import annotations


class CodebookError(ValueError):
    """Base class of every error caused by the caller's input."""


class DistributionError(CodebookError):
    """A probability vector breaks a rule (empty, NaN, negative, does not sum to 1)."""


class SpecError(CodebookError):
    """A distribution spec string (``"zipf:256:1.1"``) cannot be parsed."""


class AlphabetMismatchError(CodebookError):
    """Two distributions, or a distribution and a code, have different alphabet sizes."""


class EncodeError(CodebookError):
    """A message cannot be encoded: a symbol outside the alphabet or without a codeword."""


class DecodeError(CodebookError):
    """A bitstream is truncated, corrupted or not a valid code sequence.

    ``position`` is the bit position where decoding failed (0-based), when known.
    """

    def __init__(self, message: str, position: int | None = None):
        super().__init__(message)
        self.position = position


class CodeTableError(CodebookError):
    """A serialized code table (JSON) is malformed or describes no valid code."""


class ContainerError(CodebookError):
    """A compressed file is not one codebook wrote, or it is truncated or corrupted."""


class InputTooLargeError(ContainerError):
    """An input file, pipe or device holds more bytes than its limit (``--max-size``, or the
    size of the training file a compressed file was primed on)."""


class TrainingDataError(ContainerError):
    """A file coded with a model primed on training data, decoded without those bytes or with others."""


class ModelError(CodebookError):
    """A model (``codebook.models``) or source cannot be built or used as asked: a transition
    row that is not a pmf, a chain whose stationary distribution is not unique, a prefix code
    asked to follow a model with memory, a message longer than a table of predictions."""
