"""Fuzz tests: every area of issue 9 with hypothesis, deterministic and bounded (about 20 s).

The property, the same in every area (see ``fuzz_targets``): a clean error or a correct result,
never a traceback, never a wrong result that a documented check should catch. Hypothesis
drives each target with byte strings (``derandomize=True``: the same examples on every run,
so CI is reproducible); ``scripts/fuzz_campaign.py`` runs the same targets for longer, with
a coverage-guided engine, hostile values, timing and memory limits (docs/fuzzing.md).
Spec strings are fuzzed by ``tests/test_spec.py``.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

try:
    from . import fuzz_targets as ft
except ImportError:  # rootdir-style imports (no __init__.py in tests/fuzz)
    import fuzz_targets as ft

BOUNDED = settings(derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck))


PROPERTIES = {
    "container": "container bytes (with and without recomputed CRCs): ContainerError or the original",
    "tables": "code tables through from_json: CodeTableError or a code whose encodings decode",
    "decode": "bitstreams of every coder: DecodeError or exactly the encoding of the result",
}


@pytest.mark.parametrize("area", sorted(PROPERTIES))
def test_a_clean_error_or_a_correct_result(area):
    @settings(BOUNDED, max_examples=600)
    @given(st.binary(max_size=400))
    def check(data):
        ft.TARGETS[area](data)

    check()


@settings(BOUNDED, max_examples=200)
@given(st.binary(max_size=300))
def test_command_lines_exit_0_to_3_with_at_most_one_error_line(data):
    ft.target_cli(data)


def test_the_cli_property_catches_what_it_should():
    # The checker itself: a traceback, a bad exit status, two error lines are findings.
    ft.check_cli_outcome(["measure"], 1, "codebook: error: p 'x': bad\n")
    for status, stderr in [(1, "Traceback (most recent call last):\n"), (5, ""),
                           (1, "codebook: error: a\ncodebook: error: b\n"), (2, "something else\n")]:
        with pytest.raises(RuntimeError):
            ft.check_cli_outcome(["measure"], status, stderr)


def test_choices_are_deterministic_and_total():
    c = ft.Choices(b"\x05\xff")
    assert [c.int(0, 9), c.int(0, 255), c.int(0, 3)] == [5, 255, 0]  # 0 once the bytes are used up
    assert ft.Choices(b"\x01\x02").int(0, 65535) == 258
