"""Huffman encode/decode throughput against bitarray (and dahuffman), on the same code.

Workload (issue #2): n = 10**7 symbols over K = 256, p = Zipf(1.1), code built from the
mismatched q = 0.7 p + 0.3 uniform. bitarray gets its best case: a Python list of ints to
encode (converted outside the timing) and a prebuilt ``decodetree``. dahuffman is pure Python,
so it runs on a smaller n and its rate is scaled per symbol.
"""

from __future__ import annotations

import numpy as np
from benches._timing import best_of, rate
from bitarray import bitarray, decodetree

from codebook import coders, parse_distribution

P_SPEC = "zipf:256:1.1"
Q_SPEC = "mix(zipf:256:1.1, uniform:256, 0.3)"


def run(quick: bool = False) -> None:
    n = 10**6 if quick else 10**7
    p, q = parse_distribution(P_SPEC), parse_distribution(Q_SPEC)
    x = p.sample(n, seed=1)
    code = coders.build("huffman", q)
    bits = code.encode(x)
    assert np.array_equal(code.decode(bits, n), x), "round trip failed"
    print(f"n = {n:,}, K = 256, p = {P_SPEC}, q = {Q_SPEC}; {len(bits) / n:.4f} bits/symbol "
          f"(E_p[l] = {code.expected_length(p):.4f})")

    rows = []
    enc = best_of(lambda: code.encode(x))
    dec = best_of(lambda: code.decode(bits, n))
    rows.append(("codebook huffman", n, enc, dec))

    table = code.bitarray_code()
    as_list = x.tolist()
    tree = decodetree(table)

    def ba_encode():
        out = bitarray(endian="big")
        out.encode(table, as_list)
        return out

    assert ba_encode() == bits, "bitarray produced different bits for the same code"
    ba_enc = best_of(ba_encode, repeats=2)
    ba_dec = best_of(lambda: list(bits.decode(tree)), repeats=2)
    rows.append(("bitarray encode/decode", n, ba_enc, ba_dec))

    try:
        from dahuffman import HuffmanCodec
    except ImportError:
        print("(dahuffman not installed: pip install '.[bench]')")
    else:
        m = min(n, 200_000)
        codec = HuffmanCodec.from_frequencies({s: float(w) for s, w in enumerate(q.probs)})
        small = as_list[:m]
        packed = codec.encode(small)
        assert codec.decode(packed) == small
        rows.append(("dahuffman (n=%d)" % m, m, best_of(lambda: codec.encode(small), 1),
                     best_of(lambda: codec.decode(packed), 1)))

    print(f"{'coder':28s} {'encode Msym/s':>14s} {'decode Msym/s':>14s} {'enc ratio':>10s} {'dec ratio':>10s}")
    ref_enc, ref_dec = n / ba_enc, n / ba_dec
    for name, m, e, d in rows:
        print(f"{name:28s} {rate(m, e):>14s} {rate(m, d):>14s} {m / e / ref_enc:10.2f} {m / d / ref_dec:10.2f}")
    print("ratios are against bitarray (goal for codebook huffman: >= 2.00 both ways)")
