#!/usr/bin/env python3
"""Power of the verdicts: deliberately broken coders, plugged into the runner users use.

    python scripts/power.py                # the table in docs/simulations.md
    python scripts/power.py --runs 10      # runs per n (default 10; flagged = in at least half)

Each broken coder replaces its registered namesake in the registry (or, for the sampler,
``Distribution.sample`` is patched), and ``simulations.experiment.run_experiment`` runs it on the
default workload of ``codebook simulate`` (p = zipf:256:1.1, q = 0.7 p + 0.3 uniform, 10
messages of n symbols), at the Bonferroni level of the default run with all six coders
(m = 67 tests, each at 1.5e-5). A run is *flagged* when its exit status would be 3 (some
verdict "not consistent"). For n = 10, 30, 100, ... the script prints the smallest n at which at
least half of the runs (seeds 0, 1, ...) are flagged, and the check that flagged them.

The broken coders:

* ``huffman +1 bit``: a correct Huffman code that writes one more bit per message than its
  codewords (and reads it back): the wrong length.
* ``huffman, 2 lengths swapped`` (gross and subtle): a Kraft-complete prefix code registered as
  huffman that is not optimal for q: the lengths of the most and least probable symbols
  swapped; or of the two symbols at adjacent depths whose probabilities are closest (it costs
  E_q[l] 2.9e-5 bit here and passes every q-side check but optimality).
* ``arithmetic / rans leaking 1e-3 and 1e-4 bit/symbol``: round(leak * n) bits appended to
  every message (and skipped when decoding).
* ``adaptive, prior 64 claiming KT``: codes with pseudo-count 64 but says ``prior = 0.5`` and
  reports the KT ideal length; ``adaptive, Laplace claiming KT``: the same with 1. A control
  row, ``adaptive, prior 64 said``, codes honestly with 64 and must never be flagged.
* ``sampler off by 0.01 bit/symbol``: the runner's messages are drawn from
  p' = (1 - w) p + w uniform, w = 0.00356, so that H(p', q) - H(p, q) = 0.01 bit/symbol.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)  # measure this checkout

import numpy as np  # noqa: E402

from codebook import coders, parse_distribution  # noqa: E402
from codebook.coders import registry  # noqa: E402
from codebook.coders.adaptive import AdaptiveArithmeticCoder  # noqa: E402
from codebook.coders.arithmetic import ArithmeticCoder  # noqa: E402
from codebook.coders.huffman import HuffmanCode, huffman_lengths  # noqa: E402
from codebook.coders.prefix import CanonicalPrefixCode  # noqa: E402
from codebook.coders.rans import RansCoder  # noqa: E402
from codebook.distributions import Distribution  # noqa: E402
from codebook.theory import kt_code_length  # noqa: E402
from simulations import verdicts  # noqa: E402
from simulations.experiment import family_count, run_experiment  # noqa: E402

P_SPEC = "zipf:256:1.1"
Q_SPEC = "mix(zipf:256:1.1, uniform:256, 0.3)"
TRIALS = 10
LENGTHS = (10, 30, 100, 300, 1_000, 3_000, 10_000, 30_000, 100_000, 300_000, 1_000_000)
FAMILY = family_count(len(coders.names()), TRIALS)  # the m of a default `codebook simulate`


# ------------------------------------------------------------------------------ broken coders


class OneBitMore(HuffmanCode):
    """A Huffman code whose bitstream is one bit longer than its codewords add up to."""

    def encode(self, symbols):
        bits = super().encode(symbols)
        bits.append(0)
        return bits

    def decode_partial(self, bits, n, *, dtype=np.int64):
        out, used = super().decode_partial(bits, n, dtype=dtype)
        return out, used + 1


def _swapped(pick):
    class Swapped(CanonicalPrefixCode):
        """Huffman lengths with two entries swapped: Kraft-complete, not optimal for q."""

        def __init__(self, q):
            lengths = huffman_lengths(q)
            a, b = pick(lengths, q.probs)
            lengths[a], lengths[b] = lengths[b], lengths[a]
            super().__init__(lengths.tolist(), q)

    return Swapped


def _gross(lengths, probs):
    on = np.flatnonzero(probs > 0)
    return int(on[np.argmax(probs[on])]), int(on[np.argmin(probs[on])])


def _subtle(lengths, probs):
    """A symbol at depth d and one at depth d + 1 with the closest probabilities (the deeper lighter)."""
    best = None
    for d in np.unique(lengths[lengths > 0]).tolist():
        upper, lower = np.flatnonzero(lengths == d), np.flatnonzero(lengths == d + 1)
        if upper.size and lower.size:
            a, b = upper[np.argmin(probs[upper])], lower[np.argmax(probs[lower])]
            gap = probs[a] - probs[b]
            if gap > 0 and (best is None or gap < best[0]):
                best = (gap, int(a), int(b))
    return best[1], best[2]


def _leaky(base, leak):
    class Leaky(base):
        """Writes round(leak * n) bits more than the real coder (and skips them when decoding)."""

        def encode(self, symbols):
            bits = super().encode(symbols)
            bits.extend([0] * round(leak * len(symbols)))
            return bits

        def decode_partial(self, bits, n, *, dtype=np.int64):
            out, used = super().decode_partial(bits, n, dtype=dtype)
            return out, used + round(leak * n)

    return Leaky


def _lying_adaptive(real_prior):
    class Lying(AdaptiveArithmeticCoder):
        """Codes with ``real_prior`` but says it is Krichevsky-Trofimov (prior 0.5)."""

        def __init__(self, q=None, *, alphabet_size=None, prior=0.5):
            super().__init__(q, alphabet_size=alphabet_size, prior=real_prior)

        @property
        def prior(self):
            return 0.5

        def ideal_length(self, symbols):
            return kt_code_length(np.bincount(np.asarray(symbols), minlength=self.alphabet_size), 0.5)

    return Lying


def _honest_64():
    class Prior64(AdaptiveArithmeticCoder):
        def __init__(self, q=None, *, alphabet_size=None, prior=64):
            super().__init__(q, alphabet_size=alphabet_size, prior=64)

    return Prior64


@contextlib.contextmanager
def replaced(name: str, cls):
    """Register ``cls`` under ``name`` for the duration (the registry's own entry restored after)."""
    old = registry._REGISTRY[name]
    cls.name = name
    registry._REGISTRY[name] = registry.CoderInfo(name, cls, old.kind, old.summary)
    try:
        yield [name]
    finally:
        registry._REGISTRY[name] = old


@contextlib.contextmanager
def off_sampler(p: Distribution, shift_bits: float, q: Distribution):
    """Messages drawn from p' = (1-w) p + w uniform with H(p', q) - H(p, q) = ``shift_bits``."""
    from codebook.measures import cross_entropy

    uniform = Distribution.uniform(len(p))
    w = shift_bits / (cross_entropy(uniform, q) - cross_entropy(p, q))
    wrong = p.mix(uniform, w)
    original = Distribution.sample

    def sample(self, n, *args, **kwargs):
        return original(wrong if self is p else self, n, *args, **kwargs)

    Distribution.sample = sample
    try:
        yield list(coders.names())
    finally:
        Distribution.sample = original


def cases(p, q):
    """(label, context manager factory, expected to be flagged)."""
    return [
        ("huffman writing 1 bit more per message", lambda: replaced("huffman", OneBitMore), True),
        ("huffman, most/least probable lengths swapped", lambda: replaced("huffman", _swapped(_gross)), True),
        ("huffman, closest adjacent-depth lengths swapped", lambda: replaced("huffman", _swapped(_subtle)), True),
        ("arithmetic leaking 1e-3 bit/symbol", lambda: replaced("arithmetic", _leaky(ArithmeticCoder, 1e-3)), True),
        ("arithmetic leaking 1e-4 bit/symbol", lambda: replaced("arithmetic", _leaky(ArithmeticCoder, 1e-4)), True),
        ("rans leaking 1e-3 bit/symbol", lambda: replaced("rans", _leaky(RansCoder, 1e-3)), True),
        ("rans leaking 1e-4 bit/symbol", lambda: replaced("rans", _leaky(RansCoder, 1e-4)), True),
        ("adaptive, prior 64 claiming KT", lambda: replaced("adaptive", _lying_adaptive(64)), True),
        ("adaptive, prior 1 (Laplace) claiming KT", lambda: replaced("adaptive", _lying_adaptive(1)), True),
        ("control: adaptive, prior 64 said and used", lambda: replaced("adaptive", _honest_64()), False),
        ("sampler off by 0.01 bit/symbol", lambda: off_sampler(p, 0.01, q), True),
    ]


def how(res) -> str:
    """Which check flagged a run, in a few words."""
    if res.sample and verdicts.failed(res.sample["verdict"]):
        return "sample counts (Agrawal's bound)"
    s = next((s for s in res.summaries if verdicts.failed(s["verdict"])), None)
    if s is None:
        return "-"
    text = s["reason"]
    if "messages not consistent" in text:
        rec = next(r for r in res.records if r["coder"] == s["coder"] and verdicts.failed(r["verdict"]))
        text = rec["reason"]
    for key, label in [("not optimal for q", "exact: optimality for q (sibling property)"),
                       ("Kraft", "exact: Kraft sum"),
                       ("codeword lengths of the symbols drawn", "exact: bits = Σ n_x l(x)"),
                       ("differs from", "exact: ideal length vs the counts"),
                       ("documented bounds", "exact: bits - ideal outside [lo, hi]"),
                       ("exact law", "exact law of the sum"),
                       ("Bernstein", "Bernstein's inequality"),
                       ("McDiarmid", "McDiarmid's inequality")]:
        if key in text:
            return f"{s['coder']}: {label}"
    return f"{s['coder']}: {text[:60]}"


def smallest_flagged(make, runs: int, p, q) -> tuple[int | None, str, list[tuple[int, int, int]]]:
    """Scan n upwards; the first n where at least half of ``runs`` seeded runs are flagged."""
    seen = []
    for n in LENGTHS:
        flagged, ways = 0, []
        for seed in range(runs):
            with make() as names:
                res = run_experiment(p, q, names, n, TRIALS, seed=(seed,), family_size=FAMILY)
            if not res.consistent:
                flagged += 1
                ways.append(how(res))
            if flagged * 2 >= runs or (seed + 1 - flagged) * 2 > runs:
                break  # decided either way
        seen.append((n, flagged, seed + 1))
        if flagged * 2 >= runs:
            return n, max(set(ways), key=ways.count), seen
    return None, "-", seen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10, help="seeded runs per n (default 10)")
    parser.add_argument("--only", help="run only the cases whose label contains this text")
    args = parser.parse_args()
    p, q = parse_distribution(P_SPEC, name="p"), parse_distribution(Q_SPEC, name="q")
    t0 = time.perf_counter()
    print(f"Workload: p = {P_SPEC}, q = {Q_SPEC}, {TRIALS} messages of n symbols per run, Bonferroni over "
          f"m = {FAMILY} tests (each at {1e-3 / FAMILY:.2g}); flagged = exit status 3 in >= half of {args.runs} runs.")
    print()
    print("| broken coder | smallest n flagged | how |")
    print("|---|---|---|")
    for label, make, should in cases(p, q):
        if args.only and args.only not in label:
            continue
        n, way, seen = smallest_flagged(make, args.runs, p, q)
        shown = f"{n:,}".replace(",", " ") if n is not None else f"not flagged up to {LENGTHS[-1]:,}".replace(",", " ")
        if not should:
            shown += " (correct: never)" if n is None else " (FALSE ALARM)"
        print(f"| {label} | {shown} | {way} |", flush=True)
    print(f"\n({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
