"""Validated probability mass functions over the symbols 0..K-1.

A :class:`Distribution` is immutable and refuses bad input: it is non-empty, finite,
non-negative and sums to 1 within ``SUM_TOLERANCE``. Nothing is renormalised silently;
normalising is explicit (:meth:`Distribution.from_weights`, :meth:`Distribution.from_counts`).

Every Distribution denotes one exact pmf, which the code constructions (Huffman merges and
ties, Shannon lengths, Shannon-Fano-Elias midpoints) and ``kl_divergence`` compute with:

* **Exact input** (Python ints, :class:`~fractions.Fraction`, :class:`~decimal.Decimal`, NumPy
  integer arrays; counts; integer or rational weights; ``uniform:K``, ``dyadic:K``, and every
  decimal, fraction, count and weight written in a spec): the rationals given, kept exactly as
  integer numerators over one common denominator (:attr:`Distribution.exact`). A vector that
  sums to exactly 1 is used as it is; one within the tolerance is normalised exactly.
  ``probs`` is the float64 view, each entry correctly rounded.
* **Float input** (float arrays and lists, the families ``zipf``, ``geometric``,
  ``dirichlet``, ``temper``): the floats are taken at their exact binary64 values and the
  vector is understood as its exact normalisation (``codebook theory`` conventions); ``probs``
  holds the floats as given.

Mixing keeps exactness when both sides and the weight are exact; anything involving a float
distribution, a power or a logarithm is float.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal, localcontext
from fractions import Fraction
from numbers import Rational

import numpy as np

from .errors import AlphabetMismatchError, DistributionError
from .exact import dyadic_numerators

SUM_TOLERANCE = 1e-9
"""How far ``sum(p)`` may be from 1 (absolute) before a vector is refused."""


def _first_index(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def _as_float_vector(values, name: str) -> np.ndarray:
    """Convert array-likes, including ``Fraction`` entries, to a 1-D float64 array."""
    arr = np.asarray(values, dtype=object) if not isinstance(values, np.ndarray) else values
    if arr.ndim != 1:
        raise DistributionError(f"`{name}` must be one-dimensional; got shape {arr.shape}")
    if arr.dtype.kind in "fiub":
        return arr.astype(np.float64, copy=True)
    try:
        return np.array([float(v) for v in arr], dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise DistributionError(f"`{name}` must contain numbers; {exc}") from None


def validate_weights(values, name: str = "p") -> np.ndarray:
    """Return ``values`` as float64 after checking: non-empty, finite, non-negative."""
    arr = _as_float_vector(values, name)
    if arr.size == 0:
        raise DistributionError(f"`{name}` must have at least one entry; got an empty vector")
    bad = ~np.isfinite(arr)
    if bad.any():
        i = _first_index(bad)
        raise DistributionError(f"`{name}` must be finite; {name}[{i}] = {float(arr[i])!r}")
    bad = arr < 0
    if bad.any():
        i = _first_index(bad)
        raise DistributionError(f"`{name}` must be non-negative; {name}[{i}] = {float(arr[i])!r}")
    return arr


def validate_pmf(values, name: str = "p") -> np.ndarray:
    """Return ``values`` as a float64 pmf, or raise :class:`DistributionError`.

    Rules: non-empty, finite, non-negative, ``|sum - 1| <= SUM_TOLERANCE`` (sum taken exactly
    with :func:`math.fsum`). The message names the rule, the offending value and its index.
    """
    arr = validate_weights(values, name)
    total = math.fsum(arr.tolist())
    if abs(total - 1.0) > SUM_TOLERANCE:
        raise DistributionError(
            f"`{name}` must sum to 1 (within {SUM_TOLERANCE:g}); sum({name}) = {total!r}. "
            "Use Distribution.from_weights to normalise explicitly"
        )
    return arr


# ----------------------------------------------------------------------- exact input
_EXACT_TYPES = (int, np.integer, Rational, Decimal)


def _is_exact_input(values) -> bool:
    """True for integer arrays and for sequences whose entries are all ints, Fractions or
    Decimals (not bools); any float entry makes the input a float vector."""
    if isinstance(values, np.ndarray):
        if values.dtype.kind in "iu":
            return True
        if values.dtype.kind != "O":
            return False
        values = values.tolist()
    elif not isinstance(values, (list, tuple)):
        return False
    return bool(values) and all(isinstance(v, _EXACT_TYPES) and not isinstance(v, (bool, np.bool_)) for v in values)


def _as_fraction(value, name: str, i: int) -> Fraction:
    try:
        return Fraction(value)
    except (ValueError, OverflowError):  # Decimal('NaN'), Decimal('Infinity')
        raise DistributionError(f"`{name}` must be finite; {name}[{i}] = {value}") from None


def show_number(value) -> str:
    """A short, exact-where-possible rendering of a number for messages: ``0.25``, ``1/3``,
    ``1e+400`` (17 significant digits where the exact form would be long)."""
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    frac = Fraction(value)
    if frac.denominator == 1 and abs(frac.numerator) < 10**30:
        return str(frac.numerator)
    den, twos, fives = frac.denominator, 0, 0
    while den % 2 == 0:
        den, twos = den // 2, twos + 1
    while den % 5 == 0:
        den, fives = den // 5, fives + 1
    if den == 1 and 0 < max(twos, fives) <= 30:  # a terminating decimal of at most 30 places
        digits = max(twos, fives)
        text = str(int(abs(frac) * 10**digits)).rjust(digits + 1, "0")
        text = f"{text[:-digits]}.{text[-digits:]}".rstrip("0").rstrip(".")
        return ("-" if frac < 0 else "") + text
    text = f"{frac.numerator}/{frac.denominator}"
    if frac.denominator > 1 and len(text) <= 40:
        return text
    with localcontext() as ctx:  # Decimal: no overflow for 1e400 or 1e-400
        ctx.prec = 17
        return format((Decimal(frac.numerator) / Decimal(frac.denominator)).normalize(), "g")


def _integer_array(values: list[int]) -> np.ndarray:
    """Read-only int64 array if every value fits, else an object array of Python ints."""
    big = any(v >= 1 << 62 or v < -(1 << 62) for v in values)
    if big:
        arr = np.empty(len(values), dtype=object)
        arr[:] = values
    else:
        arr = np.array(values, dtype=np.int64)
    arr.setflags(write=False)
    return arr


def _reduced(nums, den: int) -> tuple[np.ndarray, int]:
    """``(numerators, denominator)`` divided by their common factor, numerators read-only.

    ``nums`` are non-negative ints (a list, or an int64 array whose sum fits in int64)."""
    if isinstance(nums, np.ndarray) and nums.dtype != object:
        g = math.gcd(int(np.gcd.reduce(nums)) if nums.size else 0, den) or 1
        out = nums // g if g > 1 else nums.copy()
        out.setflags(write=False)
        return out, den // g
    nums = [int(v) for v in nums]
    g = math.gcd(*nums, den) or 1
    return _integer_array([v // g for v in nums]), den // g


def _fits_int64_sum(arr: np.ndarray) -> bool:
    """True if ``arr`` (integers) is non-negative-safe to sum in int64 without overflow."""
    return arr.dtype != object and (arr.size == 0 or int(np.abs(arr).max()) < (1 << 62) // arr.size)


def _float_view(nums: np.ndarray, den: int, name: str) -> np.ndarray:
    """``nums / den`` correctly rounded to float64, refusing a positive entry that rounds to 0."""
    if nums.dtype != object and den < (1 << 53) and (nums.size == 0 or int(nums.max()) < (1 << 53)):
        view = nums.astype(np.float64) / float(den)  # both exact, so IEEE division rounds correctly
    else:
        view = np.array([int(v) / den for v in nums.tolist()], dtype=np.float64)
        lost = (view == 0) & (nums != 0)
        if lost.any():
            i = _first_index(lost)
            raise DistributionError(
                f"`{name}` has a probability too small for binary64: {name}[{i}] = "
                f"{show_number(Fraction(int(nums[i]), den))} is positive but below 4.9e-324"
            )
    view.setflags(write=False)
    return view


def _exact_weights(values, name: str) -> tuple[list[int] | np.ndarray, int]:
    """Exact non-negative input as integers over one common denominator: ``(ints, common)``
    with ``values[i] = ints[i] / common``. Refuses empty, non-finite and negative input with
    the messages of :func:`validate_weights`."""
    if isinstance(values, np.ndarray) and values.dtype.kind in "iu":
        if values.ndim != 1:
            raise DistributionError(f"`{name}` must be one-dimensional; got shape {values.shape}")
        if values.size == 0:
            raise DistributionError(f"`{name}` must have at least one entry; got an empty vector")
        if (values < 0).any():
            i = _first_index(values < 0)
            raise DistributionError(f"`{name}` must be non-negative; {name}[{i}] = {int(values[i])}")
        if values.dtype == np.uint64 or not _fits_int64_sum(values.astype(np.int64, copy=False)):
            return [int(v) for v in values.tolist()], 1
        return values.astype(np.int64), 1
    fracs = [_as_fraction(v, name, i) for i, v in enumerate(values)]
    if not fracs:
        raise DistributionError(f"`{name}` must have at least one entry; got an empty vector")
    for i, v in enumerate(fracs):
        if v < 0:
            raise DistributionError(f"`{name}` must be non-negative; {name}[{i}] = {show_number(v)}")
    common = math.lcm(*(v.denominator for v in fracs))
    return [v.numerator * (common // v.denominator) for v in fracs], common


def _integer_sum(ints) -> int:
    return int(ints.sum()) if isinstance(ints, np.ndarray) else sum(ints)


def _exact_pmf(values, name: str) -> tuple[np.ndarray, np.ndarray, int]:
    """Validate exact input (the rules and messages of :func:`validate_pmf`, decided
    exactly) and return ``(float view, numerators, denominator)`` of its exact normalisation."""
    ints, common = _exact_weights(values, name)
    total = _integer_sum(ints)
    if abs(Fraction(total, common) - 1) > Fraction(SUM_TOLERANCE):
        raise DistributionError(
            f"`{name}` must sum to 1 (within {SUM_TOLERANCE:g}); sum({name}) = "
            f"{show_number(Fraction(total, common))}. Use Distribution.from_weights to normalise explicitly"
        )
    nums, den = _reduced(ints, total)
    return _float_view(nums, den, name), nums, den


def _smoothing(value) -> Fraction:
    """The smoothing pseudo-count as an exact non-negative rational (a float at its binary64 value)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (*_EXACT_TYPES, float, np.floating)):
        raise DistributionError(f"`smoothing` must be a number; got {value!r}")
    try:
        a = Fraction(value)
    except (ValueError, OverflowError):  # nan, inf
        a = None
    if a is None or a < 0:
        raise DistributionError(f"`smoothing` must be finite and >= 0; got {show_number(value)}")
    return a


