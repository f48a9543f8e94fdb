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

**Exact.** Every number written as a decimal or a fraction is read as the exact rational it
denotes (``0.1`` is 1/10, not the binary64 number nearest to it), so explicit lists,
``weights:``, ``counts:`` (with ``+A``), ``file:``, ``uniform:K``, ``dyadic:K`` and ``mix`` of
those with a rational ``W`` give exact distributions: a list that sums to exactly 1 is never
renormalised, and the code constructions decide on the exact values (``0.1,0.25,0.65`` has
Shannon lengths 4, 2, 1). ``zipf``, ``geometric``, ``dirichlet`` and ``temper`` compute
logarithms or powers and give floats (:mod:`codebook.distributions`).

**Limits**, checked before any work that they bound (a spec over them is refused with
:class:`SpecError`): at most ``MAX_SPEC_CHARS`` characters, brackets nested at most
``MAX_NESTING`` deep, numbers of at most ``MAX_NUMBER_CHARS`` characters with a decimal
exponent of magnitude at most ``MAX_EXPONENT`` (so no number costs a huge integer),
alphabets of at most ``MAX_ALPHABET`` symbols, and ``file:`` reads at most
``MAX_FILE_BYTES`` from a regular file (its size is checked first) and at most
``MAX_STREAM_BYTES`` from a pipe or device, counting in chunks (memory stays bounded).
"""

from __future__ import annotations

import math
import os
import re
import stat
from fractions import Fraction

import numpy as np

from .distributions import SUM_TOLERANCE, Distribution, count_bytes, show_number
from .errors import CodebookError, DistributionError, SpecError

SPEC_HELP = (
    "Distribution spec: '0.5,0.25,0.25' or '1/2,1/4,1/4' (exact; must sum to 1), 'uniform:K', "
    "'zipf:K:S', 'geometric:K:R', 'dyadic:K', 'dirichlet:K:ALPHA:SEED', 'weights:W1,W2,..', "
    "'counts[+A]:C1,C2,..', 'file[+A]:PATH' (byte distribution, add-A smoothed), "
    "'mix(SPEC, SPEC, W)' = (1-W)*first + W*second, 'temper(SPEC, T)'."
)

MAX_SPEC_CHARS = 1_000_000
"""Longest spec accepted, in characters."""

MAX_NESTING = 32
"""Deepest bracket nesting accepted (``mix(`` / ``temper(`` / ``[``), checked in one pass first."""

MAX_NUMBER_CHARS = 1000
"""Longest number accepted, in characters."""

MAX_EXPONENT = 1000
"""Largest magnitude of a decimal exponent (``1e-1000``); ``1e1000000000`` is refused at once."""

MAX_ALPHABET = 1 << 24
"""Largest K of a family (``uniform:K`` ...): the largest alphabet a coder accepts."""

MAX_FILE_BYTES = 1 << 30
"""Largest regular file ``file:`` reads (1 GiB, as the file container); checked by its size."""

MAX_STREAM_BYTES = 64 << 20
"""Most bytes ``file:`` reads from a pipe or device (64 MiB), whose size is not known first."""

_CHUNK = 1 << 20
_BRACKETS = re.compile(r"[()\[\]]")
_SPLITTERS = re.compile(r"[(\[,]")
_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE]([+-]?\d+))?")
_RATIO = re.compile(r"[+-]?\d+/\d+")
_INTEGER = re.compile(r"\+?\d{1,30}")


def parse_distribution(spec: str, *, name: str = "spec") -> Distribution:
    """Build a :class:`Distribution` from a spec string (grammar in the module docstring).

    Raises :class:`SpecError` (a ``ValueError``) naming the spec and what is wrong; validation
    errors of the resulting vector (negative, not summing to 1) keep their own types.

    >>> parse_distribution("1/2,1/4,1/4").probs.tolist()
    [0.5, 0.25, 0.25]
    >>> parse_distribution("0.1,0.25,0.65").exact
    (Fraction(1, 10), Fraction(1, 4), Fraction(13, 20))
    >>> len(parse_distribution("mix(zipf:8:1, uniform:8, 0.3)"))
    8
    """
    if not isinstance(spec, str) or not spec.strip():
        raise SpecError(f"`{name}` must be a non-empty distribution spec; got {spec!r}")
    if len(spec) > MAX_SPEC_CHARS:
        raise SpecError(
            f"`{name}` spec is {len(spec)} characters long; specs are limited to {MAX_SPEC_CHARS} characters"
        )
    text = spec.strip()
    try:
        return _Parser(text, name).parse(0, len(text))
    except SpecError:
        raise
    except CodebookError as exc:
        raise type(exc)(f"{name} {_quoted(text)}: {exc}") from None


def _quoted(spec: str) -> str:
    """The spec as messages show it: in full when short, else its start and its length."""
    return repr(spec) if len(spec) <= 120 else f"{spec[:100]!r}... ({len(spec)} characters)"


class _Parser:
    """Recursive descent over one spec string, in time linear in its length.

    One pass matches the brackets (refusing unbalanced ones and nesting deeper than
    ``MAX_NESTING``); splitting a combinator's arguments then jumps over bracketed groups,
    so each character is looked at a bounded number of times whatever the nesting."""

    def __init__(self, spec: str, name: str):
        self.spec, self.name = spec, name
        self.match: dict[int, int] = {}
        stack: list[int] = []
        for m in _BRACKETS.finditer(spec):
            i, ch = m.start(), m.group()
            if ch in "([":
                stack.append(i)
                if len(stack) > MAX_NESTING:
                    self.fail(f"brackets nested more than {MAX_NESTING} deep (at character {i})")
            elif not stack or "([".index(spec[stack[-1]]) != ")]".index(ch):
                self.fail(f"unbalanced bracket {ch!r} at character {i}")
            else:
                self.match[stack.pop()] = i
        if stack:
            self.fail(f"unbalanced bracket: {spec[stack[-1]]!r} at character {stack[-1]} is never closed")

    def fail(self, message: str):
        raise SpecError(f"{self.name} {_quoted(self.spec)}: {message}")

    def parse(self, lo: int, hi: int) -> Distribution:
        spec = self.spec
        while lo < hi and spec[lo].isspace():
            lo += 1
        while hi > lo and spec[hi - 1].isspace():
            hi -= 1
        if lo == hi:
            self.fail("a spec inside it is empty")
        opening = spec.find("(", lo, hi)
        head = spec[lo:opening].strip().lower() if opening >= 0 else ""
        if head in ("mix", "temper") and self.match[opening] == hi - 1:
            args = self.split(opening + 1, hi - 1)
            if head == "mix":
                if len(args) != 3:
                    self.fail(f"expected mix(SPEC, SPEC, W) (3 arguments), got {len(args)}")
                a, b = self.parse(*args[0]), self.parse(*args[1])
                return a.mix(b, parse_number(self.text(args[2]), "mixture weight W", self.fail))
            # T is the last argument, so the spec before it may be a list with commas.
            if len(args) < 2:
                self.fail("expected temper(SPEC, T) (2 arguments)")
            inner = self.parse(args[0][0], args[-2][1])
            return inner.temper(parse_real(self.text(args[-1]), "temperature T", self.fail))
        return _Leaf(self, spec[lo:hi]).parse()

    def split(self, lo: int, hi: int) -> list[tuple[int, int]]:
        """The top-level comma-separated parts of ``spec[lo:hi]``, as index ranges."""
        parts, start, i = [], lo, lo
        while (m := _SPLITTERS.search(self.spec, i, hi)) is not None:
            j = m.start()
            if self.spec[j] == ",":
                parts.append((start, j))
                start = i = j + 1
            else:
                i = self.match[j] + 1
        parts.append((start, hi))
        return parts

    def text(self, where: tuple[int, int]) -> str:
        return self.spec[where[0] : where[1]]


def parse_number(text: str, what: str, fail) -> Fraction:
    """The exact rational a decimal (``0.1``, ``-2.5e-3``) or fraction (``1/3``) denotes.

    Sizes are checked on the string before any big-integer work: at most
    ``MAX_NUMBER_CHARS`` characters and a decimal exponent of magnitude at most
    ``MAX_EXPONENT``. ``fail(message)`` raises the caller's error."""
    t = text.strip()
    if len(t) > MAX_NUMBER_CHARS:
        fail(f"{what} has {len(t)} characters; numbers are limited to {MAX_NUMBER_CHARS}")
    m = _DECIMAL.fullmatch(t)
    if m is not None:
        if m.group(1) is not None and abs(int(m.group(1))) > MAX_EXPONENT:
            fail(f"{what} has the exponent {m.group(1)}; exponents are limited to +-{MAX_EXPONENT}")
        return Fraction(t)
    if _RATIO.fullmatch(t) is not None:
        numerator, denominator = t.split("/")
        if int(denominator) == 0:
            fail(f"{what} divides by zero: {t!r}")
        return Fraction(int(numerator), int(denominator))
    try:
        value = float(t)
    except ValueError:
        value = None
    if value is not None and not math.isfinite(value):
        fail(f"{what} must be finite; got {t!r}")
    fail(f"{what} must be a number; got {t!r}")


def parse_real(text: str, what: str, fail) -> float:
    """A parameter used as a float (exponents, ratios, temperatures, pseudo-counts): the
    :func:`parse_number` of ``text`` rounded to binary64, refusing one beyond its range."""
    try:
        return float(parse_number(text, what, fail))
    except OverflowError:  # float(Fraction(10**400))
        fail(f"{what} must be finite; got {text.strip()!r}")


def parse_integer(text: str, what: str, fail) -> int:
    """A non-negative integer of at most 30 digits (sizes, orders, seeds)."""
    t = text.strip()
    if _INTEGER.fullmatch(t) is None:
        fail(f"{what} must be an integer; got {t[:40]!r}")
    return int(t)


class _Leaf:
    """A spec without combinators: an explicit list or a family."""

    def __init__(self, parser: _Parser, text: str):
        self.parser, self.text = parser, text

    def fail(self, message: str):
        self.parser.fail(message)

    def number(self, text: str, what: str) -> Fraction:
        return parse_number(text, what, self.fail)

    def integer(self, text: str, what: str) -> int:
        return parse_integer(text, what, self.fail)

    def parse(self) -> Distribution:
        family, sep, rest = self.text.partition(":")
        family = family.strip().lower()
        if not sep:
            return self.explicit_list()
        smoothing = Fraction(0)
        if "+" in family and family.split("+", 1)[0] in ("counts", "file"):
            family, a = family.split("+", 1)
            smoothing = self.number(a, "smoothing A")
        if family not in _FAMILIES:
            known = ", ".join(sorted(_FAMILIES)) + ", mix, temper"
            self.fail(f"unknown distribution family {family[:40]!r}; known: {known}")
        if family == "file":
            return self.from_file(rest.strip(), smoothing)
        if family in ("counts", "weights"):
            rest = rest.strip()
            rest = rest[1:-1] if rest.startswith("[") and rest.endswith("]") else rest
            values = [self.number(c, family[:-1]) for c in rest.split(",")]
            if family == "counts":
                return Distribution.from_counts(values, smoothing)
            return Distribution.from_weights(values)
        params = rest.split(":")
        arity, usage = _FAMILIES[family]
        if len(params) != arity:
            self.fail(f"expected {usage} ({arity} arguments), got {len(params)}")
        k = self.integer(params[0], "alphabet size K")
        if k > MAX_ALPHABET:
            self.fail(f"alphabet size K must be at most {MAX_ALPHABET}; got {k}")
        if family == "uniform":
            return Distribution.uniform(k)
        if family == "dyadic":
            return Distribution.dyadic(k)
        real = parse_real(params[1], "parameter", self.fail)
        if family == "zipf":
            return Distribution.zipf(k, real)
        if family == "geometric":
            return Distribution.geometric(k, real)
        return Distribution.dirichlet(k, real, seed=self.integer(params[2], "seed"))

    def explicit_list(self) -> Distribution:
        text = self.text
        body = text[1:-1] if text.startswith("[") and text.endswith("]") else text
        values, labels = [], []
        for i, item in enumerate(body.split(",")):
            label, eq, value = item.rpartition("=")
            if eq:
                labels.append(label.strip())
            values.append(self.number(value, f"probability #{i}"))
        if labels and len(labels) != len(values):
            self.fail("label every entry ('a=0.5,b=0.5') or none")
        total = sum(values)
        if all(v >= 0 for v in values) and abs(total - 1) > Fraction(SUM_TOLERANCE):
            name = self.parser.name
            hint = f"weights:{body.strip()}" if not labels and len(body) <= 200 else "weights:W1,W2,..."
            raise DistributionError(
                f"`{name}` must sum to 1 (within {SUM_TOLERANCE:g}); sum({name}) = {show_number(total)}. "
                f"To normalise explicitly, write {hint}"
            )
        return Distribution(values, labels or None, name=self.parser.name)

    def from_file(self, path: str, smoothing: Fraction) -> Distribution:
        if not path:
            self.fail("file spec needs a path, as in 'file:data.txt'")
        try:
            info = os.stat(path)
            if stat.S_ISDIR(info.st_mode):
                self.fail(f"cannot read {path!r}: it is a directory")
            regular = stat.S_ISREG(info.st_mode)
            if regular and info.st_size > MAX_FILE_BYTES:
                self.fail(f"{path!r} has {info.st_size} bytes; file: reads at most {MAX_FILE_BYTES} bytes")
            limit = MAX_FILE_BYTES if regular else MAX_STREAM_BYTES
            counts = np.zeros(256, dtype=np.int64)
            seen = 0
            with open(path, "rb") as handle:
                while chunk := handle.read(_CHUNK):
                    seen += len(chunk)
                    if seen > limit:
                        what = "file" if regular else "pipe or device"
                        self.fail(f"{path!r} ({what}) is longer than the {limit} bytes file: reads")
                    counts += count_bytes(chunk)
        except SpecError:
            raise
        except OSError as exc:
            self.fail(f"cannot read {path!r}: {exc.strerror or exc}")
        except ValueError as exc:  # a path the OS cannot take ("embedded null byte")
            self.fail(f"cannot read {path!r}: {exc}")
        if seen == 0 and smoothing == 0:
            self.fail(f"{path!r} is empty; use file+A:PATH to smooth")
        return Distribution.from_counts(counts, smoothing)


_FAMILIES = {
    "uniform": (1, "uniform:K"),
    "zipf": (2, "zipf:K:S"),
    "geometric": (2, "geometric:K:R"),
    "dyadic": (1, "dyadic:K"),
    "dirichlet": (3, "dirichlet:K:ALPHA:SEED"),
    "counts": (0, "counts[+A]:C1,C2,..."),
    "weights": (0, "weights:W1,W2,..."),
    "file": (0, "file[+A]:PATH"),
}
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

    if not isinstance(spec, str):
        return IID(parse_distribution(spec, name=name))
    head, _, rest = spec.strip().partition(":")
    family, plus, smooth = head.strip().lower().partition("+")
    if family not in ("markov", "markov-file"):
        return IID(parse_distribution(spec, name=name))

    def fail(message: str):
        raise SpecError(f"{name} {_quoted(spec)}: {message}")

    try:
        if family == "markov":
            fields = rest.split(":")
            if plus or len(fields) != 4:
                fail(f"expected markov:K:ORDER:ALPHA:SEED (4 arguments{', no smoothing' if plus else ''}), "
                     f"got {len(fields)}")
            k, order, seed = (parse_integer(fields[i], what, fail)
                              for i, what in ((0, "alphabet size K"), (1, "order"), (3, "seed")))
            alpha = parse_real(fields[2], "Dirichlet ALPHA", fail)
            return Markov.random(k, order, alpha, seed=seed)
        smoothing = parse_real(smooth, "smoothing A", fail) if plus else 0.0
        if smoothing < 0:
            fail(f"smoothing A must be >= 0; got {smooth!r}")
        order_text, colon, path = rest.partition(":")
        if not colon or not path:
            fail("expected markov-file[+A]:ORDER:PATH")
        order = parse_integer(order_text, "order", fail)
        try:
            if os.stat(path).st_size > MAX_FILE_BYTES:
                fail(f"{path!r} is longer than the {MAX_FILE_BYTES} bytes a file spec reads")
            with open(path, "rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            fail(f"cannot read {path!r}: {exc.strerror or exc}")
        if len(data) <= order:
            fail(f"{path!r} has {len(data)} bytes, no transition of order {order}")
        return Markov.from_bytes(data, order, smoothing)
    except ModelError as exc:
        raise SpecError(f"{name} {spec!r}: {exc}") from None
