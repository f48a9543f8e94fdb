"""numba kernel of the context-mixing model: one loop over the bits of a block that
predicts, codes (or decodes) and updates. The only per-bit loop of ``codebook.contextmix``.

Everything is integer arithmetic on flat arrays (see ``_tables`` for why), so the encoder and
the decoder compute the same probability for every bit on every machine. The coder is the
range coder of ``codebook.coders._range_kernels`` (binary slots out of 2**12).

Per bit, in order (the model of :mod:`codebook.contextmix`, "cm" version 1):

1. inputs: the bit histories (one byte each) of the order-0 and order-1 contexts (direct
   tables) and of 7 hashed contexts (orders 2, 3, 4, 6, the current word, the previous and
   current word, the column with the byte above it), each turned into a probability by its
   own adaptive state map and into the stretch domain; the match model's prediction (the
   bit that followed the last occurrence of the current 4+ byte context, with a strength
   learned per match length); a bias;
2. two mixers (logistic regression on the stretched inputs), one with weights selected by
   (number of contexts seen before, match state, bit position), one by the partial byte;
   their outputs averaged;
3. two adaptive probability maps (SSE: order 0 and order 1), averaged with the mixer output;
4. the final 12-bit probability codes the bit, and every component learns from it.
"""

from __future__ import annotations

import numpy as np
from llvmlite import binding as llvm
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

from ..coders import _range_kernels as rk

ENCODE, DECODE, PRIME = 0, 1, 2
OK, NEED_ROOM, CORRUPT = 0, 1, 2

NH = 7  # hashed contexts
NI = NH + 3  # inputs: order 0, order 1, hashed, match (+ bias)
NW = NI + 1  # weights per set
SETS_A = 8 * 3 * 8  # (contexts seen 0..7) x (match state 0..2) x (bit position)
SETS = SETS_A + 256
MATCH_MIN = 4  # bytes of context a verified match needs (the index hashes about 5 bytes)
MATCH_VERIFY = 32  # a candidate match is verified on at most this many bytes

# Fixed parameters of model version 1 (changing any of them changes the bitstream).
LEARNING_RATE = 6  # mixer: w += x * err * lr / 2**14, err in 12-bit units,
LEARNING_BOOST = 81920  # lr = 6 + 81920 // (4096 + position): 26 at the start, 7 after 77 KB
SM_LIMIT = 1023  # state maps: rate 1/(n + 1.5), n capped here
APM_RATE = 5  # adaptive probability maps: rate 2**-5
W_INIT = 10000  # initial mixer weights (2**16 = 1.0)
W_MAX = 1 << 24

M32 = np.int64(0xFFFFFFFF)

# regs: byte-level state that survives between calls (resumable kernel)
R_C4, R_C8, R_WORD, R_WORD1, R_MPTR, R_MLEN, R_MH, R_COL, R_LINE0, R_LINE1, R_POS = range(11)
NREGS = 11
# coder: low, rng, o (encoder); d, window, ip (decoder)
NCODER = 6


# The coding step of the project's one range coder (``codebook.coders._range_kernels``: its
# carry, store, renormalisation, refill, termination and end check), for binary slots out of
# 2**12. Plain ``@njit`` wrappers on purpose: LLVM inlines them into the loop below, whereas
# numba's IR-level ``inline="always"`` of a function taking an array, inlined into a loop
# this large, measured 2.5x slower (10 vs 25 MB/s for 8 binary steps per byte): it keeps the
# array's reference-count updates inside the loop.
@njit(cache=True)
def _encode_bit(out, o, low, rng, c, f):
    r = rng >> np.int64(12)
    low += r * c
    rng = r * f
    if low >= rk.TOP:
        low -= rk.TOP
        rk._carry(out, o)
    rk._store5(out, o, low)
    nb = rk._due_bytes(rng)
    return o + nb, (low << (np.int64(8) * nb)) & rk.MASK, rng << (np.int64(8) * nb)


@njit(cache=True)
def _decode_bit(buf, ip, d, window, r, c, f):
    d -= r * c
    return rk._refill(buf, ip, d, window, r * f)


