"""numba intrinsics of the models' kernels: four operations written as LLVM IR, because
numba's compiler, left to plain Python loops and conditionals, makes them slow.

* :func:`prefetch` ``(arr, i, j)``: ask the CPU to load ``arr[i, j]``'s cache line.
* :func:`pick` ``(cond, a, b)``: ``a if cond else b`` without a branch. LLVM turns a
  conditional whose one side is a load into a branch around that load; when the condition is
  data the CPU cannot predict (the alias method's accept test) the mispredictions made
  ``Markov.sample``'s loop 2x slower (9.3 against 4.4 ns a symbol, 4 symbols, order 2). The
  select carries ``!unpredictable``, which tells LLVM to keep it a conditional move.
* :func:`add_ones` ``(arr, row, col, first)``: ``arr[row, col + i] += 1`` for ``first <= i < 16``.
* :func:`block_search` ``(arr, row, col, base, e0, stride, k, num, den, scale, t, lo, hi)``: the
  16 slice starts ``C_i = count_start(base + arr[row, col + i], e0 + stride * i)`` of the
  quantization rule (``_kernels.count_start``, the same IEEE operations in the same order, so
  every lane equals the scalar result to the bit), lanes with ``e_i >= k`` left out, compared
  with ``t``. Returns ``(n, lo', hi')``: how many lanes have ``C_i <= t``, the largest such
  ``C_i`` (``lo`` if none) and the smallest ``C_i > t`` (``hi`` if none; ``hi > t`` required).

The last two are the adaptive context models' counts (``_kernels.py``): blocks of 16 int32,
one 64-byte cache line each; coding a symbol reads one block and adds 1 to its tail, one vector
operation each here. Written as loops, numba (which leaves LLVM's SLP vectorizer off) fully
unrolls them first: the update became 16 + 16 scalar read-modify-writes and, depending on the
surrounding kernel, the search a row of branches. Decoding an order-2 byte context took 48 ns
a symbol with the best loop form found and 34 ns with these (one core of an AMD EPYC with
AVX-512; 37 ns compiled for AVX2). Integer lanes are int32 and real lanes float64, which x86-64
vector units convert between directly; on other targets LLVM splits the vectors as needed.

Ranges ``block_search``'s callers guarantee: counts and ``base + count`` below ``2**31``,
``den * P + num * e`` below ``2**53`` (so its float64 is exact), ``t`` and every ``C_i`` below
``2**31``.

Caching caveat (as for ``_kernels.py``): the kernels that use these are cached by numba under
their own source file; after editing this one, delete the caches
(``find codebook -name '*.nb[ic]' -delete``).
"""

from __future__ import annotations

import llvmlite.binding as llvm
import llvmlite.ir as ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

LANES = 16
_I16, _I32, _I64, _F64 = ir.IntType(16), ir.IntType(32), ir.IntType(64), ir.DoubleType()
_V32 = ir.VectorType(_I32, LANES)
_VF = ir.VectorType(_F64, LANES)


def _splat(builder, value, vtype):
    """``value`` in every lane of ``vtype``."""
    one = builder.insert_element(ir.Constant(vtype, ir.Undefined), value, ir.Constant(_I32, 0))
    return builder.shuffle_vector(one, ir.Constant(vtype, ir.Undefined), ir.Constant(_V32, [0] * LANES))


def _lanes_pointer(context, builder, aryty, ary, row, col):
    """``&arr[row, col]`` as a pointer to 16 int32 (no wraparound: indices are non-negative)."""
    arr = context.make_array(aryty)(context, builder, ary)
    ptr = cgutils.get_item_pointer(context, builder, aryty, arr, [row, col], wraparound=False)
    return builder.bitcast(ptr, _V32.as_pointer())


def _call(builder, name, ret, args):
    fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(ret, [a.type for a in args]), name)
    return builder.call(fn, args)


_PREFETCH = "llvm.prefetch.p0" if llvm.llvm_version_info[0] >= 15 else "llvm.prefetch.p0i8"  # opaque pointers


