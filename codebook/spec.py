"""The distribution spec grammar shared by every CLI option that takes a distribution.

::

    SPEC     := LIST | FAMILY | COMBINATOR
    LIST     := ITEM ("," ITEM)* | "[" LIST "]"        ITEM := NUMBER | LABEL "=" NUMBER
                NUMBER is a decimal or an exact fraction: "0.5,0.25,0.25", "1/2,1/4,1/4",
                "a=1/2,b=1/4,c=1/4". Must sum to 1 (no silent renormalisation). Inside mix()
                and temper() write lists in brackets: "mix([0.9,0.1], [0.5,0.5], 0.2)",
                "mix(counts:[3,1], uniform:2, 0.1)".
    FAMILY   := uniform:K | zipf:K:S | geometric:K:R | dyadic:K | dirichlet:K:ALPHA:SEED
              | weights:W1,W2,...            (normalised explicitly)
              | counts:C1,C2,...             (plug-in estimate from counts; or counts:[C1,C2])
              | counts+A:C1,C2,...           (add-A smoothing, e.g. counts+0.5:3,0,1)
              | file:PATH                    (empirical byte distribution of a file, K = 256)
              | file+A:PATH                  (the same, add-A smoothed: unseen bytes keep mass)
    COMBINATOR := mix(SPEC, SPEC, W)         ((1-W) * first + W * second)
              | temper(SPEC, T)              (p ** (1/T), renormalised)

Examples: ``zipf:256:1.1``, ``mix(zipf:256:1.1, uniform:256, 0.3)``, ``file+0.5:train.txt``.
"""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

from .distributions import Distribution
from .errors import CodebookError, SpecError

SPEC_HELP = (
    "Distribution spec: '0.5,0.25,0.25' or '1/2,1/4,1/4' (must sum to 1), 'uniform:K', "
    "'zipf:K:S', 'geometric:K:R', 'dyadic:K', 'dirichlet:K:ALPHA:SEED', 'weights:W1,W2,..', "
    "'counts[+A]:C1,C2,..', 'file[+A]:PATH' (byte distribution, add-A smoothed), "
    "'mix(SPEC, SPEC, W)' = (1-W)*first + W*second, 'temper(SPEC, T)'."
)


def parse_distribution(spec: str, *, name: str = "spec") -> Distribution:
    """Build a :class:`Distribution` from a spec string (grammar in the module docstring).

    Raises :class:`SpecError` (a ``ValueError``) naming the spec and what is wrong; validation
    errors of the resulting vector (negative, not summing to 1) keep their own messages.

    >>> parse_distribution("1/2,1/4,1/4").probs.tolist()
    [0.5, 0.25, 0.25]
    >>> len(parse_distribution("mix(zipf:8:1, uniform:8, 0.3)"))
    8
    """
    if not isinstance(spec, str) or not spec.strip():
        raise SpecError(f"`{name}` must be a non-empty distribution spec; got {spec!r}")
    try:
        return _parse(spec.strip(), name)
    except SpecError:
        raise
    except CodebookError as exc:
        raise type(exc)(f"{name} {spec!r}: {exc}") from None


