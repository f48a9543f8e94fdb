"""The protocol every coder follows, and the checks they share.

A code is built from a distribution and knows its own metrics. Two calls move data:

* ``encode(symbols) -> bitarray``: the bitstream, whose ``len()`` is the exact number of bits
  produced (no padding ambiguity; bits per symbol is ``len(bits) / n``);
* ``decode(bits, n) -> ndarray``: exactly ``n`` int64 symbols. There is no end-of-stream
  symbol; the caller passes ``n``. A truncated stream, an invalid code sequence or bits left
  over after the ``n``-th symbol raise :class:`~codebook.errors.DecodeError` with the bit
  position. ``decode_partial(bits, n)`` decodes a prefix of a longer stream and reports how
  many bits it consumed.

Symbols are non-negative integers of any NumPy integer dtype. Bitstreams are big-endian
``bitarray`` objects (a little-endian one is accepted and converted).
"""

from __future__ import annotations

import abc
import contextlib
import json
from typing import Any, ClassVar

import numpy as np
from bitarray import bitarray

from ..distributions import as_distribution
from ..errors import AlphabetMismatchError, CodeTableError, DecodeError
from ..symbols import KERNEL_DTYPES, as_symbols  # noqa: F401  (re-exported: the coders import them from here)


def alphabet_from(q, alphabet_size, who: str, max_size: int):
    """K from q and/or ``alphabet_size`` (they must agree), an integer in 1..max_size, and q as
    a :class:`~codebook.distributions.Distribution` (None if not given). ``who`` names the
    coder in the error for neither being given ("golomb code")."""
    dist = None
    if q is not None:
        dist = as_distribution(q, "q")
        if alphabet_size is not None and alphabet_size != len(dist):
            raise AlphabetMismatchError(f"`alphabet_size` = {alphabet_size!r} but len(q) = {len(dist)}")
        k = len(dist)
    elif alphabet_size is None:
        raise ValueError(f"the {who} needs `alphabet_size` (or a q to take it from)")
    else:
        k = alphabet_size
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= max_size:
        raise ValueError(f"`alphabet_size` must be an integer in 1..{max_size}; got {k!r}")
    return int(k), dist


