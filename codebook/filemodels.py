"""The models of ``codebook compress``: which model codes a file, how the file stores it, and
what the report shows next to the size.

Models (``--model NAME``):

* ``cm`` (the default): the context-mixing byte model of :mod:`codebook.contextmix`, the
  strongest codebook has;
* ``order0``: a byte distribution (of IN, or of TRAIN) coded by any registered coder
  (``--coder``); the files of the first release;
* ``context:K``: an adaptive order-K context model (``codebook.models.Context``:
  Krichevsky-Trofimov counts by default) driving the arithmetic or rANS coder, with a
  guaranteed bound on every file (:func:`context_bound`, theory §r).

Why a registry of its own. ``codebook.coders`` holds coders that code *any* alphabet from a
distribution q; the simulations run every one of them. The cm model is a byte model that
learns from the data and takes no q: it is not a coder of that registry, so that no
simulation, sweep or ``--coder`` list meets it by accident (the ``learned-context`` sweep
builds it by name, as its reference). The container (:mod:`codebook.container`)
writes its files under the name ``cm`` and rebuilds its coder through :data:`FILE_CODERS`. A
``context:K`` file names its real coder (``arithmetic`` or ``rans``); its model section (kind
7) says it follows a context model, and the coder is rebuilt here too (:func:`handles`).

Training data. A model primed on TRAIN (``--model-from``) needs the same bytes to decode:
the file stores their size and CRC32 (never the bytes), and decoding without them, or with
other bytes, is refused with :class:`~codebook.errors.TrainingDataError`.

Report numbers (:func:`summary`): the payload next to the model's own log-loss, the
empirical conditional entropies of the file of orders 0-3 (:func:`conditional_entropies`)
and, for a KT context model, its guaranteed bound on the file (:func:`context_bound`,
:func:`adaptive_bound`), all checked.
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._varint import varint as _varint
from .errors import CodebookError, CodeTableError
from .training import check_training  # also re-exported (in __all__), where it lived before

DEFAULT_MODEL = "cm"
"""``codebook compress`` without ``--model`` (and without an order-0 option such as ``--coder``)."""

MAX_CONTEXT_ORDER = 6
"""Largest K of ``context:K`` (its bound counts (K+1)-grams of at most 7 bytes)."""

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


def model_names() -> list[str]:
    """The ``--model`` values this codebook offers (``context:K`` stands for K = 0..6)."""
    return ["cm", "cm:max", "cm:fast", "order0", "context:K"]


def parse_model(text: str) -> FileModel:
    """``"cm"``, ``"cm:max"``, ``"cm:fast"``, ``"order0"``, ``"context:K"`` -> :class:`FileModel`;
    :class:`ModelNameError` otherwise."""
    value = text.strip().lower()
    if value in ("cm", "order0"):
        return FileModel(value)
    if value in ("cm:auto", "cm:max", "cm:fast"):
        return FileModel("cm", profile=value[3:])
    m = re.fullmatch(r"context:(\d{1,3})", value)
    if m:
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
    training = _pack_training(prime)
    return None if training is None else out + bytes([flags | 1]) + training


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
        table["prime"] = _unpack_training(reader)
    return table


# --------------------------------------------------------------------------- context:K
CONTEXT_KIND_ID = 7
CONTEXT_CODERS = ("arithmetic", "rans")
"""The stream coders that follow a model (``codebook.models``): what ``context:K`` codes with."""
PRIOR_UNIT = 1 << 16
"""Priors are multiples of 2**-16 (``codebook.models.Context``): stored as ``prior * 2**16``."""
MAX_CONTEXT_STATE = 1 << 31
"""Largest count table a context file may make its coder allocate (2 GiB). ``models.Context``
keeps a row of counts (about 1.1 KB over bytes) per context: all 65 536 of them up to order 2
(71 MB), and up to one per byte of TRAIN + IN from order 3 (hashed), so a file that claims
many bytes at a high order could make its reader allocate terabytes. From order 3 the message
(with TRAIN) is therefore limited to about 1.9 MB, on writing and on reading."""


class ContextFileCoder:
    """A stream coder driven by an adaptive order-K context model over bytes, as a file stores it.

    ``codebook.coders.build(coder, models.Context(order, 256, prior, train))`` with the
    metadata a file needs: a table (``to_dict``: order, prior, precision and the size and CRC32
    of the training bytes), :meth:`min_ideal_length` for the container's check of ``n``, and
    the model's own :meth:`log_loss`. Everything else is the coder's: ``encode``, ``decode``,
    ``ideal_length`` (the quantized model's log-loss), ``excess_bounds``.
    """

    def __init__(self, coder: str = "arithmetic", *, order: int, prior: float = 0.5, precision: int | None = None,
                 train=None):
        from . import coders
        from .models import DEFAULT_PRECISION, Context

        if coder not in CONTEXT_CODERS:
            raise CodeTableError(f"a context model codes with {' or '.join(CONTEXT_CODERS)}; got coder {coder!r}")
        if type(order) is not int or not 0 <= order <= MAX_CONTEXT_ORDER:
            raise CodeTableError(f"the context order must be an integer in 0..{MAX_CONTEXT_ORDER}; got {order!r}")
        self.name = coder
        self.order = order
        self.precision = DEFAULT_PRECISION if precision is None else precision
        self._train = None if train is None else _bytes(train)
        self.model = Context(order, 256, prior, train=self._train)
        self.prior = self.model.prior
        self.code = coders.build(coder, self.model, precision=self.precision)

    alphabet_size = 256

    def encode(self, symbols):
        return self.code.encode(symbols)

    def decode(self, bits, n: int, *, dtype=np.int64):
        return self.code.decode(bits, n, dtype=dtype)

    def decode_partial(self, bits, n: int, *, dtype=np.int64):
        return self.code.decode_partial(bits, n, dtype=dtype)

    def ideal_length(self, symbols) -> float:
        return self.code.ideal_length(symbols)

    def log_loss(self, symbols) -> float:
        return self.model.log_loss(_bytes(symbols) if not isinstance(symbols, np.ndarray) else symbols)

    def excess_bounds(self, n: int) -> tuple[float, float]:
        return self.code.excess_bounds(n)

    def quantization_bound(self, n: int) -> float:
        return self.code.quantization_bound(n)

    def state_bytes(self, n: int) -> int:
        """Bytes of counts the model allocates for a message of ``n`` bytes (``models.Context``'s layout)."""
        from .models._kernels import context_width

        row = 4 * int(context_width(256))
        contexts = 256**self.order
        if contexts <= 1 << 16:  # direct rows (models.context.DIRECT_CONTEXTS)
            return contexts * row
        used = 0 if self._train is None else int(self._train.size)
        return min(contexts, used + n + 1) * (row + 24)

    def check_size(self, n: int) -> None:
        """Refuse (``CodeTableError``) a message whose count table would exceed :data:`MAX_CONTEXT_STATE`."""
        need = self.state_bytes(n)
        if need > MAX_CONTEXT_STATE:
            train = "" if self._train is None else f" + {self._train.size} of TRAIN"
            raise CodeTableError(
                f"context:{self.order} on {n} bytes{train} may need {need / 1e9:.1f} GB of counts (about 1.1 KB per "
                f"context, up to one per byte from order 3); the limit is {MAX_CONTEXT_STATE >> 30} GiB: use an order "
                f"of at most 2, or the cm model"
            )

    def min_ideal_length(self, n: int) -> float:
        """A lower bound on the quantized model's log-loss of any ``n`` bytes: each of the 256
        symbols gets at least one of the ``2**b`` slots at every position (theory §l), so the
        byte that occurs has at most ``2**b - 255``: ``-log2(1 - 255 / 2**b)`` bits at least."""
        return n * -math.log2(1.0 - 255.0 / 2.0**self.precision)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"coder": self.name, "model": "context", "version": 1, "order": self.order,
                               "prior": self.prior, "precision": self.precision}
        if self._train is not None:
            out["prime"] = {"size": int(self._train.size), "crc32": zlib.crc32(self._train)}
        return out

    @classmethod
    def from_dict(cls, table: dict, train=None) -> ContextFileCoder:
        version = table.get("version")
        if version != 1 or type(version) is not int:
            raise CodeTableError(f"context model version {version!r} is not supported (this codebook has 1)")
        info = table.get("prime")
        check_training(info, train)
        try:
            return cls(table.get("coder"), order=table.get("order"), prior=table.get("prior"),
                       precision=table.get("precision"), train=train if info is not None else None)
        except CodeTableError:
            raise
        except CodebookError as exc:  # ModelError from the model's own checks
            raise CodeTableError(str(exc)) from None


def is_context_table(table: dict) -> bool:
    return isinstance(table, dict) and table.get("model") == "context"


def pack_context(table: dict) -> bytes | None:
    """Model kind 7 (``context``): ``varint(version)``, the order byte, ``varint(prior * 2**16)``,
    the precision byte, a flags byte (bit 0: primed on a training file), and with a training
    file ``varint(size)`` and its CRC32 (4 bytes, little-endian). ``None`` for any other table."""
    fields = {"coder", "model", "version", "order", "prior", "precision", "prime"}
    if not is_context_table(table) or not set(table) <= fields or table.get("coder") not in CONTEXT_CODERS:
        return None
    version, order, prior, precision, prime = (table.get(k) for k in ("version", "order", "prior", "precision",
                                                                       "prime"))
    if not all(type(v) is int and 0 <= v < 256 for v in (version, order, precision)):
        return None
    if isinstance(prior, bool) or not isinstance(prior, (int, float)) or prior <= 0 or prior * PRIOR_UNIT != int(
            prior * PRIOR_UNIT):
        return None
    out = _varint(version) + bytes([order]) + _varint(int(prior * PRIOR_UNIT)) + bytes([precision])
    if prime is None:
        return out + b"\x00"
    training = _pack_training(prime)
    return None if training is None else out + b"\x01" + training


def _pack_training(prime) -> bytes | None:
    if not isinstance(prime, dict) or set(prime) != {"size", "crc32"}:
        return None
    size, crc = prime["size"], prime["crc32"]
    if type(size) is not int or type(crc) is not int or size < 0 or not 0 <= crc < 1 << 32:
        return None
    return _varint(size) + crc.to_bytes(4, "little")


def _unpack_training(reader) -> dict:
    size = reader.varint("the training size")
    return {"size": size, "crc32": int.from_bytes(reader.take(4, "the training CRC32"), "little")}


def unpack_context(reader) -> dict:
    table: dict[str, Any] = {"model": "context", "version": reader.varint("the model version"),
                             "order": reader.byte("the order")}
    table["prior"] = reader.varint("the prior") / PRIOR_UNIT
    table["precision"] = reader.byte("the precision")
    flags = reader.byte("the flags")
    if flags > 1:
        reader.fail(f"the flags byte is {flags}; only bit 0 (training file) is defined")
    if flags:
        table["prime"] = _unpack_training(reader)
    return table


MODEL_KINDS = [(CM_KIND_ID, "cm", pack_cm, unpack_cm), (CONTEXT_KIND_ID, "context", pack_context, unpack_context)]
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


def handles(name: str, table: dict) -> bool:
    """Whether this module rebuilds the coder of a file (a file coder, or a context model's table)."""
    return name in FILE_CODERS or is_context_table(table)


def rebuild(name: str, table: dict, train=None):
    """The coder of a file written under ``name`` (one of :data:`FILE_CODERS`, or a stream
    coder following a context model) from its table.

    Raises :class:`TrainingDataError` for missing or different training bytes and
    :class:`~codebook.errors.CodeTableError` for a table the coder refuses.
    """
    try:
        if is_context_table(table):
            return ContextFileCoder.from_dict(table, train)
        return FILE_CODERS[name](table, train)
    except CodebookError:
        raise
    except (TypeError, KeyError, IndexError, OverflowError, ValueError) as exc:
        raise CodeTableError(f"the {name} model is invalid ({type(exc).__name__}: {exc})") from None


# --------------------------------------------------------------------------- report numbers
def _bytes(data) -> np.ndarray:
    return data if isinstance(data, np.ndarray) else np.frombuffer(memoryview(data).cast("B"), dtype=np.uint8)


def _xlog2x_sum(counts: np.ndarray) -> float:
    """``Σ c log2 c`` over ``counts`` (compensated sum; 0 log 0 = 0)."""
    c = counts[counts > 1].astype(np.float64)
    return math.fsum((c * np.log2(c)).tolist())


def _xlog2x(c: int) -> float:
    return c * math.log2(c) if c > 1 else 0.0


def conditional_entropies(data, max_order: int = 3) -> list[float]:
    """Empirical ``H(X_t | X_{t-k} .. X_{t-1})`` of the bytes ``data`` for k = 0..max_order, in bits/byte.

    The plug-in estimate over the positions ``t >= k``:
    ``H_k = (1 / N) Σ_{c,x} n(c,x) log2(n(c) / n(c,x))`` with ``N = n - k``, ``n(c,x)`` the count
    of the (k+1)-gram ``cx`` and ``n(c)`` that of its first k bytes at positions ``t >= k``.
    Order 0 is ``H(p_IN)``. ``nan`` where ``data`` has no (k+1)-gram. Counted in one hashed
    pass per order (no sort), so a 100 MB file takes about a second per order.
    """
    from ._ngram_kernels import MAX_GRAM, gram_counts

    if not 0 <= max_order < MAX_GRAM:
        raise ValueError(f"`max_order` must be in 0..{MAX_GRAM - 1}; got {max_order}")
    arr = _bytes(data)
    n = int(arr.size)
    grams = [None] + [gram_counts(arr, k) for k in range(1, max_order + 2)]
    out = []
    for k in range(max_order + 1):
        big_n = n - k
        if big_n <= 0:
            out.append(math.nan)
            continue
        if k:  # contexts at positions t >= k: every k-gram but the last one
            _, counts, last = grams[k]
            s_ctx = _xlog2x_sum(counts) - _xlog2x(last) + _xlog2x(last - 1)
        else:
            s_ctx = _xlog2x(big_n)
        out.append(max(0.0, (s_ctx - _xlog2x_sum(grams[k + 1][1])) / big_n))
    return out


def kt_regret(m, alphabet_size: int = 256, prior: float = 0.5):
    """Largest excess, in bits, of the sequential Dirichlet(α) (KT: α = 1/2) code length over
    the empirical (maximum-likelihood) code length of ``m`` symbols in one context, for every
    sequence of them (theory §h): ``log2[Γ(m + Kα) Γ(α) / (Γ(m + α) Γ(Kα))]``, attained by a
    constant sequence. Holds for α >= 1/2 (see :func:`context_bound`). Vectorized over ``m``."""
    from scipy.special import gammaln

    m = np.asarray(m, dtype=np.float64)
    k, a = float(alphabet_size), float(prior)
    return (gammaln(m + k * a) + gammaln(a) - gammaln(m + a) - gammaln(k * a)) / math.log(2)


def _pair_counts(arr: np.ndarray, order: int) -> tuple[np.ndarray, np.ndarray]:
    """(context, symbol) pairs of a context model of ``order`` over ``arr`` (history: ``order``
    zero bytes): the (order+1)-grams and their counts."""
    from ._ngram_kernels import gram_counts

    padded = np.concatenate([np.zeros(order, dtype=np.uint8), arr])
    grams, counts, _ = gram_counts(padded, order + 1)
    return grams, counts


def context_bound(data, order: int, prior: float = 0.5, train=None) -> dict:
    """The code length an adaptive order-``order`` Dirichlet(α) context model (``codebook.models.Context``,
    KT for α = 1/2) is guaranteed not to exceed on ``data``, in bits, with its parts.

    For one context seen ``m`` times, the sequential estimator's code length exceeds the
    empirical code length ``m Ĥ`` (Ĥ: the entropy of the symbols that followed the context) by
    at most :func:`kt_regret` ``(m)``: the excess is ``Σ_s g(n_s) + const(m)`` with
    ``g(a) = a ln a - ln Γ(a + α)``, convex for α >= 1/2 (``g''(a) = 1/a - ψ'(a + α) > 0``,
    because ``ψ'(a + 1/2) = Σ_j (a + 1/2 + j)^-2 < Σ_j ∫ (a + j .. a + j + 1) t^-2 dt = 1/a``),
    so over the counts with ``Σ n_s = m`` it is largest at a vertex, a constant sequence
    (Krichevsky and Trofimov 1981; Willems, Shtarkov and Tjalkens 1995, lemma 1, for K = 2).
    Summed over the contexts (the estimator is run separately in each)::

        L(x) <= Σ_c [n_c Ĥ_c + R_α(n_c)] = n Ĥ_k + Σ_c R_α(n_c),
        R_α(m) = log2[Γ(m + Kα) Γ(α) / (Γ(m + α) Γ(Kα))] ~ (K - 1) α log2 m,

    ``n Ĥ_k`` being the empirical conditional entropy of order k with the model's history
    (``order`` zero bytes before the data). With a training text ``t`` the counts start from
    it: ``L(x | t) = L(t x) - L(t)``, bounded by the same sum over the pairs of both (each with
    its own zero history) minus ``L(t)``, the model's exact log-loss on ``t``.

    Returns ``{"bound_bits", "empirical_bits" (n Ĥ_k over the pairs), "regret_bits",
    "contexts", "train_bits"}``. Raises ``ValueError`` for α < 1/2 (no such bound holds there).
    """
    if prior < 0.5:
        raise ValueError(f"the bound needs a prior of at least 1/2 (KT); got {prior}")
    arr = _bytes(data)
    grams, counts = _pair_counts(arr, order)
    train_bits = 0.0
    if train is not None:
        from .models import Context

        t = _bytes(train)
        t_grams, t_counts = _pair_counts(t, order)
        grams, inverse = np.unique(np.concatenate([grams, t_grams]), return_inverse=True)
        counts = np.bincount(inverse, weights=np.concatenate([counts, t_counts])).astype(np.int64)
        train_bits = Context(order, 256, prior).log_loss(t) if t.size else 0.0
    ctx, ctx_index = np.unique(grams >> np.int64(8), return_inverse=True)
    ctx_counts = np.bincount(ctx_index, weights=counts).astype(np.int64)
    empirical = max(0.0, _xlog2x_sum(ctx_counts) - _xlog2x_sum(counts))
    regret = math.fsum(kt_regret(ctx_counts, 256, prior).tolist())
    return {
        "bound_bits": empirical + regret - train_bits,
        "empirical_bits": empirical,
        "regret_bits": regret,
        "contexts": int(ctx.size),
        "train_bits": train_bits,
    }


def adaptive_bound(counts, prior: float, start=None) -> dict:
    """:func:`context_bound` of order 0 from byte counts: the adaptive coder (``--model order0
    --coder adaptive``) is the KT / Dirichlet(α) estimator over bytes, α a multiple of 1/2,
    so ``L(x | start counts c) = L(c + x) - L(c) <= N Ĥ(c + x) + R_α(N) - L(c)`` with
    ``N = |c| + n`` (theory §r; ``L(c)`` is exact, the estimator being exchangeable)."""
    from .coders import build

    counts = np.asarray(counts, dtype=np.int64)
    start_counts = np.zeros(256, dtype=np.int64) if start is None else np.asarray(start, dtype=np.int64)
    total = counts + start_counts
    big_n = int(total.sum())
    empirical = max(0.0, _xlog2x(big_n) - _xlog2x_sum(total))
    regret = float(kt_regret(big_n, 256, prior)) if big_n else 0.0
    train_bits = build("adaptive", alphabet_size=256, prior=prior).ideal_length_from_counts(start_counts)
    return {"bound_bits": empirical + regret - train_bits, "empirical_bits": empirical, "regret_bits": regret,
            "contexts": 1, "train_bits": train_bits}


def summary(data, code, payload_bits: int, *, bound: bool = True) -> dict:
    """The numbers a compression report shows, all checked: the payload (the exact bit length of
    the stream) next to the model's own log-loss, the coder's documented window between them,
    the empirical conditional entropies of the data given 0..3 previous bytes (order 0 is
    H(p_IN); plug-in estimates, properties of the file and no bound on an adaptive code) and,
    for a context model, the guaranteed bound of :func:`context_bound` on this very file.

    ``code`` is a cm coder right after ``encode(data)`` (its ``last_log_loss`` is that
    encoding's log-loss, and the payload is within ``excess_bounds`` of it) or a
    :class:`ContextFileCoder` (the payload is within ``excess_bounds`` of the quantized model's
    log-loss ``ideal_length``, which is within ``quantization_bound`` above the model's own;
    theory §l). Raises ``AssertionError`` if any check fails (a coder bug, or a false theorem).
    """
    view = _bytes(data)
    n = int(view.size)
    per = (lambda v: v / n) if n else (lambda v: math.nan)
    if isinstance(code, ContextFileCoder):
        ideal, loss = code.ideal_length(view), code.log_loss(view)
        quant = code.quantization_bound(n)
        if not ideal - loss <= quant:
            raise AssertionError(f"quantized log-loss {ideal} is more than {quant} bits above the model's {loss}")
    else:
        loss = code.last_log_loss if code.last_log_loss is not None else code.log_loss(view)
        ideal, quant = loss, 0.0
    lo, hi = code.excess_bounds(n)
    if not lo <= payload_bits - ideal <= hi:
        raise AssertionError(f"payload {payload_bits} bits is outside {ideal} + [{lo}, {hi}]")
    result = {
        "n_bytes": n,
        "payload_bits": payload_bits,
        "payload_bits_per_byte": per(payload_bits),
        "log_loss_bits": loss,
        "log_loss_bits_per_byte": per(loss),
        "excess_bits": payload_bits - ideal,
        "excess_bounds_bits": [lo, hi],
    }
    if isinstance(code, ContextFileCoder):
        result.update(quantized_log_loss_bits=ideal, quantized_log_loss_bits_per_byte=per(ideal),
                      quantization_bound_bits=quant)
        if bound and code.prior >= 0.5:
            b = context_bound(view, code.order, code.prior, code._train)
            if not loss <= b["bound_bits"] * (1 + 1e-12) + 1e-9:
                raise AssertionError(f"log-loss {loss} above the guaranteed {b['bound_bits']} bits")
            result["bound"] = {**b, "payload_bound_bits": b["bound_bits"] + quant + hi}
            if not payload_bits <= result["bound"]["payload_bound_bits"]:
                raise AssertionError(f"payload {payload_bits} above its guaranteed {result['bound']['payload_bound_bits']}")
    else:
        result.update(blocks=code.block_count(n), memory_bytes=code.memory_bytes(n))
    for k, h in enumerate(conditional_entropies(view)):
        result[f"H{k}_bits_per_byte"] = h
    return result


__all__ = [
    "DEFAULT_MODEL",
    "FILE_CODERS",
    "adaptive_bound",
    "ContextFileCoder",
    "FileModel",
    "ModelNameError",
    "check_training",
    "check_writable",
    "conditional_entropies",
    "context_bound",
    "handles",
    "kt_regret",
    "model_names",
    "parse_model",
    "rebuild",
    "summary",
]
