"""The context-mixing coder "cm": a bitwise model in the PAQ/lpaq family driving the range coder.

Model (Mahoney's PAQ / lpaq design, re-implemented; the per-bit steps are listed in
``_kernels``): each byte is coded as 8 binary decisions, most significant bit first. For
each bit, the bit histories of the order-0 and order-1 contexts and of up to 7 hashed
contexts (orders 2, 3, 4, 6, the current word, the last two words, the column and the byte
above) and a match model over the last 4+ bytes are mixed by logistic mixers and refined by
adaptive probability maps (SSE). Every component adapts as it codes, so the model is learned
from the data itself, starting from what it learned from the primer and a training text.

Profiles (:data:`PROFILES`; model version 2):

* ``max``: all 7 hashed contexts, two mixers, two SSE stages (order 0 and order 1);
* ``fast``: orders 2, 3, 4 and the word (4 hashed contexts), one mixer, the order-1 SSE: about
  1.5-1.7x the speed of ``max``, 1-7 % larger on text, 24 % on a log file (the table in
  ``docs/compress.md``);
* ``auto`` (the default): ``max`` below :data:`FAST_FROM` bytes (1 MiB), ``fast`` from there;
  the choice depends only on ``n``, so the decoder makes the same one.

The primer. Before coding, the model learns from a built-in text, ``primer.txt`` (65 866
bytes: excerpts of CPython's language reference and of three of its standard-library
modules, PSF license), then from the training text ``prime`` if one is given: a model that
starts knowing English and Python words codes a small file far better (payloads of 1-3 KB
texts: 15-28 % smaller; 12 % at 6 KB, measured on tests/data and /usr/share/doc files). The
primer is part of the model: it is pinned by :data:`PRIMER_SHA256`, and ``primer=False``
switches it off (then ``max`` is bit for bit model version 1). Learning it
takes about 45 ms per process and profile (the state is kept, :func:`_primer_state`).

Coding and its exact length. The final prediction is a 12-bit probability ``p_t`` for each
binary decision, and the range coder of :mod:`codebook.coders._range_kernels` codes the
decision with a slot of ``p_t`` (or ``4096 - p_t``) out of ``2**12``. With the model's own
log-loss ``I = sum_t -log2(q_t)`` over all ``8n`` decisions (``q_t`` the 12-bit probability
given to the bit that occurred, divided by 4096; :meth:`ContextMixingCoder.log_loss`), the
payload of a message of ``n`` bytes in ``B`` blocks satisfies, for every message (theory §f):

    48 (B - 1) + I  <=  len(payload)  <  48 (B - 1) + I + 2 B + 8 n eps,
    eps = -log2(1 - 2**(12 - 48)) = 2.1e-11 bit per decision,

the 48 bits per extra block being the stored bit length of each block but the last, and the
2 bits per block the range coder's termination. ``excess_bounds(n)`` returns this window.
Every decision costs at least ``-log2(4095/4096)`` bits, so ``n`` bytes need at least
``8 n * 3.52e-4`` bits: a file claiming more bytes than its payload can hold is refused
(:meth:`ContextMixingCoder.min_payload_bits`, checked by ``decode`` before it allocates).

Blocks and threads. Inputs of at least ``PARALLEL_MIN`` bytes are cut into two blocks of
(almost) equal size, each coded by its own copy of the model (both start from the primed
state), in two threads (the kernel releases the GIL). The split depends only on ``n`` and
``blocks``, never on the machine, so the bitstream is the same everywhere; the price is that
the second block does not learn from the first (measured by ``scripts/benches/compressors.py``).

Memory. ``memory = M`` (16..28, default 22) gives each hashed context table ``2**M`` bytes
and the match index ``2**M`` bytes, so one model takes ``(h + 1) * 2**M`` bytes for ``h``
hashed contexts plus about 4.4 MB (SSE maps, bit histories, weights): 38 MB for ``max``
and 25 MB for ``fast`` at M = 22 (:meth:`Profile.state_bytes`); a message of ``B`` blocks
``B`` models at once, plus the message and its history. :meth:`memory_bytes` computes it.
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
from bitarray import bitarray

from ..coders import _range_kernels as rk
from ..coders.base import Code, as_bits, bits_view, check_count, require_field, symbol_buffer
from ..errors import CodeTableError, DecodeError, EncodeError
from ..training import check_training
from . import _kernels as K
from . import _tables

MODEL_VERSION = 2
DEFAULT_MEMORY = 22
MIN_MEMORY, MAX_MEMORY = 16, 28
PARALLEL_MIN = 1 << 20
"""Inputs of at least this many bytes are coded as two independent blocks in two threads."""
MAX_BLOCKS = 64
BLOCK_LENGTH_BITS = 48
"""Each block but the last is preceded (in a header at the start of the payload) by its
exact bit length in 48 bits, so that the blocks can be decoded in parallel."""
PRECISION = 12
EPS_UP = -math.log2(1.0 - 2.0 ** (PRECISION - 48))
"""Largest excess of one range-coder step over -log2 of its 12-bit probability (bits)."""
MIN_DECISION_BITS = -math.log2(4095 / 4096)
"""Cost of the most probable decision the model can make (p = 4095/4096), in bits."""
MAX_HISTORY = (1 << 31) - 1
"""Primed text + block: positions are stored in int32 by the match index."""

_NXT, _COUNTS, _LAST = _tables.bit_history_states()
_PRIO = _COUNTS.sum(axis=1).astype(np.int32)
_SQUASH = _tables.squash_table()
_STRETCH = _tables.stretch_table(_SQUASH)
_DT = np.array([(1 << 17) // (2 * n + 3) for n in range(1024)], dtype=np.int32)
_SM_INIT = (((2 * _COUNTS[:, 1] + 1).astype(np.int64) << 22) // (2 * _COUNTS.sum(axis=1) + 2)) << 10
_APM_ROW = np.array([int(_SQUASH[min(4095, (j - 16) * 128 + 2048)]) * 16 for j in range(33)], dtype=np.uint16)


@dataclass(frozen=True)
class Profile:
    """Which parts of the model run (``_kernels``: the hashed context types, the second
    mixer, the SSE stages, the mixers' dead zone ``skip`` in 12-bit units of error)."""

    contexts: tuple[int, ...]
    mix2: bool
    apm: int
    skip: int
    lr: int = K.LEARNING_RATE
    boost: int = K.LEARNING_BOOST
    boostd: int = K.LEARNING_BOOST_FROM
    apm_rate: int = K.APM_RATE
    final: tuple[int, int, int] = (4, 4, 8)  # sixteenths of the mixer, order-0 SSE, order-1 SSE outputs
    w_init: int = K.W_INIT

    def cfg(self) -> np.ndarray:
        out = np.zeros(K.NCFG, dtype=np.int64)
        out[K.CFG_NH], out[K.CFG_MIX2], out[K.CFG_APM], out[K.CFG_SKIP] = (
            len(self.contexts), int(self.mix2), self.apm, self.skip)
        out[K.CFG_CTX : K.CFG_CTX + len(self.contexts)] = self.contexts
        out[K.CFG_LR], out[K.CFG_BOOST], out[K.CFG_BOOSTD] = self.lr, self.boost, self.boostd
        out[K.CFG_APMR] = self.apm_rate
        out[K.CFG_WPM], out[K.CFG_WP1], out[K.CFG_WP2] = self.final
        return out

    @property
    def inputs(self) -> int:
        return len(self.contexts) + 3

    def state_bytes(self, memory: int) -> int:
        """Bytes of one model's state: ``(hashed contexts + 1) * 2**memory`` (tables and match
        index) plus the fixed part."""
        return (
            (len(self.contexts) + 1) * (1 << memory)  # hashed tables, match index (2**(memory-2) int32)
            + 65536 + 256  # order-1 and order-0 bit histories
            + 4 * self.inputs * 256  # state maps
            + 4 * (K.sets_a(len(self.contexts)) + 256) * K.NWP  # mixer weights
            + 2 * 33 * (256 + 65536)  # adaptive probability maps
        )


PROFILES = {
    "max": Profile((K.C_O2, K.C_O3, K.C_O4, K.C_O6, K.C_WORD, K.C_WORDS, K.C_COLUMN), True,
                   K.APM_ORDER0 | K.APM_ORDER1, 0),
    "fast": Profile((K.C_O2, K.C_O3, K.C_O4, K.C_WORD), False, K.APM_ORDER1, 0),
}
"""The model's configurations by name. ``"auto"`` (the default) is ``max`` below
``FAST_FROM`` bytes and ``fast`` from there."""
FAST_FROM = 1 << 20
PROFILE_NAMES = ("auto", "max", "fast")


class _Model:
    """The whole adaptive state of one model: flat arrays, as the kernel takes them."""

    def __init__(self, memory: int, profile: Profile):
        self.memory = memory
        self.cfg = profile.cfg()
        ni, nh = profile.inputs, len(profile.contexts)
        self.ht = np.zeros(nh << memory, dtype=np.uint8)
        self.t1 = np.zeros(65536, dtype=np.uint8)
        self.t0 = np.zeros(256, dtype=np.uint8)
        sm = np.tile(_SM_INIT, ni)
        for length in range(16):  # the match model's map: (length, predicted bit)
            q = (1 << 22) // (length + 2)
            sm[(ni - 1) * 256 + 2 * length] = q << 10
            sm[(ni - 1) * 256 + 2 * length + 1] = ((1 << 22) - q) << 10
        self.sm = sm.astype(np.uint32)
        self.mm = np.zeros(1 << (memory - 2), dtype=np.int32)
        self.w = np.full((K.sets_a(nh) + 256) * K.NWP, profile.w_init, dtype=np.int32)
        self.apm1 = np.tile(_APM_ROW, 256)
        self.apm2 = np.tile(_APM_ROW, 65536)
        self.regs = np.zeros(K.NREGS, dtype=np.int64)
        self.coder = np.zeros(K.NCODER, dtype=np.int64)
        self.loss = np.zeros(4097, dtype=np.int64)

    def copy(self) -> _Model:
        other = _Model.__new__(_Model)
        other.__dict__ = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in self.__dict__.items()}
        return other

    def run(self, mode: int, hist: np.ndarray, end: int, buf: np.ndarray) -> int:
        return K.run_block(
            mode, hist, end, buf, self.regs, self.coder, self.cfg, self.ht, self.memory, self.t1, self.t0,
            self.sm, self.mm, self.w, self.apm1, self.apm2, _NXT, _PRIO, _SQUASH, _STRETCH, _DT, self.loss,
        )  # fmt: skip