@njit(cache=True)
def encode_finish(out, o, low, rng):
    """Write the range coder's termination; returns the exact bit length of the stream."""
    return rk._finish(out, o, low, rng)


@njit(cache=True)
def decode_start(buf):
    """Decoder state ``(d, window, rng, ip)`` before the first bit."""
    window = rk._first_window(buf)
    return window, window, rk.TOP, 7


@njit(cache=True)
def decode_finish(window, d, rng, ip):
    """``(status, bits)``: whether the stream ends with the encoder's termination, and the
    exact number of bits the encoder wrote."""
    status, _, used = rk._check_end(window, d, rng, 0, ip)
    return status, used


_PREFETCH = "llvm.prefetch.p0" if llvm.llvm_version_info[0] >= 15 else "llvm.prefetch.p0i8"  # opaque pointers


@intrinsic
def _prefetch(typingctx, arr, idx):
    """Ask the CPU to start loading ``arr[idx]``'s cache line (LLVM's prefetch; no effect on
    results). The model reads 7 hashed-table lines per nibble at addresses known only just
    before: issued together, their cache misses overlap instead of queueing."""
    sig = types.void(arr, idx)

    def codegen(context, builder, signature, args):
        aryty = signature.args[0]
        ary = context.make_array(aryty)(context, builder, args[0])
        ptr = cgutils.get_item_pointer(context, builder, aryty, ary, [args[1]], wraparound=False)
        i8p = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        fnty = ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32])
        fn = cgutils.get_or_insert_function(builder.module, fnty, _PREFETCH)
        builder.call(fn, [builder.bitcast(ptr, i8p), ir.Constant(i32, 1), ir.Constant(i32, 3), ir.Constant(i32, 1)])
        return context.get_dummy_value()

    return sig, codegen


@njit(cache=True, inline="always")
def _hash(a, b, k):
    h = (a * np.int64(0x9E3779B1) + b * np.int64(0x85EBCA77) + k * np.int64(0xC2B2AE3D)) & M32
    h ^= h >> np.int64(15)
    h = (h * np.int64(0x2C1B3C6D)) & M32
    h ^= h >> np.int64(13)
    return h


@njit(cache=True)
def _checks(ht, line):
    """The 4 check bytes at the start of a 64-byte line as one integer (byte j = slot j)."""
    return (
        np.int64(ht[line])
        | (np.int64(ht[line + 1]) << np.int64(8))
        | (np.int64(ht[line + 2]) << np.int64(16))
        | (np.int64(ht[line + 3]) << np.int64(24))
    )


