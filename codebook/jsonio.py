"""One JSON (and CSV) convention for everything codebook prints or writes (the CLI and the reports).

Non-finite floats become the strings ``"inf"``, ``"-inf"`` and ``"nan"`` (JSON has no
infinity, and H(p,q) is infinite whenever q rules out a symbol p produces); NumPy scalars and
arrays become plain Python numbers and lists. It lives below the CLI so that ``simulations``
and ``codebook.cli`` share it without ``simulations`` importing the CLI.

>>> import numpy as np
>>> jsonable({"H": float("inf"), "n": np.int64(3), "x": np.array([0.5, 0.25])})
{'H': 'inf', 'n': 3, 'x': [0.5, 0.25]}
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np


def jsonable(value: Any) -> Any:
    """Python/NumPy values -> JSON-ready ones; non-finite floats become "inf", "-inf", "nan"."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [jsonable(v) for v in (value.tolist() if isinstance(value, np.ndarray) else value)]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return value
    return value


def dump_json(data: Any, *, indent: int | None = 2) -> str:
    """``data`` as JSON text in the convention above (indented for people by default)."""
    if indent is None:
        return json.dumps(jsonable(data), separators=(",", ":"))
    return json.dumps(jsonable(data), indent=indent)


def csv_cell(value: Any) -> str:
    """A value for a CSV cell: None is empty, infinity ``inf``/``-inf``, floats in full (repr)."""
    if value is None:
        return ""
    if isinstance(value, (float, np.floating)):
        value = float(value)
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    return str(value)


__all__ = ["csv_cell", "dump_json", "jsonable"]
