"""Exact references for Markov chains (shares no code with codebook).

Transition rows are taken at the exact binary values of their floats (``Fraction(float)``) and
normalised exactly; the stationary law is solved by Gaussian elimination over Fractions; rates
are summed in 60-digit Decimals with 60-digit logarithms.
"""

from __future__ import annotations

from decimal import Decimal, localcontext
from fractions import Fraction
from itertools import product

PRECISION = 60


def exact_rows(table):
    """Rows of a (K**k, K) float table as exactly normalised Fractions."""
    out = []
    for row in table:
        vals = [Fraction(float(v)) for v in row]
        total = sum(vals)
        out.append([v / total for v in vals])
    return out


def next_context(ctx: int, s: int, k: int, order: int) -> int:
    """Context after s: drop the oldest symbol (most significant), append s (least)."""
    return (ctx % k ** (order - 1)) * k + s if order else 0


def stationary(rows, k: int, order: int):
    """The stationary pmf over the K**order contexts (Fractions); assumes it is unique."""
    n = k**order
    if n == 1:
        return [Fraction(1)]
    # pi (P - I) = 0, sum pi = 1: columns are equations, pi the unknowns.
    a = [[Fraction(0)] * n for _ in range(n)]
    for c in range(n):
        for s in range(k):
            a[next_context(c, s, k, order)][c] += rows[c][s]
    for i in range(n):
        a[i][i] -= 1
    a[-1] = [Fraction(1)] * n
    b = [Fraction(0)] * (n - 1) + [Fraction(1)]
    for col in range(n):  # Gauss-Jordan
        piv = next(r for r in range(col, n) if a[r][col] != 0)
        a[col], a[piv] = a[piv], a[col]
        b[col], b[piv] = b[piv], b[col]
        inv = 1 / a[col][col]
        a[col] = [v * inv for v in a[col]]
        b[col] *= inv
        for r in range(n):
            if r != col and a[r][col] != 0:
                f = a[r][col]
                a[r] = [x - f * y for x, y in zip(a[r], a[col])]
                b[r] -= f * b[col]
    return b


def block_probs(rows, pi, k: int, order: int, length: int):
    """Stationary probabilities of every block of ``length >= order`` symbols (dict)."""
    out = {}
    for block in product(range(k), repeat=length):
        ctx = 0
        for s in block[:order]:
            ctx = ctx * k + s
        p = pi[ctx]
        for s in block[order:]:
            p *= rows[ctx][s]
            ctx = next_context(ctx, s, k, order)
        out[block] = p
    return out


def _ln(x: Fraction) -> Decimal:
    return (Decimal(x.numerator) / Decimal(x.denominator)).ln()


def entropy_rate(table, k: int, order: int) -> float:
    rows = exact_rows(table)
    pi = stationary(rows, k, order)
    with localcontext() as ctx:
        ctx.prec = PRECISION
        total = Decimal(0)
        for c, row in enumerate(rows):
            for p in row:
                if p and pi[c]:
                    total -= Decimal(pi[c].numerator) / Decimal(pi[c].denominator) * (Decimal(p.numerator) / Decimal(p.denominator)) * _ln(p)
        return float(total / Decimal(2).ln())


def cross_entropy_rate(src_table, src_order: int, mod_table, mod_order: int, k: int) -> float:
    rows = exact_rows(src_table)
    qrows = exact_rows(mod_table)
    pi = stationary(rows, k, src_order)
    m = max(src_order, mod_order)
    with localcontext() as ctx:
        ctx.prec = PRECISION
        total = Decimal(0)
        for block, pb in block_probs(rows, pi, k, src_order, m).items():
            if not pb:
                continue
            sc = sum(s * k**i for i, s in enumerate(reversed(block[m - src_order :]))) if src_order else 0
            mc = sum(s * k**i for i, s in enumerate(reversed(block[m - mod_order :]))) if mod_order else 0
            for s in range(k):
                w = pb * rows[sc][s]
                if not w:
                    continue
                if not qrows[mc][s]:
                    return float("inf")
                total -= Decimal(w.numerator) / Decimal(w.denominator) * _ln(qrows[mc][s])
        return float(total / Decimal(2).ln())
