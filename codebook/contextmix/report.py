"""What a compression with the cm model cost: :func:`codebook.filemodels.summary` (the payload
next to the model's own log-loss, the coder's window between them, checked, and the empirical
conditional entropies of the input), kept here for the cm model's users."""

from __future__ import annotations

from ..filemodels import conditional_entropies, summary

__all__ = ["conditional_entropies", "summary"]
