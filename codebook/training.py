"""The training-file identity check shared by the file models (``codebook.filemodels``) and
the context-mixing coder (``codebook.contextmix``).

Below both so that the coder does not import the file models that rebuild it.
"""

from __future__ import annotations

import zlib

import numpy as np

from .errors import TrainingDataError


def check_training(info: dict | None, train) -> None:
    """Refuse missing, different or unneeded training bytes: ``info`` is ``{"size", "crc32"}`` as
    stored, or None for a file compressed without a training file."""
    if info is None:
        if train is not None:
            raise TrainingDataError(
                "this file was compressed without a training file; TRAIN (--model-from) is not needed"
            )
        return
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


__all__ = ["check_training"]