PRIMER_SHA256 = "912844e66031cc97eb992e0758d61e20231a6dd7b34d4f8ca6f43f890030273a"
"""The primer is part of the model (version 2): a file coded with it decodes only with the same bytes."""


@functools.cache
def primer_bytes() -> np.ndarray:
    """The built-in primer (``primer.txt``, 65 866 bytes of English and Python from CPython's
    standard library, PSF license), checked against :data:`PRIMER_SHA256`."""
    raw = resources.files(__package__).joinpath("primer.txt").read_bytes()
    if hashlib.sha256(raw).hexdigest() != PRIMER_SHA256:
        raise RuntimeError("codebook/contextmix/primer.txt is not the primer of cm model version 2; reinstall codebook")
    return np.frombuffer(raw, dtype=np.uint8)


def _learned(lead: np.ndarray, profile: Profile, memory: int) -> _Model:
    """A new model after learning ``lead`` (its log-loss counts cleared)."""
    model = _Model(memory, profile)
    model.run(K.PRIME, lead if lead.flags.writeable else lead.copy(), lead.size, np.zeros(16, np.uint8))
    model.loss[:] = 0
    return model


@functools.lru_cache(maxsize=2)
def _primer_state(profile: Profile, memory: int) -> _Model:
    """The model after the primer, once per process (about 45 ms for ``max``); callers copy it."""
    return _learned(primer_bytes(), profile, memory)


