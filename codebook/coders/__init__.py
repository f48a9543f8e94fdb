"""Coders by name: prefix codes (Huffman, also D-ary and length-limited; Shannon, Shannon-Fano-Elias;
Golomb/Rice; Elias gamma, delta, omega), stream coders, Tunstall (variable-to-fixed) and LZ78.

>>> from codebook import coders
>>> code = coders.build("huffman", [0.5, 0.25, 0.25])
>>> bits = code.encode([0, 1, 2, 0])
>>> len(bits), code.decode(bits, 4).tolist()
(6, [0, 1, 2, 0])
"""

from .base import Code
from .registry import CoderInfo, UnknownCoderError, build, from_dict, from_json, info, names, register

# Importing a coder module registers it; the order here is the order of names().
from .huffman import HuffmanCode, huffman_lengths  # noqa: E402  isort: skip
from .shannon import ShannonCode, ShannonFanoEliasCode, sfe_codewords, shannon_lengths  # noqa: E402  isort: skip
from .prefix import CanonicalPrefixCode, PrefixCode, canonical_codewords  # noqa: E402  isort: skip
from .arithmetic import ArithmeticCoder  # noqa: E402  isort: skip
from .rans import RansCoder  # noqa: E402  isort: skip
from .adaptive import AdaptiveArithmeticCoder  # noqa: E402  isort: skip
from .integer import EliasDeltaCode, EliasGammaCode, EliasOmegaCode, GolombCode  # noqa: E402  isort: skip
from .tunstall import TunstallCode  # noqa: E402  isort: skip
from .lz78 import LZ78Code  # noqa: E402  isort: skip
from .dary import DaryHuffmanCode  # noqa: E402  isort: skip

FAMILY_CODERS = ("golomb", "elias-gamma", "elias-delta", "elias-omega", "tunstall", "lz78")
"""The classic code families registered beside the codes built from q (issue 14): they run when
named (``--coder golomb``), not by default, and have their own sweep (``universal``)."""


def default_names() -> list[str]:
    """The coders a run uses when none is named: every registered one but :data:`FAMILY_CODERS`."""
    return [name for name in names() if name not in FAMILY_CODERS]


def load_kernels(name: str) -> None:
    """Build coder ``name`` on a 4-symbol toy model and code one short message of the dtypes of a
    real run, so that its numba kernels load from the on-disk cache (or compile) now, not inside
    the first real message. Raises what the build or the coding raises."""
    import numpy as np

    symbols = np.array([0, 1, 2, 3, 0, 0, 1, 0], dtype=np.int64)
    code = build(name, alphabet_size=4) if info(name).kind == "adaptive" else build(name, [0.4, 0.3, 0.2, 0.1])
    code.decode(code.encode(symbols), len(symbols))

__all__ = [
    "AdaptiveArithmeticCoder",
    "ArithmeticCoder",
    "CanonicalPrefixCode",
    "Code",
    "CoderInfo",
    "DaryHuffmanCode",
    "FAMILY_CODERS",
    "EliasDeltaCode",
    "EliasGammaCode",
    "EliasOmegaCode",
    "GolombCode",
    "HuffmanCode",
    "LZ78Code",
    "PrefixCode",
    "RansCoder",
    "ShannonCode",
    "ShannonFanoEliasCode",
    "TunstallCode",
    "UnknownCoderError",
    "build",
    "default_names",
    "canonical_codewords",
    "from_dict",
    "from_json",
    "huffman_lengths",
    "info",
    "load_kernels",
    "names",
    "register",
    "sfe_codewords",
    "shannon_lengths",
]