def symbol_buffer(n: int, dtype, alphabet_size: int) -> np.ndarray:
    """An uninitialised array for ``n`` decoded symbols of ``dtype`` (checked to hold 0..K-1)."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise ValueError(f"`dtype` must be an integer dtype holding 0..{alphabet_size - 1}; got {dtype!r}") from None
    if dt.kind not in "iu" or np.iinfo(dt).max < alphabet_size - 1:
        raise ValueError(f"`dtype` must be an integer dtype holding 0..{alphabet_size - 1}; got {dt}")
    return np.empty(n, dtype=dt)


def as_bits(bits) -> bitarray:
    """Accept a ``bitarray`` (any endianness); return a big-endian one (no copy if already)."""
    if not isinstance(bits, bitarray):
        raise DecodeError(f"`bits` must be a bitarray; got {type(bits).__name__}")
    if bits.endian != "big":
        return bitarray(bits, endian="big")
    return bits


def check_count(n) -> int:
    """``n`` as a non-negative int, or :class:`ValueError` naming the value."""
    if isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 0:
        return int(n)
    raise ValueError(f"`n` (number of symbols to decode) must be a non-negative integer; got {n!r}")


def bits_to_bytes(bits: bitarray) -> np.ndarray:
    """The bytes of a big-endian bitarray as uint8, followed by 8 zero bytes of slack (a copy).

    The slack lets the decoding kernels read a fixed window past the end without bounds
    checks; they compare positions with ``len(bits)`` to detect truncation.
    """
    out = np.zeros(len(bits) // 8 + 9, dtype=np.uint8)
    raw = bits_view(bits)
    out[: raw.size] = raw
    return out


def bits_view(bits: bitarray) -> np.ndarray:
    """A zero-copy uint8 view of a bitarray's bytes (the pad bits of the last byte are zero or
    junk; the kernels compare positions with ``len(bits)``)."""
    return np.frombuffer(bits, dtype=np.uint8) if len(bits) else np.zeros(0, dtype=np.uint8)


def bytes_to_bits(buf: np.ndarray, nbits: int) -> bitarray:
    """The first ``nbits`` bits of a uint8 buffer as a big-endian bitarray (one copy)."""
    out = bitarray(endian="big")
    out.frombytes(buf[: (nbits + 7) // 8])
    del out[nbits:]
    return out


class Code(abc.ABC):
    """A code over the symbols ``0..K-1``: encode, decode, and serialize its table.

    Subclasses set ``name`` (the registry name) and implement ``encode``, ``decode_partial``,
    ``to_dict`` and the class method ``from_dict``.
    """

    name: ClassVar[str] = "code"
    #: False for codes that take only the alphabet size from q (Elias, LZ78): reports then
    #: say that no model was used instead of printing H(p, q) for a q the code never saw.
    uses_probabilities: ClassVar[bool] = True

    @property
    @abc.abstractmethod
    def alphabet_size(self) -> int:
        """K: symbols are 0..K-1."""

    @abc.abstractmethod
    def encode(self, symbols) -> bitarray:
        """Encode a message; ``len()`` of the result is the exact number of bits."""

    @abc.abstractmethod
    def decode_partial(self, bits, n: int, *, dtype=np.int64) -> tuple[np.ndarray, int]:
        """Decode ``n`` symbols from the start of ``bits``; return them and the bits consumed."""

    def decode(self, bits, n: int, *, dtype=np.int64) -> np.ndarray:
        """Decode exactly ``n`` symbols that fill ``bits`` exactly.

        Raises :class:`DecodeError` (with ``.position``) on a truncated or invalid stream and
        when bits are left over after the ``n``-th symbol (a wrong ``n`` or a corrupted stream).
        ``dtype`` is the integer dtype of the result (int64 by default; ``np.uint8`` decodes a
        byte message at one byte per symbol); it must hold every symbol ``0..K-1``.
        """
        bits = as_bits(bits)
        symbols, used = self.decode_partial(bits, n, dtype=dtype)
        if used != len(bits):
            raise DecodeError(
                f"{len(bits) - used} bits left over after decoding {n} symbols: the stream "
                f"ends at bit {len(bits)} but the last symbol ends at bit position {used}",
                position=used,
            )
        return symbols

    @abc.abstractmethod
    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description from which :func:`codebook.coders.from_dict` rebuilds it."""

    @classmethod
    @abc.abstractmethod
    def from_dict(cls, data: dict[str, Any]) -> Code:
        """Rebuild from :meth:`to_dict` output, validating every field."""

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), separators=(",", ":"))

    def __len__(self) -> int:
        return self.alphabet_size


def require_field(data: dict, key: str, kind: type | tuple[type, ...], what: str = "code table"):
    """Fetch ``data[key]`` checking its type; :class:`CodeTableError` names what is wrong."""
    if not isinstance(data, dict):
        raise CodeTableError(f"{what} must be a JSON object; got {type(data).__name__}")
    if key not in data:
        raise CodeTableError(f"{what} is missing the field {key!r}")
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, kind):
        raise CodeTableError(f"{what} field {key!r} has the wrong type: {value!r}")
    return value


@contextlib.contextmanager
def table_errors(what: str = "code table"):
    """Inside ``from_dict``: a :class:`ValueError` of the constructor's own checks becomes the
    :class:`CodeTableError` ``"<what>: <message>"``; a CodeTableError passes unchanged."""
    try:
        yield
    except CodeTableError:
        raise
    except ValueError as exc:
        raise CodeTableError(f"{what}: {exc}") from None


def table_alphabet_size(data: dict, max_size: int, count: int | None = None, versions: tuple[int, ...] = (1,)) -> int:
    """Check a code table's ``version`` (one of ``versions``; 1 if absent) and ``alphabet_size``
    (1..max_size, and equal to ``count``, the number of entries listed, when given); return
    the alphabet size."""
    size = require_field(data, "alphabet_size", int)
    if not 1 <= size <= max_size:
        raise CodeTableError(f"code table field 'alphabet_size' must be in 1..{max_size}; got {size}")
    if count is not None and size != count:
        raise CodeTableError(f"code table says alphabet_size = {size} but lists {count} entries")
    version = data.get("version", 1)
    if isinstance(version, bool) or version not in versions:
        expected = " or ".join(str(v) for v in versions)
        raise CodeTableError(f"code table version {version!r} is not supported (expected {expected})")
    return size