def _make_rng(seed, rng) -> np.random.Generator:
    if rng is not None and seed is not None:
        raise ValueError("give either `seed` or `rng`, not both")
    if rng is not None:
        return rng
    return np.random.default_rng(seed)


class Distribution:
    """A probability mass function over the symbols ``0..K-1``.

    Parameters
    ----------
    probs : array-like of float or Fraction
        Probabilities; validated by :func:`validate_pmf` (no silent renormalisation).
    labels : sequence of str, optional
        Display names of the symbols (symbols themselves are always the integers 0..K-1).
    name : str
        Used in error messages ("`q` must be non-negative; q[3] = -0.2").

    Examples
    --------
    >>> from codebook import Distribution
    >>> d = Distribution([0.5, 0.25, 0.25])
    >>> len(d), d.probs.tolist()
    (3, [0.5, 0.25, 0.25])
    >>> d.sample(5, seed=1).dtype
    dtype('int64')
    """

    __slots__ = ("_probs", "_labels", "_num", "_den")

    def __init__(self, probs, labels: Sequence[str] | None = None, *, name: str = "p"):
        self._num = self._den = None
        if isinstance(probs, Distribution):
            arr = probs.probs
            self._num, self._den = probs._num, probs._den
            labels = labels if labels is not None else probs.labels
        elif _is_exact_input(probs):
            arr, self._num, self._den = _exact_pmf(probs, name)
        else:
            arr = validate_pmf(probs, name)
            arr.setflags(write=False)
        self._probs = arr
        if labels is not None:
            labels = tuple(str(label) for label in labels)
            if len(labels) != arr.size:
                raise DistributionError(
                    f"`labels` must have one entry per symbol; got {len(labels)} labels "
                    f"for {arr.size} symbols"
                )
        self._labels = labels

    @classmethod
    def _exact(cls, ints, total: int, labels=None, *, name: str = "p") -> Distribution:
        """The pmf ``ints / total`` (non-negative integers, ``total = sum(ints) > 0``), exactly."""
        obj = cls.__new__(cls)
        obj._num, obj._den = _reduced(ints, total)
        obj._probs = _float_view(obj._num, obj._den, name)
        obj._labels = None
        if labels is not None:
            return cls(obj, labels)
        return obj

    # ----------------------------------------------------------------- construction
    @classmethod
    def from_weights(cls, weights, labels=None, *, name: str = "weights") -> Distribution:
        """Normalise non-negative weights explicitly: ``p = w / sum(w)``.

        Exact weights (ints, Fractions, Decimals, integer arrays) give an exact distribution;
        float weights are normalised in floats, as the exact normalisation of their values."""
        if _is_exact_input(weights):
            ints, _ = _exact_weights(weights, name)
            total = _integer_sum(ints)
            if total <= 0:
                raise DistributionError(f"`{name}` must have a positive, finite sum; sum({name}) = 0")
            return cls._exact(ints, total, labels, name=name)
        arr = validate_weights(weights, name)
        try:
            total = math.fsum(arr.tolist())
        except OverflowError:
            total = math.inf
        if not (0 < total < math.inf):
            raise DistributionError(f"`{name}` must have a positive, finite sum; sum({name}) = {total!r}")
        return cls(arr / total, labels, name=name)

    @classmethod
    def from_counts(cls, counts, smoothing=0, labels=None) -> Distribution:
        """Plug-in estimate ``p(x) = (c(x) + a) / (n + K a)`` with additive smoothing ``a``.

        ``smoothing=0`` is the maximum-likelihood estimate (unseen symbols get probability 0);
        ``0.5`` is Krichevsky-Trofimov, ``1`` is Laplace. Exact counts (integers, Fractions)
        give an exact distribution; a float ``smoothing`` is taken at its binary64 value
        (0.5 is exactly 1/2). Float counts give a float distribution.
        """
        a = _smoothing(smoothing)
        if _is_exact_input(counts):
            ints, common = _exact_weights(counts, "counts")
            if a:  # c / common + a_n / a_d over the common denominator common * a_d
                shift = a.numerator * common
                if isinstance(ints, np.ndarray) and int(ints.max()) * a.denominator + shift < (1 << 62) // ints.size:
                    ints = ints * a.denominator + shift
                else:
                    ints = [int(c) * a.denominator + shift for c in ints]
            total = _integer_sum(ints)
            if total <= 0:
                raise DistributionError("`counts` must have a positive, finite sum; sum(counts) = 0")
            return cls._exact(ints, total, labels, name="counts")
        arr = validate_weights(counts, "counts") + float(smoothing)
        return cls.from_weights(arr, labels, name="counts")

    @classmethod
    def from_symbols(cls, symbols, alphabet_size: int, smoothing: float = 0.0) -> Distribution:
        """Empirical distribution (type) of integer ``symbols`` over ``0..alphabet_size-1``."""
        arr = np.asarray(symbols)
        if arr.size and arr.dtype.kind not in "iu":
            raise DistributionError(f"`symbols` must be integers; got dtype {arr.dtype}")
        if arr.size and (arr.min() < 0 or arr.max() >= alphabet_size):
            bad = (arr < 0) | (arr >= alphabet_size)
            i = _first_index(bad.ravel())
            raise DistributionError(
                f"`symbols` must lie in 0..{alphabet_size - 1}; symbols[{i}] = {arr.ravel()[i]}"
            )
        counts = np.bincount(arr.ravel().astype(np.int64), minlength=alphabet_size)
        return cls.from_counts(counts, smoothing)

    @classmethod
    def from_bytes(cls, data: bytes, smoothing: float = 0.0) -> Distribution:
        """Empirical order-0 byte distribution of ``data`` (K = 256)."""
        if len(data) == 0 and smoothing == 0:
            raise DistributionError("cannot estimate a byte distribution from empty data without smoothing")
        return cls.from_counts(count_bytes(data), smoothing)

    @classmethod
    def uniform(cls, k: int) -> Distribution:
        """Uniform over ``k`` symbols."""
        _check_size(k)
        return cls._exact(np.ones(k, dtype=np.int64), int(k))

    @classmethod
    def zipf(cls, k: int, s: float) -> Distribution:
        """Truncated Zipf: ``p(x) ∝ (x + 1) ** -s`` for ``x = 0..k-1``."""
        _check_size(k)
        if not math.isfinite(s):
            raise DistributionError(f"zipf exponent `s` must be finite; got {s!r}")
        # Weights relative to the largest one, in logs: no overflow for any finite s.
        logw = -float(s) * np.log(np.arange(1, k + 1, dtype=np.float64))
        return cls.from_weights(np.exp(logw - logw.max()))

    @classmethod
    def geometric(cls, k: int, r: float) -> Distribution:
        """Truncated geometric: ``p(x) ∝ r ** x`` for ``x = 0..k-1``, ``0 < r <= 1``."""
        _check_size(k)
        if not (0 < r <= 1):
            raise DistributionError(f"geometric ratio `r` must be in (0, 1]; got {r!r}")
        return cls.from_weights(float(r) ** np.arange(k, dtype=np.float64))

    @classmethod
    def dyadic(cls, k: int) -> Distribution:
        """``(1/2, 1/4, ..., 2**-(k-1), 2**-(k-1))``: every probability a power of two.

        Exact in binary64 while ``k <= 1075``; beyond that the tail underflows and is refused.
        """
        _check_size(k)
        if k > 1075:
            raise DistributionError(f"dyadic:K needs K <= 1075 (2**-(K-1) underflows); got K = {k}")
        nums = [1 << (k - 1 - i) for i in range(1, k)] + [1] if k > 1 else [1]
        return cls._exact(nums, 1 << (k - 1))

    @classmethod
    def dirichlet(cls, k: int, alpha: float, seed: int | None = None, rng=None) -> Distribution:
        """A random pmf drawn from the symmetric Dirichlet(alpha) distribution, seeded."""
        _check_size(k)
        if not (math.isfinite(alpha) and alpha > 0):
            raise DistributionError(f"dirichlet `alpha` must be > 0; got {alpha!r}")
        gen = _make_rng(seed, rng)
        w = gen.dirichlet(np.full(k, float(alpha)))
        return cls.from_weights(w)

    # ----------------------------------------------------------------- combinators
    def mix(self, other: Distribution, weight) -> Distribution:
        """``(1 - weight) * self + weight * other``: move ``weight`` of the mass towards ``other``.

        Exact when both distributions are exact and ``weight`` is an int, Fraction, Decimal or
        float (a float at its binary64 value); float otherwise."""
        check_same_alphabet(self, other, "first", "second")
        if isinstance(weight, (bool, np.bool_)) or not isinstance(weight, (*_EXACT_TYPES, float, np.floating)):
            raise DistributionError(f"mixture `weight` must be a number; got {weight!r}")
        if not (0 <= weight <= 1):
            raise DistributionError(f"mixture `weight` must be in [0, 1]; got {show_number(weight)}")
        if self.is_exact and other.is_exact:
            w = Fraction(weight)
            # (1 - w) a/A + w b/B over the common denominator w_d * lcm(A, B).
            lcm = math.lcm(self._den, other._den)
            fa, fb = (w.denominator - w.numerator) * (lcm // self._den), w.numerator * (lcm // other._den)
            a, b = self._num, other._num
            if a.dtype != object and b.dtype != object and max(fa, fb, 1) * (int(a.max()) + int(b.max())) < (1 << 62) // a.size:
                ints = a * fa + b * fb
            else:
                ints = [int(x) * fa + int(y) * fb for x, y in zip(a.tolist(), b.tolist())]
            return Distribution._exact(ints, w.denominator * lcm)
        weight = float(weight)
        return Distribution.from_weights((1 - weight) * self._probs + weight * other._probs)

    def temper(self, temperature: float) -> Distribution:
        """``p(x) ** (1/T)`` renormalised (zeros stay zero). T > 1 flattens, T < 1 sharpens."""
        if not (math.isfinite(temperature) and temperature > 0):
            raise DistributionError(f"`temperature` must be > 0; got {temperature!r}")
        if temperature == 1:
            return self  # p ** 1, exact or not
        p = self._probs
        out = np.zeros_like(p)
        pos = p > 0
        # Subtract the largest log before dividing by T, so a tiny T cannot make -inf - -inf.
        logp = np.log(p[pos])
        with np.errstate(over="ignore"):  # a tiny T sends the others to -inf: weight 0
            out[pos] = np.exp((logp - logp.max()) / temperature)
        return Distribution.from_weights(out)

    # ----------------------------------------------------------------- access
    @property
    def probs(self) -> np.ndarray:
        """The probabilities as a read-only float64 array of length K."""
        return self._probs

    @property
    def labels(self) -> tuple[str, ...] | None:
        return self._labels

    @property
    def is_exact(self) -> bool:
        """True if the distribution was given as exact rationals (``probs`` is then a rounded view)."""
        return self._num is not None

    @property
    def exact(self) -> tuple[Fraction, ...]:
        """The exact pmf the code constructions use, as Fractions summing to exactly 1.

        For exact input, the rationals given (normalised exactly); for float input, the
        binary64 values of ``probs`` normalised exactly."""
        if self._num is not None:
            return tuple(Fraction(int(v), self._den) for v in self._num.tolist())
        values = [Fraction(float(v)) for v in self._probs.tolist()]
        total = sum(values)
        return tuple(v / total for v in values)

    def exact_integers(self) -> tuple[list[int], int]:
        """``(ints, total)`` with the exact pmf equal to ``ints[x] / total`` and ``total =
        sum(ints)``: the integer weights that Huffman, Shannon and Shannon-Fano-Elias decide on.

        For float input ``ints`` are the binary64 values scaled by one power of two (exact)."""
        if self._num is not None:
            return [int(v) for v in self._num.tolist()], int(self._den)
        ints = dyadic_numerators(self._probs)
        return ints, sum(ints)

    @property
    def support(self) -> np.ndarray:
        """Indices of the symbols with positive probability."""
        return np.flatnonzero(self._probs > 0)

    def label(self, symbol: int) -> str:
        return self._labels[symbol] if self._labels else str(symbol)

    def __len__(self) -> int:
        return int(self._probs.size)

    def __array__(self, dtype=None, copy=None):
        return self._probs if dtype is None else self._probs.astype(dtype)

    def __eq__(self, other) -> bool:
        """Same labels and the same pmf: the same float view and, for exact distributions,
        the same exact values (an exact and a float distribution are never equal)."""
        if not isinstance(other, Distribution):
            return NotImplemented
        if self._labels != other._labels or not np.array_equal(self._probs, other._probs):
            return False
        if self.is_exact != other.is_exact:
            return False
        return not self.is_exact or (self._den == other._den and np.array_equal(self._num, other._num))

    def __hash__(self):
        return hash((self._probs.tobytes(), self._labels))

    def __repr__(self) -> str:
        k = len(self)
        shown = ", ".join(f"{v:.6g}" for v in self._probs[:8])
        more = ", ..." if k > 8 else ""
        exact = ", exact" if self.is_exact else ""
        return f"Distribution(K={k}, [{shown}{more}]{exact})"

    # ----------------------------------------------------------------- sampling
    def sample(self, n: int, seed: int | None = None, *, rng: np.random.Generator | None = None) -> np.ndarray:
        """Draw ``n`` i.i.d. symbols as an int64 array; the same seed gives the same symbols.

        Inverse-CDF sampling on one uniform per symbol (``Generator.random``), so the stream
        is defined by NumPy's PCG64 bit generator alone. A symbol of probability 0 is never drawn.
        """
        n = _check_count(n)
        gen = _make_rng(seed, rng)
        cdf = np.cumsum(self._probs)
        u = gen.random(n) * cdf[-1]
        out = np.searchsorted(cdf, u, side="right").astype(np.int64)
        # u < cdf[-1] always, so out <= last index; guard the float edge anyway: the last
        # symbol with positive probability is the largest one that may be drawn.
        np.minimum(out, int(self.support[-1]), out=out)
        return out


def count_bytes(data) -> np.ndarray:
    """How often each byte value occurs in ``data`` (bytes-like): int64 array of length 256.

    The file container's numba histogram over the uint8 view (no temporaries; about three
    times as fast as ``bincount``, which widens each byte to 8). Imported here, not at the
    top, so that ``import codebook`` does not load numba."""
    from ._container_kernels import count_bytes_into

    counts = np.zeros(256, dtype=np.int64)
    count_bytes_into(np.frombuffer(data, dtype=np.uint8), counts)
    return counts


def _check_size(k) -> None:
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 1:
        raise DistributionError(f"alphabet size K must be a positive integer; got {k!r}")


def _check_count(n) -> int:
    if isinstance(n, float) and n.is_integer():
        n = int(n)
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 0:
        raise ValueError(f"`n` must be a non-negative integer; got {n!r}")
    return int(n)


def as_distribution(value, name: str = "p") -> Distribution:
    """Accept a :class:`Distribution` or an array-like pmf (validated under ``name``)."""
    if isinstance(value, Distribution):
        return value
    return Distribution(value, name=name)


def check_same_alphabet(a, b, name_a: str = "p", name_b: str = "q") -> None:
    """Raise :class:`AlphabetMismatchError` unless ``a`` and ``b`` have the same K."""
    if len(a) != len(b):
        raise AlphabetMismatchError(
            f"`{name_a}` and `{name_b}` must have the same alphabet size; "
            f"len({name_a}) = {len(a)}, len({name_b}) = {len(b)}"
        )
