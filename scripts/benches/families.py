"""The code families (issue 14): encode/decode rates, paired with codebook's Huffman in one run.

Workload (the standard one, as in ``prefix`` and ``stream``): n = 10**7 symbols (10**6 with
--quick), p = Zipf(256, 1.1), every code built from q = mix(zipf:256:1.1, uniform:256, 0.3),
symbols int64. Two more rows where a family is at home: Tunstall on a binary source
(q = (0.9, 0.1), 16-bit codewords) and LZ78 on a binary Markov chain (flip probability 0.05).

Timing: every coder is timed alternately with the Huffman coder on the same data (5 rounds
after a warm-up call, so numba compilation is never timed), in CPU seconds of this process
(``time.process_time``: the coders are single-threaded, and on a shared machine wall-clock
time mostly measures the other processes); the table shows the median rate, its spread
(min-max over the rounds) and the median of the per-round ratio to Huffman. Target (issue 14): >= 20 Msym/s
encode and decode for each family.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the worktree's codebook, uninstalled

from codebook import coders, entropy, parse_distribution  # noqa: E402
from codebook.distributions import Distribution  # noqa: E402

P_SPEC = "zipf:256:1.1"
Q_SPEC = "mix(zipf:256:1.1, uniform:256, 0.3)"
ROUNDS = 5
TARGET = 20e6

FAMILIES = [
    ("huffman arity=3", "huffman", {"arity": 3}),
    ("huffman arity=4", "huffman", {"arity": 4}),
    ("huffman max_length=10", "huffman", {"max_length": 10}),
    ("golomb", "golomb", {}),
    ("elias-gamma", "elias-gamma", {}),
    ("elias-delta", "elias-delta", {}),
    ("elias-omega", "elias-omega", {}),
    ("tunstall (m=16)", "tunstall", {}),
    ("lz78", "lz78", {}),
]


def _paired(ours, baseline, rounds: int = ROUNDS) -> tuple[list[float], list[float]]:
    """Seconds of ``rounds`` alternated calls of each (after one warm-up call of each)."""
    ours()
    baseline()
    a, b = [], []
    for _ in range(rounds):
        for fn, out in ((ours, a), (baseline, b)):
            t0 = time.process_time()
            fn()
            out.append(time.process_time() - t0)
    return a, b


def _cell(n: int, seconds: list[float]) -> str:
    rates = sorted(n / s / 1e6 for s in seconds)
    return f"{statistics.median(rates):6.1f} [{rates[0]:.0f}-{rates[-1]:.0f}]"


def _row(label: str, code, x: np.ndarray, reference, verdicts: list, note: str = "") -> None:
    n = x.size
    bits = code.encode(x)
    assert np.array_equal(code.decode(bits, n), x), f"{label}: round trip failed"
    ref_bits = reference.encode(x)
    enc, ref_enc = _paired(lambda: code.encode(x), lambda: reference.encode(x))
    dec, ref_dec = _paired(lambda: code.decode(bits, n), lambda: reference.decode(ref_bits, n))
    enc_ratio = statistics.median(r / o for o, r in zip(enc, ref_enc))
    dec_ratio = statistics.median(r / o for o, r in zip(dec, ref_dec))
    print(f"{label:<22} {len(bits) / n:>8.4f} {_cell(n, enc):>17} {_cell(n, dec):>17} {enc_ratio:>8.2f}x "
          f"{dec_ratio:>8.2f}x {note}")
    slow = min(n / statistics.median(enc), n / statistics.median(dec))
    verdicts.append((f"{label} >= 20 Msym/s both ways (median)", slow >= TARGET))


def run(quick: bool = False) -> None:
    n = 10**6 if quick else 10**7
    p, q = parse_distribution(P_SPEC), parse_distribution(Q_SPEC)
    x = p.sample(n, seed=1)
    huffman = coders.build("huffman", q)
    print(f"workload: n = {n:.0e}, p = {P_SPEC}, q = {Q_SPEC}, symbols int64; H(p) = {entropy(p):.4f} bits")
    print(f"rates in Msym/s of CPU time: median [min-max] of {ROUNDS} rounds, each paired with codebook huffman on")
    print("the same data; ratio = our rate / huffman's rate in the same round (median). On a shared machine the")
    print("ratios are the comparable numbers.")
    print()
    print(f"{'coder':<22} {'bits/sym':>8} {'encode Msym/s':>17} {'decode Msym/s':>17} {'enc/huff':>9} {'dec/huff':>9}")
    verdicts: list[tuple[str, bool]] = []
    for label, name, options in FAMILIES:
        _row(label, coders.build(name, q, **options), x, huffman, verdicts)

    print()
    print("where the family is at home (paired with a Huffman code of the same source's q):")
    binary = Distribution([0.9, 0.1])
    xb = binary.sample(n, seed=2)
    _row("tunstall binary m=16", coders.build("tunstall", binary), xb, coders.build("huffman", binary), verdicts,
         f"(H = {entropy(binary):.4f}; Huffman needs 1 bit)")
    rng = np.random.default_rng(3)
    chain = (np.cumsum(rng.random(n) < 0.05) % 2).astype(np.int64)
    _row("lz78 binary Markov", coders.build("lz78", alphabet_size=2), chain,
         coders.build("huffman", [0.5, 0.5]), verdicts, "(entropy rate h(0.05) = 0.2864; order 0: 1 bit)")

    print()
    for text, ok in verdicts:
        print(f"  [{'ok' if ok else 'MISSED'}] {text}")
