"""Name -> coder registry, used by the CLI, the simulations and the file container.

A coder module registers its class with :func:`register`; everything else builds coders by
name, so adding a coder needs no change in the CLI or the simulation runner.
"""

from __future__ import annotations

import inspect
import json
from dataclasses import dataclass
from typing import Any

from ..errors import CodebookError, CodeTableError, ModelError
from ..models.base import Model
from .base import Code


class UnknownCoderError(CodebookError):
    """A coder name that is not registered."""


@dataclass(frozen=True)
class CoderInfo:
    """What the registry knows about a coder.

    ``kind`` is ``"prefix"`` (a fixed codeword per symbol: exact E_p[l] and Var_p[l] exist),
    ``"stream"`` (arithmetic-type, a quantized static model: length tracks -log2 q_hat(x^n)),
    ``"adaptive"`` (learns its model while coding; needs no q), ``"vf"`` (variable-to-fixed:
    a phrase of source symbols per fixed-length codeword, Tunstall) or ``"universal"`` (needs no
    model and codes any sequence within a per-sequence bound, LZ78).
    """

    name: str
    cls: type
    kind: str
    summary: str


KINDS = ("prefix", "stream", "adaptive", "vf", "universal")

_REGISTRY: dict[str, CoderInfo] = {}


def register(name: str, kind: str, summary: str):
    """Class decorator: make ``cls`` buildable as ``build(name, q, **options)``."""
    if kind not in KINDS:
        raise ValueError(f"unknown coder kind {kind!r}")

    def decorate(cls):
        if name in _REGISTRY:
            raise ValueError(f"coder {name!r} is registered twice")
        cls.name = name
        _REGISTRY[name] = CoderInfo(name, cls, kind, summary)
        return cls

    return decorate


def names(kind: str | None = None) -> list[str]:
    """Registered coder names, in registration order (optionally of one ``kind``)."""
    return [n for n, i in _REGISTRY.items() if kind is None or i.kind == kind]


def info(name: str) -> CoderInfo:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UnknownCoderError(
            f"unknown coder {name!r}; registered coders: {', '.join(_REGISTRY)}"
        ) from None


def build(name: str, q=None, **options) -> Code:
    """Build the coder ``name`` from the distribution ``q`` (a Distribution or array-like).

    ``options`` are the coder's own keyword parameters (``precision=``, ...). Adaptive coders
    take ``alphabet_size=`` instead of, or in addition to, ``q``.

    >>> from codebook import coders
    >>> coders.build("huffman", [0.5, 0.25, 0.25]).lengths.tolist()
    [1, 2, 2]
    """
    cls = info(name).cls
    if isinstance(q, Model):
        cls, q = _for_model(name, cls, q)
    args = (q,) if q is not None else ()
    try:
        inspect.signature(cls).bind(*args, **options)
    except TypeError as exc:
        raise UnknownCoderError(f"coder {name!r} does not take these arguments: {exc}") from None
    return cls(*args, **options)


MAX_TABLE_BITS = 1 << 26
"""Largest prefix-code table :func:`from_dict` loads: the codewords together, ``Σ l(x)``, at
most 2**26 bits. Loading costs about 10 bytes and 20 ns per codeword bit (measured at the
limit, K = 65536 codewords of 1024 bits: 1.1-1.4 s and 730 MB peak RSS, 620 MB above the
interpreter's, on a shared 2-core machine), so without this
bound a 328 KB table of 65536 lengths of 4096 (valid: its Kraft sum is 2**-4080) took 14 s and
2.7 GB. Codes built from real distributions stay far below: Huffman over Zipf(2**21, 1.1) has
about 5.2e7 bits. Each codeword is also at most 4096 bits and K at most 2**24 (the coders'
own limits)."""


def _table_bits(data: dict[str, Any]) -> int | None:
    """``Σ l(x)`` of a prefix-code table, from its ``lengths`` (or ``codewords``), or None if
    the table has neither in a form worth summing (the coder's own checks then speak)."""
    from .prefix import MAX_CODEWORD_BITS

    lengths = data.get("lengths")
    if isinstance(lengths, list):
        if all(type(v) is int and v <= MAX_CODEWORD_BITS for v in lengths):
            return sum(v for v in lengths if v > 0)
        return None  # the coder names the bad entry, before allocating anything
    words = data.get("codewords")
    if isinstance(words, list):
        return sum(len(w) for w in words if isinstance(w, str))
    return None


def _for_model(name: str, cls: type, model: Model):
    """The class and argument that code with ``model``. A coder that follows models
    (``model_coder``) codes any model through the model's own quantization rule, except the
    i.i.d. :class:`~codebook.models.IID`, which keeps the static coder (same bits as its
    Distribution); a prefix code accepts a model only if it is i.i.d. (``model.iid()``)."""
    from ..models import IID

    model_cls = getattr(cls, "model_coder", None)
    dist = model.iid()
    if dist is not None and (model_cls is None or isinstance(model, IID)):
        return cls, dist
    if model_cls is None:
        why = {
            "prefix": "a prefix code has one fixed codeword per symbol, built from one distribution",
            "adaptive": "it learns its own order-0 model (for adaptive counts with context use models.Context)",
        }.get(info(name).kind, "it codes with one fixed distribution")
        usable = ", ".join(n for n, i in _REGISTRY.items() if getattr(i.cls, "model_coder", None))
        raise ModelError(
            f"coder {name!r} cannot follow {model!r}, whose prediction changes from position to position: "
            f"{why}; use a coder that follows a model ({usable})"
        )
    return model_cls, model


def from_dict(data: dict[str, Any]) -> Code:
    """Rebuild any registered code from its ``to_dict()`` description.

    Raises :class:`CodeTableError` (one line) for anything that is not a valid table of a
    registered coder, including a prefix-code table above :data:`MAX_TABLE_BITS`, refused
    before anything is allocated for it.
    """
    if not isinstance(data, dict) or not isinstance(data.get("coder"), str):
        raise CodeTableError("code table must be a JSON object with a string field 'coder'")
    name = data["coder"]
    if name not in _REGISTRY:
        raise CodeTableError(f"code table names unknown coder {name[:40]!r}")
    if _REGISTRY[name].kind == "prefix":
        bits = _table_bits(data)
        if bits is not None and bits > MAX_TABLE_BITS:
            raise CodeTableError(
                f"code table has {bits} codeword bits in all, above the limit of {MAX_TABLE_BITS} (2**26)"
            )
    try:
        return _REGISTRY[name].cls.from_dict(data)
    except CodebookError:
        raise
    except (TypeError, KeyError, IndexError, OverflowError, RecursionError, ValueError, AttributeError) as exc:
        # A coder written without hostile tables in mind: still one line, still a CodeTableError.
        raise CodeTableError(f"code table for coder {name!r} is invalid ({type(exc).__name__}: {_short(exc)})") from None


def from_json(text: str | bytes) -> Code:
    """Rebuild a code from :meth:`Code.to_json` output (never pickle).

    Strict JSON: no ``NaN``/``Infinity``; nesting too deep for the parser and integers of
    more than 4300 digits (Python's limit) are refused like any other malformed table, with
    :class:`CodeTableError`.
    """
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise CodeTableError("code table is not valid JSON: nested too deeply") from None
    except (ValueError, TypeError) as exc:  # JSONDecodeError is a ValueError; so is a 5000-digit integer
        raise CodeTableError(f"code table is not valid JSON: {_short(exc)}") from None
    return from_dict(data)


def _reject_constant(token: str):
    raise ValueError(f"{token} is not a JSON number")


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 160 else text[:157] + "..."
