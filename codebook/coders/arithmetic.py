"""Arithmetic (range) coding with a static quantized model: FIFO, within 2 bits of -log2 q_hat.

:class:`StaticStreamCoder` holds what the static stream coders share (``arithmetic`` here and
``rans``): the quantized model, its tables, validation, ``ideal_length`` and serialisation.
:class:`ArithmeticCoder` is the range coder of ``_range_kernels`` (Witten, Neal & Cleary
1987, CACM 30(6); carry propagation as in Subbotin's / LZMA's range coders).

The model. ``q`` is quantized to integer frequencies ``f`` with ``Σ f = 2**precision``
(:func:`codebook.quantize`); the coder codes with ``q_hat = f / 2**precision`` exactly, shown
as ``.model`` so a report can put ``H(p, q_hat) - H(p, q)`` next to the measured bits
(theory §f, quantisation cost). A symbol with ``q(x) = 0`` gets ``f = 0`` and cannot be
encoded (:class:`EncodeError` naming the symbol and its position) unless ``floor=True``, which
gives every symbol at least one unit.

Length bound of this coder, for every message ``x^n`` (theory §f; derived in
``_range_kernels``): with ``I = -log2 q_hat(x^n)``,

    I  <=  len(encode(x^n))  <  I + 2 + n * eps_up,   eps_up = -log2(1 - 2**(b - 48)),

(``b`` the precision; ``eps_up`` is 8.6e-8 bit/symbol at b = 24 and 5.4e-9 at the default
b = 20). The 2 bits are the whole termination: the flush writes the fewest bits that pin a
dyadic interval inside the final range. An empty message is 0 bits.
"""

from __future__ import annotations

import math
from functools import cached_property
from typing import Any

import numpy as np
from bitarray import bitarray

from ..distributions import Distribution, as_distribution
from ..errors import CodeTableError, DecodeError, EncodeError, ModelError
from ..models import _kernels as model_kernels
from ..models.base import DEFAULT_PRECISION as MODEL_PRECISION
from ..models.base import Model, check_model_precision, quantization_bound
from ..quantize import check_precision, quantize
from . import _range_kernels as kernels
from .base import (
    Code,
    as_bits,
    as_symbols,
    bits_view,
    bytes_to_bits,
    check_count,
    require_field,
    symbol_buffer,
    table_alphabet_size,
)
from .registry import register

DEFAULT_PRECISION = 20
"""Default ``b``: q_hat has resolution 2**-20 and alphabets up to 2**20 symbols fit.

How the quantisation cost H(p, q_hat) - H(p, q) moves with ``b`` on the benchmark workload
(p = Zipf(256, 1.1), q = 0.7 p + 0.3 uniform; bits/symbol, measured with this quantizer):

    b:     12        14       16       18       20       22        24
    cost: -8.8e-4   2.4e-4   4.1e-6   4.3e-7   3.1e-6  -5.3e-7    1.7e-7

Under a mismatched p the first-order term has random signs, so the cost is not monotone in
``b`` and can be negative; its size falls roughly like 2**-b (see :mod:`codebook.quantize`).
b = 20 keeps it far below 1e-4 while the decoders' lookup table (2**16 entries) stays in cache."""

MAX_PRECISION = 24
"""Largest ``b`` the static coders accept. The range coder keeps ``range >= 2**48``, so after a
step ``range >= 2**(48-b)``: with b <= 24 renormalisation shifts at most 3 bytes (the encoder
relies on it) and ``eps_up`` stays below 1e-7 bit/symbol. rANS's worst-case per-symbol error
at b = 24 is log2(1 + 2**-7) = 0.0112 bit up and 0.0226 bit down (see ``rans.excess_bounds``)."""

MAX_ALPHABET = 1 << 24
"""Largest alphabet a coder (or a code table) may describe; refused before allocating."""

COARSE_BITS = 16
"""The decoders' symbol lookup table has ``2**min(b, 16)`` entries (see the kernels)."""


