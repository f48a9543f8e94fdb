"""Validated probability mass functions over the symbols 0..K-1.

A :class:`Distribution` is immutable and refuses bad input: it is non-empty, finite,
non-negative and sums to 1 within ``SUM_TOLERANCE``. Nothing is renormalised silently;
normalising is explicit (:meth:`Distribution.from_weights`, :meth:`Distribution.from_counts`).

Within the tolerance the floats are taken at their exact binary64 values and the vector is
understood as its exact normalisation (``../shared/THEORY.md``, conventions); the measures and
the prefix-code constructions compute with that convention.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .errors import AlphabetMismatchError, DistributionError

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

    __slots__ = ("_probs", "_labels")

    def __init__(self, probs, labels: Sequence[str] | None = None, *, name: str = "p"):
        if isinstance(probs, Distribution):
            arr = probs.probs.copy()
            labels = labels if labels is not None else probs.labels
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

    # ----------------------------------------------------------------- construction
    @classmethod
    def from_weights(cls, weights, labels=None, *, name: str = "weights") -> Distribution:
        """Normalise non-negative weights explicitly: ``p = w / sum(w)``."""
        arr = validate_weights(weights, name)
        try:
            total = math.fsum(arr.tolist())
        except OverflowError:
            total = math.inf
        if not (0 < total < math.inf):
            raise DistributionError(f"`{name}` must have a positive, finite sum; sum({name}) = {total!r}")
        return cls(arr / total, labels, name=name)

    @classmethod
    def from_counts(cls, counts, smoothing: float = 0.0, labels=None) -> Distribution:
        """Plug-in estimate ``p(x) = (c(x) + a) / (n + K a)`` with additive smoothing ``a``.

        ``smoothing=0`` is the maximum-likelihood estimate (unseen symbols get probability 0);
        ``0.5`` is Krichevsky-Trofimov, ``1`` is Laplace.
        """
        if not (math.isfinite(smoothing) and smoothing >= 0):
            raise DistributionError(f"`smoothing` must be finite and >= 0; got {smoothing!r}")
        arr = validate_weights(counts, "counts") + smoothing
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
        view = np.frombuffer(data, dtype=np.uint8)
        counts = np.zeros(256, dtype=np.int64)
        step = 1 << 24  # bincount widens its input to intp: count in chunks to bound memory
        for start in range(0, view.size, step):
            counts += np.bincount(view[start : start + step], minlength=256)
        return cls.from_counts(counts, smoothing)

    @classmethod
    def uniform(cls, k: int) -> Distribution:
        """Uniform over ``k`` symbols."""
        _check_size(k)
        return cls(np.full(k, 1.0 / k))

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
        exps = np.arange(1, k + 1, dtype=np.float64)
        exps[-1] = k - 1
        return cls(np.ldexp(1.0, -exps.astype(np.int64)) if k > 1 else np.array([1.0]))

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
    def mix(self, other: Distribution, weight: float) -> Distribution:
        """``(1 - weight) * self + weight * other``: move ``weight`` of the mass towards ``other``."""
        check_same_alphabet(self, other, "first", "second")
        if not (0 <= weight <= 1):
            raise DistributionError(f"mixture `weight` must be in [0, 1]; got {weight!r}")
        return Distribution.from_weights((1 - weight) * self._probs + weight * other._probs)

    def temper(self, temperature: float) -> Distribution:
        """``p(x) ** (1/T)`` renormalised (zeros stay zero). T > 1 flattens, T < 1 sharpens."""
        if not (math.isfinite(temperature) and temperature > 0):
            raise DistributionError(f"`temperature` must be > 0; got {temperature!r}")
        p = self._probs
        out = np.zeros_like(p)
        pos = p > 0
        # Subtract the largest log before dividing by T, so a tiny T cannot make -inf - -inf.
        logp = np.log(p[pos])
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
        if not isinstance(other, Distribution):
            return NotImplemented
        return self._labels == other._labels and np.array_equal(self._probs, other._probs)

    def __hash__(self):
        return hash((self._probs.tobytes(), self._labels))

    def __repr__(self) -> str:
        k = len(self)
        shown = ", ".join(f"{v:.6g}" for v in self._probs[:8])
        more = ", ..." if k > 8 else ""
        return f"Distribution(K={k}, [{shown}{more}])"

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
