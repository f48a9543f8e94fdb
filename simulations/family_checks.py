"""Verdicts for the coders that are not per-symbol codes: variable-to-fixed ("vf", Tunstall) and
universal ("universal", LZ78). Pure functions on numbers and arrays, like :mod:`.verdicts`.

**vf** (theory §p). A message of n symbols takes m bits per phrase, N phrases. Exact checks:
the length is a multiple of m, and ``ceil(n / L_max) <= N <= ceil(n / L_min)`` for the phrase
lengths of the tree. Statistical check, valid for every n: the phrase lengths are i.i.d. with
a known law under p, and N = min{j : S_j >= n} for their partial sums S_j, so

    P(N >= k) = P(S_{k-1} <= n - 1),    P(N <= k) = P(S_k >= n),

two tails of a sum of i.i.d. lattice terms: computed exactly (n-fold convolution,
``stats.lattice_sum_law``) when the support is small, bounded by Bernstein's inequality
otherwise. The p-value is twice the smaller tail.

**universal** (theory §q). An LZ78 message has no exact expectation; every message is checked
exactly: its length is L(c) for an integer phrase count c, c is at least the fewest phrases
n symbols can take, and the length is at most Ziv's bound with the message's own order-0 and
order-1 empirical entropies.

Both kinds, and any uniquely decodable code, also pass the one-sided *no-hypercompression*
test: ``P(bits <= -log2 P(x^n) - t) <= 2^-t`` (theory §q), so a message shorter than its
information content under the true source by more than ``log2(1/alpha)`` bits is rejected at
level alpha.
"""

from __future__ import annotations

import math

import numpy as np

from codebook.coders.lz78 import min_phrases as lz78_min_phrases
from codebook.coders.lz78 import phrases_from_bits
from codebook.theory_families import (
    empirical_conditional_entropy_bits,
    hypercompression_pvalue,
    lz78_ziv_bound,
)

from .stats import EXACT_CELLS, SumTest, bernstein_pvalue, lattice_cells, lattice_sum_law
from .verdicts import CONSISTENT, Verdict

ZIV_ORDERS = (0, 1)
KINDS = ("vf", "universal")
"""Registry kinds measured here (the runner's ``_measure``)."""
JUDGED = ("dary", "vf", "universal")
"""Guarantee kinds judged here: the two above, and D-ary Huffman codes (registered as the prefix
coder ``huffman``, but their lengths are digits packed in blocks)."""


