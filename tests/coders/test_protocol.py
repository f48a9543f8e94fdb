"""The protocol every registered coder shares, checked across the whole registry."""

import numpy as np
import pytest

from codebook import Distribution, coders

ALL = coders.names()


@pytest.mark.parametrize("name", ALL)
def test_decode_into_a_narrow_dtype(name):
    q = Distribution.zipf(256, 1.0)
    code = coders.build(name, q)
    x = q.sample(5000, seed=3).astype(np.uint8)  # a byte message stays one byte per symbol
    bits = code.encode(x)
    narrow = code.decode(bits, len(x), dtype=np.uint8)
    assert narrow.dtype == np.uint8 and np.array_equal(narrow, x)
    assert np.array_equal(code.decode(bits, len(x)), x.astype(np.int64))
    with pytest.raises(ValueError, match=r"`dtype` must be an integer dtype holding 0..255; got int8"):
        code.decode(bits, len(x), dtype=np.int8)
    with pytest.raises(ValueError, match=r"got float64"):
        code.decode(bits, len(x), dtype=np.float64)


@pytest.mark.parametrize("name", ALL)
def test_every_coder_is_rebuilt_bit_identically_from_json(name):
    q = Distribution.dirichlet(20, 0.7, seed=4)
    code = coders.build(name, q)
    x = q.sample(3000, seed=5)
    again = coders.from_json(code.to_json())
    assert again.encode(x) == code.encode(x)
    assert np.array_equal(again.decode(code.encode(x), len(x)), x)


def test_unknown_options_are_value_errors():
    with pytest.raises(ValueError, match=r"coder 'huffman' does not take these arguments: .*'precision'"):
        coders.build("huffman", [0.5, 0.5], precision=8)
