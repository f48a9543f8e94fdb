"""Independent high-precision references for the tests (60-digit decimals, exact fractions).

Shares no code with codebook: floats are converted exactly (Decimal(float) is exact), the vector
is normalised exactly, and logarithms are taken at 60 digits, as in the conventions of theory §a.
"""

from __future__ import annotations

from decimal import Decimal, localcontext

PRECISION = 60


def _normalised(values):
    exact = [Decimal(float(v)) for v in values]
    total = sum(exact)
    return [v / total for v in exact]


def entropy_bits(p) -> float:
    with localcontext() as ctx:
        ctx.prec = PRECISION
        ln2 = Decimal(2).ln()
        return float(-sum(x * x.ln() for x in _normalised(p) if x > 0) / ln2)


def cross_entropy_bits(p, q) -> float:
    with localcontext() as ctx:
        ctx.prec = PRECISION
        ln2 = Decimal(2).ln()
        pairs = list(zip(_normalised(p), _normalised(q)))
        if any(a > 0 and b == 0 for a, b in pairs):
            return float("inf")
        return float(-sum(a * b.ln() for a, b in pairs if a > 0) / ln2)


def kl_bits(p, q) -> float:
    with localcontext() as ctx:
        ctx.prec = PRECISION
        ln2 = Decimal(2).ln()
        pairs = list(zip(_normalised(p), _normalised(q)))
        if any(a > 0 and b == 0 for a, b in pairs):
            return float("inf")
        return float(sum(a * (a / b).ln() for a, b in pairs if a > 0) / ln2)


def kl_bits_exact(p, q, digits: int = 120) -> float:
    """``D(p||q)`` in bits for exact pmfs (sequences of Fractions, each summing to 1), with
    logarithms at ``digits`` digits: the ratio p/q is exact, so D ~ 1e-60 keeps its digits."""
    from fractions import Fraction

    p, q = [Fraction(x) for x in p], [Fraction(x) for x in q]
    assert sum(p) == 1 and sum(q) == 1
    if any(a > 0 and b == 0 for a, b in zip(p, q)):
        return float("inf")
    with localcontext() as ctx:
        ctx.prec = digits

        def dec(r):
            return Decimal(r.numerator) / Decimal(r.denominator)

        total = sum(dec(a) * dec(a / b).ln() for a, b in zip(p, q) if a > 0)
        return float(total / Decimal(2).ln())


def huffman_lengths_reference(weights) -> list[int]:
    """Huffman lengths by the textbook heap construction on exact Fraction weights, with
    codebook's documented tie-break: nodes ordered by (weight, rank), rank -x for leaf x
    (leaves first, higher symbol first) and t for the t-th merged node (after every leaf,
    oldest first). A zero weight gets length 0; a lone symbol gets 1 bit."""
    import heapq
    from fractions import Fraction

    k = len(weights)
    heap = [(Fraction(w), -x, x) for x, w in enumerate(weights) if w > 0]
    heapq.heapify(heap)
    parent, next_id = {}, k
    while len(heap) > 1:
        w1, _, a = heapq.heappop(heap)
        w2, _, b = heapq.heappop(heap)
        parent[a] = parent[b] = next_id
        heapq.heappush(heap, (w1 + w2, next_id, next_id))
        next_id += 1

    def depth(node):
        d = 0
        while node in parent:
            node, d = parent[node], d + 1
        return d

    return [max(depth(x), 1) if weights[x] > 0 else 0 for x in range(k)]