def _tail(values, probs, count: int, limit: int, upper: bool) -> float:
    """``P(S <= limit)`` (or ``P(S >= limit)`` if ``upper``) for the sum S of ``count`` i.i.d.
    integer terms: exact from the law of S when its support is small, else Bernstein's upper
    bound on that tail (1 when the limit is on the near side of the mean)."""
    values = np.asarray(values, dtype=np.int64)
    if count <= 0:
        return float((0 >= limit) if upper else (0 <= limit))
    lo, hi = count * int(values.min()), count * int(values.max())
    if (limit <= lo) if upper else (limit >= hi):
        return 1.0
    if (limit > hi) if upper else (limit < lo):
        return 0.0
    if lattice_cells(values, probs, count) <= EXACT_CELLS:
        # the law over its window (stats.lattice_sum_law drops less than 1e-28 outside it)
        start, step, pmf = lattice_sum_law(values, probs, count)
        if upper:
            j = max(0, -(-(limit - start) // step))  # first lattice point >= limit
            return float(min(1.0, np.sum(pmf[j:])))
        j = (limit - start) // step  # last lattice point <= limit
        return float(min(1.0, np.sum(pmf[: j + 1]))) if j >= 0 else 0.0
    mean = math.fsum((values * probs).tolist())
    var = math.fsum((probs * (values - mean) ** 2).tolist())
    spread = float(np.max(np.abs(values - mean)))
    gap = (limit - count * mean) if upper else (count * mean - limit)
    if gap <= 0:
        return 1.0
    return bernstein_pvalue(gap / count, count, var, spread)


def renewal_pvalue(values, probs, n: int, phrases: int) -> float:
    """Two-sided p-value (exact, or a Bernstein upper bound) of ``phrases`` = N phrases covering
    n symbols, when phrase lengths are i.i.d. ``(values, probs)``."""
    if n == 0:
        return 1.0 if phrases == 0 else 0.0
    at_least = _tail(values, probs, phrases - 1, n - 1, upper=False)  # P(N >= k) = P(S_{k-1} <= n-1)
    at_most = _tail(values, probs, phrases, n, upper=True)  # P(N <= k) = P(S_k >= n)
    return min(1.0, 2 * min(at_least, at_most))


def _hypercompression(total_bits: float, log_loss_bits: float, level: float) -> Verdict | None:
    pval = hypercompression_pvalue(total_bits, log_loss_bits)
    if pval < level:
        return Verdict(False, f"{total_bits} bits is {log_loss_bits - total_bits:.1f} bits below -log2 P(x^n) = "
                              f"{log_loss_bits:.1f}: a uniquely decodable code does that with probability at most "
                              f"2^-{log_loss_bits - total_bits:.1f} = {pval:.2g} < alpha/m = {level:.2g} (no "
                              "hypercompression, theory §q)")
    return None


def judge_vf(total_bits: int, n: int, bits_per_phrase: int, law, depth_range: tuple[int, int],
             rate: float, log_loss_bits: float, level: float) -> Verdict:
    """One message of a variable-to-fixed code (see the module docstring)."""
    if total_bits % bits_per_phrase:
        return Verdict(False, f"{total_bits} bits is not a whole number of {bits_per_phrase}-bit phrases: a coder bug")
    phrases = total_bits // bits_per_phrase
    lo_depth, hi_depth = depth_range
    fewest, most = -(-n // hi_depth), -(-n // lo_depth)
    if not fewest <= phrases <= most:
        return Verdict(False, f"{phrases} phrases for {n} symbols, outside [{fewest}, {most}] (phrases of "
                              f"{lo_depth}..{hi_depth} symbols): a coder bug")
    bad = _hypercompression(total_bits, log_loss_bits, level)
    if bad is not None:
        return bad
    head = f"{phrases} phrases of {bits_per_phrase} bits (exact layout)"
    if n == 0:
        return Verdict(True, head + "; empty message")
    if law is None:
        return Verdict(True, head + "; the rate is infinite (p leaves the tree's support), this sample stayed inside")
    pval = renewal_pvalue(law[0], law[1], n, phrases)
    text = (f"{head}; {total_bits / n:.6f} bits/symbol against the rate m/E_p[L] = {rate:.6f}; renewal test of the "
            f"phrase count: two-sided p = {pval:.2g}, limit alpha/m = {level:.2g} (theory §p)")
    if pval < level:
        return Verdict(False, text + ": further than chance allows")
    return Verdict(True, text)


def universal_measure(code, symbols: np.ndarray, total_bits: int) -> dict:
    """What the runner records for an LZ78 message: the phrase count read back from the length,
    and Ziv's bound at orders 0 and 1 (``None`` where the length is not L(c) for any c)."""
    k_alpha = code.alphabet_size
    c = phrases_from_bits(total_bits, k_alpha)
    out = {"phrases": c, "ziv_bound": None}
    if c is not None and symbols.size:
        out["ziv_bound"] = min(lz78_ziv_bound(symbols.size, c, k, k_alpha,
                                              empirical_conditional_entropy_bits(symbols, k, k_alpha))
                               for k in ZIV_ORDERS)
    return out


def judge_universal(total_bits: int, n: int, phrases: int | None, ziv_bound: float | None,
                    log_loss_bits: float | None, level: float) -> Verdict:
    """One LZ78 message (see the module docstring); ``log_loss_bits`` None: no hypercompression test."""
    if phrases is None:
        return Verdict(False, f"{total_bits} bits is not the length L(c) of any number c of LZ78 phrases: a coder bug")
    fewest = lz78_min_phrases(n)
    if phrases < fewest:
        return Verdict(False, f"{phrases} phrases cannot cover {n} symbols (at least {fewest}: phrase i has at most "
                              "i symbols): a coder bug")
    if ziv_bound is not None and total_bits > ziv_bound + 1e-9 * max(1.0, ziv_bound):
        return Verdict(False, f"{total_bits} bits exceeds Ziv's bound {ziv_bound:.1f} for this sequence (theory §q): "
                              "the parse has too many phrases")
    bad = None if log_loss_bits is None else _hypercompression(total_bits, log_loss_bits, level)
    if bad is not None:
        return bad
    if n == 0:
        return Verdict(True, "empty message: 0 bits")
    tail = ("" if log_loss_bits is None else
            f"; not below -log2 P(x^n) = {log_loss_bits:.1f} by more than chance allows")
    return Verdict(True, f"{phrases} phrases, L(c) = {total_bits} bits exactly; at most Ziv's bound "
                         f"{ziv_bound:.1f} (orders 0, 1){tail} (theory §q)")


def judge_dary(total_bits: int, exact_total: int, digits: int, n: int, g, level: float) -> Verdict:
    """One message of a D-ary Huffman code: the length is exactly ``ceil(digits/g) b`` for the
    digits Σ n_x l(x) of the symbols drawn; the digits against their exact law (theory §m, §i)."""
    if total_bits != exact_total:
        return Verdict(False, f"the bitstream has {total_bits} bits but {digits} digits in blocks take {exact_total} "
                              "(theory §m): a coder bug")
    if not g.bound.contains(g.expected):
        return Verdict(False, f"the exact expectation {g.expected:.6f} breaks {g.bound.text} ({g.bound.section})")
    head = f"{digits} digits in {total_bits} bits (exact block layout)"
    if n == 0 or g.law is None:
        return Verdict(True, head)
    mean_digits = math.fsum((g.law[0] * g.law[1]).tolist())
    test = SumTest(g.law[0], g.law[1], n, lattice=True)
    pval = test.pvalue(digits)
    text = (f"{head}; {digits / n:.6f} digits/symbol against the exact E_p[l] = {mean_digits:.6f} digits; "
            f"{test.method}: two-sided p = {pval:.2g}, limit alpha/m = {level:.2g}")
    return Verdict(pval >= level, text + ("" if pval >= level else ": further than chance allows"))


def measure(kind: str, code, symbols: np.ndarray, total_bits: int) -> dict:
    """The runner's extra (private) record fields for a coder of kind ``vf`` or ``universal``."""
    if kind == "vf":
        depths = code.leaf_depths
        return {"_phrase_bits": code.codeword_bits, "_depths": (int(depths.min()), int(depths.max()))}
    found = universal_measure(code, symbols, total_bits)
    return {"_phrases": found["phrases"], "_ziv": found["ziv_bound"]}


def judge_exact(kind: str, rec: dict, code, n: int) -> Verdict:
    """The exact (non-statistical) checks of one message of a vf or universal coder on data that
    need not be i.i.d. (a Markov source: the sequence runner judges the means on its own)."""
    bits = rec["total_bits"]
    if kind == "vf":
        m, (shortest, longest) = rec["_phrase_bits"], rec["_depths"]
        if bits % m:
            return Verdict(False, f"{bits} bits is not a whole number of {m}-bit phrases: a coder bug")
        phrases, fewest, most = bits // m, -(-n // longest), -(-n // shortest)
        if not fewest <= phrases <= most:
            return Verdict(False, f"{phrases} phrases for {n} symbols, outside [{fewest}, {most}]: a coder bug")
        return Verdict(True, f"{phrases} phrases of {m} bits (exact layout, theory §p)")
    return judge_universal(bits, n, rec["_phrases"], rec["_ziv"], None, 1.0)


def judge(g, rec: dict, n_run: int, level: float) -> Verdict:
    """Dispatch one record of a D-ary, vf or universal coder to its judge."""
    log_loss = rec["sample_log_loss_p"] * rec["n"]  # -log2 P(x^n) under the true source
    if g.kind == "dary":
        return judge_dary(rec["total_bits"], rec["exact_total"], rec["_digits"], n_run, g, level)
    if g.kind == "vf":
        return judge_vf(rec["total_bits"], n_run, rec["_phrase_bits"], g.law, rec["_depths"], g.expected, log_loss,
                        level)
    return judge_universal(rec["total_bits"], n_run, rec["_phrases"], rec["_ziv"], log_loss, level)


def summary(g, ok: list[dict], block: int, h_p: float) -> Verdict:
    """The pooled verdict of one coder (all messages already consistent, theorem holds)."""
    bits = sum(r["total_bits"] for r in ok)
    n_total = sum(r["n"] for r in ok)
    mean = bits / n_total if n_total else 0.0
    if g.kind == "universal":
        return Verdict(True, f"all {len(ok)} messages within their exact per-message checks; pooled {mean:.6f} "
                             f"bits/symbol, {mean - h_p:+.6f} above H(p) (theory §q)")
    if g.kind == "vf":
        return Verdict(True, f"all {len(ok)} messages consistent (renewal test of each phrase count); pooled {mean:.6f} "
                             f"bits/symbol against the rate m/E_p[L] = {g.expected / block:.6f}, its limit as n grows "
                             "(theory §p)")
    return Verdict(True, f"all {len(ok)} messages consistent (exact law of each message's digits); pooled {mean:.6f} "
                         f"bits/symbol against E_p[l] = {g.expected / block:.6f} in stream bits, plus at most one "
                         "block of completion per message (theory §m)")


__all__ = ["CONSISTENT", "JUDGED", "KINDS", "judge", "judge_dary", "judge_exact", "judge_universal", "judge_vf", "measure",
           "renewal_pvalue", "summary", "universal_measure"]