@intrinsic
def prefetch(typingctx, arr, i, j):
    """Hint the CPU to load ``arr[i, j]`` into cache (``llvm.prefetch``): no effect on any
    result, never faults. The decoders use it to fetch the prediction tables of positions a
    few steps ahead, which their dependency chain would otherwise wait for."""
    sig = types.void(arr, i, j)

    def codegen(context, builder, signature, args):
        aryty = signature.args[0]
        ary = context.make_array(aryty)(context, builder, args[0])
        ptr = cgutils.get_item_pointer(context, builder, aryty, ary, [args[1], args[2]], wraparound=False)
        i8p = ir.IntType(8).as_pointer()
        fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(ir.VoidType(), [i8p, _I32, _I32, _I32]),
                                            _PREFETCH)
        builder.call(fn, [builder.bitcast(ptr, i8p), _I32(0), _I32(3), _I32(1)])  # read, keep in all caches, data
        return context.get_dummy_value()

    return sig, codegen


@intrinsic
def pick(typingctx, cond, a, b):
    """``a if cond else b`` (same integer type) as a conditional move, never a branch."""
    sig = a(cond, a, b)

    def codegen(context, builder, signature, args):
        flag = context.cast(builder, args[0], signature.args[0], types.boolean)
        select = builder.select(flag, args[1], args[2])
        select.set_metadata("unpredictable", builder.module.add_metadata([]))
        return select

    return sig, codegen


@intrinsic
def add_ones(typingctx, arr, row, col, first):
    """``arr[row, col + i] += 1`` for ``first <= i < 16`` (``first`` in ``0..16``)."""
    sig = types.void(arr, row, col, first)

    def codegen(context, builder, signature, args):
        ptr = _lanes_pointer(context, builder, signature.args[0], args[0], args[1], args[2])
        mask = builder.icmp_signed(">=", ir.Constant(_V32, list(range(LANES))),
                                   _splat(builder, builder.trunc(args[3], _I32), _V32))
        builder.store(builder.add(builder.load(ptr, align=4), builder.zext(mask, _V32)), ptr, align=4)
        return context.get_dummy_value()

    return sig, codegen


@intrinsic
def block_search(typingctx, arr, row, col, base, e0, stride, k, num, den, scale, t, lo, hi):
    """``(n, lo', hi')`` for the 16 slice starts at ``arr[row, col:col + 16]`` (module docstring)."""
    sig = types.UniTuple(types.int64, 3)(arr, row, col, base, e0, stride, k, num, den, scale, t, lo, hi)

    def codegen(context, builder, signature, args):
        ary, row, col, base, e0, stride, k, num, den, scale, t, lo, hi = args

        def lanes32(v):
            return _splat(builder, builder.trunc(v, _I32), _V32)

        def lanes_f(v):
            return _splat(builder, v, _VF)

        counts = builder.load(_lanes_pointer(context, builder, signature.args[0], ary, row, col), align=4)
        e = builder.add(lanes32(e0), builder.mul(ir.Constant(_V32, list(range(LANES))), lanes32(stride)))
        # count_start: fl(fl(den * P + num * e) * scale) + 1/2, truncated, + e. The weight sum is an
        # exact integer below 2**53, so summing the two exact float products gives the same float.
        p = builder.sitofp(builder.add(lanes32(base), counts), _VF)
        w = builder.fadd(builder.fmul(p, lanes_f(builder.sitofp(den, _F64))),
                         builder.fmul(builder.sitofp(e, _VF), lanes_f(builder.sitofp(num, _F64))))
        half = lanes_f(ir.Constant(_F64, 0.5))
        starts = builder.add(builder.fptosi(builder.fadd(builder.fmul(w, lanes_f(scale)), half), _V32), e)
        # lanes past the alphabet read as hi: above t (the caller's hi > t), never below hi
        starts = builder.select(builder.icmp_signed(">=", e, lanes32(k)), lanes32(hi), starts)
        below = builder.icmp_signed("<=", starts, lanes32(t))
        n = _call(builder, "llvm.ctpop.i16", _I16, [builder.bitcast(below, _I16)])
        lo2 = _call(builder, "llvm.vector.reduce.smax.v16i32", _I32, [builder.select(below, starts, lanes32(lo))])
        hi2 = _call(builder, "llvm.vector.reduce.smin.v16i32", _I32, [builder.select(below, lanes32(hi), starts)])
        return context.make_tuple(builder, signature.return_type,
                                  [builder.zext(n, _I64), builder.sext(lo2, _I64), builder.sext(hi2, _I64)])

    return sig, codegen


__all__ = ["LANES", "add_ones", "block_search", "pick", "prefetch"]
