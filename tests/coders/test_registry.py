"""coders.from_json / from_dict on hostile tables: one CodeTableError, fast, bounded (issue 9)."""

from __future__ import annotations

import json
import time

import pytest

from codebook import coders
from codebook.coders import registry
from codebook.errors import CodeTableError


@pytest.mark.parametrize(
    "text, message",
    [
        ("[" * 100_000 + "]" * 100_000, "not valid JSON: nested too deeply"),
        ('{"coder": "huffman", "alphabet_size": ' + "9" * 5000 + "}", "not valid JSON: Exceeds the limit"),
        ('{"coder": "adaptive", "alphabet_size": 3, "prior": NaN}', "not valid JSON: NaN is not a JSON number"),
        ('{"coder": "adaptive", "alphabet_size": 3, "prior": Infinity}', "Infinity is not a JSON number"),
        (b"\xff\xfe{}", "not valid JSON"),
        (None, "not valid JSON: the JSON object must be str"),
        ("[1, 2]", "must be a JSON object with a string field 'coder'"),
        ('{"coder": "zzz"}', "names unknown coder 'zzz'"),
        ('{"coder": "' + "z" * 10_000 + '"}', "names unknown coder 'zzzzzzzzzzzzzzzz"),
    ],
)
def test_malformed_json_is_a_code_table_error(text, message):
    with pytest.raises(CodeTableError, match=message):
        coders.from_json(text)


def test_a_valid_but_huge_prefix_table_is_refused_before_allocating():
    # Issue 9: 65536 codewords of 4096 bits (Kraft sum 2**-4080: valid) took 14 s and 2.7 GB.
    text = json.dumps({"coder": "huffman", "version": 1, "alphabet_size": 65536, "lengths": [4096] * 65536})
    start = time.perf_counter()
    with pytest.raises(CodeTableError, match=r"268435456 codeword bits in all, above the limit of 67108864"):
        coders.from_json(text)
    assert time.perf_counter() - start < 1
    words = ["0" * 4096] * 16385
    with pytest.raises(CodeTableError, match=r"67112960 codeword bits in all"):
        coders.from_dict({"coder": "sfe", "version": 1, "alphabet_size": 16385, "codewords": words})


def test_the_table_limit_admits_the_codes_real_distributions_give():
    # 2**16 codewords of 1024 bits is exactly the limit and loads (about 1.3 s, 0.6 GB).
    assert 65536 * 1024 == registry.MAX_TABLE_BITS
    small = {"coder": "shannon", "version": 1, "alphabet_size": 4096, "lengths": [12] * 4096}
    assert coders.from_dict(small).kraft_sum() == 1.0


def test_errors_of_a_coder_not_written_for_hostile_tables_are_wrapped(monkeypatch):
    class Fragile:
        @classmethod
        def from_dict(cls, data):
            return data["missing"]

    monkeypatch.setitem(registry._REGISTRY, "fragile", registry.CoderInfo("fragile", Fragile, "stream", "test"))
    with pytest.raises(CodeTableError, match=r"code table for coder 'fragile' is invalid \(KeyError: 'missing'\)"):
        coders.from_dict({"coder": "fragile"})