def _symbol_dtype(k: int):
    return np.uint8 if k <= 1 << 8 else np.uint16 if k <= 1 << 16 else np.int32


class StaticStreamCoder(Code):
    """Shared machinery of the stream coders with a static quantized model.

    Parameters
    ----------
    q : Distribution or array-like
        The model (validated: finite, non-negative, sums to 1 within 1e-9).
    precision : int
        ``b``: frequencies sum to ``2**b``; ``1 <= b <= 24``, and ``2**b`` must be at least the
        number of symbols given a frequency.
    floor : bool
        ``True`` gives every symbol, even one with ``q(x) = 0``, at least one unit, so every
        symbol is encodable (at the price of the mass moved to them).
    """

    def __init__(self, q, *, precision: int = DEFAULT_PRECISION, floor: bool = False):
        b = check_precision(precision, 1, MAX_PRECISION)
        dist = as_distribution(q, "q")
        if len(dist) > MAX_ALPHABET:
            raise ValueError(f"alphabet size {len(dist)} exceeds the maximum {MAX_ALPHABET}")
        probs = dist.probs
        if floor and (probs == 0).any():
            # The smallest positive double: water-filling then lifts exactly these to f = 1.
            probs = np.where(probs > 0, probs, np.nextafter(0.0, 1.0))
            probs = probs / math.fsum(probs.tolist())
        self._setup(quantize(probs, b), b)
        self.q = dist

    @classmethod
    def from_frequencies(cls, freqs, precision: int):
        """Build from integer frequencies summing to ``2**precision`` (validated)."""
        b = check_precision(precision, 1, MAX_PRECISION)
        arr = np.asarray(freqs)
        if arr.ndim != 1 or arr.size == 0:
            raise CodeTableError(f"`freqs` must be a non-empty one-dimensional array; got shape {arr.shape}")
        if arr.size > MAX_ALPHABET:
            raise CodeTableError(f"alphabet size {arr.size} exceeds the maximum {MAX_ALPHABET}")
        if arr.dtype.kind not in "iu":
            raise CodeTableError(f"`freqs` must be integers; got dtype {arr.dtype}")
        if (arr < 0).any():
            i = int(np.flatnonzero(arr < 0)[0])
            raise CodeTableError(f"`freqs` must be non-negative; freqs[{i}] = {arr[i]}")
        if (arr > (1 << b)).any():
            i = int(np.flatnonzero(arr > (1 << b))[0])
            raise CodeTableError(f"`freqs` must be at most 2**{b}; freqs[{i}] = {arr[i]}")
        total = int(arr.astype(np.int64).sum())
        if total != 1 << b:
            raise CodeTableError(f"`freqs` must sum to 2**precision = 2**{b} = {1 << b}; they sum to {total}")
        obj = cls.__new__(cls)
        obj._setup(arr.astype(np.int64), b)
        obj.q = None
        return obj

    def _setup(self, freqs: np.ndarray, b: int) -> None:
        freqs = np.ascontiguousarray(freqs, dtype=np.int64)
        freqs.setflags(write=False)
        self._freqs = freqs
        self._precision = b
        start = np.zeros(freqs.size + 1, dtype=np.int64)
        np.cumsum(freqs, out=start[1:])
        self._start = start  # start[K] = 2**b: the decoders' scan sentinel

    # ------------------------------------------------------------------ the model
    @property
    def alphabet_size(self) -> int:
        return int(self._freqs.size)

    @property
    def precision(self) -> int:
        """``b``: the frequencies sum to ``2**b``."""
        return self._precision

    @property
    def frequencies(self) -> np.ndarray:
        """The integer frequencies the coder uses (int64, read-only), summing to ``2**precision``."""
        return self._freqs

    @cached_property
    def model(self) -> Distribution:
        """``q_hat = frequencies / 2**precision``: the distribution the coder really codes with."""
        return Distribution(self._freqs / float(1 << self._precision), name="q_hat")

    def ideal_length(self, symbols) -> float:
        """``-log2 q_hat(x^n)`` in bits, from the symbol counts; ``inf`` if a symbol has f = 0."""
        arr = as_symbols(symbols, self.alphabet_size)
        counts = np.bincount(arr, minlength=self.alphabet_size)
        used = counts > 0
        if (self._freqs[used] == 0).any():
            return math.inf
        terms = counts[used] * (self._precision - np.log2(self._freqs[used]))
        return math.fsum(terms.tolist())

    def excess_bounds(self, n: int) -> tuple[float, float]:
        """``(lo, hi)`` in bits with ``lo <= len(encode(x)) - ideal_length(x) <= hi`` for every
        message of ``n`` symbols (theory §f)."""
        raise NotImplementedError

    @cached_property
    def _coarse(self) -> tuple[np.ndarray, int]:
        """Symbol owning the first slot of each group of ``2**shift`` slots (see the kernels)."""
        shift = max(0, self._precision - COARSE_BITS)
        slots = np.arange(0, 1 << self._precision, 1 << shift, dtype=np.int64)
        owner = np.searchsorted(self._start, slots, side="right") - 1
        return owner.astype(_symbol_dtype(self.alphabet_size)), shift

    def _symbols(self, symbols) -> np.ndarray:
        return message_array(symbols, self.alphabet_size)

    def _encode_error(self, symbols) -> EncodeError:
        """The error for a message a kernel refused: the shared range check first
        (:func:`as_symbols` raises), then the first symbol with frequency 0."""
        arr = as_symbols(symbols, self.alphabet_size)
        i = int(np.flatnonzero(self._freqs[arr] == 0)[0])
        s = int(arr[i])
        return EncodeError(
            f"symbol {s} at position {i} has frequency 0 in the coder's model (q({s}) = 0), so it "
            f"cannot be encoded; build the coder with floor=True to give every symbol a frequency"
        )

    def _max_bits(self, n: int) -> int:
        """An upper bound on the stream length for ``n`` symbols: the costliest symbol every
        time plus the documented excess. It sizes the kernels' output buffer, which they
        write without bounds checks, so it must never be low."""
        fmin = int(self._freqs[self._freqs > 0].min())
        worst = n * (self._precision - math.log2(fmin)) + self.excess_bounds(n)[1]
        return int(math.ceil(worst * (1 + 1e-9))) + 256

    # ------------------------------------------------------------------ serialisation
    def to_dict(self) -> dict[str, Any]:
        return {
            "coder": self.name,
            "version": 1,
            "alphabet_size": self.alphabet_size,
            "precision": self._precision,
            "frequencies": self._freqs.tolist(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]):
        size = table_alphabet_size(data, MAX_ALPHABET)
        if data.get("coder", cls.name) != cls.name:
            raise CodeTableError(f"code table is for coder {data.get('coder')!r}, not {cls.name!r}")
        b = require_field(data, "precision", int)
        if not 1 <= b <= MAX_PRECISION:
            raise CodeTableError(f"code table field 'precision' must be in 1..{MAX_PRECISION}; got {b}")
        freqs = require_field(data, "frequencies", list)
        if len(freqs) != size:
            raise CodeTableError(f"code table says alphabet_size = {size} but lists {len(freqs)} frequencies")
        for i, f in enumerate(freqs):
            if isinstance(f, bool) or not isinstance(f, int) or not 0 <= f <= 1 << b:
                raise CodeTableError(
                    f"code table field 'frequencies' must hold integers in 0..2**{b}; frequencies[{i}] = {f!r}"
                )
        return cls.from_frequencies(np.array(freqs, dtype=np.int64), b)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(K={self.alphabet_size}, precision={self._precision})"


