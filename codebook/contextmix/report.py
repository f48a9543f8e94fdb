"""What a compression with the cm model cost, next to what simpler models of the same bytes say.

:func:`summary` puts side by side, in bits per byte of the input: the payload (the exact bit
length of the stream), the model's own log-loss (the sum of -log2 of the probabilities it gave
the bits that occurred), the documented window between the two (``excess_bounds``, checked),
and the empirical conditional entropies of the input given the previous 0..3 bytes
(:func:`codebook.filemodels.conditional_entropies`): order 0 is H(p_IN), the plug-in entropy of the byte
histogram. These are properties of the file, not bounds on any adaptive code (a plug-in
estimate of order k is optimistic: it is the cost of a model fitted to the very bytes it
codes, with the model itself not paid for), so the report states them as reference points.
"""

from __future__ import annotations

import math

from ..filemodels import conditional_entropies
from .coder import ContextMixingCoder, _as_bytes


def summary(data, code: ContextMixingCoder, payload_bits: int) -> dict:
    """The numbers a compression report shows (see the module docstring), all checked.

    ``payload_bits`` is the length of ``code.encode(data)``; ``code.last_log_loss`` must be
    that encoding's log-loss (it is, right after ``encode``). Raises ``AssertionError`` if the
    payload is outside the documented window around the log-loss (a coder bug).
    """
    view = _as_bytes(data)
    n = view.size
    loss = code.last_log_loss if code.last_log_loss is not None else code.log_loss(view)
    lo, hi = code.excess_bounds(n)
    if not lo <= payload_bits - loss <= hi:
        raise AssertionError(f"payload {payload_bits} bits is outside log-loss {loss} + [{lo}, {hi}]")
    per = (lambda v: v / n) if n else (lambda v: math.nan)
    result = {
        "n_bytes": n,
        "payload_bits": payload_bits,
        "payload_bits_per_byte": per(payload_bits),
        "log_loss_bits": loss,
        "log_loss_bits_per_byte": per(loss),
        "excess_bits": payload_bits - loss,
        "excess_bounds_bits": [lo, hi],
        "blocks": code.block_count(n),
        "memory_bytes": code.memory_bytes(n),
    }
    for k, h in enumerate(conditional_entropies(view)):
        result[f"H{k}_bits_per_byte"] = h
    return result


__all__ = ["conditional_entropies", "summary"]