def _parse(spec: str, name: str) -> Distribution:
    head = spec.split("(", 1)[0].strip().lower()
    if spec.endswith(")") and head in ("mix", "temper"):
        args = _split_top_level(spec[spec.index("(") + 1 : -1].strip(), spec, name)
        if head == "mix":
            _arity(args, 3, "mix(SPEC, SPEC, W)", spec, name)
            a, b = _parse(args[0], name), _parse(args[1], name)
            return a.mix(b, _number(args[2], "mixture weight W", spec, name))
        # T is the last argument, so the spec before it may be a list with commas.
        inner, _, temperature = spec[spec.index("(") + 1 : -1].rpartition(",")
        if not inner.strip():
            raise SpecError(f"{name} {spec!r}: expected temper(SPEC, T) (2 arguments)")
        return _parse(inner.strip(), name).temper(_number(temperature, "temperature T", spec, name))

    family, sep, rest = spec.partition(":")
    family = family.strip().lower()
    smoothing = 0.0
    if "+" in family and family.split("+", 1)[0] in ("counts", "file"):
        family, a = family.split("+", 1)
        smoothing = _number(a, "smoothing A", spec, name)
    if not sep:
        return _explicit_list(spec, name)
    if family not in _FAMILIES:
        known = ", ".join(sorted(_FAMILIES)) + ", mix, temper"
        raise SpecError(f"{name} {spec!r}: unknown distribution family {family!r}; known: {known}")
    if family == "file":
        return _from_file(rest, smoothing, spec, name)
    if family in ("counts", "weights"):
        rest = rest.strip()
        rest = rest[1:-1] if rest.startswith("[") and rest.endswith("]") else rest
    if family == "counts":
        counts = [_number(c, "count", spec, name) for c in rest.split(",")]
        return Distribution.from_counts(counts, smoothing)
    if family == "weights":
        return Distribution.from_weights([_number(c, "weight", spec, name) for c in rest.split(",")])
    params = rest.split(":")
    builder, arity, usage = _FAMILIES[family]
    _arity(params, arity, usage, spec, name)
    k = _integer(params[0], "alphabet size K", spec, name)
    extra = [_number(p, "parameter", spec, name) for p in params[1:]]
    if family == "dirichlet":
        return Distribution.dirichlet(k, extra[0], seed=_integer(params[2], "seed", spec, name))
    return builder(k, *extra)


_FAMILIES = {
    "uniform": (Distribution.uniform, 1, "uniform:K"),
    "zipf": (Distribution.zipf, 2, "zipf:K:S"),
    "geometric": (Distribution.geometric, 2, "geometric:K:R"),
    "dyadic": (Distribution.dyadic, 1, "dyadic:K"),
    "dirichlet": (None, 3, "dirichlet:K:ALPHA:SEED"),
    "counts": (None, 0, "counts[+A]:C1,C2,..."),
    "weights": (None, 0, "weights:W1,W2,..."),
    "file": (None, 0, "file[+A]:PATH"),
}


def _explicit_list(spec: str, name: str) -> Distribution:
    body = spec[1:-1] if spec.startswith("[") and spec.endswith("]") else spec
    values, labels = [], []
    for i, item in enumerate(body.split(",")):
        label, eq, value = item.rpartition("=")
        if eq:
            labels.append(label.strip())
        values.append(_number(value, f"probability #{i}", spec, name))
    if labels and len(labels) != len(values):
        raise SpecError(f"{name} {spec!r}: label every entry ('a=0.5,b=0.5') or none")
    return Distribution(values, labels or None, name=name)


def _from_file(path: str, smoothing: float, spec: str, name: str) -> Distribution:
    if not path:
        raise SpecError(f"{name} {spec!r}: file spec needs a path, as in 'file:data.txt'")
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise SpecError(f"{name} {spec!r}: cannot read {path!r}: {exc.strerror}") from None
    if not data and smoothing == 0:
        raise SpecError(f"{name} {spec!r}: {path!r} is empty; use file+A:PATH to smooth")
    return Distribution.from_bytes(data, smoothing)