@register("arithmetic", "stream", "range (arithmetic) coder, FIFO: length within 2 bits of -log2 q_hat(x^n)")
class ArithmeticCoder(StaticStreamCoder):
    """Range coder over the quantized model ``q_hat = quantize(q, precision) / 2**precision``.

    Bit layout: the big-endian bytes of the range coder (carries already propagated), then
    ``j`` final bits (``0 <= j <= 10``) that select a dyadic interval inside the last range.
    The decoder may read past the end (any bits may follow); it recomputes ``j`` and reports
    the exact number of bits the encoder wrote.

    >>> code = ArithmeticCoder([0.5, 0.25, 0.25], precision=8)
    >>> bits = code.encode([0, 1, 2, 0])
    >>> bits.to01(), code.decode(bits, 4).tolist()
    ('010110', [0, 1, 2, 0])
    """

    def excess_bounds(self, n: int) -> tuple[float, float]:
        n = check_count(n)
        eps_up = -math.log2(1.0 - 2.0 ** (self._precision - 48))
        return 0.0, 2.0 + n * eps_up

    def encode(self, symbols) -> bitarray:
        arr = self._symbols(symbols)
        out = np.empty(self._max_bits(arr.size) // 8 + 16, dtype=np.uint8)
        nbits = int(kernels.encode_static(arr, self._freqs, self._start, self._precision, out))
        if nbits < 0:
            raise self._encode_error(symbols)
        return bytes_to_bits(out, nbits)

    def decode_partial(self, bits, n: int, *, dtype=np.int64) -> tuple[np.ndarray, int]:
        bits = as_bits(bits)
        n = check_count(n)
        coarse, shift = self._coarse
        out = symbol_buffer(n, dtype, self.alphabet_size)
        status, i, used = kernels.decode_static(
            bits_view(bits), len(bits), n, self._freqs, self._start, coarse, shift, self._precision, out
        )
        check_range_decode(status, i, n, used, len(bits))
        return out, int(used)


class ModelStreamCoder(Code):
    """Shared machinery of the stream coders driven by a model (``codebook.models``).

    ``coders.build("arithmetic", model)`` (or ``"rans"``) returns one for any model with
    memory or per-position predictions; an i.i.d. model gets the static coder instead (same
    bits as for its Distribution). The coder codes symbol ``t`` with the model's prediction
    quantized to ``2**precision`` units (``model.slices``, the rule of
    ``codebook.models._kernels``), so

    * ``ideal_length(x) = Σ_t -log2 q_hat_t(x_t)``, exactly the model the coder used;
    * ``ideal_length(x) - model.log_loss(x) <= quantization_bound(n)`` (theory §l: at most
      ``-log2(1 - K / 2**precision)`` bit per symbol; it may also be negative);
    * ``excess_bounds(n)`` bounds ``len(encode(x)) - ideal_length(x)`` for every message.

    ``decode(bits, n)`` re-runs the model causally. There is no JSON code table: the model is
    the table (``to_dict`` raises :class:`~codebook.errors.ModelError`).
    """

    def __init__(self, model: Model, *, precision: int = MODEL_PRECISION):
        if not isinstance(model, Model):
            raise ModelError(f"`model` must be a codebook.models model; got {type(model).__name__}")
        self._model = model
        self._precision = check_model_precision(precision, model.alphabet_size)

    @property
    def alphabet_size(self) -> int:
        return self._model.alphabet_size

    @property
    def precision(self) -> int:
        """``b``: every prediction is quantized to ``2**b`` units."""
        return self._precision

    @property
    def model(self) -> Model:
        """The model the coder follows (its quantized form is ``model.slices(x, precision)``)."""
        return self._model

    def ideal_length(self, symbols) -> float:
        """``Σ_t -log2 q_hat_t(x_t)`` in bits: the quantized model's log-loss (compensated sum)."""
        _, f = self._model.slices(symbols, self._precision)
        return float(model_kernels.slice_bits(f, self._precision))

    def quantization_bound(self, n: int) -> float:
        """Upper bound on ``ideal_length(x) - model.log_loss(x)`` for ``n`` symbols (bits)."""
        return quantization_bound(self.alphabet_size, self._precision, check_count(n))

    def _slices(self, symbols):
        return self._model.slices(symbols, self._precision)

    def to_dict(self) -> dict[str, Any]:
        raise ModelError(
            f"a {self.name} coder built on {self._model!r} has no code table to write: the model is "
            "the table (keep its parameters instead)"
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]):
        raise ModelError("a coder built on a model is rebuilt from the model, not from a code table")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._model!r}, precision={self._precision})"