@njit(cache=True)
def _resolve(ht, line, word, chk, prio):
    """Offset of the 15 states of the slot with check byte ``chk`` in the 64-byte ``line``
    (4 check bytes, then 4 slots of 15 states); if no slot matches, the slot whose first
    state has the smallest count is cleared and given to ``chk``."""
    x = word ^ (chk * np.int64(0x01010101))
    t = (x - np.int64(0x01010101)) & ~x & np.int64(0x80808080)
    if t != 0:  # the lowest flagged byte is the first real match
        if t & np.int64(0x80):
            return line + np.int64(4)
        if t & np.int64(0x8000):
            return line + np.int64(19)
        if t & np.int64(0x800000):
            return line + np.int64(34)
        return line + np.int64(49)
    best = line + np.int64(4)
    bestp = np.int64(prio[ht[best]])
    for j in range(1, 4):
        s = line + np.int64(4 + 15 * j)
        pr = np.int64(prio[ht[s]])
        if pr < bestp:
            bestp = pr
            best = s
    for k in range(15):
        ht[best + k] = 0
    ht[line + (best - line - 4) // 15] = chk
    return best


@njit(cache=True)
def _contexts(hs, line, ht, hbits, hmask, c4, c8, word, word1, above, col):
    """Hashes of the 7 hashed contexts of the next byte, their table lines, prefetched."""
    c1 = c4 & np.int64(255)
    hs[0] = _hash(c4 & np.int64(0xFFFF), 0, 1)
    hs[1] = _hash(c4 & np.int64(0xFFFFFF), 0, 2)
    hs[2] = _hash(c4, 0, 3)
    hs[3] = _hash(c4, c8 & np.int64(0xFFFF), 4)
    hs[4] = _hash(word, c1, 5)
    hs[5] = _hash(word, word1, 6)
    hs[6] = _hash(above, (col if col < 255 else np.int64(255)) | (c1 << np.int64(8)), 7)
    for k in range(NH):
        line[k] = (np.int64(k) << hbits) + (((hs[k] >> np.int64(8)) << np.int64(6)) & hmask)
        _prefetch(ht, line[k])


@njit(cache=True)
def _sm_update(sm_p, sm_n, q, y, dt):
    n = np.int64(sm_n[q])
    p = np.int64(sm_p[q])
    sm_p[q] = p + ((((y << np.int64(22)) - p) * np.int64(dt[n])) >> np.int64(16))
    if n < SM_LIMIT:
        sm_n[q] = n + 1


@njit(cache=True, inline="always")
def _clamp(v, lim):
    return lim if v > lim else (-lim if v < -lim else v)


@njit(cache=True, nogil=True)
def run_block(mode, hist, end, buf, regs, coder, ht, hbits, t1, t0, sm_p, sm_n, mm, w, apm1, apm2,
              nxt, prio, squash, stretch, dt, loss):
    """Model ``hist[regs[R_POS]:end]``: encode it into ``buf`` (ENCODE), decode it from
    ``buf`` into ``hist`` (DECODE) or only learn from it (PRIME).

    Bytes before ``regs[R_POS]`` are history (a primed text, or the block so far). ``loss``
    (int64[4097]) counts the 12-bit probability the model gave each actual bit, so the
    model's log-loss is ``sum(loss[q] * (12 - log2 q))`` exactly from integers. Returns OK,
    NEED_ROOM (encoder: ``buf`` nearly full; all state is saved, call again with a larger
    ``buf``) or CORRUPT (decoder: the code value fell outside both slots).
    """
    hmask = (np.int64(1) << hbits) - np.int64(1)
    mmask = np.int64(mm.size - 1)
    c4 = regs[R_C4]
    c8 = regs[R_C8]
    word = regs[R_WORD]
    word1 = regs[R_WORD1]
    mptr = regs[R_MPTR]
    mlen = regs[R_MLEN]
    mh = regs[R_MH]
    col = regs[R_COL]
    line0 = regs[R_LINE0]
    line1 = regs[R_LINE1]
    pos = regs[R_POS]
    low = coder[0]
    rng = coder[1]
    o = coder[2]
    d = coder[3]
    window = coder[4]
    ip = coder[5]
    hs = np.zeros(NH, dtype=np.int64)
    line = np.zeros(NH, dtype=np.int64)
    chk4 = np.zeros(NH, dtype=np.int64)
    slot = np.zeros(NH, dtype=np.int64)
    idx = np.zeros(NI, dtype=np.int64)
    x = np.zeros(NW, dtype=np.int64)
    x[NI] = 256
    status = OK
    above = np.int64(hist[line1 + col]) if line1 + col < line0 else np.int64(0)
    _contexts(hs, line, ht, hbits, hmask, c4, c8, word, word1, above, col)
    for i in range(pos, end):
        if mode == ENCODE and o + 64 > buf.size:
            status = NEED_ROOM
            break
        # ---- contexts of this byte (hashed and prefetched at the end of the last one)
        c1 = c4 & np.int64(255)
        for k in range(NH):
            chk4[k] = _checks(ht, line[k])
        for k in range(NH):
            slot[k] = _resolve(ht, line[k], chk4[k], hs[k] & np.int64(255), prio)
        mexp = np.int64(hist[mptr]) if mlen > 0 else np.int64(-1)
        ml = np.int64(0) if mlen == 0 else (np.int64(1) if mlen < 16 else np.int64(2))
        c0 = np.int64(1)
        cur = np.int64(hist[i]) if mode != DECODE else np.int64(0)
        for j in range(8):
            if j == 4:  # second nibble: new slots, keyed by the first nibble too
                for k in range(NH):
                    h2 = _hash(hs[k], c0, 11)
                    line[k] = (np.int64(k) << hbits) + (((h2 >> np.int64(8)) << np.int64(6)) & hmask)
                    _prefetch(ht, line[k])
                    hs[k] = h2
                for k in range(NH):
                    chk4[k] = _checks(ht, line[k])
                for k in range(NH):
                    slot[k] = _resolve(ht, line[k], chk4[k], hs[k] & np.int64(255), prio)
            if j < 4:
                node = c0 - np.int64(1)
            else:
                node = (np.int64(1) << np.int64(j - 4)) + (c0 & ((np.int64(1) << np.int64(j - 4)) - np.int64(1))) - np.int64(1)
            # ---- predict
            a2row = ((c1 << np.int64(8)) | c0) * 33
            _prefetch(apm2, a2row)
            _prefetch(apm2, a2row + 32)
            idx[0] = c0
            x[0] = stretch[np.int64(sm_p[t0[c0]]) >> np.int64(10)]
            idx[1] = (c1 << np.int64(8)) | c0
            x[1] = stretch[np.int64(sm_p[256 + np.int64(t1[idx[1]])]) >> np.int64(10)]
            seen = np.int64(0)
            for k in range(NH):
                idx[k + 2] = slot[k] + node
                st = np.int64(ht[idx[k + 2]])
                seen += np.int64(st != 0)
                x[k + 2] = stretch[np.int64(sm_p[(k + 2) * 256 + st]) >> np.int64(10)]
            mbit = np.int64(-1)
            if mexp >= 0 and ((mexp | np.int64(256)) >> np.int64(8 - j)) == c0:
                mbit = (mexp >> np.int64(7 - j)) & np.int64(1)
                mq = mlen if mlen < 15 else np.int64(15)
                idx[NI - 1] = (NI - 1) * 256 + mq * 2 + mbit
                x[NI - 1] = stretch[np.int64(sm_p[idx[NI - 1]]) >> np.int64(10)]
            else:
                idx[NI - 1] = -1
                x[NI - 1] = 0
                ml = np.int64(0)
            wa = (((seen * 3) + ml) * 8 + j) * NW
            wb = (SETS_A + c0) * NW
            da = np.int64(0)
            db = np.int64(0)
            for k in range(NW):
                da += np.int64(w[wa + k]) * x[k]
                db += np.int64(w[wb + k]) * x[k]
            pa = np.int64(squash[_clamp(da >> np.int64(16), 2047) + 2048])
            pb = np.int64(squash[_clamp(db >> np.int64(16), 2047) + 2048])
            pm = (pa + pb) >> np.int64(1)
            s = np.int64(stretch[pm]) + np.int64(2048)
            lo = s >> np.int64(7)
            wt = s & np.int64(127)
            a1 = c0 * 33 + lo
            a2 = a2row + lo
            p1 = (np.int64(apm1[a1]) * (128 - wt) + np.int64(apm1[a1 + 1]) * wt) >> np.int64(11)
            p2 = (np.int64(apm2[a2]) * (128 - wt) + np.int64(apm2[a2 + 1]) * wt) >> np.int64(11)
            p = (pm * 4 + p1 * 4 + p2 * 8 + 8) >> np.int64(4)
            p = np.int64(1) if p < 1 else (np.int64(4095) if p > 4095 else p)
            # ---- code: bit 1 owns [0, p), bit 0 owns [p, 4096)
            if mode == DECODE:
                r = rng >> np.int64(12)
                if d < r * p:
                    y = np.int64(1)
                    d, window, rng, ip = _decode_bit(buf, ip, d, window, r, 0, p)
                elif d < r << np.int64(12):
                    y = np.int64(0)
                    d, window, rng, ip = _decode_bit(buf, ip, d, window, r, p, 4096 - p)
                else:
                    status = CORRUPT
                    break
            else:
                y = (cur >> np.int64(7 - j)) & np.int64(1)
                if mode == ENCODE:
                    if y:
                        o, low, rng = _encode_bit(buf, o, low, rng, 0, p)
                    else:
                        o, low, rng = _encode_bit(buf, o, low, rng, p, 4096 - p)
            loss[p if y else 4096 - p] += 1
            # ---- update
            lr = LEARNING_RATE + LEARNING_BOOST // (np.int64(4096) + i)  # faster at the start
            ea = ((y << np.int64(12)) - pa) * lr
            eb = ((y << np.int64(12)) - pb) * lr
            for k in range(NW):
                w[wa + k] = _clamp(np.int64(w[wa + k]) + ((x[k] * ea) >> np.int64(14)), W_MAX)
                w[wb + k] = _clamp(np.int64(w[wb + k]) + ((x[k] * eb) >> np.int64(14)), W_MAX)
            a1 += wt >> np.int64(6)
            a2 += wt >> np.int64(6)
            apm1[a1] += ((y << np.int64(16)) - np.int64(apm1[a1])) >> APM_RATE
            apm2[a2] += ((y << np.int64(16)) - np.int64(apm2[a2])) >> APM_RATE
            st = np.int64(t0[c0])
            _sm_update(sm_p, sm_n, st, y, dt)
            t0[c0] = nxt[st, y]
            st = np.int64(t1[idx[1]])
            _sm_update(sm_p, sm_n, 256 + st, y, dt)
            t1[idx[1]] = nxt[st, y]
            for k in range(NH):
                st = np.int64(ht[idx[k + 2]])
                _sm_update(sm_p, sm_n, (k + 2) * 256 + st, y, dt)
                ht[idx[k + 2]] = nxt[st, y]
            if mbit >= 0:
                _sm_update(sm_p, sm_n, idx[NI - 1], y, dt)
                if y != mbit:
                    mexp = np.int64(-1)
                    mlen = np.int64(0)
            c0 = (c0 << np.int64(1)) | y
        if status == CORRUPT:
            pos = i
            break
        c = c0 & np.int64(255)
        if mode == DECODE:
            hist[i] = c
        # ---- byte contexts for the next byte
        c8 = ((c8 << np.int64(8)) | (c4 >> np.int64(24))) & M32
        c4 = ((c4 << np.int64(8)) | c) & M32
        if (c >= 65 and c <= 90) or (c >= 97 and c <= 122):
            word = ((word + (c | np.int64(32))) * np.int64(0x2F0C9)) & M32
        elif word != 0:
            word1 = word
            word = np.int64(0)
        if c == 10:
            line1 = line0
            line0 = i + 1
            col = np.int64(0)
        else:
            col += 1
        mh = ((mh * np.int64(47 << 4)) + c + 1) & mmask
        _prefetch(mm, mh)
        above = np.int64(hist[line1 + col]) if line1 + col < line0 else np.int64(0)
        _contexts(hs, line, ht, hbits, hmask, c4, c8, word, word1, above, col)
        # match model: extend the current match, or look the context up in the index
        if mlen > 0:
            mptr += 1
            if mlen < 65535:
                mlen += 1
        else:
            cand = np.int64(mm[mh])
            if cand > 0:
                n = np.int64(0)
                while n < MATCH_VERIFY and cand - n - 1 >= 0 and hist[cand - n - 1] == hist[i - n]:
                    n += 1
                if n >= MATCH_MIN:
                    mlen = n
                    mptr = cand
        mm[mh] = i + 1
        pos = i + 1
    regs[R_C4] = c4
    regs[R_C8] = c8
    regs[R_WORD] = word
    regs[R_WORD1] = word1
    regs[R_MPTR] = mptr
    regs[R_MLEN] = mlen
    regs[R_MH] = mh
    regs[R_COL] = col
    regs[R_LINE0] = line0
    regs[R_LINE1] = line1
    regs[R_POS] = pos
    coder[0] = low
    coder[1] = rng
    coder[2] = o
    coder[3] = d
    coder[4] = window
    coder[5] = ip
    return status