def _split_top_level(text: str, spec: str, name: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
            if depth < 0:
                raise SpecError(f"{name} {spec!r}: unbalanced bracket at character {i}")
        elif ch == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    if depth != 0:
        raise SpecError(f"{name} {spec!r}: unbalanced bracket")
    parts.append(text[start:].strip())
    return parts


def _arity(args: list, count: int, usage: str, spec: str, name: str) -> None:
    if len(args) != count:
        raise SpecError(f"{name} {spec!r}: expected {usage} ({count} arguments), got {len(args)}")


def _number(text: str, what: str, spec: str, name: str) -> float:
    try:
        value = Fraction(text.strip())
    except (ValueError, ZeroDivisionError):
        try:
            value = float(text.strip())
        except ValueError:
            raise SpecError(f"{name} {spec!r}: {what} must be a number; got {text.strip()!r}") from None
    try:
        value = float(value)
    except OverflowError:  # float(Fraction("1e400"))
        value = math.inf
    if not math.isfinite(value):
        raise SpecError(f"{name} {spec!r}: {what} must be finite; got {text.strip()!r}")
    return value


def _integer(text: str, what: str, spec: str, name: str) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise SpecError(f"{name} {spec!r}: {what} must be an integer; got {text.strip()!r}") from None
    if value < 0:
        raise SpecError(f"{name} {spec!r}: {what} must be non-negative; got {value}")
    return value


# ----------------------------------------------------------------------------- sources

SOURCE_HELP = (
    "a distribution spec (i.i.d. symbols; the grammar under --q) or a Markov chain: 'markov:K:ORDER:ALPHA:SEED' "
    "(a random chain of order ORDER over K symbols, each row drawn from Dirichlet(ALPHA), reproducible by "
    "SEED) or 'markov-file[+A]:ORDER:PATH' (the order-ORDER chain of a file's bytes, K = 256, transitions "
    "counted and add-A smoothed). A chain starts from its stationary law."
)


def parse_source(spec: str, *, name: str = "p"):
    """A source from a spec: a Markov chain for the ``markov`` families, else the i.i.d. source
    of a distribution spec (:func:`parse_distribution`).

    ::

        SOURCE := SPEC                              i.i.d. symbols from a distribution spec
                | markov:K:ORDER:ALPHA:SEED         random chain, rows ~ Dirichlet(ALPHA)
                | markov-file:ORDER:PATH            chain of a file's bytes (K = 256)
                | markov-file+A:ORDER:PATH          the same, transition counts add-A smoothed

    >>> parse_source("markov:3:2:0.5:7")
    Markov(K=3, order=2)
    >>> parse_source("zipf:8:1.1").order
    0
    """
    from .errors import ModelError
    from .models import IID, Markov

    text = spec.strip() if isinstance(spec, str) else spec
    head, sep, rest = text.partition(":") if isinstance(text, str) else ("", "", "")
    family, plus, smooth = head.strip().lower().partition("+")
    if family not in ("markov", "markov-file"):
        return IID(parse_distribution(spec, name=name))
    try:
        if family == "markov":
            if plus:
                raise SpecError(f"{name} {spec!r}: a random chain takes no smoothing; expected markov:K:ORDER:ALPHA:SEED")
            fields = rest.split(":")
            if len(fields) != 4:
                raise SpecError(f"{name} {spec!r}: expected markov:K:ORDER:ALPHA:SEED (4 arguments), got {len(fields)}")
            k, order, seed = (_integer(fields[i], what, spec, name) for i, what in ((0, "alphabet size K"),
                                                                                    (1, "order"), (3, "seed")))
            return Markov.random(k, order, _number(fields[2], "Dirichlet ALPHA", spec, name), seed=seed)
        smoothing = _number(smooth, "smoothing A", spec, name) if plus else 0.0
        if smoothing < 0:
            raise SpecError(f"{name} {spec!r}: smoothing A must be >= 0; got {smooth!r}")
        order_text, colon, path = rest.partition(":")
        if not colon or not path:
            raise SpecError(f"{name} {spec!r}: expected markov-file[+A]:ORDER:PATH")
        order = _integer(order_text, "order", spec, name)
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise SpecError(f"{name} {spec!r}: cannot read {path!r}: {exc.strerror}") from None
        if len(data) <= order:
            raise SpecError(f"{name} {spec!r}: {path!r} has {len(data)} bytes, no transition of order {order}")
        return Markov.from_bytes(data, order, smoothing)
    except ModelError as exc:
        raise SpecError(f"{name} {spec!r}: {exc}") from None
