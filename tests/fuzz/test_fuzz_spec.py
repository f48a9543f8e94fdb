"""Fuzzing the distribution spec grammar (issue 9): for any string, ``parse_distribution``
returns a valid Distribution or raises a CodebookError subclass, quickly (2 s on a quiet
machine; asserted with slack), never another exception. Deterministic (the project's hypothesis profile is derandomized) and bounded."""

from __future__ import annotations

import math
import time
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codebook import Distribution, parse_distribution
from codebook.distributions import SUM_TOLERANCE
from codebook.errors import CodebookError

SECONDS = 10.0
"""Issue 9 asks for 2 s; a shared CI machine can be 5 times slower than a quiet one, and a
regression here is a hang (hours), so 10 s catches it without flaking."""


@pytest.fixture(scope="module")
def data_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("fuzz") / "data.bin"
    path.write_bytes(bytes(range(256)) + b"hello, world" * 10)
    return str(path)


def check(spec: str) -> None:
    """The property: a valid Distribution or a CodebookError, quickly."""
    t0 = time.perf_counter()
    try:
        d = parse_distribution(spec, name="p")
    except CodebookError as exc:
        message = str(exc)
        assert message and "\n" not in message and len(message) < 2000, message[:300]
    else:
        assert isinstance(d, Distribution) and len(d) >= 1
        probs = d.probs
        assert probs.dtype == np.float64 and np.isfinite(probs).all() and (probs >= 0).all()
        assert abs(math.fsum(probs.tolist()) - 1) <= SUM_TOLERANCE
        if d.is_exact and len(d) <= 4096:
            assert sum(d.exact) == 1 and all(x >= 0 for x in d.exact)
            assert all((x > 0) == (v > 0) for x, v in zip(d.exact, probs.tolist()))
    assert time.perf_counter() - t0 < SECONDS, spec[:200]


# ----------------------------------------------------------------------------- any text
ALPHABET = st.sampled_from(list("0123456789.,:+-/eE()[]= \t\n") + ["mix", "temper", "uniform", "zipf", "counts",
                                                                     "weights", "file", "dyadic", "geometric",
                                                                     "dirichlet", "nan", "inf", "a", "_", "\x00"])


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=120))
def test_arbitrary_text(spec):
    check(spec)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ALPHABET, max_size=60).map("".join))
def test_spec_shaped_tokens(spec):
    check(spec)


# ----------------------------------------------------------------------------- the grammar
NUMBERS = st.one_of(
    st.sampled_from(["0", "1", "0.5", "1/2", "1/3", "2/3", "0.25", "1e-3", "-0.5", "1e400", "1e-400", "1e999999999",
                     "nan", "inf", "-inf", "1/0", "0.1", "3", "", " ", "x", "1_0", "0x10", "9" * 1200, "1e-1000"]),
    st.fractions(min_value=-2, max_value=10, max_denominator=1000).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-5, 10**6).map(str),
)
SIZES = st.sampled_from(["1", "2", "3", "7", "256", "5000", "0", "-1", "16777217", "10" * 20, "x", "2.5", ""])


@st.composite
def lists(draw):
    k = draw(st.integers(1, 6))
    items = draw(st.lists(NUMBERS, min_size=k, max_size=k))
    if draw(st.booleans()):  # usually a list that sums to 1 exactly
        parts = draw(st.lists(st.integers(0, 20), min_size=k, max_size=k))
        total = sum(parts) or 1
        items = [str(Fraction(x, total)) for x in parts]
        if sum(parts) == 0:
            items[0] = "1"
    if draw(st.booleans()):
        items = [f"{chr(97 + i)}={v}" for i, v in enumerate(items)]
    body = ",".join(items)
    return f"[{body}]" if draw(st.booleans()) else body


@st.composite
def families(draw):
    family = draw(st.sampled_from(["uniform", "dyadic", "zipf", "geometric", "dirichlet", "counts", "weights",
                                   "counts+", "nosuch"]))
    if family in ("uniform", "dyadic"):
        return f"{family}:{draw(SIZES)}"
    if family in ("zipf", "geometric"):
        return f"{family}:{draw(SIZES)}:{draw(NUMBERS)}"
    if family == "dirichlet":
        return f"dirichlet:{draw(SIZES)}:{draw(NUMBERS)}:{draw(st.integers(-1, 10**30))}"
    if family == "nosuch":
        return f"nosuch:{draw(NUMBERS)}"
    values = ",".join(draw(st.lists(NUMBERS, min_size=1, max_size=5)))
    prefix = f"counts+{draw(NUMBERS)}" if family == "counts+" else family
    return f"{prefix}:[{values}]" if draw(st.booleans()) else f"{prefix}:{values}"


def specs():
    leaves = st.one_of(lists(), families())
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.tuples(inner, inner, NUMBERS).map(lambda t: f"mix({t[0]}, {t[1]}, {t[2]})"),
            st.tuples(inner, NUMBERS).map(lambda t: f"temper({t[0]}, {t[1]})"),
        ),
        max_leaves=6,
    )


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(specs())
def test_grammar_shaped_specs(spec):
    check(spec)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(specs(), st.data())
def test_mutated_specs(spec, data):
    """A grammar spec with a few characters deleted, duplicated or replaced, or cut short."""
    chars = list(spec)
    for _ in range(data.draw(st.integers(1, 4))):
        if not chars:
            break
        i = data.draw(st.integers(0, len(chars) - 1))
        action = data.draw(st.sampled_from(["delete", "duplicate", "replace", "cut"]))
        if action == "delete":
            del chars[i]
        elif action == "duplicate":
            chars.insert(i, chars[i] * data.draw(st.integers(1, 50)))
        elif action == "replace":
            chars[i] = data.draw(st.sampled_from(list("(),[]:+-=/.e0 ")))
        else:
            del chars[i:]
    check("".join(chars))


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.sampled_from(["file:", "file+0.5:", "file+x:", "file+1e9999:", "file+-1:"]), st.data())
def test_file_specs(data_file, prefix, data):
    path = data.draw(st.sampled_from([data_file, "/dev/null", "/nonexistent/x", "/", "", data_file + "\x00",
                                      "/dev/zero", "/proc/self/status"]))
    check(prefix + path)


@pytest.mark.parametrize("depth", [31, 32, 33, 200, 20_000])
def test_deep_specs(depth):
    check("mix(" * depth + "uniform:2, uniform:2, 0.5)" * depth)
    check("temper(" * depth + "[0.5,0.5]" + ", 2)" * depth)
    check("[" * depth + "0.5,0.5" + "]" * depth)


def test_long_specs():
    check(",".join(["1/1000"] * 1000))
    check("weights:" + ",".join(["1"] * 100_000))
    check("mix([" + ",".join(["1/5000"] * 5000) + "], uniform:5000, 1/2)")
