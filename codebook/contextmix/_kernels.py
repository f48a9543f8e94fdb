"""numba kernel of the context-mixing model: one loop over the bits of a block that
predicts, codes (or decodes) and updates. The only per-bit loop of ``codebook.contextmix``.

Everything is integer arithmetic on flat arrays (see ``_tables`` for why), so the encoder and
the decoder compute the same probability for every bit on every machine. The coder is the
range coder of ``codebook.coders._range_kernels`` (binary slots out of 2**12).

Per bit, in order (the model of :mod:`codebook.contextmix`, "cm" version 2). Which hashed
contexts take part, whether the second mixer and each SSE stage run, is the configuration
``cfg`` (a profile of the coder: see ``coder.PROFILES``):

1. inputs: the bit histories (one byte each) of the order-0 and order-1 contexts (direct
   tables) and of up to 7 hashed contexts (orders 2, 3, 4, 6, the current word, the previous
   and current word, the column with the byte above it), each turned into a probability by
   its own adaptive state map and into the stretch domain; the match model's prediction
   (the bit that followed the last occurrence of the current 4+ byte context, with a
   strength learned per match length); a bias;
2. one or two mixers (logistic regression on the stretched inputs), one with weights
   selected by (number of contexts seen before, match state, bit position), one by the
   partial byte; their outputs averaged;
3. up to two adaptive probability maps (SSE: order 0 and order 1), averaged with the mixer
   output;
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

NH_MAX = 7  # hashed contexts at most
NI_MAX = NH_MAX + 3  # inputs: order 0, order 1, hashed, match (+ bias)
NWP = 12  # weights per set, padded (inputs an profile does not use are 0 and keep their weights)
C_O2, C_O3, C_O4, C_O6, C_WORD, C_WORDS, C_COLUMN = range(NH_MAX)
"""Types of the hashed contexts (``cfg[CFG_CTX + k]`` is the type of hashed input k)."""

# cfg: the profile, as the kernel takes it
CFG_NH, CFG_MIX2, CFG_APM, CFG_SKIP, CFG_CTX = 0, 1, 2, 3, 4
CFG_LR, CFG_BOOST, CFG_BOOSTD, CFG_APMR, CFG_WPM, CFG_WP1, CFG_WP2 = range(CFG_CTX + NH_MAX, CFG_CTX + NH_MAX + 7)
NCFG = CFG_WP2 + 1
APM_ORDER0, APM_ORDER1 = 1, 2  # bits of cfg[CFG_APM]


def sets_a(nh: int) -> int:
    """Weight sets of the first mixer: (contexts seen 0..nh) x (match state 0..2) x (bit position)."""
    return (nh + 1) * 3 * 8


MATCH_MIN = 4  # bytes of context a verified match needs (the index hashes about 5 bytes)
MATCH_VERIFY = 32  # a candidate match is verified on at most this many bytes

# Parameters of model version 2 (changing any of them changes the bitstream). The first five
# are the profiles' defaults, passed in ``cfg`` (``coder.Profile``).
LEARNING_RATE = 6  # mixer: w += x * err * lr / 2**14, err in 12-bit units,
LEARNING_BOOST = 81920  # lr = 6 + 81920 // (4096 + position): 26 at the start, 7 after 77 KB
LEARNING_BOOST_FROM = 4096
APM_RATE = 5  # adaptive probability maps: rate 2**-5
W_INIT = 10000  # initial mixer weights (2**16 = 1.0)
SM_LIMIT = 1023  # state maps: rate 1/(n + 1.5), n capped here

M32 = np.int64(0xFFFFFFFF)
U = np.uint64
"""Array indices in the per-bit loop are cast to unsigned: numba then skips the negative-index
fix-up (about 3 instructions per access; the loop makes about 100 accesses per bit). Every
such index is in range by construction (masked hashes, bytes, states, positions below the
current one), whatever the input or the bitstream."""

# regs: byte-level state that survives between calls (resumable kernel)
R_C4, R_C8, R_WORD, R_WORD1, R_MPTR, R_MLEN, R_MH, R_COL, R_LINE0, R_LINE1, R_POS = range(11)
NREGS = 11
# coder: low, rng, o (encoder); d, window, ip (decoder)
NCODER = 6


# The coding step of the project's one range coder (``codebook.coders._range_kernels``: its
# carry, renormalisation, refill, termination and end check), for binary slots out of 2**12.
# Plain ``@njit`` wrappers on purpose: LLVM inlines them into the loop below, whereas
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
    # A slot of at least 1/4096 keeps rng >= 2**36, so at most 2 bytes are due: store the top
    # 2 bytes of low (those not due are overwritten later) and advance by the count due.
    out[o] = low >> np.int64(48)
    out[o + 1] = (low >> np.int64(40)) & np.int64(255)
    nb = np.int64(rng < rk.BOTTOM) + np.int64(rng < rk.BYTES2)
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
    results). The model reads a hashed-table line per context and nibble at addresses known
    only just before: issued together, their cache misses overlap instead of queueing."""
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
def _resolve(ht, line, chk, prio):
    """Offset of the 15 states of the slot with check byte ``chk`` in the 64-byte ``line``
    (4 check bytes, then 4 slots of 15 states); if no slot matches, the slot whose first
    state has the smallest count is cleared and given to ``chk``."""
    word = (
        np.int64(ht[U(line)])
        | (np.int64(ht[U(line + 1)]) << np.int64(8))
        | (np.int64(ht[U(line + 2)]) << np.int64(16))
        | (np.int64(ht[U(line + 3)]) << np.int64(24))
    )  # the 4 check bytes, byte j = slot j (one load on a little-endian machine)
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
    bestp = np.int64(prio[U(ht[U(best)])])
    for j in range(1, 4):
        s = line + np.int64(4 + 15 * j)
        pr = np.int64(prio[U(ht[U(s)])])
        if pr < bestp:
            bestp = pr
            best = s
    for k in range(15):
        ht[U(best + k)] = 0
    ht[U(line + (best - line - 4) // 15)] = chk
    return best


@njit(cache=True)
def _contexts(hs, line, ht, cfg, hbits, hmask, c4, c8, word, word1, above, col):
    """Hashes of the hashed contexts of the next byte (those of ``cfg``), their table lines,
    prefetched."""
    c1 = c4 & np.int64(255)
    for k in range(cfg[CFG_NH]):
        t = cfg[CFG_CTX + k]
        if t == C_O2:
            h = _hash(c4 & np.int64(0xFFFF), 0, 1)
        elif t == C_O3:
            h = _hash(c4 & np.int64(0xFFFFFF), 0, 2)
        elif t == C_O4:
            h = _hash(c4, 0, 3)
        elif t == C_O6:
            h = _hash(c4, c8 & np.int64(0xFFFF), 4)
        elif t == C_WORD:
            h = _hash(word, c1, 5)
        elif t == C_WORDS:
            h = _hash(word, word1, 6)
        else:
            h = _hash(above, (col if col < 255 else np.int64(255)) | (c1 << np.int64(8)), 7)
        hs[U(k)] = h
        line[U(k)] = (np.int64(k) << hbits) + (((h >> np.int64(8)) << np.int64(6)) & hmask)
        _prefetch(ht, line[U(k)])


@njit(cache=True)
def _sm_update(sm, q, y, dt):
    """State map entry ``q`` (``p << 10 | n``: a 22-bit probability and a count) learns ``y``
    at rate ``1 / (n + 1.5)``."""
    v = np.int64(sm[U(q)])
    n = v & np.int64(1023)
    p = v >> np.int64(10)
    p += (((y << np.int64(22)) - p) * np.int64(dt[U(n)])) >> np.int64(16)
    sm[U(q)] = (p << np.int64(10)) | (n + np.int64(n < SM_LIMIT))


@njit(cache=True, inline="always")
def _clamp(v, lim):
    return lim if v > lim else (-lim if v < -lim else v)


@njit(cache=True, nogil=True)
def run_block(mode, hist, end, buf, regs, coder, cfg, ht, hbits, t1, t0, sm, mm, w, apm1, apm2,
              nxt, prio, squash, stretch, dt, loss):
    """Model ``hist[regs[R_POS]:end]``: encode it into ``buf`` (ENCODE), decode it from
    ``buf`` into ``hist`` (DECODE) or only learn from it (PRIME).

    Bytes before ``regs[R_POS]`` are history (a primed text, or the block so far). ``loss``
    (int64[4097]) counts the 12-bit probability the model gave each actual bit, so the
    model's log-loss is ``sum(loss[q] * (12 - log2 q))`` exactly from integers. Returns OK,
    NEED_ROOM (encoder: ``buf`` nearly full; all state is saved, call again with a larger
    ``buf``) or CORRUPT (decoder: the code value fell outside both slots).
    """
    nh = cfg[CFG_NH]
    ni = nh + 3  # inputs: order 0, order 1, hashed, match; x[ni] is the bias
    # x[ni] is the bias (256); x[ni + 1 .. NWP) stay 0
    mix2 = cfg[CFG_MIX2] != 0
    use_apm1 = (cfg[CFG_APM] & APM_ORDER0) != 0
    use_apm2 = (cfg[CFG_APM] & APM_ORDER1) != 0
    skip = cfg[CFG_SKIP]
    lr0 = cfg[CFG_LR]
    boost = cfg[CFG_BOOST]
    boostd = cfg[CFG_BOOSTD]
    apmr = cfg[CFG_APMR]
    wpm = cfg[CFG_WPM]
    wp1 = cfg[CFG_WP1]
    wp2 = cfg[CFG_WP2]
    sets = (nh + 1) * 3 * 8  # sets_a(nh)
    mq0 = (ni - 1) * 256  # the match model's state map
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
    hs = np.zeros(NH_MAX, dtype=np.int64)
    line = np.zeros(NH_MAX, dtype=np.int64)
    slot = np.zeros(NH_MAX, dtype=np.int64)
    idx = np.zeros(NI_MAX, dtype=np.int64)
    x = np.zeros(NWP, dtype=np.int64)
    x[U(ni)] = 256
    status = OK
    above = np.int64(hist[U(line1 + col)]) if line1 + col < line0 else np.int64(0)
    _contexts(hs, line, ht, cfg, hbits, hmask, c4, c8, word, word1, above, col)
    for i in range(pos, end):
        if mode == ENCODE and o + 64 > buf.size:
            status = NEED_ROOM
            break
        # ---- contexts of this byte (hashed and prefetched at the end of the last one)
        c1 = c4 & np.int64(255)
        for k in range(nh):
            slot[U(k)] = _resolve(ht, line[U(k)], hs[U(k)] & np.int64(255), prio)
        mexp = np.int64(hist[U(mptr)]) if mlen > 0 else np.int64(-1)
        ml = np.int64(0) if mlen == 0 else (np.int64(1) if mlen < 16 else np.int64(2))
        c0 = np.int64(1)
        cur = np.int64(hist[U(i)]) if mode != DECODE else np.int64(0)
        lr = lr0 + boost // (boostd + i)  # faster at the start
        for j in range(8):
            if j == 4:  # second nibble: new slots, keyed by the first nibble too
                for k in range(nh):
                    h2 = _hash(hs[U(k)], c0, 11)
                    line[U(k)] = (np.int64(k) << hbits) + (((h2 >> np.int64(8)) << np.int64(6)) & hmask)
                    _prefetch(ht, line[U(k)])
                    hs[U(k)] = h2
                for k in range(nh):
                    slot[U(k)] = _resolve(ht, line[U(k)], hs[U(k)] & np.int64(255), prio)
            if j < 4:
                node = c0 - np.int64(1)
            else:
                node = (np.int64(1) << np.int64(j - 4)) + (c0 & ((np.int64(1) << np.int64(j - 4)) - np.int64(1))) - np.int64(1)
            # ---- predict
            a2row = ((c1 << np.int64(8)) | c0) * 33
            if use_apm2:
                _prefetch(apm2, a2row)
                _prefetch(apm2, a2row + 32)
            idx[0] = c0
            x[0] = stretch[U(np.int64(sm[U(t0[U(c0)])]) >> np.int64(20))]
            idx[1] = (c1 << np.int64(8)) | c0
            x[1] = stretch[U(np.int64(sm[U(256 + np.int64(t1[U(idx[1])]))]) >> np.int64(20))]
            seen = np.int64(0)
            for k in range(nh):
                q = slot[U(k)] + node
                idx[U(k + 2)] = q
                st = np.int64(ht[U(q)])
                seen += np.int64(st != 0)
                x[U(k + 2)] = stretch[U(np.int64(sm[U((k + 2) * 256 + st)]) >> np.int64(20))]
            mbit = np.int64(-1)
            if mexp >= 0 and ((mexp | np.int64(256)) >> np.int64(8 - j)) == c0:
                mbit = (mexp >> np.int64(7 - j)) & np.int64(1)
                mq = mlen if mlen < 15 else np.int64(15)
                idx[U(ni - 1)] = mq0 + mq * 2 + mbit
                x[U(ni - 1)] = stretch[U(np.int64(sm[U(idx[U(ni - 1)])]) >> np.int64(20))]
            else:
                x[U(ni - 1)] = 0
                ml = np.int64(0)
            wa = (((seen * 3) + ml) * 8 + j) * NWP
            da = np.int64(0)
            for k in range(NWP):
                da += np.int64(w[U(wa + k)]) * x[U(k)]
            pa = np.int64(squash[_clamp(da >> np.int64(16), 2047) + 2048])
            pm = pa
            pb = pa
            wb = (sets + c0) * NWP
            if mix2:
                db = np.int64(0)
                for k in range(NWP):
                    db += np.int64(w[U(wb + k)]) * x[U(k)]
                pb = np.int64(squash[_clamp(db >> np.int64(16), 2047) + 2048])
                pm = (pa + pb) >> np.int64(1)
            s = np.int64(stretch[U(pm)]) + np.int64(2048)
            lo = s >> np.int64(7)
            wt = s & np.int64(127)
            a1 = c0 * 33 + lo
            a2 = a2row + lo
            if use_apm1 and use_apm2:
                p1 = (np.int64(apm1[U(a1)]) * (128 - wt) + np.int64(apm1[U(a1 + 1)]) * wt) >> np.int64(11)
                p2 = (np.int64(apm2[U(a2)]) * (128 - wt) + np.int64(apm2[U(a2 + 1)]) * wt) >> np.int64(11)
                p = (pm * wpm + p1 * wp1 + p2 * wp2 + 8) >> np.int64(4)
            elif use_apm2:
                p2 = (np.int64(apm2[U(a2)]) * (128 - wt) + np.int64(apm2[U(a2 + 1)]) * wt) >> np.int64(11)
                p = (pm + p2 * 3 + 2) >> np.int64(2)
            elif use_apm1:
                p1 = (np.int64(apm1[U(a1)]) * (128 - wt) + np.int64(apm1[U(a1 + 1)]) * wt) >> np.int64(11)
                p = (pm + p1 * 3 + 2) >> np.int64(2)
            else:
                p = pm
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
            loss[U(p if y else 4096 - p)] += 1
            # ---- update (a mixer whose error is within `skip` of 0 is left as it is)
            ea = (y << np.int64(12)) - pa
            if ea > skip or ea < -skip:
                ea *= lr
                for k in range(NWP):
                    w[U(wa + k)] = np.int64(w[U(wa + k)]) + ((x[U(k)] * ea) >> np.int64(14))
            if mix2:
                eb = (y << np.int64(12)) - pb
                if eb > skip or eb < -skip:
                    eb *= lr
                    for k in range(NWP):
                        w[U(wb + k)] = np.int64(w[U(wb + k)]) + ((x[U(k)] * eb) >> np.int64(14))
            a1 += wt >> np.int64(6)
            a2 += wt >> np.int64(6)
            if use_apm1:
                apm1[U(a1)] += ((y << np.int64(16)) - np.int64(apm1[U(a1)])) >> apmr
            if use_apm2:
                apm2[U(a2)] += ((y << np.int64(16)) - np.int64(apm2[U(a2)])) >> apmr
            st = np.int64(t0[U(c0)])
            _sm_update(sm, st, y, dt)
            t0[U(c0)] = nxt[U(st), U(y)]
            st = np.int64(t1[U(idx[1])])
            _sm_update(sm, 256 + st, y, dt)
            t1[U(idx[1])] = nxt[U(st), U(y)]
            for k in range(nh):
                q = idx[U(k + 2)]
                st = np.int64(ht[U(q)])
                _sm_update(sm, (k + 2) * 256 + st, y, dt)
                ht[U(q)] = nxt[U(st), U(y)]
            if mbit >= 0:
                _sm_update(sm, idx[U(ni - 1)], y, dt)
                if y != mbit:
                    mexp = np.int64(-1)
                    mlen = np.int64(0)
            c0 = (c0 << np.int64(1)) | y
        if status == CORRUPT:
            pos = i
            break
        c = c0 & np.int64(255)
        if mode == DECODE:
            hist[U(i)] = c
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
        above = np.int64(hist[U(line1 + col)]) if line1 + col < line0 else np.int64(0)
        _contexts(hs, line, ht, cfg, hbits, hmask, c4, c8, word, word1, above, col)
        # match model: extend the current match, or look the context up in the index
        if mlen > 0:
            mptr += 1
            if mlen < 65535:
                mlen += 1
        else:
            cand = np.int64(mm[U(mh)])
            if cand > 0:
                n = np.int64(0)
                while n < MATCH_VERIFY and cand - n - 1 >= 0 and hist[U(cand - n - 1)] == hist[U(i - n)]:
                    n += 1
                if n >= MATCH_MIN:
                    mlen = n
                    mptr = cand
        mm[U(mh)] = i + 1
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
