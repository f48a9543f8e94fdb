"""The models of ``codebook compress``: which model codes a file, how the file stores it, and
what the report shows next to the size.

Models (``--model NAME``):

* ``cm`` (the default): the context-mixing byte model of :mod:`codebook.contextmix`, the
  strongest codebook has;
* ``order0``: a byte distribution (of IN, or of TRAIN) coded by any registered coder
  (``--coder``); the files of the first release;
* ``context:K``: an adaptive order-K context model (Krichevsky-Trofimov counts) driving a
  stream coder; available once ``codebook.models`` is installed (see :func:`available`).

Why a registry of its own. ``codebook.coders`` holds coders that code *any* alphabet from a
distribution q; the simulations run every one of them. The cm model is a byte model that
learns from the data and takes no q: it is not a coder of that registry, so that no
simulation, sweep or ``--coder`` list meets it. The container (:mod:`codebook.container`)
writes its files under the name ``cm`` and rebuilds its coder through :data:`FILE_CODERS`.

Training data. A model primed on TRAIN (``--model-from``) needs the same bytes to decode:
the file stores their size and CRC32 (never the bytes), and decoding without them, or with
other bytes, is refused with :class:`~codebook.errors.TrainingDataError`.

Report numbers (:func:`conditional_entropies`, :func:`summary`): the payload next to the
model's own log-loss, and the empirical conditional entropies of the file of orders 0-3.
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .errors import CodebookError, CodeTableError, TrainingDataError

DEFAULT_MODEL = "cm"
"""``codebook compress`` without ``--model`` (and without an order-0 option such as ``--coder``)."""

MAX_CONTEXT_ORDER = 8

MAX_FILE_MEMORY = 24
"""Largest cm ``memory`` (log2 bytes per hashed table) in a file: 8 tables of 16 MiB, about
139 MB of model per block (two blocks are decoded at once on two cores). The library allows
up to 28; a file is read by whoever receives it, so the container caps what a file can make
its reader allocate, on writing and on reading."""


class ModelNameError(CodebookError):
    """A ``--model`` name that is not one of :func:`model_names`."""


@dataclass(frozen=True)
class FileModel:
    """A parsed ``--model`` value: ``kind`` is ``"cm"`` (with its ``profile``), ``"order0"``
    or ``"context"`` (with its ``order``)."""

    kind: str
    order: int | None = None
    profile: str = "auto"

    @property
    def name(self) -> str:
        if self.kind == "context":
            return f"context:{self.order}"
        return self.kind if self.kind != "cm" or self.profile == "auto" else f"cm:{self.profile}"


def available_context() -> bool:
    """Whether ``codebook.models`` (adaptive context models) is installed in this codebook."""
    import importlib.util

    return importlib.util.find_spec(f"{__package__}.models") is not None


def model_names() -> list[str]:
    """The ``--model`` values this codebook offers (``context:K`` stands for K = 0..8)."""
    return ["cm", "cm:max", "cm:fast", "order0"] + (["context:K"] if available_context() else [])


def parse_model(text: str) -> FileModel:
    """``"cm"``, ``"cm:max"``, ``"cm:fast"``, ``"order0"``, ``"context:K"`` -> :class:`FileModel`;
    :class:`ModelNameError` otherwise."""
    value = text.strip().lower()
    if value in ("cm", "order0"):
        return FileModel(value)
    if value in ("cm:auto", "cm:max", "cm:fast"):
        return FileModel("cm", profile=value[3:])
    m = re.fullmatch(r"context:(\d{1,3})", value)
    if m and available_context():
        order = int(m.group(1))
        if order > MAX_CONTEXT_ORDER:
            raise ModelNameError(f"model {text!r}: the order K must be in 0..{MAX_CONTEXT_ORDER}")
        return FileModel("context", order)
    raise ModelNameError(f"unknown model {text!r}; available: {', '.join(model_names())}")


# --------------------------------------------------------------------------- the cm model kind
CM_KIND_ID = 6


CM_PROFILES = ("auto", "max", "fast")
"""The cm profiles by their byte in the model section."""


def pack_cm(table: dict) -> bytes | None:
    """Model kind 6 (``cm``): ``varint(version)``, the profile byte (0 auto, 1 max, 2 fast),
    the memory byte, ``varint(blocks)`` (0 = automatic), a flags byte (bit 0: primed on a
    training file, bit 1: the built-in primer), and with a training file ``varint(size)`` and
    the CRC32 (4 bytes, little-endian) of its bytes. ``None`` for any other table."""
    from .container import _varint

    fields = ("version", "profile", "memory", "primer", "blocks", "prime")
    if table.get("coder") != "cm" or not set(table) <= {"coder", *fields}:
        return None
    version, profile, memory, primer, blocks, prime = (table.get(k) for k in fields)
    if not all(type(v) is int and v >= 0 for v in (version, memory)) or memory > 255 or profile not in CM_PROFILES:
        return None
    if type(primer) is not bool:
        return None
    if blocks is not None and (type(blocks) is not int or blocks < 1):
        return None
    out = _varint(version) + bytes([CM_PROFILES.index(profile), memory]) + _varint(blocks or 0)
    flags = 2 * primer
    if prime is None:
        return out + bytes([flags])
    if not isinstance(prime, dict) or set(prime) != {"size", "crc32"}:
        return None
    size, crc = prime["size"], prime["crc32"]
    if type(size) is not int or type(crc) is not int or size < 0 or not 0 <= crc < 1 << 32:
        return None
    return out + bytes([flags | 1]) + _varint(size) + crc.to_bytes(4, "little")


def unpack_cm(reader) -> dict:
    table: dict[str, Any] = {"version": reader.varint("the model version")}
    profile = reader.byte("the profile")
    if profile >= len(CM_PROFILES):
        reader.fail(f"the profile byte is {profile}, not 0..{len(CM_PROFILES) - 1} ({', '.join(CM_PROFILES)})")
    table["profile"] = CM_PROFILES[profile]
    table["memory"] = reader.byte("the memory")
    blocks = reader.varint("the block count")
    if blocks:
        table["blocks"] = blocks
    flags = reader.byte("the flags")
    if flags > 3:
        reader.fail(f"the flags byte is {flags}; only bits 0 (training file) and 1 (primer) are defined")
    table["primer"] = bool(flags & 2)
    if flags & 1:
        size = reader.varint("the training size")
        table["prime"] = {"size": size, "crc32": int.from_bytes(reader.take(4, "the training CRC32"), "little")}
    return table


MODEL_KINDS = [(CM_KIND_ID, "cm", pack_cm, unpack_cm)]
"""``(id, name, pack, unpack)`` of the model kinds defined here (registered by the container)."""


# --------------------------------------------------------------------------- rebuilding coders
def check_writable(code) -> None:
    """Refuse, before coding, a file-model coder whose file a reader would refuse (``memory`` too large)."""
    memory = getattr(code, "memory", None)
    if code.name in FILE_CODERS and isinstance(memory, int) and memory > MAX_FILE_MEMORY:
        raise CodeTableError(
            f"cm memory {memory} is above the file limit {MAX_FILE_MEMORY} (2**{MAX_FILE_MEMORY} bytes per table)"
        )


def _rebuild_cm(table: dict, train) -> Any:
    from .contextmix import ContextMixingCoder

    memory = table.get("memory")
    if type(memory) is int and memory > MAX_FILE_MEMORY:
        raise CodeTableError(
            f"cm memory {memory} is above the file limit {MAX_FILE_MEMORY}; a file may ask its reader for at most "
            f"2**{MAX_FILE_MEMORY} bytes per table"
        )

    return ContextMixingCoder.from_dict(table, prime=train)  # checks the training bytes (check_training)


FILE_CODERS: dict[str, Callable[[dict, Any], Any]] = {"cm": _rebuild_cm}
"""Coders that only the container knows (not in ``codebook.coders``): name -> rebuild(table,
training bytes or None). The container checks names against this and the coder registry."""


def check_training(info: dict, train) -> None:
    """Refuse missing or different training bytes: ``info`` is ``{"size", "crc32"}`` as stored."""
    if train is None:
        raise TrainingDataError(
            f"this file was compressed with a model primed on a training file of {info['size']} bytes "
            f"(CRC32 {info['crc32']:08x}); give the same file as TRAIN (--model-from) to decompress it"
        )
    view = np.frombuffer(memoryview(train).cast("B"), dtype=np.uint8)
    crc = zlib.crc32(view)
    if view.size != info["size"] or crc != info["crc32"]:
        raise TrainingDataError(
            f"TRAIN ({view.size} bytes, CRC32 {crc:08x}) is not the training file this file was compressed "
            f"with ({info['size']} bytes, CRC32 {info['crc32']:08x})"
        )


def rebuild(name: str, table: dict, train=None):
    """The coder of a file written under ``name`` (one of :data:`FILE_CODERS`) from its table.

    Raises :class:`TrainingDataError` for missing or different training bytes and
    :class:`~codebook.errors.CodeTableError` for a table the coder refuses.
    """
    try:
        return FILE_CODERS[name](table, train)
    except CodebookError:
        raise
    except (TypeError, KeyError, IndexError, OverflowError, ValueError) as exc:
        raise CodeTableError(f"the {name} model is invalid ({type(exc).__name__}: {exc})") from None


def needs_training(table: dict) -> bool:
    """Whether a stored model needs its training bytes to decode."""
    return isinstance(table.get("prime"), dict)


# --------------------------------------------------------------------------- report numbers
def conditional_entropies(data, max_order: int = 3) -> list[float]:
    """Empirical ``H(X_t | X_{t-k} .. X_{t-1})`` of the bytes ``data`` for k = 0..max_order, in bits/byte.

    The plug-in estimate over the positions ``t >= k``:
    ``H_k = (1 / N) Σ_{c,x} n(c,x) log2(n(c) / n(c,x))`` with ``N = n - k``, ``n(c,x)`` the count
    of the (k+1)-gram ``cx`` and ``n(c)`` that of its first k bytes at positions ``t >= k``.
    Order 0 is ``H(p_IN)``. ``nan`` where ``data`` has no (k+1)-gram. Counted in one hashed
    pass per order (no sort), so a 100 MB file takes about a second per order.
    """
    from ._ngram_kernels import gram_sum

    if not 0 <= max_order <= 6:
        raise ValueError(f"`max_order` must be in 0..6; got {max_order}")
    arr = np.frombuffer(memoryview(data).cast("B"), dtype=np.uint8) if not isinstance(data, np.ndarray) else data
    n = int(arr.size)
    sums = [(n * math.log2(n) if n > 1 else 0.0, n)]  # the empty gram: n times (positions 0..n-1)
    for k in range(1, max_order + 2):
        sums.append(gram_sum(arr, k) if n >= k else (0.0, 0))
    out = []
    for k in range(max_order + 1):
        big_n = n - k
        if big_n <= 0:
            out.append(math.nan)
            continue
        s_ctx, last = sums[k]
        if k:  # contexts at positions t >= k: every k-gram but the last one
            s_ctx = s_ctx - _xlog2x(last) + _xlog2x(last - 1)
        else:
            s_ctx = _xlog2x(big_n)
        out.append(max(0.0, (s_ctx - sums[k + 1][0]) / big_n))
    return out


def _xlog2x(c: int) -> float:
    return c * math.log2(c) if c > 1 else 0.0


__all__ = [
    "DEFAULT_MODEL",
    "FILE_CODERS",
    "FileModel",
    "ModelNameError",
    "available_context",
    "check_training",
    "check_writable",
    "conditional_entropies",
    "model_names",
    "needs_training",
    "parse_model",
    "rebuild",
]
