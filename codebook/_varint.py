"""The unsigned LEB128 varint writer shared by the container and the file models' model kinds.

Below both (``codebook.container`` and ``codebook.filemodels``) so that neither imports the
other for it. The reader is ``codebook.container._Reader.varint`` (it reports the field by name).
"""

from __future__ import annotations


def varint(value: int) -> bytes:
    """``value >= 0`` as an unsigned LEB128 integer in its shortest form (7 bits a byte, low first)."""
    out = bytearray()
    while True:
        low = value & 0x7F
        value >>= 7
        if value:
            out.append(low | 0x80)
        else:
            out.append(low)
            return bytes(out)
