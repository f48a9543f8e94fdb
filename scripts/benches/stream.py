"""Stream coders (arithmetic, rans, adaptive) against constriction, side by side in one run.

Workload (issue 3): n = 10**7 symbols (10**6 with --quick), K = 256, p = Zipf(256, 1.1),
q = mix(zipf:256:1.1, uniform:256, 0.3), symbols int64. constriction is given its int32
array ready-made (it accepts nothing else), so its conversion is not timed; ours take the
int64 array as is, validation included. Throughput is millions of symbols per second, best
of 3 after a warm-up call. Compression is checked at n = 10**6 against the sample's own
-log2 q_hat(x^n)/n; peak memory of one encode + decode (tracemalloc, which sees NumPy's
buffers) is compared with the size of the symbol array.
"""

from __future__ import annotations

import math
import sys
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the worktree's codebook, uninstalled

from benches._timing import best_of, rate  # noqa: E402
import time  # noqa: E402

from codebook import coders, cross_entropy, parse_distribution  # noqa: E402

P_SPEC = "zipf:256:1.1"
Q_SPEC = "mix(zipf:256:1.1, uniform:256, 0.3)"


def _paired(ours, theirs, repeats: int = 5) -> tuple[float, float]:
    """Best-of-``repeats`` seconds of two callables timed alternately, after a warm-up each.

    Alternating makes the ratio robust to load from other processes on a shared machine."""
    ours()
    theirs()
    best = [math.inf, math.inf]
    for _ in range(repeats):
        for j, fn in enumerate((ours, theirs)):
            t0 = time.perf_counter()
            fn()
            best[j] = min(best[j], time.perf_counter() - t0)
    return best[0], best[1]


def _constriction(q, x32, n):
    try:
        import constriction
    except ImportError:
        return None
    model = constriction.stream.model.Categorical(q.probs, perfect=False)

    def range_enc():
        enc = constriction.stream.queue.RangeEncoder()
        enc.encode(x32, model)
        return enc.get_compressed()

    def ans_enc():
        enc = constriction.stream.stack.AnsCoder()
        enc.encode_reverse(x32, model)
        return enc.get_compressed()

    rc, ac = range_enc(), ans_enc()
    assert np.array_equal(constriction.stream.queue.RangeDecoder(rc).decode(model, n), x32)
    assert np.array_equal(constriction.stream.stack.AnsCoder(ac).decode(model, n), x32)
    return {
        "arithmetic": (
            range_enc,
            lambda: constriction.stream.queue.RangeDecoder(rc).decode(model, n),
            32 * rc.size / n,
        ),
        "rans": (
            ans_enc,
            lambda: constriction.stream.stack.AnsCoder(ac).decode(model, n),
            32 * ac.size / n,
        ),
    }


def _peak_bytes(code, x) -> int:
    tracemalloc.start()
    tracemalloc.reset_peak()
    bits = code.encode(x)
    code.decode(bits, x.size)
    del bits
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def run(quick: bool) -> None:
    n = 10**6 if quick else 10**7
    p = parse_distribution(P_SPEC)
    q = parse_distribution(Q_SPEC)
    x = p.sample(n, seed=2024)
    theirs = _constriction(q, x.astype(np.int32), n)
    print(f"workload: n = {n:.0e}, p = {P_SPEC}, q = {Q_SPEC}, symbols int64")
    print(f"H(p,q) = {cross_entropy(p, q):.6f} bits/symbol")
    print()
    print(f"{'coder':<11} {'enc Msym/s':>10} {'dec Msym/s':>10} {'cons enc':>9} {'cons dec':>9} "
          f"{'enc ratio':>9} {'dec ratio':>9} {'peak mem / symbols':>19}")
    verdicts = []
    for name in ("arithmetic", "rans", "adaptive"):
        code = coders.build(name, q)
        bits = code.encode(x)
        assert np.array_equal(code.decode(bits, n), x), f"{name}: round trip failed"
        peak = _peak_bytes(code, x) / x.nbytes
        if theirs and name in theirs:
            t_enc, c_enc = _paired(lambda: code.encode(x), theirs[name][0])
            t_dec, c_dec = _paired(lambda: code.decode(bits, n), theirs[name][1])
            cols = f"{rate(n, c_enc):>9} {rate(n, c_dec):>9} {c_enc / t_enc:>8.2f}x {c_dec / t_dec:>8.2f}x"
            verdicts.append((f"{name} encode >= 1.0x constriction", c_enc / t_enc >= 1.0))
            verdicts.append((f"{name} decode >= 1.5x constriction", c_dec / t_dec >= 1.5))
        else:
            t_enc = best_of(lambda: code.encode(x), repeats=5)
            t_dec = best_of(lambda: code.decode(bits, n), repeats=5)
            cols = f"{'-':>9} {'-':>9} {'-':>9} {'-':>9}"
            verdicts.append((f"{name} >= 20 Msym/s both ways", min(n / t_enc, n / t_dec) >= 20e6))
        verdicts.append((f"{name} peak memory < 4x the symbol array", peak < 4))
        print(f"{name:<11} {rate(n, t_enc):>10} {rate(n, t_dec):>10} {cols} {peak:>18.2f}x")

    print()
    m = 10**6
    xm = x[:m]
    print(f"compression at n = {m:.0e} (bits/symbol; ideal = -log2 q_hat(x^n)/n of this sample)")
    print(f"{'coder':<11} {'measured':>10} {'ideal':>10} {'excess':>10} {'H(p,q_hat)-H(p,q)':>18} "
          f"{'constriction (full n)':>21}")
    h_pq = cross_entropy(p, q)
    for name in ("arithmetic", "rans", "adaptive"):
        code = coders.build(name, q)
        bits = code.encode(xm)
        ideal = code.ideal_length(xm) / m
        assert np.array_equal(code.decode(bits, m), xm)
        excess = len(bits) / m - ideal
        verdicts.append((f"{name} bits/symbol within 5e-4 of its ideal at n = 1e6", abs(excess) <= 5e-4))
        quant = "-"
        if hasattr(code, "model"):
            cost = cross_entropy(p, code.model) - h_pq
            quant = f"{cost:.2e}"
            verdicts.append((f"{name} H(p,q_hat) - H(p,q) < 1e-4 at the default precision", cost < 1e-4))
        cons = "-"
        if theirs and name in theirs:
            cons = f"{theirs[name][2]:.6f}"
        print(f"{name:<11} {len(bits) / m:>10.6f} {ideal:>10.6f} {excess:>10.2e} {quant:>18} {cons:>21}")
    print()
    for what, ok in verdicts:
        print(f"{'met    ' if ok else 'NOT MET'}  {what}")