class ModelArithmeticCoder(ModelStreamCoder):
    """The range coder of :class:`ArithmeticCoder` driven by a model: the same coding step
    (``_range_kernels.encode_slice``), a slice per position instead of one table. Its length
    bound is the static coder's: ``I <= len(encode(x)) < I + 2 + n eps_up`` with
    ``I = ideal_length(x)`` and ``eps_up = -log2(1 - 2**(b - 48))``."""

    name = "arithmetic"

    def excess_bounds(self, n: int) -> tuple[float, float]:
        n = check_count(n)
        return 0.0, 2.0 + n * -math.log2(1.0 - 2.0 ** (self._precision - 48))

    def encode(self, symbols) -> bitarray:
        c, f = self._slices(symbols)
        out = np.empty((c.size * self._precision + 64) // 8 + 16, dtype=np.uint8)
        nbits = int(kernels.encode_intervals(c, f, self._precision, out))
        return bytes_to_bits(out, nbits)

    def decode_partial(self, bits, n: int, *, dtype=np.int64) -> tuple[np.ndarray, int]:
        bits = as_bits(bits)
        n = check_count(n)
        args = self._model._decode_args(n, self._precision)
        out = symbol_buffer(n, dtype, self.alphabet_size)
        decode = getattr(kernels, f"decode_{self._model._kernel}")
        status, i, used = decode(bits_view(bits), len(bits), n, self._precision, *args, out)
        check_range_decode(status, i, n, used, len(bits))
        return out, int(used)


ArithmeticCoder.model_coder = ModelArithmeticCoder


def message_array(symbols, k: int) -> np.ndarray:
    """The message as the kernels take it: int64, contiguous.

    A contiguous int64 array is passed through unchecked: the kernels check the range
    ``0..k-1`` as they go (saving two passes over the message) and the caller re-runs the
    shared :func:`as_symbols` check to raise its error. Anything else goes through
    :func:`as_symbols` (any integer dtype, range checked in the caller's dtype).
    """
    if isinstance(symbols, np.ndarray) and symbols.dtype == np.int64 and symbols.ndim == 1 and symbols.flags.c_contiguous:
        return symbols
    return as_symbols(symbols, k)


def check_range_decode(status: int, i: int, n: int, used: int, have: int) -> None:
    """Turn a range decoder's verdict into :class:`DecodeError` (truncated or corrupted)."""
    if used > have:
        raise _truncated(n, used, have)
    if status == kernels.CORRUPT and i < n:
        raise DecodeError(
            f"corrupted bitstream: while decoding symbol {i} of {n} (after bit position {used}) "
            f"the code value lies outside every symbol's interval",
            position=used,
        )
    if status == kernels.CORRUPT:
        raise DecodeError(
            f"corrupted bitstream: after decoding {n} symbols the bits up to position {used} "
            f"are not the termination the encoder writes",
            position=used,
        )


def _truncated(n: int, used: int, have: int) -> DecodeError:
    return DecodeError(
        f"truncated bitstream: decoding {n} symbols needs at least {used} bits but the stream "
        f"ends at bit position {have}",
        position=have,
    )


__all__ = ["DEFAULT_PRECISION", "MAX_PRECISION", "ArithmeticCoder", "ModelArithmeticCoder", "ModelStreamCoder", "StaticStreamCoder"]