def loss_bits(loss: np.ndarray) -> float:
    """``sum_q loss[q] * (12 - log2 q)``: the log-loss (bits) from the kernel's counts."""
    q = np.flatnonzero(loss)
    return math.fsum((loss[q] * (PRECISION - np.log2(q))).tolist())


class ContextMixingCoder(Code):
    """The strong byte model of codebook: bitwise context mixing, adaptive, over bytes (K = 256).

    Parameters
    ----------
    q : ignored
        Accepted for symmetry with the coders built from a distribution (only its size, 256,
        is checked); the model learns everything from the data.
    profile : str
        ``"auto"`` (default), ``"max"`` or ``"fast"`` (see the module docstring).
    memory : int
        ``M`` in 16..28: each hashed table has ``2**M`` bytes (see the module docstring).
    blocks : int or None
        Number of independent blocks (1..64). ``None``: 1 below ``PARALLEL_MIN`` bytes, else 2.
    prime : bytes-like, optional
        A training text the model learns from before coding (``--model-from``); the decoder
        needs the same bytes (their size and CRC32 are in ``to_dict()`` and checked).
    primer : bool
        Learn the built-in primer first (default True; part of the model, stored in files).
    threads : int or None
        Threads used for the blocks (default: one per block, at most ``os.cpu_count()``).
        Never changes the bitstream.
    """

    name = "cm"

    def __init__(self, q=None, *, profile: str = "auto", memory: int = DEFAULT_MEMORY, blocks: int | None = None,
                 prime=None, primer: bool = True, threads: int | None = None):
        if profile not in PROFILE_NAMES:
            raise ValueError(f"`profile` must be one of {', '.join(PROFILE_NAMES)}; got {profile!r}")
        if isinstance(memory, bool) or not isinstance(memory, (int, np.integer)) or not MIN_MEMORY <= memory <= MAX_MEMORY:
            raise ValueError(f"`memory` must be an integer in {MIN_MEMORY}..{MAX_MEMORY} (log2 bytes per table); got {memory!r}")
        if blocks is not None and (isinstance(blocks, bool) or not isinstance(blocks, (int, np.integer)) or not 1 <= blocks <= MAX_BLOCKS):
            raise ValueError(f"`blocks` must be an integer in 1..{MAX_BLOCKS} or None; got {blocks!r}")
        if q is not None and len(np.atleast_1d(getattr(q, "probs", q))) != 256:
            raise ValueError("the cm coder is a byte model: `q` (ignored) must have 256 symbols if given")
        if threads is not None and (isinstance(threads, bool) or not isinstance(threads, (int, np.integer)) or threads < 1):
            raise ValueError(f"`threads` must be a positive integer or None; got {threads!r}")
        self.profile = profile
        self.memory = int(memory)
        self.blocks = None if blocks is None else int(blocks)
        self.threads = threads
        self._prime = None if prime is None else np.frombuffer(memoryview(prime).cast("B"), dtype=np.uint8).copy()
        if self._prime is not None and self._prime.size > MAX_HISTORY // 2:
            raise ValueError(f"the training text has {self._prime.size} bytes; at most {MAX_HISTORY // 2}")
        if not isinstance(primer, bool):
            raise ValueError(f"`primer` must be True or False; got {primer!r}")
        self.primer = primer
        parts = ([primer_bytes()] if primer else []) + ([self._prime] if self._prime is not None else [])
        self._lead = np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint8)
        self._primed: dict[str, _Model] = {}
        self.last_log_loss: float | None = None

    # ------------------------------------------------------------------ metadata
    @property
    def alphabet_size(self) -> int:
        return 256

    @property
    def prime_info(self) -> dict[str, int] | None:
        """``{"size", "crc32"}`` of the training text, or ``None``."""
        if self._prime is None:
            return None
        return {"size": int(self._prime.size), "crc32": zlib.crc32(self._prime)}

    def block_count(self, n: int) -> int:
        """Blocks for a message of ``n`` bytes: fixed by ``n`` and ``blocks``, never by the machine."""
        n = check_count(n)
        if self.blocks is not None:
            return max(1, min(self.blocks, n))
        return 2 if n >= PARALLEL_MIN else 1

    def _bounds(self, n: int) -> list[tuple[int, int]]:
        b = self.block_count(n)
        cuts = [n * k // b for k in range(b + 1)]
        return [(cuts[k], cuts[k + 1]) for k in range(b)]

    def profile_for(self, n: int) -> str:
        """The configuration that codes a message of ``n`` bytes (``auto``: fixed by ``n``)."""
        if self.profile != "auto":
            return self.profile
        return "fast" if check_count(n) >= FAST_FROM else "max"

    def memory_bytes(self, n: int = 0) -> int:
        """Bytes of model state for a message of ``n`` bytes (all blocks), excluding the data."""
        return self.block_count(n) * PROFILES[self.profile_for(n)].state_bytes(self.memory)

    def excess_bounds(self, n: int) -> tuple[float, float]:
        """``(lo, hi)``: ``lo <= len(encode(x)) - log_loss(x) <= hi`` for every ``x`` of ``n`` bytes."""
        b = self.block_count(n) if n else 1
        head = BLOCK_LENGTH_BITS * (b - 1)
        return float(head), head + 2.0 * b + 8 * n * EPS_UP

    def min_ideal_length(self, n: int) -> float:
        """A lower bound on the log-loss of any ``n``-byte message: every one of its ``8 n``
        decisions costs at least ``-log2(4095/4096)`` bits (the 12-bit probabilities stop at 4095)."""
        return 8 * check_count(n) * MIN_DECISION_BITS

    def min_payload_bits(self, n: int) -> float:
        """A lower bound on the payload of any ``n``-byte message (every decision costs >= 3.5e-4 bits)."""
        return self.excess_bounds(n)[0] + self.min_ideal_length(n) * (1 - 1e-9)

    # ------------------------------------------------------------------ the model
    def _fresh(self, profile: str) -> _Model:
        """A model in the state it starts every block in: new, or after learning the lead
        (the primer, then the training text). Primed once per coder (per profile), or once
        per process for the primer alone (:func:`_primer_state`)."""
        if not self._lead.size:
            return _Model(self.memory, PROFILES[profile])
        if self._prime is None:
            return _primer_state(PROFILES[profile], self.memory).copy()
        if profile not in self._primed:
            self._primed[profile] = _learned(self._lead, PROFILES[profile], self.memory)
        return self._primed[profile].copy()

    def _history(self, block: np.ndarray | None, size: int) -> np.ndarray:
        """The array the kernel works on: the lead (primer, training text), then the block (or room for it)."""
        p = self._lead.size
        if p + size > MAX_HISTORY:
            raise EncodeError(f"primer + training text + block = {p + size} bytes; at most {MAX_HISTORY}")
        hist = np.zeros(p + size, dtype=np.uint8)
        hist[:p] = self._lead
        if block is not None:
            hist[p:] = block
        return hist

    def _pool(self, jobs: int):
        threads = self.threads or min(jobs, os.cpu_count() or 1)
        return ThreadPoolExecutor(max_workers=max(1, min(threads, jobs)))

    def _map(self, fn, items: list, profile: str):
        if self._lead.size:
            self._fresh(profile)  # prime once here, not once per thread
        if len(items) == 1:
            return [fn(items[0])]
        with self._pool(len(items)) as pool:
            return list(pool.map(fn, items))

    # ------------------------------------------------------------------ coding
    def encode(self, symbols) -> bitarray:
        """Code the bytes ``symbols`` (uint8 array or bytes-like); sets :attr:`last_log_loss`."""
        data = _as_bytes(symbols)
        profile = self.profile_for(data.size)
        parts = self._map(self._encode_block, [(data[a:b], profile) for a, b in self._bounds(data.size)], profile)
        out = bitarray(endian="big")
        for stream, _ in parts[:-1]:
            out.extend(format(len(stream), f"0{BLOCK_LENGTH_BITS}b"))
        for stream, _ in parts:
            out.extend(stream)
        self.last_log_loss = math.fsum(loss for _, loss in parts)
        return out

    def _encode_block(self, job) -> tuple[bitarray, float]:
        block, profile = job
        model = self._fresh(profile)
        hist = self._history(block, block.size)
        model.coder[1] = rk.TOP
        buf = np.zeros(block.size // 2 + 1024, dtype=np.uint8)
        while model.run(K.ENCODE, hist, hist.size, buf) == K.NEED_ROOM:
            bigger = np.zeros(2 * buf.size, dtype=np.uint8)
            bigger[: buf.size] = buf
            buf = bigger
        low, rng, o = model.coder[0], model.coder[1], model.coder[2]
        nbits = int(K.encode_finish(buf, o, low, rng))
        bits = bitarray(endian="big")
        bits.frombytes(buf[: (nbits + 7) // 8].tobytes())
        del bits[nbits:]
        return bits, loss_bits(model.loss)

    def decode_partial(self, bits, n: int, *, dtype=np.int64) -> tuple[np.ndarray, int]:
        bits = as_bits(bits)
        n = check_count(n)
        if len(bits) < self.min_payload_bits(n):  # before allocating n bytes for a hostile n
            raise DecodeError(
                f"truncated bitstream: {n} bytes need at least {math.ceil(self.min_payload_bits(n))} bits "
                f"(every decision costs >= {MIN_DECISION_BITS:.3g} bits); the stream has {len(bits)}",
                position=len(bits),
            )
        bounds = self._bounds(n)
        head = BLOCK_LENGTH_BITS * (len(bounds) - 1)
        if len(bits) < head:
            raise DecodeError(f"truncated bitstream: the block table needs {head} bits, the stream has {len(bits)}", position=len(bits))
        lengths = [int(bits[k * BLOCK_LENGTH_BITS : (k + 1) * BLOCK_LENGTH_BITS].to01(), 2) for k in range(len(bounds) - 1)]
        starts, at = [], head
        for length in lengths:
            starts.append(at)
            at += length
            if at > len(bits):
                raise DecodeError(f"truncated bitstream: block {len(starts)} ends at bit {at}, the stream has {len(bits)}", position=len(bits))
        starts.append(at)
        jobs = []
        profile = self.profile_for(n)
        for k, (a, b) in enumerate(bounds):
            end = starts[k] + lengths[k] if k < len(lengths) else len(bits)
            jobs.append((k, b - a, bits[starts[k] : end], k < len(lengths), profile))
        results = self._map(self._decode_block, jobs, profile)
        out = symbol_buffer(n, dtype, 256)
        used = starts[-1]
        for (k, size, _, _, _), (block, block_used, loss) in zip(jobs, results):
            a = bounds[k][0]
            out[a : a + size] = block
            if k == len(bounds) - 1:
                used += block_used
        self.last_log_loss = math.fsum(r[2] for r in results)
        return out, used

    def _decode_block(self, job) -> tuple[np.ndarray, int, float]:
        k, size, bits, exact, profile = job
        model = self._fresh(profile)
        p = self._lead.size
        hist = self._history(None, size)
        buf = np.zeros(len(bits) // 8 + 16, dtype=np.uint8)
        raw = bits_view(bits)
        buf[: raw.size] = raw
        if len(bits) % 8:  # the bits after the end of this block are not part of it
            buf[len(bits) // 8] &= (0xFF00 >> (len(bits) % 8)) & 0xFF
        d, window, rng, ip = K.decode_start(buf[: (len(bits) + 7) // 8])
        model.coder[1], model.coder[3], model.coder[4], model.coder[5] = rng, d, window, ip
        model.regs[K.R_POS] = p
        src = buf[: (len(bits) + 7) // 8]
        status = model.run(K.DECODE, hist, hist.size, src)
        if status == K.CORRUPT:
            i = int(model.regs[K.R_POS]) - p
            raise DecodeError(f"corrupted bitstream: block {k}, byte {i} of {size}: the code value lies outside both slots", position=None)
        end_status, used = K.decode_finish(model.coder[4], model.coder[3], model.coder[1], model.coder[5])
        if used > len(bits):
            raise DecodeError(f"truncated bitstream: block {k} needs at least {used} bits but has {len(bits)}", position=len(bits))
        if end_status != rk.OK:
            raise DecodeError(f"corrupted bitstream: block {k} does not end with the encoder's termination", position=int(used))
        if exact and used != len(bits):
            raise DecodeError(f"corrupted bitstream: block {k} has {len(bits) - used} bits left over", position=int(used))
        return hist[p:], int(used), loss_bits(model.loss)

    # ------------------------------------------------------------------ measures
    def log_loss(self, symbols) -> float:
        """The model's own log-loss on ``symbols``: ``sum_t -log2 q_t`` over the 8n decisions (bits),
        with the exact 12-bit probabilities the coder uses (computed without coding)."""
        data = _as_bytes(symbols)
        profile = self.profile_for(data.size)
        total = []
        for a, b in self._bounds(data.size):
            model = self._fresh(profile)
            hist = self._history(data[a:b], b - a)
            model.regs[K.R_POS] = hist.size - (b - a)
            model.run(K.PRIME, hist, hist.size, np.zeros(16, np.uint8))
            total.append(loss_bits(model.loss))
        return math.fsum(total)

    def ideal_length(self, symbols) -> float:
        """Same as :meth:`log_loss` (the payload is within ``excess_bounds`` of it)."""
        return self.log_loss(symbols)

    # ------------------------------------------------------------------ serialisation
    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"coder": self.name, "version": MODEL_VERSION, "profile": self.profile,
                               "memory": self.memory, "primer": self.primer}
        if self.blocks is not None:
            out["blocks"] = self.blocks
        if self._prime is not None:
            out["prime"] = self.prime_info
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any], prime=None) -> ContextMixingCoder:
        """Rebuild from ``to_dict()``; a primed model needs the same training bytes ``prime``."""
        if not isinstance(data, dict):
            raise CodeTableError(f"code table must be a JSON object; got {type(data).__name__}")
        version = data.get("version", MODEL_VERSION)
        if version != MODEL_VERSION or isinstance(version, bool):
            raise CodeTableError(f"cm model version {version!r} is not supported (this codebook has {MODEL_VERSION})")
        if data.get("alphabet_size", 256) != 256:
            raise CodeTableError(f"cm is a byte model: alphabet_size must be 256; got {data.get('alphabet_size')!r}")
        profile = require_field(data, "profile", str)
        if profile not in PROFILE_NAMES:
            raise CodeTableError(f"code table field 'profile' must be one of {', '.join(PROFILE_NAMES)}; got {profile!r}")
        memory = require_field(data, "memory", int)
        if not MIN_MEMORY <= memory <= MAX_MEMORY:
            raise CodeTableError(f"code table field 'memory' must be in {MIN_MEMORY}..{MAX_MEMORY}; got {memory}")
        primer = data.get("primer")
        if type(primer) is not bool:
            raise CodeTableError(f"code table field 'primer' must be true or false; got {primer!r}")
        blocks = data.get("blocks")
        if blocks is not None and (isinstance(blocks, bool) or not isinstance(blocks, int) or not 1 <= blocks <= MAX_BLOCKS):
            raise CodeTableError(f"code table field 'blocks' must be an integer in 1..{MAX_BLOCKS}; got {blocks!r}")
        info = data.get("prime")
        if info is not None and not (isinstance(info, dict) and all(type(info.get(k)) is int for k in ("size", "crc32"))):
            raise CodeTableError("code table field 'prime' must be an object with integer 'size' and 'crc32'")
        check_training(info, prime)
        return cls(profile=profile, memory=memory, blocks=blocks, primer=primer, prime=prime if info is not None else None)

    def __repr__(self) -> str:
        primed = "" if self._prime is None else f", prime={self._prime.size} bytes"
        return (f"ContextMixingCoder(profile={self.profile!r}, memory={self.memory}, blocks={self.blocks}, "
                f"primer={self.primer}{primed})")


def _as_bytes(symbols) -> np.ndarray:
    """The message as a contiguous uint8 array (bytes-like, or integers in 0..255)."""
    if isinstance(symbols, (bytes, bytearray, memoryview)):
        return np.frombuffer(memoryview(symbols).cast("B"), dtype=np.uint8)
    arr = np.asarray(symbols)
    if arr.dtype == np.uint8 and arr.ndim == 1:
        return np.ascontiguousarray(arr)
    if arr.ndim != 1:
        arr = arr.reshape(-1) if arr.ndim == 0 or arr.size == 0 else arr
        if arr.ndim != 1:
            raise EncodeError(f"`symbols` must be one-dimensional; got shape {arr.shape}")
    if arr.size == 0:
        return np.zeros(0, dtype=np.uint8)
    if arr.dtype.kind not in "iu":
        raise EncodeError(f"`symbols` must be integers; got dtype {arr.dtype}")
    bad = np.flatnonzero((arr < 0) | (arr > 255))
    if bad.size:
        i = int(bad[0])
        raise EncodeError(f"symbol {arr[i]} at position {i} is outside the alphabet 0..255")
    return arr.astype(np.uint8)
